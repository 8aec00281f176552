/**
 * UploadedFile and the parser's storage: memory or temporary file (Django's
 * MemoryFileUploadHandler / TemporaryFileUploadHandler rule), cleanup with the
 * request's scope, hooks (per-request limits, streaming to a sink), failing fast,
 * and property tests (random bodies never throw and never leak a file).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Exit, FastCheck as fc, Option, Schema, Scope, Sink, Stream } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Errors from "../src/Errors.js"
import * as Multipart from "../src/internal/multipart.js"
import * as PublicMultipart from "../src/Multipart.js"
import * as MultiValueDict from "../src/MultiValueDict.js"
import * as QueryDict from "../src/QueryDict.js"
import * as Settings from "../src/Settings.js"
import * as UploadedFile from "../src/UploadedFile.js"

const CT = `multipart/form-data; boundary=${Multipart.BOUNDARY}`
const bytes = (s: string) => new TextEncoder().encode(s)
const roots: Array<string> = []
const tempRoot = () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "uploads-test-"))
  roots.push(root)
  return root
}
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true })
})

const piecesOf = (body: Uint8Array, size: number) => {
  const out: Array<Uint8Array> = []
  for (let i = 0; i < body.length; i += size) out.push(body.subarray(i, i + size))
  return Stream.fromChunk(Chunk.unsafeFromArray(out))
}

const parse = <E = never>(
  body: Uint8Array,
  settings: Settings.Input = {},
  extra: { contentLength?: number | null; limits?: UploadedFile.UploadOptions<E>; pieceSize?: number } = {}
) =>
  Multipart.parse({
    contentType: CT,
    contentLength: extra.contentLength === undefined ? body.length : extra.contentLength,
    body: piecesOf(body, extra.pieceSize ?? 4096),
    settings: Settings.make(settings),
    encoding: "utf-8",
    limits: extra.limits
  })

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

describe("UploadedFile", () => {
  const file = UploadedFile.fromBytes({ name: "hello.txt", content: bytes("hello world"), contentType: "text/plain" })

  it.effect("chunks, read and multipleChunks follow Django's File API", () =>
    Effect.gen(function*() {
      const chunks = yield* Stream.runCollect(UploadedFile.chunks(file, 4))
      expect(Chunk.toReadonlyArray(chunks).map((c) => new TextDecoder().decode(c))).toEqual(["hell", "o wo", "rld"])
      expect(new TextDecoder().decode(yield* UploadedFile.read(file, 5))).toBe("hello")
      expect(new TextDecoder().decode(yield* UploadedFile.readAll(file))).toBe("hello world")
      expect(UploadedFile.multipleChunks(file)).toBe(false)
      expect(UploadedFile.multipleChunks(file, 10)).toBe(true)
      expect(file.pipe(UploadedFile.multipleChunks(11))).toBe(false)
      expect(UploadedFile.isInMemory(file)).toBe(true)
      expect(UploadedFile.temporaryFilePath(file)).toEqual(Option.none())
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it("prints its description, not its content", () => {
    expect(file.toJSON()).toEqual({
      _id: "UploadedFile",
      fieldName: "file",
      name: "hello.txt",
      size: 11,
      contentType: "text/plain",
      charset: null,
      storage: "Memory"
    })
    expect(String(file)).toContain("hello.txt")
  })

  it("a Schema constrains size and content type", () => {
    const png = UploadedFile.fromBytes({ name: "a.png", content: new Uint8Array(10), contentType: "image/png" })
    const small = UploadedFile.schema({ maxSize: 10, contentTypes: ["image/*"] })
    expect(Either.isRight(Schema.decodeUnknownEither(small)(png))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(small)(file))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(UploadedFile.schema({ maxSize: 9 }))(png))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(UploadedFile.UploadedFileSchema)("not a file"))).toBe(true)
    const form = Schema.Struct({ avatar: UploadedFile.schema({ contentTypes: ["image/png"] }) })
    expect(Either.isRight(Schema.decodeUnknownEither(form)({ avatar: png }))).toBe(true)
  })
})

describe("multipart storage", () => {
  it.effect("a large request spills every file to FILE_UPLOAD_TEMP_DIR; same names never collide", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      const body = Multipart.encode([], [
        ["f", { name: "same.txt", content: bytes("one") }],
        ["f", { name: "same.txt", content: bytes("two") }]
      ])
      const scope = yield* Scope.make()
      const result = yield* parse(body, { FILE_UPLOAD_MAX_MEMORY_SIZE: 10, FILE_UPLOAD_TEMP_DIR: root }).pipe(
        Scope.extend(scope)
      )
      const paths = result.files.map(([, f]) => Option.getOrThrow(UploadedFile.temporaryFilePath(f)))
      expect(paths[0]).not.toBe(paths[1])
      expect(paths.every((p) => p.startsWith(root) && p.endsWith(".upload.txt"))).toBe(true)
      expect(paths.map((p) => fs.readFileSync(p, "utf8"))).toEqual(["one", "two"])
      const contents = yield* Effect.forEach(result.files, ([, f]) => UploadedFile.readAll(f))
      expect(contents.map((c) => new TextDecoder().decode(c))).toEqual(["one", "two"])
      yield* Scope.close(scope, Exit.void)
      expect(fs.readdirSync(root)).toEqual([])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("a failure removes the files already written, without waiting for the scope", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      const body = Multipart.encode([], [
        ["a", { name: "a.bin", content: new Uint8Array(5000) }],
        ["b", { name: "b.bin", content: new Uint8Array(5000) }]
      ])
      const scope = yield* Scope.make()
      const exit = yield* parse(body, {
        FILE_UPLOAD_MAX_MEMORY_SIZE: 10,
        FILE_UPLOAD_TEMP_DIR: root,
        DATA_UPLOAD_MAX_NUMBER_FILES: 1
      }).pipe(Scope.extend(scope), Effect.exit)
      expect(exit).toEqual(
        Exit.fail(
          new Errors.TooManyFilesSent({
            message: "The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES."
          })
        )
      )
      expect(fs.readdirSync(root)).toEqual([])
      yield* Scope.close(scope, Exit.void)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("without Content-Length, files stay in memory until the request's budget is spent", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      const body = Multipart.encode([], [
        ["a", { name: "a.bin", content: new Uint8Array(600).fill(1) }],
        ["b", { name: "b.bin", content: new Uint8Array(600).fill(2) }]
      ])
      const result = yield* parse(body, { FILE_UPLOAD_MAX_MEMORY_SIZE: 1000, FILE_UPLOAD_TEMP_DIR: root }, {
        contentLength: null,
        pieceSize: 100
      })
      expect(result.files.map(([, f]) => [f.name, f.size, f.storage._tag])).toEqual([
        ["a.bin", 600, "Memory"],
        ["b.bin", 600, "Temporary"]
      ])
      const b = yield* UploadedFile.readAll(result.files[1]![1])
      expect(b).toEqual(new Uint8Array(600).fill(2))
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))

  it.effect("per-request limits override the settings", () =>
    Effect.gen(function*() {
      const body = Multipart.encode([["a", "1"], ["b", "2"]], [["f", { name: "f.txt", content: bytes("x") }]])
      const tooMany = yield* Effect.flip(parse(body, {}, { limits: { maxNumberFields: 1 } }))
      expect(tooMany._tag).toBe("TooManyFieldsSent")
      const tooBig = yield* Effect.flip(parse(body, {}, { limits: { dataUploadMaxMemorySize: 3 } }))
      expect(tooBig._tag).toBe("RequestDataTooBig")
      const files = yield* Effect.flip(parse(body, {}, { limits: { maxNumberFiles: 0 } }))
      expect(files._tag).toBe("TooManyFilesSent")
      const relaxed = yield* parse(body, { DATA_UPLOAD_MAX_NUMBER_FIELDS: 0 }, { limits: { maxNumberFields: null } })
      expect(relaxed.fields).toEqual([["a", "1"], ["b", "2"]])
      const spilled = yield* parse(body, {}, { limits: { maxMemorySize: 0 } })
      expect(spilled.files[0]![1].storage._tag).toBe("Temporary")
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))

  it.effect("onFile streams a file part to a sink, never touching disk", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      const content = new Uint8Array(300_000).map((_, i) => i % 251)
      const body = Multipart.encode([["title", "t"]], [
        ["doc", { name: "doc.bin", content }],
        ["keep", { name: "small.txt", content: bytes("kept") }]
      ])
      const seen: Array<string> = []
      const hashSink = Sink.foldLeft(createHash("sha256"), (h, c: Uint8Array) => h.update(c)).pipe(
        Sink.map((h) => h.digest("hex"))
      )
      const result = yield* parse(body, { FILE_UPLOAD_MAX_MEMORY_SIZE: 0, FILE_UPLOAD_TEMP_DIR: root }, {
        limits: {
          onFile: (info) => {
            seen.push(`${info.fieldName}:${info.name}:${info.contentType}`)
            return info.fieldName === "doc" ? hashSink : undefined
          }
        }
      })
      expect(seen).toEqual(["doc:doc.bin:application/octet-stream", "keep:small.txt:application/octet-stream"])
      const doc = result.files[0]![1]
      expect(doc.size).toBe(300_000)
      expect(UploadedFile.streamedResult(doc)).toEqual(Option.some(sha256(content)))
      expect(yield* Effect.flip(UploadedFile.readAll(doc))).toHaveProperty("_tag", "BadArgument")
      expect(result.files[1]![1].storage._tag).toBe("Temporary")
      expect(fs.readdirSync(root).length).toBe(1) // only the kept file's directory
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))

  it.effect("a sink's failure fails the parse; a sink that stops early does not hang it", () =>
    Effect.gen(function*() {
      const body = Multipart.encode([], [["doc", { name: "doc.bin", content: new Uint8Array(100_000) }]])
      const failing = yield* Effect.flip(parse(body, {}, {
        limits: { onFile: () => Sink.fail("scanner says no" as const) },
        pieceSize: 1000
      }))
      expect(failing).toBe("scanner says no")
      const early = yield* parse(body, {}, { limits: { onFile: () => Sink.head<Uint8Array>() }, pieceSize: 1000 })
      expect(early.files[0]![1].size).toBe(100_000)
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))

  it.effect("limits fail before the rest of the body is read", () =>
    Effect.gen(function*() {
      const fields: Array<readonly [string, string]> = []
      for (let i = 0; i < 100; i++) fields.push([`f${i}`, "v"])
      const body = Multipart.encode(fields, [["big", { name: "big.bin", content: new Uint8Array(1_000_000) }]])
      let pulled = 0
      const result = yield* Multipart.parse({
        contentType: CT,
        contentLength: body.length,
        body: piecesOf(body, 1000).pipe(Stream.tap(() => Effect.sync(() => pulled++))),
        settings: Settings.make({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 10 }),
        encoding: "utf-8"
      }).pipe(Effect.flip)
      expect(result._tag).toBe("TooManyFieldsSent")
      expect(pulled).toBeLessThan(5)
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))

  it.effect("a body that fails mid-file (client gone) fails with UnreadablePostError and leaves nothing", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      const body = Multipart.encode([], [["f", { name: "f.bin", content: new Uint8Array(50_000) }]])
      const broken = Stream.concat(
        piecesOf(body.subarray(0, 20_000), 4096),
        Stream.fail(new Errors.UnreadablePostError({ message: "connection reset" }))
      )
      const scope = yield* Scope.make()
      const error = yield* Multipart.parse({
        contentType: CT,
        contentLength: body.length,
        body: broken,
        settings: Settings.make({ FILE_UPLOAD_MAX_MEMORY_SIZE: 0, FILE_UPLOAD_TEMP_DIR: root }),
        encoding: "utf-8"
      }).pipe(Scope.extend(scope), Effect.flip)
      expect(error._tag).toBe("UnreadablePostError")
      expect(fs.readdirSync(root)).toEqual([])
      yield* Scope.close(scope, Exit.void)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

const nameArb = fc.stringMatching(/^[A-Za-z0-9_.\-éü中]{1,12}$/).filter((s) => s.trim() === s)
const fileNameArb = fc.stringMatching(/^[A-Za-z0-9_\-é]{1,20}\.[a-z]{1,4}$/)
const boundaryArb = fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/).filter((b) => !b.endsWith(" "))

/** Bodies made of plausible parts, random bytes, and pieces of delimiters, cut anywhere. */
const bodyArb = (boundary: string) =>
  fc.array(
    fc.oneof(
      fc.constant(`--${boundary}\r\n`),
      fc.constant(`\r\n--${boundary}\r\n`),
      fc.constant(`\r\n--${boundary}--\r\n`),
      fc.constant(`--${boundary.slice(0, Math.ceil(boundary.length / 2))}`),
      nameArb.map((n) => `Content-Disposition: form-data; name="${n}"\r\n\r\n`),
      fc.tuple(nameArb, fc.string()).map(([n, f]) =>
        `Content-Disposition: form-data; name="${n}"; filename="${f}"\r\nContent-Type: text/plain\r\n\r\n`
      ),
      fc.constant("Content-Transfer-Encoding: base64\r\n"),
      fc.constant("\r\n\r\n"),
      fc.string(),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString("latin1"))
    ),
    { maxLength: 25 }
  ).map((parts) => Buffer.from(parts.join(""), "latin1"))

describe("multipart properties", () => {
  it.effect("random bodies and boundaries never throw and never leak a temporary file", () =>
    Effect.gen(function*() {
      const root = tempRoot()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            boundaryArb.chain((b) =>
              fc.tuple(
                fc.constant(b),
                bodyArb(b),
                fc.integer({ min: 1, max: 300 }),
                fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
                fc.integer({ min: 0, max: 2000 }),
                fc.boolean()
              )
            ),
            async ([boundary, body, pieceSize, maxFields, spillAt, knownLength]) => {
              const exit = await Multipart.parse({
                contentType: `multipart/form-data; boundary="${boundary}"`,
                contentLength: knownLength ? body.length : null,
                body: piecesOf(body, pieceSize),
                settings: Settings.make({
                  DATA_UPLOAD_MAX_NUMBER_FIELDS: maxFields,
                  FILE_UPLOAD_MAX_MEMORY_SIZE: spillAt,
                  FILE_UPLOAD_TEMP_DIR: root
                }),
                encoding: "utf-8"
              }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer), Effect.runPromiseExit)
              if (Exit.isFailure(exit)) {
                const error = Exit.match(exit, { onFailure: (c) => c, onSuccess: () => null })
                expect(error?._tag).toBe("Fail")
                if (error?._tag === "Fail") expect(Errors.isDjangoError(error.error)).toBe(true)
              }
              expect(fs.readdirSync(root)).toEqual([])
            }
          ),
          { numRuns: 300 }
        )
      )
    }))

  it.effect("random bodies give the same result whatever the pieces they arrive in", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          boundaryArb.chain((b) => fc.tuple(fc.constant(b), bodyArb(b), fc.integer({ min: 1, max: 50 }))),
          async ([boundary, body, pieceSize]) => {
            const run = (size: number) =>
              Multipart.parse({
                contentType: `multipart/form-data; boundary="${boundary}"`,
                contentLength: body.length,
                body: piecesOf(body, size),
                settings: Settings.make(),
                encoding: "utf-8"
              }).pipe(
                Effect.flatMap((r) =>
                  Effect.forEach(
                    r.files,
                    ([k, f]) => Effect.map(UploadedFile.readAll(f), (b) => [k, f.name, sha256(b)])
                  )
                    .pipe(Effect.map((files) => ({ fields: r.fields, files })))
                ),
                Effect.either,
                Effect.scoped,
                Effect.provide(NodeFileSystem.layer),
                Effect.runPromise
              )
            expect(await run(pieceSize)).toEqual(await run(body.length || 1))
          }
        ),
        { numRuns: 300 }
      )
    ))

  it.effect("encode then parse gives back the fields and files", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(nameArb, fc.string()), { maxLength: 8 }),
          fc.array(fc.tuple(nameArb, fileNameArb, fc.uint8Array({ maxLength: 3000 })), { maxLength: 4 }),
          boundaryArb,
          fc.integer({ min: 1, max: 500 }),
          async (fields, files, boundary, pieceSize) => {
            const body = Multipart.encode(
              fields,
              files.map(([k, name, content]) => [k, { name, content }] as const),
              boundary
            )
            const got = await Multipart.parse({
              contentType: `multipart/form-data; boundary="${boundary}"`,
              contentLength: body.length,
              body: piecesOf(body, pieceSize),
              settings: Settings.make({ FILE_UPLOAD_MAX_MEMORY_SIZE: 4000 }),
              encoding: "utf-8"
            }).pipe(
              Effect.flatMap((r) =>
                Effect.forEach(r.files, ([k, f]) => Effect.map(UploadedFile.readAll(f), (b) => [k, f.name, [...b]]))
                  .pipe(Effect.map((fs) => ({ fields: r.fields, files: fs })))
              ),
              Effect.scoped,
              Effect.provide(NodeFileSystem.layer),
              Effect.runPromise
            )
            expect(got).toEqual({ fields, files: files.map(([k, n, c]) => [k, n, [...c]]) })
          }
        ),
        { numRuns: 200 }
      )
    ))
})

describe("Multipart (public API)", () => {
  it.effect("parse gives Django's POST (a QueryDict) and FILES (a MultiValueDict of UploadedFile)", () =>
    Effect.gen(function*() {
      const body = PublicMultipart.encode([["title", "Holidays"], ["tag", "a"], ["tag", "b"]], [
        ["photo", { name: "beach.jpg", content: bytes("jpeg"), contentType: "image/jpeg" }]
      ])
      const { FILES, POST } = yield* PublicMultipart.parse({
        contentType: PublicMultipart.CONTENT_TYPE,
        contentLength: body.length,
        body: Stream.make(body)
      })
      expect(QueryDict.getList(POST, "tag")).toEqual(["a", "b"])
      expect(QueryDict.get(POST, "title")).toEqual(Option.some("Holidays"))
      const photo = Option.getOrThrow(MultiValueDict.get(FILES, "photo"))
      expect([photo.name, photo.size, photo.contentType]).toEqual(["beach.jpg", 4, "image/jpeg"])
      const decoded = yield* MultiValueDict.decode(
        Schema.Struct({ photo: UploadedFile.schema({ contentTypes: ["image/*"], maxSize: 100 }) })
      )(FILES)
      expect(decoded.photo.name).toBe("beach.jpg")
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))

  it.effect("parse reads the provided Settings", () =>
    Effect.gen(function*() {
      const body = PublicMultipart.encode([["a", "1"], ["b", "2"]])
      const error = yield* Effect.flip(PublicMultipart.parse({
        contentType: PublicMultipart.CONTENT_TYPE,
        contentLength: body.length,
        body: Stream.make(body)
      }))
      expect(error._tag).toBe("TooManyFieldsSent")
    }).pipe(
      Effect.scoped,
      Effect.provide(NodeFileSystem.layer),
      Effect.provide(Settings.layer({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 1 }))
    ))
})
