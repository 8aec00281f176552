/**
 * Builds requests without a server, as `django.test.RequestFactory` does:
 * `SERVER_NAME` is `testserver`, `REMOTE_ADDR` `127.0.0.1`, the port 80 (443
 * with `secure`).
 *
 * Differences from Django: form data is urlencoded (Django's default is
 * multipart); headers are given by name in `headers` (Django 3.2 takes META
 * keys; use `meta` for those).
 *
 * Uploads: a request built without a `scope` has no one to remove temporary
 * files, so its uploads stay in memory whatever their size. `scoped` builds a
 * request in the current `Scope`: uploads above `FILE_UPLOAD_MAX_MEMORY_SIZE`
 * spill to temporary files as on a server, removed when the scope closes.
 *
 * @example
 * ```ts
 * import { RequestFactory } from "effect-django-http"
 *
 * const get = RequestFactory.get("/search", { query: { q: "café", tag: ["a", "b"] } })
 * const post = RequestFactory.post("/login", { form: { user: "ann" }, cookies: { csrftoken: "x" } })
 * const json = RequestFactory.post("/api", { json: { id: 1 } })
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { UnreadablePostError } from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import { quoteWith, safeTable } from "./internal/url.js"
import type * as Settings from "./Settings.js"
import * as UploadedFile from "./UploadedFile.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Query parameters (urlencoded with `doseq`); replaces a query in the path. */
  readonly query?: Readonly<Record<string, string | ReadonlyArray<string>>> | undefined
  /** Header names and values. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** META keys set last (`HTTP_X_FORWARDED_PROTO`, `SERVER_NAME`, ...), as Django's `**extra`. */
  readonly meta?: Readonly<Record<string, string>> | undefined
  /** Cookies, sent as one `Cookie` header. */
  readonly cookies?: Readonly<Record<string, string>> | undefined
  /** An HTTPS request (port 443). */
  readonly secure?: boolean | undefined
  readonly settings?: Settings.Settings | undefined
  /**
   * The request's scope: spilled uploads are removed when it closes. When omitted, a fresh one
   * that nothing closes, and uploads are kept in memory (nothing would remove their files).
   */
  readonly scope?: Scope.Scope | undefined
  readonly context?: Context.Context<never> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface BodyOptions extends Options {
  /** Form fields, urlencoded (`application/x-www-form-urlencoded`). */
  readonly form?: Readonly<Record<string, string | ReadonlyArray<string>>> | undefined
  /** Fields and files sent as `multipart/form-data` (Django's default for `post`). */
  readonly multipart?: Readonly<Record<string, MultipartValue>> | undefined
  /** A value sent as JSON (`application/json`). */
  readonly json?: unknown
  /** A raw body (bytes, text, or a stream). */
  readonly body?: Uint8Array | string | Stream.Stream<Uint8Array, UnreadablePostError> | undefined
  /** The Content-Type of a raw body. Django: `application/octet-stream`. */
  readonly contentType?: string | undefined
}

const PLUS_SAFE = safeTable(" ")
const quotePlus = (s: string): string => quoteWith(s, PLUS_SAFE).replace(/ /g, "+")

/**
 * Python's `urlencode(data, doseq=True)`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const urlencode = (data: Readonly<Record<string, string | ReadonlyArray<string>>>): string => {
  const parts: Array<string> = []
  for (const [k, v] of Object.entries(data)) {
    for (const value of typeof v === "string" ? [v] : v) parts.push(`${quotePlus(k)}=${quotePlus(value)}`)
  }
  return parts.join("&")
}

const encoder = new TextEncoder()

/**
 * A file for `encodeMultipart`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MultipartFile {
  /** The file name; only the part after the last `/` is sent. */
  readonly name: string
  readonly content: Uint8Array | string
  /** Django: the file's `content_type`, else `application/octet-stream`. */
  readonly contentType?: string | undefined
}

/**
 * A multipart field: a string, a file, or several of them.
 *
 * @since 0.1.0
 * @category models
 */
export type MultipartValue = string | MultipartFile | ReadonlyArray<string | MultipartFile>

const isList = (value: MultipartValue): value is ReadonlyArray<string | MultipartFile> => Array.isArray(value)

/**
 * Django's test-client boundary.
 *
 * @since 0.1.0
 * @category encoding
 */
export const BOUNDARY = "BoUnDaRyStRiNg"

/**
 * Django's `MULTIPART_CONTENT`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const MULTIPART_CONTENT = `multipart/form-data; boundary=${BOUNDARY}`

/**
 * Django's `django.test.client.encode_multipart(boundary, data)`: fields and
 * files as a `multipart/form-data` body, UTF-8 encoded.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeMultipart = (
  boundary: string,
  data: Readonly<Record<string, MultipartValue>>
): Uint8Array => {
  const parts: Array<Uint8Array> = []
  const line = (s: string) => parts.push(encoder.encode(s))
  const part = (key: string, value: string | MultipartFile) => {
    line(`--${boundary}`)
    if (typeof value === "string") {
      line(`Content-Disposition: form-data; name="${key}"`)
      line("")
      line(value)
    } else {
      const base = value.name.slice(value.name.lastIndexOf("/") + 1)
      line(`Content-Disposition: form-data; name="${key}"; filename="${base || key}"`)
      line(`Content-Type: ${value.contentType ?? "application/octet-stream"}`)
      line("")
      parts.push(typeof value.content === "string" ? encoder.encode(value.content) : value.content)
    }
  }
  for (const [key, value] of Object.entries(data)) {
    if (isList(value)) { for (const item of value) part(key, item) }
    else part(key, value)
  }
  line(`--${boundary}--`)
  line("")
  const total = parts.reduce((n, p) => n + p.length, 0) + 2 * (parts.length - 1)
  const out = new Uint8Array(total)
  let offset = 0
  parts.forEach((p, i) => {
    if (i > 0) {
      out[offset++] = 13
      out[offset++] = 10
    }
    out.set(p, offset)
    offset += p.length
  })
  return out
}

/**
 * The body a request built from `options` carries, and its Content-Type (Django's
 * `_encode_data`): multipart, else a urlencoded form, else JSON, else the raw body
 * (`application/octet-stream`); `contentType` replaces the type chosen. The test client sends
 * the same bodies.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeBody = <B extends Uint8Array | Stream.Stream<Uint8Array, UnreadablePostError>>(
  options: Omit<BodyOptions, "body"> & { readonly body?: B | string | undefined }
): { readonly body: Uint8Array | B | undefined; readonly contentType: string | undefined } => {
  let body: Uint8Array | B | undefined
  let contentType: string | undefined
  if (options.multipart !== undefined) {
    body = encodeMultipart(BOUNDARY, options.multipart)
    contentType = MULTIPART_CONTENT
  } else if (options.form !== undefined) {
    body = encoder.encode(urlencode(options.form))
    contentType = "application/x-www-form-urlencoded"
  } else if (options.json !== undefined) {
    body = encoder.encode(JSON.stringify(options.json))
    contentType = "application/json"
  } else if (options.body !== undefined) {
    body = typeof options.body === "string" ? encoder.encode(options.body) : options.body
    contentType = "application/octet-stream"
  }
  return { body, contentType: options.contentType ?? contentType }
}

/**
 * Django's `RequestFactory.generic(method, path, data, content_type)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generic = (method: string, path: string, options: BodyOptions = {}): HttpRequest.HttpRequest => {
  const hash = path.indexOf("#")
  const noFragment = hash === -1 ? path : path.slice(0, hash)
  const q = noFragment.indexOf("?")
  const rawPath = q === -1 ? noFragment : noFragment.slice(0, q)
  const pathQuery = q === -1 ? "" : noFragment.slice(q + 1)
  const queryString = options.query !== undefined ? urlencode(options.query) : ""
  const headers: Array<readonly [string, string]> = []
  const { body, contentType } = encodeBody(options)
  if (contentType !== undefined) headers.push(["Content-Type", contentType])
  if (body instanceof Uint8Array) headers.push(["Content-Length", String(body.length)])
  if (options.cookies !== undefined) {
    const pairs = Object.entries(options.cookies).map(([k, v]) => `${k}=${v}`).sort()
    headers.push(["Cookie", pairs.join("; ")])
  }
  if (options.headers !== undefined) headers.push(...Object.entries(options.headers))
  const secure = options.secure ?? false
  const context = options.scope === undefined ? inMemoryUploads(options.context) : options.context
  return HttpRequest.make({
    method,
    path: rawPath === "" ? "/" : rawPath,
    queryString: queryString !== "" ? queryString : pathQuery,
    headers,
    meta: options.meta,
    remoteAddr: "127.0.0.1",
    serverName: "testserver",
    serverPort: secure ? "443" : "80",
    serverProtocol: "HTTP/1.1",
    urlScheme: secure ? "https" : "http",
    body,
    settings: options.settings,
    scope: options.scope,
    context
  })
}

/** A request Context whose uploads are never spilled to disk (the `Uploads` given there otherwise kept). */
const inMemoryUploads = (context: Context.Context<never> | undefined): Context.Context<never> => {
  const base = context ?? Context.empty()
  const given = Option.getOrUndefined(Context.getOption(base, UploadedFile.Uploads))
  return Context.add(base, UploadedFile.Uploads, { ...given, maxMemorySize: Infinity })
}

/**
 * `generic` in the current `Scope`: the request's uploads above `FILE_UPLOAD_MAX_MEMORY_SIZE`
 * go to temporary files, removed when the scope closes.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { RequestFactory } from "effect-django-http"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const request = yield* RequestFactory.scoped("POST", "/upload/", {
 *     multipart: { doc: { name: "big.bin", content: new Uint8Array(4 * 1024 * 1024) } }
 *   })
 *   const files = yield* request.FILES
 *   // ... the spilled file is removed when the scope closes
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const scoped = (
  method: string,
  path: string,
  options: Omit<BodyOptions, "scope"> = {}
): Effect.Effect<HttpRequest.HttpRequest, never, Scope.Scope> =>
  Effect.map(Effect.scope, (scope) => generic(method, path, { ...options, scope }))

/**
 * @since 0.1.0
 * @category constructors
 */
export const get = (path: string, options?: Options): HttpRequest.HttpRequest => generic("GET", path, options)

/**
 * @since 0.1.0
 * @category constructors
 */
export const head = (path: string, options?: Options): HttpRequest.HttpRequest => generic("HEAD", path, options)

/**
 * @since 0.1.0
 * @category constructors
 */
export const options = (path: string, opts?: BodyOptions): HttpRequest.HttpRequest => generic("OPTIONS", path, opts)

/**
 * @since 0.1.0
 * @category constructors
 */
export const post = (path: string, options?: BodyOptions): HttpRequest.HttpRequest => generic("POST", path, options)

/**
 * @since 0.1.0
 * @category constructors
 */
export const put = (path: string, options?: BodyOptions): HttpRequest.HttpRequest => generic("PUT", path, options)

/**
 * @since 0.1.0
 * @category constructors
 */
export const patch = (path: string, options?: BodyOptions): HttpRequest.HttpRequest => generic("PATCH", path, options)

/**
 * @since 0.1.0
 * @category constructors
 */
export const delete_ = (path: string, options?: BodyOptions): HttpRequest.HttpRequest =>
  generic("DELETE", path, options)

export {
  /**
   * @since 0.1.0
   * @category constructors
   */
  delete_ as delete
}
