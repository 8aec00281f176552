import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Errors } from "../src/index.js"

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
})
