/**
 * The response value shared by `HttpResponse`, `StreamingHttpResponse` and
 * `FileResponse`: data, header rules, cookie rules, and interpretation as an
 * `@effect/platform` response.
 *
 * @internal
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Stream from "effect/Stream"
import { BadHeaderError, InvalidArgument } from "../Errors.js"
import { concat } from "./bytes.js"
import * as cookie from "./cookie.js"
import * as Codecs from "./python/codecs.js"
import { reprStr } from "./python/repr.js"

export const TypeId: unique symbol = Symbol.for("effect-django-http/HttpResponse")
export type TypeId = typeof TypeId

export interface Header {
  /** The name as spelled when it was last set. */
  readonly name: string
  readonly value: string
  /** The name in lower case, for lookups. */
  readonly key: string
}

/** One cookie set on a response: its Morsel attributes (`expires` as Django stores it: an HTTP date, a string given by the caller, or `""`). */
export interface Cookie extends cookie.MorselAttributes {
  readonly name: string
  readonly value: string
  /** The `Set-Cookie` value (without the header name). */
  readonly header: string
}

interface Base extends Pipeable, Inspectable.Inspectable, HttpServerRespondable.Respondable {
  readonly [TypeId]: TypeId
  readonly status: number
  readonly reasonPhrase: string
  /** The charset: the one given, else the Content-Type's `charset=`, else `DEFAULT_CHARSET`. */
  readonly charset: string
  readonly headers: ReadonlyArray<Header>
  readonly cookies: ReadonlyArray<Cookie>
  /** @internal */
  readonly explicitCharset: string | undefined
  /** @internal */
  readonly defaultCharset: string
  /** @internal */
  readonly customReason: string | undefined
}

export interface Plain extends Base {
  readonly _tag: "HttpResponse"
  readonly streaming: false
  /** @internal */
  readonly chunks: ReadonlyArray<Uint8Array>
}

export interface Streaming extends Base {
  readonly _tag: "StreamingHttpResponse"
  readonly streaming: true
  readonly stream: Stream.Stream<Uint8Array, unknown>
}

export interface File extends Base {
  readonly _tag: "FileResponse"
  readonly streaming: true
  readonly stream: Stream.Stream<Uint8Array, unknown>
  readonly filename: string
  readonly asAttachment: boolean
}

export type Any = Plain | Streaming | File

// ---------------------------------------------------------------------------
// Reason phrases (Python's http.client.responses)
// ---------------------------------------------------------------------------

export const REASONS: Readonly<Record<number, string>> = {
  100: "Continue",
  101: "Switching Protocols",
  102: "Processing",
  103: "Early Hints",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  207: "Multi-Status",
  208: "Already Reported",
  226: "IM Used",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  414: "Request-URI Too Long",
  415: "Unsupported Media Type",
  416: "Requested Range Not Satisfiable",
  417: "Expectation Failed",
  418: "I'm a Teapot",
  421: "Misdirected Request",
  422: "Unprocessable Entity",
  423: "Locked",
  424: "Failed Dependency",
  425: "Too Early",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
  506: "Variant Also Negotiates",
  507: "Insufficient Storage",
  508: "Loop Detected",
  510: "Not Extended",
  511: "Network Authentication Required"
}

/** Django's status check: an integer (after `int()`), from 100 to 599. */
export const checkStatus = (status: number): Either.Either<number, InvalidArgument> => {
  if (!Number.isFinite(status)) {
    return Either.left(new InvalidArgument({ message: "HTTP status code must be an integer." }))
  }
  const s = Math.trunc(status)
  if (s < 100 || s > 599) {
    return Either.left(new InvalidArgument({ message: "HTTP status code must be an integer from 100 to 599." }))
  }
  return Either.right(s)
}

// ---------------------------------------------------------------------------
// Charsets
// ---------------------------------------------------------------------------

const CHARSET_RE = /;\s*charset=([^\s;]+)/i

export const charsetFromContentType = (contentType: string): string | undefined => {
  const m = CHARSET_RE.exec(contentType)
  return m === null ? undefined : m[1]!.replace(/"/g, "")
}

const encoder = new TextEncoder()
/** `String.prototype.isWellFormed` (Node 20+), else a regular expression. */
const isWellFormed: (s: string) => boolean = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed ===
    "function"
  ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
  : (s) => !LONE_SURROGATE_RE.test(s)
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const LONE_SURROGATE = LONE_SURROGATE_RE

const codePointIndex = (s: string, unitIndex: number): number => [...s.slice(0, unitIndex)].length

/** How `UnicodeEncodeError` names a character: `'\xe9'`, `'\u20ac'`, `'\U0001f600'`. */
const escapedChar = (s: string, unitIndex: number): string => {
  const cp = s.codePointAt(unitIndex)!
  const hex = cp.toString(16)
  return cp < 0x100
    ? `'\\x${hex.padStart(2, "0")}'`
    : cp < 0x10000
    ? `'\\u${hex.padStart(4, "0")}'`
    : `'\\U${hex.padStart(8, "0")}'`
}

const encodeError = (codec: string, s: string, unitIndex: number, reason: string): InvalidArgument => {
  return new InvalidArgument({
    message: `'${codec}' codec can't encode character ${escapedChar(s, unitIndex)} in position ${
      codePointIndex(s, unitIndex)
    }: ${reason}`
  })
}

/** `str.encode(charset)` with Python's codec for the charset (see `python/codecs.ts` for those decoded here). */
export const encodeText = (s: string, charset: string): Either.Either<Uint8Array, InvalidArgument> => {
  const codec = charset === "utf-8" ? Codecs.UTF8_CODEC : Codecs.supported(charset)
  if (codec === undefined) {
    return Either.left(
      new InvalidArgument({
        message: Codecs.isKnownEncoding(charset)
          ? `unknown encoding: ${charset} (a Python codec this library does not encode)`
          : `unknown encoding: ${charset}`
      })
    )
  }
  if (codec.utf8 && isWellFormed(s)) return Either.right(utf8Encode(s))
  const out = codec.encodeStrict(s)
  return out instanceof Uint8Array ? Either.right(out) : Either.left(encodeError(out.codec, s, out.index, out.reason))
}

/**
 * `makeBytes` for the common case, without an `Either`: a well-formed string in
 * `utf-8`. `undefined` for anything else (then `makeBytes` decides).
 */
export const utf8Bytes = (chunk: unknown, charset: string): Uint8Array | undefined =>
  typeof chunk === "string" && charset === "utf-8" && isWellFormed(chunk) ? utf8Encode(chunk) : undefined

/**
 * V8 keeps a typed array of at most 64 bytes on the JavaScript heap; `TextEncoder.encode`
 * always allocates an off-heap buffer (several times the cost, and external memory the
 * collector accounts separately). Short ASCII text, the usual small response body, is copied
 * into a fresh on-heap array; anything else goes to the encoder. Never a slice of a shared pool
 * (as `Buffer.from` gives): a body's `.buffer` holds nothing but the body.
 */
const SMALL = 64

export const utf8Encode = (s: string): Uint8Array => {
  const n = s.length
  if (n <= SMALL) {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c >= 0x80) return encoder.encode(s)
      out[i] = c
    }
    return out
  }
  return encoder.encode(s)
}

/** Django's `make_bytes`: bytes as they are, strings in the charset, numbers through `str()`. */
export type Chunk = string | Uint8Array | number | bigint

export const makeBytes = (chunk: Chunk, charset: string): Either.Either<Uint8Array, InvalidArgument> =>
  chunk instanceof Uint8Array ? Either.right(chunk) : encodeText(String(chunk), charset)

// ---------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------

// eslint-disable-next-line no-control-regex
const NEWLINE = /[\r\n]/

const newlines = (value: string) =>
  new BadHeaderError({ message: `Header values can't contain newlines (got ${reprStr(value)})` })

/** RFC 2047 `=?utf-8?b?...?=`, as `email.header.Header(value, "utf-8", maxlinelen=sys.maxsize).encode()`. */
export const mimeEncode = (value: string): string =>
  "=?utf-8?b?" + Buffer.from(encoder.encode(value)).toString("base64") + "?="

/**
 * Django's `ResponseHeaders` rules for one header, plus what Node needs not to
 * throw while writing: CR/LF anywhere is `BadHeaderError` with Django's message;
 * a non-ASCII name is Django's `UnicodeError`; other control characters and
 * names that are not HTTP tokens (which Django lets through and Node refuses)
 * are `BadHeaderError` too; values outside Latin-1 are MIME-encoded.
 */
const TOKEN_CHARS = new Uint8Array(128)
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TOKEN_CHARS[c.charCodeAt(0)] = 1
}

const hasNewline = (s: string): boolean => s.indexOf("\n") !== -1 || s.indexOf("\r") !== -1

/**
 * The common case of `validateHeader` without allocating an `Either`: a name made
 * of HTTP token characters and a value of printable ASCII (and tabs). Returns the
 * header exactly as `validateHeader` would, or `undefined` when the name or value
 * is anything else (then `validateHeader` decides, with its messages).
 */
export const simpleHeader = (name: string, value: string): Header | undefined => {
  const n = name.length
  if (n === 0) return undefined
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i)
    if (c > 127 || TOKEN_CHARS[c] === 0) return undefined
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 32 ? c !== 9 : c > 126) return undefined
  }
  return { name, value, key: name.toLowerCase() }
}

export const validateHeader = (
  name: string,
  value: string
): Either.Either<Header, BadHeaderError | InvalidArgument> => {
  const simple = simpleHeader(name, value)
  if (simple !== undefined) return Either.right(simple)
  if (hasNewline(name)) return Either.left(newlines(name))
  let token = name.length > 0
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c > 127) {
      return Either.left(
        new InvalidArgument({
          message: `'ascii' codec can't encode character ${escapedChar(name, i)} in position ${
            codePointIndex(name, i)
          }: ordinal not in range(128), HTTP response headers must be in ascii format`
        })
      )
    }
    if (TOKEN_CHARS[c] === 0) token = false
  }
  if (!token) {
    return Either.left(new BadHeaderError({ message: `Header names must be HTTP tokens (got ${reprStr(name)})` }))
  }
  if (hasNewline(value)) return Either.left(newlines(value))
  let latin1 = true
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if ((c < 32 && c !== 9) || c === 127) {
      return Either.left(
        new BadHeaderError({ message: `Header values can't contain control characters (got ${reprStr(value)})` })
      )
    }
    if (c > 255) latin1 = false
  }
  const key = name.toLowerCase()
  if (!latin1) {
    if (!isWellFormed(value)) {
      const i = LONE_SURROGATE.exec(value)!.index
      return Either.left(encodeError("utf-8", value, i, "surrogates not allowed"))
    }
    return Either.right({ name, value: mimeEncode(value), key })
  }
  return Either.right({ name, value, key })
}

export const findHeader = (headers: ReadonlyArray<Header>, name: string): number => {
  for (let i = 0; i < headers.length; i++) if (headers[i]!.key === name) return i
  const lower = name.toLowerCase()
  if (lower === name) return -1
  for (let i = 0; i < headers.length; i++) if (headers[i]!.key === lower) return i
  return -1
}

/** Sets a validated header: replaces the value (and the spelling of the name) in place, or appends. */
export const putHeader = (headers: ReadonlyArray<Header>, header: Header): ReadonlyArray<Header> => {
  const i = findHeader(headers, header.key)
  const out = headers.slice()
  if (i === -1) out.push(header)
  else out[i] = header
  return out
}

export const removeHeader = (headers: ReadonlyArray<Header>, name: string): ReadonlyArray<Header> => {
  const i = findHeader(headers, name)
  if (i === -1) return headers
  const out = headers.slice()
  out.splice(i, 1)
  return out
}

export const getHeader = (headers: ReadonlyArray<Header>, name: string): string | undefined => {
  const i = findHeader(headers, name)
  return i === -1 ? undefined : headers[i]!.value
}

export type HeaderValue = string | number

export type HeadersInput =
  | Readonly<Record<string, HeaderValue>>
  | Iterable<readonly [name: string, value: HeaderValue]>

export const headersFromInput = (
  input: HeadersInput | undefined
): Either.Either<ReadonlyArray<Header>, BadHeaderError | InvalidArgument> => {
  let headers: ReadonlyArray<Header> = []
  if (input === undefined) return Either.right(headers)
  const entries: Iterable<readonly [string, HeaderValue]> = Symbol.iterator in input
    ? (input as Iterable<readonly [string, HeaderValue]>)
    : Object.entries(input as Readonly<Record<string, HeaderValue>>)
  for (const [name, value] of entries) {
    const h = validateHeader(name, String(value))
    if (Either.isLeft(h)) return Either.left(h.left)
    headers = putHeader(headers, h.right)
  }
  return Either.right(headers)
}

// ---------------------------------------------------------------------------
// Cookies
// ---------------------------------------------------------------------------

/**
 * Options of `setCookie`, with Django's names in camelCase and Django's defaults:
 * `path` `"/"` (`null` for none), everything else absent.
 */
export interface CookieOptions {
  /** Seconds (truncated to an integer, as `int()`); also sets `expires`. */
  readonly maxAge?: number | undefined
  /** A `Date` becomes `maxAge` (seconds from now, plus one, as Django); a string is used verbatim. */
  readonly expires?: Date | string | undefined
  readonly path?: string | null | undefined
  readonly domain?: string | undefined
  readonly secure?: boolean | undefined
  readonly httpOnly?: boolean | undefined
  /** `"lax"`, `"strict"` or `"none"` in any case (kept as given), else a typed failure. */
  readonly sameSite?: string | undefined
}

/** A control character (C0 or DEL) or a code unit beyond Latin-1. */
const badAttribute = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c === 127 || c > 255) return true
  }
  return false
}

const attributeError = (what: string, value: string): BadHeaderError | InvalidArgument =>
  NEWLINE.test(value)
    ? newlines(value)
    : new BadHeaderError({
      message: `Cookie ${what} can't contain control characters or characters outside Latin-1 (got ${reprStr(value)})`
    })

/** The attribute names of `http.cookies.Morsel`, which a cookie cannot be called. */
const RESERVED = new Set([
  "expires",
  "path",
  "comment",
  "domain",
  "max-age",
  "secure",
  "httponly",
  "version",
  "samesite"
])

/**
 * Django's `set_cookie` rules for one cookie, given the current time in
 * milliseconds (only read when `maxAge` or a `Date` `expires` needs it).
 */
export const makeCookie = (
  name: string,
  value: string,
  options: CookieOptions,
  nowMillis: () => number
): Either.Either<Cookie, InvalidArgument | BadHeaderError> => {
  // Every reserved name has 4 to 8 characters (and lower-casing keeps the length of any
  // name that lower-cases to ASCII), so other lengths need no lower-casing.
  if (name.length >= 4 && name.length <= 8 && RESERVED.has(name.toLowerCase())) {
    return Either.left(new InvalidArgument({ message: `Attempt to set a reserved key ${reprStr(name)}` }))
  }
  if (!cookie.isLegalKey(name)) {
    return Either.left(new InvalidArgument({ message: `Illegal key ${reprStr(name)}` }))
  }
  let maxAgeInput = options.maxAge
  let expires = ""
  const exp = options.expires
  if (exp instanceof Date) {
    const t = exp.getTime()
    if (Number.isNaN(t)) return Either.left(new InvalidArgument({ message: "expires must be a valid date" }))
    // Django: delta = expires - utcnow() + 1 second; max_age = max(0, whole seconds of delta).
    maxAgeInput = Math.max(0, Math.floor((t - nowMillis() + 1000) / 1000))
  } else if (exp !== undefined) {
    expires = exp
  }
  let maxAge: number | undefined
  if (maxAgeInput !== undefined) {
    if (!Number.isFinite(maxAgeInput)) {
      return Either.left(new InvalidArgument({ message: `max_age must be a finite number (got ${maxAgeInput})` }))
    }
    maxAge = Math.trunc(maxAgeInput)
    if (Object.is(maxAge, -0)) maxAge = 0
    if (expires === "") {
      const date = cookie.httpDate(nowMillis() / 1000 + maxAgeInput)
      if (date === undefined) {
        return Either.left(new InvalidArgument({ message: `max_age out of range (got ${maxAgeInput})` }))
      }
      expires = date
    }
  }
  const sameSite = options.sameSite === "" ? undefined : options.sameSite
  if (sameSite !== undefined) {
    const s = sameSite.toLowerCase()
    if (s !== "lax" && s !== "none" && s !== "strict") {
      return Either.left(new InvalidArgument({ message: "samesite must be \"lax\", \"none\", or \"strict\"." }))
    }
  }
  const path = options.path === undefined ? "/" : options.path === null ? undefined : options.path
  const domain = options.domain
  const coded = cookie.quote(value)
  if (badAttribute(coded)) return Either.left(attributeError("values", value))
  if (badAttribute(expires)) return Either.left(attributeError("attributes", expires))
  if (path !== undefined && badAttribute(path)) return Either.left(attributeError("attributes", path))
  if (domain !== undefined && badAttribute(domain)) return Either.left(attributeError("attributes", domain))
  const secure = options.secure === true
  const httpOnly = options.httpOnly === true
  return Either.right({
    name,
    value,
    expires,
    maxAge,
    path,
    domain,
    secure,
    httpOnly,
    sameSite,
    header: cookie.output(name, coded, { expires, maxAge, path, domain, secure, httpOnly, sameSite })
  })
}

/**
 * Adds a cookie. One name may be set for several paths and domains (browsers
 * keep them apart); setting the same name, path and domain again replaces it.
 */
export const putCookie = (cookies: ReadonlyArray<Cookie>, c: Cookie): ReadonlyArray<Cookie> => {
  if (cookies.length === 0) return [c]
  let i = -1
  for (let j = 0; j < cookies.length; j++) {
    const o = cookies[j]!
    if (o.name === c.name && o.path === c.path && o.domain === c.domain) {
      i = j
      break
    }
  }
  const out = cookies.slice()
  if (i === -1) out.push(c)
  else out[i] = c
  return out
}

// ---------------------------------------------------------------------------
// The value
// ---------------------------------------------------------------------------

const Proto = {
  [TypeId]: TypeId,
  get charset(): string {
    const self = this as unknown as Base
    if (self.explicitCharset !== undefined) return self.explicitCharset
    const ct = getHeader(self.headers, "content-type")
    return (ct !== undefined ? charsetFromContentType(ct) : undefined) ?? self.defaultCharset
  },
  get reasonPhrase(): string {
    const self = this as unknown as Base
    return self.customReason ?? REASONS[self.status] ?? "Unknown Status Code"
  },
  [HttpServerRespondable.symbol](this: Any) {
    return Effect.succeed(toServerResponse(this))
  },
  pipe() {
    return pipeArguments(this, arguments)
  },
  ...Inspectable.BaseProto,
  toJSON(this: Any) {
    return {
      _id: "effect-django-http/HttpResponse",
      _tag: this._tag,
      status: this.status,
      reasonPhrase: this.reasonPhrase,
      charset: this.charset,
      headers: this.headers.map((h) => [h.name, h.value]),
      cookies: this.cookies.map((c) => c.header),
      ...(this._tag === "HttpResponse" ? { contentLength: tell(this) } : {})
    }
  }
}

type Fields<A extends Any> = Omit<
  A,
  | typeof TypeId
  | "charset"
  | "reasonPhrase"
  | "pipe"
  | "toJSON"
  | "toString"
  | typeof Inspectable.NodeInspectSymbol
  | typeof HttpServerRespondable.symbol
>

interface AllFields {
  readonly _tag: Any["_tag"]
  readonly streaming: boolean
  readonly status: number
  readonly customReason: string | undefined
  readonly explicitCharset: string | undefined
  readonly defaultCharset: string
  readonly headers: ReadonlyArray<Header>
  readonly cookies: ReadonlyArray<Cookie>
  readonly chunks?: ReadonlyArray<Uint8Array> | undefined
  readonly stream?: Stream.Stream<Uint8Array, unknown> | undefined
  readonly filename?: string | undefined
  readonly asAttachment?: boolean | undefined
}

/** One class for every variant: every value has the same shape, which keeps V8's property access fast. */
class ResponseImpl {
  _tag: Any["_tag"]
  streaming: boolean
  status: number
  customReason: string | undefined
  explicitCharset: string | undefined
  defaultCharset: string
  headers: ReadonlyArray<Header>
  cookies: ReadonlyArray<Cookie>
  chunks: ReadonlyArray<Uint8Array> | undefined
  stream: Stream.Stream<Uint8Array, unknown> | undefined
  filename: string | undefined
  asAttachment: boolean | undefined
  constructor(f: AllFields) {
    this._tag = f._tag
    this.streaming = f.streaming
    this.status = f.status
    this.customReason = f.customReason
    this.explicitCharset = f.explicitCharset
    this.defaultCharset = f.defaultCharset
    this.headers = f.headers
    this.cookies = f.cookies
    this.chunks = f.chunks
    this.stream = f.stream
    this.filename = f.filename
    this.asAttachment = f.asAttachment
  }
}
Object.defineProperties(ResponseImpl.prototype, Object.getOwnPropertyDescriptors(Proto))

// The class carries the fields and the prototype carries `Proto`: together they are the interface.
export const unsafeMake = <A extends Any>(fields: Fields<A>): A => new ResponseImpl(fields) as unknown as A

/** A copy of `self` with `patch` applied. */
export const update = <A extends Any>(self: A, patch: Partial<Fields<A>>): A =>
  Object.assign(new ResponseImpl(self), patch) as unknown as A

/** A copy of `self` with other headers. */
export const withHeaders = <A extends Any>(self: A, headers: ReadonlyArray<Header>): A => {
  const next = new ResponseImpl(self)
  next.headers = headers
  return next as unknown as A
}

/** A copy of `self` with other cookies. */
export const withCookies = <A extends Any>(self: A, cookies: ReadonlyArray<Cookie>): A => {
  const next = new ResponseImpl(self)
  next.cookies = cookies
  return next as unknown as A
}

export const isResponse = (u: unknown): u is Any => hasProperty(u, TypeId)

export { concat } from "./bytes.js"

export const tell = (self: Plain): number => {
  let n = 0
  for (const c of self.chunks) n += c.length
  return n
}

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

const HeadersProto: object = Object.getPrototypeOf(Headers.empty)

/**
 * The platform's own response constructor, `(status, statusText, headers, cookies, body)`,
 * which takes the headers record as it is. `HttpServerResponse.raw` would copy the record
 * through `Headers.fromInput` (lower-casing every name again), the largest cost of
 * interpreting a small response. The constructor is not exported: it is taken from a
 * response's prototype and checked once, here, on a probe; if the check fails (another
 * version of the platform), `raw` is used.
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
  Stream.catchAllCause(stream, (cause) =>
    Stream.fromEffect(
      Effect.gen(function*() {
        yield* Effect.logError("effect-django-http: response stream failed after the headers were sent", cause)
        const request = yield* Effect.serviceOption(HttpServerRequest.HttpServerRequest)
        if (Option.isSome(request) && closeConnection(request.value.source)) return yield* Effect.never
        return yield* Effect.failCause(cause)
      })
    ).pipe(Stream.drain))

/** The `@effect/platform` response for a response value. */
export const toServerResponse = (self: Any): HttpServerResponse.HttpServerResponse => {
  const cookies = platformCookies(self.cookies)
  const statusText = self.reasonPhrase
  if (self._tag === "HttpResponse") {
    const body = concat(self.chunks)
    if (NO_BODY(self.status)) {
      return HttpServerResponse.empty({ status: self.status, statusText, headers: platformHeaders(self), cookies })
    }
    const headers = findHeader(self.headers, "content-length") === -1
      ? platformHeaders(self, body.length)
      : platformHeaders(self)
    return rawResponse(body, self.status, statusText, headers, cookies)
  }
  const contentType = getHeader(self.headers, "content-type")
  return HttpServerResponse.stream(guardStream(self.stream), {
    status: self.status,
    statusText,
    headers: platformHeaders(self),
    cookies,
    ...(contentType !== undefined ? { contentType } : {})
  })
}

/** An HTTP date (`Last-Modified`) for a `Date`. */
export const httpDateOf = (date: Date): string | undefined => cookie.httpDate(date.getTime() / 1000)
