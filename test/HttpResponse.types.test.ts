/**
 * Type-level tests (issue 13, "Response constructors are pure values"): building a response
 * reads no service, so the constructors are plain functions returning an `Either` (no
 * requirement; failures only from what the caller gives), and what depends on the settings
 * is read where the response is interpreted. Checked by `tsc` (npm test runs it on test/); the
 * runtime assertions check the same values.
 */
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Effect, Either, Stream } from "effect"
import type { Errors } from "../src/index.js"
import { FileResponse, HttpResponse, Settings, StreamingHttpResponse } from "../src/index.js"

/** The requirement of an Effect (an `Either` is one, with none). */
type Requirement<T> = T extends Effect.Effect<any, any, infer R> ? R : "not an Effect"

describe("response constructors are pure values", () => {
  it("HttpResponse.make and its family return an Either: no requirement, typed failures", () => {
    const made = HttpResponse.make({ content: "hi" })
    expectTypeOf(made).toEqualTypeOf<Either.Either<HttpResponse.HttpResponse, HttpResponse.MakeError>>()
    expectTypeOf<Requirement<typeof made>>().toEqualTypeOf<never>()
    expectTypeOf(HttpResponse.notFound()).toEqualTypeOf<
      Either.Either<HttpResponse.HttpResponse, HttpResponse.MakeError>
    >()
    expectTypeOf(HttpResponse.json({ a: 1 })).toEqualTypeOf<
      Either.Either<HttpResponse.HttpResponse, HttpResponse.MakeError>
    >()
    expectTypeOf(HttpResponse.redirect("/next/")).toEqualTypeOf<
      Either.Either<HttpResponse.HttpResponse, HttpResponse.MakeError | Errors.DisallowedRedirect>
    >()
    expectTypeOf(StreamingHttpResponse.make(Stream.make("a"))).toEqualTypeOf<
      Either.Either<StreamingHttpResponse.StreamingHttpResponse, HttpResponse.MakeError>
    >()
    expectTypeOf(FileResponse.fromBytes(new Uint8Array([1]))).toEqualTypeOf<
      Either.Either<FileResponse.FileResponse, HttpResponse.MakeError>
    >()
    expect(Either.isRight(made)).toBe(true)
  })

  it("the combinators keep the kind of response and fail only on the caller's input", () => {
    const res = Either.getOrThrow(HttpResponse.make())
    expectTypeOf(HttpResponse.setHeader(res, "X", "1")).toEqualTypeOf<
      Either.Either<HttpResponse.HttpResponse, HttpResponse.MakeError>
    >()
    expectTypeOf(HttpResponse.write(res, "more")).toEqualTypeOf<
      Either.Either<HttpResponse.HttpResponse, Errors.InvalidArgument>
    >()
    expectTypeOf(HttpResponse.removeHeader(res, "X")).toEqualTypeOf<HttpResponse.HttpResponse>()
    expect(Either.isLeft(HttpResponse.setHeader(res, "X", "a\nb"))).toBe(true)
  })

  it.effect("interpreting reads the settings: settle and toServerResponse need nothing but the fiber's context", () =>
    Effect.gen(function*() {
      const res = yield* HttpResponse.make({ content: "é" })
      const settled = HttpResponse.settle(res)
      expectTypeOf(settled).toEqualTypeOf<Effect.Effect<HttpResponse.HttpResponse, HttpResponse.MakeError>>()
      const platform = HttpResponse.toServerResponse(res)
      expectTypeOf(platform).toEqualTypeOf<
        Effect.Effect<HttpServerResponse.HttpServerResponse, HttpResponse.MakeError>
      >()
      const latin1 = yield* Effect.provide(platform, Settings.layer({ DEFAULT_CHARSET: "iso-8859-1" }))
      expect(latin1.headers["content-type"]).toBe("text/html; charset=iso-8859-1")
      expect(latin1.headers["content-length"]).toBe("1")
      const utf8 = yield* platform
      expect(utf8.headers["content-type"]).toBe("text/html; charset=utf-8")
      expect(utf8.headers["content-length"]).toBe("2")
    }))
})
