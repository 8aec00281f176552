/**
 * Python's codecs as the library reproduces them, against Python 3.11 and Django 3.2
 * (test/fixtures/codecs.json, written by scripts/django/codecs.py).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc } from "effect"
import { readFileSync } from "node:fs"
import { HttpRequest, QueryDict } from "../src/index.js"
import * as Codecs from "../src/internal/python/codecs.js"

interface RequestCase {
  readonly label: string
  readonly encoding?: string | null
  readonly GET?: Array<[string, Array<string>]>
  readonly POST?: Array<[string, Array<string>]>
  readonly multipartContentType?: string
  readonly multipartPOST?: Array<[string, Array<string>]>
  readonly error?: string
}

interface SingleByteCase {
  readonly codec: string
  readonly replace: string
  readonly undefined: Array<number>
  readonly sample: string
  readonly sampleEncoded: Array<number>
}

const fixture: {
  readonly python: string
  readonly labels: Array<{ label: string; codec: { name: string; text: boolean } | null }>
  readonly singleByte: Array<SingleByteCase>
  readonly multiByte: Array<{ codec: string; text: string; bytes: Array<number> }>
  readonly query: string
  readonly form: Array<number>
  readonly multipart: Array<number>
  readonly requests: Array<RequestCase>
} = JSON.parse(readFileSync(new URL("./fixtures/codecs.json", import.meta.url), "utf8"))

describe(`codecs.lookup: every name and alias of Python ${fixture.python}, and variants`, () => {
  it(`${fixture.labels.length} labels give Python's canonical name, or none`, () => {
    for (const c of fixture.labels) {
      expect(Codecs.pythonLookup(c.label) ?? null, JSON.stringify(c.label)).toEqual(c.codec)
      expect(Codecs.isKnownEncoding(c.label), JSON.stringify(c.label)).toBe(c.codec !== null)
    }
  })

  it("a label's lookup ignores ASCII case and the punctuation around and between its parts", () => {
    const names = fixture.labels.flatMap((c) => (c.codec === null ? [] : [c.label]))
    const punct = fc.constantFrom(" ", "-", "_", "--", " - ", "\t")
    fc.assert(fc.property(fc.constantFrom(...names), punct, punct, fc.boolean(), (label, before, after, upper) => {
      const variant = before + (upper ? label.toUpperCase() : label.toLowerCase()) + after
      expect(Codecs.pythonLookup(variant)).toEqual(Codecs.pythonLookup(label))
    }))
  })
})

describe("single-byte codecs: every byte as Python decodes it", () => {
  for (const c of fixture.singleByte) {
    it(`${c.codec}: bytes 0x00-0xFF with errors='replace' and strictly; a sample encoded with errors='replace'`, () => {
      const codec = Codecs.supported(c.codec)!
      const all = Uint8Array.from({ length: 256 }, (_, i) => i)
      expect(codec.decode(all)).toBe(c.replace)
      const undefinedBytes = [...all].filter((b) => codec.decodeStrict(Uint8Array.of(b)) === undefined)
      expect(undefinedBytes).toEqual(c.undefined)
      expect([...codec.encode(c.sample)]).toEqual(c.sampleEncoded)
      const strict = codec.encodeStrict(c.sample)
      // The sample has characters no single-byte codec has (the snowman, an emoji): strictly, it fails.
      expect(strict instanceof Uint8Array).toBe(false)
    })
  }

  it("text decoded from the defined bytes of any single-byte codec encodes strictly, to bytes that decode to it", () => {
    fc.assert(fc.property(fc.constantFrom(...fixture.singleByte), fc.uint8Array(), (c, bytes) => {
      const codec = Codecs.supported(c.codec)!
      const text = codec.decodeStrict(bytes.filter((b) => !c.undefined.includes(b)))!
      const encoded = codec.encodeStrict(text)
      expect(encoded).toBeInstanceOf(Uint8Array)
      expect(codec.decodeStrict(encoded as Uint8Array)).toBe(text)
    }))
  })
})

describe("multi-byte codecs: text Python encoded decodes back", () => {
  for (const c of fixture.multiByte) {
    it(`${c.codec}: ${JSON.stringify(c.text)}`, () => {
      const codec = Codecs.supported(c.codec)!
      expect(codec.decode(Uint8Array.from(c.bytes))).toBe(c.text)
      expect(codec.decodeStrict(Uint8Array.from(c.bytes))).toBe(c.text)
    })
  }
})

const lists = (qd: QueryDict.QueryDict) => QueryDict.lists(qd).map(([k, vs]) => [k, [...vs]])

const post = (contentType: string, body: Uint8Array) =>
  HttpRequest.make({ method: "POST", path: "/", headers: [["Content-Type", contentType]], body }).POST

describe("charset aliases in requests (Django 3.2: _set_content_type_params accepts what codecs.lookup accepts)", () => {
  it.effect("charset=latin sets the encoding and GET %E9 decodes to é", () =>
    Effect.sync(() => {
      for (const label of ["latin", "8859", "L1", "cp819", "iso_ir_100"]) {
        const r = HttpRequest.make({
          method: "GET",
          path: "/",
          queryString: "a=%E9",
          headers: [["Content-Type", `text/plain; charset=${label}`]]
        })
        expect(r.encoding, label).toBe(label)
        expect(lists(Either.getOrThrow(r.GET)), label).toEqual([["a", ["é"]]])
      }
    }))

  it.effect("cp1252 byte 0x80 in a multipart field decodes to € (Python's cp1252 table)", () =>
    Effect.gen(function*() {
      const body = Uint8Array.from(fixture.multipart)
      const qd = yield* post("multipart/form-data; boundary=BoUnDaRy; charset=cp1252", body)
      expect(lists(qd)).toEqual([["fé", ["€éŸ¤ x"]]])
    }))

  for (const c of fixture.requests) {
    if (c.error !== undefined) continue
    it.effect(`charset=${JSON.stringify(c.label)}: encoding, GET, urlencoded POST, multipart field`, () =>
      Effect.gen(function*() {
        const r = HttpRequest.make({
          method: "POST",
          path: "/",
          queryString: fixture.query,
          headers: [["Content-Type", `application/x-www-form-urlencoded; charset=${c.label}`]],
          body: Uint8Array.from(fixture.form)
        })
        expect(r.encoding).toBe(c.encoding)
        expect(lists(Either.getOrThrow(r.GET))).toEqual(c.GET)
        expect(lists(yield* r.POST)).toEqual(c.POST)
        const mp = yield* post(c.multipartContentType!, Uint8Array.from(fixture.multipart))
        expect(lists(mp)).toEqual(c.multipartPOST)
      }))
  }
})
