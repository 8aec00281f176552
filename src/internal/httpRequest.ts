/**
 * The implementation of `HttpRequest` (the public module holds its signatures and docs): the
 * request value, WSGI's META and paths, Django's host and scheme rules, the body and its
 * decoders. The one place that casts an `HttpRequest` to its implementation.
 *
 * Binding a request to a platform server request (the body shared by the values of one
 * platform request, the Node socket, the request scope on Node) is the adapter's,
 * `./node/adapter.ts`; it builds values with `makeRequest` and the hooks below.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { TooManyFieldsSent, UnreadablePostError } from "../Errors.js"
import type {
  BodyError,
  Environ,
  HttpHeaders,
  HttpRequest,
  MultiValueDict,
  PostError,
  QueryDict,
  TypeId as TypeId_,
  UploadedFileLike
} from "../HttpRequest.js"
import * as Settings from "../Settings.js"
import { BodyCell, BodyCellKey, type DirectBody, Memo, type ScopeRef } from "./body.js"
import { decodePathBytes, headerNameFromMeta, metaName, parseHeader, unquoteToBytes, wsgiBytes } from "./meta.js"
import { parseCookie } from "./parseCookie.js"
import { contentLengthOf, parseMultipart, type PostAndFiles, type WithFileSystem } from "./post.js"
import { isKnownEncoding } from "./python/codecs.js"
import { reprStr as pyRepr } from "./python/repr.js"
import * as QD from "./querydict.js"
import { escapeUriPath, iriToUri } from "./url.js"

export const TypeId: TypeId_ = Symbol.for("effect-django-http/HttpRequest") as TypeId_

type TypeId = TypeId_

/** The current request, as a service. */
export const tag: Context.Tag<HttpRequest, HttpRequest> = Context.GenericTag<HttpRequest>(
  "effect-django-http/HttpRequest"
)

export const isHttpRequest = (u: unknown): u is HttpRequest => hasProperty(u, TypeId)

/** The provided `Settings` service, else the settings `self` was built with. */
export const settingsOf = (self: HttpRequest): Effect.Effect<Settings.Settings> =>
  Effect.map(Effect.serviceOption(Settings.Settings), Option.getOrElse(() => self.settings))

/** Django's `get_full_path` of a path and a query string. */
export const fullPath = (path: string, qs: string, forceAppendSlash: boolean): string =>
  escapeUriPath(path) + (forceAppendSlash && !path.endsWith("/") ? "/" : "") +
  (qs !== "" ? "?" + iriToUri(qs) : "")

/** The query string the request was built with (or its META's, after `withMeta`). */
export const queryStringOf = (self: HttpRequest): string => (self as RequestImpl).shared.queryString

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

/** What every value of one request shares (`withEncoding` and `withMeta` make new values of it). */
export interface Shared {
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
  /** The request's scope, possibly made on first use (`ScopeRef`). */
  readonly scopeRef: ScopeRef
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
  /** With `server`: the body every value of it shares (kept by the adapter, `./node/adapter.ts`). */
  readonly sharedBodyOf: ((shared: Shared) => SharedBody) | undefined
  /** The default `FileSystem` for spilled uploads (the adapter's: Node's). */
  readonly withFileSystem: WithFileSystem
  /**
   * The value `fromServerRequest` built (not one derived from it by `withEncoding` or
   * `withMeta`): set right after it is made, when `server` is.
   */
  root: RequestImpl | undefined
}

const utf8Replace = new TextDecoder("utf-8")

// eslint-disable-next-line no-control-regex
const ASCII = /^[\u0000-\u007f]*$/

/**
 * Django reads the Cookie header with `get_str_from_wsgi`: the header's Latin-1 text back to
 * bytes, then decoded as UTF-8 with replacement (a raw `é` byte becomes U+FFFD).
 */
const cookieText = (header: string): string => ASCII.test(header) ? header : utf8Replace.decode(wsgiBytes(header))

/**
 * A request value: what every value of one request shares (`shared`), its encoding, and its
 * own caches. The fields read from `shared` are getters on the prototype, so that a value is a
 * handful of slots (a server builds one per request).
 */
export class RequestImpl implements HttpRequest {
  declare readonly [TypeId]: TypeId
  /** @internal */
  readonly shared: Shared
  readonly encoding: string | null
  private _GET: Either.Either<QueryDict, TooManyFieldsSent> | undefined = undefined
  private _COOKIES: Readonly<Record<string, string>> | undefined = undefined
  private _headers: HttpHeaders | undefined = undefined
  private _loaded: Memo<PostAndFiles, PostError> | undefined = undefined

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
    return this.shared.scopeRef.scope
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

  /** @internal POST and FILES, parsed once per encoding (`postIfParsed` reads the outcome). */
  get loaded(): Memo<PostAndFiles, PostError> {
    if (this._loaded === undefined) {
      const body = platformBody(this)
      if (body === undefined) this._loaded = postMemo(this)
      else {
        // Values of one platform request parse its body once per encoding, whichever asks first.
        let loaded = body.parsed.get(this.encoding)
        if (loaded === undefined) {
          loaded = postMemo(this)
          body.parsed.set(this.encoding, loaded)
        }
        this._loaded = loaded
      }
    }
    return this._loaded
  }

  // Known already (parsed, or parsed in place from bytes in memory): the outcome itself, an
  // `Exit`, with no step to map it.
  get POST(): Effect.Effect<QueryDict, PostError> {
    const known = this.loaded.resultNow()
    return known !== undefined ? Exit.map(known, postOf) : Effect.map(this.loaded.effect, postOf)
  }

  get FILES(): Effect.Effect<MultiValueDict<UploadedFileLike>, PostError> {
    const known = this.loaded.resultNow()
    return known !== undefined ? Exit.map(known, filesOf) : Effect.map(this.loaded.effect, filesOf)
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
      const encoding = this.encoding ?? this.settings.DEFAULT_CHARSET
      const qs = this.shared.queryString
      // Under UTF-8 an ASCII query string's WSGI bytes decode to itself: parsed as it is.
      this._GET = QD.parse(encoding === "utf-8" && ASCII.test(qs) ? qs : wsgiBytes(qs), {
        encoding,
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

/**
 * `request.POST` when it is known without running an effect: parsed already (the outcome an
 * earlier read kept), a form whose bytes are in memory (parsed here, in place, and kept), or
 * empty by Django's rules without reading the body (not a POST, or a content type that is
 * neither a form nor multipart). `undefined` when the body has yet to be read from its source
 * and parsed, or when the earlier read ended otherwise than with a `PostError` (the effect then
 * reproduces it). The CSRF check reads a POST an earlier reader parsed this way.
 */
export const postIfParsed = (self: HttpRequest): Either.Either<QueryDict, PostError> | undefined => {
  if (!(self instanceof RequestImpl)) return undefined
  const contentType = self.contentType
  if (
    self.method !== "POST" ||
    (contentType !== "multipart/form-data" && contentType !== "application/x-www-form-urlencoded")
  ) {
    return Either.right(QD.empty(self.encoding ?? self.settings.DEFAULT_CHARSET))
  }
  const result = self.loaded.resultNow()
  if (result === undefined) return undefined
  if (result._tag === "Success") return Either.right(result.value.POST)
  return result.cause._tag === "Fail" ? Either.left(result.cause.error) : undefined
}

const postOf = (loaded: PostAndFiles): QueryDict => loaded.POST
const filesOf = (loaded: PostAndFiles): MultiValueDict<UploadedFileLike> => loaded.FILES

/**
 * `f` of `request.POST`'s outcome (a `PostError` as a `Left`), in one step once it is parsed:
 * the CSRF check's read when `postIfParsed` does not know it yet.
 */
export const matchPost = <A, E, R>(
  self: HttpRequest,
  f: (post: Either.Either<QueryDict, PostError>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  self instanceof RequestImpl
    ? Effect.matchEffect(self.loaded.effect, {
      onFailure: (e) => f(Either.left(e)),
      onSuccess: (loaded) => f(Either.right(loaded.POST))
    })
    : Effect.matchEffect(self.POST, { onFailure: (e) => f(Either.left(e)), onSuccess: (post) => f(Either.right(post)) })

/** Runs a body-dependent effect in the request's scope and construction context. */
export const inRequest = <A, E>(
  request: HttpRequest,
  effect: Effect.Effect<A, E, Scope.Scope>
): Effect.Effect<A, E> =>
  Effect.mapInputContext(
    // The scope is read when the effect runs: a request's scope may be made on first use.
    Effect.suspend(() => Scope.extend(effect, request.scope)),
    (ctx: Context.Context<never>) => Context.merge(ctx, request.context)
  )

const cellOf = (request: HttpRequest): BodyCell => (request as RequestImpl)[BodyCellKey]

/**
 * The body of a platform request, shared by every value built from it: a platform request's body
 * can be read only once, and a platform middleware (`fromServerRequest`) and `View.toHttpApp` may
 * each build a value. `root` is the first reader's value as `fromServerRequest` built it (what a
 * later `fromServerRequest` returns); `parsed` holds POST and FILES per encoding. The adapter
 * (`./node/adapter.ts`) keeps one per platform request.
 */
export interface SharedBody {
  readonly cell: BodyCell
  readonly root: HttpRequest | undefined
  readonly parsed: Map<string | null, Memo<PostAndFiles, PostError>>
}

/** The shared body of the platform request `self` was built from; `undefined` for other requests. */
const platformBody = (self: RequestImpl): SharedBody | undefined => {
  const shared = self.shared
  return shared.sharedBodyOf === undefined ? undefined : shared.sharedBodyOf(shared)
}

/**
 * POST and FILES, parsed once (`Memo`): Django's `_load_post_and_files`. A multipart body is
 * parsed in the request's scope and construction context (its uploads); any other body needs
 * neither (a Node request's scope is made on first use, at a cost), and a form whose bytes are in
 * memory is parsed in place (`formNow`), without running an effect.
 */
const postMemo = (request: HttpRequest): Memo<PostAndFiles, PostError> =>
  request.method === "POST" && request.contentType === "multipart/form-data"
    ? new Memo(inRequest(request, loadMultipart(request)))
    : new Memo(loadForm(request), () => formNow(request))

/** A body that is not parsed: not a POST, neither a form nor multipart, or read as a stream. */
const unparsed = (request: HttpRequest): boolean =>
  request.method !== "POST" || cellOf(request).streamingStarted ||
  request.contentType !== "application/x-www-form-urlencoded"

/** The form body's bytes parsed (`QD.parse`). */
const parseForm = (request: HttpRequest, bytes: Uint8Array, encoding: string) =>
  Either.map(
    QD.parse(bytes, { encoding, maxNumFields: request.settings.DATA_UPLOAD_MAX_NUMBER_FIELDS }),
    (POST): PostAndFiles => ({ POST, FILES: QD.emptyMultiValueDict() })
  )

/** POST and FILES of a request that is not a multipart POST. */
const loadForm = (request: HttpRequest): Effect.Effect<PostAndFiles, PostError> =>
  Effect.suspend(() => {
    const encoding = request.encoding ?? request.settings.DEFAULT_CHARSET
    // A stream read without `body`: Django gives empty results.
    if (unparsed(request)) return Effect.succeed(emptyPostAndFiles(encoding))
    return Effect.flatMap(request.body, (bytes) => parseForm(request, bytes, encoding))
  })

/**
 * `loadForm`'s outcome when it is known without running an effect (`BodyCell.bodyNow`);
 * `undefined` when the body has to be read.
 */
const formNow = (request: HttpRequest): Exit.Exit<PostAndFiles, PostError> | undefined => {
  const encoding = request.encoding ?? request.settings.DEFAULT_CHARSET
  if (unparsed(request)) return Exit.succeed(emptyPostAndFiles(encoding))
  const bytes = cellOf(request).bodyNow(request.settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
  if (bytes === undefined) return undefined
  const parsed = Either.flatMap(bytes, (bytes) => parseForm(request, bytes, encoding))
  return Either.isRight(parsed) ? Exit.succeed(parsed.right) : Exit.fail(parsed.left)
}

/** POST and FILES of a multipart POST, in the request's scope (its uploads' files). */
const loadMultipart = (request: HttpRequest): Effect.Effect<PostAndFiles, PostError, Scope.Scope> =>
  Effect.suspend(() => {
    const cell = cellOf(request)
    // A stream read without `body`: Django gives empty results.
    if (cell.streamingStarted) {
      return Effect.succeed(emptyPostAndFiles(request.encoding ?? request.settings.DEFAULT_CHARSET))
    }
    // The uploads parser (src/internal/post.ts).
    return parseMultipart({
      contentType: request.META.CONTENT_TYPE ?? "",
      contentLength: contentLengthOf(request.META),
      encoding: request.encoding,
      settings: request.settings,
      withFileSystem: (request as RequestImpl).shared.withFileSystem
    }, cell.stream())
  })

const utf8Strict = new TextDecoder("utf-8", { fatal: false })

const decodeScript = (raw: string): string => utf8Strict.decode(unquoteToBytes(raw))

/** `Content-Type` absent: no type, no parameters. */
const noContentType: readonly [string, Readonly<Record<string, string>>] = ["", Object.freeze(Object.create(null))]

/**
 * Each header under its META name, in order: `CONTENT_TYPE`, `CONTENT_LENGTH`, else `HTTP_*`. A
 * name with `_` is left out (CVE-2015-0219: `X_Forwarded_For` may not pose as `X-Forwarded-For`).
 */
const eachMetaHeader = (headers: Shared["headers"], f: (key: string, value: string) => void): void => {
  const add = (name: string, value: string) => {
    if (name.includes("_")) return
    const lower = name.toLowerCase()
    f(lower === "content-type" ? "CONTENT_TYPE" : lower === "content-length" ? "CONTENT_LENGTH" : metaName(name), value)
  }
  if (Array.isArray(headers)) {
    for (const [name, value] of headers as ReadonlyArray<readonly [string, string]>) add(name, value)
  } else {
    const record = headers as Readonly<Record<string, string>>
    for (const name in record) if (Object.hasOwn(record, name)) add(name, record[name]!)
  }
}

/**
 * META, as a WSGI server builds it: the headers as `HTTP_*` variables, then the CGI variables.
 * A module-level function of the shared fields, so that a request keeps only what META needs.
 */
const buildMeta = (shared: Shared): Record<string, string> => {
  const meta: Record<string, string> = Object.create(null)
  eachMetaHeader(shared.headers, (key, value) => {
    // A repeated header is joined with `,`; a repeated Content-Type or Content-Length replaces.
    meta[key] = key in meta && key !== "CONTENT_TYPE" && key !== "CONTENT_LENGTH" ? `${meta[key]},${value}` : value
  })
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

/**
 * `request.META[key]` for a header's key (`HTTP_...`), read from the headers as `buildMeta` would
 * write it (names with `_` left out, `Content-Type`/`Content-Length` not under `HTTP_`, repeated
 * headers joined with `,`) while META is not built: `get_host` reads one header on every request,
 * and building META is a dict of every header. Any other key, or a request whose META is built or
 * has entries of its own (`extraMeta`), reads META.
 */
export const metaHeader = (self: HttpRequest, key: string): string | undefined => {
  if (!(self instanceof RequestImpl)) return self.META[key]
  const shared = self.shared
  if (shared.metaCache !== undefined || shared.extraMeta !== undefined || !key.startsWith("HTTP_")) {
    return self.META[key]
  }
  let found: string | undefined
  eachMetaHeader(shared.headers, (k, value) => {
    if (k === key) found = found === undefined ? value : `${found},${value}`
  })
  return found
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

/** `HttpRequest.make`; `withFileSystem` gives the default `FileSystem` for uploads (Node's). */
export const make = (environ: Environ, withFileSystem: WithFileSystem): HttpRequest =>
  makeRequest(environ, withFileSystem, undefined)

/** A request's scope, given. */
class GivenScope implements ScopeRef {
  constructor(readonly scope: Scope.Scope) {}
}

/** A scope made on first use, that nothing closes (a request built without one). */
class OwnScope implements ScopeRef {
  private made: Scope.Scope | undefined = undefined
  get scope(): Scope.Scope {
    return (this.made ??= Effect.runSync(Scope.make()))
  }
}

/** What the adapter (`./node/adapter.ts`) adds when it builds a request from a platform request. */
export interface FromServer {
  /** The body, made on its first read (a Node request can also be read whole without a stream). */
  readonly lazyBody: () => Stream.Stream<Uint8Array, UnreadablePostError> | DirectBody
  /** The platform request: every value built from it shares one body (`sharedBodyOf`). */
  readonly server: HttpServerRequest.HttpServerRequest
  readonly sharedBodyOf: (shared: Shared) => SharedBody
  /** The request's scope (`environ.scope` is not read). */
  readonly scopeRef: ScopeRef
}

/** `make`, or, with `from`, a request built from a platform request (see `FromServer`). */
export const makeRequest = (
  environ: Environ,
  withFileSystem: WithFileSystem,
  from: FromServer | undefined
): RequestImpl => {
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
  const scopeRef = from !== undefined
    ? from.scopeRef
    : environ.scope !== undefined
    ? new GivenScope(environ.scope)
    : new OwnScope()
  const body = from !== undefined
    ? from.lazyBody
    : environ.body === undefined
    ? Stream.empty
    : environ.body instanceof Uint8Array
    ? environ.body
    : environ.body
  const cell = new BodyCell(body, contentLength, scopeRef)
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
    scopeRef,
    context: environ.context ?? Context.empty(),
    settings,
    urlScheme,
    method,
    path,
    pathInfo,
    scriptName,
    contentType,
    contentParams,
    server: from?.server,
    sharedBodyOf: from?.sharedBodyOf,
    withFileSystem,
    root: undefined
  }, encoding)
  if (from !== undefined) value.shared.root = value
  return value
}

/** `u`, when it is a request value built from the platform request `server`. */
export const builtFrom = (u: unknown, server: HttpServerRequest.HttpServerRequest): HttpRequest | undefined =>
  u instanceof RequestImpl && u.shared.server === server ? u : undefined

/** The platform request a request was built from (`fromServerRequest`), if any. */
export const serverRequestOf = (request: unknown): HttpServerRequest.HttpServerRequest | undefined =>
  request instanceof RequestImpl ? request.shared.server : undefined

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

export const withEncoding: {
  (encoding: string | null): (self: HttpRequest) => HttpRequest
  (self: HttpRequest, encoding: string | null): HttpRequest
} = dual(
  2,
  (self: HttpRequest, encoding: string | null): HttpRequest => new RequestImpl((self as RequestImpl).shared, encoding)
)

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
// The body stream
// ---------------------------------------------------------------------------

export const read = (self: HttpRequest, size?: number): Effect.Effect<Uint8Array, UnreadablePostError> =>
  cellOf(self).read(size)

export const readLine = (self: HttpRequest, size?: number): Effect.Effect<Uint8Array, UnreadablePostError> =>
  cellOf(self).readLine(size)

export const lines = (self: HttpRequest): Stream.Stream<Uint8Array, UnreadablePostError> => cellOf(self).lines()

export const chunks = (self: HttpRequest, size?: number): Stream.Stream<Uint8Array, UnreadablePostError> =>
  cellOf(self).stream(size)

// ---------------------------------------------------------------------------
// The raw body

export const rawStream = (self: HttpRequest): Stream.Stream<Uint8Array, UnreadablePostError> => cellOf(self).stream()

export const runInRequest: {
  (request: HttpRequest): <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.Effect<A, E>
  <A, E>(effect: Effect.Effect<A, E, Scope.Scope>, request: HttpRequest): Effect.Effect<A, E>
} = dual(2, <A, E>(effect: Effect.Effect<A, E, Scope.Scope>, request: HttpRequest) => inRequest(request, effect))
