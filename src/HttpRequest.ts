/**
 * Django's `HttpRequest` as an immutable Effect value.
 *
 * What Django computes eagerly or caches (`path`, `META`, `COOKIES`, `GET`,
 * `headers`) is a field; what depends on the body (`body`, `POST`, `FILES`) is
 * a memoised `Effect` that fails with Django's typed errors. Methods that read
 * settings (`getHost`, `scheme`, ...) take the `Settings` provided in the context,
 * else the settings the request was built with.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpRequest, RequestFactory, Settings } from "effect-django-http"
 *
 * const request = RequestFactory.get("/search?q=caf%C3%A9", { headers: { Host: "example.com" } })
 * const program = Effect.gen(function*() {
 *   const host = yield* HttpRequest.getHost(request) // "example.com"
 *   const uri = yield* HttpRequest.buildAbsoluteUri(request, "../x") // "http://example.com/x"
 *   return [host, uri]
 * })
 * Effect.runSync(program.pipe(Effect.provide(Settings.layer({ ALLOWED_HOSTS: ["example.com"] }))))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Inspectable from "effect/Inspectable"
import type * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import type { Pipeable } from "effect/Pipeable"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type {
  BadSignature,
  DisallowedHost,
  ImproperlyConfigured,
  MultiValueDictKeyError,
  SignatureExpired,
  TooManyFieldsSent,
  UnreadablePostError
} from "./Errors.js"
import type { BodyError as BodyError_ } from "./internal/body.js"
import * as internal from "./internal/httpRequest.js"
import * as adapter from "./internal/node/adapter.js"
import type { PostError as PostError_, UploadedFileLike as UploadedFileLike_ } from "./internal/post.js"
import type * as QD from "./internal/querydict.js"
import * as requestDecode from "./internal/requestDecode.js"
import * as requestUrl from "./internal/requestUrl.js"
import type * as Settings from "./Settings.js"
import type * as Signing from "./Signing.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * @since 0.1.0
 * @category models
 */
export type QueryDict = QD.QueryDict

/**
 * @since 0.1.0
 * @category models
 */
export type MultiValueDict<V> = QD.MultiValueDict<V>

/**
 * An uploaded file in `FILES`: Django's `UploadedFile` (see the `UploadedFile` module).
 *
 * @since 0.1.0
 * @category models
 */
export type UploadedFileLike = UploadedFileLike_

/**
 * What `body` can fail with: `RequestDataTooBig`, `UnreadablePostError`, `RawPostDataException`.
 *
 * @since 0.1.0
 * @category errors
 */
export type BodyError = BodyError_

/**
 * What loading `POST`/`FILES` can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type PostError = PostError_

/**
 * Django's `request.headers`: case-insensitive, and `_` works as `-`
 * (`get("user_agent")`). Names are titled as Django titles them (`User-Agent`).
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpHeaders extends Iterable<readonly [string, string]> {
  readonly get: (name: string) => Option.Option<string>
  readonly has: (name: string) => boolean
  /** Titled names to values, in META order. */
  readonly toRecord: () => Readonly<Record<string, string>>
}

/**
 * An HTTP request with Django 3.2's semantics.
 *
 * The body stream: a request's body can be read once, so every value derived
 * from one request (e.g. by `withEncoding`) shares one body cell. Django's
 * rules hold on it: `body` reads everything (checking `DATA_UPLOAD_MAX_MEMORY_SIZE`)
 * and keeps it; once any read (`read`, `readLine`, `lines`, `chunks`, multipart
 * parsing) has started without `body`, `body` fails with `RawPostDataException`;
 * once `body` was read, the reads replay it from its start. Reads share one
 * position, like a file.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpRequest extends Inspectable.Inspectable, Pipeable {
  readonly [TypeId]: TypeId
  /** Upper case (Django: `method`). */
  readonly method: string
  /** Script name plus path info (Django: `path`). */
  readonly path: string
  /** The path under the script name, `/` when empty (Django: `path_info`). */
  readonly pathInfo: string
  /** Django's `SCRIPT_NAME` after `FORCE_SCRIPT_NAME` and `SCRIPT_URL` rules. */
  readonly scriptName: string
  /** The encoding for GET/POST; `null` means `DEFAULT_CHARSET` (Django: `encoding`). */
  readonly encoding: string | null
  /** The query string parsed (Django: `GET`); fails when it has too many fields. */
  readonly GET: Either.Either<QueryDict, TooManyFieldsSent>
  /** Cookies with Django's `parse_cookie` rules (Django: `COOKIES`). */
  readonly COOKIES: Readonly<Record<string, string>>
  /** CGI variables and `HTTP_*` headers, as a WSGI server builds them (Django: `META`). */
  readonly META: Readonly<Record<string, string>>
  /** Django: `headers`. */
  readonly headers: HttpHeaders
  /** The Content-Type without parameters, case kept (Django 3.2: `content_type`). */
  readonly contentType: string
  /** Django: `content_params`. */
  readonly contentParams: Readonly<Record<string, string>>
  /** The whole body, memoised (Django: `body`). */
  readonly body: Effect.Effect<Uint8Array, BodyError>
  /** Form data of a POST (Django: `POST`). */
  readonly POST: Effect.Effect<QueryDict, PostError>
  /** Uploaded files of a multipart POST (Django: `FILES`). */
  readonly FILES: Effect.Effect<MultiValueDict<UploadedFileLike>, PostError>
  /** POST, then GET (Django < 1.9: `REQUEST`). */
  readonly REQUEST: Effect.Effect<QueryDict, PostError | TooManyFieldsSent>
  /** The scope body-dependent resources (temp files) belong to: the request's. */
  readonly scope: Scope.Scope
  /** The Context the request was built in (e.g. a `FileSystem` for uploads). */
  readonly context: Context.Context<never>
  /** The settings the request was built with (GET/POST limits, charset). */
  readonly settings: Settings.Settings
  /** `wsgi.url_scheme`: the scheme of the connection itself. */
  readonly urlScheme: "http" | "https"
}

/**
 * The current request, as a service.
 *
 * @since 0.1.0
 * @category tags
 */
export const HttpRequest: Context.Tag<HttpRequest, HttpRequest> = internal.tag

/**
 * @since 0.1.0
 * @category guards
 */
export const isHttpRequest: (u: unknown) => u is HttpRequest = internal.isHttpRequest

/**
 * What a request is built from: the parts of a WSGI environ.
 *
 * @since 0.1.0
 * @category models
 */
export interface Environ {
  readonly method: string
  /** The URL path as sent, percent-encoding allowed (becomes `PATH_INFO`). */
  readonly path: string
  /** The raw query string, not decoded. */
  readonly queryString?: string | undefined
  /** `SCRIPT_NAME`, percent-encoding allowed. */
  readonly scriptName?: string | undefined
  /** `SCRIPT_URL` (mod_rewrite), used only when set. */
  readonly scriptUrl?: string | undefined
  /** `REDIRECT_URL` (mod_rewrite), used only when set. */
  readonly redirectUrl?: string | undefined
  /** Header names and values; names containing `_` are dropped. */
  readonly headers?: Iterable<readonly [string, string]> | Readonly<Record<string, string>> | undefined
  /** Extra META keys, set last (Django's RequestFactory `**extra`). */
  readonly meta?: Readonly<Record<string, string>> | undefined
  readonly remoteAddr?: string | undefined
  readonly serverName?: string | undefined
  readonly serverPort?: string | undefined
  readonly serverProtocol?: string | undefined
  /** The connection's scheme (TLS or not). */
  readonly urlScheme?: "http" | "https" | undefined
  /** The body: bytes, or a single-use stream. */
  readonly body?: Uint8Array | Stream.Stream<Uint8Array, UnreadablePostError> | undefined
  /**
   * The settings the request is built with (GET/POST limits and encoding). Methods that
   * read settings later (`getHost`, ...) prefer a `Settings` service in the context.
   */
  readonly settings?: Settings.Settings | undefined
  /**
   * The scope body-dependent resources (spilled uploads) belong to. Give one whenever the
   * request may carry uploads: without it a fresh scope is made that nothing closes, so
   * temporary files stay until the process exits.
   */
  readonly scope?: Scope.Scope | undefined
  readonly context?: Context.Context<never> | undefined
}

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

/**
 * Builds a request from the parts of a WSGI environ, as Django's `WSGIRequest` does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (environ: Environ): HttpRequest => internal.make(environ, adapter.withFileSystem)

/**
 * Builds the request from a platform `HttpServerRequest`: the remote address,
 * TLS from the Node socket when reachable (else the scheme of the URL the
 * platform reports; `X-Forwarded-Proto` counts only through
 * `SECURE_PROXY_SSL_HEADER`), and the body as a single-use stream. The request
 * captures the current `Scope` and Context, and the settings in it.
 *
 * Inside a view this is the view's own request. Elsewhere (a platform middleware) it may be a
 * value of its own, but every value of one platform request shares its body: the first to read
 * it reads it for all, POST and FILES are parsed once per encoding (with the settings of the
 * value that asked first), and after the first read it returns the value whose body was read,
 * as it was built (not a `withEncoding` or `withMeta` value derived from it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromServerRequest: (
  request: HttpServerRequest.HttpServerRequest
) => Effect.Effect<HttpRequest, never, Scope.Scope> = adapter.fromServerRequest

/**
 * `fromServerRequest` without an effect: `context` must hold the request's `Scope`.
 *
 * @internal
 */
export const unsafeFromServerRequest: (
  request: HttpServerRequest.HttpServerRequest,
  context: Context.Context<never>
) => HttpRequest = adapter.unsafeFromServerRequest

/**
 * The platform request a request was built from (`fromServerRequest`), if any.
 *
 * @internal
 */
export const serverRequestOf: (request: HttpRequest) => HttpServerRequest.HttpServerRequest | undefined =
  internal.serverRequestOf

/**
 * A layer-free way to get the current request in a platform handler: builds it
 * from the platform's `HttpServerRequest`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const current: Effect.Effect<HttpRequest, never, HttpServerRequest.HttpServerRequest | Scope.Scope> =
  adapter.current

// ---------------------------------------------------------------------------
// Encoding and META
// ---------------------------------------------------------------------------

/**
 * A request whose GET and POST decode with `encoding` (Django's `encoding`
 * setter). The body is shared: it is still read once.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withEncoding: {
  (encoding: string | null): (self: HttpRequest) => HttpRequest
  (self: HttpRequest, encoding: string | null): HttpRequest
} = internal.withEncoding

/**
 * A request with other META (a middleware rewriting proxy headers, for instance). The body is
 * shared; method, paths and content type stay as the request was built; `headers` and
 * `COOKIES` follow the new META.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withMeta: {
  (meta: Readonly<Record<string, string>>): (self: HttpRequest) => HttpRequest
  (self: HttpRequest, meta: Readonly<Record<string, string>>): HttpRequest
} = internal.withMeta

// ---------------------------------------------------------------------------
// Host, port, scheme
// ---------------------------------------------------------------------------

/**
 * Django's `get_host()`: the host as sent (case and trailing dot kept), if it
 * is well-formed and matches `ALLOWED_HOSTS`, else `DisallowedHost` with
 * Django's message.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getHost: (self: HttpRequest) => Effect.Effect<string, DisallowedHost> = requestUrl.getHost

/**
 * `getHost` with the settings at hand, without an Effect (for checks on every request, such as
 * CSRF's Referer check).
 *
 * @since 0.1.0
 * @category accessors
 */
export const getHostWith: (self: HttpRequest, settings: Settings.Settings) => Either.Either<string, DisallowedHost> =
  requestUrl.getHostWith

/**
 * `getPort` with the settings at hand, without an Effect.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getPortWith: (self: HttpRequest, settings: Settings.Settings) => string = requestUrl.getPortWith

/**
 * Django's `get_port()`: `X-Forwarded-Port` with `USE_X_FORWARDED_PORT`, else `SERVER_PORT`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getPort: (self: HttpRequest) => Effect.Effect<string> = requestUrl.getPort

/**
 * Django's `scheme`: with `SECURE_PROXY_SSL_HEADER` and the header present,
 * `https` only on an exact match (CVE-2019-12781); else the connection's.
 *
 * @since 0.1.0
 * @category accessors
 */
export const scheme: (self: HttpRequest) => Effect.Effect<"http" | "https"> = requestUrl.scheme

/**
 * Django's `is_secure()`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const isSecure: (self: HttpRequest) => Effect.Effect<boolean> = requestUrl.isSecure

// ---------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------

/**
 * Options of `getFullPath` and `getFullPathInfo`.
 *
 * @since 0.1.0
 * @category models
 */
export interface FullPathOptions {
  /** Append `/` when the path does not end with one (Django's `force_append_slash`). */
  readonly forceAppendSlash?: boolean | undefined
}

/**
 * Django's `get_full_path(force_append_slash)`: the escaped path and the query string.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getFullPath: {
  (options?: FullPathOptions): (self: HttpRequest) => string
  (self: HttpRequest, options?: FullPathOptions): string
} = requestUrl.getFullPath

/**
 * Django's `get_full_path_info(force_append_slash)`: as `getFullPath`, with `pathInfo`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getFullPathInfo: {
  (options?: FullPathOptions): (self: HttpRequest) => string
  (self: HttpRequest, options?: FullPathOptions): string
} = requestUrl.getFullPathInfo

/**
 * Django's `build_absolute_uri(location)`: the absolute URI of `location`
 * (the request's own full path when omitted), resolved against the request
 * with Python's `urljoin` rules. Validates the host (`DisallowedHost`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const buildAbsoluteUri: {
  (location?: string): (self: HttpRequest) => Effect.Effect<string, DisallowedHost>
  (self: HttpRequest, location?: string): Effect.Effect<string, DisallowedHost>
} = requestUrl.buildAbsoluteUri

/**
 * Django's `is_ajax()` (removed in 4.0): `X-Requested-With: XMLHttpRequest`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const isAjax: (self: HttpRequest) => boolean = requestUrl.isAjax

/**
 * Django's `accepts(media_type)` (3.1): whether the `Accept` header (default
 * `*\/*`) allows the media type.
 *
 * @since 0.1.0
 * @category accessors
 */
export const accepts: {
  (media: string): (self: HttpRequest) => boolean
  (self: HttpRequest, media: string): boolean
} = requestUrl.accepts

// ---------------------------------------------------------------------------
// The body stream
// ---------------------------------------------------------------------------

/**
 * Django's `read(size)`: up to `size` bytes (all that is left when omitted).
 * Marks the stream as started: `body` then fails with `RawPostDataException`
 * unless it was read before.
 *
 * @since 0.1.0
 * @category body
 */
export const read: (self: HttpRequest, size?: number) => Effect.Effect<Uint8Array, UnreadablePostError> = internal.read

/**
 * Django's `readline(size)`: up to and including the next `\n`; empty at the end.
 *
 * @since 0.1.0
 * @category body
 */
export const readLine: (self: HttpRequest, size?: number) => Effect.Effect<Uint8Array, UnreadablePostError> =
  internal.readLine

/**
 * The rest of the body line by line (Django's `for line in request`).
 *
 * @since 0.1.0
 * @category body
 */
export const lines: (self: HttpRequest) => Stream.Stream<Uint8Array, UnreadablePostError> = internal.lines

/**
 * The rest of the body in chunks of at most `size` bytes, pulled on demand
 * (nothing is buffered).
 *
 * @since 0.1.0
 * @category body
 */
export const chunks: (self: HttpRequest, size?: number) => Stream.Stream<Uint8Array, UnreadablePostError> =
  internal.chunks

// ---------------------------------------------------------------------------
// Typed decoders
// ---------------------------------------------------------------------------

/**
 * Decodes GET through a schema (`QueryDict.decode`): array fields take every
 * value of their key, scalar fields the last. Failures are `ParseError`s with paths, one
 * for every field that fails (`errors: "all"`); unhandled, they answer 400 listing them.
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaQuery: <A, I, R>(
  schema: Schema.Schema<A, I, R>
) => (self: HttpRequest) => Effect.Effect<A, TooManyFieldsSent | ParseResult.ParseError, R> = requestDecode.schemaQuery

/**
 * Decodes POST (urlencoded or multipart fields) through a schema.
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaForm: <A, I, R>(
  schema: Schema.Schema<A, I, R>
) => (self: HttpRequest) => Effect.Effect<A, PostError | ParseResult.ParseError, R> = requestDecode.schemaForm

/**
 * Decodes FILES through a schema, e.g. with `UploadedFile.schema({ maxSize, contentTypes })`
 * for each field: array fields take every file of their key, scalar fields the last.
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaFiles: <A, I, R>(
  schema: Schema.Schema<A, I, R>
) => (self: HttpRequest) => Effect.Effect<A, PostError | ParseResult.ParseError, R> = requestDecode.schemaFiles

/**
 * Decodes COOKIES through a schema.
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaCookies: <A, I, R>(
  schema: Schema.Schema<A, I, R>
) => (self: HttpRequest) => Effect.Effect<A, ParseResult.ParseError, R> = requestDecode.schemaCookies

/**
 * Decodes the headers through a schema; keys are lower-case header names
 * (`user-agent`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaHeaders: <A, I, R>(
  schema: Schema.Schema<A, I, R>
) => (self: HttpRequest) => Effect.Effect<A, ParseResult.ParseError, R> = requestDecode.schemaHeaders

/**
 * Decodes the body as UTF-8 JSON through a schema; malformed JSON is a `ParseError` too.
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaBodyJson: <A, I, R>(
  schema: Schema.Schema<A, I, R>
) => (self: HttpRequest) => Effect.Effect<A, BodyError | ParseResult.ParseError, R> = requestDecode.schemaBodyJson

/**
 * The raw body as a single-use stream, not buffered: for body parsers
 * (multipart). Starting it marks the stream as read, as Django's parsers do.
 *
 * @since 0.1.0
 * @category body
 */
export const rawStream: (self: HttpRequest) => Stream.Stream<Uint8Array, UnreadablePostError> = internal.rawStream

/**
 * Runs a body-dependent effect in the request's scope and the Context it was
 * built in (for parsers that allocate temp files).
 *
 * @since 0.1.0
 * @category body
 */
export const runInRequest: {
  (request: HttpRequest): <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.Effect<A, E>
  <A, E>(effect: Effect.Effect<A, E, Scope.Scope>, request: HttpRequest): Effect.Effect<A, E>
} = internal.runInRequest

// ---------------------------------------------------------------------------
// Signed cookies
// ---------------------------------------------------------------------------

/**
 * The options of `getSignedCookie`.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetSignedCookieOptions<D> {
  /** Added to the cookie name to make the signer's salt (Django's `salt`). Default `""`. */
  readonly salt?: string | undefined
  /** Reject cookies signed longer ago than this: seconds, or a `Duration`. Default: no limit. */
  readonly maxAge?: Signing.MaxAge | undefined
  /** Returned instead of failing when the cookie is missing or its signature is bad or expired. */
  readonly default?: D
}

/**
 * Django's `request.get_signed_cookie(key, default, salt, max_age)`: the value of a
 * cookie set with `ResponseCookies.setSignedCookie`, checked with the settings'
 * `SECRET_KEY` (and `SECRET_KEY_FALLBACKS`) at the time of Effect's `Clock`.
 * A missing cookie fails with `MultiValueDictKeyError` (Django's `KeyError`), a bad or
 * expired signature with `BadSignature` / `SignatureExpired`, all unless `default`
 * is given. A missing `SECRET_KEY` is `ImproperlyConfigured` either way.
 *
 * @since 0.1.0
 * @category cookies
 */
export const getSignedCookie: {
  <D = never>(
    key: string,
    options?: GetSignedCookieOptions<D>
  ): (
    self: HttpRequest
  ) => Effect.Effect<string | D, MultiValueDictKeyError | BadSignature | SignatureExpired | ImproperlyConfigured>
  <D = never>(
    self: HttpRequest,
    key: string,
    options?: GetSignedCookieOptions<D>
  ): Effect.Effect<string | D, MultiValueDictKeyError | BadSignature | SignatureExpired | ImproperlyConfigured>
} = requestDecode.getSignedCookie
