/**
 * The example site's `/inspect/` describes uploads with their SHA-256, read as a stream: a large
 * upload spilled to disk is never read whole into memory.
 */
import { NodeFileSystem } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { createHash } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describeFile, Dict } from "../examples/playground.js"
import { UploadedFile } from "../src/index.js"

describe("example site: /inspect/ hashes uploads as a stream", () => {
  it.effect("a spilled upload is hashed from its chunks; reading the file whole is not needed", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "edh-inspect-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      // Larger than the block `chunks` reads a temporary file by (1 MiB).
      const content = Buffer.alloc(48 * UploadedFile.DEFAULT_CHUNK_SIZE + 17, "ab")
      const path = join(dir, "upload.bin")
      writeFileSync(path, content)
      const file = UploadedFile.make({
        fieldName: "f",
        name: "upload.bin",
        size: content.length,
        contentType: "application/octet-stream",
        charset: null,
        contentTypeExtra: {},
        storage: { _tag: "Temporary", path }
      })
      // A file system that opens files and reads them a piece at a time (the size of each read is
      // kept), but cannot read one whole (readFile fails).
      const reads: Array<number> = []
      const piecesOnly = Layer.effect(
        FileSystem.FileSystem,
        Effect.map(FileSystem.FileSystem, (fs) =>
          FileSystem.makeNoop({
            open: (path, options) =>
              Effect.map(fs.open(path, options), (opened) =>
                new Proxy(opened, {
                  get: (target, key) => {
                    if (key === "read") {
                      return (buffer: Uint8Array) => {
                        reads.push(buffer.length)
                        return target.read(buffer)
                      }
                    }
                    const value = Reflect.get(target, key)
                    return typeof value === "function" ? value.bind(target) : value
                  }
                }))
          }))
      ).pipe(Layer.provide(NodeFileSystem.layer))
      const described: Dict = yield* describeFile(file).pipe(Effect.provide(piecesOnly))
      expect(Object.fromEntries(described.entries)).toEqual({
        name: "upload.bin",
        size: content.length,
        content_type: "application/octet-stream",
        charset: null,
        sha256: createHash("sha256").update(content).digest("hex")
      })
      // Read in pieces, none of them the whole file.
      expect(reads.length).toBeGreaterThan(1)
      expect(Math.max(...reads)).toBeLessThan(content.length)
    }).pipe(Effect.scoped))
})
