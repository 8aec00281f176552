/**
 * RequestFactory and spilled uploads: a request built without a scope keeps its uploads in
 * memory (nothing would remove a temporary file); `scoped` spills them as Django's
 * `TemporaryFileUploadHandler` does (FILE_UPLOAD_MAX_MEMORY_SIZE) and removes them with the scope.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option, Scope } from "effect"
import { existsSync } from "node:fs"
import { MultiValueDict, RequestFactory, Settings, UploadedFile } from "../src/index.js"

const content = new Uint8Array(64 * 1024).map((_, i) => i % 251)
const settings = Settings.make({ FILE_UPLOAD_MAX_MEMORY_SIZE: 1024 })
const upload = { multipart: { doc: { name: "doc.bin", content } }, settings }

const theFile = (files: MultiValueDict.MultiValueDict<unknown>) => {
  const file = Option.getOrThrow(MultiValueDict.get(files, "doc"))
  if (!UploadedFile.isUploadedFile(file)) throw new Error("not an UploadedFile")
  return file
}

describe("RequestFactory uploads", () => {
  it.effect("without a scope, an upload above FILE_UPLOAD_MAX_MEMORY_SIZE stays in memory: no file is left behind", () =>
    Effect.gen(function*() {
      const request = RequestFactory.post("/upload/", upload)
      const file = theFile(yield* request.FILES)
      expect(UploadedFile.isInMemory(file)).toBe(true)
      expect(Option.isNone(UploadedFile.temporaryFilePath(file))).toBe(true)
      expect(Buffer.from(yield* UploadedFile.readAll(file)).equals(content)).toBe(true)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("scoped: the upload spills to a temporary file, removed when the scope closes", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const request = yield* RequestFactory.scoped("POST", "/upload/", upload).pipe(Scope.extend(scope))
      const file = theFile(yield* request.FILES)
      const path = Option.getOrThrow(UploadedFile.temporaryFilePath(file))
      expect(existsSync(path)).toBe(true)
      expect(Buffer.from(yield* UploadedFile.readAll(file)).equals(content)).toBe(true)
      yield* Scope.close(scope, Exit.void)
      expect(existsSync(path)).toBe(false)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
