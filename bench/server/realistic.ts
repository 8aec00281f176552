/**
 * The realistic view of `bench/server`: typed query decoding (`q` a string, `page` an integer),
 * a Django-signed cookie check (the `user` cookie, as `request.get_signed_cookie("user")` reads
 * it), one Set-Cookie, an HTML body. `realisticPlatform` does that work by hand on bare
 * `@effect/platform`; the library's twin is `realisticView` in `targets.ts`.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Crypto from "node:crypto"
import { Errors, HttpRequest, HttpResponse, ResponseCookies, Settings, Signing } from "../../src/index.js"
import type { View } from "../../src/index.js"

export const SECRET_KEY = "bench-secret-key"
export const PATH = "/?q=caf%C3%A9+%3Cb%3E&page=2"

const b64 = (bytes: Buffer): string => bytes.toString("base64url")

/** Django's cookie signer: TimestampSigner(key="django.http.cookies" + SECRET_KEY, salt=name). */
const signature = (name: string, value: string): string => {
  const key = Crypto.createHash("sha256").update(`${name}signer` + "django.http.cookies" + SECRET_KEY).digest()
  return b64(Crypto.createHmac("sha256", key).update(value).digest())
}

const base62 = (n: number): string => {
  const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
  let out = ""
  do {
    out = digits[n % 62]! + out
    n = Math.floor(n / 62)
  } while (n > 0)
  return out
}

export const signCookie = (name: string, value: string, now: number): string => {
  const stamped = `${value}:${base62(Math.floor(now / 1000))}`
  return `${stamped}:${signature(name, stamped)}`
}

/** The request's headers, with a `user` cookie signed the way Django signs it. */
export const requestHeaders = (now: number): Record<string, string> => ({
  cookie: `theme=dark; user=${signCookie("user", "ada", now)}`
})

export const Query = Schema.Struct({ q: Schema.String, page: Schema.NumberFromString.pipe(Schema.int()) })

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(
    /'/g,
    "&#x27;"
  )

export const page = (q: string, pageNo: number, user: string): string =>
  `<!doctype html><html><head><title>Search</title></head><body><h1>Results for ${escapeHtml(q)}</h1>` +
  `<p>Page ${pageNo}, signed in as ${escapeHtml(user)}.</p></body></html>`

const unsign = (name: string, signed: string | undefined): string | undefined => {
  if (signed === undefined) return undefined
  const i = signed.lastIndexOf(":")
  if (i < 0) return undefined
  const value = signed.slice(0, i)
  const expected = Buffer.from(signature(name, value))
  const given = Buffer.from(signed.slice(i + 1))
  if (expected.length !== given.length || !Crypto.timingSafeEqual(expected, given)) return undefined
  const j = value.lastIndexOf(":")
  return j < 0 ? undefined : value.slice(0, j)
}

const cookie = (header: string | undefined, name: string): string | undefined => {
  if (header === undefined) return undefined
  let found: string | undefined
  for (const part of header.split(";")) {
    const eq = part.indexOf("=")
    if (eq >= 0 && part.slice(0, eq).trim() === name) found = part.slice(eq + 1).trim()
  }
  return found
}

export const realisticPlatform = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const qs = request.url.indexOf("?")
  const params = new URLSearchParams(qs < 0 ? "" : request.url.slice(qs + 1))
  const decoded = Schema.decodeUnknownEither(Query)(Object.fromEntries(params))
  if (decoded._tag === "Left") return HttpServerResponse.text("bad query", { status: 400 })
  const user = unsign("user", cookie(request.headers["cookie"], "user"))
  if (user === undefined) return HttpServerResponse.text("forbidden", { status: 403 })
  return HttpServerResponse.html(page(decoded.right.q, decoded.right.page, user)).pipe(
    HttpServerResponse.unsafeSetCookie("last_search", "1", { path: "/" })
  )
})

export const HELLO = "Hello, World!"

/** The hello response's options, for this library's `HttpResponse.make`. */
export const helloOptions: HttpResponse.Options = { content: HELLO, contentType: "text/plain" }

/** Hello world as a view of this library. */
export const helloView: View.View<HttpResponse.MakeError> = () => HttpResponse.make(helloOptions)

/**
 * Hello world with its response built once, as the bare platform's hello (`HttpServerResponse.text`
 * evaluated once) is: responses are immutable values, so a view may answer with the same one.
 */
const helloResponse = Effect.runSync(HttpResponse.make(helloOptions))
export const helloViewPrebuilt: View.View = () => Effect.succeed(helloResponse)

/** The bare platform's hello with its response built per request, as the library's hello view does. */
export const helloPlatformPerRequest = Effect.sync(() => HttpServerResponse.text(HELLO))

/**
 * The realistic view's body, with this library. Its generator is made once, like the platform
 * twin's module-level `Effect.gen`: `realisticView` runs it with `Effect.fnUntraced`.
 */
const realisticBody = function*(request: HttpRequest.HttpRequest) {
  const query = yield* HttpRequest.schemaQuery(Query)(request)
  const settings = yield* Settings.current
  const raw = request.COOKIES["user"]
  if (raw === undefined) return yield* Effect.fail(new Errors.PermissionDenied({ message: "no user cookie" }))
  const user = yield* Signing.unsignCookie(settings, "user", raw).pipe(
    Effect.mapError(() => new Errors.PermissionDenied({ message: "bad user cookie" }))
  )
  const response = yield* HttpResponse.make({ content: page(query.q, query.page, user) })
  return yield* ResponseCookies.setCookie(response, "last_search", "1", { path: "/" })
}

/** The realistic view, with this library. */
export const realisticView: View.View<unknown, Settings.Settings> = Effect.fnUntraced(realisticBody)

/**
 * The same view written `(request) => Effect.gen(function*() { ... })`: a new generator
 * function per request (a diagnostic: what that style costs under load).
 */
export const realisticViewGenPerRequest: View.View<unknown, Settings.Settings> = (request) =>
  Effect.gen(function*() {
    return yield* realisticBody(request)
  })

/**
 * A view that spends about a millisecond of CPU per request in plain arithmetic (no allocation, so
 * no collector threads beside it), for the workers' measurement: the load generator, which shares
 * this 2-core machine, then needs a few per cent of a core, and two workers can show what a second
 * core gives (BENCHMARKS.md, server).
 */
export const busyView: View.View<HttpResponse.MakeError> = () =>
  Effect.suspend(() => {
    let x = 0
    for (let i = 0; i < BUSY_ITERATIONS; i++) x = (Math.imul(x, 31) + i) | 0
    return HttpResponse.make({ ...helloOptions, content: String(x) })
  })

const BUSY_ITERATIONS = Number(process.env["BUSY_ITERATIONS"] ?? 1_500_000)
