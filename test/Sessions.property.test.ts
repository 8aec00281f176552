/**
 * Property tests of the session codec (the dict JSON parser and encode/decode): any data Django's
 * JSONSerializer can store survives encode/decode with its key order, in every format Django 3.2
 * reads (signed, compressed or not, the legacy pre-3.1 format); no input makes decode throw.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { Settings } from "../src/index.js"
import * as codec from "../src/internal/sessionCodec.js"

const settings = Settings.make({ SECRET_KEY: "property-secret" })
const legacySettings = Settings.make({ SECRET_KEY: "property-secret", DEFAULT_HASHING_ALGORITHM: "sha1" })

// JSON values as Python's json module reads them back (no -0, no integers beyond 2^53).
const json: fc.Arbitrary<codec.Json> = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as codec.Json)
  .filter((v) => JSON.stringify(v) === JSON.stringify(JSON.parse(JSON.stringify(v))))
const key = fc.oneof(
  fc.string(),
  fc.constantFrom("1", "10", "2", "__proto__", "_session_expiry", "\u00e9", "\ud83d\ude00")
)
const data = fc.uniqueArray(fc.tuple(key, json), { selector: ([k]) => k, maxLength: 12 }).map((pairs) => new Map(pairs))

describe("Sessions codec (properties)", () => {
  it("parseObject reads what Python's json.dumps writes, in the dict's order", () => {
    fc.assert(fc.property(data, (d) => {
      expect(Array.from(codec.parseObject(codec.dumps(d))!.entries())).toEqual(Array.from(d.entries()))
    }))
  })

  it("parseObject agrees with JSON.parse on objects and rejects what JSON.parse rejects", () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      let expected: unknown
      try {
        expected = JSON.parse(text)
      } catch {
        expected = undefined
      }
      const parsed = codec.parseObject(text)
      if (typeof expected === "object" && expected !== null && !Array.isArray(expected)) {
        expect(parsed === undefined ? undefined : Object.fromEntries(parsed)).toEqual(expected)
      } else {
        expect(parsed).toBeUndefined()
      }
    }))
  })

  it.effect("encode then decode gives the data back, signed and legacy", () =>
    Effect.sync(() => {
      fc.assert(fc.property(data, fc.integer({ min: 0, max: 2 ** 31 }), (d, now) => {
        for (const s of [settings, legacySettings]) {
          const encoded = codec.encode(s, d, now)
          if (encoded._tag !== "Right") throw new Error("encode failed")
          expect(Array.from(codec.decode(settings, encoded.right, now + 1e6)!.entries())).toEqual(
            Array.from(d.entries())
          )
        }
      }))
    }))

  it("decode never throws: anything that does not verify is no data", () => {
    fc.assert(fc.property(fc.string(), (text) => {
      expect(codec.decode(settings, text, 0)).toBeUndefined()
    }))
  })
})
