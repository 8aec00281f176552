/**
 * Views and Django's handler (django/core/handlers/exception.py `response_for_exception`):
 * typed failures become Django's responses, suspicious operations and 500s are logged, DEBUG
 * shows a technical page and nothing internal leaks without it.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { describe, expect, it } from "@effect/vitest"
import { Effect, HashMap, Logger, LogLevel, Option, Schema } from "effect"
import * as Fs from "node:fs"
import { Errors, HttpRequest, HttpResponse, QueryDict, RequestFactory, Settings, View } from "../src/index.js"
import type { Recorded } from "./playground/harness.js"
import { recordedPath } from "./playground/harness.js"

const recorded = JSON.parse(Fs.readFileSync(recordedPath, "utf8")) as Recorded
/** Django 3.2's own pages, as its handler rendered them in the playground recording. */
const djangoPage = (name: string): string => {
  const answer = recorded.answers[name]!
  if ("connectionError" in answer || !("text" in answer.body)) throw new Error(name)
  return answer.body.text
}

interface Logged {
  readonly level: string
  readonly message: string
  readonly annotations: Record<string, unknown>
}

const capture = () => {
  const logs: Array<Logged> = []
  const logger = Logger.make(({ annotations, logLevel, message }) => {
    logs.push({
      level: logLevel.label,
      message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
      annotations: Object.fromEntries(HashMap.toEntries(annotations))
    })
  })
  return { logs, layer: Logger.replace(Logger.defaultLogger, logger) }
}

const run = <E>(view: View.View<E, HttpRequest.HttpRequest>, settings: Settings.Input = {}) => {
  const { layer, logs } = capture()
  return Effect.gen(function*() {
    const response = yield* View.respond(view, RequestFactory.get("/some/path?x=1"))
    return { response, logs }
  }).pipe(Effect.provide(Settings.layer(settings)), Effect.provide(layer), Logger.withMinimumLogLevel(LogLevel.All))
}

const bodyText = (response: { readonly body: unknown }): string => {
  const body = response.body as { readonly _tag: string; readonly body?: unknown }
  if (body.body instanceof Uint8Array) return new TextDecoder().decode(body.body)
  return String(body.body)
}

describe("View.respond: Django's handler", () => {
  it.effect("answers with the view's response", () =>
    Effect.gen(function*() {
      const { logs, response } = yield* run(() => HttpResponse.make({ content: "hello", status: 201 }))
      expect(response.status).toBe(201)
      expect(bodyText(response)).toBe("hello")
      expect(logs).toEqual([])
    }))

  const cases: ReadonlyArray<readonly [string, unknown, number, string]> = [
    ["DisallowedHost", new Errors.DisallowedHost({ message: "x" }), 400, "respond-redirect-javascript"],
    ["DisallowedRedirect", new Errors.DisallowedRedirect({ message: "x" }), 400, "respond-redirect-javascript"],
    ["TooManyFieldsSent", new Errors.TooManyFieldsSent({ message: "x" }), 400, "respond-redirect-javascript"],
    ["BadRequest", new Errors.BadRequest({ message: "x" }), 400, "respond-redirect-javascript"],
    ["MultiPartParserError", new Errors.MultiPartParserError({ message: "x" }), 400, "respond-redirect-javascript"],
    ["Http404", new Errors.Http404({ message: "x" }), 404, "path-not-found"],
    ["BadHeaderError", new Errors.BadHeaderError({ message: "x" }), 500, "respond-unknown-kind"],
    ["an unknown error", new Error("boom"), 500, "respond-unknown-kind"]
  ]
  for (const [name, error, status, page] of cases) {
    it.effect(`${name} becomes ${status} with Django's page`, () =>
      Effect.gen(function*() {
        const { response } = yield* run(() => Effect.fail(error))
        expect(response.status).toBe(status)
        expect(bodyText(response)).toBe(djangoPage(page))
      }))
  }

  it.effect("PermissionDenied becomes 403 with Django's 403 page", () =>
    Effect.gen(function*() {
      const { response } = yield* run(() => Effect.fail(new Errors.PermissionDenied({ message: "no" })))
      expect(response.status).toBe(403)
      expect(bodyText(response)).toContain("<h1>403 Forbidden</h1>")
    }))

  it.effect("a Schema ParseError becomes 400", () =>
    Effect.gen(function*() {
      const { response } = yield* run(() =>
        Effect.flatMap(Schema.decodeUnknown(Schema.Number)("x"), (n) => HttpResponse.make({ content: String(n) }))
      )
      expect(response.status).toBe(400)
    }))

  it.effect("a defect becomes 500, logged as an error, and leaks nothing", () =>
    Effect.gen(function*() {
      const { logs, response } = yield* run(() => Effect.die(new Error("secret internal detail")))
      expect(response.status).toBe(500)
      expect(bodyText(response)).toBe(djangoPage("respond-unknown-kind"))
      expect(bodyText(response)).not.toContain("secret")
      expect(logs.map((l) => [l.level, l.annotations.logger])).toEqual([["ERROR", "django.request"]])
    }))

  it.effect("a view that throws is a defect, not a crash", () =>
    Effect.gen(function*() {
      const { response } = yield* run(() => {
        throw new Error("thrown")
      })
      expect(response.status).toBe(500)
    }))

  it.effect("suspicious operations are logged as warnings on django.security.<Name>", () =>
    Effect.gen(function*() {
      const { logs } = yield* run(() => Effect.fail(new Errors.DisallowedHost({ message: "Invalid HTTP_HOST header" })))
      expect(logs).toHaveLength(1)
      expect(logs[0]!.level).toBe("WARN")
      expect(logs[0]!.annotations).toEqual({ logger: "django.security.DisallowedHost", status_code: 400 })
      expect(logs[0]!.message).toContain("Invalid HTTP_HOST header")
    }))

  it.effect("the logged path is escaped (no log injection)", () =>
    Effect.gen(function*() {
      const { layer, logs } = capture()
      yield* View.respond(() => Effect.fail(new Errors.Http404({ message: "x" })), RequestFactory.get("/a%0Ab"))
        .pipe(Effect.provide(layer))
      expect(logs[0]!.message).toContain("/a\\x0ab")
      expect(logs[0]!.message).not.toContain("\n")
    }))

  it.effect("with DEBUG, a technical page shows the error, its cause and the request, escaped", () =>
    Effect.gen(function*() {
      const { response } = yield* run(
        () => Effect.fail(new Errors.BadHeaderError({ message: "<script>alert(1)</script>" })),
        { DEBUG: true }
      )
      expect(response.status).toBe(500)
      const text = bodyText(response)
      expect(text).toContain("BadHeaderError at /some/path")
      expect(text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
      expect(text).not.toContain("<script>")
      expect(text).toContain("QUERY_STRING")
    }))

  it.effect("the current request is in the context", () =>
    Effect.gen(function*() {
      const { response } = yield* run(() =>
        Effect.flatMap(HttpRequest.HttpRequest, (request) => HttpResponse.make({ content: request.path }))
      )
      expect(bodyText(response)).toBe("/some/path")
    }))
})

describe("View.respond: the context", () => {
  it.effect("the outer context is back after the view, whether it answered or failed", () =>
    Effect.gen(function*() {
      const ok: View.View = () => HttpResponse.make({ content: "ok" })
      const failing: View.View = () => Effect.fail(new Errors.Http404({ message: "no" }))
      for (const view of [ok, failing]) {
        yield* View.respond(view, RequestFactory.get("/"))
        expect(Option.isNone(yield* Effect.serviceOption(HttpRequest.HttpRequest))).toBe(true)
      }
    }))
})

describe("View.toHttpApp", () => {
  const handler = <E>(app: HttpApp.Default<E, import("effect/Scope").Scope>) => HttpApp.toWebHandler(app)

  it("serves a view as a platform app, building the request from the platform's", async () => {
    const app = View.toHttpApp((request) =>
      Effect.flatMap(request.GET, () => HttpResponse.make({ content: `${request.method} ${request.path}` }))
    )
    const res = await handler(app)(new Request("http://localhost/x/y?z=1"))
    expect(res.status).toBe(200)
    expect(await res.text()).toBe("GET /x/y")
  })

  // Django's handler answers a response it cannot send (its content not encodable in the
  // charset) with a 500, as any other exception in the view; a platform response or a
  // Respondable the view answers with is passed on as it is.
  it("answers every kind of response; one the default charset cannot encode is a 500", async () => {
    class Teapot {
      readonly [HttpServerRespondable.symbol] = () =>
        Effect.succeed(HttpServerResponse.text("short and stout", { status: 418 }))
    }
    const cases: ReadonlyArray<readonly [View.View<unknown>, number, string]> = [
      [() => HttpResponse.make({ content: "cafe" }), 200, "cafe"],
      [() => Effect.succeed(HttpServerResponse.text("platform", { status: 201 })), 201, "platform"],
      [() => Effect.succeed(new Teapot()), 418, "short and stout"]
    ]
    const serve = (view: View.View<unknown>) =>
      handler(Effect.provide(View.toHttpApp(view), Settings.layer({ DEFAULT_CHARSET: "ascii" })))(
        new Request("http://localhost/")
      )
    for (const [view, status, body] of cases) {
      const res = await serve(view)
      expect([res.status, await res.text()]).toEqual([status, body])
    }
    const unencodable = await serve(() => HttpResponse.make({ content: "price: 5 €" }))
    expect(unencodable.status).toBe(500)
    expect(await unencodable.text()).toContain("Server Error (500)")
  })

  // A platform middleware may build its own value of the request (HttpRequest.current); the
  // body of one request is read once, so both see the same POST, whichever reads first.
  const formPost = () =>
    new Request("http://localhost/form", {
      method: "POST",
      body: "a=1&a=2",
      headers: { "content-type": "application/x-www-form-urlencoded" }
    })
  const postText = (request: HttpRequest.HttpRequest) =>
    Effect.map(request.POST, (post) => JSON.stringify(QueryDict.lists(post)))
  const echoPost: View.View<unknown> = (request) =>
    Effect.flatMap(postText(request), (content) => HttpResponse.make({ content }))

  it("a platform middleware reading POST before the view shares the body with it", async () => {
    let seen = ""
    const app = View.toHttpApp(echoPost).pipe(HttpMiddleware.make((app) =>
      Effect.flatMap(
        Effect.flatMap(HttpRequest.current, postText),
        (text) => {
          seen = text
          return app
        }
      )
    ))
    const res = await handler(app)(formPost())
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(`[["a",["1","2"]]]`)
    expect(seen).toBe(`[["a",["1","2"]]]`)
  })

  it("a platform middleware reading POST after the view shares the body with it", async () => {
    let seen = ""
    const app = View.toHttpApp(echoPost).pipe(
      HttpMiddleware.make((app) =>
        Effect.flatMap(app, (response) =>
          Effect.map(Effect.flatMap(HttpRequest.current, postText), (text) => {
            seen = text
            return response
          }))
      )
    )
    const res = await handler(app)(formPost())
    expect(await res.text()).toBe(`[["a",["1","2"]]]`)
    expect(seen).toBe(`[["a",["1","2"]]]`)
  })

  it("a platform middleware after the view gets the view's own request value", async () => {
    let inView: HttpRequest.HttpRequest | undefined
    let after: HttpRequest.HttpRequest | undefined
    const view: View.View = (request) => {
      inView = request
      return HttpResponse.make({ content: "ok" })
    }
    const app = View.toHttpApp(view).pipe(
      HttpMiddleware.make((app) =>
        Effect.flatMap(app, (response) =>
          Effect.map(HttpRequest.current, (request) => {
            after = request
            return response
          }))
      )
    )
    const res = await handler(app)(new Request("http://localhost/"))
    expect(await res.text()).toBe("ok")
    expect(inView).toBeDefined()
    expect(after).toBe(inView)
  })

  it("mounts on a route of a platform HttpRouter", async () => {
    const router = HttpRouter.empty.pipe(
      HttpRouter.get("/hello", View.toHttpApp(() => HttpResponse.make({ content: "hi" }))),
      HttpRouter.get("/missing", View.toHttpApp(() => Effect.fail(new Errors.Http404({ message: "no" }))))
    )
    const web = handler(router)
    const hello = await web(new Request("http://localhost/hello"))
    expect(await hello.text()).toBe("hi")
    const missing = await web(new Request("http://localhost/missing"))
    expect(missing.status).toBe(404)
    expect(await missing.text()).toBe(djangoPage("path-not-found"))
  })
})
