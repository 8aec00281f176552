/**
 * The multipart parser against Django 3.2: every case of test/fixtures/multipart.json
 * (written by scripts/django/multipart.py) is parsed here, whole and in small pieces,
 * and must give Django's POST and FILES, or Django's exception and message.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, FastCheck as fc, Stream } from "effect"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import * as Errors from "../src/Errors.js"
import * as Multipart from "../src/internal/multipart.js"
import * as Settings from "../src/Settings.js"
import * as UploadedFile from "../src/UploadedFile.js"

interface FileDescription {
  readonly name: string
  readonly size: number
  readonly content_type: string
  readonly charset: string | null
  readonly content_type_extra: Record<string, string>
  readonly sha256: string
  readonly in_memory: boolean
}
interface Case {
  readonly name: string
  readonly source: string | null
  readonly content_type: string
  readonly content_length: number
  readonly encoding: string
  readonly settings: Settings.Input
  readonly body: string
  readonly result:
    | { readonly POST: Array<[string, Array<string>]>; readonly FILES: Array<[string, Array<FileDescription>]> }
    | { readonly error: string; readonly message: string }
}

const fixtures: { readonly django: string; readonly cases: ReadonlyArray<Case> } = JSON.parse(
  readFileSync(new URL("./fixtures/multipart.json", import.meta.url), "utf8")
)

const lists = <A>(pairs: ReadonlyArray<readonly [string, A]>): Array<[string, Array<A>]> => {
  const out: Array<[string, Array<A>]> = []
  for (const [k, v] of pairs) {
    const entry = out.find(([key]) => key === k)
    if (entry) entry[1].push(v)
    else out.push([k, [v]])
  }
  return out
}

const describeFile = (file: UploadedFile.UploadedFile) =>
  Effect.map(UploadedFile.readAll(file), (bytes): FileDescription => ({
    name: file.name,
    size: file.size,
    content_type: file.contentType,
    charset: file.charset,
    content_type_extra: { ...file.contentTypeExtra },
    sha256: createHash("sha256").update(bytes).digest("hex"),
    in_memory: UploadedFile.isInMemory(file)
  }))

/** Parses a fixture's body delivered in pieces of `pieceSize` bytes (the whole body when undefined). */
export const runCase = (c: Case, pieceSize?: number) =>
  Effect.gen(function*() {
    const body = Buffer.from(c.body, "base64")
    const pieces: Array<Uint8Array> = []
    const step = pieceSize ?? Math.max(body.length, 1)
    for (let i = 0; i < body.length; i += step) pieces.push(body.subarray(i, i + step))
    const result = yield* Multipart.parse({
      contentType: c.content_type,
      contentLength: c.content_length,
      body: Stream.fromChunk(Chunk.unsafeFromArray(pieces)),
      settings: Settings.make(c.settings),
      encoding: c.encoding
    }).pipe(Effect.either)
    if (Either.isLeft(result)) return { error: result.left._tag, message: result.left.message }
    const files: Array<readonly [string, FileDescription]> = []
    for (const [k, f] of result.right.files) files.push([k, yield* describeFile(f)])
    return { POST: lists(result.right.fields), FILES: lists(files) }
  }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer))

describe("multipart parser against Django " + fixtures.django, () => {
  for (const c of fixtures.cases) {
    const title = c.source ? `${c.name} (${c.source})` : c.name
    it.effect(title, () =>
      Effect.gen(function*() {
        expect(yield* runCase(c)).toEqual(c.result)
      }))
  }

  it.effect("gives the same results when the body arrives in small pieces", () =>
    Effect.gen(function*() {
      for (const c of fixtures.cases) {
        if (c.body.length > 20_000) continue
        for (const size of [1, 2, 3, 7, 64]) {
          const got = yield* runCase(c, size)
          expect({ name: c.name, size, got }).toEqual({ name: c.name, size, got: c.result })
        }
      }
    }))

  it.effect("gives the same results for large cases in 4 KiB and odd pieces", () =>
    Effect.gen(function*() {
      for (const c of fixtures.cases) {
        if (c.body.length <= 20_000) continue
        for (const size of [4096, 1000, 65537]) {
          const got = yield* runCase(c, size)
          expect({ name: c.name, size, got }).toEqual({ name: c.name, size, got: c.result })
        }
      }
    }))

  it("the fixtures cover every upload and limit test named in django-reference §7", () => {
    const sources = new Set(fixtures.cases.map((c) => c.source))
    for (
      const name of [
        "file_uploads.tests.FileUploadTests.test_base64_upload",
        "file_uploads.tests.FileUploadTests.test_unicode_name_rfc2231",
        "file_uploads.tests.FileUploadTests.test_blank_filenames",
        "file_uploads.tests.FileUploadTests.test_dangerous_file_names",
        "file_uploads.tests.FileUploadTests.test_filename_overflow",
        "file_uploads.tests.FileUploadTests.test_truncated_multipart_handled_gracefully",
        "file_uploads.tests.FileUploadTests.test_filename_traversal_upload",
        "file_uploads.tests.MultiParserTests.test_invalid_content_type",
        "file_uploads.tests.MultiParserTests.test_rfc2231_parsing",
        "requests.test_data_upload_settings.DataUploadMaxNumberOfFilesMultipartPost.test_number_exceeded",
        "requests.test_data_upload_settings.DataUploadMaxNumberOfFieldsMultipartPost.test_number_exceeded",
        "requests.test_data_upload_settings.DataUploadMaxMemorySizeMultipartPostTests.test_size_exceeded"
      ]
    ) expect(sources.has(name)).toBe(true)
  })

  it("errors are the library's typed errors", () => {
    const e = Multipart.boundaryOf("text/plain")
    expect(e).toBeInstanceOf(Errors.MultiPartParserError)
  })
})

describe("multipart parser: the simple field header fast path", () => {
  const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1")
  const bytesStrip = (s: string) => s.replace(/^[ \t\n\r\x0b\x0c]+|[ \t\n\r\x0b\x0c]+$/g, "")

  /** What the general path (Django's parse_boundary_stream rules) makes of the segment's header block. */
  const general = (segment: Uint8Array) => {
    const end = Buffer.from(segment.subarray(0, 1024)).indexOf("\r\n\r\n")
    if (end < 0) return undefined
    const { headers, type } = Multipart.parseHeaderBlock(latin1(segment.subarray(0, end)))
    return { end, headers, type }
  }

  const check = (segment: Uint8Array) => {
    const nameEnd = Multipart.simpleFieldNameEnd(segment)
    if (nameEnd < 0) return false
    const slow = general(segment)
    expect(slow).toBeDefined()
    // The block ends where the fast path says, and it is one field header with just a name.
    expect(slow!.end).toBe(nameEnd + 1)
    expect(slow!.type).toBe("field")
    expect([...slow!.headers.keys()]).toEqual(["content-disposition"])
    const params = slow!.headers.get("content-disposition")!.params
    expect([...params.keys()]).toEqual(["name"])
    const name = params.get("name")!
    expect(name.text).toBe(false)
    expect(bytesStrip(name.value)).toBe(
      bytesStrip(latin1(segment.subarray(Multipart.SIMPLE_FIELD_NAME_START, nameEnd)))
    )
    return true
  }

  it("takes the usual field headers, in any case, and agrees with the general path", () => {
    for (
      const block of [
        "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nvalue",
        "\r\ncontent-disposition: FORM-DATA; NAME=\"a b [] = .-_\"\r\n\r\n",
        "\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n",
        "\r\nContent-Disposition: form-data; name=\" spaced \"\r\n\r\nx"
      ]
    ) expect(check(Buffer.from(block, "latin1"))).toBe(true)
  })

  it("leaves everything else to the general path", () => {
    for (
      const block of [
        "\r\nContent-Disposition: form-data; name=\"a\"; filename=\"f.txt\"\r\n\r\n",
        "\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: text/plain\r\n\r\n",
        "\r\nContent-Disposition: form-data; name=\"a\\\"b\"\r\n\r\n",
        "\r\nContent-Disposition: form-data; name=\"a;b\"\r\n\r\n",
        "\r\nContent-Disposition: form-data; name=\"caf\u00e9\"\r\n\r\n",
        "\r\nContent-Disposition: form-data;  name=\"a\"\r\n\r\n",
        "Content-Disposition: form-data; name=\"a\"\r\n\r\n",
        "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r",
        "\r\nContent-Disposition: form-data; name=\"" + "x".repeat(1000) + "\"\r\n\r\n"
      ]
    ) expect(Multipart.simpleFieldNameEnd(Buffer.from(block, "latin1"))).toBe(-1)
  })

  it("agrees with the general path on random header blocks (property)", () => {
    const piece = fc.constantFrom(
      "\r\n",
      "Content-Disposition",
      "content-DISPOSITION",
      ": ",
      ":",
      "form-data",
      "; ",
      ";",
      "name=",
      "filename=",
      "\"",
      "\\",
      " ",
      "\t",
      "a",
      "Z",
      "=",
      "\u00e9",
      "*",
      "'"
    )
    const header = fc.oneof(
      fc.array(piece, { maxLength: 16 }).map((p) => p.join("")),
      fc.tuple(fc.string({ maxLength: 12 }), fc.constantFrom("form-data", "FORM-DATA", "form-data ")).map(([n, v]) =>
        `\r\nContent-Disposition: ${v}; name="${n}"`
      )
    )
    let fast = 0
    fc.assert(
      fc.property(header, fc.constantFrom("\r\n\r\n", "\r\n\r\nvalue", "\r\nX: y\r\n\r\n", ""), (h, tail) => {
        const segment = Buffer.from(h + tail, "latin1")
        if (check(segment)) fast++
        // Whatever the fast path declines, the general path still parses.
        else general(segment)
      }),
      { numRuns: 3000 }
    )
    // The generator reaches the fast path, not only the refusals.
    expect(fast).toBeGreaterThan(100)
  })
})

describe("multipart parser: spilled files are written whole", () => {
  it.effect("files over the 512 KiB write buffer, in pieces of many sizes, land on disk byte for byte", () =>
    Effect.gen(function*() {
      const big = new Uint8Array(1_300_007)
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 9)) & 0xff
      const other = big.slice(5, 700_006).reverse()
      const body = Multipart.encode([["a", "1"]], [["f", { name: "big.bin", content: big }], ["g", {
        name: "other.bin",
        content: other
      }]])
      // Pieces smaller than, equal to and larger than the write buffer.
      for (const step of [7, 4096, 65536, 524288, 600_000, 2_000_000]) {
        const pieces: Array<Uint8Array> = []
        for (let i = 0; i < body.length; i += step) pieces.push(body.subarray(i, i + step))
        const written = yield* Effect.scoped(Effect.gen(function*() {
          const result = yield* Multipart.parse({
            contentType: `multipart/form-data; boundary=${Multipart.BOUNDARY}`,
            contentLength: body.length,
            body: Stream.fromChunk(Chunk.unsafeFromArray(pieces)),
            // Both files spill: they are over FILE_UPLOAD_MAX_MEMORY_SIZE.
            settings: Settings.make({ FILE_UPLOAD_MAX_MEMORY_SIZE: 100_000 }),
            encoding: "utf-8"
          })
          const out: Array<readonly [string, boolean, Uint8Array]> = []
          for (const [key, file] of result.files) {
            out.push([key, UploadedFile.isInMemory(file), yield* UploadedFile.readAll(file)])
          }
          return out
        }))
        expect(written.map(([key, inMemory]) => [key, inMemory])).toEqual([["f", false], ["g", false]])
        expect(Buffer.from(written[0]![2]).equals(Buffer.from(big))).toBe(true)
        expect(Buffer.from(written[1]![2]).equals(Buffer.from(other))).toBe(true)
      }
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
