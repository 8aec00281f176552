/**
 * A file uploaded in a `multipart/form-data` request: Django's `UploadedFile`
 * (`InMemoryUploadedFile` and `TemporaryUploadedFile`) as an immutable value.
 *
 * A small upload stays in memory; a large one was spilled, while the request
 * was read, to a temporary file in `FILE_UPLOAD_TEMP_DIR` (or the OS temp
 * directory) that is removed when the request's `Scope` closes. A file part
 * can also be streamed to a `Sink` of your own instead (see `UploadOptions`):
 * then only its description and the sink's result are kept.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { UploadedFile } from "effect-django-http"
 *
 * const file = UploadedFile.fromBytes({ name: "hello.txt", content: new TextEncoder().encode("hello") })
 * const program = Effect.gen(function*() {
 *   const bytes = yield* UploadedFile.readAll(file)
 *   const chunks = yield* Stream.runCollect(UploadedFile.chunks(file, 2))
 *   return [bytes.length, chunks.length] // [5, 3]
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-django-http/UploadedFile")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * Where the bytes of an upload are.
 *
 * - `Memory`: the whole content (Django's `InMemoryUploadedFile`).
 * - `Temporary`: a temporary file, removed when the request's scope closes
 *   (Django's `TemporaryUploadedFile`).
 * - `Streamed`: the content went to a `Sink` given in `UploadOptions.onFile`;
 *   `result` is what the sink returned. The bytes are not kept.
 *
 * @since 0.1.0
 * @category models
 */
export type Storage =
  | { readonly _tag: "Memory"; readonly bytes: Uint8Array }
  | { readonly _tag: "Temporary"; readonly path: string }
  | { readonly _tag: "Streamed"; readonly result: unknown }

/**
 * @since 0.1.0
 * @category models
 */
export interface UploadedFile extends Fields, Inspectable.Inspectable, Pipeable {
  readonly [TypeId]: TypeId
}

/**
 * What an upload is made of.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fields {
  /** The form field the file came in. */
  readonly fieldName: string
  /** The sanitised file name (Django's `name`): no path, at most 255 characters. */
  readonly name: string
  /** Size in bytes (after base64 decoding). */
  readonly size: number
  /** The part's `Content-Type`, lower-cased as Django does; `""` when the part had none. */
  readonly contentType: string
  /** The `charset` parameter of the part's `Content-Type`, or `null`. */
  readonly charset: string | null
  /** Every parameter of the part's `Content-Type` (Django's `content_type_extra`). */
  readonly contentTypeExtra: Readonly<Record<string, string>>
  readonly storage: Storage
}

/**
 * What is known about a file part when it starts, before its content is read.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileInfo {
  readonly fieldName: string
  readonly name: string
  readonly contentType: string
  readonly charset: string | null
  readonly contentTypeExtra: Readonly<Record<string, string>>
  /** The part's headers, names lower-cased (the last of duplicates). */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Per-request overrides of the upload settings, and hooks: what Django's
 * upload handlers are used for.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadOptions<E = never, R = never> {
  /** Spill threshold (overrides `FILE_UPLOAD_MAX_MEMORY_SIZE`). */
  readonly maxMemorySize?: number | undefined
  /** Overrides `DATA_UPLOAD_MAX_MEMORY_SIZE` (`null` disables the check). */
  readonly dataUploadMaxMemorySize?: number | null | undefined
  /** Overrides `DATA_UPLOAD_MAX_NUMBER_FIELDS` (`null` disables the check). */
  readonly maxNumberFields?: number | null | undefined
  /** Overrides `DATA_UPLOAD_MAX_NUMBER_FILES` (`null` disables the check). */
  readonly maxNumberFiles?: number | null | undefined
  /** Overrides `FILE_UPLOAD_TEMP_DIR`. */
  readonly tempDir?: string | null | undefined
  /**
   * Streams a file part to a sink of your own (a hash, object storage, a
   * virus scanner) instead of memory or disk. Return `undefined` to store the
   * part as usual. The sink's failure fails the parse; its result is kept in
   * the file's `Streamed` storage.
   */
  readonly onFile?: ((info: FileInfo) => Sink.Sink<unknown, Uint8Array, unknown, E, R> | undefined) | undefined
}

/**
 * Upload options for the requests built in a Context that holds this tag:
 * `request.POST`/`FILES` of an `HttpRequest` use them (provide it where the
 * request is built, e.g. around `HttpRequest.fromServerRequest`, or in
 * `RequestFactory`'s `context`). Sinks given here must not fail (handle their
 * errors inside), since `POST`/`FILES` have a fixed error type.
 *
 * @since 0.1.0
 * @category tags
 */
export class Uploads extends Context.Tag("effect-django-http/UploadedFile/Uploads")<
  Uploads,
  UploadOptions<never, never>
>() {}

const Proto = {
  [TypeId]: TypeId,
  ...Inspectable.BaseProto,
  toJSON(this: UploadedFile) {
    return {
      _id: "UploadedFile",
      fieldName: this.fieldName,
      name: this.name,
      size: this.size,
      contentType: this.contentType,
      charset: this.charset,
      storage: this.storage._tag === "Temporary" ? { _tag: "Temporary", path: this.storage.path } : this.storage._tag
    }
  },
  pipe() {
    return pipeArguments(this, arguments)
  }
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isUploadedFile = (u: unknown): u is UploadedFile => hasProperty(u, TypeId)

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (fields: Fields): UploadedFile => Object.assign(Object.create(Proto), fields)

/**
 * An in-memory upload built from bytes (Django's `SimpleUploadedFile`), for
 * tests and for `RequestFactory`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBytes = (options: {
  readonly name: string
  readonly content: Uint8Array
  readonly contentType?: string | undefined
  readonly charset?: string | null | undefined
  readonly fieldName?: string | undefined
}): UploadedFile =>
  make({
    fieldName: options.fieldName ?? "file",
    name: options.name,
    size: options.content.length,
    contentType: options.contentType ?? "text/plain",
    charset: options.charset ?? null,
    contentTypeExtra: options.charset ? { charset: options.charset } : {},
    storage: { _tag: "Memory", bytes: options.content }
  })

/**
 * Django's default chunk size for `chunks()` and `multiple_chunks()`: 64 KiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_CHUNK_SIZE = 64 * 1024

/**
 * Django's `temporary_file_path()`: the path of the temporary file holding a
 * spilled upload.
 *
 * @since 0.1.0
 * @category getters
 */
export const temporaryFilePath = (self: UploadedFile): Option.Option<string> =>
  self.storage._tag === "Temporary" ? Option.some(self.storage.path) : Option.none()

/**
 * `true` when the upload is held in memory.
 *
 * @since 0.1.0
 * @category getters
 */
export const isInMemory = (self: UploadedFile): boolean => self.storage._tag === "Memory"

/**
 * The result of the sink the file part was streamed to, if it was.
 *
 * @since 0.1.0
 * @category getters
 */
export const streamedResult = (self: UploadedFile): Option.Option<unknown> =>
  self.storage._tag === "Streamed" ? Option.some(self.storage.result) : Option.none()

/**
 * Django's `multiple_chunks(chunk_size=None)`: whether `chunks(chunkSize)`
 * yields more than one chunk.
 *
 * @since 0.1.0
 * @category getters
 */
export const multipleChunks: {
  (chunkSize?: number): (self: UploadedFile) => boolean
  (self: UploadedFile, chunkSize?: number): boolean
} = dual(
  (args) => isUploadedFile(args[0]),
  (self: UploadedFile, chunkSize?: number): boolean => self.size > (chunkSize || DEFAULT_CHUNK_SIZE)
)

const streamedError = (self: UploadedFile, method: string) =>
  new PlatformError.BadArgument({
    module: "FileSystem",
    method,
    description: `The upload ${JSON.stringify(self.name)} was streamed to a sink; its content is not kept`
  })

/** How many bytes `chunks` reads from a temporary file at a time (at least one chunk). */
const READ_BLOCK = 1024 * 1024

/**
 * The chunks of a temporary file. Reads go, a block of whole chunks at a time, into one buffer
 * the stream keeps and never hands out; each chunk is then copied into a fresh array of its own
 * size, so a chunk you keep is never overwritten. A buffer allocated before an asynchronous read
 * (as `FileSystem.stream` does) lives through the garbage collections that happen while the read
 * waits, is promoted, and stays until a full collection: hashing a 256 MiB upload that way held
 * some 60 MB. A chunk made after its read and dropped by the consumer dies young.
 */
const temporaryChunks = (
  path: string,
  chunkSize: number,
  expected: number
): Stream.Stream<Uint8Array, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = yield* fs.open(path, { flag: "r" })
    const perBlock = Math.max(1, Math.min(Math.floor(READ_BLOCK / chunkSize), Math.ceil(expected / chunkSize)))
    const buffer = new Uint8Array(chunkSize * perBlock)
    let done = false
    // Fills the buffer (short reads are read on) or reads to the end of the file.
    const fill = (filled: number): Effect.Effect<number, PlatformError.PlatformError> =>
      filled === buffer.length
        ? Effect.succeed(filled)
        : Effect.flatMap(file.read(buffer.subarray(filled)), (got) => {
          if (got === BigInt(0)) {
            done = true
            return Effect.succeed(filled)
          }
          return fill(filled + Number(got))
        })
    return Stream.repeatEffectChunkOption(
      Effect.suspend(() => done ? Effect.succeed(0) : fill(0)).pipe(
        Effect.mapError(Option.some),
        Effect.flatMap((n) => {
          if (n === 0) return Effect.fail(Option.none<PlatformError.PlatformError>())
          const out: Array<Uint8Array> = []
          for (let i = 0; i < n; i += chunkSize) out.push(buffer.slice(i, Math.min(i + chunkSize, n)))
          return Effect.succeed(Chunk.unsafeFromArray(out))
        })
      )
    )
  }))

/**
 * Django's `chunks(chunk_size=None)`: the content as a stream of chunks of
 * `chunkSize` bytes (64 KiB by default; the last one may be shorter).
 *
 * @since 0.1.0
 * @category getters
 */
export const chunks: {
  (
    chunkSize?: number
  ): (self: UploadedFile) => Stream.Stream<Uint8Array, PlatformError.PlatformError, FileSystem.FileSystem>
  (
    self: UploadedFile,
    chunkSize?: number
  ): Stream.Stream<Uint8Array, PlatformError.PlatformError, FileSystem.FileSystem>
} = dual(
  (args) => isUploadedFile(args[0]),
  (
    self: UploadedFile,
    chunkSize?: number
  ): Stream.Stream<Uint8Array, PlatformError.PlatformError, FileSystem.FileSystem> => {
    const size = chunkSize && chunkSize > 0 ? Math.floor(chunkSize) : DEFAULT_CHUNK_SIZE
    const storage = self.storage
    switch (storage._tag) {
      case "Memory": {
        const bytes = storage.bytes
        const out: Array<Uint8Array> = []
        for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size))
        return Stream.fromChunk(Chunk.unsafeFromArray(out))
      }
      case "Temporary":
        return temporaryChunks(storage.path, size, self.size)
      case "Streamed":
        return Stream.fail(streamedError(self, "chunks"))
    }
  }
)

/**
 * Django's `read(size)`: the first `size` bytes (everything without `size`).
 * Unlike a Python file, an `UploadedFile` has no position: every read starts
 * at the beginning.
 *
 * @since 0.1.0
 * @category getters
 */
export const read: {
  (size?: number): (self: UploadedFile) => Effect.Effect<Uint8Array, PlatformError.PlatformError, FileSystem.FileSystem>
  (self: UploadedFile, size?: number): Effect.Effect<Uint8Array, PlatformError.PlatformError, FileSystem.FileSystem>
} = dual(
  (args) => isUploadedFile(args[0]),
  (
    self: UploadedFile,
    size?: number
  ): Effect.Effect<Uint8Array, PlatformError.PlatformError, FileSystem.FileSystem> => {
    const n = size === undefined || size < 0 ? self.size : Math.min(size, self.size)
    const storage = self.storage
    switch (storage._tag) {
      case "Memory":
        return Effect.succeed(storage.bytes.subarray(0, n))
      case "Temporary":
        return Effect.scoped(Effect.gen(function*() {
          const fs = yield* FileSystem.FileSystem
          const file = yield* fs.open(storage.path, { flag: "r" })
          const out = new Uint8Array(n)
          let offset = 0
          while (offset < n) {
            const got = Number(yield* file.read(out.subarray(offset)))
            if (got === 0) break
            offset += got
          }
          return offset === n ? out : out.subarray(0, offset)
        }))
      case "Streamed":
        return Effect.fail(streamedError(self, "read"))
    }
  }
)

/**
 * The whole content.
 *
 * @since 0.1.0
 * @category getters
 */
export const readAll = (
  self: UploadedFile
): Effect.Effect<Uint8Array, PlatformError.PlatformError, FileSystem.FileSystem> => read(self)

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------

/**
 * A Schema for an `UploadedFile` value (for typed decoding of `FILES`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UploadedFileSchema: Schema.declare<UploadedFile> = Schema.declare(isUploadedFile, {
  identifier: "UploadedFile",
  description: "an uploaded file"
})

/**
 * A Schema for an `UploadedFile` constrained in size and content type.
 * `contentTypes` entries match exactly (`"image/png"`) or by main type
 * (`"image/*"`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const schema = (options: {
  readonly maxSize?: number | undefined
  readonly minSize?: number | undefined
  readonly contentTypes?: ReadonlyArray<string> | undefined
} = {}): Schema.Schema<UploadedFile> =>
  UploadedFileSchema.pipe(
    Schema.filter((file, _, ast) => {
      if (options.maxSize !== undefined && file.size > options.maxSize) {
        return new ParseResult.Type(ast, file, `File ${file.name} is larger than ${options.maxSize} bytes`)
      }
      if (options.minSize !== undefined && file.size < options.minSize) {
        return new ParseResult.Type(ast, file, `File ${file.name} is smaller than ${options.minSize} bytes`)
      }
      if (options.contentTypes !== undefined) {
        const type = file.contentType
        const ok = options.contentTypes.some((t) =>
          t.endsWith("/*") ? type.startsWith(t.slice(0, -1).toLowerCase()) : type === t.toLowerCase()
        )
        if (!ok) {
          return new ParseResult.Type(
            ast,
            file,
            `File ${file.name} has content type ${JSON.stringify(type)}, expected one of ${
              options.contentTypes.join(", ")
            }`
          )
        }
      }
      return true
    })
  )
