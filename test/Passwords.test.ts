/**
 * Password hashing against Django 3.2 (vectors from scripts/django/passwords.py; V28-V31 of
 * django-vectors-2.md), the session auth hash, url_has_allowed_host_and_scheme, and the
 * property that PBKDF2 stays off the event loop.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Fiber } from "effect"
import { readFileSync } from "node:fs"
import { Passwords, Signing } from "../src/index.js"

type Result<A> = { readonly ok: A } | { readonly error: string; readonly message: string }
interface Fixtures {
  readonly iterations: number
  readonly saltEntropy: number
  readonly saltLength: number
  readonly encode: ReadonlyArray<
    { algorithm: string; password: string; salt: string; iterations: number | null; encoded: string }
  >
  readonly check: ReadonlyArray<
    { password: string | null; encoded: string; result: Result<boolean>; setterCalled: boolean }
  >
  readonly verify: ReadonlyArray<{ algorithm: string; password: string; encoded: string; result: boolean }>
  readonly mustUpdate: ReadonlyArray<
    { encoded: string; hasher: string; hasherMustUpdate: boolean; checkPasswordMustUpdate: boolean }
  >
  readonly mustUpdateSalt: ReadonlyArray<{ length: number; result: boolean }>
  readonly identify: ReadonlyArray<{ encoded: string; result: Result<string> }>
  readonly usable: ReadonlyArray<{ encoded: string | null; result: boolean }>
  readonly unusable: { prefix: string; length: number; usable: boolean }
  readonly made: { encoded: string; check: boolean }
  readonly makeWithSalt: ReadonlyArray<{
    password: string
    salt: string
    hasher: string
    encoded?: string
    saltLength?: number
    result?: Result<string>
  }>
  readonly saltedHmac: ReadonlyArray<{ salt: string; value: string; secret: string; algorithm: string; hex: string }>
  readonly sessionAuthHash: ReadonlyArray<{ secret: string; password: string; hash: string; legacy: string }>
  readonly urlHasAllowedHostAndScheme: ReadonlyArray<
    { url: string | null; allowedHosts: Array<string>; requireHttps: boolean; result: boolean }
  >
}

const fixtures: Fixtures = JSON.parse(readFileSync(new URL("./fixtures/passwords.json", import.meta.url), "utf8"))

const hasherOf = (algorithm: string): Passwords.Hasher => Either.getOrThrow(Passwords.getHasher(algorithm))

describe("Passwords: Django 3.2's PBKDF2 hashers", () => {
  it("iterations, salt entropy and salt length (V30)", () => {
    expect(Passwords.pbkdf2Sha256.iterations).toBe(fixtures.iterations)
    expect(Passwords.pbkdf2Sha1.iterations).toBe(fixtures.iterations)
    expect(Passwords.pbkdf2Sha256.saltEntropy).toBe(fixtures.saltEntropy)
    expect(Passwords.salt()).toMatch(new RegExp(`^[A-Za-z0-9]{${fixtures.saltLength}}$`))
  })

  it.effect("encode with fixed salts and iteration counts, both algorithms (V30)", () =>
    Effect.gen(function*() {
      for (const c of fixtures.encode) {
        const encoded = yield* Passwords.encode(hasherOf(c.algorithm), c.password, c.salt, c.iterations ?? undefined)
        expect(encoded).toBe(c.encoded)
      }
    }))

  it.effect("verify (the hasher alone)", () =>
    Effect.gen(function*() {
      for (const c of fixtures.verify) {
        expect([c.password, c.encoded, yield* Passwords.verify(hasherOf(c.algorithm), c.password, c.encoded)])
          .toEqual([c.password, c.encoded, c.result])
      }
    }))

  it.effect("check_password with a setter: result and whether the hash is upgraded", () =>
    Effect.gen(function*() {
      for (const c of fixtures.check) {
        let called = false
        const result = yield* Passwords.checkPassword(c.password, c.encoded, {
          setter: () => Effect.sync(() => (called = true))
        })
        // Django fails with an error on some malformed hashes; here they are simply wrong.
        const expected = "ok" in c.result ? c.result.ok : false
        expect([c.password, c.encoded, result, called]).toEqual([c.password, c.encoded, expected, c.setterCalled])
      }
    }))

  it("must_update: the hasher's rule and check_password's (V31)", () => {
    for (const c of fixtures.mustUpdate) {
      expect(Passwords.hasherMustUpdate(hasherOf(c.hasher), c.encoded)).toBe(c.hasherMustUpdate)
      expect(Passwords.mustUpdate(c.encoded)).toBe(c.checkPasswordMustUpdate)
    }
    for (const c of fixtures.mustUpdateSalt) {
      expect(Passwords.mustUpdateSalt("a".repeat(c.length), 128)).toBe(c.result)
    }
  })

  it("identify_hasher, with Django's message for unknown algorithms", () => {
    for (const c of fixtures.identify) {
      const result = Passwords.identifyHasher(c.encoded)
      if ("ok" in c.result) expect(Either.map(result, (h) => h.algorithm)).toEqual(Either.right(c.result.ok))
      else expect(Either.isLeft(result) && result.left.message).toBe(c.result.message)
    }
  })

  it("is_password_usable (None counts as usable, as in Django)", () => {
    for (const c of fixtures.usable) expect(Passwords.isPasswordUsable(c.encoded)).toBe(c.result)
  })

  it.effect("make_password(None): '!' and 40 random characters, unusable", () =>
    Effect.gen(function*() {
      const a = yield* Passwords.makePassword(null)
      const b = yield* Passwords.makePassword(null)
      expect(a[0]).toBe(fixtures.unusable.prefix)
      expect(a.length).toBe(fixtures.unusable.length)
      expect(a).toMatch(/^![A-Za-z0-9]{40}$/)
      expect(a).not.toBe(b)
      expect(Passwords.isPasswordUsable(a)).toBe(fixtures.unusable.usable)
      expect(yield* Passwords.checkPassword("anything", a)).toBe(false)
    }))

  it.effect("make_password with a salt, an empty salt, a bad salt, an unknown hasher", () =>
    Effect.gen(function*() {
      for (const c of fixtures.makeWithSalt) {
        const result = yield* Effect.either(Passwords.makePassword(c.password, { salt: c.salt, hasher: c.hasher }))
        if (c.encoded !== undefined) expect(result).toEqual(Either.right(c.encoded))
        else if (c.saltLength !== undefined) {
          expect(Either.getOrThrow(result).split("$")[2]).toHaveLength(c.saltLength)
        } else if (c.result !== undefined && "error" in c.result) {
          expect(Either.isLeft(result)).toBe(true)
          if (c.result.error === "ValueError") {
            expect(Either.isLeft(result) && result.left.message).toBe(c.result.message)
          } else expect(Either.isLeft(result) && result.left._tag).toBe("InvalidArgument")
        }
      }
    }))

  it.effect("a hash made by Django verifies here, and one made here has Django's shape", () =>
    Effect.gen(function*() {
      expect(yield* Passwords.checkPassword("password", fixtures.made.encoded)).toBe(fixtures.made.check)
      const ours = yield* Passwords.makePassword("password")
      expect(ours).toMatch(/^pbkdf2_sha256\$260000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$/)
      expect(Passwords.mustUpdate(ours)).toBe(false)
    }))

  it.effect("property: encode then verify round-trips; another password fails", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 20 }),
          fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(..."abcXYZ019") }),
          fc.integer({ min: 1, max: 20 }),
          fc.constantFrom(Passwords.pbkdf2Sha256, Passwords.pbkdf2Sha1),
          (password, salt, iterations, hasher) =>
            Effect.runPromise(Effect.gen(function*() {
              const encoded = yield* Passwords.encode(hasher, password, salt, iterations)
              expect(encoded.split("$").slice(0, 3)).toEqual([hasher.algorithm, String(iterations), salt])
              expect(yield* Passwords.verify(hasher, password, encoded)).toBe(true)
              expect(yield* Passwords.verify(hasher, password + "x", encoded)).toBe(false)
            }))
        ),
        { numRuns: 40 }
      )
    ))

  it.live(
    "20 checkPassword at 260,000 iterations at once: the event loop keeps turning meanwhile",
    () =>
      Effect.gen(function*() {
        const encoded = fixtures.check.find((c) => c.password === "password" && c.encoded.includes("$260000$"))!
          .encoded
        // The order things happen in, not how long they take: hashing on the event loop would let
        // no tick run before the first login completes, and none between two logins.
        const events: Array<"tick" | "sleep" | "login"> = []
        let pending = 20
        const tick = () => {
          events.push("tick")
          if (pending > 0) setImmediate(tick)
        }
        const logins = yield* Effect.fork(
          Effect.all(
            Array.from({ length: 20 }, () =>
              Effect.tap(Passwords.checkPassword("password", encoded), () =>
                Effect.sync(() => {
                  events.push("login")
                  pending--
                }))),
            { concurrency: "unbounded" }
          )
        )
        setImmediate(tick)
        yield* Effect.sleep(0)
        events.push("sleep")
        const results = yield* Fiber.join(logins)
        expect(results).toEqual(Array.from({ length: 20 }, () =>
          true))
        const firstLogin = events.indexOf("login")
        expect(events.indexOf("tick")).toBeLessThan(firstLogin)
        expect(events.indexOf("sleep")).toBeLessThan(firstLogin)
        // The loop kept turning until the last login: more ticks than logins while they ran.
        const lastLogin = events.lastIndexOf("login")
        expect(
          events.slice(0, lastLogin).filter((e) =>
            e === "tick"
          ).length
        ).toBeGreaterThan(20)
      }),
    60_000
  )
})

describe("Passwords: session auth hash and salted_hmac (V28-V29)", () => {
  it("salted_hmac", () => {
    for (const c of fixtures.saltedHmac) {
      const bytes = Signing.saltedHmac(c.salt, c.value, c.secret, c.algorithm as Signing.Algorithm)
      expect(Buffer.from(bytes).toString("hex")).toBe(c.hex)
    }
  })

  it("get_session_auth_hash and the legacy sha1 form; verifySessionAuthHash accepts both", () => {
    for (const c of fixtures.sessionAuthHash) {
      expect(Passwords.getSessionAuthHash(c.password, c.secret)).toBe(c.hash)
      expect(Passwords.getLegacySessionAuthHash(c.password, c.secret)).toBe(c.legacy)
      expect(Passwords.verifySessionAuthHash(c.hash, c.password, c.secret)).toBe(true)
      expect(Passwords.verifySessionAuthHash(c.legacy, c.password, c.secret)).toBe(true)
      expect(Passwords.verifySessionAuthHash(c.hash, c.password + "x", c.secret)).toBe(false)
      expect(Passwords.verifySessionAuthHash("", c.password, c.secret)).toBe(false)
    }
  })
})

describe("Passwords.urlHasAllowedHostAndScheme (django/utils/http.py)", () => {
  it("every fixture case", () => {
    for (const c of fixtures.urlHasAllowedHostAndScheme) {
      expect([
        c.url,
        c.allowedHosts,
        c.requireHttps,
        Passwords.urlHasAllowedHostAndScheme(
          c.url,
          c.allowedHosts,
          c.requireHttps
        )
      ]).toEqual([c.url, c.allowedHosts, c.requireHttps, c.result])
    }
  })

  it("property: a path starting with one slash and no backslash is always allowed", () => {
    fc.assert(fc.property(fc.stringMatching(/^\/[a-z0-9/?=&#._-]*$/), (path) => {
      fc.pre(!path.startsWith("//"))
      expect(Passwords.urlHasAllowedHostAndScheme(path, [])).toBe(true)
    }))
  })

  it("a single string is one allowed host; null allows none", () => {
    expect(Passwords.urlHasAllowedHostAndScheme("https://a.test/x", "a.test")).toBe(true)
    expect(Passwords.urlHasAllowedHostAndScheme("https://a.test/x", null)).toBe(false)
  })
})
