import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, TestClock } from "effect"
import { readFileSync } from "node:fs"
import { HttpRequest, HttpResponse, RequestFactory, ResponseCookies, Settings } from "../src/index.js"

// Django's tests/signed_cookies_tests/tests.py, ported: ResponseCookies.setSignedCookie writes,
// HttpRequest.getSignedCookie reads, through the Settings' SECRET_KEY and Effect's Clock.
const reference: Record<string, string> = JSON.parse(
  readFileSync(new URL("./fixtures/signing.json", import.meta.url), "utf8")
).reference

const settings = Settings.layer({ SECRET_KEY: "secret" })

/** The value a response set for a cookie, as a browser would send it back. */
const cookieValue = (response: HttpResponse.HttpResponse, name: string): string => {
  const cookie = response.cookies.find((c) => c.name === name)
  expect(cookie).toBeDefined()
  return cookie!.value
}

const requestWith = (name: string, value: string) => RequestFactory.get("/", { cookies: { [name]: value } })

describe("signed cookies (signed_cookies_tests)", () => {
  it.effect("test_can_set_and_read_signed_cookies", () =>
    Effect.gen(function*() {
      const response = yield* HttpResponse.make().pipe(Effect.flatMap(ResponseCookies.setSignedCookie("c", "hello")))
      expect(cookieValue(response, "c").startsWith("hello:")).toBe(true)
      const request = requestWith("c", cookieValue(response, "c"))
      expect(yield* HttpRequest.getSignedCookie(request, "c")).toBe("hello")
    }).pipe(Effect.provide(settings)))

  it.effect("test_can_use_salt", () =>
    Effect.gen(function*() {
      const response = yield* HttpResponse.make().pipe(
        Effect.flatMap(ResponseCookies.setSignedCookie("a", "hello", { salt: "one" }))
      )
      const request = requestWith("a", cookieValue(response, "a"))
      expect(yield* HttpRequest.getSignedCookie(request, "a", { salt: "one" })).toBe("hello")
      const e = yield* Effect.flip(HttpRequest.getSignedCookie(request, "a", { salt: "two" }))
      expect(e._tag).toBe("BadSignature")
    }).pipe(Effect.provide(settings)))

  it.effect("test_detects_tampering", () =>
    Effect.gen(function*() {
      const response = yield* HttpResponse.make().pipe(Effect.flatMap(ResponseCookies.setSignedCookie("c", "hello")))
      const request = requestWith("c", cookieValue(response, "c").slice(0, -2) + "$$")
      const e = yield* Effect.flip(HttpRequest.getSignedCookie(request, "c"))
      expect(e._tag).toBe("BadSignature")
    }).pipe(Effect.provide(settings)))

  it.effect("test_default_argument_suppresses_exceptions", () =>
    Effect.gen(function*() {
      const response = yield* HttpResponse.make().pipe(Effect.flatMap(ResponseCookies.setSignedCookie("c", "hello")))
      const request = requestWith("c", cookieValue(response, "c").slice(0, -2) + "$$")
      expect(yield* HttpRequest.getSignedCookie(request, "c", { default: null })).toBeNull()
    }).pipe(Effect.provide(settings)))

  it.effect("test_max_age_argument", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(123456789 * 1000)
      const response = yield* HttpResponse.make().pipe(Effect.flatMap(ResponseCookies.setSignedCookie("c", "hello")))
      const request = requestWith("c", cookieValue(response, "c"))
      expect(yield* HttpRequest.getSignedCookie(request, "c")).toBe("hello")
      yield* TestClock.setTime(123456800 * 1000)
      expect(yield* HttpRequest.getSignedCookie(request, "c", { maxAge: 12 })).toBe("hello")
      expect(yield* HttpRequest.getSignedCookie(request, "c", { maxAge: 11 })).toBe("hello")
      expect(yield* HttpRequest.getSignedCookie(request, "c", { maxAge: Duration.seconds(11) })).toBe("hello")
      const e = yield* Effect.flip(HttpRequest.getSignedCookie(request, "c", { maxAge: 10 }))
      expect([e._tag, e.message]).toEqual(["SignatureExpired", "Signature age 11.0 > 10 seconds"])
      expect(yield* HttpRequest.getSignedCookie(request, "c", { maxAge: 10, default: "gone" })).toBe("gone")
    }).pipe(Effect.provide(settings)))

  it.effect("a missing cookie is MultiValueDictKeyError, or the default", () =>
    Effect.gen(function*() {
      const request = RequestFactory.get("/")
      const e = yield* Effect.flip(HttpRequest.getSignedCookie(request, "missing"))
      expect([e._tag, e.message]).toEqual(["MultiValueDictKeyError", "'missing'"])
      expect(yield* HttpRequest.getSignedCookie(request, "missing", { default: false })).toBe(false)
    }).pipe(Effect.provide(settings)))

  it.effect("V4: set_signed_cookie('name', 'Tony', salt='s') at 1700000000 gives Django's value and header", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1700000000 * 1000)
      const response = yield* HttpResponse.make().pipe(
        Effect.flatMap(ResponseCookies.setSignedCookie("name", "Tony", { salt: "s" }))
      )
      expect(cookieValue(response, "name")).toBe(reference.V4)
      expect(ResponseCookies.setCookieHeaders(response).map((h) => `Set-Cookie: ${h}`)).toEqual([reference.V4header])
      const request = requestWith("name", reference.V4!)
      expect(yield* HttpRequest.getSignedCookie(request, "name", { salt: "s", maxAge: 0 })).toBe("Tony")
    }).pipe(Effect.provide(settings)))

  it.effect("SECRET_KEY_FALLBACKS: a cookie signed with the old key still reads after rotation", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1700000000 * 1000)
      const request = requestWith("name", reference.V4!)
      const value = yield* HttpRequest.getSignedCookie(request, "name", { salt: "s" }).pipe(
        Effect.provide(Settings.layer({ SECRET_KEY: "rotated", SECRET_KEY_FALLBACKS: ["secret"] }))
      )
      expect(value).toBe("Tony")
    }))

  it.effect("without SECRET_KEY both fail with ImproperlyConfigured, default or not", () =>
    Effect.gen(function*() {
      const response = yield* HttpResponse.make()
      const e1 = yield* Effect.flip(ResponseCookies.setSignedCookie(response, "c", "v"))
      expect(e1._tag).toBe("ImproperlyConfigured")
      const e2 = yield* Effect.flip(HttpRequest.getSignedCookie(requestWith("c", "v:1:x"), "c", { default: "d" }))
      expect(e2._tag).toBe("ImproperlyConfigured")
    }).pipe(Effect.provide(Layer.empty)))
})
