/**
 * The Node side of a `FileResponse.fromPath` body (`internal/fileTag.ts`): the lean adapter
 * (`leanServer.ts`) pipes a tagged stream's bytes from `node:fs` (`openFileReadable`) when the
 * tag's `FileSystem` is `NodeFileSystem`'s, with back-pressure, the file opened only once the
 * body is written (never for HEAD) and closed when the response ends or is abandoned.
 *
 * @internal
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs"
import { Readable } from "node:stream"
import { endedEarly, type FileSource } from "../fileTag.js"

/**
 * `NodeFileSystem`'s own functions, from one instance: every instance shares them (they are the
 * module's, `@effect/platform-node-shared`'s `internal/fileSystem.ts`), so an instance is
 * recognised by them. A `FileSystem` of another implementation (a test's, a virtual one) is not,
 * and its stream is written as it is. Missing public API: a way to ask a `FileSystem` whether
 * it reads the local disk.
 */
let nodeFunctions: Pick<FileSystem.FileSystem, "open" | "stat"> | undefined

/**
 * Whether `fs` is `NodeFileSystem`'s (its `open` and `stat` are that module's; the instance they
 * are read from is made at the first file response, not when the library is loaded).
 */
export const isNodeFileSystem = (fs: FileSystem.FileSystem): boolean => {
  nodeFunctions ??= Effect.runSync(
    Effect.scoped(Effect.map(Layer.build(NodeFileSystem.layer), (context) => {
      const node = Context.get(context, FileSystem.FileSystem)
      return { open: node.open, stat: node.stat }
    }))
  )
  return fs.open === nodeFunctions.open && fs.stat === nodeFunctions.stat
}

/** The platform's error for a failed `node:fs` call, as `NodeFileSystem` makes it. */
const systemError = (method: string, path: string, error: NodeJS.ErrnoException): PlatformError.PlatformError =>
  new PlatformError.SystemError({
    reason: error.code === "ENOENT"
      ? "NotFound"
      : error.code === "EACCES"
      ? "PermissionDenied"
      : error.code === "EISDIR" || error.code === "ENOTDIR" || error.code === "ELOOP"
      ? "BadResource"
      : error.code === "EBUSY"
      ? "Busy"
      : "Unknown",
    module: "FileSystem",
    method,
    pathOrDescriptor: path,
    syscall: error.syscall,
    description: error.message,
    cause: error
  })

/** The size of a read: `FileSystem.stream`'s chunk and `fs.createReadStream`'s. */
const CHUNK = 64 * 1024

const noop = () => {}

/**
 * A `Readable` of exactly `source.length` bytes of the file from `source.start`: the file is
 * opened on the first read (a body never read, as for HEAD, never opens it), read 64 KiB at a
 * time, and closed at the end, on an error, or when the stream is destroyed (a close waits for a
 * read in flight). A file shorter than that is an error (`UnexpectedEof`), not a short body: the
 * Content-Length announced the stat'ed size. Errors are the platform's `SystemError`s.
 */
class FileReadable extends Readable {
  private fd: number | undefined = undefined
  private position: number
  private remaining: number
  /** A read is in flight: a close waits for it (the descriptor must not be reused under it). */
  private reading = false
  private closeWhenRead: (() => void) | undefined = undefined

  constructor(private readonly source: FileSource) {
    super({ highWaterMark: CHUNK })
    this.position = source.start
    this.remaining = source.length
  }

  override _read(): void {
    if (this.fd !== undefined) return this.readChunk(this.fd)
    Fs.open(this.source.path, "r", (error, fd) => {
      if (error !== null) return void this.destroy(systemError("open", this.source.path, error))
      if (this.destroyed) return Fs.close(fd, noop)
      this.fd = fd
      this.readChunk(fd)
    })
  }

  private readChunk(fd: number): void {
    if (this.remaining === 0) return void this.push(null)
    const size = Math.min(CHUNK, this.remaining)
    const buffer = Buffer.allocUnsafeSlow(size)
    this.reading = true
    Fs.read(fd, buffer, 0, size, this.position, (error, bytesRead) => {
      this.reading = false
      if (this.closeWhenRead !== undefined) return this.closeWhenRead()
      if (this.destroyed) return
      if (error !== null) return void this.destroy(systemError("readAlloc", this.source.path, error))
      if (bytesRead === 0) {
        return void this.destroy(endedEarly(this.source.path, "readAlloc", this.remaining))
      }
      this.position += bytesRead
      this.remaining -= bytesRead
      this.push(bytesRead === size ? buffer : buffer.subarray(0, bytesRead))
      if (this.remaining === 0) this.push(null)
    })
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fd = this.fd
    this.fd = undefined
    if (fd === undefined) return callback(error)
    const close = () => Fs.close(fd, () => callback(error))
    if (this.reading) this.closeWhenRead = close
    else close()
  }
}

/** A `Readable` of the bytes of `source` (see `FileReadable`). */
export const openFileReadable = (source: FileSource): Readable => new FileReadable(source)
