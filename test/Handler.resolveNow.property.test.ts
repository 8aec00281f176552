/**
 * The chain's core resolves a URLconf and provides its services (`ResolverMatch`, `Urlconf`) in one
 * step (`resolveNow`, carried by a URLconf site's `resolve`), and runs the `process_view` hooks
 * with each answer going straight to the next hook or the view (`processViewThen`). Django's
 * `BaseHandler._get_response` pins the order: resolve (with `request.urlconf` when a middleware set
 * one; `Resolver404` becomes the 404 page), `request.resolver_match` set, every `process_view` in
 * order until one answers (a `TemplateResponse` answer is rendered after the
 * `process_template_response` hooks), else the view.
 *
 * Property: for any path (matching, with arguments, included, unknown), any middleware of
 * `process_view` hooks (none, passing, answering with a response or a template response, failing)
 * and a `request.urlconf` set or not, a site on the URLconf answers exactly as the same site with
 * its resolution given as a plain `Handler.resolver` (the general path: the resolution as an
 * effect, its services merged by a continuation).
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, FastCheck as fc, Layer, Logger, LogLevel, Option } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import {
  Errors,
  Handler,
  type HttpRequest,
  HttpResponse,
  Middleware,
  RequestFactory,
  Resolver,
  Settings,
  TemplateResponse,
  Templates,
  Urls,
  type View
} from "../src/index.js"

/** The view's answer says what it saw: the match's route and kwargs, the URLconf in effect. */
const seen = (name: string) => () =>
  Effect.flatMap(
    Effect.all([Resolver.ResolverMatch, Effect.serviceOption(Resolver.Urlconf)]),
    ([match, urlconf]) =>
      HttpResponse.make({
        content: `${name} route=${match.route} kwargs=${JSON.stringify(match.kwargs)} urlconf=${
          Option.isSome(urlconf) ? (urlconf.value === other ? "other" : "root") : "none"
        }`
      })
  )

const inner = [Urls.path("leaf/<int:n>/", seen("leaf"))] as const
const root = Urls.make([
  Urls.path("a/", seen("a")),
  Urls.path("b/<slug:s>/", seen("b")),
  Urls.path("in/", Urls.include(inner))
])
const other = Urls.make([Urls.path("a/", seen("other-a")), Urls.path("z/", seen("z"))])

type Hook = "none" | "pass" | "answer" | "template" | "fail"

/** A middleware with one `process_view` hook of the kind given (and a template-response hook). */
const hookOf = (kind: Hook, i: number): Middleware.Middleware<any, any, any> =>
  Middleware.make({
    processView: (request, resolved): Effect.Effect<Option.Option<View.Response>, unknown, any> => {
      switch (kind) {
        case "none":
        case "pass":
          return Effect.succeed(Option.none())
        case "answer":
          return Effect.map(
            HttpResponse.make({ content: `hook ${i} answered for ${resolved.match?.route ?? "?"}` }),
            Option.some
          )
        case "template":
          return Effect.map(TemplateResponse.make(request, "t.html", { i }), Option.some)
        case "fail":
          return Effect.fail(new Errors.PermissionDenied({ message: `hook ${i}` }))
      }
    },
    processTemplateResponse: (_request, response) => Effect.succeed(response)
  })

const setOther = Middleware.make((request, getResponse) =>
  Effect.provideService(getResponse(request), Resolver.Urlconf, other)
)

const sites = (hooks: ReadonlyArray<Hook>, override: boolean) => {
  const middleware = [
    ...(override ? [setOther] : []),
    ...hooks.filter((h) => h !== "none").map(hookOf)
  ]
  const options = middleware.length === 0 ? {} : {
    middleware: Middleware.compose(...(middleware as [Middleware.Middleware<any, any, any>]))
  }
  const fast = Handler.make({ ...options, urls: root }) as Handler.Handler<any>
  const general = Handler.make({
    ...options,
    urls: Handler.resolver((request) => fast.resolve(request) as Effect.Effect<Middleware.Resolved>)
  }) as Handler.Handler<any>
  return [fast, general] as const
}

const dir = mkdtempSync(Path.join(tmpdir(), "resolve-now-"))
writeFileSync(Path.join(dir, "t.html"), "template {{ i }}")

const layer = Layer.mergeAll(
  Logger.minimumLogLevel(LogLevel.None),
  Settings.layer({ SECRET_KEY: "resolve-now", ALLOWED_HOSTS: ["testserver"] }),
  Templates.layer({ dirs: [dir] })
)

const paths = ["/a/", "/b/x-y/", "/b/!/", "/in/leaf/7/", "/in/leaf/x/", "/z/", "/nowhere/", "/a"]

const answer = (site: Handler.Handler<any>, path: string) =>
  Effect.gen(function*() {
    const settings = yield* Settings.current
    const response = yield* Handler.toView(site)(RequestFactory.get(path, { settings }))
    return HttpResponse.isHttpResponse(response)
      ? { status: response.status, body: new TextDecoder().decode(HttpResponse.content(response)) }
      : { status: -1, body: "" }
  })

describe("the core's resolution in one step and process_view (resolveNow, processViewThen)", () => {
  it.effect("answers as the general path for any path, process_view hooks and request.urlconf (property)", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...paths),
          fc.array(fc.constantFrom<Hook>("none", "pass", "answer", "template", "fail"), { maxLength: 3 }),
          fc.boolean(),
          async (path, hooks, override) => {
            const [fast, general] = sites(hooks, override)
            const both = Effect.all([answer(fast, path), answer(general, path)])
            const [a, b] = await Effect.runPromise(
              Effect.provide(both, layer) as Effect.Effect<ReadonlyArray<unknown>, never, unknown> as Effect.Effect<
                ReadonlyArray<unknown>
              >
            )
            expect(a).toEqual(b)
          }
        ),
        { numRuns: 150 }
      )
    ))

  it.effect("pinned: the match, the URLconf set by a middleware, the first hook that answers, a 404", () =>
    Effect.gen(function*() {
      const [plain] = sites([], false)
      expect(yield* answer(plain, "/b/x-y/")).toEqual({
        status: 200,
        body: `b route=b/<slug:s>/ kwargs={"s":"x-y"} urlconf=root`
      })
      expect(yield* answer(plain, "/in/leaf/7/")).toEqual({
        status: 200,
        body: `leaf route=in/leaf/<int:n>/ kwargs={"n":7} urlconf=root`
      })
      expect((yield* answer(plain, "/z/")).status).toBe(404)
      const [overridden] = sites([], true)
      expect(yield* answer(overridden, "/z/")).toEqual({ status: 200, body: `z route=z/ kwargs={} urlconf=other` })
      const [hooked] = sites(["pass", "template", "answer"], false)
      expect(yield* answer(hooked, "/a/")).toEqual({ status: 200, body: "template 1" })
      const [failing] = sites(["fail", "answer"], false)
      expect((yield* answer(failing, "/a/")).status).toBe(403)
    }).pipe(Effect.provide(layer)))
})

/**
 * A template response's render (Django's `_get_response`: `process_template_response` hooks in
 * reverse order, then `response.render()`, whose exception goes to the `process_exception` hooks,
 * the first answer winning, else the exception goes on: a 500 page here). The render runs at once
 * when no middleware has a `process_template_response` hook, and without a `catchAllCause` when none
 * has a `process_exception` hook: pinned with each hook present and absent.
 */
describe("a template response's render, with and without the hooks", () => {
  const tplUrls = Urls.make([
    Urls.path("ok/", (request: HttpRequest.HttpRequest) => TemplateResponse.make(request, "t.html", { i: 3 })),
    Urls.path(
      "missing/",
      (request: HttpRequest.HttpRequest) => TemplateResponse.make(request, "nowhere.html", { i: 3 })
    )
  ])
  const withTemplateHook = Middleware.make({
    processTemplateResponse: (_request, response) =>
      Effect.succeed(
        TemplateResponse.isTemplateResponse(response) ? TemplateResponse.updateContext(response, { i: 9 }) : response
      )
  })
  const rescuing = Middleware.make({
    processException: (_request, cause) =>
      Effect.map(
        HttpResponse.make({ content: `rescued ${Cause.squash(cause) instanceof Error}`, status: 503 }),
        Option.some
      )
  })
  const site = (...middleware: ReadonlyArray<Middleware.Middleware<any, any, any>>) =>
    Handler.make(
      middleware.length === 0 ? { urls: tplUrls } : {
        middleware: Middleware.compose(...(middleware as [Middleware.Middleware<any, any, any>])),
        urls: tplUrls
      }
    ) as Handler.Handler<any>

  it.effect("no hooks: rendered; a render failure is the 500 page", () =>
    Effect.gen(function*() {
      expect(yield* answer(site(), "/ok/")).toEqual({ status: 200, body: "template 3" })
      expect((yield* answer(site(), "/missing/")).status).toBe(500)
    }).pipe(Effect.provide(layer)))

  it.effect("a process_template_response hook changes the context before the render", () =>
    Effect.gen(function*() {
      expect(yield* answer(site(withTemplateHook), "/ok/")).toEqual({ status: 200, body: "template 9" })
      expect((yield* answer(site(withTemplateHook), "/missing/")).status).toBe(500)
    }).pipe(Effect.provide(layer)))

  it.effect("a process_exception hook answers for a render that fails", () =>
    Effect.gen(function*() {
      expect(yield* answer(site(rescuing), "/ok/")).toEqual({ status: 200, body: "template 3" })
      expect(yield* answer(site(rescuing), "/missing/")).toEqual({ status: 503, body: "rescued true" })
      expect(yield* answer(site(rescuing, withTemplateHook), "/missing/")).toEqual({
        status: 503,
        body: "rescued true"
      })
    }).pipe(Effect.provide(layer)))
})
