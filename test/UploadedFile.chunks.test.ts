/**
 * `UploadedFile.chunks` of a spilled upload (Django's `File.chunks(chunk_size)`: from the start of
 * the file, `chunk_size` bytes at a time, the last chunk shorter). The temporary file is read a
 * block of chunks at a time into one buffer that is never handed out; these tests pin what a
 * caller sees: the same chunks as the in-memory upload, each chunk its own array that later reads
 * never overwrite, the file closed as soon as the stream ends, and typed failures.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, FastCheck as fc, Option, Scope, Stream } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Multipart from "../src/internal/multipart.js"
import * as Settings from "../src/Settings.js"
import * as UploadedFile from "../src/UploadedFile.js"

const root = fs.mkdtempSync(path.join(os.tmpdir(), "uploads-chunks-test-"))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
let counter = 0

/** Deterministic bytes that differ from one position to the next (so a misplaced chunk shows). */
const content = (length: number, seed = 1): Uint8Array => {
  const out = new Uint8Array(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** A spilled upload: `bytes` in a temporary file; `size` is what the parser recorded. */
const temporary = (bytes: Uint8Array, size = bytes.length) => {
  const file = path.join(root, `${counter++}.upload`)
  fs.writeFileSync(file, bytes)
  return UploadedFile.make({
    fieldName: "f",
    name: "data.bin",
    size,
    contentType: "application/octet-stream",
    charset: null,
    contentTypeExtra: {},
    storage: { _tag: "Temporary", path: file }
  })
}

const inMemory = (bytes: Uint8Array) => UploadedFile.fromBytes({ name: "data.bin", content: bytes })

const collect = (file: UploadedFile.UploadedFile, chunkSize?: number) =>
  Effect.map(Stream.runCollect(UploadedFile.chunks(file, chunkSize)), Chunk.toReadonlyArray)

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => Buffer.concat(chunks)

/** Byte equality without a deep comparison per byte (the arrays here are megabytes). */
const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a !== undefined && b !== undefined &&
  Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))

const allSame = (a: ReadonlyArray<Uint8Array>, b: ReadonlyArray<Uint8Array>): boolean =>
  a.length === b.length && a.every((c, i) => same(c, b[i]))

/** What Django's `chunks(chunk_size)` yields: `chunk_size` bytes at a time from the start. */
const expectedSizes = (length: number, chunkSize: number) => {
  const out: Array<number> = []
  for (let i = 0; i < length; i += chunkSize) out.push(Math.min(chunkSize, length - i))
  return out
}

/** The descriptors of this process that are open on `file`. */
const openOn = (file: string) =>
  fs.readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === file
    } catch {
      return false
    }
  })

const KiB = 1024
const MiB = 1024 * KiB

describe("UploadedFile.chunks of a temporary file", () => {
  it.effect(
    "yields chunkSize bytes at a time from the start, the last shorter, the content unchanged",
    () =>
      Effect.gen(function*() {
        // Around the 64 KiB default and across the 1 MiB read block, with chunk sizes that do and
        // do not divide the block, and one larger than it.
        const cases: Array<[number, number | undefined]> = [
          [0, undefined],
          [1, undefined],
          [64 * KiB - 1, undefined],
          [64 * KiB, undefined],
          [64 * KiB + 1, undefined],
          [2 * MiB + 12345, undefined],
          [2 * MiB + 12345, 100_000],
          [3 * MiB + 7, 3 * MiB],
          [3000, 1],
          [MiB + 1, 2 * KiB],
          [5000, 4096]
        ]
        for (const [length, chunkSize] of cases) {
          const bytes = content(length, length + 1)
          const chunks = yield* collect(temporary(bytes), chunkSize)
          expect(chunks.map((c) => c.length)).toEqual(
            expectedSizes(length, chunkSize ?? UploadedFile.DEFAULT_CHUNK_SIZE)
          )
          expect(same(concat(chunks), bytes)).toBe(true)
        }
      }).pipe(Effect.provide(NodeFileSystem.layer)),
    60_000
  )

  it.effect("gives the same chunks as the same upload held in memory (property)", () =>
    Effect.gen(function*() {
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 0, max: 300_000 }),
            fc.integer({ min: 256, max: 200_000 }),
            fc.integer({ min: 1, max: 1000 }),
            (length, chunkSize, seed) => {
              const bytes = content(length, seed)
              return Effect.runPromise(
                Effect.gen(function*() {
                  const fromDisk = yield* collect(temporary(bytes), chunkSize)
                  const fromMemory = yield* collect(inMemory(bytes), chunkSize)
                  expect(fromDisk.map((c) => c.length)).toEqual(fromMemory.map((c) => c.length))
                  expect(allSame(fromDisk, fromMemory)).toBe(true)
                }).pipe(Effect.provide(NodeFileSystem.layer))
              )
            }
          ),
          { numRuns: 40 }
        )
      )
    }), 60_000)

  it.effect("a chunk size of 0 is the default (Django's `chunk_size or DEFAULT_CHUNK_SIZE`); others as in memory", () =>
    Effect.gen(function*() {
      const bytes = content(200_000, 5)
      const zero = yield* collect(temporary(bytes), 0)
      expect(zero.map((c) => c.length)).toEqual(expectedSizes(bytes.length, UploadedFile.DEFAULT_CHUNK_SIZE))
      // Sizes that are not positive integers give the chunks an in-memory upload gives.
      for (const chunkSize of [-5, 2.5, 1000.9, 70_000.5]) {
        const fromDisk = yield* collect(temporary(bytes), chunkSize)
        const fromMemory = yield* collect(inMemory(bytes), chunkSize)
        expect(fromDisk.map((c) => c.length)).toEqual(fromMemory.map((c) => c.length))
        expect(allSame(fromDisk, fromMemory)).toBe(true)
      }
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("every chunk is an array of its own that later reads never overwrite", () =>
    Effect.gen(function*() {
      const bytes = content(3 * MiB + 100, 7)
      const expected = expectedSizes(bytes.length, 64 * KiB).map((_, i) =>
        bytes.slice(i * 64 * KiB, (i + 1) * 64 * KiB)
      )
      // Keep every chunk as it comes, and a copy of it made at that moment.
      const kept: Array<Uint8Array> = []
      const copies: Array<Uint8Array> = []
      yield* Stream.runForEach(UploadedFile.chunks(temporary(bytes)), (chunk) =>
        Effect.sync(() => {
          kept.push(chunk)
          copies.push(chunk.slice())
        }))
      expect(allSame(kept, copies)).toBe(true)
      expect(allSame(kept, expected)).toBe(true)
      // No chunk is a view into a larger (shared, reused) buffer.
      expect(kept.every((c) => c.byteOffset === 0 && c.buffer.byteLength === c.length)).toBe(true)
      expect(new Set(kept.map((c) => c.buffer)).size).toBe(kept.length)
      // Writing into a kept chunk changes neither the file nor another run's chunks.
      kept[0]!.fill(0)
      const again = yield* collect(temporary(bytes))
      expect(same(again[0], bytes.subarray(0, 64 * KiB))).toBe(true)
    }).pipe(Effect.provide(NodeFileSystem.layer)), 60_000)

  it.effect("a stream can be run again, and each run reads the file from the start", () =>
    Effect.gen(function*() {
      const bytes = content(MiB + 3, 11)
      const stream = UploadedFile.chunks(temporary(bytes), 50_000)
      const first = concat(Chunk.toReadonlyArray(yield* Stream.runCollect(stream)))
      const second = concat(Chunk.toReadonlyArray(yield* Stream.runCollect(stream)))
      const part = concat(Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(stream, 2))))
      expect(same(first, bytes)).toBe(true)
      expect(same(second, bytes)).toBe(true)
      expect(same(part, bytes.subarray(0, 100_000))).toBe(true)
    }).pipe(Effect.provide(NodeFileSystem.layer)), 60_000)

  it.effect(
    "a recorded size that is wrong changes neither the chunk boundaries nor the content",
    () =>
      Effect.gen(function*() {
        // The file is the truth, as in Django (chunks() reads the file until it is empty).
        const bytes = content(2 * MiB + 5, 13)
        for (const size of [0, 10, 100_000, 5 * MiB]) {
          const chunks = yield* collect(temporary(bytes, size), 100_000)
          expect(chunks.map((c) => c.length)).toEqual(expectedSizes(bytes.length, 100_000))
          expect(same(concat(chunks), bytes)).toBe(true)
        }
      }).pipe(Effect.provide(NodeFileSystem.layer)),
    60_000
  )

  it.effect("the file is closed when the stream ends, is taken from or fails", () =>
    Effect.gen(function*() {
      const file = temporary(content(2 * MiB, 17))
      const filePath = Option.getOrThrow(UploadedFile.temporaryFilePath(file))
      yield* Stream.runDrain(UploadedFile.chunks(file))
      expect(openOn(filePath)).toEqual([])
      expect(yield* Stream.runCount(Stream.take(UploadedFile.chunks(file), 3))).toBe(3)
      expect(openOn(filePath)).toEqual([])
      const failed = yield* UploadedFile.chunks(file).pipe(
        Stream.zipWithIndex,
        Stream.mapEffect(([chunk, i]) => i === 20 ? Effect.fail("stop" as const) : Effect.succeed(chunk)),
        Stream.runDrain,
        Effect.exit
      )
      expect(failed).toEqual(Exit.fail("stop"))
      expect(openOn(filePath)).toEqual([])
    }).pipe(Effect.provide(NodeFileSystem.layer)), 60_000)

  it.effect("a temporary file that is gone fails with the platform's typed NotFound error", () =>
    Effect.gen(function*() {
      const file = temporary(content(10))
      fs.rmSync(Option.getOrThrow(UploadedFile.temporaryFilePath(file)))
      const error = yield* Effect.flip(collect(file))
      expect(error._tag).toBe("SystemError")
      expect(error._tag === "SystemError" && error.reason).toBe("NotFound")
      expect(error._tag === "SystemError" && error.module).toBe("FileSystem")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("a file streamed to a sink has no chunks: a typed BadArgument, as before", () =>
    Effect.gen(function*() {
      const streamed = UploadedFile.make({
        fieldName: "f",
        name: "gone.bin",
        size: 3,
        contentType: "",
        charset: null,
        contentTypeExtra: {},
        storage: { _tag: "Streamed", result: 3 }
      })
      const error = yield* Effect.flip(collect(streamed))
      expect(error._tag).toBe("BadArgument")
      expect(error.method).toBe("chunks")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect(
    "a spilled upload hashes to its content; its file is removed when the request's scope closes",
    () =>
      Effect.gen(function*() {
        const dir = fs.mkdtempSync(path.join(root, "spill-"))
        const bytes = content(3 * MiB + 999, 23)
        const body = Multipart.encode([["note", "hi"]], [["f", { name: "big.bin", content: bytes }]])
        const scope = yield* Scope.make()
        const pieces: Array<Uint8Array> = []
        for (let i = 0; i < body.length; i += 64 * KiB) pieces.push(body.subarray(i, i + 64 * KiB))
        const result = yield* Multipart.parse({
          contentType: `multipart/form-data; boundary=${Multipart.BOUNDARY}`,
          contentLength: body.length,
          body: Stream.fromIterable(pieces),
          settings: Settings.make({ FILE_UPLOAD_TEMP_DIR: dir }),
          encoding: "utf-8",
          limits: undefined
        }).pipe(Scope.extend(scope))
        const [, file] = result.files[0]!
        const filePath = Option.getOrThrow(UploadedFile.temporaryFilePath(file))
        const hash = yield* Stream.runFold(
          UploadedFile.chunks(file),
          createHash("sha256"),
          (h, chunk) => h.update(chunk)
        )
        expect(hash.digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"))
        expect(openOn(filePath)).toEqual([])
        expect(fs.existsSync(filePath)).toBe(true)
        yield* Scope.close(scope, Exit.void)
        expect(fs.existsSync(filePath)).toBe(false)
        expect(fs.readdirSync(dir)).toEqual([])
      }).pipe(Effect.provide(NodeFileSystem.layer)),
    60_000
  )
})
