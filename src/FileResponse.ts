/**
 * Django's `FileResponse`: a streaming response for a file, with
 * Content-Length, a Content-Type guessed from the name as Django guesses it,
 * and Content-Disposition (`attachment`/`inline`, an escaped ASCII name or an
 * RFC 5987 `filename*=utf-8''...`).
 *
 * Beyond Django, given the request's headers (`request`), it answers
 * `Range: bytes=...` with 206 and `Content-Range` (416 when unsatisfiable) and
 * `If-Modified-Since` with 304, and adds `Accept-Ranges` and `Last-Modified`.
 * Without `request` the headers are exactly Django's.
 *
 * @example
 * ```ts
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { FileResponse } from "effect-django-http"
 *
 * const res = FileResponse.fromPath("/srv/report.pdf", { asAttachment: true }).pipe(
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as HttpResponse from "./HttpResponse.js"
import * as fileTag from "./internal/fileTag.js"
import { contentTypeFor } from "./internal/python/mimetypes.js"
import * as internal from "./internal/response.js"
import { quoteWith, safeTable } from "./internal/url.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface FileResponse extends internal.File {}

/**
 * The request headers the conditional and range logic reads (`Range`,
 * `If-Range`, `If-Modified-Since`), as a record (any case) or `[name, value]` pairs.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestHeaders = Readonly<Record<string, string | undefined>> | Iterable<readonly [string, string]>

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends Omit<HttpResponse.Options, "content"> {
  /** `Content-Disposition: attachment` instead of `inline`. */
  readonly asAttachment?: boolean | undefined
  /** The name for Content-Disposition (and for guessing the type when the source has none). */
  readonly filename?: string | undefined
  /** The request's headers: enables Range (206/416) and If-Modified-Since (304). Use for GET and HEAD. */
  readonly request?: RequestHeaders | undefined
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isFileResponse = (u: unknown): u is FileResponse => internal.isResponse(u) && u._tag === "FileResponse"

const QUOTE_SAFE = safeTable("/")

const basename = (p: string): string => p.slice(p.lastIndexOf("/") + 1)

const requestHeader = (headers: RequestHeaders, name: string): string | undefined => {
  const lower = name.toLowerCase()
  const entries: Iterable<readonly [string, string | undefined]> = Symbol.iterator in headers
    ? (headers as Iterable<readonly [string, string]>)
    : Object.entries(headers as Readonly<Record<string, string | undefined>>)
  for (const [k, v] of entries) if (k.toLowerCase() === lower && v !== undefined) return v
  return undefined
}

/**
 * A parsed `Range` header against a size: a slice, unsatisfiable, or ignored (serve it all).
 *
 * @since 0.1.0
 * @category range
 */
export type RangeResult =
  | { readonly _tag: "Ignore" }
  | { readonly _tag: "Unsatisfiable" }
  | { readonly _tag: "Slice"; readonly start: number; readonly end: number }

/**
 * Parses a single-range `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` header
 * against a size (RFC 9110 §14). Malformed headers, other units and multiple
 * ranges are ignored (the whole file is served, as the RFC allows).
 *
 * @since 0.1.0
 * @category range
 */
export const parseRange = (header: string, size: number): RangeResult => {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (m === null) return { _tag: "Ignore" }
  const [, a, b] = m as unknown as [string, string, string]
  if (a === "" && b === "") return { _tag: "Ignore" }
  if (a === "") {
    const n = Number(b)
    if (n === 0 || size === 0) return { _tag: "Unsatisfiable" }
    return { _tag: "Slice", start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(a)
  const end = b === "" ? size - 1 : Number(b)
  // RFC 9110 14.1.1: a first position at or past the end is unsatisfiable (416), even
  // with an open end; only then is a last position before the first one ignored.
  if (start >= size) return { _tag: "Unsatisfiable" }
  if (end < start) return { _tag: "Ignore" }
  return { _tag: "Slice", start, end: Math.min(end, size - 1) }
}

const parseHttpDate = (s: string): number | undefined => {
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000)
}

/** The bytes of `stream` from `start` to `end` (inclusive), reading no further than needed. */
const sliceStream = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  start: number,
  end: number
): Stream.Stream<Uint8Array, E> =>
  stream.pipe(
    Stream.mapAccum(0, (pos, chunk): readonly [number, readonly [number, Uint8Array]] => {
      const s = Math.max(0, start - pos)
      const e = Math.min(chunk.length, end + 1 - pos)
      return [pos + chunk.length, [pos, e > s ? chunk.subarray(s, e) : new Uint8Array(0)]]
    }),
    Stream.takeWhile(([pos]) => pos <= end),
    Stream.map(([, bytes]) => bytes),
    Stream.filter((bytes) => bytes.length > 0)
  )

/**
 * `stream`, failing at its end when it gave fewer than `length` bytes (the Content-Length
 * announced): a file shortened since it was stat'ed ends the response with a failure (logged, the
 * connection closed) instead of a short body the client would wait on. (`bytesToRead` stops a
 * file grown meanwhile at `length`.)
 */
const exactly = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  length: number,
  path: string
): Stream.Stream<Uint8Array, E | PlatformError.PlatformError> =>
  Stream.suspend(() => {
    let seen = 0
    return Stream.concat(
      Stream.mapChunks(stream, (chunk) => {
        for (const bytes of chunk) seen += bytes.length
        return chunk
      }),
      Stream.suspend(() =>
        seen >= length ? Stream.empty : Stream.fail(fileTag.endedEarly(path, "stream", length - seen))
      )
    )
  })

interface Source {
  /** The name Django reads from the file object (a path), if any. */
  readonly name: string | undefined
  readonly size: number | undefined
  readonly mtime: Date | undefined
  readonly stream: (range: readonly [start: number, end: number] | undefined) => Stream.Stream<Uint8Array, unknown>
}

const build = (
  source: Source,
  options: Options
): Either.Either<FileResponse, HttpResponse.MakeError> => {
  const base = internal.makeBase(options)
  if (Either.isLeft(base)) return Either.left(base.left)
  let headers = base.right.headers
  let status = base.right.status
  const put = (name: string, value: string): HttpResponse.MakeError | undefined => {
    const h = internal.validateHeader(name, value)
    if (Either.isLeft(h)) return h.left
    headers = internal.putHeader(headers, h.right)
    return undefined
  }
  const filename = options.filename ?? ""
  const guessName = source.name !== undefined && source.name !== "" ? source.name : filename
  // Django's set_headers, in its order.
  if (source.size !== undefined) {
    const e = put("Content-Length", String(source.size))
    if (e) return Either.left(e)
  }
  if ((internal.getHeader(headers, "content-type") ?? "").startsWith("text/html")) {
    const e = put("Content-Type", guessName !== "" ? contentTypeFor(guessName) : "application/octet-stream")
    if (e) return Either.left(e)
  }
  const dispositionName = filename !== "" ? filename : basename(guessName)
  if (dispositionName !== "") {
    const disposition = options.asAttachment ? "attachment" : "inline"
    // eslint-disable-next-line no-control-regex
    const expr = /^[\u0000-\u007f]*$/.test(dispositionName)
      ? `filename="${dispositionName.replace(/\\/g, "\\\\").replace(/"/g, "\\\"")}"`
      : `filename*=utf-8''${quoteWith(dispositionName, QUOTE_SAFE)}`
    const e = put("Content-Disposition", `${disposition}; ${expr}`)
    if (e) return Either.left(e)
  } else if (options.asAttachment) {
    const e = put("Content-Disposition", "attachment")
    if (e) return Either.left(e)
  }
  let range: readonly [number, number] | undefined
  let body = true
  if (options.request !== undefined) {
    const lastModified = source.mtime !== undefined ? internal.httpDateOf(source.mtime) : undefined
    if (lastModified !== undefined) {
      const e = put("Last-Modified", lastModified)
      if (e) return Either.left(e)
    }
    if (source.size !== undefined) {
      const e = put("Accept-Ranges", "bytes")
      if (e) return Either.left(e)
    }
    const ims = requestHeader(options.request, "if-modified-since")
    const imsSeconds = ims !== undefined ? parseHttpDate(ims) : undefined
    const rangeHeader = requestHeader(options.request, "range")
    const ifRange = requestHeader(options.request, "if-range")
    if (
      imsSeconds !== undefined && source.mtime !== undefined && status === 200 &&
      Math.floor(source.mtime.getTime() / 1000) <= imsSeconds
    ) {
      status = 304
      body = false
      for (const name of ["Content-Type", "Content-Length", "Content-Disposition"]) {
        headers = internal.removeHeader(headers, name)
      }
    } else if (
      rangeHeader !== undefined && source.size !== undefined && status === 200 &&
      (ifRange === undefined || ifRange === lastModified)
    ) {
      const r = parseRange(rangeHeader, source.size)
      if (r._tag === "Slice") {
        status = 206
        range = [r.start, r.end]
        put("Content-Range", `bytes ${r.start}-${r.end}/${source.size}`)
        put("Content-Length", String(r.end - r.start + 1))
      } else if (r._tag === "Unsatisfiable") {
        status = 416
        body = false
        put("Content-Range", `bytes */${source.size}`)
        put("Content-Length", "0")
      }
    }
  }
  return Either.right(internal.unsafeMake<internal.File>({
    _tag: "FileResponse",
    streaming: true,
    ...base.right,
    status,
    headers,
    stream: body ? source.stream(range) : Stream.empty,
    source: undefined,
    filename,
    asAttachment: options.asAttachment === true
  }) as FileResponse)
}

/**
 * A `FileResponse` streaming the file at `path` (read lazily, when the
 * response is sent). Content-Length is the file's size; the type is guessed
 * from the path. Fails with the platform's error when the file cannot be
 * stat'ed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPath = (
  path: string,
  options: Options = {}
): Effect.Effect<FileResponse, HttpResponse.MakeError | PlatformError.PlatformError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    Effect.flatMap(fs.stat(path), (info) => {
      const size = Number(info.size)
      return build(
        {
          name: path,
          size,
          mtime: Option.getOrUndefined(info.mtime),
          stream: (range) => {
            if (range !== undefined && range[1] < range[0]) return Stream.empty
            const start = range === undefined ? 0 : range[0]
            const length = range === undefined ? size : range[1] - range[0] + 1
            // (`offset: 0` is no seek: the platform seeks for a non-zero offset only.)
            const stream = exactly(fs.stream(path, { offset: start, bytesToRead: length }), length, path)
            // The lean Node adapter pipes these bytes from `node:fs` on Node's file system (`internal/fileTag`).
            return fileTag.tagFile(stream, { fs, path, start, length })
          }
        },
        options
      )
    }))

/**
 * A `FileResponse` for bytes in memory (Django's `FileResponse(io.BytesIO(...))`):
 * Content-Length is their length; the type is guessed from `filename`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBytes = (
  bytes: Uint8Array,
  options: Options & { readonly lastModified?: Date | undefined } = {}
): Either.Either<FileResponse, HttpResponse.MakeError> =>
  build(
    {
      name: undefined,
      size: bytes.length,
      mtime: options.lastModified,
      stream: (range) =>
        Stream.succeed(range === undefined ? bytes : bytes.subarray(range[0], range[1] + 1)).pipe(
          Stream.filter((b) => b.length > 0)
        )
    },
    options
  )

/**
 * A `FileResponse` for a stream of bytes. Give `size` for Content-Length and
 * range support, `lastModified` for If-Modified-Since.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStream = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  options: Options & { readonly size?: number | undefined; readonly lastModified?: Date | undefined } = {}
): Either.Either<FileResponse, HttpResponse.MakeError> =>
  build(
    {
      name: undefined,
      size: options.size,
      mtime: options.lastModified,
      stream: (range) => (range === undefined ? stream : sliceStream(stream, range[0], range[1]))
    },
    options
  )
