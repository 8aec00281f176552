/**
 * Middleware with Django's order (docs: "Middleware order and layering"): the first listed sees
 * the request first and the response last; one may answer without calling the view.
 * `MultipleProxyMiddleware` is the example of Django's request/response documentation.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, pipe } from "effect"
import { HttpRequest, HttpResponse, Middleware, RequestFactory, Settings, View } from "../src/index.js"

const tracing = (name: string, trace: Array<string>): Middleware.Middleware =>
  Middleware.make((request, getResponse) =>
    Effect.gen(function*() {
      trace.push(`${name} request`)
      const response = yield* getResponse(request)
      trace.push(`${name} response`)
      return response
    })
  )

const ok: View.View = () => HttpResponse.make({ content: "view" })

describe("Middleware", () => {
  it.effect("compose runs them in Django's MIDDLEWARE order", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      const view = Middleware.compose(tracing("a", trace), tracing("b", trace), tracing("c", trace))((r) => {
        trace.push("view")
        return ok(r)
      })
      yield* View.respond(view, RequestFactory.get("/"))
      expect(trace).toEqual(["a request", "b request", "c request", "view", "c response", "b response", "a response"])
    }))

  it.effect("pipe composes inside out: pipe(view, c, b, a) is compose(a, b, c)(view)", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      const view = pipe(ok, tracing("c", trace), tracing("b", trace), tracing("a", trace))
      yield* View.respond(view, RequestFactory.get("/"))
      expect(trace).toEqual(["a request", "b request", "c request", "c response", "b response", "a response"])
    }))

  it.effect("a middleware may answer without calling the view", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      const gate = Middleware.make<HttpResponse.MakeError>(() => HttpResponse.forbidden({ content: "no" }))
      const view = Middleware.compose(tracing("outer", trace), gate)((r) => {
        trace.push("view")
        return ok(r)
      })
      const response = yield* View.respond(view, RequestFactory.get("/"))
      expect(response.status).toBe(403)
      expect(trace).toEqual(["outer request", "outer response"])
    }))

  it.effect("the request a middleware passes on is the current request below it", () =>
    Effect.gen(function*() {
      const tag = Middleware.mapRequest((r) => HttpRequest.withEncoding(r, "latin-1"))
      const view = tag(() =>
        Effect.flatMap(HttpRequest.HttpRequest, (r) => HttpResponse.make({ content: String(r.encoding) }))
      )
      const response = yield* View.respond(view, RequestFactory.get("/"))
      expect(new TextDecoder().decode((response.body as { body: Uint8Array }).body)).toBe("latin-1")
    }))

  it.effect("provideService puts request-scoped state in the context (sessions, request.user)", () =>
    Effect.gen(function*() {
      class User extends Context.Tag("User")<User, { readonly name: string }>() {}
      const auth = Middleware.provideService(
        User,
        (request) => Effect.succeed({ name: request.COOKIES["user"] ?? "anonymous" })
      )
      const view = auth(() => Effect.flatMap(User, (user) => HttpResponse.make({ content: user.name })))
      const response = yield* View.respond(view, RequestFactory.get("/", { cookies: { user: "ada" } }))
      expect(new TextDecoder().decode((response.body as { body: Uint8Array }).body)).toBe("ada")
    }))
})

describe("Middleware.multipleProxy", () => {
  const seen = (headers: Record<string, string>, settings: Settings.Input = {}) =>
    Effect.gen(function*() {
      let captured: HttpRequest.HttpRequest | undefined
      const view = Middleware.multipleProxy((request) => {
        captured = request
        return HttpResponse.make()
      })
      yield* View.respond(view, RequestFactory.get("/", { headers }))
      const host = yield* Effect.either(HttpRequest.getHost(captured!))
      return { meta: captured!.META, host }
    }).pipe(Effect.provide(Settings.layer(settings)))

  it.effect("keeps the last proxy's value of X-Forwarded-For, -Host and -Server", () =>
    Effect.gen(function*() {
      const { meta } = yield* seen({
        "X-Forwarded-For": "10.0.0.1, 10.0.0.2,  10.0.0.3 ",
        "X-Forwarded-Host": "evil.com, example.com",
        "X-Forwarded-Server": "a,b"
      })
      expect(meta.HTTP_X_FORWARDED_FOR).toBe("10.0.0.3")
      expect(meta.HTTP_X_FORWARDED_HOST).toBe("example.com")
      expect(meta.HTTP_X_FORWARDED_SERVER).toBe("b")
    }))

  it.effect("leaves single values and other headers alone", () =>
    Effect.gen(function*() {
      const { meta } = yield* seen({ "X-Forwarded-For": "10.0.0.1", "Accept": "a, b" })
      expect(meta.HTTP_X_FORWARDED_FOR).toBe("10.0.0.1")
      expect(meta.HTTP_ACCEPT).toBe("a, b")
    }))

  it.effect("placed before getHost, it makes the last proxy's host the one validated", () =>
    Effect.gen(function*() {
      const { host } = yield* seen({ "X-Forwarded-Host": "evil.com, example.com" }, {
        USE_X_FORWARDED_HOST: true,
        ALLOWED_HOSTS: ["example.com"]
      })
      expect(host._tag === "Right" && host.right).toBe("example.com")
    }))
})

describe("Middleware.validateHost (CommonMiddleware's get_host() call)", () => {
  const answer = (headers: Record<string, string>, settings: Settings.Input) =>
    Effect.gen(function*() {
      let ran = false
      const view = Middleware.compose(Middleware.multipleProxy, Middleware.validateHost)(() => {
        ran = true
        return HttpResponse.make({ content: "page" })
      })
      const response = yield* View.respond(view, RequestFactory.get("/", { headers }))
      return { status: response.status, ran }
    }).pipe(Effect.provide(Settings.layer(settings)))

  it.effect("an allowed host reaches the view", () =>
    Effect.gen(function*() {
      expect(yield* answer({ Host: "example.com" }, { ALLOWED_HOSTS: [".example.com"] })).toEqual({
        status: 200,
        ran: true
      })
      expect(yield* answer({ Host: "www.example.com:8000" }, { ALLOWED_HOSTS: [".example.com"] })).toEqual({
        status: 200,
        ran: true
      })
    }))

  it.effect("a host outside ALLOWED_HOSTS gets 400 (DisallowedHost) and the view never runs", () =>
    Effect.gen(function*() {
      expect(yield* answer({ Host: "evil.com" }, { ALLOWED_HOSTS: ["example.com"] })).toEqual({
        status: 400,
        ran: false
      })
      // Not a valid host at all.
      expect(yield* answer({ Host: "exa mple.com" }, { ALLOWED_HOSTS: ["*"] })).toEqual({ status: 400, ran: false })
    }))

  it.effect("with DEBUG and empty ALLOWED_HOSTS only localhost passes, as in Django", () =>
    Effect.gen(function*() {
      expect((yield* answer({ Host: "localhost:8000" }, { DEBUG: true, ALLOWED_HOSTS: [] })).status).toBe(200)
      expect((yield* answer({ Host: "[::1]" }, { DEBUG: true, ALLOWED_HOSTS: [] })).status).toBe(200)
      expect((yield* answer({ Host: "example.com" }, { DEBUG: true, ALLOWED_HOSTS: [] })).status).toBe(400)
    }))

  it.effect("after multipleProxy, the last proxy's X-Forwarded-Host is the one checked", () =>
    Effect.gen(function*() {
      const settings = { USE_X_FORWARDED_HOST: true, ALLOWED_HOSTS: ["example.com"] }
      expect((yield* answer({ "X-Forwarded-Host": "evil.com, example.com" }, settings)).status).toBe(200)
      expect((yield* answer({ "X-Forwarded-Host": "example.com, evil.com" }, settings)).status).toBe(400)
    }))
})
