/**
 * Uploads through HttpRequest: POST and FILES of a multipart request come from
 * the uploads parser, in the request's scope (Django's _load_post_and_files with
 * MultiPartParser).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Option, Schema, Scope, Sink } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as HttpRequest from "../src/HttpRequest.js"
import * as MultiValueDict from "../src/MultiValueDict.js"
import * as QueryDict from "../src/QueryDict.js"
import * as RequestFactory from "../src/RequestFactory.js"
import * as Settings from "../src/Settings.js"
import * as UploadedFile from "../src/UploadedFile.js"

describe("HttpRequest uploads", () => {
  it.effect("POST and FILES of a multipart request (Django's RequestFactory encoding)", () =>
    Effect.gen(function*() {
      const r = RequestFactory.post("/upload/", {
        multipart: {
          title: "Holidays",
          tags: ["a", "b"],
          photo: { name: "beach.jpg", content: "jpeg bytes", contentType: "image/jpeg" },
          docs: [{ name: "a.txt", content: "A" }, { name: "b.txt", content: "BB" }]
        }
      })
      const POST = yield* r.POST
      expect(QueryDict.lists(POST)).toEqual([["title", ["Holidays"]], ["tags", ["a", "b"]]])
      const FILES = yield* r.FILES
      const photo = Option.getOrThrow(MultiValueDict.get(FILES, "photo"))
      expect([photo.name, photo.size, photo.contentType]).toEqual(["beach.jpg", 10, "image/jpeg"])
      expect(new TextDecoder().decode(yield* UploadedFile.readAll(photo))).toBe("jpeg bytes")
      expect(MultiValueDict.getList(FILES, "docs").map((f) => [f.name, f.size])).toEqual([["a.txt", 1], ["b.txt", 2]])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("test_body_after_POST_multipart_form_data: body after POST is RawPostDataException", () =>
    Effect.gen(function*() {
      const r = RequestFactory.post("/", { multipart: { name: "value" } })
      expect(QueryDict.lists(yield* r.POST)).toEqual([["name", ["value"]]])
      const error = yield* Effect.flip(r.body)
      expect(error._tag).toBe("RawPostDataException")
    }))

  it.effect("limits from the request's settings fail POST and FILES with Django's errors", () =>
    Effect.gen(function*() {
      const settings = Settings.make({ DATA_UPLOAD_MAX_NUMBER_FILES: 1 })
      const r = RequestFactory.post("/", {
        settings,
        multipart: { a: { name: "a.txt", content: "1" }, b: { name: "b.txt", content: "2" } }
      })
      expect((yield* Effect.flip(r.POST))._tag).toBe("TooManyFilesSent")
      expect((yield* Effect.flip(r.FILES))._tag).toBe("TooManyFilesSent")
    }))

  it.effect("spilled files live until the request's scope closes", () =>
    Effect.gen(function*() {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "uploads-request-"))
      const scope = yield* Scope.make()
      const r = RequestFactory.post("/", {
        scope,
        settings: Settings.make({ FILE_UPLOAD_MAX_MEMORY_SIZE: 10, FILE_UPLOAD_TEMP_DIR: root }),
        multipart: { f: { name: "big.bin", content: "x".repeat(1000) } }
      })
      const file = Option.getOrThrow(MultiValueDict.get(yield* r.FILES, "f"))
      const tmp = Option.getOrThrow(UploadedFile.temporaryFilePath(file))
      expect(fs.readFileSync(tmp, "utf8")).toBe("x".repeat(1000))
      yield* Scope.close(scope, Exit.void)
      expect(fs.existsSync(tmp)).toBe(false)
      expect(fs.readdirSync(root)).toEqual([])
      fs.rmdirSync(root)
    }))

  it.effect("FILES decodes through a Schema of UploadedFile", () =>
    Effect.gen(function*() {
      const r = RequestFactory.post("/", {
        multipart: { avatar: { name: "me.png", content: "png", contentType: "image/png" } }
      })
      const { avatar } = yield* HttpRequest.schemaFiles(
        Schema.Struct({ avatar: UploadedFile.schema({ contentTypes: ["image/*"], maxSize: 100 }) })
      )(r)
      expect(avatar.name).toBe("me.png")
      const tooSmall = yield* Effect.flip(
        HttpRequest.schemaFiles(Schema.Struct({ avatar: UploadedFile.schema({ maxSize: 2 }) }))(r)
      )
      expect(tooSmall._tag).toBe("ParseError")
    }))

  it.effect("UploadedFile.Uploads in the request's Context sets limits and hooks for POST and FILES", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const context = Context.make(UploadedFile.Uploads, {
        maxNumberFiles: 5,
        onFile: (info) => {
          seen.push(info.name)
          return info.fieldName === "hashed" ? Sink.count : undefined
        }
      })
      const r = RequestFactory.post("/", {
        context,
        settings: Settings.make({ DATA_UPLOAD_MAX_NUMBER_FILES: 1 }),
        multipart: { hashed: { name: "h.bin", content: "12345" }, kept: { name: "k.txt", content: "k" } }
      })
      const FILES = yield* r.FILES
      expect(seen).toEqual(["h.bin", "k.txt"])
      const hashed = Option.getOrThrow(MultiValueDict.get(FILES, "hashed"))
      expect(UploadedFile.streamedResult(hashed)).toEqual(Option.some(1))
      expect(Option.getOrThrow(MultiValueDict.get(FILES, "kept")).storage._tag).toBe("Memory")
    }))
})
