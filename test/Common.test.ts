import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Exit } from "effect"
import { Common, HttpRequest, HttpResponse, Resolver, Settings, Urls, View } from "../src/index.js"
import { fixtures, urlconfs } from "./utils/urlSpecs.js"

// CommonMiddleware cases answered by Django 3.2 (scripts/django/urls.py, V56) on the "vec" URLconf.
interface CommonCase {
  readonly method: string
  readonly path: string
  readonly settings: Record<string, unknown>
  readonly host?: string
  readonly agent?: string
  readonly status?: number
  readonly status_out?: number
  readonly location?: string
  readonly content_length?: string | null
  readonly error?: string
  readonly message?: string
}
const cases = (fixtures as unknown as { readonly common: ReadonlyArray<CommonCase> }).common

const run = (
  urls: Urls.AnyURLconf,
  request: HttpRequest.HttpRequest,
  settings: Settings.Settings,
  view: View.View
) =>
  Common.commonMiddleware(urls)(view)(request).pipe(
    Effect.provideService(Settings.Settings, settings),
    Effect.provideService(HttpRequest.HttpRequest, request)
  )

const requestOf = (c: Pick<CommonCase, "method" | "path" | "host" | "agent">, settings: Settings.Settings) => {
  const [path, query] = c.path.split("?")
  const headers: Record<string, string> = {}
  if (c.host !== undefined) headers.Host = c.host
  if (c.agent !== undefined) headers["User-Agent"] = c.agent
  return HttpRequest.make({
    method: c.method,
    path: path!,
    queryString: query ?? "",
    headers,
    serverName: "testserver",
    settings
  })
}

describe("CommonMiddleware against Django 3.2 (V56)", () => {
  for (const c of cases) {
    it.effect(`${c.method} ${c.path} ${JSON.stringify(c.settings)} ${c.host ?? ""} ${c.agent ?? ""}`, () =>
      Effect.gen(function*() {
        const settings = Settings.make({
          ALLOWED_HOSTS: ["testserver", "example.com", ".example.com"],
          ...(c.settings as Settings.Input)
        })
        const view: View.View = () => HttpResponse.make({ content: "hello", status: c.status ?? 200 })
        const exit = yield* Effect.exit(run(urlconfs.vec!, requestOf(c, settings), settings, view))
        if (c.error !== undefined) {
          expect(Exit.isFailure(exit)).toBe(true)
          if (Exit.isFailure(exit)) {
            const e = exit.cause._tag === "Fail" ? exit.cause.error : undefined
            expect(e).toMatchObject({ _tag: c.error, message: c.message })
          }
          return
        }
        const response = Exit.getOrElse(exit, () => {
          throw new Error("failed")
        })
        if (!HttpResponse.isHttpResponse(response)) throw new Error("expected an HttpResponse")
        expect(response.status).toBe(c.status_out)
        if (c.location !== undefined) {
          expect(HttpResponse.getHeader(response, "Location")).toEqual(expect.objectContaining({ value: c.location }))
        } else {
          expect(HttpResponse.getHeader(response, "Content-Length")).toEqual(
            expect.objectContaining({ value: c.content_length })
          )
        }
      }))
  }

  it.effect("Django 3.2: @no_append_slash views are not redirected to", () =>
    Effect.gen(function*() {
      const plain: View.View = () => HttpResponse.make({ content: "x" })
      const urls = Urls.make([
        Urls.path("a/", plain, { name: "a" }),
        Urls.path("b/", Common.noAppendSlash(plain), { name: "b" })
      ])
      const settings = Settings.make({ ALLOWED_HOSTS: ["testserver"] })
      const get = (path: string) =>
        run(urls, requestOf({ method: "GET", path }, settings), settings, () => HttpResponse.notFound())
      const a = yield* get("/a")
      const b = yield* get("/b")
      expect(HttpResponse.isHttpResponse(a) && a.status).toBe(301)
      expect(HttpResponse.isHttpResponse(b) && b.status).toBe(404)
    }))

  it.effect("a request URLconf (Resolver.Urlconf) is what APPEND_SLASH resolves with", () =>
    Effect.gen(function*() {
      const plain: View.View = () => HttpResponse.make({ content: "x" })
      const alt = Urls.make([Urls.path("only-here/", plain)])
      const settings = Settings.make({ ALLOWED_HOSTS: ["testserver"] })
      const request = requestOf({ method: "GET", path: "/only-here" }, settings)
      const r = yield* run(urlconfs.vec!, request, settings, plain).pipe(Effect.provideService(Resolver.Urlconf, alt))
      expect(HttpResponse.isHttpResponse(r) && r.status).toBe(301)
      const plainR = yield* run(urlconfs.vec!, request, settings, plain)
      expect(HttpResponse.isHttpResponse(plainR) && plainR.status).toBe(200)
    }))

  it("the settings default to Django's and read from the environment", () => {
    expect([Settings.defaults.APPEND_SLASH, Settings.defaults.PREPEND_WWW, Settings.defaults.DISALLOWED_USER_AGENTS])
      .toEqual([true, false, []])
    expect(Either.isRight(Common.checkUserAgent(HttpRequest.make({ method: "GET", path: "/" }), Settings.defaults)))
      .toBe(true)
    const fromEnv = Effect.runSync(
      Settings.fromEnv().pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromMap(
            new Map([["APPEND_SLASH", "0"], ["PREPEND_WWW", "1"], ["DISALLOWED_USER_AGENTS", "^Bad, bot\\d"]])
          )
        )
      )
    )
    expect([fromEnv.APPEND_SLASH, fromEnv.PREPEND_WWW, fromEnv.DISALLOWED_USER_AGENTS]).toEqual([
      false,
      true,
      ["^Bad", "bot\\d"]
    ])
  })
})
