/**
 * The file behind a `FileResponse.fromPath` body, for an adapter that can send it natively.
 *
 * `FileResponse.fromPath` answers with a stream of the platform's `FileSystem` (one runtime step
 * per 64 KiB chunk, then one per chunk again where the adapter writes it). The stream is tagged
 * here with the file's path, byte range and the `FileSystem` it reads; the lean Node adapter
 * (`node/leanServer.ts`, `node/fileBody.ts`) finds the tag on the response body and, when that
 * `FileSystem` is Node's, pipes the bytes from `node:fs` instead. A stream transformed by a
 * middleware is another stream, without the tag: it is written as any stream. The
 * `FileResponse` value keeps its Effect stream (what `stream` reads, in tests and middleware);
 * only the bytes' way to the socket changes.
 *
 * @internal
 */
import * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"

/** A file's bytes: `length` bytes from `start`. */
export interface FileSource {
  /** The file system the stream reads: the bytes may be read natively only when it is Node's. */
  readonly fs: FileSystem.FileSystem
  readonly path: string
  readonly start: number
  readonly length: number
}

const sources = new WeakMap<object, FileSource>()

/** Marks `stream` as the bytes of `source`; returns `stream`. */
export const tagFile = <S extends object>(stream: S, source: FileSource): S => {
  sources.set(stream, source)
  return stream
}

/** The file `stream` is the bytes of, if it was tagged. */
export const fileOf = (stream: object): FileSource | undefined => sources.get(stream)

/** `to` carries `from`'s tag too (a wrapper that passes the bytes through unchanged). */
export const copyTag = <S extends object>(from: object, to: S): S => {
  const source = sources.get(from)
  if (source !== undefined) sources.set(to, source)
  return to
}

/**
 * The failure of a file that ended `missing` bytes before the size it was stat'ed at (the
 * Content-Length announced), read by `method`.
 */
export const endedEarly = (path: string, method: string, missing: number): PlatformError.PlatformError =>
  new PlatformError.SystemError({
    reason: "UnexpectedEof",
    module: "FileSystem",
    method,
    pathOrDescriptor: path,
    description: `the file ended ${missing} bytes before the size it had when the response was made`
  })
