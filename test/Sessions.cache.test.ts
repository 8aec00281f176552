/**
 * The session codec's shortcuts, against the long way round: the decoded values it remembers per
 * stored string (a hit skips the signature check and the parse, never the signed cookie's
 * `max_age`), and zlib skipped where it provably cannot pay. Each would be wrong if it returned
 * stale, shared or unverified data, or other bytes than `signing.dumps(compress=True)`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Layer, Option, TestClock } from "effect"
import * as zlib from "node:zlib"
import { Sessions, Settings, Signing } from "../src/index.js"
import * as codec from "../src/internal/sessionCodec.js"

const SECRET = "cache-secret"
const settings = Settings.make({ SECRET_KEY: SECRET })
const T0 = 1_700_000_000_000

// JSON values as a session holds them (what `normalize` gives back).
const json: fc.Arbitrary<codec.Json> = fc.jsonValue().map((v) => Either.getOrThrow(codec.normalize(v)))
// Keys and strings with any code point, lone surrogates included (json.dumps escapes them).
const key = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.constantFrom("1", "10", "__proto__", "_session_expiry", "\ud83d\ude00", "\udc00")
)
const data = fc.uniqueArray(fc.tuple(key, json), { selector: ([k]) => k, maxLength: 8 }).map((pairs) => new Map(pairs))
// Small sessions, where zlib is skipped: a counter, a flag, a short string.
const small = fc.uniqueArray(
  fc.tuple(
    fc.string({ maxLength: 6 }),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 8 }))
  ),
  { selector: ([k]) => k, maxLength: 3 }
).map((pairs) => new Map<string, codec.Json>(pairs))

const signer = (salt: string) => Either.getOrThrow(codec.signer(settings, salt))

describe("Sessions codec: zlib only where it can pay", () => {
  it("incompressible(text) holds only where node:zlib's stream is not shorter than text - 1 bytes", () => {
    const latin1 = (text: string) => Buffer.from(text, "latin1")
    const texts = fc.oneof(
      fc.string({ maxLength: 48 }),
      fc.string({ unit: fc.constantFrom("a", "b", "c", "\"", ":", "{", "}", "1"), maxLength: 48 }),
      fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 48 }),
      small.map(codec.dumps),
      data.map(codec.dumps)
    )
    fc.assert(
      fc.property(texts, (text) => {
        if (codec.incompressible(text)) {
          expect(zlib.deflateSync(latin1(text)).length).toBeGreaterThanOrEqual(text.length - 1)
        }
      }),
      { numRuns: 10_000 }
    )
  })

  it("incompressible proves the small sessions a counter keeps, and nothing with a repeat", () => {
    for (const n of [0, 7, 1234, 98765, -123456]) {
      expect(codec.incompressible(codec.dumps(new Map([["n", n]])))).toBe(true)
    }
    expect(codec.incompressible(codec.dumps(new Map<string, codec.Json>([["visits", 12], ["ok", true]])))).toBe(true)
    // A repeated 3-byte run may be a match (zlib then runs); long texts are not tried.
    expect(codec.incompressible(codec.dumps(new Map([["n", 99999]])))).toBe(false)
    expect(codec.incompressible("{\"abc\":\"abc\"}")).toBe(false)
    expect(codec.incompressible("x".repeat(41))).toBe(false)
  })

  it("signData is Signing.timestampSignObjectAt(compress=True), byte for byte", () => {
    fc.assert(
      fc.property(fc.oneof(data, small), fc.integer({ min: 0, max: 2 ** 31 }), (d, now) => {
        for (const salt of [codec.SESSION_SALT, codec.SIGNED_COOKIES_SALT]) {
          const expected = Either.getOrThrow(Signing.timestampSignObjectAt(signer(salt), d, now, { compress: true }))
          expect(Either.getOrThrow(codec.signData(settings, salt, d, now))).toBe(expected)
          expect(Either.getOrThrow(codec.signSession(settings, salt, d, now))).toBe(expected)
        }
        expect(Either.getOrThrow(codec.encodeSession(settings, d, now))).toBe(
          Either.getOrThrow(codec.encode(settings, d, now))
        )
      })
    )
  })
})

describe("Sessions codec: decoded values remembered by their stored string", () => {
  it("a hit gives what a cold decode gives, and a copy of its own each time", () => {
    fc.assert(
      fc.property(fc.oneof(data, small), fc.integer({ min: 0, max: 2 ** 31 }), (d, now) => {
        const stored = Either.getOrThrow(codec.encodeSession(settings, d, now))
        expect(codec.isRemembered(stored)).toBe(true)
        const hit = codec.decode(settings, stored, now)!
        const again = codec.decode(settings, stored, now)!
        codec.forgetDecoded()
        const cold = codec.decode(settings, stored, now)!
        expect(Array.from(hit)).toEqual(Array.from(d))
        expect(Array.from(hit)).toEqual(Array.from(cold))
        expect(hit).not.toBe(again)
        for (const [k, v] of hit) if (v !== null && typeof v === "object") expect(again.get(k)).not.toBe(v)
      })
    )
  })

  it("a hit keeps a nested __proto__ member as data, and lone surrogates as they were", () => {
    const d = new Map<string, codec.Json>([
      ["nested", JSON.parse("{\"__proto__\": {\"a\": 1}, \"2\": [\"\\udc00\"], \"b\": null}") as codec.Json],
      ["\ud800", "\udfff"]
    ])
    const stored = Either.getOrThrow(codec.encodeSession(settings, d, 0))
    const hit = codec.decode(settings, stored, 0)!
    codec.forgetDecoded()
    const cold = codec.decode(settings, stored, 0)!
    expect(Object.getPrototypeOf(hit.get("nested"))).toBe(Object.prototype)
    expect(Object.keys(hit.get("nested") as object)).toEqual(["2", "__proto__", "b"])
    expect(Array.from(hit)).toEqual(Array.from(cold))
    expect(Array.from(hit)).toEqual(Array.from(d))
  })

  it("a tampered string is refused after the valid one was remembered; another secret refuses it too", () => {
    const stored = Either.getOrThrow(codec.encodeSession(settings, new Map([["user", "ada"]]), T0 / 1000))
    expect(codec.decode(settings, stored, T0 / 1000)).toEqual(new Map([["user", "ada"]]))
    expect(codec.isRemembered(stored)).toBe(true)
    const [payload, stamp, sig] = stored.split(":") as [string, string, string]
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1)
    for (
      const tampered of [
        `${flip(payload, 2)}:${stamp}:${sig}`,
        `${payload}:${flip(stamp, 0)}:${sig}`,
        `${payload}:${stamp}:${flip(sig, 5)}`,
        stored + "x",
        stored.slice(1)
      ]
    ) {
      expect(codec.decode(settings, tampered, T0 / 1000)).toBeUndefined()
      expect(codec.isRemembered(tampered)).toBe(false)
    }
    // The same string under another SECRET_KEY: not verified by that key, not served from memory.
    const other = Settings.make({ SECRET_KEY: "another-secret" })
    expect(codec.decode(other, stored, T0 / 1000)).toBeUndefined()
    // Rotated: the old key as a fallback still reads it (verified again with the new key set).
    const rotated = Settings.make({ SECRET_KEY: "another-secret", SECRET_KEY_FALLBACKS: [SECRET] })
    expect(codec.decode(rotated, stored, T0 / 1000)).toEqual(new Map([["user", "ada"]]))
  })

  it("the number of remembered values is bounded; what was not used for long is forgotten, and read again", () => {
    codec.forgetDecoded()
    const first = Either.getOrThrow(codec.encodeSession(settings, new Map([["i", -1]]), 0))
    const early = Either.getOrThrow(codec.encodeSession(settings, new Map([["i", -2]]), 0))
    for (let i = 0; i < 2 * codec.DECODED_MAX; i++) {
      Either.getOrThrow(codec.encodeSession(settings, new Map([["i", i]]), 0))
      expect(codec.decodedSize()).toBeLessThanOrEqual(codec.DECODED_MAX)
      // `first` used all along: it stays.
      if (i % 1000 === 0) expect(codec.decode(settings, first, 0)).toEqual(new Map([["i", -1]]))
    }
    expect(codec.isRemembered(first)).toBe(true)
    expect(codec.isRemembered(early)).toBe(false)
    // Forgotten is only slower: it verifies and decodes again.
    expect(codec.decode(settings, early, 0)).toEqual(new Map([["i", -2]]))
    expect(codec.isRemembered(early)).toBe(true)
  })
})

const inSession = <A, E>(self: Effect.Effect<A, E, Sessions.Session>, cookie?: string) =>
  Effect.flatMap(Sessions.make(cookie), (session) => Effect.provideService(self, Sessions.Session, session))

const dbWorld = () => {
  const storage = Sessions.memoryStorage()
  return {
    storage,
    layer: Layer.merge(Settings.layer({ SECRET_KEY: SECRET }), Sessions.layerStorage(storage))
  }
}

describe("Sessions: what is not remembered", () => {
  it.effect("Sessions.encode of values not yet as they read back (a Map, a tuple) is decoded, not served from memory", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const encoded = yield* Sessions.encode({ m: new Map([["x", 1]]), t: [1, "a"] as const })
      expect(codec.isRemembered(encoded)).toBe(false)
      const data = yield* Sessions.decodeData(encoded)
      expect(Array.from(data)).toEqual([["m", { x: 1 }], ["t", [1, "a"]]])
    }).pipe(Effect.provide(Settings.layer({ SECRET_KEY: SECRET }))))

  it("the pre-3.1 format (DEFAULT_HASHING_ALGORITHM = 'sha1') is written and read as before, never remembered", () => {
    const legacy = Settings.make({ SECRET_KEY: SECRET, DEFAULT_HASHING_ALGORITHM: "sha1" })
    const d = new Map<string, codec.Json>([["a", 1]])
    const stored = Either.getOrThrow(codec.encodeSession(legacy, d, 0))
    expect(stored).toBe(Either.getOrThrow(codec.legacyEncode(legacy, d)))
    expect(codec.isRemembered(stored)).toBe(false)
    expect(codec.decode(legacy, stored, 0)).toEqual(d)
    expect(codec.isRemembered(stored)).toBe(false)
  })

  it("a value that does not verify is refused every time and never remembered", () => {
    const stored = Either.getOrThrow(codec.encodeSession(settings, new Map([["a", 1]]), 0))
    const forged = stored.slice(0, stored.lastIndexOf(":") + 1) + "A".repeat(43)
    for (let i = 0; i < 3; i++) expect(codec.decode(settings, forged, 0)).toBeUndefined()
    expect(codec.isRemembered(forged)).toBe(false)
  })
})

describe("Sessions: remembered decodes through the stores", () => {
  it.effect("a row changed behind the session's back is decoded again (Django's db backend reads the row)", () => {
    const w = dbWorld()
    return Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const key = yield* inSession(Effect.gen(function*() {
        yield* Sessions.set("owner", "first")
        yield* Sessions.save
        return Option.getOrThrow(yield* Sessions.sessionKey)
      }))
      expect(codec.isRemembered(w.storage.rows.get(key)!.value)).toBe(true)
      expect(yield* inSession(Sessions.get("owner"), key)).toEqual(Option.some("first"))
      // Another process (Django) writes the row.
      const encoded = yield* Sessions.encode({ owner: "second" })
      codec.forgetDecoded()
      const expiry = { date: new Date(T0 + 1000_000), age: 1000 }
      expect(yield* w.storage.update(key, encoded, expiry)).toBe(true)
      expect(yield* inSession(Sessions.get("owner"), key)).toEqual(Option.some("second"))
    }).pipe(Effect.provide(w.layer))
  })

  it.effect("mutating one request's session values changes neither the store nor the next request's", () => {
    const w = dbWorld()
    return Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const key = yield* inSession(Effect.gen(function*() {
        yield* Sessions.set("cart", { items: [1, 2] })
        yield* Sessions.save
        // After the save, the value this request holds is changed in place.
        const cart = Option.getOrThrow(yield* Sessions.get("cart")) as { items: Array<number> }
        cart.items.push(3)
        return Option.getOrThrow(yield* Sessions.sessionKey)
      }))
      expect(codec.isRemembered(w.storage.rows.get(key)!.value)).toBe(true)
      for (let i = 0; i < 2; i++) {
        const cart = yield* inSession(
          Effect.gen(function*() {
            const cart = Option.getOrThrow(yield* Sessions.get("cart")) as { items: Array<number> }
            const seen = [...cart.items]
            cart.items.push(99)
            return seen
          }),
          key
        )
        expect(cart).toEqual([1, 2])
      }
    }).pipe(Effect.provide(w.layer))
  })

  it.effect("a signed cookie served from memory is still refused after SESSION_COOKIE_AGE (V13)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const cookie = yield* inSession(Effect.gen(function*() {
        yield* Sessions.set("n", 1)
        yield* Sessions.save
        return Option.getOrThrow(yield* Sessions.sessionKey)
      }))
      expect(codec.isRemembered(cookie)).toBe(true)
      const read = inSession(Effect.zip(Sessions.get("n"), Sessions.modified), cookie)
      yield* TestClock.setTime(T0 + 100 * 1000)
      expect(yield* read).toEqual([Option.some(1), false])
      expect(codec.isRemembered(cookie)).toBe(true)
      // Django: age > max_age is SignatureExpired; the session starts empty and modified.
      yield* TestClock.setTime(T0 + 101 * 1000)
      expect(yield* read).toEqual([Option.none(), true])
      yield* TestClock.setTime(T0 + 100 * 1000)
      expect(yield* read).toEqual([Option.some(1), false])
    }).pipe(
      Effect.provide(
        Layer.merge(Settings.layer({ SECRET_KEY: SECRET, SESSION_COOKIE_AGE: 100 }), Sessions.layerSignedCookies)
      )
    ))
})
