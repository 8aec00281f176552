/**
 * The adapter to `@effect/platform`: a response value interpreted as an
 * `HttpServerResponse` (headers, Django's `Set-Cookie` lines, body, connection rules).
 *
 * @internal
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import * as Stream from "effect/Stream"
import type { InvalidArgument } from "../../Errors.js"
import * as cookie from "../cookie.js"
import { copyTag } from "../fileTag.js"
import type { Any, Cookie, Plain } from "./model.js"
import { contentBytes, encodeText, findHeader, getHeader, utf8Bytes } from "./rules.js"

// ---------------------------------------------------------------------------
// Interpretation
// ---------------------------------------------------------------------------

const PlatformCookieProto: Omit<Cookies.Cookie, "name" | "value" | "valueEncoded" | "options"> = {
  ...Inspectable.BaseProto,
  [Cookies.CookieTypeId]: Cookies.CookieTypeId,
  toJSON(this: Cookies.Cookie) {
    return { _id: "@effect/platform/Cookies/Cookie", name: this.name, value: this.value, header: this.valueEncoded }
  }
}

/**
 * A platform cookie whose serialization is Django's line: the platform writes
 * `name + "=" + valueEncoded` and nothing else when `options` is undefined.
 * A class (with `PlatformCookieProto` on its prototype) so that every value has one shape.
 *
 * Reach into private parts, kept because no public API does it: `Cookies.makeCookie` encodes
 * the value (`encodeURIComponent`) and writes its own attributes (its order, `Expires` from
 * `toUTCString`, `Max-Age` from a `Duration`), where Django's line is already formatted (Python's
 * quoting, Django's attribute order); `Cookies` keys by name, one cookie per name, where Django's
 * rules here allow one name for several paths and domains; and a `set-cookie` header carries one
 * line only. Missing public API: a `Cookies` entry from a ready `Set-Cookie` line. Relied on:
 * `serializeCookie` writes `name=valueEncoded` alone when `options` is undefined, and
 * `toSetCookieHeaders` writes every entry of the record (`test/response.platform.test.ts`).
 */
class PlatformCookie {
  readonly name: string
  readonly value: string
  readonly options: undefined
  readonly header: string
  constructor(c: Cookie) {
    this.name = c.name
    this.value = c.value
    this.options = undefined
    this.header = c.header
  }
  /** Read when the line is written: no copy of it is made before. */
  get valueEncoded(): string {
    return this.header.slice(this.name.length + 1)
  }
}
Object.defineProperties(PlatformCookie.prototype, Object.getOwnPropertyDescriptors(PlatformCookieProto))

const platformCookie = (c: Cookie): Cookies.Cookie => new PlatformCookie(c) as unknown as Cookies.Cookie

const platformCookies = (cookies: ReadonlyArray<Cookie>): Cookies.Cookies => {
  if (cookies.length === 0) return Cookies.empty
  const record: Record<string, Cookies.Cookie> = {}
  for (let i = 0; i < cookies.length; i++) {
    const c = cookies[i]!
    // Keyed uniquely: the platform keys by name, which would keep one cookie per name.
    record[Object.hasOwn(record, c.name) ? `${c.name}\u0000${i}` : c.name] = platformCookie(c)
  }
  return Cookies.fromReadonlyRecord(record)
}

const NO_BODY = (status: number) => status < 200 || status === 204 || status === 304

/**
 * The prototype of the platform's headers. Reach into private parts: a record made with it is
 * what `Headers.fromInput` returns; `Headers.unsafeFromRecord` (public) calls `setPrototypeOf`
 * after the record is filled, about 1,050 more instructions per response (BENCHMARKS.md,
 * "Response adapter reaches"). Missing public API: an unchecked `Headers` constructor from a
 * record, or an empty `Headers` to fill. Pinned by `test/response.platform.test.ts`.
 */
const HeadersProto: object = Object.getPrototypeOf(Headers.empty)

/**
 * The platform's own response constructor, `(status, statusText, headers, cookies, body)`,
 * which takes the headers record as it is. `HttpServerResponse.raw` would copy the record
 * through `Headers.fromInput` (lower-casing every name again), the largest cost of
 * interpreting a small response (about 7,000 more instructions per response, BENCHMARKS.md,
 * "Response adapter reaches"). Reach into private parts: the constructor is not exported; it
 * is taken from a response's prototype and checked once, here, on a probe; if the check fails
 * (another version of the platform), `raw` is used, and `test/response.platform.test.ts`
 * fails. Missing public API: a response from status, status text, `Headers`, `Cookies` and
 * body that takes the `Headers` as they are.
 */
type ServerResponseConstructor = new(
  status: number,
  statusText: string | undefined,
  headers: Headers.Headers,
  cookies: Cookies.Cookies,
  body: HttpBody.HttpBody
) => HttpServerResponse.HttpServerResponse

const serverResponseConstructor: ServerResponseConstructor | undefined = (() => {
  try {
    const ctor: unknown = Object.getPrototypeOf(HttpServerResponse.empty()).constructor
    if (typeof ctor !== "function") return undefined
    const probeHeaders = Object.create(HeadersProto) as Record<string, string>
    probeHeaders["x-probe"] = "1"
    const probeBody = new Uint8Array([1])
    const probeCookies = Cookies.fromReadonlyRecord({})
    const r: unknown = Reflect.construct(ctor, [299, "Probe", probeHeaders, probeCookies, HttpBody.raw(probeBody)])
    if (
      HttpServerResponse.isServerResponse(r) && r.status === 299 && r.statusText === "Probe" &&
      r.headers === probeHeaders && r.cookies === probeCookies && r.body._tag === "Raw" && r.body.body === probeBody &&
      r.body.contentType === undefined && r.body.contentLength === undefined
    ) {
      return ctor as ServerResponseConstructor
    }
  } catch {
    // fall back to `raw`
  }
  return undefined
})()

/** Whether the probe accepted the platform's constructor (`false`: `raw` is used). For the tests. */
export const platformConstructorInUse: boolean = serverResponseConstructor !== undefined

/** The platform response for a body of bytes and a headers record built here (lower-case names). */
const rawResponse = (
  body: Uint8Array,
  status: number,
  statusText: string,
  headers: Record<string, string>,
  cookies: Cookies.Cookies
): HttpServerResponse.HttpServerResponse =>
  serverResponseConstructor !== undefined
    ? new serverResponseConstructor(status, statusText, headers as Headers.Headers, cookies, HttpBody.raw(body))
    : HttpServerResponse.raw(body, { status, statusText, headers, cookies })

const platformHeaders = (self: Any, contentLength?: number): Record<string, string> => {
  // Created with the prototype of the platform's headers (as `Headers.fromInput` makes them):
  // `unsafeFromRecord` would `setPrototypeOf` it afterwards, which costs more.
  const record = Object.create(HeadersProto) as Record<string, string>
  const headers = self.headers
  for (let i = 0; i < headers.length; i++) record[headers[i]!.key] = headers[i]!.value
  if (contentLength !== undefined) record["content-length"] = String(contentLength)
  return record
}

/**
 * Closes the connection under a Node request once what was written is flushed
 * (`socket.destroySoon()`): the client gets the headers and the chunks sent so
 * far, then an end of stream without the final chunk, which it reports as a
 * truncated response. `false` when the request is not a Node one.
 */
const closeConnection = (source: unknown): boolean => {
  if (!hasProperty(source, "socket") || !hasProperty(source.socket, "destroySoon")) return false
  const socket = source.socket
  if (typeof socket.destroySoon !== "function") return false
  socket.destroySoon()
  return true
}

/**
 * A stream that, when the source fails after the headers went out, logs the
 * failure and closes the connection (so that the client sees a truncated
 * response, not a complete-looking one). The request's fiber is then
 * interrupted by the server when the connection closes. Outside Node the
 * failure is passed on to the platform.
 */
export const guardStream = (stream: Stream.Stream<Uint8Array, unknown>): Stream.Stream<Uint8Array, unknown> =>
  Stream.catchAllCause(stream, (cause) => Stream.drain(Stream.fromEffect(bodyFailed(cause))))

/**
 * What a response body's failure after the headers comes to (`guardStream`): logged, and the
 * connection closed (the effect then never ends: the server interrupts it); outside Node, the
 * failure again.
 */
export const bodyFailed = (cause: Cause.Cause<unknown>): Effect.Effect<never, unknown> =>
  Effect.gen(function*() {
    yield* Effect.logError("effect-django-http: response stream failed after the headers were sent", cause)
    const request = yield* Effect.serviceOption(HttpServerRequest.HttpServerRequest)
    if (Option.isSome(request) && closeConnection(request.value.source)) return yield* Effect.never
    return yield* Effect.failCause(cause)
  })

/** The platform response for an in-memory response and its body. */
export const plainResponse = (self: Plain, body: Uint8Array): HttpServerResponse.HttpServerResponse => {
  const cookies = platformCookies(self.cookies)
  const statusText = self.reasonPhrase
  if (NO_BODY(self.status)) {
    return HttpServerResponse.empty({ status: self.status, statusText, headers: platformHeaders(self), cookies })
  }
  const headers = findHeader(self.headers, "content-length") === -1
    ? platformHeaders(self, body.length)
    : platformHeaders(self)
  return rawResponse(body, self.status, statusText, headers, cookies)
}

/**
 * The `@effect/platform` response for a settled response value (one not settled is
 * interpreted as under Django's default `DEFAULT_CHARSET`, `utf-8`).
 */
export const toServerResponse = (self: Any): HttpServerResponse.HttpServerResponse => {
  if (self._tag === "HttpResponse") return plainResponse(self, contentBytes(self.chunks))
  const contentType = getHeader(self.headers, "content-type")
  // The same bytes: a file's tag (`fileBody`) stays on the guarded stream, for the lean adapter.
  return HttpServerResponse.stream(copyTag(self.stream, guardStream(self.stream)), {
    status: self.status,
    statusText: self.reasonPhrase,
    headers: platformHeaders(self),
    cookies: platformCookies(self.cookies),
    ...(contentType !== undefined ? { contentType } : {})
  })
}

/** One text chunk encoded with the default charset, without an `Either` for well-formed UTF-8. */
export const encodeDefault = (s: string, charset: string): Uint8Array | InvalidArgument => {
  const fast = utf8Bytes(s, charset)
  if (fast !== undefined) return fast
  const e = encodeText(s, charset)
  return Either.isLeft(e) ? e.left : e.right
}

/** An HTTP date (`Last-Modified`) for a `Date`. */
export const httpDateOf = (date: Date): string | undefined => cookie.httpDate(date.getTime() / 1000)
