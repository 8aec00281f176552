/**
 * Django's default MIDDLEWARE list end to end (Django 3.2, V72): a GET that writes the session
 * and asks for a CSRF token gets both cookies and the security headers; a POST with the token
 * passes, one without it gets 403 with Django's reason; a URL without its slash gets 301; an
 * unknown URL gets Django's 404 page. The same through this library's test client.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import {
  Auth,
  Client,
  Csrf,
  Defaults,
  Handler,
  HttpRequest,
  HttpResponse,
  Sessions,
  Settings,
  TemplateResponse,
  Templates,
  Urls
} from "../src/index.js"

const form = () =>
  Effect.gen(function*() {
    const visits = yield* Sessions.get("visits")
    yield* Sessions.set("visits", Option.match(visits, { onNone: () => 1, onSome: (v) => Number(v) + 1 }))
    return yield* HttpResponse.make({ content: `token=${yield* Csrf.getToken}` })
  })

const submit = () => HttpResponse.make({ content: "posted" })
const exempt = Csrf.csrfExempt(() => HttpResponse.make({ content: "exempt" }))

const urls = Urls.make([
  Urls.path("form/", form),
  Urls.path("submit/", submit),
  Urls.path("exempt/", exempt)
])

const site = Handler.make({ middleware: Defaults.middleware(urls), urls })

const stores = Layer.mergeAll(
  Sessions.layerMemory,
  Auth.layerMemory(),
  Settings.layer({ SECRET_KEY: "defaults-test-key" })
)

describe("Defaults.middleware (Django's default MIDDLEWARE, V72)", () => {
  it.effect("GET: session and CSRF cookies, the security headers", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(site)
      const response = yield* client.get("/form/")
      expect(response.status).toBe(200)
      expect(response.text).toMatch(/^token=[A-Za-z0-9]{64}$/)
      expect(response.headers["x-frame-options"]).toBe("DENY")
      expect(response.headers["x-content-type-options"]).toBe("nosniff")
      expect(response.headers["referrer-policy"]).toBe("same-origin")
      expect(response.headers["vary"]).toBe("Cookie")
      expect(response.headers["content-length"]).toBe("70")
      const cookies = response.setCookies.map((c) => c.split("=")[0]).sort()
      expect(cookies).toEqual(["csrftoken", "sessionid"])
      expect(response.setCookies.find((c) => c.startsWith("csrftoken="))).toMatch(
        /^csrftoken=[A-Za-z0-9]{64}; expires=[^;]+; Max-Age=31449600; Path=\/; SameSite=Lax$/
      )
      expect(response.setCookies.find((c) => c.startsWith("sessionid="))).toMatch(
        /^sessionid=[a-z0-9]{32}; expires=[^;]+; HttpOnly; Max-Age=1209600; Path=\/; SameSite=Lax$/
      )
    }).pipe(Effect.provide(stores)))

  it.effect("POST with the token passes; without it, 403 with Django's reason; an exempt view is not checked", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(site)
      const token = (yield* client.get("/form/")).text.split("=")[1]!
      const ok = yield* client.post("/submit/", { form: { csrfmiddlewaretoken: token } })
      expect([ok.status, ok.text]).toEqual([200, "posted"])
      const refused = yield* client.post("/submit/", { form: {} })
      expect(refused.status).toBe(403)
      // Django's default failure view: the reason is shown only with DEBUG.
      expect(refused.text).toContain("CSRF verification failed. Request aborted.")
      const exempted = yield* client.post("/exempt/", { form: {} })
      expect([exempted.status, exempted.text]).toEqual([200, "exempt"])
    }).pipe(Effect.provide(stores)))

  it.effect("the session lives across requests", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(site)
      yield* client.get("/form/")
      yield* client.get("/form/")
      const third = yield* client.get("/form/")
      expect(third.setCookies.some((c) => c.startsWith("sessionid="))).toBe(true)
      expect(Object.keys(yield* client.cookies).sort()).toEqual(["csrftoken", "sessionid"])
    }).pipe(Effect.provide(stores)))

  it.effect("GET /form answers 301 to /form/; an unknown URL gets Django's 404 page", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(site)
      const redirect = yield* client.get("/form")
      expect([redirect.status, redirect.headers["location"]]).toEqual([301, "/form/"])
      const missing = yield* client.get("/missing/")
      expect([missing.status, missing.headers["content-type"]]).toEqual([404, "text/html"])
      expect(missing.text).toContain("The requested resource was not found on this server.")
    }).pipe(Effect.provide(stores)))
})

describe("templates under Django's default middleware (the csrf and auth context processors)", () => {
  const formTemplate = "<form method=\"post\">{{ csrf_input() }}<button>go</button></form>"
  const plainTemplate = "<p>hello {{ user.username if user.is_authenticated else 'stranger' }}</p>"
  const templated = Urls.make([
    Urls.path(
      "form/",
      (request: HttpRequest.HttpRequest) =>
        Effect.flatMap(Templates.fromString(formTemplate), (t) => TemplateResponse.make(request, t))
    ),
    Urls.path(
      "plain/",
      (request: HttpRequest.HttpRequest) =>
        Effect.flatMap(Templates.fromString(plainTemplate), (t) => TemplateResponse.make(request, t))
    ),
    Urls.path("submit/", submit)
  ])
  const templatedSite = Handler.make({ middleware: Defaults.middleware(templated), urls: templated })
  const layer = Layer.merge(stores, Templates.layer({ contextProcessors: [Templates.userProcessor] }))

  it.effect("{{ csrf_input() }} renders the hidden field whose token the POST check accepts", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(templatedSite)
      const page = yield* client.get("/form/")
      const token = /name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"/.exec(page.text)?.[1]
      expect(token).toBeDefined()
      expect(page.setCookies.some((c) => c.startsWith("csrftoken="))).toBe(true)
      const posted = yield* client.post("/submit/", { form: { csrfmiddlewaretoken: token! } })
      expect([posted.status, posted.text]).toEqual([200, "posted"])
    }).pipe(Effect.provide(layer)))

  it.effect("a template that never uses the token sets no CSRF cookie (the processor is lazy, as Django's)", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(templatedSite)
      const page = yield* client.get("/plain/")
      expect(page.text).toBe("<p>hello stranger</p>")
      expect(page.setCookies.some((c) => c.startsWith("csrftoken="))).toBe(false)
    }).pipe(Effect.provide(layer)))
})
