/**
 * Django's `HttpResponse` and its family as immutable values.
 *
 * A response is data: status, reason phrase, charset, headers (case-insensitive,
 * original spelling and order kept), cookies and content. Every "mutation"
 * (`setHeader`, `setCookie`, `write`, ...) returns a new response; every rule
 * Django enforces with an exception is a typed failure here, at the moment the
 * bad value is given, so nothing invalid ever reaches the wire. A response is
 * `Respondable`: an `@effect/platform` handler or `HttpRouter` route can return
 * it directly, or convert it with `toServerResponse`.
 *
 * | Django | here |
 * | --- | --- |
 * | `HttpResponse(content, content_type, status, reason, charset, headers)` | `make({ content, contentType, status, reason, charset, headers })` |
 * | `response['X'] = v`, `del response['X']`, `response.get('X')`, `'X' in response`, `setdefault` | `setHeader`, `removeHeader`, `getHeader`, `hasHeader`, `setDefaultHeader` |
 * | `set_cookie`, `delete_cookie` | `setCookie` (an Effect: it reads the `Clock`), `deleteCookie` |
 * | `write`, `writelines`, `tell`, `getvalue`, `content` | `write`, `writeLines`, `tell`, `getValue`, `content` |
 * | `serialize()`, `serialize_headers()` | `serialize`, `serializeHeaders` |
 * | `HttpResponseRedirect` ... `JsonResponse` | `redirect`, `permanentRedirect`, `notModified`, `badRequest`, `notFound`, `forbidden`, `notAllowed`, `gone`, `serverError`, `json` |
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResponse } from "effect-django-http"
 *
 * const view = Effect.gen(function*() {
 *   const res = yield* HttpResponse.make({ content: "<h1>Hello</h1>" })
 *   const withHeader = yield* HttpResponse.setHeader(res, "Cache-Control", "no-cache")
 *   return yield* HttpResponse.setCookie(withHeader, "seen", "1", { maxAge: 3600, httpOnly: true })
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import { type BadHeaderError, DisallowedRedirect, type ImproperlyConfigured, InvalidArgument } from "./Errors.js"
import * as Codecs from "./internal/python/codecs.js"
import * as json_ from "./internal/python/json.js"
import * as internal from "./internal/response.js"
import { iriToUri } from "./internal/url.js"
import * as Settings from "./Settings.js"
import * as Signing from "./Signing.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof internal.TypeId = internal.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = internal.TypeId

/**
 * A response with its content in memory (Django's `HttpResponse` and its status subclasses).
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpResponse extends internal.Plain {}

/**
 * Any response of this library: `HttpResponse`, `StreamingHttpResponse` or `FileResponse`.
 * Header and cookie functions accept any of them and return the same kind.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyResponse = internal.Any

/**
 * One header: its name as first spelled, its value as it goes on the wire.
 *
 * @since 0.1.0
 * @category models
 */
export type Header = internal.Header

/**
 * A cookie as set on a response, with its `Set-Cookie` value in `header`.
 *
 * @since 0.1.0
 * @category models
 */
export type Cookie = internal.Cookie

/**
 * The options of `setCookie` (Django's `set_cookie` arguments, camelCased).
 *
 * @since 0.1.0
 * @category models
 */
export type CookieOptions = internal.CookieOptions

/**
 * A header value: strings, or numbers (written with `String`, as Django's `str()`).
 *
 * @since 0.1.0
 * @category models
 */
export type HeaderValue = internal.HeaderValue

/**
 * Headers given to a constructor: a record or `[name, value]` pairs, in order.
 *
 * @since 0.1.0
 * @category models
 */
export type HeadersInput = internal.HeadersInput

/**
 * One piece of content: bytes as they are, strings encoded with the response's
 * charset, numbers written with `String` (Django's `make_bytes`).
 *
 * @since 0.1.0
 * @category models
 */
export type Chunk = internal.Chunk

/**
 * Content: one chunk, or an iterable of chunks joined at once.
 *
 * @since 0.1.0
 * @category models
 */
export type Content = Chunk | Iterable<Chunk>

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly content?: Content | undefined
  /** Sets Content-Type; giving it and a Content-Type header is a typed failure. */
  readonly contentType?: string | undefined
  /** 100 to 599. */
  readonly status?: number | undefined
  /** A custom reason phrase; by default Python's `http.client.responses`, else `Unknown Status Code`. */
  readonly reason?: string | undefined
  /** The charset; by default the Content-Type's `charset=`, else `DEFAULT_CHARSET`. */
  readonly charset?: string | undefined
  readonly headers?: HeadersInput | undefined
}

/**
 * Errors a constructor can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type MakeError = InvalidArgument | BadHeaderError

/**
 * @since 0.1.0
 * @category guards
 */
export const isAnyResponse: (u: unknown) => u is AnyResponse = internal.isResponse

/**
 * @since 0.1.0
 * @category guards
 */
export const isHttpResponse = (u: unknown): u is HttpResponse => internal.isResponse(u) && u._tag === "HttpResponse"

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

const isChunk = (u: unknown): u is Chunk =>
  typeof u === "string" || u instanceof Uint8Array || typeof u === "number" || typeof u === "bigint"

const contentChunks = (
  content: Content | undefined,
  charset: string
): Either.Either<ReadonlyArray<Uint8Array>, InvalidArgument> => {
  if (content === undefined) return Either.right([])
  if (isChunk(content)) {
    const b = internal.makeBytes(content, charset)
    return Either.isLeft(b) ? Either.left(b.left) : Either.right(b.right.length === 0 ? [] : [b.right])
  }
  const parts: Array<Uint8Array> = []
  for (const chunk of content) {
    const b = internal.makeBytes(chunk, charset)
    if (Either.isLeft(b)) return Either.left(b.left)
    parts.push(b.right)
  }
  return Either.right(parts.length <= 1 ? parts : [internal.concat(parts)])
}

const isTruthy = (content: Content | undefined): boolean => {
  if (content === undefined) return false
  if (typeof content === "string" || content instanceof Uint8Array) return content.length > 0
  if (typeof content === "number") return content !== 0
  if (typeof content === "bigint") return content !== 0n
  for (const _ of content) return true
  return false
}

const EMPTY = new Uint8Array(0)

/** A validated Content-Type header and the charset it names, if any. */
type ContentTypeHeader = Either.Either<readonly [Header, string | undefined], MakeError>

const defaultContentTypes = new Map<string, ContentTypeHeader>()

/** `text/html; charset=<charset>`, validated once per charset (at most 64 kept). */
const defaultContentType = (charset: string): ContentTypeHeader => {
  let h = defaultContentTypes.get(charset)
  if (h === undefined) {
    h = Either.map(
      internal.validateHeader("Content-Type", `text/html; charset=${charset}`),
      (header) => [header, charset] as const
    )
    if (defaultContentTypes.size < 64) defaultContentTypes.set(charset, h)
  }
  return h
}

const givenContentTypes = new Map<string, ContentTypeHeader>()

/** A Content-Type given to `make`, validated once per value (at most 64 kept). */
const givenContentType = (contentType: string): ContentTypeHeader => {
  let h = givenContentTypes.get(contentType)
  if (h === undefined) {
    h = Either.map(
      internal.validateHeader("Content-Type", contentType),
      (header) => [header, internal.charsetFromContentType(header.value)] as const
    )
    if (givenContentTypes.size < 64) givenContentTypes.set(contentType, h)
  }
  return h
}

/**
 * The part every constructor shares (headers, Content-Type and charset rules,
 * status check), for `StreamingHttpResponse` and `FileResponse`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeBase = (
  options: Omit<Options, "content">,
  defaultCharset: string
): Either.Either<
  {
    readonly status: number
    readonly customReason: string | undefined
    readonly explicitCharset: string | undefined
    readonly defaultCharset: string
    readonly headers: ReadonlyArray<Header>
    readonly cookies: ReadonlyArray<Cookie>
  },
  MakeError
> => {
  const headersE = internal.headersFromInput(options.headers)
  if (Either.isLeft(headersE)) return Either.left(headersE.left)
  let headers = headersE.right
  const hasContentType = internal.findHeader(headers, "content-type") !== -1
  if (options.contentType && hasContentType) {
    return Either.left(
      new InvalidArgument({
        message: "'headers' must not contain 'Content-Type' when the 'content_type' parameter is provided."
      })
    )
  }
  if (!hasContentType) {
    const h = options.contentType === undefined
      ? Either.map(defaultContentType(options.charset ?? defaultCharset), ([header]) => header)
      : internal.validateHeader("Content-Type", options.contentType)
    if (Either.isLeft(h)) return Either.left(h.left)
    headers = headers.length === 0 ? [h.right] : internal.putHeader(headers, h.right)
  }
  let status = 200
  if (options.status !== undefined) {
    const s = internal.checkStatus(options.status)
    if (Either.isLeft(s)) return Either.left(s.left)
    status = s.right
  }
  return Either.right({
    status,
    customReason: options.reason,
    explicitCharset: options.charset,
    defaultCharset,
    headers,
    cookies: []
  })
}

const charsetOfHeaders = (
  headers: ReadonlyArray<Header>,
  contentType: string | undefined,
  defaultCharset: string
): string => {
  const ct = internal.getHeader(headers, "content-type")
  // The default Content-Type names the default charset: no need to parse it back.
  if (contentType === undefined && ct === `text/html; charset=${defaultCharset}`) return defaultCharset
  return (ct !== undefined ? internal.charsetFromContentType(ct) : undefined) ?? defaultCharset
}

/**
 * `make` with the default charset given (Django's `DEFAULT_CHARSET`), without the Settings service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith = (options: Options, defaultCharset: string): Either.Either<HttpResponse, MakeError> => {
  if (options.headers === undefined && options.status === undefined) {
    // The common case, without the intermediate values: only a Content-Type (the default one
    // or one given, each validated once), status 200. Anything invalid takes the general path,
    // which fails with the right error.
    const ct = options.contentType === undefined
      ? defaultContentType(options.charset ?? defaultCharset)
      : givenContentType(options.contentType)
    if (Either.isRight(ct)) {
      const [header, charsetOfType] = ct.right
      const charset = options.charset ?? charsetOfType ?? defaultCharset
      const content = options.content
      const bytes = content === undefined ? EMPTY : internal.utf8Bytes(content, charset)
      if (bytes !== undefined) {
        return Either.right(internal.unsafeMake<internal.Plain>({
          _tag: "HttpResponse",
          streaming: false,
          status: 200,
          customReason: options.reason,
          explicitCharset: options.charset,
          defaultCharset,
          headers: [header],
          cookies: [],
          chunks: bytes.length === 0 ? [] : [bytes]
        }) as HttpResponse)
      }
    }
  }
  const base = makeBase(options, defaultCharset)
  if (Either.isLeft(base)) return Either.left(base.left)
  const b = base.right
  const charset = b.explicitCharset ?? charsetOfHeaders(b.headers, options.contentType, b.defaultCharset)
  const chunks = contentChunks(options.content, charset)
  if (Either.isLeft(chunks)) return Either.left(chunks.left)
  return Either.right(
    internal.unsafeMake<internal.Plain>({
      _tag: "HttpResponse",
      streaming: false,
      ...b,
      chunks: chunks.right
    }) as HttpResponse
  )
}

const withSettings = <A, E>(f: (defaultCharset: string) => Either.Either<A, E>): Effect.Effect<A, E> =>
  // `Settings.current` in one runtime step (`contextWithEffect` takes three): read the fiber's
  // context, and the `Either` is the next effect.
  Effect.withFiberRuntime((fiber) => f(Settings.fromContext(fiber.currentContext).DEFAULT_CHARSET))

/**
 * Django's `HttpResponse(content, content_type, status, reason, charset, headers)`.
 * `DEFAULT_CHARSET` comes from the `Settings` service (Django's default `utf-8`
 * when none is provided). Fails with `InvalidArgument` (bad status, both
 * `contentType` and a Content-Type header, content the charset cannot encode)
 * or `BadHeaderError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<HttpResponse, MakeError> =>
  withSettings((charset) => makeWith(options, charset))

/**
 * The options of the status constructors: those of `make` without `status`.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusOptions = Omit<Options, "status">

const withStatus = (status: number) => (options: StatusOptions = {}): Effect.Effect<HttpResponse, MakeError> =>
  make({ ...options, status })

/**
 * `HttpResponseBadRequest`: 400.
 *
 * @since 0.1.0
 * @category constructors
 */
export const badRequest: (options?: StatusOptions) => Effect.Effect<HttpResponse, MakeError> = withStatus(400)

/**
 * `HttpResponseForbidden`: 403.
 *
 * @since 0.1.0
 * @category constructors
 */
export const forbidden: (options?: StatusOptions) => Effect.Effect<HttpResponse, MakeError> = withStatus(403)

/**
 * `HttpResponseNotFound`: 404.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notFound: (options?: StatusOptions) => Effect.Effect<HttpResponse, MakeError> = withStatus(404)

/**
 * `HttpResponseGone`: 410.
 *
 * @since 0.1.0
 * @category constructors
 */
export const gone: (options?: StatusOptions) => Effect.Effect<HttpResponse, MakeError> = withStatus(410)

/**
 * `HttpResponseServerError`: 500.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serverError: (options?: StatusOptions) => Effect.Effect<HttpResponse, MakeError> = withStatus(500)

/**
 * `HttpResponseNotAllowed(permitted_methods)`: 405 with `Allow: GET, POST`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notAllowed = (
  methods: Iterable<string>,
  options: StatusOptions = {}
): Effect.Effect<HttpResponse, MakeError> =>
  Effect.flatMap(make({ ...options, status: 405 }), (res) => setHeader(res, "Allow", Array.from(methods).join(", ")))

/**
 * `HttpResponseNotModified`: 304, no Content-Type; content is a typed failure
 * (`You cannot set content to a 304 (Not Modified) response`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const notModified = (options: StatusOptions = {}): Effect.Effect<HttpResponse, MakeError> =>
  isTruthy(options.content)
    ? Effect.fail(new InvalidArgument({ message: "You cannot set content to a 304 (Not Modified) response" }))
    : Effect.map(make({ ...options, content: undefined, status: 304 }), (res) => removeHeader(res, "content-type"))

/** Python 3.11's `urlsplit` scheme: after stripping leading C0 controls and spaces and removing tabs and newlines. */
const schemeOf = (url: string): string => {
  // eslint-disable-next-line no-control-regex
  const u = url.replace(/^[\u0000-\u0020]+/, "").replace(/[\t\r\n]/g, "")
  const i = u.indexOf(":")
  if (i <= 0 || !/^[A-Za-z][A-Za-z0-9+\-.]*$/.test(u.slice(0, i))) return ""
  return u.slice(0, i).toLowerCase()
}

const ALLOWED_SCHEMES = ["http", "https", "ftp"]

/**
 * The redirect rules of Django's `HttpResponseRedirectBase`: Location is
 * `iri_to_uri(url)`; a URL longer than 2048 characters or with a scheme other
 * than http, https and ftp is `DisallowedRedirect`. The scheme is found as
 * Python 3.11's `urlparse` finds it (leading control characters and spaces
 * stripped, tabs and newlines removed, as browsers do); there is no host check.
 *
 * @since 0.1.0
 * @category redirects
 */
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

const redirectWith = (status: number) =>
(
  url: string,
  options: StatusOptions = {}
): Effect.Effect<HttpResponse, MakeError | DisallowedRedirect> =>
  Effect.flatMap(make({ ...options, status }), (res): Effect.Effect<HttpResponse, MakeError | DisallowedRedirect> => {
    const location = checkRedirect(url)
    return Either.isLeft(location) ? Either.left(location.left) : setHeader(res, "Location", location.right)
  })

/**
 * `HttpResponseRedirect(url)`: 302 to `iri_to_uri(url)`; see `checkRedirect`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const redirect: (
  url: string,
  options?: StatusOptions
) => Effect.Effect<HttpResponse, MakeError | DisallowedRedirect> = redirectWith(302)

/**
 * `HttpResponsePermanentRedirect(url)`: 301; see `checkRedirect`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const permanentRedirect: (
  url: string,
  options?: StatusOptions
) => Effect.Effect<HttpResponse, MakeError | DisallowedRedirect> = redirectWith(301)

/**
 * `json_dumps_params`: the options of Python's `json.dumps` that change the output.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonDumpsParams = json_.DumpsOptions

/**
 * @since 0.1.0
 * @category models
 */
export interface JsonOptions extends Omit<Options, "content"> {
  /** Only plain objects unless `false` (Django's `safe=True`). */
  readonly safe?: boolean | undefined
  readonly jsonDumpsParams?: JsonDumpsParams | undefined
}

/**
 * Python's `json.dumps(data, cls=DjangoJSONEncoder)`, byte for byte: ASCII
 * escapes, `", "` and `": "`, Python's float and int forms, a `Date` as
 * Django's encoder writes an aware datetime. Fails with `InvalidArgument`
 * carrying Python's message for what JSON cannot hold.
 *
 * @since 0.1.0
 * @category json
 */
export const jsonDumps = (data: unknown, params: JsonDumpsParams = {}): Either.Either<string, InvalidArgument> => {
  const out = json_.dumps(data, { ...params, django: true, skipUndefined: true })
  return typeof out === "string" ? Either.right(out) : Either.left(new InvalidArgument({ message: out.message }))
}

/**
 * `JsonResponse(data, safe=True, json_dumps_params=None)`: Content-Type
 * `application/json`, the body as Python's `json.dumps` writes it. With `safe`
 * (the default) anything but a plain object is `InvalidArgument` with Django's
 * `TypeError` message.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json = (data: unknown, options: JsonOptions = {}): Effect.Effect<HttpResponse, MakeError> => {
  const { jsonDumpsParams, safe, ...rest } = options
  const isDict = typeof data === "object" && data !== null && !Array.isArray(data) &&
    (Object.getPrototypeOf(data) === Object.prototype || Object.getPrototypeOf(data) === null)
  if ((safe ?? true) && !isDict) {
    return Effect.fail(
      new InvalidArgument({
        message: "In order to allow non-dict objects to be serialized set the safe parameter to False."
      })
    )
  }
  const body = jsonDumps(data, jsonDumpsParams)
  if (Either.isLeft(body)) return Effect.fail(body.left)
  return make({ ...rest, contentType: rest.contentType ?? "application/json", content: body.right })
}

// ---------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------

/**
 * Changes the status (and, optionally, the reason phrase), as assigning
 * `status_code` in Django.
 *
 * @since 0.1.0
 * @category combinators
 */
export const setStatus: {
  (status: number, reason?: string): <A extends AnyResponse>(self: A) => Either.Either<A, InvalidArgument>
  <A extends AnyResponse>(self: A, status: number, reason?: string): Either.Either<A, InvalidArgument>
} = dual(
  (args) => isAnyResponse(args[0]),
  <A extends AnyResponse>(self: A, status: number, reason?: string): Either.Either<A, InvalidArgument> =>
    Either.map(
      internal.checkStatus(status),
      (s) => internal.update<AnyResponse>(self, { status: s, customReason: reason ?? self.customReason }) as A
    )
)

// ---------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------

/**
 * `response[name] = value`: replaces a header (keeping its place) or appends it.
 * CR or LF in the name or value is `BadHeaderError` ("Header values can't
 * contain newlines (got ...)"), a non-ASCII name `InvalidArgument`; a value
 * outside Latin-1 is MIME-encoded (`=?utf-8?b?...?=`). Other control
 * characters and names that are not HTTP tokens are `BadHeaderError` too (Django
 * lets them through; Node would drop the connection on them).
 *
 * @since 0.1.0
 * @category headers
 */
export const setHeader: {
  (name: string, value: HeaderValue): <A extends AnyResponse>(self: A) => Either.Either<A, MakeError>
  <A extends AnyResponse>(self: A, name: string, value: HeaderValue): Either.Either<A, MakeError>
} = dual(3, <A extends AnyResponse>(self: A, name: string, value: HeaderValue): Either.Either<A, MakeError> => {
  const h = internal.validateHeader(name, typeof value === "string" ? value : String(value))
  if (Either.isLeft(h)) return Either.left(h.left)
  return Either.right(internal.withHeaders(self, internal.putHeader(self.headers, h.right)))
})

/**
 * `response.setdefault(name, value)`: sets the header only when it is absent.
 *
 * @since 0.1.0
 * @category headers
 */
export const setDefaultHeader: {
  (name: string, value: HeaderValue): <A extends AnyResponse>(self: A) => Either.Either<A, MakeError>
  <A extends AnyResponse>(self: A, name: string, value: HeaderValue): Either.Either<A, MakeError>
} = dual(
  3,
  <A extends AnyResponse>(self: A, name: string, value: HeaderValue): Either.Either<A, MakeError> =>
    internal.findHeader(self.headers, name) === -1 ? setHeader(self, name, value) : Either.right(self)
)

/**
 * `del response[name]`: removes a header; removing a missing one changes nothing.
 *
 * @since 0.1.0
 * @category headers
 */
export const removeHeader: {
  (name: string): <A extends AnyResponse>(self: A) => A
  <A extends AnyResponse>(self: A, name: string): A
} = dual(2, <A extends AnyResponse>(self: A, name: string): A => {
  const headers = internal.removeHeader(self.headers, name)
  return headers === self.headers ? self : internal.withHeaders(self, headers)
})

/**
 * `response.get(name)`, case-insensitive.
 *
 * @since 0.1.0
 * @category headers
 */
export const getHeader: {
  (name: string): (self: AnyResponse) => Option.Option<string>
  (self: AnyResponse, name: string): Option.Option<string>
} = dual(2, (self: AnyResponse, name: string) => Option.fromNullable(internal.getHeader(self.headers, name)))

/**
 * `name in response`, case-insensitive.
 *
 * @since 0.1.0
 * @category headers
 */
export const hasHeader: {
  (name: string): (self: AnyResponse) => boolean
  (self: AnyResponse, name: string): boolean
} = dual(2, (self: AnyResponse, name: string) => internal.findHeader(self.headers, name) !== -1)

// ---------------------------------------------------------------------------
// Cookies
// ---------------------------------------------------------------------------

const needsClock = (options: CookieOptions): boolean => options.maxAge !== undefined || options.expires instanceof Date

/**
 * Django's `set_cookie(key, value, max_age, expires, path, domain, secure,
 * httponly, samesite)`, with Python's `Set-Cookie` formatting (attributes in
 * Django's order, values quoted with octal escapes when needed). `maxAge` also
 * sets `expires` from the `Clock`; a `Date` `expires` becomes `maxAge`. An
 * invalid `sameSite`, an illegal or reserved name, or a non-finite `maxAge` is
 * `InvalidArgument`; control characters or characters beyond Latin-1 (which
 * cannot go on the wire) are `BadHeaderError`.
 *
 * Unlike Django, whose cookies are keyed by name only, one name can be set for
 * several paths and domains; the same name, path and domain replaces the cookie
 * (with fresh attributes: Django would keep the old ones it is not given).
 *
 * @since 0.1.0
 * @category cookies
 */
export const setCookie: {
  (
    key: string,
    value?: string,
    options?: CookieOptions
  ): <A extends AnyResponse>(self: A) => Effect.Effect<A, MakeError>
  <A extends AnyResponse>(self: A, key: string, value?: string, options?: CookieOptions): Effect.Effect<A, MakeError>
} = dual(
  (args) => isAnyResponse(args[0]),
  <A extends AnyResponse>(self: A, key: string, value = "", options: CookieOptions = {}): Effect.Effect<A, MakeError> =>
    needsClock(options)
      ? Effect.flatMap(Clock.currentTimeMillis, (now) => setCookieAt(self, key, value, options, now))
      : setCookieAt(self, key, value, options, 0)
)

/**
 * `setCookie` at a given time (milliseconds since the epoch), without the `Clock`.
 *
 * @since 0.1.0
 * @category cookies
 */
export const setCookieAt = <A extends AnyResponse>(
  self: A,
  key: string,
  value: string,
  options: CookieOptions,
  nowMillis: number
): Either.Either<A, MakeError> => {
  const c = internal.makeCookie(key, value, options, () => nowMillis)
  if (Either.isLeft(c)) return Either.left(c.left)
  return Either.right(internal.withCookies(self, internal.putCookie(self.cookies, c.right)))
}

/**
 * The options of `setSignedCookie`: `setCookie`'s, plus the salt.
 *
 * @since 0.1.0
 * @category models
 */
export type SignedCookieOptions = CookieOptions & {
  /** Added to the cookie name to make the signer's salt (Django's `salt`). Default `""`. */
  readonly salt?: string | undefined
}

/**
 * Django's `set_signed_cookie(key, value, salt, **kwargs)`: `setCookie` with the value
 * signed as Django's cookie signer does (`TimestampSigner`, key `"django.http.cookies"
 * + SECRET_KEY`, salt `key + salt`), at the time of Effect's `Clock`, with the current
 * `Settings`. Without `SECRET_KEY` it fails with `ImproperlyConfigured`.
 *
 * @since 0.1.0
 * @category cookies
 */
export const setSignedCookie: {
  (
    key: string,
    value: string,
    options?: SignedCookieOptions
  ): <A extends AnyResponse>(self: A) => Effect.Effect<A, MakeError | ImproperlyConfigured>
  <A extends AnyResponse>(
    self: A,
    key: string,
    value: string,
    options?: SignedCookieOptions
  ): Effect.Effect<A, MakeError | ImproperlyConfigured>
} = dual(
  (args) => isAnyResponse(args[0]),
  <A extends AnyResponse>(
    self: A,
    key: string,
    value: string,
    options: SignedCookieOptions = {}
  ): Effect.Effect<A, MakeError | ImproperlyConfigured> => {
    const { salt, ...cookie } = options
    return Effect.flatMap(
      Settings.current,
      (settings) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Either.flatMap(
            Signing.signCookieAt(settings, key, value, now / 1000, { salt: salt ?? "" }),
            (signed): Either.Either<A, MakeError | ImproperlyConfigured> => setCookieAt(self, key, signed, cookie, now)
          ))
    )
  }
)

/**
 * The options of `deleteCookie`.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeleteCookieOptions {
  readonly path?: string | null | undefined
  readonly domain?: string | undefined
  readonly sameSite?: string | undefined
}

/**
 * Django's `delete_cookie(key, path, domain, samesite)`: the cookie with an
 * empty value, `Max-Age=0` and `expires=Thu, 01 Jan 1970 00:00:00 GMT`;
 * `Secure` for `__Secure-` and `__Host-` names and for `SameSite=None`.
 *
 * @since 0.1.0
 * @category cookies
 */
export const deleteCookie: {
  (key: string, options?: DeleteCookieOptions): <A extends AnyResponse>(self: A) => Either.Either<A, MakeError>
  <A extends AnyResponse>(self: A, key: string, options?: DeleteCookieOptions): Either.Either<A, MakeError>
} = dual(
  (args) => isAnyResponse(args[0]),
  <A extends AnyResponse>(self: A, key: string, options: DeleteCookieOptions = {}): Either.Either<A, MakeError> => {
    const secure = key.startsWith("__Secure-") || key.startsWith("__Host-") ||
      (options.sameSite !== undefined && options.sameSite.toLowerCase() === "none")
    return setCookieAt(self, key, "", {
      maxAge: 0,
      expires: "Thu, 01 Jan 1970 00:00:00 GMT",
      secure,
      ...(options.path !== undefined ? { path: options.path } : {}),
      ...(options.domain !== undefined ? { domain: options.domain } : {}),
      ...(options.sameSite !== undefined ? { sameSite: options.sameSite } : {})
    }, 0)
  }
)

/**
 * The `Set-Cookie` header values, in the order the cookies were first set.
 *
 * @since 0.1.0
 * @category cookies
 */
export const setCookieHeaders = (self: AnyResponse): ReadonlyArray<string> => self.cookies.map((c) => c.header)

// ---------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------

/**
 * `response.content`: the bytes of the body.
 *
 * @since 0.1.0
 * @category content
 */
export const content = (self: HttpResponse): Uint8Array => internal.concat(self.chunks)

/**
 * `response.getvalue()`: the same as `content`.
 *
 * @since 0.1.0
 * @category content
 */
export const getValue: (self: HttpResponse) => Uint8Array = content

/**
 * `response.tell()`: the length of the body in bytes.
 *
 * @since 0.1.0
 * @category content
 */
export const tell: (self: HttpResponse) => number = internal.tell

/**
 * `response.content = value`: replaces the body (for a 304, only with empty content).
 *
 * @since 0.1.0
 * @category content
 */
export const setContent: {
  (content: Content): (self: HttpResponse) => Either.Either<HttpResponse, InvalidArgument>
  (self: HttpResponse, content: Content): Either.Either<HttpResponse, InvalidArgument>
} = dual(2, (self: HttpResponse, value: Content): Either.Either<HttpResponse, InvalidArgument> => {
  if (self.status === 304 && isTruthy(value)) {
    return Either.left(new InvalidArgument({ message: "You cannot set content to a 304 (Not Modified) response" }))
  }
  return Either.map(contentChunks(value, self.charset), (chunks) => internal.update(self, { chunks }))
})

/**
 * `response.write(chunk)`: appends to the body.
 *
 * @since 0.1.0
 * @category content
 */
export const write: {
  (chunk: Chunk): (self: HttpResponse) => Either.Either<HttpResponse, InvalidArgument>
  (self: HttpResponse, chunk: Chunk): Either.Either<HttpResponse, InvalidArgument>
} = dual(
  2,
  (self: HttpResponse, chunk: Chunk): Either.Either<HttpResponse, InvalidArgument> =>
    Either.map(internal.makeBytes(chunk, self.charset), (b) => internal.update(self, { chunks: [...self.chunks, b] }))
)

/**
 * `response.writelines(lines)`: appends each (no separator added, as in Django).
 *
 * @since 0.1.0
 * @category content
 */
export const writeLines: {
  (lines: Iterable<Chunk>): (self: HttpResponse) => Either.Either<HttpResponse, InvalidArgument>
  (self: HttpResponse, lines: Iterable<Chunk>): Either.Either<HttpResponse, InvalidArgument>
} = dual(2, (self: HttpResponse, lines: Iterable<Chunk>): Either.Either<HttpResponse, InvalidArgument> => {
  const chunks = [...self.chunks]
  for (const line of lines) {
    const b = internal.makeBytes(line, self.charset)
    if (Either.isLeft(b)) return Either.left(b.left)
    chunks.push(b.right)
  }
  return Either.right(internal.update(self, { chunks }))
})

/**
 * The body decoded with the response's charset (Django 5.2's `response.text`).
 *
 * @since 0.1.0
 * @category content
 */
export const text = (self: HttpResponse): string => {
  // Python's codec for the charset (latin-1 maps every byte to its code point; WHATWG's "latin1" is windows-1252).
  return Codecs.lookup(self.charset).decode(content(self))
}

// ---------------------------------------------------------------------------
// Serialization and interpretation
// ---------------------------------------------------------------------------

const latin1 = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/**
 * `response.serialize_headers()` (also `bytes()` of a streaming response):
 * `Name: value` lines joined by CRLF, Latin-1. Like Django's, it leaves out the
 * status line and the cookies.
 *
 * @since 0.1.0
 * @category conversions
 */
export const serializeHeaders = (self: AnyResponse): Uint8Array =>
  latin1(self.headers.map((h) => `${h.name}: ${h.value}`).join("\r\n"))

/**
 * `response.serialize()` (`bytes(response)`): the headers, a blank line, the body.
 *
 * @since 0.1.0
 * @category conversions
 */
export const serialize = (self: HttpResponse): Uint8Array =>
  internal.concat([serializeHeaders(self), latin1("\r\n\r\n"), content(self)])

/**
 * The `@effect/platform` response: status, reason phrase (as `statusText`),
 * headers (names lower-cased, as the platform keeps them), every cookie as its
 * own `Set-Cookie` line, and the body (with Content-Length for in-memory
 * bodies). A streaming body that fails after the headers went out is logged
 * and the connection closed, so the client sees a truncated response.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toServerResponse: (self: AnyResponse) => HttpServerResponse.HttpServerResponse = internal.toServerResponse
