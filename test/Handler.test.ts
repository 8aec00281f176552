/**
 * Django's request handler (django/core/handlers/base.py and exception.py, Django 3.2):
 * - every middleware layer is wrapped in `convert_exception_to_response`, so a middleware sees
 *   the error response of the layers inside it, never the exception;
 * - `process_view` runs top-down after resolution and may answer instead of the view;
 * - `process_exception` runs bottom-up on a view's exception and may answer instead;
 * - `process_template_response` runs bottom-up on a response with `render`, before any
 *   middleware sees the response on its way out;
 * - `handler400/403/404/500` replace the error pages, except where DEBUG shows the technical page
 *   (404, the 400s of SuspiciousOperation and BadRequest, 500).
 */
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Option, Schema } from "effect"
import {
  Client,
  Errors,
  Handler,
  HttpRequest,
  HttpResponse,
  Middleware,
  Settings,
  TemplateResponse,
  Templates,
  View
} from "../src/index.js"
import { DeferredTypeId } from "../src/internal/middleware.js"

/** A middleware that records what it sees at each hook, and stamps its name on the response. */
const recorder = (name: string, trace: Array<string>) =>
  Middleware.make({
    call: (request, getResponse) =>
      Effect.gen(function*() {
        trace.push(`${name} call ${request.path}`)
        const response = yield* getResponse(request)
        trace.push(`${name} response ${yield* View.status(response)}`)
        return yield* View.setHeader(response, `X-Seen-${name}`, "1")
      }),
    processView: () => Effect.sync(() => (trace.push(`${name} view`), Option.none())),
    processException: (_request, cause) =>
      Effect.sync(() => {
        trace.push(`${name} exception ${Option.getOrUndefined(Option.map(Cause_failureTag(cause), (t) => t))}`)
        return Option.none()
      })
  })

const Cause_failureTag = (cause: import("effect/Cause").Cause<unknown>): Option.Option<string> =>
  Option.map(
    Option.orElse(
      (cause._tag === "Fail" ? Option.some(cause.error) : Option.none()) as Option.Option<unknown>,
      () => Option.none()
    ),
    (e) => (typeof e === "object" && e !== null && "_tag" in e ? String(e._tag) : "?")
  )

const ok: View.View = () => HttpResponse.make({ content: "ok" })
const missing: View.View<Errors.Http404> = () => Effect.fail(new Errors.Http404({ message: "no such page" }))
const broken: View.View = () => Effect.die(new Error("boom"))

const settings = (input: Settings.Input = {}) => Effect.provide(Settings.layer(input))

describe("Handler: failures become responses at every layer", () => {
  it.effect("a middleware sees a view's 404 as a response, and its header reaches the client", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      const site = Handler.make({ middleware: recorder("a", trace), urls: missing })
      const client = yield* Client.make(site)
      const response = yield* client.get("/page/")
      expect(response.status).toBe(404)
      expect(response.headers["x-seen-a"]).toBe("1")
      expect(response.text).toContain("The requested resource was not found on this server.")
      expect(trace).toEqual(["a call /page/", "a view", "a exception Http404", "a response 404"])
    }))

  it.effect("an outer middleware sees the 400 of an inner middleware's failure (DisallowedHost)", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      let ran = false
      const site = Handler.make({
        middleware: Middleware.compose(recorder("outer", trace), Middleware.validateHost, recorder("inner", trace)),
        urls: () => (ran = true, HttpResponse.make())
      })
      const client = yield* Client.make(site, { host: "evil.com" })
      const response = yield* client.get("/")
      expect(response.status).toBe(400)
      expect(response.headers["x-seen-outer"]).toBe("1")
      expect(response.headers["x-seen-inner"]).toBeUndefined()
      expect(ran).toBe(false)
      expect(trace).toEqual(["outer call /", "outer response 400"])
    }).pipe(settings({ ALLOWED_HOSTS: ["example.com"] })))

  it.effect("a URL no route of a platform router matches is a 404 through every middleware", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      const router = HttpRouter.empty.pipe(HttpRouter.get("/a/", View.toHttpApp(ok)))
      const site = Handler.make({ middleware: recorder("m", trace), urls: router })
      const client = yield* Client.make(site)
      expect((yield* client.get("/a/")).text).toBe("ok")
      const response = yield* client.get("/nowhere/")
      expect(response.status).toBe(404)
      expect(response.headers["x-seen-m"]).toBe("1")
      expect(trace.at(-1)).toBe("m response 404")
    }))

  it.effect("a defect in a middleware is a 500 that the middleware outside it sees", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      const crashing = Middleware.make(() => Effect.die(new Error("middleware bug")))
      const site = Handler.make({ middleware: Middleware.compose(recorder("outer", trace), crashing), urls: ok })
      const response = yield* (yield* Client.make(site)).get("/")
      expect(response.status).toBe(500)
      expect(response.text).toContain("Server Error (500)")
      expect(response.headers["x-seen-outer"]).toBe("1")
    }))

  it.effect("a middleware that throws instead of returning an Effect is a 500, not a crash", () =>
    Effect.gen(function*() {
      const throwing = Middleware.make((): Effect.Effect<View.Response> => {
        throw new Error("thrown")
      })
      const response = yield* (yield* Client.make(Handler.make({ middleware: throwing, urls: ok }))).get("/")
      expect(response.status).toBe(500)
    }))

  it.effect("a middleware may answer without calling the view; the middleware outside it sees that", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      let ran = false
      const gate = Middleware.make(() => HttpResponse.forbidden({ content: "no" }))
      const site = Handler.make({
        middleware: Middleware.compose(recorder("outer", trace), gate, recorder("inner", trace)),
        urls: () => (ran = true, HttpResponse.make())
      })
      const response = yield* (yield* Client.make(site)).get("/")
      expect(response.status).toBe(403)
      expect(response.text).toBe("no")
      expect(ran).toBe(false)
      expect(trace).toEqual(["outer call /", "outer response 403"])
    }))
})

describe("Handler: Django's hook order", () => {
  it.effect("call top-down, process_view top-down, process_exception bottom-up, responses bottom-up", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      const site = Handler.make({
        middleware: Middleware.compose(recorder("a", trace), recorder("b", trace), recorder("c", trace)),
        urls: broken
      })
      const response = yield* (yield* Client.make(site)).get("/x")
      expect(response.status).toBe(500)
      expect(trace).toEqual([
        "a call /x",
        "b call /x",
        "c call /x",
        "a view",
        "b view",
        "c view",
        "c exception undefined",
        "b exception undefined",
        "a exception undefined",
        "c response 500",
        "b response 500",
        "a response 500"
      ])
    }))

  it.effect("process_view sees the resolved view and may answer instead; later process_view hooks do not run", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      let seen: unknown
      const answering = Middleware.make({
        processView: (_request, resolved) =>
          Effect.map(HttpResponse.make({ content: "from process_view" }), (r) => {
            seen = resolved.view
            return Option.some(r)
          })
      })
      const site = Handler.make({
        middleware: Middleware.compose(recorder("a", trace), answering, recorder("c", trace)),
        urls: broken
      })
      const response = yield* (yield* Client.make(site)).get("/")
      expect(response.text).toBe("from process_view")
      expect(seen).toBe(broken)
      expect(trace).toEqual(["a call /", "c call /", "a view", "c response 200", "a response 200"])
    }))

  it.effect("process_exception may answer instead of the 500; the hooks above it do not run", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      const rescue = Middleware.make({
        processException: () => Effect.map(HttpResponse.make({ content: "rescued", status: 503 }), Option.some)
      })
      const site = Handler.make({
        middleware: Middleware.compose(recorder("a", trace), rescue, recorder("c", trace)),
        urls: broken
      })
      const response = yield* (yield* Client.make(site)).get("/")
      expect(response.status).toBe(503)
      expect(response.text).toBe("rescued")
      expect(trace).toEqual([
        "a call /",
        "c call /",
        "a view",
        "c view",
        "c exception undefined",
        "c response 503",
        "a response 503"
      ])
    }))

  it.effect("process_template_response runs bottom-up before the render and before any response hook", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      const deferred = (content: string): View.Response & { readonly content: string } => {
        const self = {
          content,
          [DeferredTypeId]: {
            render: Effect.sync(() => trace.push(`render ${content}`)).pipe(
              Effect.zipRight(HttpResponse.make({ content }))
            )
          }
        }
        return self as unknown as View.Response & { readonly content: string }
      }
      const editing = (name: string) =>
        Middleware.make({
          call: (request, getResponse) =>
            Effect.tap(getResponse(request), () => Effect.sync(() => trace.push(`${name} response`))),
          processTemplateResponse: (_request, response) =>
            Effect.sync(() => {
              trace.push(`${name} template`)
              return deferred(`${(response as unknown as { content: string }).content}+${name}`)
            })
        })
      const site = Handler.make({
        middleware: Middleware.compose(editing("a"), editing("b")),
        urls: () => Effect.succeed(deferred("view"))
      })
      const response = yield* (yield* Client.make(site)).get("/")
      expect(response.text).toBe("view+b+a")
      expect(trace).toEqual(["b template", "a template", "render view+b+a", "b response", "a response"])
    }))

  it.effect("a middleware's provided service reaches the views below it", () =>
    Effect.gen(function*() {
      class User extends Context.Tag("User")<User, { readonly name: string }>() {}
      const auth = Middleware.provideService(User, (r) => Effect.succeed({ name: r.COOKIES["user"] ?? "anonymous" }))
      const site = Handler.make({
        middleware: auth,
        urls: () => Effect.flatMap(User, (u) => HttpResponse.make({ content: u.name }))
      })
      const client = yield* Client.make(site)
      expect((yield* client.get("/")).text).toBe("anonymous")
      yield* client.setCookie("user", "ada")
      expect((yield* client.get("/")).text).toBe("ada")
    }))

  it.effect("the request a middleware passes on is the current request of the layers below", () =>
    Effect.gen(function*() {
      const site = Handler.make({
        middleware: Middleware.mapRequest((r) => HttpRequest.withEncoding(r, "latin-1")),
        urls: () => Effect.flatMap(HttpRequest.HttpRequest, (r) => HttpResponse.make({ content: String(r.encoding) }))
      })
      expect((yield* (yield* Client.make(site)).get("/")).text).toBe("latin-1")
    }))
})

describe("Handler: error views", () => {
  const notFound: Handler.ErrorView<never> = (request, failure) =>
    Effect.orDie(HttpResponse.notFound({ content: `custom 404 for ${request.path}: ${failure.message}` }))

  it.effect("handler404 replaces the 404 page, with the request and the failure", () =>
    Effect.gen(function*() {
      const site = Handler.make({ urls: missing, handler404: notFound })
      const response = yield* (yield* Client.make(site)).get("/gone/")
      expect(response.status).toBe(404)
      expect(response.text).toBe("custom 404 for /gone/: no such page")
    }))

  it.effect("with DEBUG, a 404 shows the technical page instead of handler404, as in Django", () =>
    Effect.gen(function*() {
      const site = Handler.make({ urls: missing, handler404: notFound })
      const response = yield* (yield* Client.make(site)).get("/gone/")
      expect(response.status).toBe(404)
      expect(response.text).toContain("Http404 at /gone/")
    }).pipe(settings({ DEBUG: true })))

  it.effect("handler403 is used even with DEBUG (Django has no technical 403 page)", () =>
    Effect.gen(function*() {
      const site = Handler.make({
        urls: () => Effect.fail(new Errors.PermissionDenied({ message: "staff only" })),
        handler403: (_r, failure) => Effect.orDie(HttpResponse.forbidden({ content: `denied: ${failure.message}` }))
      })
      expect((yield* (yield* Client.make(site)).get("/")).text).toBe("denied: staff only")
    }).pipe(settings({ DEBUG: true })))

  it.effect("handler500 gets defects; a failing handler500 falls back to Django's 500 page", () =>
    Effect.gen(function*() {
      const good = Handler.make({
        urls: broken,
        handler500: (_r, failure) =>
          Effect.orDie(HttpResponse.serverError({ content: `sorry (${failure.name}: ${failure.message})` }))
      })
      expect((yield* (yield* Client.make(good)).get("/")).text).toBe("sorry (Error: boom)")
      const bad = Handler.make({ urls: broken, handler500: () => Effect.die("handler bug") })
      const response = yield* (yield* Client.make(bad)).get("/")
      expect(response.status).toBe(500)
      expect(response.text).toContain("Server Error (500)")
    }))

  it.effect("handler400 gets the SuspiciousOperation family and BadRequest", () =>
    Effect.gen(function*() {
      const site = Handler.make({
        urls: () => Effect.fail(new Errors.SuspiciousFileOperation({ message: "outside root" })),
        handler400: (_r, failure) =>
          Effect.orDie(HttpResponse.badRequest({ content: `${failure.status} ${failure.name}` }))
      })
      expect((yield* (yield* Client.make(site)).get("/")).text).toBe("400 SuspiciousFileOperation")
    }))

  it.effect("a client that prefers JSON gets a JSON error body; a browser gets Django's page", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(Handler.make({ urls: missing }))
      const json = yield* client.get("/", { headers: { Accept: "application/json" } })
      expect(json.status).toBe(404)
      expect(json.headers["content-type"]).toBe("application/json")
      expect(yield* json.json()).toEqual({ status: 404, error: "Not Found" })
      const axios = yield* client.get("/", { headers: { Accept: "application/json, text/plain, */*" } })
      expect(axios.headers["content-type"]).toBe("application/json")
      const browser = yield* client.get("/", {
        headers: { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" }
      })
      expect(browser.headers["content-type"]).toBe("text/html")
      const curl = yield* client.get("/", { headers: { Accept: "*/*" } })
      expect(curl.headers["content-type"]).toBe("text/html")
    }))

  it.effect("a Schema failure from a request decoder is a 400 listing each field's problem", () =>
    Effect.gen(function*() {
      const Search = Schema.Struct({ q: Schema.String, page: Schema.NumberFromString })
      const site = Handler.make({
        urls: (request) =>
          Effect.gen(function*() {
            const query = yield* HttpRequest.schemaQuery(Search)(request)
            return yield* HttpResponse.make({ content: `${query.q} ${query.page}` })
          })
      })
      const client = yield* Client.make(site)
      expect((yield* client.get("/?q=a&page=2")).text).toBe("a 2")
      const html = yield* client.get("/?page=two")
      expect(html.status).toBe(400)
      expect(html.text).toContain("Bad Request (400)")
      expect(html.text).toContain("<code>q</code>: is missing")
      expect(html.text).toContain("<code>page</code>")
      const json = yield* client.get("/?page=two", { headers: { Accept: "application/json" } })
      const body = yield* json.json(Schema.Struct({
        status: Schema.Number,
        issues: Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String }))
      }))
      expect(body.status).toBe(400)
      expect(body.issues.map((i) => i.path).sort()).toEqual(["page", "q"])
    }))
})

describe("View decorators (django.views.decorators.http)", () => {
  it.effect("requireHttpMethods answers 405 with Allow and does not run the view", () =>
    Effect.gen(function*() {
      let runs = 0
      const site = Handler.make({
        urls: View.requireHttpMethods(["get", "post"])(() => (runs++, HttpResponse.make({ content: "ran" })))
      })
      const client = yield* Client.make(site)
      expect((yield* client.post("/")).text).toBe("ran")
      const put = yield* client.put("/")
      expect(put.status).toBe(405)
      expect(put.headers["allow"]).toBe("GET, POST")
      expect(runs).toBe(1)
    }))

  it.effect("requireSafe allows GET and HEAD; requirePOST and requireGET one method each", () =>
    Effect.gen(function*() {
      const run = (decorate: (v: View.View) => View.View<unknown>, method: string) =>
        Effect.flatMap(Client.make(Handler.make({ urls: decorate(ok) })), (c) => c.generic(method, "/"))
      expect((yield* run(View.requireSafe, "HEAD")).status).toBe(200)
      expect((yield* run(View.requireSafe, "POST")).headers["allow"]).toBe("GET, HEAD")
      expect((yield* run(View.requirePOST, "GET")).status).toBe(405)
      expect((yield* run(View.requireGET, "GET")).status).toBe(200)
    }))
})

describe("Handler: serving a platform response and Respondables", () => {
  it.effect("a view may answer with a platform response; middleware can still set headers on it", () =>
    Effect.gen(function*() {
      const stamp = Middleware.make((request, getResponse) =>
        Effect.flatMap(getResponse(request), (r) => View.setHeader(r, "X-Stamp", "1"))
      )
      const site = Handler.make({
        middleware: stamp,
        urls: () => Effect.succeed(HttpServerResponse.text("platform", { status: 201 }))
      })
      const response = yield* (yield* Client.make(site)).get("/")
      expect([response.status, response.text, response.headers["x-stamp"]]).toEqual([201, "platform", "1"])
    }))

  it.effect("View.setHeader refuses CR/LF with BadHeaderError on every kind of response", () =>
    Effect.gen(function*() {
      const platform = yield* Effect.flip(View.setHeader(HttpServerResponse.empty(), "X-A", "a\r\nb"))
      expect(platform._tag).toBe("BadHeaderError")
      const ours = yield* Effect.flip(View.setHeader(yield* HttpResponse.make(), "X-A", "a\nb"))
      expect(ours._tag).toBe("BadHeaderError")
    }))
})

describe("Handler: TemplateResponse (Django's deferred rendering)", () => {
  it.effect("process_template_response hooks change the context bottom-up, then the handler renders", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      const template = yield* Templates.fromString("<h1>{{ title }}</h1>{% for t in tags %}[{{ t }}]{% endfor %}")
      const tagging = (name: string) =>
        Middleware.make({
          call: (request, getResponse) =>
            Effect.tap(getResponse(request), () => Effect.sync(() => trace.push(`${name} response`))),
          processTemplateResponse: (_request, response) =>
            Effect.sync(() => {
              trace.push(`${name} template`)
              if (!TemplateResponse.isTemplateResponse(response)) return response
              const tags = (response.contextData["tags"] as ReadonlyArray<string> | undefined) ?? []
              return TemplateResponse.updateContext(response, { tags: [...tags, name] })
            })
        })
      const site = Handler.make({
        middleware: Middleware.compose(tagging("a"), tagging("b")),
        urls: (request) => TemplateResponse.make(request, template, { title: "<Notes>" })
      })
      const response = yield* (yield* Client.make(site)).get("/")
      expect(response.status).toBe(200)
      expect(response.text).toBe("<h1>&lt;Notes&gt;</h1>[b][a]")
      expect(trace).toEqual(["b template", "a template", "b response", "a response"])
    }).pipe(Effect.provide(Templates.layer())))

  it.effect("a template that fails to render reaches process_exception, then the 500 page", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const watcher = Middleware.make({
        processException: (_request, cause) =>
          Effect.sync(() => {
            seen.push(
              String(Option.getOrUndefined(Option.map(Cause.failureOption(cause), (e) => (e as { _tag: string })._tag)))
            )
            return Option.none()
          })
      })
      const site = Handler.make({
        middleware: watcher,
        urls: (request) => TemplateResponse.make(request, "missing.html")
      })
      const response = yield* (yield* Client.make(site)).get("/")
      expect(response.status).toBe(500)
      expect(seen).toEqual(["TemplateDoesNotExist"])
    }).pipe(Effect.provide(Templates.layer())))
})

describe("Handler: the DEBUG page of a template error", () => {
  it.effect("shows the template, the line and the source around it", () =>
    Effect.gen(function*() {
      const site = Handler.make({
        urls: (request) =>
          Effect.flatMap(
            Templates.fromString("line one\nline two {{ x | nosuchfilter }}\nline three"),
            (template) => TemplateResponse.make(request, template)
          )
      })
      const response = yield* (yield* Client.make(site)).get("/")
      expect(response.status).toBe(500)
      expect(response.text).toContain("Error during template rendering")
      expect(response.text).toMatch(/error at line 2/)
      expect(response.text).toContain("<tr class=\"error\"><th>2</th>")
    }).pipe(Effect.provide(Templates.layer({ debug: true })), Effect.provide(Settings.layer({ DEBUG: true }))))
})
