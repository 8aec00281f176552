/**
 * Serving a directory of static files, as Django's `django.views.static.serve` does, with what
 * WhiteNoise adds for production: a strong `ETag`, `Last-Modified`, 304 (`If-None-Match` first,
 * else `If-Modified-Since`), `Range` (206/416, `If-Range` by ETag or date), long cache headers
 * for hashed names (`app.3f2a9c81b7de.css`), and precompressed `.br`/`.gz` siblings chosen by
 * `Accept-Encoding` (with `Vary: Accept-Encoding` whenever a sibling exists).
 *
 * Paths are joined safely: anything that would leave the root (`..`, also percent-encoded, since
 * the request's path is already decoded; a NUL; a symbolic link pointing outside) fails with
 * `SuspiciousFileOperation` (400, logged on `django.security`); a directory or a missing file is
 * `Http404`.
 *
 * ```ts
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { Static, View } from "effect-django-http"
 *
 * // STATIC_URL = "/static/", STATIC_ROOT = "/srv/static"
 * const statics = Static.view({ root: "/srv/static", prefix: "/static/" })
 * const app = View.toHttpApp((request) => Effect.provide(statics(request), NodeFileSystem.layer))
 * ```
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as path from "node:path"
import * as Cache from "./Cache.js"
import { Http404, SuspiciousFileOperation } from "./Errors.js"
import * as FileResponse from "./FileResponse.js"
import type * as HttpRequest from "./HttpRequest.js"
import * as HttpResponse from "./HttpResponse.js"
import { guessType } from "./internal/python/mimetypes.js"
import * as response from "./internal/response.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The directory served (Django's `document_root`, `STATIC_ROOT`). */
  readonly root: string
  /** `max-age` for names without a hash, in seconds. WhiteNoise: 60. */
  readonly maxAge?: number | undefined
  /** `max-age` for hashed names (then also `immutable`), in seconds. WhiteNoise: 10 years. */
  readonly immutableMaxAge?: number | undefined
  /** Serve `name.br` / `name.gz` siblings to clients that accept them. Default `true`. */
  readonly precompressed?: boolean | undefined
  /** Names treated as hashed; default: `name.<8 or more hex digits>.ext`, as `ManifestStaticFilesStorage` writes them. */
  readonly isHashed?: ((name: string) => boolean) | undefined
}

/**
 * What serving can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type ServeError = SuspiciousFileOperation | Http404 | HttpResponse.MakeError

const HASHED = /\.[0-9a-f]{8,}\.[^./]+$/

/**
 * Whether a file name carries a content hash (`name.<hex>.ext`, 8 or more hex digits).
 *
 * @since 0.1.0
 * @category paths
 */
export const isHashedName = (name: string): boolean => HASHED.test(path.posix.basename(name))

/**
 * Python's `posixpath.normpath(p).lstrip("/")`: `.` and `..` resolved as far as they go, repeated
 * slashes collapsed, no leading slash. A `..` that climbs above the start is kept (and
 * `safeJoin` refuses it).
 *
 * @since 0.1.0
 * @category paths
 */
export const normalize = (p: string): string => {
  if (p === "") return "."
  const n = path.posix.normalize(p)
  const trimmed = n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n
  return trimmed.replace(/^\/+/, "") || "."
}

/**
 * Django's `safe_join(base, path)`: the absolute path of `relative` under `base`, or
 * `SuspiciousFileOperation` when it would be outside (or holds a NUL byte).
 *
 * @since 0.1.0
 * @category paths
 */
export const safeJoin = (base: string, relative: string): Either.Either<string, SuspiciousFileOperation> => {
  const basePath = path.resolve(base)
  if (relative.includes("\u0000") || base.includes("\u0000")) {
    return Either.left(new SuspiciousFileOperation({ message: "The joined path contains a NUL byte" }))
  }
  const finalPath = path.resolve(basePath, relative)
  if (finalPath !== basePath && !finalPath.startsWith(basePath + path.sep) && path.dirname(basePath) !== basePath) {
    return Either.left(
      new SuspiciousFileOperation({
        message: `The joined path (${finalPath}) is located outside of the base path component (${basePath})`
      })
    )
  }
  return Either.right(finalPath)
}

/** Django's message names the full path (it is only shown with DEBUG). */
const notFound = (p: string) => new Http404({ message: `\u201c${p}\u201d does not exist` })

interface Found {
  readonly file: string
  readonly size: number
  readonly mtime: Date | undefined
}

/** The file at `file`, if it is a regular file whose real path stays inside `realRoot`. */
const lookup = (
  fs: FileSystem.FileSystem,
  realRoot: string,
  file: string
): Effect.Effect<Option.Option<Found>, SuspiciousFileOperation> =>
  Effect.gen(function*() {
    const real = yield* Effect.option(fs.realPath(file))
    if (Option.isNone(real)) return Option.none()
    if (real.value !== realRoot && !real.value.startsWith(realRoot + path.sep)) {
      return yield* new SuspiciousFileOperation({
        message: `The joined path (${real.value}) is located outside of the base path component (${realRoot})`
      })
    }
    const info = yield* Effect.option(fs.stat(real.value))
    if (Option.isNone(info) || info.value.type !== "File") return Option.none()
    return Option.some({
      file: real.value,
      size: Number(info.value.size),
      mtime: Option.getOrUndefined(info.value.mtime)
    })
  })

/** The codings the client accepts (`q=0` refuses one), from `Accept-Encoding`. */
const acceptedCodings = (header: string | undefined): Set<string> => {
  const out = new Set<string>()
  if (header === undefined) return out
  for (const part of header.split(",")) {
    const [name, ...params] = part.split(";").map((s) => s.trim().toLowerCase())
    if (!name) continue
    const q = params.find((p) => p.startsWith("q="))
    if (q !== undefined && Number(q.slice(2)) === 0) continue
    out.add(name)
  }
  return out
}

/**
 * WhiteNoise's ETag: the modification time and the size, in hex.
 *
 * @since 0.1.0
 * @category headers
 */
export const etagFor = (size: number, mtime: Date | undefined): string =>
  `"${Math.floor((mtime?.getTime() ?? 0) / 1000).toString(16)}-${size.toString(16)}"`

const put = <A extends HttpResponse.AnyResponse>(self: A, name: string, value: string): A =>
  response.withHeaders(self, response.putHeader(self.headers, { name, value, key: name.toLowerCase() }))

/**
 * Serves `relativePath` (as matched by a URL pattern, already percent-decoded) from `root` for a
 * GET or HEAD request: Django's `serve(request, path, document_root)` with WhiteNoise's
 * headers. Other methods get 405.
 *
 * @since 0.1.0
 * @category serving
 */
export const serve = (
  request: HttpRequest.HttpRequest,
  relativePath: string,
  options: Options
): Effect.Effect<HttpResponse.AnyResponse, ServeError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return yield* HttpResponse.notAllowed(["GET", "HEAD"])
    }
    const fs = yield* FileSystem.FileSystem
    const rel = normalize(relativePath)
    const full = yield* safeJoin(options.root, rel)
    const realRoot = yield* Effect.orElseSucceed(fs.realPath(path.resolve(options.root)), () =>
      path.resolve(options.root))
    const isDir = yield* Effect.orElseSucceed(
      Effect.map(fs.stat(full), (i) =>
        i.type === "Directory"),
      () => false
    )
    if (isDir) return yield* new Http404({ message: "Directory indexes are not allowed here." })
    const original = yield* lookup(fs, realRoot, full)
    if (Option.isNone(original)) return yield* notFound(full)

    // Precompressed siblings, best first.
    let chosen = original.value
    let coding: string | undefined
    let hasVariants = false
    if (options.precompressed ?? true) {
      const accepted = acceptedCodings(request.META.HTTP_ACCEPT_ENCODING)
      for (const [ext, name] of [[".br", "br"], [".gz", "gzip"]] as const) {
        const variant = yield* lookup(fs, realRoot, full + ext)
        if (Option.isNone(variant)) continue
        hasVariants = true
        if (coding === undefined && accepted.has(name)) {
          chosen = variant.value
          coding = name
        }
      }
    }

    const etag = etagFor(chosen.size, chosen.mtime)
    const lastModified = chosen.mtime !== undefined ? response.httpDateOf(chosen.mtime) : undefined
    const hashed = (options.isHashed ?? isHashedName)(rel)
    const cacheControl = hashed
      ? `max-age=${options.immutableMaxAge ?? 315360000}, public, immutable`
      : `max-age=${options.maxAge ?? 60}, public`
    const decorate = <A extends HttpResponse.AnyResponse>(res: A): A => {
      let out = put(res, "Cache-Control", cacheControl)
      out = put(out, "ETag", etag)
      if (hasVariants) out = Either.getOrElse(Cache.patchVaryHeaders(out, ["Accept-Encoding"]), () => out)
      return out
    }

    // If-None-Match first (weak comparison); when present, If-Modified-Since is not consulted.
    const inm = request.META.HTTP_IF_NONE_MATCH
    if (inm !== undefined) {
      const outcome = Cache.conditionalOutcome(request, { etag })
      if (outcome === "NotModified") {
        const base = Cache.notModifiedFrom(undefined, request.settings.DEFAULT_CHARSET)
        return decorate(lastModified !== undefined ? put(base, "Last-Modified", lastModified) : base)
      }
    }
    const headers: Record<string, string> = {}
    if (inm === undefined && request.META.HTTP_IF_MODIFIED_SINCE !== undefined) {
      headers["if-modified-since"] = request.META.HTTP_IF_MODIFIED_SINCE
    }
    if (request.META.HTTP_RANGE !== undefined) headers["range"] = request.META.HTTP_RANGE
    const ifRange = request.META.HTTP_IF_RANGE
    if (ifRange !== undefined) {
      // If-Range by ETag: a match counts as the date matching; anything else serves it all.
      headers["if-range"] = ifRange === etag && lastModified !== undefined ? lastModified : ifRange
    }
    const [type, encoding] = guessType(rel)
    const res = yield* Effect.catchTag(
      FileResponse.fromPath(chosen.file, { request: headers, filename: path.posix.basename(rel) }),
      "SystemError",
      (): Effect.Effect<never, Http404> => notFound(full)
    ).pipe(
      Effect.catchTag("BadArgument", (): Effect.Effect<never, Http404> => notFound(full))
    )
    let out: HttpResponse.AnyResponse = res
    if (res.status !== 304) {
      out = put(out, "Content-Type", type ?? "application/octet-stream")
    }
    const contentEncoding = coding ?? encoding
    if (contentEncoding !== undefined && res.status !== 304) out = put(out, "Content-Encoding", contentEncoding)
    return decorate(out)
  })

/**
 * A view serving `root` under the URL prefix `prefix` (Django's `static()` URL pattern): the
 * request's `pathInfo` after the prefix is the file's path; a request outside the prefix is 404.
 *
 * @since 0.1.0
 * @category serving
 */
export const view = (
  options: Options & { readonly prefix: string }
): (request: HttpRequest.HttpRequest) => Effect.Effect<HttpResponse.AnyResponse, ServeError, FileSystem.FileSystem> =>
(request) =>
  request.pathInfo.startsWith(options.prefix)
    ? serve(request, request.pathInfo.slice(options.prefix.length), options)
    : Effect.fail(notFound(request.pathInfo))
