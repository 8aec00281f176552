/**
 * Django's `GZipMiddleware`: compresses responses for clients whose `Accept-Encoding` names gzip.
 *
 * Django's conditions, kept exactly: a non-streaming body under 200 bytes, or a response with a
 * `Content-Encoding`, is left alone; every other response gets `Vary: Accept-Encoding`, even when
 * it is not compressed; `gzip` is looked for as a word anywhere in `Accept-Encoding` (so
 * `gzip;q=0` and `x-gzip` count, as in Django); a body is replaced only if compressing made it
 * shorter; a strong `ETag` becomes weak (`W/"..."`); a streaming response is compressed as a
 * stream (through `node:zlib`) and loses its `Content-Length`. The bytes are Python's `GzipFile`
 * ones: level 6, mtime 0, no file name, OS byte 255.
 *
 * ```ts
 * import { GZip, HttpResponse, View } from "effect-django-http"
 *
 * const page: View.View = () => HttpResponse.make({ content: "<p>hello</p>".repeat(100) })
 * const app = View.toHttpApp(GZip.middleware(page))
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as zlib from "node:zlib"
import * as Cache from "./Cache.js"
import type * as HttpRequest from "./HttpRequest.js"
import * as HttpResponse from "./HttpResponse.js"
import { deflateRawStream } from "./internal/node/adapter.js"
import * as response from "./internal/response.js"
import * as Middleware from "./Middleware.js"

/** Python's `GzipFile` header with no file name, mtime 0, compression level 6 (XFL 0), OS "unknown". */
const HEADER = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff])

const trailer = (crc: number, size: number): Uint8Array => {
  const out = new Uint8Array(8)
  const view = new DataView(out.buffer)
  view.setUint32(0, crc >>> 0, true)
  view.setUint32(4, size >>> 0, true)
  return out
}

/**
 * Django's `compress_string`: gzip at level 6 with mtime 0, framed as Python's `GzipFile` frames
 * it.
 *
 * @since 0.1.0
 * @category compression
 */
export const compressBytes = (bytes: Uint8Array): Uint8Array => {
  const body = zlib.deflateRawSync(bytes, { level: 6 })
  return Buffer.concat([HEADER, body, trailer(zlib.crc32(bytes), bytes.length)])
}

/**
 * Django's `compress_sequence`: the same gzip framing over a stream, compressed as it flows
 * (the header first, then whatever the compressor gives for each chunk, then the trailer).
 *
 * @since 0.1.0
 * @category compression
 */
export const compressStream = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>
): Stream.Stream<Uint8Array, unknown, R> =>
  Stream.suspend(() => {
    let crc = 0
    let size = 0
    const counted = Stream.map(stream, (chunk) => {
      crc = zlib.crc32(chunk, crc)
      size += chunk.length
      return chunk
    })
    const body = deflateRawStream(counted)
    return Stream.succeed(HEADER).pipe(
      Stream.concat(body),
      Stream.concat(Stream.suspend(() => Stream.succeed(trailer(crc, size))))
    )
  })

const ACCEPTS_GZIP = /\bgzip\b/

/**
 * Whether an `Accept-Encoding` value lets Django compress: `gzip` as a word anywhere in it.
 *
 * @since 0.1.0
 * @category compression
 */
export const acceptsGzip = (acceptEncoding: string): boolean => ACCEPTS_GZIP.test(acceptEncoding)

/**
 * `compressBytes` off the main thread: the deflate runs on libuv's thread pool (Node's
 * asynchronous zlib), so the server keeps answering other requests meanwhile. The same bytes.
 *
 * @since 0.1.0
 * @category compression
 */
export const compressBytesAsync = (bytes: Uint8Array): Effect.Effect<Uint8Array> =>
  Effect.async<Uint8Array>((resume) => {
    zlib.deflateRaw(bytes, { level: 6 }, (error, body) => {
      // Deflating bytes in memory does not fail; if it ever did, do it on this thread.
      resume(
        Effect.succeed(
          error ? compressBytes(bytes) : Buffer.concat([HEADER, body, trailer(zlib.crc32(bytes), bytes.length)])
        )
      )
    })
  })

const put = <A extends HttpResponse.AnyResponse>(self: A, name: string, value: string): A =>
  response.withHeaders(self, response.putHeader(self.headers, { name, value, key: name.toLowerCase() }))

/** The compressed response's last steps: a strong ETag made weak, then `Content-Encoding: gzip`. */
const finish = <A extends HttpResponse.AnyResponse>(out: A): A => {
  const etag = Option.getOrUndefined(HttpResponse.getHeader(out, "ETag"))
  const weak = etag && etag.startsWith("\"") ? put(out, "ETag", `W/${etag}`) : out
  return put(weak, "Content-Encoding", "gzip")
}

/**
 * Django's `process_response` on a response, for a request's `Accept-Encoding`. An in-memory
 * body is compressed on the thread pool (`compressBytesAsync`); a streaming one becomes a
 * compressing stream.
 *
 * @since 0.1.0
 * @category middleware
 */
export const processResponse = <A extends HttpResponse.AnyResponse>(
  acceptEncoding: string,
  self: A
): Effect.Effect<A, HttpResponse.MakeError> =>
  // The body is compressed as it will be sent: settled first (in the handler it already is).
  HttpResponse.isSettled(self)
    ? processSettled(acceptEncoding, self)
    : Effect.flatMap(HttpResponse.settle(self), (settled) => processSettled(acceptEncoding, settled))

const processSettled = <A extends HttpResponse.AnyResponse>(
  acceptEncoding: string,
  self: A
): Effect.Effect<A, HttpResponse.MakeError> => {
  if (self._tag === "HttpResponse" && response.tell(self) < 200) return Effect.succeed(self)
  if (HttpResponse.hasHeader(self, "Content-Encoding")) return Effect.succeed(self)
  const varied = Cache.patchVaryHeaders(self, ["Accept-Encoding"])
  if (Either.isLeft(varied)) return Effect.fail(varied.left)
  const res = varied.right
  if (!acceptsGzip(acceptEncoding)) return Effect.succeed(res)
  if (res._tag !== "HttpResponse") {
    const streaming = res as response.Streaming | response.File
    const next = response.update<response.Streaming | response.File>(streaming, {
      stream: compressStream(streaming.stream)
    })
    return Effect.succeed(finish(HttpResponse.removeHeader(next, "Content-Length") as A))
  }
  const content = HttpResponse.content(res)
  return Effect.map(compressBytesAsync(content), (compressed) => {
    // Only if it is actually shorter.
    if (compressed.length >= content.length) return res
    const replaced = response.update<response.Plain>(res, { chunks: [compressed] })
    return finish(put(replaced, "Content-Length", String(compressed.length)) as A)
  })
}

/**
 * `GZipMiddleware`. Responses that are not this library's pass unchanged.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware: Middleware.Middleware<HttpResponse.MakeError> = Middleware.make<HttpResponse.MakeError>((
  request: HttpRequest.HttpRequest,
  getResponse
) =>
  Effect.flatMap(getResponse(request), (res) =>
    HttpResponse.isAnyResponse(res)
      ? processResponse(request.META.HTTP_ACCEPT_ENCODING ?? "", res)
      : Effect.succeed(res))
)
