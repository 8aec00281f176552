/**
 * What the response adapter (`src/internal/response/platform.ts`) relies on in `@effect/platform`
 * that is not its public API. Each test fails the day the platform changes under it, where the
 * library would otherwise fall back to a slower path in silence (the constructor), or write
 * headers or cookies the platform no longer understands.
 */
import { NodeHttpServer } from "@effect/platform-node"
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option, Redacted } from "effect"
import { createServer } from "node:http"
import { HttpResponse, ResponseCookies } from "../src/index.js"
import { platformConstructorInUse } from "../src/internal/response/platform.js"

/** 2023-11-14T22:13:20Z, the time the Django lines below were made at (`time.time` mocked). */
const NOW = 1_700_000_000_000

// Django 3.2, `/usr/bin/python3`, `time.time()` mocked to 1700000000:
//   r.set_cookie("sid", "a b;c", max_age=3600, path="/app", httponly=True, samesite="Lax")
//   r.set_cookie("theme", "dark", path="/", secure=True)
//   r.cookies[name].OutputString()
const DJANGO_SID =
  `sid="a b\\073c"; expires=Tue, 14 Nov 2023 23:13:20 GMT; HttpOnly; Max-Age=3600; Path=/app; SameSite=Lax`
const DJANGO_THEME = "theme=dark; Path=/; Secure"

/** A response with Django's cookies, two of them of one name (for two paths), and a header. */
const withCookies = Either.getOrThrow(Either.gen(function*() {
  let res = yield* HttpResponse.make({ content: "hello", headers: { "Cache-Control": "no-cache" } })
  res = yield* ResponseCookies.setCookieAt(res, "sid", "a b;c", {
    maxAge: 3600,
    path: "/app",
    httpOnly: true,
    sameSite: "Lax"
  }, NOW)
  res = yield* ResponseCookies.setCookieAt(res, "theme", "dark", { path: "/", secure: true }, NOW)
  return yield* ResponseCookies.setCookieAt(res, "sid", "other", { path: "/other" }, NOW)
}))

const interpreted = Either.getOrThrow(HttpResponse.toServerResponseWith(withCookies, "utf-8"))

describe("the response adapter's reaches into @effect/platform", () => {
  it("the platform's response constructor, taken from a response's prototype, passes the probe", () => {
    // Missing public API: a response from status, status text, `Headers`, `Cookies` and body that
    // takes the `Headers` as they are (`HttpServerResponse.raw` copies them through
    // `Headers.fromInput`, about 7,000 more instructions per response). If this fails, the
    // adapter uses `raw` (correct, slower): find the new constructor or drop the reach.
    expect(platformConstructorInUse).toBe(true)
    expect(Object.getPrototypeOf(interpreted)).toBe(Object.getPrototypeOf(HttpServerResponse.empty()))
  })

  it("the response it builds is the one HttpServerResponse.raw builds from the same parts", () => {
    const body = interpreted.body
    if (body._tag !== "Raw") throw new Error(`expected a Raw body, got ${body._tag}`)
    const reference = HttpServerResponse.raw(body.body, {
      status: interpreted.status,
      statusText: interpreted.statusText,
      headers: { ...interpreted.headers },
      cookies: interpreted.cookies
    })
    expect(interpreted.status).toBe(200)
    expect(interpreted.statusText).toBe("OK")
    expect({ ...interpreted.headers }).toEqual({
      "cache-control": "no-cache",
      "content-type": "text/html; charset=utf-8",
      "content-length": "5"
    })
    expect({ ...interpreted.headers }).toEqual({ ...reference.headers })
    expect(Object.getPrototypeOf(interpreted.headers)).toBe(Object.getPrototypeOf(reference.headers))
    expect(interpreted.body).toEqual(reference.body)
    expect(new TextDecoder().decode(body.body as Uint8Array)).toBe("hello")
    expect(interpreted.cookies).toBe(reference.cookies)
  })

  it("headers made with Object.create of the Headers prototype are the platform's Headers", () => {
    // Missing public API: an unchecked `Headers` constructor from a record, or an empty one to
    // fill (`Headers.unsafeFromRecord` calls `setPrototypeOf` after the record is filled, about
    // 1,050 more instructions per response). What `Headers.fromInput` returns must stay a plain
    // record with the prototype of `Headers.empty` and no own property but the headers.
    const platform = Headers.fromInput({ "X-A": "1" })
    expect(Object.getPrototypeOf(platform)).toBe(Object.getPrototypeOf(Headers.empty))
    expect(Reflect.ownKeys(platform)).toEqual(["x-a"])
    const ours = interpreted.headers
    expect(Reflect.ownKeys(ours)).toEqual(["cache-control", "content-type", "content-length"])
    expect(Headers.isHeaders(ours)).toBe(true)
    expect(Headers.get(ours, "Cache-Control")).toEqual(Option.some("no-cache"))
    expect(Headers.get(ours, "Content-Length")).toEqual(Option.some("5"))
    // the prototype's methods work on it: redaction (used when a response is logged) and `set`
    const redacted = Headers.redact(ours, ["cache-control"])
    expect(Redacted.isRedacted(redacted["cache-control"])).toBe(true)
    expect(Headers.set(ours, "x-b", "2")["x-b"]).toBe("2")
  })

  it("cookies carry Django's whole Set-Cookie lines, several of one name, through the platform", () => {
    // Missing public API: a `Cookies` entry from a ready `Set-Cookie` line (`Cookies.makeCookie`
    // encodes the value and writes its own attributes; `Cookies` keeps one cookie per name).
    const ours = ResponseCookies.setCookieHeaders(withCookies)
    expect(ours).toEqual([DJANGO_SID, DJANGO_THEME, "sid=other; Path=/other"])
    expect(Cookies.toSetCookieHeaders(interpreted.cookies)).toEqual(ours)
    for (const c of Object.values(interpreted.cookies.cookies)) {
      expect(Cookies.CookieTypeId in c).toBe(true)
      expect(c.options).toBeUndefined()
    }
  })

  it.scopedLive("platform-node writes those lines as they are, one Set-Cookie header each", () =>
    Effect.gen(function*() {
      yield* HttpServer.serveEffect(Effect.succeed(interpreted))
      const address = (yield* HttpServer.HttpServer).address
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      const res = yield* Effect.promise(() => fetch(`http://127.0.0.1:${address.port}/`))
      expect(res.headers.getSetCookie()).toEqual([DJANGO_SID, DJANGO_THEME, "sid=other; Path=/other"])
      expect(res.headers.get("cache-control")).toBe("no-cache")
      expect(yield* Effect.promise(() => res.text())).toBe("hello")
    }).pipe(Effect.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))))
})
