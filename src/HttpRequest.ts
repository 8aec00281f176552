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
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import {
  type BadSignature,
  DisallowedHost,
  type ImproperlyConfigured,
  MultiValueDictKeyError,
  type SignatureExpired,
  type TooManyFieldsSent,
  UnreadablePostError
} from "./Errors.js"
import { BodyCell, BodyCellKey, type BodyError as BodyError_, memoize } from "./internal/body.js"
import { DEBUG_ALLOWED_HOSTS, splitDomainPort, validateHost } from "./internal/host.js"
import {
  decodePathBytes,
  headerNameFromMeta,
  metaName,
  parseHeader,
  unquoteToBytes,
  wsgiBytes
} from "./internal/meta.js"
import { bodyStream, isNodeReadable, lazyRequestScope, nodeResponseOf } from "./internal/node/body.js"
import { propertyOf } from "./internal/object.js"
import { parseCookie } from "./internal/parseCookie.js"
import {
  contentLengthOf,
  parseMultipart,
  type PostAndFiles,
  type PostError as PostError_,
  type UploadedFileLike as UploadedFileLike_
} from "./internal/post.js"
import { isKnownEncoding } from "./internal/python/codecs.js"
import { reprStr as pyRepr } from "./internal/python/repr.js"
import * as QD from "./internal/querydict.js"
import { escapeUriPath, iriToUri } from "./internal/url.js"
import { urljoin, urlsplit } from "./internal/urljoin.js"
import * as Settings from "./Settings.js"
import * as Signing from "./Signing.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-django-http/HttpRequest")

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
export const HttpRequest: Context.Tag<HttpRequest, HttpRequest> = Context.GenericTag<HttpRequest>(
  "effect-django-http/HttpRequest"
)

/**
 * @since 0.1.0
 * @category guards
 */
export const isHttpRequest = (u: unknown): u is HttpRequest => hasProperty(u, TypeId)

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

/** The provided `Settings` service, else the settings `self` was built with. */
const settingsOf = (self: HttpRequest): Effect.Effect<Settings.Settings> =>
  Effect.map(Effect.serviceOption(Settings.Settings), Option.getOrElse(() => self.settings))

// ---------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------

const emptyPostAndFiles = (encoding: string): PostAndFiles => ({
  POST: QD.empty(encoding),
  FILES: QD.emptyMultiValueDict()
})

const makeHeaders = (meta: Readonly<Record<string, string>>): HttpHeaders => {
  const byLower = new Map<string, readonly [string, string]>()
  for (const key of Object.keys(meta)) {
    const name = headerNameFromMeta(key)
    if (name !== undefined) byLower.set(name.toLowerCase(), [name, meta[key]!])
  }
  const norm = (name: string) => name.replace(/_/g, "-").toLowerCase()
  return {
    get: (name) => Option.map(Option.fromNullable(byLower.get(norm(name))), (e) => e[1]),
    has: (name) => byLower.has(norm(name)),
    toRecord: () => {
      const out: Record<string, string> = Object.create(null)
      for (const [name, value] of byLower.values()) out[name] = value
      return out
    },
    [Symbol.iterator]: () => byLower.values()
  }
}

interface Shared {
  readonly cell: BodyCell
  /** META, built on first use from the fields below (`buildMeta`). */
  metaCache: Readonly<Record<string, string>> | undefined
  readonly headers: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>
  /** The environ's query string (META's `QUERY_STRING` unless `extraMeta` has one). */
  readonly environQueryString: string
  readonly remoteAddr: string
  readonly serverName: string
  readonly serverPort: string
  readonly serverProtocol: string
  /** The environ's own META entries, over the ones built from the rest. */
  readonly extraMeta: Readonly<Record<string, string>> | undefined
  readonly queryString: string
  readonly cookieHeader: string
  readonly scope: Scope.Scope
  readonly context: Context.Context<never>
  readonly settings: Settings.Settings
  readonly urlScheme: "http" | "https"
  readonly method: string
  readonly path: string
  readonly pathInfo: string
  readonly scriptName: string
  readonly contentType: string
  readonly contentParams: Readonly<Record<string, string>>
  /** The platform request this one was built from, if any (`fromServerRequest`). */
  readonly server: HttpServerRequest.HttpServerRequest | undefined
  /**
   * The value `fromServerRequest` built (not one derived from it by `withEncoding` or
   * `withMeta`): set right after it is made, when `server` is.
   */
  root: RequestImpl | undefined
}

const utf8Replace = new TextDecoder("utf-8")

/**
 * Django reads the Cookie header with `get_str_from_wsgi`: the header's Latin-1 text back to
 * bytes, then decoded as UTF-8 with replacement (a raw `é` byte becomes U+FFFD).
 */
const cookieText = (header: string): string =>
  // eslint-disable-next-line no-control-regex
  /^[\u0000-\u007f]*$/.test(header) ? header : utf8Replace.decode(wsgiBytes(header))

/**
 * A request value: what every value of one request shares (`shared`), its encoding, and its
 * own caches. The fields read from `shared` are getters on the prototype, so that a value is a
 * handful of slots (a server builds one per request).
 */
class RequestImpl implements HttpRequest {
  declare readonly [TypeId]: TypeId
  /** @internal */
  readonly shared: Shared
  readonly encoding: string | null
  private _GET: Either.Either<QueryDict, TooManyFieldsSent> | undefined = undefined
  private _COOKIES: Readonly<Record<string, string>> | undefined = undefined
  private _headers: HttpHeaders | undefined = undefined
  private _loaded: Effect.Effect<PostAndFiles, PostError> | undefined = undefined

  constructor(shared: Shared, encoding: string | null) {
    this.shared = shared
    this.encoding = encoding
  }

  get method(): string {
    return this.shared.method
  }
  get path(): string {
    return this.shared.path
  }
  get pathInfo(): string {
    return this.shared.pathInfo
  }
  get scriptName(): string {
    return this.shared.scriptName
  }
  get contentType(): string {
    return this.shared.contentType
  }
  get contentParams(): Readonly<Record<string, string>> {
    return this.shared.contentParams
  }
  get scope(): Scope.Scope {
    return this.shared.scope
  }
  get context(): Context.Context<never> {
    return this.shared.context
  }
  get settings(): Settings.Settings {
    return this.shared.settings
  }
  get urlScheme(): "http" | "https" {
    return this.shared.urlScheme
  }

  /** @internal */
  get [BodyCellKey](): BodyCell {
    return (platformBody(this) ?? this.shared).cell
  }

  get body(): Effect.Effect<Uint8Array, BodyError> {
    return this[BodyCellKey].body(this.settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
  }

  private get loaded(): Effect.Effect<PostAndFiles, PostError> {
    if (this._loaded === undefined) {
      const body = platformBody(this)
      if (body === undefined) this._loaded = memoize(inRequest(this, loadPostAndFiles(this)))
      else {
        // Values of one platform request parse its body once per encoding, whichever asks first.
        let loaded = body.parsed.get(this.encoding)
        if (loaded === undefined) {
          loaded = memoize(inRequest(this, loadPostAndFiles(this)))
          body.parsed.set(this.encoding, loaded)
        }
        this._loaded = loaded
      }
    }
    return this._loaded
  }

  get POST(): Effect.Effect<QueryDict, PostError> {
    return Effect.map(this.loaded, (l) => l.POST)
  }

  get FILES(): Effect.Effect<MultiValueDict<UploadedFileLike>, PostError> {
    return Effect.map(this.loaded, (l) => l.FILES)
  }

  get REQUEST(): Effect.Effect<QueryDict, PostError | TooManyFieldsSent> {
    return Effect.flatMap(this.POST, (post) =>
      Either.map(this.GET, (get) => {
        const seen = new Set(QD.lists(post).map(([k]) => k))
        const entries: Array<readonly [string, string]> = []
        for (const [k, vs] of QD.lists(post)) for (const v of vs) entries.push([k, v])
        for (const [k, vs] of QD.lists(get)) if (!seen.has(k)) { for (const v of vs) entries.push([k, v]) }
        return QD.fromEntries(entries, this.encoding ?? this.settings.DEFAULT_CHARSET)
      }))
  }

  get GET(): Either.Either<QueryDict, TooManyFieldsSent> {
    if (this._GET === undefined) {
      this._GET = QD.parse(wsgiBytes(this.shared.queryString), {
        encoding: this.encoding ?? this.settings.DEFAULT_CHARSET,
        maxNumFields: this.settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
      })
    }
    return this._GET
  }

  get COOKIES(): Readonly<Record<string, string>> {
    return (this._COOKIES ??= parseCookie(cookieText(this.shared.cookieHeader)))
  }

  get META(): Readonly<Record<string, string>> {
    const shared = this.shared
    return (shared.metaCache ??= buildMeta(shared))
  }

  get headers(): HttpHeaders {
    return (this._headers ??= makeHeaders(this.META))
  }

  pipe() {
    return pipeArguments(this, arguments)
  }

  toString(): string {
    const full = fullPath(this.path, this.shared.queryString, false)
    return full === "" ? "<HttpRequest>" : `<HttpRequest: ${this.method} ${pyRepr(full)}>`
  }

  toJSON(): unknown {
    return {
      _id: "HttpRequest",
      method: this.method,
      path: this.path,
      pathInfo: this.pathInfo,
      scriptName: this.scriptName,
      encoding: this.encoding,
      contentType: this.contentType,
      META: this.META
    }
  }

  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}
Object.defineProperty(RequestImpl.prototype, TypeId, { value: TypeId })

/** Runs a body-dependent effect in the request's scope and construction context. */
const inRequest = <A, E>(request: HttpRequest, effect: Effect.Effect<A, E, Scope.Scope>): Effect.Effect<A, E> =>
  effect.pipe(
    Scope.extend(request.scope),
    Effect.mapInputContext((ctx: Context.Context<never>) => Context.merge(ctx, request.context))
  )

const cellOf = (request: HttpRequest): BodyCell => (request as RequestImpl)[BodyCellKey]

/**
 * The body of a platform request, shared by every value built from it: a platform request's body
 * can be read only once, and a platform middleware (`fromServerRequest`) and `View.toHttpApp` may
 * each build a value. `root` is the first reader's value as `fromServerRequest` built it (what a
 * later `fromServerRequest` returns); `parsed` holds POST and FILES per encoding.
 */
interface SharedBody {
  readonly cell: BodyCell
  readonly root: RequestImpl | undefined
  readonly parsed: Map<string | null, Effect.Effect<PostAndFiles, PostError>>
}

/**
 * Each platform request's shared body, registered on the first body read rather than when a
 * value is built: a `WeakMap` entry keeps its value alive as long as its key, and an entry for
 * every request (most never read a body) made each request value survive young-generation
 * collections and be promoted (measured in BENCHMARKS.md, `## server`).
 */
const bodies = new WeakMap<HttpServerRequest.HttpServerRequest, SharedBody>()

/** The shared body of the platform request `self` was built from; `undefined` for other requests. */
const platformBody = (self: RequestImpl): SharedBody | undefined => {
  const shared = self.shared
  const server = shared.server
  if (server === undefined) return undefined
  let body = bodies.get(server)
  if (body === undefined) {
    body = { cell: shared.cell, root: shared.root, parsed: new Map() }
    bodies.set(server, body)
  }
  return body
}

/**
 * Django's `_load_post_and_files`: POST and FILES together, from the body.
 */
const loadPostAndFiles = (request: HttpRequest): Effect.Effect<PostAndFiles, PostError, Scope.Scope> =>
  Effect.suspend(() => {
    const encoding = request.encoding ?? request.settings.DEFAULT_CHARSET
    const cell = cellOf(request)
    if (request.method !== "POST") return Effect.succeed(emptyPostAndFiles(encoding))
    // A stream read without `body`: Django gives empty results.
    if (cell.streamingStarted) return Effect.succeed(emptyPostAndFiles(encoding))
    if (request.contentType === "multipart/form-data") {
      // Multipart: the uploads work plugs its parser in here (src/internal/post.ts).
      return parseMultipart({
        contentType: request.META.CONTENT_TYPE ?? "",
        contentLength: contentLengthOf(request.META),
        encoding: request.encoding,
        settings: request.settings
      }, cell.stream())
    }
    if (request.contentType === "application/x-www-form-urlencoded") {
      return Effect.flatMap(request.body, (bytes) =>
        Either.map(
          QD.parse(bytes, { encoding, maxNumFields: request.settings.DATA_UPLOAD_MAX_NUMBER_FIELDS }),
          (POST): PostAndFiles => ({ POST, FILES: QD.emptyMultiValueDict() })
        ))
    }
    return Effect.succeed(emptyPostAndFiles(encoding))
  })

const utf8Strict = new TextDecoder("utf-8", { fatal: false })

const decodeScript = (raw: string): string => utf8Strict.decode(unquoteToBytes(raw))

/** `Content-Type` absent: no type, no parameters. */
const noContentType: readonly [string, Readonly<Record<string, string>>] = ["", Object.freeze(Object.create(null))]

/**
 * META, as a WSGI server builds it: the headers as `HTTP_*` variables, then the CGI variables.
 * A module-level function of the shared fields, so that a request keeps only what META needs.
 */
const buildMeta = (shared: Shared): Record<string, string> => {
  const meta: Record<string, string> = Object.create(null)
  const add = (name: string, value: string) => {
    if (name.includes("_")) return // CVE-2015-0219: `X_Forwarded_For` may not pose as `X-Forwarded-For`.
    const lower = name.toLowerCase()
    if (lower === "content-type") meta.CONTENT_TYPE = value
    else if (lower === "content-length") meta.CONTENT_LENGTH = value
    else {
      const key = metaName(name)
      meta[key] = key in meta ? `${meta[key]},${value}` : value
    }
  }
  const headers = shared.headers
  if (Array.isArray(headers)) {
    for (const [name, value] of headers as ReadonlyArray<readonly [string, string]>) add(name, value)
  } else {
    const record = headers as Readonly<Record<string, string>>
    for (const name in record) if (Object.hasOwn(record, name)) add(name, record[name]!)
  }
  meta.REQUEST_METHOD = shared.method
  meta.QUERY_STRING = shared.environQueryString
  meta.REMOTE_ADDR = shared.remoteAddr
  meta.SERVER_NAME = shared.serverName
  meta.SERVER_PORT = shared.serverPort
  meta.SERVER_PROTOCOL = shared.serverProtocol
  if (shared.extraMeta) Object.assign(meta, shared.extraMeta)
  meta.PATH_INFO = shared.pathInfo
  meta.SCRIPT_NAME = shared.scriptName
  return meta
}

/** The headers `makeRequest` reads eagerly (META is built on first use). */
interface EagerHeaders {
  contentType: string | undefined
  contentLength: string | undefined
  cookie: string | undefined
}

/** Notes one header in `found`: module-level rather than a closure made per request. */
const see = (found: EagerHeaders, name: string, value: string): void => {
  const lower = name.toLowerCase()
  if (lower === "content-type") found.contentType = value
  else if (lower === "content-length") found.contentLength = value
  else if (lower === "cookie") found.cookie = found.cookie === undefined ? value : `${found.cookie},${value}`
}

/**
 * Builds a request from the parts of a WSGI environ, as Django's `WSGIRequest` does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (environ: Environ): HttpRequest => makeRequest(environ, undefined)

/**
 * `make`, with the body made on its first read when `lazyBody` is given; `server` is the
 * platform request the value is built from (its values share one body, see `platformBody`).
 */
const makeRequest = (
  environ: Environ,
  lazyBody: (() => Stream.Stream<Uint8Array, UnreadablePostError>) | undefined,
  server?: HttpServerRequest.HttpServerRequest
): HttpRequest => {
  const settings = environ.settings ?? Settings.defaults
  const rawHeaders = environ.headers
  // A plain record (the platform's headers) is read in place; anything else becomes a list once.
  const record: Readonly<Record<string, string>> | undefined = rawHeaders !== undefined &&
      !Array.isArray(rawHeaders) && !(Symbol.iterator in rawHeaders)
    ? rawHeaders as Readonly<Record<string, string>>
    : undefined
  const list: ReadonlyArray<readonly [string, string]> = rawHeaders === undefined || record !== undefined
    ? []
    : Array.isArray(rawHeaders)
    ? rawHeaders
    : [...(rawHeaders as Iterable<readonly [string, string]>)]
  const method = environ.method.toUpperCase()

  // What the request needs eagerly is read from the headers directly; META is built on first use.
  let queryString = environ.queryString ?? ""
  if (environ.meta?.QUERY_STRING !== undefined) queryString = environ.meta.QUERY_STRING
  const found: EagerHeaders = { contentType: undefined, contentLength: undefined, cookie: undefined }
  if (record !== undefined) {
    for (const name in record) if (Object.hasOwn(record, name)) see(found, name, record[name]!)
  } else for (const [name, value] of list) see(found, name, value)
  let { contentLength: contentLengthRaw, contentType: contentTypeRaw, cookie: cookieHeader } = found
  if (environ.meta?.HTTP_COOKIE !== undefined) cookieHeader = environ.meta.HTTP_COOKIE
  if (environ.meta?.CONTENT_TYPE !== undefined) contentTypeRaw = environ.meta.CONTENT_TYPE
  if (environ.meta?.CONTENT_LENGTH !== undefined) contentLengthRaw = environ.meta.CONTENT_LENGTH

  // Paths (django/core/handlers/wsgi.py).
  const rawPath = environ.path
  const pathInfoIn = rawPath === "" || /^[\x20-\x24\x26-\x7e]*$/.test(rawPath)
    ? rawPath
    : decodePathBytes(unquoteToBytes(rawPath))
  let scriptName: string
  if (settings.FORCE_SCRIPT_NAME !== null) scriptName = settings.FORCE_SCRIPT_NAME
  else {
    const scriptUrl = environ.scriptUrl || environ.redirectUrl || ""
    if (scriptUrl !== "") {
      let bytes = unquoteToBytes(scriptUrl.replace(/\/+/g, "/"))
      const pathBytes = unquoteToBytes(rawPath)
      if (pathBytes.length > 0) bytes = bytes.subarray(0, Math.max(0, bytes.length - pathBytes.length))
      scriptName = utf8Strict.decode(bytes)
    } else {
      const raw = environ.scriptName ?? ""
      scriptName = /^[\x20-\x24\x26-\x7e]*$/.test(raw) ? raw : decodeScript(raw)
    }
  }
  const pathInfo = pathInfoIn === "" ? "/" : pathInfoIn
  const path = scriptName === "" && pathInfo.charCodeAt(0) === 47 // "/"
    ? pathInfo
    : scriptName.replace(/\/+$/, "") + "/" + pathInfo.replace("/", "")

  const [contentType, contentParams] = contentTypeRaw === undefined ? noContentType : parseHeader(contentTypeRaw)
  const charset = contentParams.charset
  const encoding = charset !== undefined && isKnownEncoding(charset) ? charset : null

  const lengthHeader = contentLengthRaw
  const contentLength = lengthHeader === undefined
    ? null
    : /^\s*[+-]?\d+\s*$/.test(lengthHeader)
    ? Math.max(0, parseInt(lengthHeader, 10))
    : 0
  const scope = environ.scope ?? Effect.runSync(Scope.make())
  const body = lazyBody !== undefined
    ? lazyBody
    : environ.body === undefined
    ? Stream.empty
    : environ.body instanceof Uint8Array
    ? Stream.make(environ.body)
    : environ.body
  const cell = new BodyCell(body, contentLength, scope)
  const urlScheme = environ.urlScheme ?? "http"
  const value = new RequestImpl({
    cell,
    metaCache: undefined,
    headers: record ?? list,
    environQueryString: environ.queryString ?? "",
    remoteAddr: environ.remoteAddr ?? "",
    serverName: environ.serverName ?? "localhost",
    serverPort: environ.serverPort ?? (urlScheme === "https" ? "443" : "80"),
    serverProtocol: environ.serverProtocol ?? "HTTP/1.1",
    extraMeta: environ.meta,
    queryString,
    cookieHeader: cookieHeader ?? "",
    scope,
    context: environ.context ?? Context.empty(),
    settings,
    urlScheme,
    method,
    path,
    pathInfo,
    scriptName,
    contentType,
    contentParams,
    server,
    root: undefined
  }, encoding)
  if (server !== undefined) value.shared.root = value
  return value
}

// ---------------------------------------------------------------------------
// From the platform
// ---------------------------------------------------------------------------

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
export const fromServerRequest = (
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<HttpRequest, never, Scope.Scope> =>
  Effect.withFiberRuntime((fiber) => Effect.succeed(unsafeFromServerRequest(request, fiber.currentContext)))

/**
 * `fromServerRequest` without an effect: `context` must hold the request's `Scope`.
 *
 * @internal
 */
export const unsafeFromServerRequest = (
  request: HttpServerRequest.HttpServerRequest,
  context: Context.Context<never>
): HttpRequest => {
  // The request a view already has in the context, if it is this platform request's (a
  // platform middleware inside the view); else the value that read its body, if any.
  const current = context.unsafeMap.get(HttpRequest.key)
  if (current instanceof RequestImpl && current.shared.server === request) return current
  const root = bodies.get(request)?.root
  if (root !== undefined) return root
  const parent = Context.unsafeGet(context, Scope.Scope)
  // On Node, the request's resources live in a child scope that also closes when the
  // client goes away before the response is written (internal/node/body.ts).
  const response = nodeResponseOf(request)
  return buildFromServerRequest(
    request,
    context,
    response === undefined ? parent : lazyRequestScope(parent, response)
  )
}

const buildFromServerRequest = (
  request: HttpServerRequest.HttpServerRequest,
  context: Context.Context<never>,
  scope: Scope.Scope
): HttpRequest => {
  const settings = Settings.fromContext(context)
  const source = request.source
  const socket = propertyOf(source, "socket")
  let urlScheme: "http" | "https" = "http"
  let serverName: string | undefined
  let serverPort: string | undefined
  if (socket !== undefined) {
    urlScheme = propertyOf(socket, "encrypted") === true ? "https" : "http"
    // Getters on a Node socket: each read once.
    const localAddress = propertyOf(socket, "localAddress")
    if (typeof localAddress === "string") serverName = localAddress
    const localPort = propertyOf(socket, "localPort")
    if (typeof localPort === "number") serverPort = String(localPort)
  } else if (hasProperty(source, "url") && typeof source.url === "string") {
    // A web `Request` (Bun, Deno, tests): its URL is absolute.
    urlScheme = source.url.startsWith("https:") ? "https" : "http"
    try {
      const parsed = new URL(source.url)
      serverName = parsed.hostname
      serverPort = parsed.port !== "" ? parsed.port : urlScheme === "https" ? "443" : "80"
    } catch {
      // not absolute: keep the defaults
    }
  }
  let url = request.url
  if (url.charCodeAt(0) !== 47) { // not "/...": an absolute URL (a web `Request`)
    const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(url)
    if (abs) url = url.slice(abs[0].length) || "/"
  }
  const q = url.indexOf("?")
  const path = q === -1 ? url : url.slice(0, q)
  const queryString = q === -1 ? "" : url.slice(q + 1)
  const version = propertyOf(source, "httpVersion")
  const httpVersion = typeof version === "string" ? version : "1.1"
  return makeRequest({
    method: request.method,
    path,
    queryString,
    headers: request.headers,
    remoteAddr: Option.getOrElse(request.remoteAddress, () => ""),
    serverName,
    serverPort,
    serverProtocol: httpVersion === "1.1" ? "HTTP/1.1" : `HTTP/${httpVersion}`,
    urlScheme,
    // On Node, read the IncomingMessage without letting an early stop destroy the socket
    // (internal/node/body.ts): a limit hit mid-body must still reach the client as a 400.
    settings,
    scope,
    context
  }, () =>
    isNodeReadable(source)
      ? bodyStream(source)
      : Stream.mapError(
        request.stream,
        (e) => new UnreadablePostError({ message: `request data read error: ${e.message}` })
      ), request)
}

/**
 * The platform request a request was built from (`fromServerRequest`), if any.
 *
 * @internal
 */
export const serverRequestOf = (request: HttpRequest): HttpServerRequest.HttpServerRequest | undefined =>
  request instanceof RequestImpl ? request.shared.server : undefined

/**
 * A layer-free way to get the current request in a platform handler: builds it
 * from the platform's `HttpServerRequest`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const current: Effect.Effect<HttpRequest, never, HttpServerRequest.HttpServerRequest | Scope.Scope> = Effect
  .flatMap(HttpServerRequest.HttpServerRequest, fromServerRequest)

// ---------------------------------------------------------------------------
// Encoding
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
} = dual(
  2,
  (self: HttpRequest, encoding: string | null): HttpRequest => new RequestImpl((self as RequestImpl).shared, encoding)
)

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
} = dual(
  2,
  (self: HttpRequest, meta: Readonly<Record<string, string>>): HttpRequest =>
    new RequestImpl({
      ...(self as RequestImpl).shared,
      metaCache: meta,
      queryString: meta.QUERY_STRING ?? "",
      cookieHeader: meta.HTTP_COOKIE ?? ""
    }, self.encoding)
)

// ---------------------------------------------------------------------------
// Host, port, scheme
// ---------------------------------------------------------------------------

const schemeWith = (self: HttpRequest, settings: Settings.Settings): "http" | "https" => {
  const header = settings.SECURE_PROXY_SSL_HEADER
  if (header !== null) {
    const value = self.META[header[0]]
    if (value !== undefined) return value === header[1] ? "https" : "http"
  }
  return self.urlScheme
}

const portWith = (self: HttpRequest, settings: Settings.Settings): string =>
  settings.USE_X_FORWARDED_PORT && self.META.HTTP_X_FORWARDED_PORT !== undefined
    ? self.META.HTTP_X_FORWARDED_PORT
    : self.META.SERVER_PORT ?? ""

const rawHost = (self: HttpRequest, settings: Settings.Settings): string => {
  if (settings.USE_X_FORWARDED_HOST && self.META.HTTP_X_FORWARDED_HOST !== undefined) {
    return self.META.HTTP_X_FORWARDED_HOST
  }
  if (self.META.HTTP_HOST !== undefined) return self.META.HTTP_HOST
  const port = portWith(self, settings)
  const name = self.META.SERVER_NAME ?? ""
  return port !== (schemeWith(self, settings) === "https" ? "443" : "80") ? `${name}:${port}` : name
}

const hostWith = (self: HttpRequest, settings: Settings.Settings): Either.Either<string, DisallowedHost> => {
  const host = rawHost(self, settings)
  const allowed = settings.DEBUG && settings.ALLOWED_HOSTS.length === 0 ? DEBUG_ALLOWED_HOSTS : settings.ALLOWED_HOSTS
  const [domain] = splitDomainPort(host)
  if (domain !== "" && validateHost(domain, allowed)) return Either.right(host)
  let message = `Invalid HTTP_HOST header: ${pyRepr(host)}.`
  message += domain !== ""
    ? ` You may need to add ${pyRepr(domain)} to ALLOWED_HOSTS.`
    : " The domain name provided is not valid according to RFC 1034/1035."
  return Either.left(new DisallowedHost({ message }))
}

/**
 * Django's `get_host()`: the host as sent (case and trailing dot kept), if it
 * is well-formed and matches `ALLOWED_HOSTS`, else `DisallowedHost` with
 * Django's message.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getHost = (self: HttpRequest): Effect.Effect<string, DisallowedHost> =>
  Effect.flatMap(settingsOf(self), (settings) => hostWith(self, settings))

/**
 * `getHost` with the settings at hand, without an Effect (for checks on every request, such as
 * CSRF's Referer check).
 *
 * @since 0.1.0
 * @category accessors
 */
export const getHostWith: (self: HttpRequest, settings: Settings.Settings) => Either.Either<string, DisallowedHost> =
  hostWith

/**
 * `getPort` with the settings at hand, without an Effect.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getPortWith: (self: HttpRequest, settings: Settings.Settings) => string = portWith

/**
 * Django's `get_port()`: `X-Forwarded-Port` with `USE_X_FORWARDED_PORT`, else `SERVER_PORT`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getPort = (self: HttpRequest): Effect.Effect<string> =>
  Effect.map(settingsOf(self), (settings) => portWith(self, settings))

/**
 * Django's `scheme`: with `SECURE_PROXY_SSL_HEADER` and the header present,
 * `https` only on an exact match (CVE-2019-12781); else the connection's.
 *
 * @since 0.1.0
 * @category accessors
 */
export const scheme = (self: HttpRequest): Effect.Effect<"http" | "https"> =>
  Effect.map(settingsOf(self), (settings) => schemeWith(self, settings))

/**
 * Django's `is_secure()`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const isSecure = (self: HttpRequest): Effect.Effect<boolean> => Effect.map(scheme(self), (s) => s === "https")

// ---------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------

const fullPath = (path: string, qs: string, forceAppendSlash: boolean): string => {
  return escapeUriPath(path) + (forceAppendSlash && !path.endsWith("/") ? "/" : "") +
    (qs !== "" ? "?" + iriToUri(qs) : "")
}

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
} = dual(
  (args) => isHttpRequest(args[0]),
  (self: HttpRequest, options?: FullPathOptions): string =>
    fullPath(self.path, (self as RequestImpl).shared.queryString, options?.forceAppendSlash ?? false)
)

/**
 * Django's `get_full_path_info(force_append_slash)`: as `getFullPath`, with `pathInfo`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getFullPathInfo: {
  (options?: FullPathOptions): (self: HttpRequest) => string
  (self: HttpRequest, options?: FullPathOptions): string
} = dual(
  (args) => isHttpRequest(args[0]),
  (self: HttpRequest, options?: FullPathOptions): string =>
    fullPath(self.pathInfo, (self as RequestImpl).shared.queryString, options?.forceAppendSlash ?? false)
)

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
} = dual(
  (args) => isHttpRequest(args[0]),
  (self: HttpRequest, location?: string): Effect.Effect<string, DisallowedHost> =>
    Effect.flatMap(settingsOf(self), (settings) => {
      let loc = location === undefined ? "//" + getFullPath(self) : location
      const bits = urlsplit(loc)
      if (bits.scheme !== "" && bits.netloc !== "") return Either.right(iriToUri(loc))
      return Either.map(hostWith(self, settings), (host) => {
        const schemeHost = `${schemeWith(self, settings)}://${host}`
        if (
          bits.path.startsWith("/") && bits.scheme === "" && bits.netloc === "" && !bits.path.includes("/./") &&
          !bits.path.includes("/../")
        ) {
          if (loc.startsWith("//")) loc = loc.slice(2)
          loc = schemeHost + loc
        } else loc = urljoin(schemeHost + self.path, loc)
        return iriToUri(loc)
      })
    })
)

/**
 * Django's `is_ajax()` (removed in 4.0): `X-Requested-With: XMLHttpRequest`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const isAjax = (self: HttpRequest): boolean => self.META.HTTP_X_REQUESTED_WITH === "XMLHttpRequest"

const mediaType = (raw: string): readonly [string, string] => {
  const full = raw.split(";")[0]!.trim().toLowerCase()
  const slash = full.indexOf("/")
  return slash === -1 ? [full, ""] : [full.slice(0, slash), full.slice(slash + 1)]
}

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
} = dual(2, (self: HttpRequest, media: string): boolean => {
  if (media === "") return false
  const [main, sub] = mediaType(media)
  const accept = self.META.HTTP_ACCEPT ?? "*/*"
  return accept.split(",").some((token) => {
    if (token.trim() === "") return false
    const [m, s] = mediaType(token)
    return (m === "*" && s === "*") || (m === main && (s === "*" || s === sub))
  })
})

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
export const read = (self: HttpRequest, size?: number): Effect.Effect<Uint8Array, UnreadablePostError> =>
  cellOf(self).read(size)

/**
 * Django's `readline(size)`: up to and including the next `\n`; empty at the end.
 *
 * @since 0.1.0
 * @category body
 */
export const readLine = (self: HttpRequest, size?: number): Effect.Effect<Uint8Array, UnreadablePostError> =>
  cellOf(self).readLine(size)

/**
 * The rest of the body line by line (Django's `for line in request`).
 *
 * @since 0.1.0
 * @category body
 */
export const lines = (self: HttpRequest): Stream.Stream<Uint8Array, UnreadablePostError> => cellOf(self).lines()

/**
 * The rest of the body in chunks of at most `size` bytes, pulled on demand
 * (nothing is buffered).
 *
 * @since 0.1.0
 * @category body
 */
export const chunks = (self: HttpRequest, size?: number): Stream.Stream<Uint8Array, UnreadablePostError> =>
  cellOf(self).stream(size)

// ---------------------------------------------------------------------------
// Typed decoders
// ---------------------------------------------------------------------------

/** A form is checked whole: a failure lists every field's problem, as Django's forms do. */
const ALL_ERRORS = { errors: "all" } as const

/**
 * Decodes GET through a schema (`QueryDict.decode`): array fields take every
 * value of their key, scalar fields the last. Failures are `ParseError`s with paths, one
 * for every field that fails (`errors: "all"`); unhandled, they answer 400 listing them.
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaQuery = <A, I, R>(schema: Schema.Schema<A, I, R>) => (self: HttpRequest) =>
  Effect.flatMap(self.GET, QD.decode(schema, ALL_ERRORS))

/**
 * Decodes POST (urlencoded or multipart fields) through a schema.
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaForm =
  <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  (self: HttpRequest): Effect.Effect<A, PostError | ParseResult.ParseError, R> =>
    Effect.flatMap(self.POST, QD.decode(schema, ALL_ERRORS))

/**
 * Decodes FILES through a schema, e.g. with `UploadedFile.schema({ maxSize, contentTypes })`
 * for each field: array fields take every file of their key, scalar fields the last.
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaFiles =
  <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  (self: HttpRequest): Effect.Effect<A, PostError | ParseResult.ParseError, R> =>
    Effect.flatMap(self.FILES, QD.decode(schema, ALL_ERRORS))

/**
 * Decodes COOKIES through a schema.
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaCookies =
  <A, I, R>(schema: Schema.Schema<A, I, R>) => (self: HttpRequest): Effect.Effect<A, ParseResult.ParseError, R> =>
    Schema.decodeUnknown(schema, ALL_ERRORS)(self.COOKIES)

/**
 * Decodes the headers through a schema; keys are lower-case header names
 * (`user-agent`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaHeaders =
  <A, I, R>(schema: Schema.Schema<A, I, R>) => (self: HttpRequest): Effect.Effect<A, ParseResult.ParseError, R> => {
    const out: Record<string, string> = Object.create(null)
    for (const [name, value] of self.headers) out[name.toLowerCase()] = value
    return Schema.decodeUnknown(schema, ALL_ERRORS)(out)
  }

/**
 * Decodes the body as UTF-8 JSON through a schema; malformed JSON is a `ParseError` too.
 *
 * @since 0.1.0
 * @category decoding
 */
export const schemaBodyJson =
  <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  (self: HttpRequest): Effect.Effect<A, BodyError | ParseResult.ParseError, R> =>
    Effect.flatMap(
      self.body,
      (bytes) => Schema.decodeUnknown(Schema.parseJson(schema))(new TextDecoder().decode(bytes))
    )

/**
 * The raw body as a single-use stream, not buffered: for body parsers
 * (multipart). Starting it marks the stream as read, as Django's parsers do.
 *
 * @since 0.1.0
 * @category body
 */
export const rawStream = (self: HttpRequest): Stream.Stream<Uint8Array, UnreadablePostError> => cellOf(self).stream()

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
} = dual(2, <A, E>(effect: Effect.Effect<A, E, Scope.Scope>, request: HttpRequest) => inRequest(request, effect))

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
 * cookie set with `HttpResponse.setSignedCookie`, checked with the settings'
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
} = dual(
  (args) => isHttpRequest(args[0]),
  <D>(
    self: HttpRequest,
    key: string,
    options: GetSignedCookieOptions<D> = {}
  ): Effect.Effect<string | D, MultiValueDictKeyError | BadSignature | SignatureExpired | ImproperlyConfigured> => {
    const hasDefault = Object.prototype.hasOwnProperty.call(options, "default")
    const value = Object.prototype.hasOwnProperty.call(self.COOKIES, key) ? self.COOKIES[key] : undefined
    if (value === undefined) {
      return hasDefault
        ? Effect.succeed(options.default as D)
        : Effect.fail(new MultiValueDictKeyError({ message: pyRepr(key) }))
    }
    const read = Effect.flatMap(
      settingsOf(self),
      (settings) => Signing.unsignCookie(settings, key, value, { salt: options.salt ?? "", maxAge: options.maxAge })
    )
    return hasDefault
      ? Effect.catchTags(read, {
        BadSignature: () => Effect.succeed(options.default as D),
        SignatureExpired: () => Effect.succeed(options.default as D)
      })
      : read
  }
)
