/**
 * Django's rules for a response's parts: status and reason phrase, charsets and
 * text encoding, header names and values, cookies.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { BadHeaderError, InvalidArgument } from "../../Errors.js"
import { concat } from "../bytes.js"
import * as cookie from "../cookie.js"
import * as Codecs from "../python/codecs.js"
import { reprStr } from "../python/repr.js"

import type { Base, Cookie, Header } from "./model.js"

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

/**
 * The Content-Type a constructor gives a response whose charset is the default one, until
 * the response is settled: `text/html; charset=utf-8` (Django's default `DEFAULT_CHARSET`),
 * replaced by `text/html; charset=<DEFAULT_CHARSET>` when settled. Recognised by identity, so
 * a Content-Type set by the caller, even with the same value, is never replaced.
 */
export const PENDING_CONTENT_TYPE: Header = Object.freeze({
  name: "Content-Type",
  value: "text/html; charset=utf-8",
  key: "content-type"
})

/**
 * The charset text is encoded with now: the one given, else the Content-Type's `charset=`, else
 * the settled `DEFAULT_CHARSET`; `undefined` while that default is not known yet (text then
 * waits in the response for it).
 */
export const knownCharset = (self: Base): string | undefined =>
  knownCharsetOf(self.explicitCharset, self.headers, self.defaultCharset)

/** `knownCharset` of a response's parts. */
export const knownCharsetOf = (
  explicitCharset: string | undefined,
  headers: ReadonlyArray<Header>,
  defaultCharset: string | undefined
): string | undefined => {
  if (explicitCharset !== undefined) return explicitCharset
  const i = findHeader(headers, "content-type")
  if (i === -1) return defaultCharset
  const h = headers[i]!
  if (h === PENDING_CONTENT_TYPE && defaultCharset === undefined) return undefined
  return charsetFromContentType(h.value) ?? defaultCharset
}

/** Django's `response.charset`; before the response is settled the default is Django's `utf-8`. */
export const charsetOf = (self: Base): string => knownCharset(self) ?? "utf-8"

/** The length of `s` in UTF-8, as `TextEncoder` writes it (a lone surrogate as U+FFFD). */
export const utf8Length = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4
        i++
      } else n += 3
    } else n += 3
  }
  return n
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

/**
 * `makeBytes` when the charset may not be known yet: text then stays text, to be encoded
 * when the response is settled.
 */
export const makeChunk = (
  chunk: Chunk,
  charset: string | undefined
): Either.Either<Uint8Array | string, InvalidArgument> =>
  chunk instanceof Uint8Array
    ? Either.right(chunk)
    : charset === undefined
    ? Either.right(String(chunk))
    : encodeText(String(chunk), charset)

/**
 * The body's bytes; text not settled yet (see `PENDING_CONTENT_TYPE`) in Django's default
 * `utf-8`, lone surrogates replaced (a settled response has none).
 */
export const contentBytes = (chunks: ReadonlyArray<Uint8Array | string>): Uint8Array => {
  if (chunks.length === 1) {
    const c = chunks[0]!
    return typeof c === "string" ? utf8Encode(c) : c
  }
  const parts: Array<Uint8Array> = []
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!
    parts.push(typeof c === "string" ? utf8Encode(c) : c)
  }
  return concat(parts)
}

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
// The default Content-Type and streamed text (used by the constructors and by settling)
// ---------------------------------------------------------------------------

/** A validated Content-Type header and the charset it names, if any. */
export type ContentTypeHeader = Either.Either<readonly [Header, string | undefined], InvalidArgument | BadHeaderError>

const defaultContentTypes = new Map<string, ContentTypeHeader>()

/** `text/html; charset=<charset>`, validated once per charset (at most 64 kept). */
export const defaultContentType = (charset: string): ContentTypeHeader => {
  let h = defaultContentTypes.get(charset)
  if (h === undefined) {
    h = Either.map(
      validateHeader("Content-Type", `text/html; charset=${charset}`),
      (header) => [header, charset] as const
    )
    if (defaultContentTypes.size < 64) defaultContentTypes.set(charset, h)
  }
  return h
}

/** The stream's text encoded with `charset`; a chunk the charset cannot encode fails the stream. */
export const encodeStream = <E>(
  source: Stream.Stream<string | Uint8Array, E>,
  charset: string
): Stream.Stream<Uint8Array, E | InvalidArgument> =>
  Stream.mapEffect(
    source,
    (chunk): Either.Either<Uint8Array, InvalidArgument> =>
      typeof chunk === "string" ? encodeText(chunk, charset) : Either.right(chunk)
  )
