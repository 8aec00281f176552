/**
 * The chain's fast path for its own middleware (`respondThen` in `internal/middleware.ts`): when a
 * middleware of this library calls the `getResponse` the chain gave it, with the request of the
 * running context, the layer below runs under that middleware's one continuation instead of the
 * chain's `runWith` and `guardSettled` around it. Django's `BaseHandler` pins what must not change:
 * each middleware gets the response of the layers below it (`get_response`), a failure below
 * becomes a response at the layer where it happens (`convert_exception_to_response`), so each
 * middleware's `process_response` (session cookie, CSRF cookie, X-Frame-Options, the security
 * headers, APPEND_SLASH's redirect) sees a response, never an exception.
 *
 * Property: for any choice of Django's default middleware (Security, Sessions, Common, Csrf, Auth,
 * Clickjacking, in that order, any of them left out), any view behaviour (a response, one with a
 * charset of its own, the session written, the CSRF token asked for, the user read, an exempt
 * response, a redirect, a 404, a permission failure, a defect, a throw, a failing error view) and
 * any request (GET or POST, with or without the cookies a first request set, a URL without its
 * slash), a site of these middleware answers exactly as the same site whose middleware are given
 * a `getResponse` of their own (a plain function: the general path). Compared: status, headers,
 * body and cookies, with the random parts (session keys, CSRF tokens) replaced by their length.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer, Logger, LogLevel, Option } from "effect"
import {
  Auth,
  Clickjacking,
  Client,
  Common,
  Csrf,
  Errors,
  Handler,
  HttpRequest,
  HttpResponse,
  Middleware,
  Security,
  Sessions,
  Settings,
  Urls,
  type View
} from "../src/index.js"

type Behaviour =
  | "ok"
  | "charset"
  | "session"
  | "token"
  | "user"
  | "exempt"
  | "redirect"
  | "404"
  | "denied"
  | "defect"
  | "throw"
  | "request"

const behaviours: ReadonlyArray<Behaviour> = [
  "ok",
  "charset",
  "session",
  "token",
  "user",
  "exempt",
  "redirect",
  "404",
  "denied",
  "defect",
  "throw",
  "request"
]

const view =
  (behaviour: Behaviour) => (request: HttpRequest.HttpRequest): Effect.Effect<View.Response, unknown, any> => {
    switch (behaviour) {
      case "ok":
        return HttpResponse.make({ content: `ok ${request.method}` })
      case "charset":
        // Settled with DEFAULT_CHARSET (the content's bytes, Content-Type, Content-Length follow it).
        return HttpResponse.make({ content: "ünï €" })
      case "session":
        return Effect.zipRight(Sessions.set("seen", request.path), HttpResponse.make({ content: "written" }))
      case "token":
        return Effect.flatMap(Csrf.getToken, (token) => HttpResponse.make({ content: `token=${token}` }))
      case "user":
        return Effect.flatMap(Auth.user, (user) => HttpResponse.make({ content: `user=${Auth.isAuthenticated(user)}` }))
      case "exempt":
        return Clickjacking.xframeOptionsExempt(() => HttpResponse.make({ content: "exempt" }))(request)
      case "redirect":
        return HttpResponse.redirect("/elsewhere/")
      case "404":
        return Effect.fail(new Errors.Http404({ message: "nothing here" }))
      case "denied":
        return Effect.fail(new Errors.PermissionDenied({ message: "no" }))
      case "defect":
        return Effect.dieMessage("boom")
      case "throw":
        throw new Error("thrown")
      case "request":
        // The current request is the view's argument.
        return Effect.flatMap(
          HttpRequest.current,
          (current) => HttpResponse.make({ content: `same=${current === request}` })
        )
    }
  }

const urls = Urls.make(behaviours.map((b) => Urls.path(`${b}/`, view(b))))

const all = (): ReadonlyArray<Middleware.Middleware<any, any, any>> => [
  Security.middleware,
  Sessions.middleware,
  Common.commonMiddleware(urls),
  Csrf.middleware,
  Auth.middleware,
  Clickjacking.middleware
]

/**
 * The same middleware, each `call` given a `getResponse` of its own and each `processView` a plain
 * function (without what the chain asks in place, `ViewNow`): the general path.
 */
const general = (middleware: Middleware.Middleware<any, any, any>): Middleware.Middleware<any, any, any> =>
  Middleware.fromStack(middleware.stack.map((hooks): Middleware.Hooks => {
    const { call, processView } = hooks
    return {
      ...hooks,
      ...(call === undefined ? {} : {
        call: (request: HttpRequest.HttpRequest, getResponse: Middleware.GetResponse) =>
          call(request, (r) => getResponse(r))
      }),
      ...(processView === undefined ? {} : {
        processView: (request: HttpRequest.HttpRequest, resolved: Middleware.Resolved) => processView(request, resolved)
      })
    }
  }))

/** A 403 view that reads the session (the layer's context), and a 500 view that fails. */
const handler403: Handler.ErrorView<HttpResponse.MakeError, never> = () =>
  Effect.flatMap(
    Effect.serviceOption(Sessions.Session),
    (session) => HttpResponse.make({ content: `403 session=${Option.isSome(session)}`, status: 403 })
  )
const handler500: Handler.ErrorView<Errors.PermissionDenied, never> = () =>
  Effect.fail(new Errors.PermissionDenied({ message: "the 500 view fails" }))

/**
 * A middleware of the user's among the defaults: passes the request on, passes on another request
 * (`withEncoding`: a new value, so the layer below must be given it as the current request), or
 * throws when called (a defect of its layer, Django's `convert_exception_to_response` around it).
 */
type Extra = "none" | "pass" | "other" | "throw"
const extra = (kind: Extra): Middleware.Middleware<any, any, any> | undefined =>
  kind === "none" ? undefined : Middleware.make((request, getResponse) => {
    if (kind === "throw") throw new Error("the middleware throws")
    return getResponse(kind === "other" ? HttpRequest.withEncoding(request, "utf-8") : request)
  })

const siteOf = (chosen: ReadonlyArray<boolean>, fast: boolean, kind: Extra, at: number) => {
  const middleware: Array<Middleware.Middleware<any, any, any>> = all().filter((_, i) => chosen[i]).map((m) =>
    fast ? m : general(m)
  )
  const more = extra(kind)
  if (more !== undefined) middleware.splice(Math.min(at, middleware.length), 0, more)
  return Handler.make({
    middleware: Middleware.compose(...(middleware as [Middleware.Middleware<any, any, any>])),
    urls,
    handler403,
    handler500
  }) as Handler.Handler<any>
}

// The failures are logged as Django logs them; not wanted in the test's output.
const stores = (charset: string) =>
  Layer.mergeAll(
    Logger.minimumLogLevel(LogLevel.None),
    Sessions.layerMemory,
    Auth.layerMemory(),
    Settings.layer({
      SECRET_KEY: "respond-then-key",
      ALLOWED_HOSTS: ["testserver"],
      DEBUG: false,
      DEFAULT_CHARSET: charset
    })
  )

/**
 * The random parts of an answer (session keys, CSRF tokens and cookies) as their length; a
 * cookie's `expires` (the two sites run one after the other on the clock) as a mark.
 */
const normalize = (s: string) =>
  s.replace(/[a-z0-9]{32}|[A-Za-z0-9]{64}/g, (m) => `<${m.length}>`).replace(/expires=[^;]*/g, "expires=<date>")

interface Step {
  readonly behaviour: Behaviour
  readonly method: "GET" | "POST"
  readonly slash: boolean
  readonly withToken: boolean
}

const step: fc.Arbitrary<Step> = fc.record({
  behaviour: fc.constantFrom(...behaviours),
  method: fc.constantFrom("GET" as const, "POST" as const),
  slash: fc.boolean(),
  withToken: fc.boolean()
})

const run = (chosen: ReadonlyArray<boolean>, fast: boolean, steps: ReadonlyArray<Step>, kind: Extra, at: number) =>
  Effect.gen(function*() {
    const client = yield* Client.make(siteOf(chosen, fast, kind, at))
    const answers: Array<unknown> = []
    for (const s of steps) {
      const path = `/${s.behaviour}${s.slash ? "/" : ""}`
      const cookies = yield* client.cookies
      const token = cookies["csrftoken"]
      const response = s.method === "GET"
        ? yield* client.get(path)
        : yield* client.post(path, { form: s.withToken && token !== undefined ? { csrfmiddlewaretoken: token } : {} })
      const headers = Object.entries(response.headers).filter(([k]) => k !== "date").sort()
      answers.push({
        status: response.status,
        headers: normalize(JSON.stringify(headers)),
        body: normalize(response.text),
        cookies: response.setCookies.map(normalize)
      })
    }
    return answers
  })

describe("the chain's fast path for its own middleware (respondThen)", () => {
  it.effect("answers as the general path for any default middleware, view and request (property)", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
          fc.constantFrom<Extra>("none", "pass", "other", "throw"),
          fc.nat({ max: 6 }),
          fc.array(step, { minLength: 1, maxLength: 4 }),
          fc.constantFrom("utf-8", "iso-8859-15", "ascii"),
          async (mask, kind, at, steps, charset) => {
            // AuthenticationMiddleware needs the session (Django's own check, admin.E410).
            const chosen = mask.map((b, i) => b || (i === 1 && mask[4] === true))
            if (!chosen.some((b) => b)) chosen[0] = true
            const both = Effect.all([run(chosen, true, steps, kind, at), run(chosen, false, steps, kind, at)])
            const [fast, slow] = await Effect.runPromise(
              Effect.provide(both, stores(charset)) as Effect.Effect<[Array<unknown>, Array<unknown>], unknown>
            )
            expect(fast).toEqual(slow)
          }
        ),
        { numRuns: 200 }
      )
    ))

  it.effect("every default middleware, pinned answers: the view's request is the current one, failures are pages", () =>
    Effect.gen(function*() {
      const chosen = [true, true, true, true, true, true]
      const get = (behaviour: Behaviour, slash = true) => ({
        behaviour,
        method: "GET" as const,
        slash,
        withToken: false
      })
      const [answers] = yield* Effect.all([
        run(chosen, true, [get("request"), get("404"), get("denied"), get("defect"), get("ok", false)], "none", 0)
      ])
      const [request, notFound, denied, defect, noSlash] = answers as Array<
        { status: number; body: string; headers: string }
      >
      expect([request!.status, request!.body]).toEqual([200, "same=true"])
      expect(request!.headers).toContain(`["x-frame-options","DENY"]`)
      expect(notFound!.status).toBe(404)
      // handler403 ran with the session in its context (the layer where the failure happened).
      expect([denied!.status, denied!.body]).toEqual([403, "403 session=true"])
      // handler500 failed: Django's default 500 page.
      expect(defect!.status).toBe(500)
      expect(noSlash!.status).toBe(301)
      expect(noSlash!.headers).toContain(`["location","/ok/"]`)
    }).pipe(Effect.provide(stores("utf-8"))))
})
