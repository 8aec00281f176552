/**
 * Django's response constructors and the operations on a response's content, as pure
 * functions: nothing here reads a service. What depends on the settings (`DEFAULT_CHARSET`:
 * the default Content-Type's `charset=` and the encoding of text given without a charset)
 * waits in the value until `settleWith` is given the default charset, which the interpreters
 * do (`response/platform`, the handler).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { type BadHeaderError, DisallowedRedirect, InvalidArgument } from "../../Errors.js"
import * as Settings from "../../Settings.js"
import { concat } from "../bytes.js"
import * as Codecs from "../python/codecs.js"
import * as json_ from "../python/json.js"
import { iriToUri } from "../url.js"
import type { Any, Cookie, Header, Plain, Streaming } from "./model.js"
import * as rules from "./rules.js"
import { settleWith, unsafeMake, update } from "./value.js"

export { settleWith }

/** Content: one chunk, or an iterable of chunks joined at once. */
export type Content = rules.Chunk | Iterable<rules.Chunk>

/** The options of Django's `HttpResponse(...)`. */
export interface Options {
  readonly content?: Content | undefined
  /** Sets Content-Type; giving it and a Content-Type header is a typed failure. */
  readonly contentType?: string | undefined
  /** 100 to 599. */
  readonly status?: number | undefined
  /** A custom reason phrase; by default Python's `http.client.responses`, else `Unknown Status Code`. */
  readonly reason?: string | undefined
  /**
   * The charset; by default the Content-Type's `charset=`, else `DEFAULT_CHARSET` (settled
   * when the response is interpreted).
   */
  readonly charset?: string | undefined
  readonly headers?: rules.HeadersInput | undefined
}

/** Errors a constructor can fail with. */
export type MakeError = InvalidArgument | BadHeaderError

/** The options of the status constructors. */
export type StatusOptions = Omit<Options, "status">

// ---------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------

const isChunk = (u: unknown): u is rules.Chunk =>
  typeof u === "string" || u instanceof Uint8Array || typeof u === "number" || typeof u === "bigint"

/** Django's `content` setter: each chunk as bytes in `charset` (text kept while it is unknown), joined. */
const contentChunks = (
  content: Content | undefined,
  charset: string | undefined
): Either.Either<ReadonlyArray<Uint8Array | string>, InvalidArgument> => {
  if (content === undefined) return Either.right([])
  if (isChunk(content)) {
    const b = rules.makeChunk(content, charset)
    // Text kept even when empty: encoding it can still fail (an unknown `DEFAULT_CHARSET`).
    return Either.isLeft(b)
      ? Either.left(b.left)
      : Either.right(typeof b.right !== "string" && b.right.length === 0 ? [] : [b.right])
  }
  const parts: Array<Uint8Array | string> = []
  let bytesOnly = true
  for (const chunk of content) {
    const b = rules.makeChunk(chunk, charset)
    if (Either.isLeft(b)) return Either.left(b.left)
    if (typeof b.right === "string") bytesOnly = false
    parts.push(b.right)
  }
  return Either.right(parts.length <= 1 || !bytesOnly ? parts : [concat(parts as Array<Uint8Array>)])
}

/** Python's truth of the content (a 304 takes none). */
export const isTruthy = (content: Content | undefined): boolean => {
  if (content === undefined) return false
  if (typeof content === "string" || content instanceof Uint8Array) return content.length > 0
  if (typeof content === "number") return content !== 0
  if (typeof content === "bigint") return content !== 0n
  for (const _ of content) return true
  return false
}

const EMPTY: ReadonlyArray<Uint8Array | string> = []

const givenContentTypes = new Map<string, rules.ContentTypeHeader>()

/** A Content-Type given to `make`, validated once per value (at most 64 kept). */
const givenContentType = (contentType: string): rules.ContentTypeHeader => {
  let h = givenContentTypes.get(contentType)
  if (h === undefined) {
    h = Either.map(
      rules.validateHeader("Content-Type", contentType),
      (header) => [header, rules.charsetFromContentType(header.value)] as const
    )
    if (givenContentTypes.size < 64) givenContentTypes.set(contentType, h)
  }
  return h
}

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

/** What every constructor shares: status, reason, charset, headers, cookies. */
export interface BaseFields {
  readonly status: number
  readonly customReason: string | undefined
  readonly explicitCharset: string | undefined
  readonly defaultCharset: undefined
  readonly headers: ReadonlyArray<Header>
  readonly cookies: ReadonlyArray<Cookie>
}

/** The headers, Content-Type and charset rules, and the status check of every constructor. */
export const makeBase = (options: Omit<Options, "content">): Either.Either<BaseFields, MakeError> => {
  const headersE = rules.headersFromInput(options.headers)
  if (Either.isLeft(headersE)) return Either.left(headersE.left)
  let headers = headersE.right
  const hasContentType = rules.findHeader(headers, "content-type") !== -1
  if (options.contentType && hasContentType) {
    return Either.left(
      new InvalidArgument({
        message: "'headers' must not contain 'Content-Type' when the 'content_type' parameter is provided."
      })
    )
  }
  if (!hasContentType) {
    const h: Either.Either<Header, MakeError> = options.contentType !== undefined
      ? rules.validateHeader("Content-Type", options.contentType)
      : options.charset === undefined
      ? Either.right(rules.PENDING_CONTENT_TYPE)
      : Either.map(rules.defaultContentType(options.charset), ([header]) => header)
    if (Either.isLeft(h)) return Either.left(h.left)
    headers = headers.length === 0 ? [h.right] : rules.putHeader(headers, h.right)
  }
  let status = 200
  if (options.status !== undefined) {
    const s = rules.checkStatus(options.status)
    if (Either.isLeft(s)) return Either.left(s.left)
    status = s.right
  }
  return Either.right({
    status,
    customReason: options.reason,
    explicitCharset: options.charset,
    defaultCharset: undefined,
    headers,
    cookies: []
  })
}

/** The fast path of `make`: only a Content-Type (the default one or one given) and text or nothing. */
const makeSimple = (options: Options): Plain | undefined => {
  let header: Header
  let charset: string | undefined
  if (options.contentType === undefined) {
    if (options.charset === undefined) {
      header = rules.PENDING_CONTENT_TYPE
    } else {
      const ct = rules.defaultContentType(options.charset)
      if (Either.isLeft(ct)) return undefined
      header = ct.right[0]
      charset = options.charset
    }
  } else {
    const ct = givenContentType(options.contentType)
    if (Either.isLeft(ct)) return undefined
    header = ct.right[0]
    charset = options.charset ?? ct.right[1]
  }
  const content = options.content
  let chunks: ReadonlyArray<Uint8Array | string>
  if (content === undefined) {
    chunks = EMPTY
  } else if (typeof content !== "string") {
    return undefined
  } else if (charset === undefined) {
    chunks = [content]
  } else {
    const bytes = rules.utf8Bytes(content, charset)
    if (bytes === undefined) return undefined
    chunks = bytes.length === 0 ? EMPTY : [bytes]
  }
  return unsafeMake<Plain>({
    _tag: "HttpResponse",
    streaming: false,
    status: 200,
    customReason: options.reason,
    explicitCharset: options.charset,
    defaultCharset: undefined,
    headers: [header],
    cookies: [],
    chunks
  })
}

/** Django's `HttpResponse(content, content_type, status, reason, charset, headers)`. */
export const make = (options: Options = {}): Either.Either<Plain, MakeError> => {
  if (options.headers === undefined && options.status === undefined) {
    // The common case, without the intermediate values. Anything invalid takes the general
    // path, which fails with the right error.
    const simple = makeSimple(options)
    if (simple !== undefined) return Either.right(simple)
  }
  const base = makeBase(options)
  if (Either.isLeft(base)) return Either.left(base.left)
  const b = base.right
  const chunks = contentChunks(options.content, rules.knownCharsetOf(b.explicitCharset, b.headers, undefined))
  if (Either.isLeft(chunks)) return Either.left(chunks.left)
  return Either.right(unsafeMake<Plain>({ _tag: "HttpResponse", streaming: false, ...b, chunks: chunks.right }))
}

/** A status subclass of `HttpResponse`. */
export const withStatus = (status: number) => (options: StatusOptions = {}): Either.Either<Plain, MakeError> =>
  make({ ...options, status })

/** `HttpResponseNotAllowed(permitted_methods)`. */
export const notAllowed = (methods: Iterable<string>, options: StatusOptions = {}): Either.Either<Plain, MakeError> =>
  Either.flatMap(make({ ...options, status: 405 }), (res) => {
    const h = rules.validateHeader("Allow", Array.from(methods).join(", "))
    return Either.map(h, (header) => update(res, { headers: rules.putHeader(res.headers, header) }))
  })

/** `HttpResponseNotModified`. */
export const notModified = (options: StatusOptions = {}): Either.Either<Plain, MakeError> =>
  isTruthy(options.content)
    ? Either.left(new InvalidArgument({ message: "You cannot set content to a 304 (Not Modified) response" }))
    : Either.map(
      make({ ...options, content: undefined, status: 304 }),
      (res) => update(res, { headers: rules.removeHeader(res.headers, "content-type") })
    )

/** A streaming response; text in `source` is encoded with the charset, or when the response is settled. */
export const makeStreaming = <E>(
  source: Stream.Stream<string | Uint8Array, E>,
  options: Omit<Options, "content">
): Either.Either<Streaming, MakeError> =>
  Either.map(makeBase(options), (b) => {
    const charset = rules.knownCharsetOf(b.explicitCharset, b.headers, undefined)
    return unsafeMake<Streaming>({
      _tag: "StreamingHttpResponse",
      streaming: true,
      ...b,
      stream: rules.encodeStream(source, charset ?? "utf-8"),
      source: charset === undefined ? source : undefined
    })
  })

// ---------------------------------------------------------------------------
// Redirects and JSON
// ---------------------------------------------------------------------------

/** Python 3.11's `urlsplit` scheme: after stripping leading C0 controls and spaces and removing tabs and newlines. */
const schemeOf = (url: string): string => {
  // eslint-disable-next-line no-control-regex
  const u = url.replace(/^[\u0000-\u0020]+/, "").replace(/[\t\r\n]/g, "")
  const i = u.indexOf(":")
  if (i <= 0 || !/^[A-Za-z][A-Za-z0-9+\-.]*$/.test(u.slice(0, i))) return ""
  return u.slice(0, i).toLowerCase()
}

const ALLOWED_SCHEMES = ["http", "https", "ftp"]

/** The redirect rules of Django's `HttpResponseRedirectBase`. */
export const checkRedirect = (url: string): Either.Either<string, DisallowedRedirect> => {
  let length = 0
  for (const _ of url) length++
  if (length > 2048) {
    return Either.left(new DisallowedRedirect({ message: "Unsafe redirect exceeding 2048 characters" }))
  }
  const scheme = schemeOf(url)
  if (scheme !== "" && !ALLOWED_SCHEMES.includes(scheme)) {
    return Either.left(new DisallowedRedirect({ message: `Unsafe redirect to URL with protocol '${scheme}'` }))
  }
  return Either.right(iriToUri(url))
}

/** `HttpResponseRedirect` (302) and `HttpResponsePermanentRedirect` (301). */
export const redirectWith = (status: number) =>
(
  url: string,
  options: StatusOptions = {}
): Either.Either<Plain, MakeError | DisallowedRedirect> =>
  Either.flatMap(make({ ...options, status }), (res): Either.Either<Plain, MakeError | DisallowedRedirect> => {
    const location = checkRedirect(url)
    if (Either.isLeft(location)) return Either.left(location.left)
    return Either.map(
      rules.validateHeader("Location", location.right),
      (header) => update(res, { headers: rules.putHeader(res.headers, header) })
    )
  })

/** Python's `json.dumps(data, cls=DjangoJSONEncoder)`. */
export const jsonDumps = (
  data: unknown,
  params: json_.DumpsOptions = {}
): Either.Either<string, InvalidArgument> => {
  const out = json_.dumps(data, { ...params, django: true, skipUndefined: true })
  return typeof out === "string" ? Either.right(out) : Either.left(new InvalidArgument({ message: out.message }))
}

/** The options of `json`. */
export interface JsonOptions extends Omit<Options, "content"> {
  /** Only plain objects unless `false` (Django's `safe=True`). */
  readonly safe?: boolean | undefined
  readonly jsonDumpsParams?: json_.DumpsOptions | undefined
}

/** `JsonResponse(data, safe=True, json_dumps_params=None)`. */
export const json = (data: unknown, options: JsonOptions = {}): Either.Either<Plain, MakeError> => {
  const { jsonDumpsParams, safe, ...rest } = options
  const isDict = typeof data === "object" && data !== null && !Array.isArray(data) &&
    (Object.getPrototypeOf(data) === Object.prototype || Object.getPrototypeOf(data) === null)
  if ((safe ?? true) && !isDict) {
    return Either.left(
      new InvalidArgument({
        message: "In order to allow non-dict objects to be serialized set the safe parameter to False."
      })
    )
  }
  const body = jsonDumps(data, jsonDumpsParams)
  if (Either.isLeft(body)) return Either.left(body.left)
  return make({ ...rest, contentType: rest.contentType ?? "application/json", content: body.right })
}

// ---------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------

/** `response.content`; text not settled yet in Django's default `utf-8`. */
export const content = (self: Plain): Uint8Array => rules.contentBytes(self.chunks)

const notModifiedContent = () =>
  new InvalidArgument({ message: "You cannot set content to a 304 (Not Modified) response" })

/** `response.content = value`. */
export const setContent = (self: Plain, value: Content): Either.Either<Plain, InvalidArgument> => {
  if (self.status === 304 && isTruthy(value)) return Either.left(notModifiedContent())
  return Either.map(contentChunks(value, rules.knownCharset(self)), (chunks) => update(self, { chunks }))
}

/** `response.write(chunk)`. */
export const write = (self: Plain, chunk: rules.Chunk): Either.Either<Plain, InvalidArgument> =>
  Either.map(rules.makeChunk(chunk, rules.knownCharset(self)), (b) => update(self, { chunks: [...self.chunks, b] }))

/** `response.writelines(lines)`. */
export const writeLines = (self: Plain, lines: Iterable<rules.Chunk>): Either.Either<Plain, InvalidArgument> => {
  const chunks = [...self.chunks]
  const charset = rules.knownCharset(self)
  for (const line of lines) {
    const b = rules.makeChunk(line, charset)
    if (Either.isLeft(b)) return Either.left(b.left)
    chunks.push(b.right)
  }
  return Either.right(update(self, { chunks }))
}

/** The body decoded with the response's charset, with Python's codec for it. */
export const text = (self: Plain): string => Codecs.lookup(self.charset).decode(content(self))

const latin1 = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/** `response.serialize_headers()`. */
export const serializeHeaders = (self: Any): Uint8Array =>
  latin1(self.headers.map((h) => `${h.name}: ${h.value}`).join("\r\n"))

/** `response.serialize()`. */
export const serialize = (self: Plain): Uint8Array =>
  concat([serializeHeaders(self), latin1("\r\n\r\n"), content(self)])

// ---------------------------------------------------------------------------
// Settling
// ---------------------------------------------------------------------------

/** `settleWith` with the `DEFAULT_CHARSET` of the fiber's `Settings`, read in one runtime step. */
export const settle = <A extends Any>(self: A): Effect.Effect<A, MakeError> =>
  self.defaultCharset !== undefined
    ? Effect.succeed(self)
    : Effect.withFiberRuntime((fiber) => settleWith(self, Settings.fromContext(fiber.currentContext).DEFAULT_CHARSET))
