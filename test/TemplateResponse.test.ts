import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Option } from "effect"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { afterAll } from "vitest"
import { HttpResponse, RequestFactory, TemplateResponse, Templates } from "../src/index.js"

// V73, recorded from Django 3.2 by scripts/django/templates.py.
interface V73 {
  readonly isRendered: boolean
  readonly status: number
  readonly contentType: string
  readonly messages: Record<TemplateResponse.ContentOperation, string>
  readonly renderedContent: string
  readonly isRenderedAfterRenderedContent: boolean
  readonly isRenderedAfterRender: boolean
  readonly content: string
  readonly contentAfterSecondRender: string
  readonly log: ReadonlyArray<readonly [string, string]>
  readonly manual: { readonly isRendered: boolean; readonly content: string }
  readonly replaced: {
    readonly status: number
    readonly content: string
    readonly seenByNext: ReadonlyArray<readonly [number, string]>
  }
  readonly options: {
    readonly status: number
    readonly contentType: string
    readonly charset: string
    readonly content: string
  }
}
const v73: V73 = JSON.parse(
  readFileSync(Path.join(import.meta.dirname, "fixtures", "templates.json"), "utf8")
).V73

const dir = mkdtempSync(Path.join(tmpdir(), "edh-template-response-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
mkdirSync(Path.join(dir, "templates"), { recursive: true })
writeFileSync(Path.join(dir, "templates", "hello.html"), "Hello {{ name }}")
writeFileSync(Path.join(dir, "templates", "path.html"), "{{ request.method }} {{ request.path }} {{ name }}")

const TemplatesLive = Templates.layer({ dirs: [Path.join(dir, "templates")] })
const request = RequestFactory.get("/")

const text = (response: HttpResponse.AnyResponse): string =>
  HttpResponse.isHttpResponse(response) ? HttpResponse.text(response) : "<streaming>"

describe("TemplateResponse: Django 3.2's deferred rendering (V73)", () => {
  it.effect("starts unrendered with Django's status and Content-Type; reading content fails with Django's message", () =>
    Effect.gen(function*() {
      const template = yield* Templates.fromString("Hello {{ name }}")
      const r = yield* TemplateResponse.make(request, template, { name: "World" })
      expect(r.isRendered).toBe(v73.isRendered)
      expect(r.response.status).toBe(v73.status)
      expect(HttpResponse.getHeader(r.response, "Content-Type")).toStrictEqual(Option.some(v73.contentType))
      expect(TemplateResponse.content(r)).toStrictEqual(
        Either.left(new TemplateResponse.ContentNotRenderedError({ message: v73.messages.accessed }))
      )
      expect(TemplateResponse.toResponse(r)).toStrictEqual(
        Either.left(new TemplateResponse.ContentNotRenderedError({ message: v73.messages["iterated over"] }))
      )
      for (const op of ["accessed", "iterated over", "pickled"] as const) {
        expect(TemplateResponse.ContentNotRenderedError.of(op).message).toBe(v73.messages[op])
      }
      const error = TemplateResponse.ContentNotRenderedError.of("accessed")
      expect(error.status).toBe(500)
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("renderedContent renders fresh every time and does not render the response", () =>
    Effect.gen(function*() {
      const r = yield* TemplateResponse.make(request, "hello.html", { name: "World" })
      expect(yield* TemplateResponse.renderedContent(r)).toBe(v73.renderedContent)
      expect(r.isRendered).toBe(v73.isRenderedAfterRenderedContent)
      const changed = TemplateResponse.updateContext(r, { name: "again" })
      expect(yield* TemplateResponse.renderedContent(changed)).toBe("Hello again")
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("render: content from the current context, then the callbacks in order, each seeing the content", () =>
    Effect.gen(function*() {
      const log: Array<readonly [string, string]> = []
      const callback = (label: string): TemplateResponse.PostRenderCallback => (response) =>
        Effect.sync(() => {
          log.push([label, text(response)])
        })
      let r: TemplateResponse.SimpleTemplateResponse = yield* TemplateResponse.make(request, "hello.html", {
        name: "World"
      })
      r = yield* TemplateResponse.addPostRenderCallback(r, callback("callback 1"))
      r = yield* TemplateResponse.addPostRenderCallback(r, callback("callback 2"))
      expect(log).toStrictEqual([])
      r = TemplateResponse.setContextData(r, { name: "Django" })
      const out = yield* TemplateResponse.render(r)
      expect(text(out)).toBe(v73.content)
      expect(log).toStrictEqual(v73.log.slice(0, 2))

      // A rendered response (content set) is not rendered again: the context change is ignored,
      // and a callback added to it runs at once.
      const rendered = yield* TemplateResponse.setContent(r, text(out))
      expect(rendered.isRendered).toBe(v73.isRenderedAfterRender)
      const withLate = yield* TemplateResponse.addPostRenderCallback(rendered, callback("late callback"))
      expect(log).toStrictEqual(v73.log)
      const again = yield* TemplateResponse.render(TemplateResponse.updateContext(withLate, { name: "ignored" }))
      expect(text(again)).toBe(v73.contentAfterSecondRender)
      expect(log).toStrictEqual(v73.log)
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("setting content marks it rendered: render returns it without rendering the template", () =>
    Effect.gen(function*() {
      const r = yield* TemplateResponse.makeSimple("hello.html", { name: "x" })
      const manual = yield* TemplateResponse.setContent(r, "manual")
      expect(manual.isRendered).toBe(v73.manual.isRendered)
      expect(TemplateResponse.content(manual).pipe(Either.map((b) => new TextDecoder().decode(b)))).toStrictEqual(
        Either.right(v73.manual.content)
      )
      // Even a template that does not exist is not looked up.
      const missing = yield* TemplateResponse.makeSimple("nope.html")
      const set = yield* TemplateResponse.setContent(missing, "manual")
      expect(text(yield* TemplateResponse.render(set))).toBe("manual")
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("a callback's returned response replaces it, and the next callback sees the replacement", () =>
    Effect.gen(function*() {
      const seen: Array<readonly [number, string]> = []
      const r0 = yield* TemplateResponse.makeSimple("hello.html", { name: "y" })
      const r1 = yield* TemplateResponse.addPostRenderCallback(
        r0,
        () => HttpResponse.make({ content: "replaced", status: 201 })
      )
      const r2 = yield* TemplateResponse.addPostRenderCallback(r1, (response) =>
        Effect.sync(() => {
          seen.push([response.status, text(response)])
        }))
      const final = yield* TemplateResponse.render(r2)
      expect([final.status, text(final), seen]).toStrictEqual([
        v73.replaced.status,
        v73.replaced.content,
        v73.replaced.seenByNext
      ])
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("status, content type and charset given to the constructor are kept", () =>
    Effect.gen(function*() {
      const r = yield* TemplateResponse.makeSimple("hello.html", { name: "z" }, {
        contentType: "text/plain",
        status: 404,
        charset: "latin-1"
      })
      const out = yield* TemplateResponse.render(r)
      expect(out.status).toBe(v73.options.status)
      expect(HttpResponse.getHeader(out, "Content-Type")).toStrictEqual(Option.some(v73.options.contentType))
      expect(out.charset).toBe(v73.options.charset)
      expect(text(out)).toBe(v73.options.content)
    }).pipe(Effect.provide(TemplatesLive)))
})

describe("TemplateResponse: what the handler and hooks need", () => {
  it.effect("TemplateResponse renders with the request's context processors; SimpleTemplateResponse without", () =>
    Effect.gen(function*() {
      const post = RequestFactory.post("/notes/")
      const full = yield* TemplateResponse.make(post, "path.html", { name: "n" })
      expect(text(yield* TemplateResponse.render(full))).toBe("POST /notes/ n")
      const simple = yield* TemplateResponse.makeSimple("path.html", { name: "n" })
      expect(text(yield* TemplateResponse.render(simple))).toBe("  n")
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("isTemplateResponse tells template responses from plain ones (Django's hasattr(response, 'render'))", () =>
    Effect.gen(function*() {
      const r = yield* TemplateResponse.makeSimple("hello.html")
      const plain = yield* HttpResponse.make({ content: "x" })
      expect(TemplateResponse.isTemplateResponse(r)).toBe(true)
      expect(TemplateResponse.isTemplateResponse(plain)).toBe(false)
      expect(TemplateResponse.isTemplateResponse(request)).toBe(false)
      expect(HttpResponse.isAnyResponse(r)).toBe(false)
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("a hook changes the template name before rendering (process_template_response)", () =>
    Effect.gen(function*() {
      const r = yield* TemplateResponse.make(request, "nope.html", { name: "hook" })
      const hooked = TemplateResponse.setTemplateName(r, ["missing.html", "hello.html"])
      expect(text(yield* TemplateResponse.render(hooked))).toBe("Hello hook")
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("headers and cookies set before rendering stay on the rendered response", () =>
    Effect.gen(function*() {
      const r = yield* TemplateResponse.makeSimple("hello.html", { name: "h" })
      const withHeader = yield* TemplateResponse.mapResponse(r, (res) => HttpResponse.setHeader(res, "X-Frame", "DENY"))
      const out = yield* TemplateResponse.render(withHeader)
      expect(HttpResponse.getHeader(out, "X-Frame")).toStrictEqual(Option.some("DENY"))
      expect(text(out)).toBe("Hello h")
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("a template error fails render with the typed error (the handler's process_exception sees it)", () =>
    Effect.gen(function*() {
      const r = yield* TemplateResponse.makeSimple("nope.html")
      const exit = yield* Effect.exit(TemplateResponse.render(r))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error._tag : undefined).toBe(
        "TemplateDoesNotExist"
      )
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("a failing callback fails render with its own typed error", () =>
    Effect.gen(function*() {
      const r = yield* TemplateResponse.makeSimple("hello.html")
      const withFailing = yield* TemplateResponse.addPostRenderCallback(
        r,
        () => Effect.fail("callback failed" as const)
      )
      const exit = yield* Effect.exit(TemplateResponse.render(withFailing))
      expect(exit).toStrictEqual(Exit.fail("callback failed"))
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("Respondable: a plain @effect/platform handler can return it; it is rendered with the engine it was made with", () =>
    Effect.gen(function*() {
      const r = yield* TemplateResponse.make(request, "hello.html", { name: "platform" }).pipe(
        Effect.provide(TemplatesLive)
      )
      // No Templates service from here on: the response carries its engine.
      const server = yield* HttpServerRespondable.toResponse(r)
      const web = HttpServerResponse.toWeb(server)
      expect(web.status).toBe(200)
      expect(web.headers.get("content-type")).toBe("text/html; charset=utf-8")
      expect(yield* Effect.promise(() => web.text())).toBe("Hello platform")
    }))

  it.effect("Respondable: a template error becomes Django's 500 page, not a defect", () =>
    Effect.gen(function*() {
      const r = yield* TemplateResponse.makeSimple("nope.html").pipe(Effect.provide(TemplatesLive))
      const web = HttpServerResponse.toWeb(yield* HttpServerRespondable.toResponse(r))
      expect(web.status).toBe(500)
      expect(yield* Effect.promise(() => web.text())).toContain("Server Error (500)")
    }))

  it.effect("prints what it holds (Inspectable): template, context names, rendered or not, status", () =>
    Effect.gen(function*() {
      const r = yield* TemplateResponse.make(request, ["a.html", "hello.html"], { name: "x", user: "u" }, {
        status: 201
      })
      expect(r.toJSON()).toStrictEqual({
        _id: "effect-django-http/TemplateResponse",
        _tag: "TemplateResponse",
        templateName: ["a.html", "hello.html"],
        contextData: ["name", "user"],
        isRendered: false,
        status: 201,
        postRenderCallbacks: 0
      })
      const rendered = yield* TemplateResponse.setContent(r, "done")
      expect(String(rendered)).toContain("\"isRendered\": true")
    }).pipe(Effect.provide(TemplatesLive)))

  it.effect("constructor errors are HttpResponse's (a bad status is InvalidArgument)", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(TemplateResponse.makeSimple("hello.html", {}, { status: 99 }))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error._tag : undefined).toBe(
        "InvalidArgument"
      )
    }).pipe(Effect.provide(TemplatesLive)))
})
