/**
 * Django's `HttpResponse` and its family as immutable values.
 *
 * A response is data: status, reason phrase, charset, headers (case-insensitive,
 * original spelling and order kept), cookies and content. Building one reads no
 * service: `make` and the other constructors are plain functions returning an
 * `Either` (yieldable in `Effect.gen`), failing only on what the caller gave (a
 * bad status, a header with CR or LF). Every "mutation" (`setHeader`,
 * `ResponseCookies.setCookie`, `write`, ...) returns a new response; every rule Django enforces
 * with an exception is a typed failure here, at the moment the bad value is
 * given, so nothing invalid ever reaches the wire.
 *
 * What depends on the settings (`DEFAULT_CHARSET`, for a response given no charset) is
 * settled when the response is interpreted, by the handler, `View`, `toServerResponse` or the
 * platform (a response is `Respondable`); see `settle`.
 *
 * | Django | here |
 * | --- | --- |
 * | `HttpResponse(content, content_type, status, reason, charset, headers)` | `make({ content, contentType, status, reason, charset, headers })` |
 * | `response['X'] = v`, `del response['X']`, `response.get('X')`, `'X' in response`, `setdefault` | `setHeader`, `removeHeader`, `getHeader`, `hasHeader`, `setDefaultHeader` |
 * | `set_cookie`, `set_signed_cookie`, `delete_cookie` | `ResponseCookies.setCookie` (an Effect: it reads the `Clock`), `setSignedCookie`, `deleteCookie` |
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
 *   const res = yield* HttpResponse.make({ content: "<h1>Hello</h1>" }) // an Either: no service read
 *   return yield* HttpResponse.setHeader(res, "Cache-Control", "no-cache")
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Option from "effect/Option"
import type { DisallowedRedirect, InvalidArgument } from "./Errors.js"
import type * as json_ from "./internal/python/json.js"
import * as internal from "./internal/response.js"
import * as combinators from "./internal/response/combinators.js"

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
export type Content = internal.Content

/**
 * The options of `make`: `content`, `contentType` (giving it and a Content-Type header is a
 * typed failure), `status` (100 to 599), `reason` (by default Python's
 * `http.client.responses`, else `Unknown Status Code`), `charset` (by default the
 * Content-Type's `charset=`, else `DEFAULT_CHARSET`, settled when the response is
 * interpreted), `headers`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends internal.Options {}

/**
 * Errors a constructor can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type MakeError = internal.MakeError

/**
 * @since 0.1.0
 * @category guards
 */
export const isAnyResponse: (u: unknown) => u is AnyResponse = internal.isResponse

/**
 * @since 0.1.0
 * @category guards
 */
export const isHttpResponse: (u: unknown) => u is HttpResponse = combinators.isPlain

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

/**
 * Django's `HttpResponse(content, content_type, status, reason, charset, headers)`, as a
 * plain value: it reads no service. Without a `charset` (given, or named by the
 * Content-Type) the text waits for `DEFAULT_CHARSET`, settled when the response is
 * interpreted (see `settle`). Fails with `InvalidArgument` (bad status, both `contentType`
 * and a Content-Type header, content the given charset cannot encode) or `BadHeaderError`.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { HttpResponse } from "effect-django-http"
 *
 * const res = Either.getOrThrow(HttpResponse.make({ content: "Hello", contentType: "text/plain" }))
 * console.log(res.status, HttpResponse.text(res)) // 200 Hello
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Either.Either<HttpResponse, MakeError> = internal.make

/**
 * The options of the status constructors: those of `make` without `status`.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusOptions = Omit<Options, "status">

/**
 * A constructor of one of `HttpResponse`'s status subclasses.
 *
 * @since 0.2.0
 * @category models
 */
export type StatusConstructor = (options?: StatusOptions) => Either.Either<HttpResponse, MakeError>

/**
 * `HttpResponseBadRequest`: 400.
 *
 * @since 0.1.0
 * @category constructors
 */
export const badRequest: StatusConstructor = internal.withStatus(400)

/**
 * `HttpResponseForbidden`: 403.
 *
 * @since 0.1.0
 * @category constructors
 */
export const forbidden: StatusConstructor = internal.withStatus(403)

/**
 * `HttpResponseNotFound`: 404.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notFound: StatusConstructor = internal.withStatus(404)

/**
 * `HttpResponseGone`: 410.
 *
 * @since 0.1.0
 * @category constructors
 */
export const gone: StatusConstructor = internal.withStatus(410)

/**
 * `HttpResponseServerError`: 500.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serverError: StatusConstructor = internal.withStatus(500)

/**
 * `HttpResponseNotAllowed(permitted_methods)`: 405 with `Allow: GET, POST`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notAllowed: (
  methods: Iterable<string>,
  options?: StatusOptions
) => Either.Either<HttpResponse, MakeError> = internal.notAllowed

/**
 * `HttpResponseNotModified`: 304, no Content-Type; content is a typed failure
 * (`You cannot set content to a 304 (Not Modified) response`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const notModified: StatusConstructor = internal.notModified

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
export const checkRedirect: (url: string) => Either.Either<string, DisallowedRedirect> = internal.checkRedirect

/**
 * `HttpResponseRedirect(url)`: 302 to `iri_to_uri(url)`; see `checkRedirect`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const redirect: (
  url: string,
  options?: StatusOptions
) => Either.Either<HttpResponse, MakeError | DisallowedRedirect> = internal.redirectWith(302)

/**
 * `HttpResponsePermanentRedirect(url)`: 301; see `checkRedirect`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const permanentRedirect: (
  url: string,
  options?: StatusOptions
) => Either.Either<HttpResponse, MakeError | DisallowedRedirect> = internal.redirectWith(301)

/**
 * `json_dumps_params`: the options of Python's `json.dumps` that change the output.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonDumpsParams = json_.DumpsOptions

/**
 * The options of `json`: those of `make` without `content`, `safe` (only plain objects
 * unless `false`, Django's `safe=True`) and `jsonDumpsParams`.
 *
 * @since 0.1.0
 * @category models
 */
export interface JsonOptions extends internal.JsonOptions {}

/**
 * Python's `json.dumps(data, cls=DjangoJSONEncoder)`, byte for byte: ASCII
 * escapes, `", "` and `": "`, Python's float and int forms, a `Date` as
 * Django's encoder writes an aware datetime. Fails with `InvalidArgument`
 * carrying Python's message for what JSON cannot hold.
 *
 * @since 0.1.0
 * @category json
 */
export const jsonDumps: (data: unknown, params?: JsonDumpsParams) => Either.Either<string, InvalidArgument> =
  internal.jsonDumps

/**
 * `JsonResponse(data, safe=True, json_dumps_params=None)`: Content-Type
 * `application/json`, the body as Python's `json.dumps` writes it. With `safe`
 * (the default) anything but a plain object is `InvalidArgument` with Django's
 * `TypeError` message.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json: (data: unknown, options?: JsonOptions) => Either.Either<HttpResponse, MakeError> = internal.json

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
} = combinators.setStatus

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
} = combinators.setHeader

/**
 * `response.setdefault(name, value)`: sets the header only when it is absent.
 *
 * @since 0.1.0
 * @category headers
 */
export const setDefaultHeader: {
  (name: string, value: HeaderValue): <A extends AnyResponse>(self: A) => Either.Either<A, MakeError>
  <A extends AnyResponse>(self: A, name: string, value: HeaderValue): Either.Either<A, MakeError>
} = combinators.setDefaultHeader

/**
 * `del response[name]`: removes a header; removing a missing one changes nothing.
 *
 * @since 0.1.0
 * @category headers
 */
export const removeHeader: {
  (name: string): <A extends AnyResponse>(self: A) => A
  <A extends AnyResponse>(self: A, name: string): A
} = combinators.removeHeader

/**
 * `response.get(name)`, case-insensitive.
 *
 * @since 0.1.0
 * @category headers
 */
export const getHeader: {
  (name: string): (self: AnyResponse) => Option.Option<string>
  (self: AnyResponse, name: string): Option.Option<string>
} = combinators.getHeader

/**
 * `name in response`, case-insensitive.
 *
 * @since 0.1.0
 * @category headers
 */
export const hasHeader: {
  (name: string): (self: AnyResponse) => boolean
  (self: AnyResponse, name: string): boolean
} = combinators.hasHeader

// ---------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------

/**
 * `response.content`: the bytes of the body (text of a response not settled yet in
 * Django's default `utf-8`; see `settle`).
 *
 * @since 0.1.0
 * @category content
 */
export const content: (self: HttpResponse) => Uint8Array = internal.content

/**
 * `response.getvalue()`: the same as `content`.
 *
 * @since 0.1.0
 * @category content
 */
export const getValue: (self: HttpResponse) => Uint8Array = internal.content

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
} = combinators.setContent

/**
 * `response.write(chunk)`: appends to the body.
 *
 * @since 0.1.0
 * @category content
 */
export const write: {
  (chunk: Chunk): (self: HttpResponse) => Either.Either<HttpResponse, InvalidArgument>
  (self: HttpResponse, chunk: Chunk): Either.Either<HttpResponse, InvalidArgument>
} = combinators.write

/**
 * `response.writelines(lines)`: appends each (no separator added, as in Django).
 *
 * @since 0.1.0
 * @category content
 */
export const writeLines: {
  (lines: Iterable<Chunk>): (self: HttpResponse) => Either.Either<HttpResponse, InvalidArgument>
  (self: HttpResponse, lines: Iterable<Chunk>): Either.Either<HttpResponse, InvalidArgument>
} = combinators.writeLines

/**
 * The body decoded with the response's charset (Django 5.2's `response.text`), with
 * Python's codec for it (latin-1 maps every byte to its code point).
 *
 * @since 0.1.0
 * @category content
 */
export const text: (self: HttpResponse) => string = internal.text

// ---------------------------------------------------------------------------
// Serialization and interpretation
// ---------------------------------------------------------------------------

/**
 * `response.serialize_headers()` (also `bytes()` of a streaming response):
 * `Name: value` lines joined by CRLF, Latin-1. Like Django's, it leaves out the
 * status line and the cookies.
 *
 * @since 0.1.0
 * @category conversions
 */
export const serializeHeaders: (self: AnyResponse) => Uint8Array = internal.serializeHeaders

/**
 * `response.serialize()` (`bytes(response)`): the headers, a blank line, the body.
 *
 * @since 0.1.0
 * @category conversions
 */
export const serialize: (self: HttpResponse) => Uint8Array = internal.serialize

/**
 * Settles what a response's construction left to the settings: with `DEFAULT_CHARSET`
 * from the `Settings` in the context (Django's `utf-8` when none is provided), the
 * default Content-Type becomes `text/html; charset=<DEFAULT_CHARSET>` and text given
 * without a charset is encoded with it. Fails with `InvalidArgument` when it cannot be
 * encoded (where Django's constructor raises `UnicodeEncodeError`). Every interpreter
 * (the handler, `View`, `toServerResponse`, `Respondable`) does this; a settled response
 * is returned as it is.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResponse, Settings } from "effect-django-http"
 *
 * const program = Effect.gen(function*() {
 *   const res = yield* HttpResponse.make({ content: "café" })
 *   const settled = yield* HttpResponse.settle(res)
 *   return [settled.charset, HttpResponse.content(settled).length] // ["iso-8859-1", 4]
 * }).pipe(Effect.provide(Settings.layer({ DEFAULT_CHARSET: "iso-8859-1" })))
 * ```
 *
 * @since 0.2.0
 * @category conversions
 */
export const settle: <A extends AnyResponse>(self: A) => Effect.Effect<A, MakeError> = internal.settle

/**
 * `settle` with the default charset given, without the `Settings` service.
 *
 * @since 0.2.0
 * @category conversions
 */
export const settleWith: {
  (defaultCharset: string): <A extends AnyResponse>(self: A) => Either.Either<A, MakeError>
  <A extends AnyResponse>(self: A, defaultCharset: string): Either.Either<A, MakeError>
} = combinators.settleWith

/**
 * Whether a response's dependence on the settings is settled (see `settle`).
 *
 * @since 0.2.0
 * @category guards
 */
export const isSettled: (self: AnyResponse) => boolean = combinators.isSettled

/**
 * The `@effect/platform` response, settled first with the `DEFAULT_CHARSET` of the
 * `Settings` in the context (see `settle`): status, reason phrase (as `statusText`),
 * headers (names lower-cased, as the platform keeps them), every cookie as its own
 * `Set-Cookie` line, and the body (with Content-Length for in-memory bodies). A
 * streaming body that fails after the headers went out is logged and the connection
 * closed, so the client sees a truncated response.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toServerResponse: (self: AnyResponse) => Effect.Effect<HttpServerResponse.HttpServerResponse, MakeError> =
  internal.toServerResponseIn

/**
 * `toServerResponse` with the default charset given, without the `Settings` service.
 *
 * @since 0.2.0
 * @category conversions
 */
export const toServerResponseWith: (
  self: AnyResponse,
  defaultCharset: string
) => Either.Either<HttpServerResponse.HttpServerResponse, MakeError> = internal.toServerResponseWith
