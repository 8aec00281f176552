/**
 * Where the multipart parser writes an uploaded file: memory (spilling to disk when the
 * request's in-memory budget is spent), a temporary file, or a user's `Sink`. Every temporary
 * file of one request lives in one directory, owned by a scope forked from the request's.
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Mailbox from "effect/Mailbox"
import * as Scope from "effect/Scope"
import type * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import type * as UploadedFile from "../../UploadedFile.js"
import { splitExt } from "./headers.js"

/**
 * Spilled uploads are written in pieces of this size (see `disk`). Measured on one 100 MB
 * file: 256 KiB about as fast as busboy, 512 KiB and 1 MiB about 1.3x, 64 KiB (a write per
 * network piece) 0.6x.
 */
const WRITE_SIZE = 512 * 1024

/** The pieces as one array (the piece itself when there is one). */
export const concat = (chunks: ReadonlyArray<Uint8Array>, size?: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  return Buffer.concat(chunks, size)
}

/** One file being received: `write` returns `undefined` when it is done at once. */
export interface FileSink {
  readonly write: (chunk: Uint8Array) => Effect.Effect<void, unknown> | undefined
  readonly close: () => Effect.Effect<UploadedFile.Storage, unknown>
  readonly discard: () => Effect.Effect<void>
}

/** The sinks of one request. */
export interface Sinks {
  /** A temporary file, starting with what a memory sink held before it spilled. */
  readonly disk: (
    name: string,
    initial: ReadonlyArray<Uint8Array>
  ) => Effect.Effect<FileSink, PlatformError.PlatformError>
  /** Memory, until the request's files pass `spillAt` bytes (only for bodies without Content-Length). */
  readonly memory: (name: string) => FileSink
  /** A user's sink, run in its own fiber and fed through a bounded mailbox. */
  readonly user: <E, R>(sink: Sink.Sink<unknown, Uint8Array, unknown, E, R>) => Effect.Effect<FileSink, never, R>
  /** Removes the request's temporary directory (when the parse fails). */
  readonly close: Effect.Effect<void>
}

export const make = (options: {
  readonly scope: Scope.Scope
  readonly fs: FileSystem.FileSystem
  readonly tempDir: string | null
  readonly spillAt: number
}): Sinks => {
  const { fs, scope, spillAt, tempDir } = options
  let memoryUsed = 0

  // Closed with the request's scope, or as soon as the parse fails (a client that went away
  // must not leave files behind even if the server never closes the request scope).
  let tempDirPath: string | undefined
  let tempScope: Scope.CloseableScope | undefined
  let tempCounter = 0
  const makeTempPath = (name: string) =>
    Effect.gen(function*() {
      if (tempDirPath === undefined) {
        tempScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
        tempDirPath = yield* Scope.extend(
          fs.makeTempDirectoryScoped(tempDir ? { directory: tempDir, prefix: "upload-" } : { prefix: "upload-" }),
          tempScope
        )
      }
      const [, ext] = splitExt(name)
      const safeExt = /^\.[A-Za-z0-9_-]{1,16}$/.test(ext) ? ext : ""
      return `${tempDirPath}/${tempCounter++}.upload${safeExt}`
    })

  const disk = (name: string, initial: ReadonlyArray<Uint8Array>) =>
    Effect.gen(function*() {
      const path = yield* makeTempPath(name)
      const fileScope = yield* Scope.fork(tempScope!, ExecutionStrategy.sequential)
      const file = yield* Scope.extend(fs.open(path, { flag: "wx" }), fileScope)
      // What a memory sink held before spilling is written first, as it is.
      for (const c of initial) yield* file.writeAll(c)
      let closed = false
      // Pieces are copied into one reused buffer and written WRITE_SIZE bytes at a time:
      // fewer, larger writes cost much less through the platform's file API, and reusing the
      // buffer (each write is awaited before it is refilled) allocates nothing per piece.
      const buffer = new Uint8Array(WRITE_SIZE)
      let filled = 0
      const flush = Effect.suspend(() => {
        if (filled === 0) return Effect.void
        const n = filled
        filled = 0
        return file.writeAll(buffer.subarray(0, n))
      })
      const put = (chunk: Uint8Array): Effect.Effect<void, PlatformError.PlatformError> | undefined => {
        const n = Math.min(chunk.length, WRITE_SIZE - filled)
        buffer.set(n === chunk.length ? chunk : chunk.subarray(0, n), filled)
        filled += n
        if (filled < WRITE_SIZE) return undefined
        return n === chunk.length
          ? flush
          : Effect.zipRight(flush, Effect.suspend(() => put(chunk.subarray(n)) ?? Effect.void))
      }
      const sink: FileSink = {
        write: put,
        close: () =>
          Effect.as(
            Effect.zipRight(
              flush,
              Effect.suspend(() => {
                closed = true
                return Scope.close(fileScope, Exit.void)
              })
            ),
            { _tag: "Temporary", path } as const
          ),
        discard: () =>
          Effect.suspend(() =>
            Effect.zipRight(
              closed ? Effect.void : Scope.close(fileScope, Exit.void),
              Effect.ignore(fs.remove(path))
            )
          )
      }
      return sink
    })

  const memory = (name: string): FileSink => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    let spilled: FileSink | undefined
    return {
      write: (chunk) => {
        if (spilled !== undefined) return spilled.write(chunk)
        if (memoryUsed + chunk.length > spillAt) {
          // Only for bodies without Content-Length: the request's in-memory budget is spent.
          return Effect.map(disk(name, [...chunks, chunk]), (s) => {
            memoryUsed -= size
            chunks.length = 0
            spilled = s
          })
        }
        memoryUsed += chunk.length
        size += chunk.length
        chunks.push(chunk)
        return undefined
      },
      // One copy, so that the network's buffers are not kept alive by small files.
      close: () =>
        spilled !== undefined
          ? spilled.close()
          : Effect.succeed({ _tag: "Memory", bytes: chunks.length === 1 ? chunks[0]!.slice() : concat(chunks, size) }),
      discard: () => {
        memoryUsed -= size
        chunks.length = 0
        return spilled !== undefined ? spilled.discard() : Effect.void
      }
    }
  }

  const user = <E, R>(sink: Sink.Sink<unknown, Uint8Array, unknown, E, R>) =>
    Effect.gen(function*() {
      const mailbox = yield* Mailbox.make<Uint8Array>(8)
      const fiber = yield* Mailbox.toStream(mailbox).pipe(
        Stream.run(sink),
        Effect.ensuring(mailbox.shutdown),
        Effect.forkIn(scope)
      )
      const fileSink: FileSink = {
        // Pieces are never written to after they are handed out: no copy needed.
        write: (chunk) => Effect.asVoid(mailbox.offer(chunk)),
        close: () =>
          Effect.zipRight(
            mailbox.end,
            Effect.map(Fiber.join(fiber), (result): UploadedFile.Storage => ({ _tag: "Streamed", result }))
          ),
        discard: () => Fiber.interrupt(fiber)
      }
      return fileSink
    })

  const close = Effect.suspend(() => tempScope !== undefined ? Scope.close(tempScope, Exit.void) : Effect.void)

  return { disk, memory, user, close }
}
