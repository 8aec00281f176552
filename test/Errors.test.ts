import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Auth, Common, Csrf, Errors, Resolver, Sessions, TemplateResponse, Templates } from "../src/index.js"
import { SuspiciousSession } from "../src/internal/sessionErrors.js"

describe("Errors", () => {
  it("carry Django's handler status (core/handlers/exception.py)", () => {
    expect(new Errors.DisallowedHost({ message: "x" }).status).toBe(400)
    expect(new Errors.TooManyFieldsSent({ message: "x" }).status).toBe(400)
    expect(new Errors.MultiPartParserError({ message: "x" }).status).toBe(400)
    expect(new Errors.BadRequest({ message: "x" }).status).toBe(400)
    expect(new Errors.PermissionDenied({ message: "x" }).status).toBe(403)
    expect(new Errors.Http404({ message: "x" }).status).toBe(404)
    expect(new Errors.BadHeaderError({ message: "x" }).status).toBe(500)
    expect(new Errors.MultiValueDictKeyError({ message: "x" }).status).toBe(500)
  })

  it("mark the SuspiciousOperation family", () => {
    expect(Errors.isSuspiciousOperation(new Errors.DisallowedRedirect({ message: "x" }))).toBe(true)
    expect(Errors.isSuspiciousOperation(new Errors.RequestDataTooBig({ message: "x" }))).toBe(true)
    expect(Errors.isSuspiciousOperation(new Errors.BadRequest({ message: "x" }))).toBe(false)
    expect(Errors.isSuspiciousOperation(new Error("x"))).toBe(false)
  })

  it("are tagged with Django's class names and keep the message", () => {
    const e = new Errors.DisallowedHost({ message: "Invalid HTTP_HOST header: 'evil'." })
    expect(e._tag).toBe("DisallowedHost")
    expect(e.message).toBe("Invalid HTTP_HOST header: 'evil'.")
    expect(e).toBeInstanceOf(Error)
  })

  it.effect("are Respondable: an unhandled one becomes its response", () =>
    Effect.gen(function*() {
      const e = new Errors.DisallowedHost({ message: "secret detail" })
      expect(HttpServerRespondable.isRespondable(e)).toBe(true)
      const res = yield* HttpServerRespondable.toResponse(e)
      expect(res.status).toBe(400)
      expect(res.headers["content-type"] ?? (res.body as { contentType?: string }).contentType).toContain("text/html")
      expect(JSON.stringify(res.body)).not.toContain("secret detail")
    }))

  describe("TaggedError (the one base of every error of the library)", () => {
    // Every error class built on `Errors.TaggedError`, outside `Errors` itself: its tag, the
    // status Django's handler answers it with and whether it is a `SuspiciousOperation`.
    const position = {
      message: "m",
      template: "t.html",
      origin: undefined,
      line: 1,
      column: 2,
      reason: "r",
      source: undefined,
      cause: undefined
    }
    const cases: ReadonlyArray<
      readonly [Errors.DjangoError, new(args: never) => Errors.DjangoError, string, number, boolean]
    > = [
      [new Csrf.CsrfFailure({ reason: "m" }), Csrf.CsrfFailure, "CsrfFailure", 403, false],
      [new Common.RuntimeError({ message: "m" }), Common.RuntimeError, "RuntimeError", 500, false],
      [
        new Resolver.Resolver404({ message: "m", path: "p", tried: undefined }),
        Resolver.Resolver404,
        "Resolver404",
        404,
        false
      ],
      [new Resolver.NoReverseMatch({ message: "m" }), Resolver.NoReverseMatch, "NoReverseMatch", 500, false],
      [
        new TemplateResponse.ContentNotRenderedError({ message: "m" }),
        TemplateResponse.ContentNotRenderedError,
        "ContentNotRenderedError",
        500,
        false
      ],
      [
        new Templates.TemplateDoesNotExist({ message: "m", names: [], tried: [], during: undefined }),
        Templates.TemplateDoesNotExist,
        "TemplateDoesNotExist",
        500,
        false
      ],
      [new Templates.TemplateSyntaxError(position), Templates.TemplateSyntaxError, "TemplateSyntaxError", 500, false],
      [new Templates.TemplateRenderError(position), Templates.TemplateRenderError, "TemplateRenderError", 500, false],
      [new Auth.UsersError({ message: "m" }), Auth.UsersError, "UsersError", 500, false],
      [new Sessions.KeyError({ message: "m" }), Sessions.KeyError, "KeyError", 500, false],
      [
        new Sessions.SessionInterrupted({ message: "m" }),
        Sessions.SessionInterrupted,
        "SessionInterrupted",
        400,
        false
      ],
      [new SuspiciousSession({ message: "m" }), SuspiciousSession, "SuspiciousSession", 400, true],
      [new Sessions.UpdateError({ message: "m" }), Sessions.UpdateError, "UpdateError", 500, false],
      [new Sessions.CreateError({ message: "m" }), Sessions.CreateError, "CreateError", 500, false],
      [new Sessions.SessionStoreError({ message: "m" }), Sessions.SessionStoreError, "SessionStoreError", 500, false],
      [new Errors.SuspiciousOperation({ message: "m" }), Errors.SuspiciousOperation, "SuspiciousOperation", 400, true],
      [new Errors.UnreadablePostError({ message: "m" }), Errors.UnreadablePostError, "UnreadablePostError", 500, false]
    ]

    it.effect("keeps every class's tag, message, status, suspicious flag, instanceof and response", () =>
      Effect.gen(function*() {
        for (const [error, constructor, tag, status, suspicious] of cases) {
          expect([error._tag, error.message, error.status, error.suspicious]).toEqual([tag, "m", status, suspicious])
          expect(error).toBeInstanceOf(constructor)
          expect(error).toBeInstanceOf(Error)
          expect(Errors.isDjangoError(error)).toBe(true)
          expect(Errors.isSuspiciousOperation(error)).toBe(suspicious)
          // no class is an instance of another's
          for (const [, other] of cases) if (other !== constructor) expect(error).not.toBeInstanceOf(other)
          const response = yield* HttpServerRespondable.toResponse(error)
          expect(response.status).toBe(status)
        }
      }))

    it("keeps the cause of a store's failure", () => {
      const cause = new Error("connection refused")
      const error = new Sessions.SessionStoreError({ message: "m", cause })
      expect(error.cause).toBe(cause)
      expect(new Auth.UsersError({ message: "m", cause }).cause).toBe(cause)
    })

    class PageNotFound extends Errors.TaggedError("PageNotFound", { status: 404 })<{
      readonly message: string
      readonly path: string
    }> {}
    class Tampered extends Errors.TaggedError("Tampered", { status: 400, suspicious: true }) {}

    it.effect("builds a user's own error, with its fields, that fails an Effect and is answered with its status", () =>
      Effect.gen(function*() {
        const error = new PageNotFound({ message: "No page here", path: "/missing/" })
        expect([error._tag, error.message, error.path, error.status, error.suspicious]).toEqual([
          "PageNotFound",
          "No page here",
          "/missing/",
          404,
          false
        ])
        expect(error.name).toBe("PageNotFound")
        const exit = yield* Effect.exit(Effect.gen(function*() {
          yield* error
        }))
        expect(exit).toEqual(Exit.fail(error))
        const caught = yield* Effect.catchTag(error, "PageNotFound", (e) => Effect.succeed(e.path))
        expect(caught).toBe("/missing/")
        expect((yield* HttpServerRespondable.toResponse(error)).status).toBe(404)

        const tampered = new Tampered({ message: "x" })
        expect(Errors.isSuspiciousOperation(tampered)).toBe(true)
        expect((yield* HttpServerRespondable.toResponse(tampered)).status).toBe(400)
      }))
  })
})
