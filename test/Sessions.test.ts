/**
 * Sessions against Django 3.2's own outputs (test/fixtures/sessions.json, written by
 * scripts/django/sessions.py): the encoding byte for byte, decode of good, tampered, legacy and
 * sha1 data, key validation, the result and the accessed/modified flags of every SessionBase
 * call from several starting points, expiry, and SessionMiddleware's response for each
 * scenario (cookie set/refreshed/deleted, Vary, no save on 500, SessionInterrupted).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Logger, Option, Schema, TestClock } from "effect"
import { Errors, HttpResponse, ResponseCookies, Sessions, Settings, View } from "../src/index.js"
import {
  atT0,
  cookieFor,
  fixtures,
  placeholders,
  requestWith,
  rowOf,
  runOp,
  scenarioView,
  storeSession,
  T0,
  toMap,
  toPairs,
  world
} from "./sessionsHarness.js"

const settingsLayer = (input: Settings.Input = {}) => Settings.layer({ SECRET_KEY: fixtures.secret, ...input })

/** Runs `self` in a fresh session from `cookie`. */
const inSession = <A, E>(self: Effect.Effect<A, E, Sessions.Session>, cookie?: string) =>
  Effect.flatMap(Sessions.make(cookie), (session) => Effect.provideService(self, Sessions.Session, session))

describe("Sessions: encoding (Django 3.2 SessionBase.encode/decode)", () => {
  // Compression is node:zlib's, whose bytes may differ from Python's zlib (Node bundles Chromium's
  // zlib): a compressed encoding is checked by what it holds and by its shape, and Django reading
  // it is proven live (test/Sessions.interop.test.ts). Uncompressed encodings are Django's bytes.
  it.effect("encode is signing.dumps with the SessionStore salt and compression (V3-V7)", () =>
    Effect.gen(function*() {
      yield* atT0
      const compressed = (value: string) => value.startsWith(".")
      for (const e of fixtures.encodings) {
        const ours = yield* Sessions.encode(toMap(e.data))
        const cookie = yield* Sessions.signCookieData(toMap(e.data))
        if (compressed(e.encoded)) {
          expect(compressed(ours)).toBe(true)
          expect(toPairs(yield* Sessions.decodeData(ours))).toEqual(e.data)
        } else {
          expect(ours).toBe(e.encoded)
        }
        if (compressed(e.signedCookie)) expect(compressed(cookie)).toBe(true)
        else expect(cookie).toBe(e.signedCookie)
      }
    }).pipe(Effect.provide(settingsLayer())))

  it.effect("DEFAULT_HASHING_ALGORITHM='sha1' writes the pre-3.1 format (V11-V12)", () =>
    Effect.gen(function*() {
      yield* atT0
      for (const e of fixtures.encodings) expect(yield* Sessions.encode(toMap(e.data))).toBe(e.legacy)
    }).pipe(Effect.provide(settingsLayer({ DEFAULT_HASHING_ALGORITHM: "sha1" }))))

  it.effect("decode reads its own, the legacy format and sha1 signatures, in the dict's order", () =>
    Effect.gen(function*() {
      yield* atT0
      for (const e of fixtures.encodings) {
        for (const value of [e.encoded, e.legacy, e.sha1Signed]) {
          expect(toPairs(yield* Sessions.decodeData(value))).toEqual(e.data)
        }
        // The signed-cookies salt is another namespace: not a session encoding.
        if (e.data.length > 0) expect(toPairs(yield* Sessions.decodeData(e.signedCookie))).toEqual([])
      }
    }).pipe(Effect.provide(settingsLayer())))

  it.effect("decode of tampered, foreign or garbage data is an empty session, never an error (V9)", () =>
    Effect.gen(function*() {
      yield* atT0
      for (const d of fixtures.decodes) {
        expect([d.value, toPairs(yield* Sessions.decodeData(d.value))]).toEqual([d.value, d.data])
      }
    }).pipe(Effect.provide(settingsLayer())))

  it.effect("corrupt data is logged as Django logs it: 'Session data corrupted' on django.security.SuspiciousSession", () =>
    Effect.gen(function*() {
      const logs: Array<{ message: unknown; level: string; annotations: Record<string, unknown> }> = []
      const logger = Logger.make(({ annotations, logLevel, message }) => {
        logs.push({ message, level: logLevel.label, annotations: Object.fromEntries(annotations) })
      })
      yield* Sessions.decodeData("not-a-session").pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      expect(logs).toEqual([{
        message: ["Session data corrupted"],
        level: "WARN",
        annotations: { logger: "django.security.SuspiciousSession" }
      }])
    }).pipe(Effect.provide(settingsLayer())))

  it.effect("a value Django's JSON serializer cannot store fails at set, with Python's message", () =>
    Effect.gen(function*() {
      const failures = yield* inSession(Effect.gen(function*() {
        const out: Array<string> = []
        for (const v of [new Date(0), () => 1, Symbol("s"), NaN, Infinity, new Set([1]), undefined]) {
          const r = yield* Effect.either(Sessions.set("x", v))
          if (Either.isLeft(r)) out.push(`${r.left._tag}: ${r.left.message}`)
        }
        expect(yield* Sessions.isEmpty).toBe(true)
        expect(yield* Sessions.modified).toBe(false)
        return out
      }))
      expect(failures).toEqual([
        "InvalidArgument: Object of type Date is not JSON serializable",
        "InvalidArgument: Object of type function is not JSON serializable",
        "InvalidArgument: Object of type symbol is not JSON serializable",
        "InvalidArgument: Out of range float values are not JSON compliant: nan",
        "InvalidArgument: Out of range float values are not JSON compliant: inf",
        "InvalidArgument: Object of type Set is not JSON serializable",
        "InvalidArgument: Object of type undefined is not JSON serializable"
      ])
    }).pipe(Effect.provide(world("db").layer)))
})

describe("Sessions: keys (V14)", () => {
  it.effect("a cookie key shorter than 8 characters is no key", () =>
    Effect.gen(function*() {
      for (const k of fixtures.keys) {
        const key = yield* inSession(Sessions.sessionKey, k.cookie)
        expect([k.cookie, Option.getOrNull(key)]).toEqual([k.cookie, k.key])
      }
    }).pipe(Effect.provide(world("db").layer)))

  it.effect("new keys are 32 characters of a-z0-9, each different", () =>
    Effect.gen(function*() {
      const seen = new Set<string>()
      for (let i = 0; i < 50; i++) {
        const key = yield* inSession(
          Effect.zipRight(Effect.zipRight(Sessions.set("a", i), Sessions.save), Sessions.sessionKey)
        )
        const k = Option.getOrThrow(key)
        expect(k).toMatch(/^[a-z0-9]{32}$/)
        seen.add(k)
      }
      expect(seen.size).toBe(50)
    }).pipe(Effect.provide(world("db").layer)))
})

describe("Sessions: every SessionBase call, its result and flags, as Django 3.2 (V15-V17, V20)", () => {
  for (const s of fixtures.ops) {
    const label = `${s.backend} ${s.start}: ${s.ops.map((o) => JSON.stringify(o)).join(" ")}`
    it.effect(label, () => {
      const w = world(s.backend)
      return Effect.gen(function*() {
        yield* atT0
        const stored = s.start === "stored" ? yield* storeSession : undefined
        const session = yield* Sessions.make(cookieFor(s.start, stored))
        const results: Array<unknown> = []
        for (const op of s.ops) {
          results.push(yield* Effect.provideService(runOp(op, w.storage), Sessions.Session, session))
        }
        const state = yield* Effect.provideService(Sessions.state, Sessions.Session, session)
        const isEmpty = yield* Effect.provideService(Sessions.isEmpty, Sessions.Session, session)
        expect({
          results,
          accessed: state.accessed,
          modified: state.modified,
          isEmpty,
          loaded: state.cache !== undefined,
          data: state.cache === undefined ? null : toPairs(state.cache)
        }).toEqual({
          results: s.results,
          accessed: s.accessed,
          modified: s.modified,
          isEmpty: s.isEmpty,
          loaded: s.loaded,
          data: s.data
        })
        if (s.backend === "db") {
          const [key] = placeholders([state.key ?? ""], stored)
          expect(key === "" ? null : key).toEqual(s.sessionKey)
          expect(yield* rowOf(w.storage, state.key)).toEqual(s.row)
          expect(stored === undefined ? false : w.storage.rows.has(stored)).toBe(s.storedRowLeft)
        } else {
          expect(state.key === null ? null : "<signed>").toEqual(s.sessionKey)
        }
      }).pipe(Effect.provide(w.layer))
    })
  }
})

describe("Sessions: expiry as stored", () => {
  it.effect("signed-cookie sessions are read within SESSION_COOKIE_AGE only (V13)", () =>
    Effect.gen(function*() {
      for (const c of fixtures.signedAge) {
        yield* TestClock.setTime(T0 + c.after * 1000)
        const out = yield* inSession(
          Effect.zip(Sessions.items, Sessions.modified),
          c.value
        )
        expect([c.after, out[0], out[1]]).toEqual([c.after, c.data, c.modified])
      }
    }).pipe(Effect.provide(world("signed_cookies").layer)))

  it.effect("db rows are read while expire_date > now, and a miss drops the key (V20)", () =>
    Effect.gen(function*() {
      yield* atT0
      const key = yield* inSession(Effect.gen(function*() {
        yield* Sessions.set("a", 1)
        yield* Sessions.setExpiry(100)
        yield* Sessions.save
        return Option.getOrThrow(yield* Sessions.sessionKey)
      }))
      for (const c of fixtures.dbExpiry) {
        yield* TestClock.setTime(T0 + c.after * 1000)
        const out = yield* inSession(Effect.zip(Sessions.items, Sessions.sessionKey), key)
        expect([c.after, out[0], Option.isSome(out[1])]).toEqual([c.after, c.data, c.keyKept])
      }
    }).pipe(Effect.provide(world("db").layer)))

  it.effect("clearExpired deletes rows whose expire_date < now (clearsessions)", () => {
    const w = world("db")
    return Effect.gen(function*() {
      yield* atT0
      for (const age of [10, 20, 30]) {
        yield* inSession(Effect.zipRight(Sessions.setExpiry(age), Sessions.save))
      }
      expect(w.storage.rows.size).toBe(3)
      yield* TestClock.setTime(T0 + 20_000)
      expect(yield* Sessions.clearExpired).toBe(1)
      expect(w.storage.rows.size).toBe(2)
      yield* TestClock.setTime(T0 + 31_000)
      expect(yield* Sessions.clearExpired).toBe(2)
    }).pipe(Effect.provide(w.layer))
  })
})

describe("Sessions: typed access", () => {
  it.effect("get(key, schema) and decode(schema) decode with Effect Schema", () =>
    Effect.gen(function*() {
      const out = yield* inSession(Effect.gen(function*() {
        yield* Sessions.update({ cart: [1, 2], user: "ada" })
        const cart = yield* Sessions.get("cart", Schema.Array(Schema.Number))
        const missing = yield* Sessions.get("nope", Schema.String)
        const bad = yield* Effect.either(Sessions.get("user", Schema.Number))
        const all = yield* Sessions.decode(Schema.Struct({ cart: Schema.Array(Schema.Number), user: Schema.String }))
        return { cart, missing, bad: Either.isLeft(bad) ? bad.left._tag : "decoded", all }
      }))
      expect(out).toEqual({
        cart: Option.some([1, 2]),
        missing: Option.none(),
        bad: "ParseError",
        all: { cart: [1, 2], user: "ada" }
      })
    }).pipe(Effect.provide(world("db").layer)))

  it.effect("a stored null is present: get gives Option.some(null), has is true", () =>
    Effect.gen(function*() {
      const out = yield* inSession(
        Effect.zipRight(Sessions.set("n", null), Effect.all([Sessions.get("n"), Sessions.has("n")]))
      )
      expect(out).toEqual([Option.some(null), true])
    }).pipe(Effect.provide(world("db").layer)))

  it.effect("values are kept as they read back after a save: Maps become objects, key order kept", () =>
    Effect.gen(function*() {
      yield* atT0
      const out = yield* inSession(Effect.gen(function*() {
        yield* Sessions.set("m", new Map([["b", 1], ["a", 2]]))
        yield* Sessions.set("2", "two")
        yield* Sessions.set("1", "one")
        return [yield* Sessions.get("m"), yield* Sessions.keys] as const
      }))
      expect(out).toEqual([Option.some({ b: 1, a: 2 }), ["m", "2", "1"]])
    }).pipe(Effect.provide(world("db").layer)))
})

describe("SessionMiddleware: Django 3.2's process_response (V21-V27)", () => {
  for (const m of fixtures.middleware) {
    const label = `${m.backend} ${JSON.stringify(m.settings)} ${m.start} ${
      JSON.stringify(m.ops)
    } -> ${m.responseStatus}`
    it.effect(label, () => {
      const w = world(m.backend, m.settings)
      return Effect.gen(function*() {
        yield* atT0
        const settings = yield* Settings.Settings
        const stored = m.start === "stored" ? yield* storeSession : undefined
        const seen: { session?: Sessions.Session } = {}
        const view = Sessions.middleware(scenarioView(m.ops, m.responseStatus, w.storage, seen))
        const result = yield* Effect.either(view(requestWith(settings.SESSION_COOKIE_NAME, cookieFor(m.start, stored))))
        if (Either.isLeft(result)) {
          const e = result.left
          // The decorated view's own failures become responses inside the middleware: what
          // fails here is the middleware's.
          if (!(e instanceof Sessions.SessionInterrupted) && !(e instanceof Sessions.SessionStoreError)) throw e
          expect({ error: e._tag, message: e.message, status: Errors.isDjangoError(e) ? e.status : 0 }).toEqual({
            error: m.error,
            message: m.message,
            status: m.status
          })
        } else {
          const response = result.right
          if (!HttpResponse.isAnyResponse(response)) throw new Error("expected the view's own response")
          expect({
            status: response.status,
            setCookies: placeholders(ResponseCookies.setCookieHeaders(response), stored),
            vary: Option.getOrNull(HttpResponse.getHeader(response, "Vary"))
          }).toEqual({ status: m.status, setCookies: m.setCookies, vary: m.vary })
        }
        if (m.backend === "db") {
          // The row of the session's key, as Django left it.
          const state = yield* Effect.provideService(Sessions.state, Sessions.Session, seen.session!)
          expect(yield* rowOf(w.storage, state.key)).toEqual(m.row)
          expect(stored === undefined ? false : w.storage.rows.has(stored)).toBe(m.storedRowLeft)
        }
      }).pipe(Effect.provide(w.layer))
    })
  }
})

describe("SessionMiddleware: failures of the view", () => {
  it.effect("a view failing with Http404 still saves its session change, as Django's converted 404 does", () =>
    Effect.gen(function*() {
      yield* atT0
      const view = Sessions.middleware(() =>
        Effect.zipRight(Sessions.set("a", 1), Effect.fail(new Errors.Http404({ message: "nope" })))
      )
      const response = yield* view(requestWith("sessionid", undefined))
      const server = yield* View.toServerResponse(response)
      expect(server.status).toBe(404)
      expect(server.headers["vary"]).toBe("Cookie")
      expect(Object.keys(server.cookies.cookies)).toEqual(["sessionid"])
    }).pipe(Effect.provide(world("db").layer)))

  it.effect("a view that dies answers 500: the session is not saved and no cookie is set (V26)", () => {
    const w = world("db")
    return Effect.gen(function*() {
      yield* atT0
      const view = Sessions.middleware(() => Effect.zipRight(Sessions.set("a", 1), Effect.die("boom")))
      const server = yield* View.toServerResponse(yield* view(requestWith("sessionid", undefined)))
      expect(server.status).toBe(500)
      expect(server.headers["vary"]).toBe("Cookie")
      expect(Object.keys(server.cookies.cookies)).toEqual([])
      expect(w.storage.rows.size).toBe(0)
    }).pipe(Effect.provide(w.layer))
  })

  it.effect("a store failure is a typed SessionStoreError (500); nothing stored is lost", () => {
    const broken: Sessions.Storage = {
      ...Sessions.memoryStorage(),
      engine: "broken",
      update: () => Effect.fail(new Sessions.SessionStoreError({ message: "database is down" })),
      insert: () => Effect.fail(new Sessions.SessionStoreError({ message: "database is down" }))
    }
    return Effect.gen(function*() {
      const view = Sessions.middleware(() => Effect.zipRight(Sessions.set("a", 1), HttpResponse.make({})))
      const result = yield* Effect.either(view(requestWith("sessionid", undefined)))
      expect(Either.isLeft(result) && result.left._tag).toBe("SessionStoreError")
      expect(Either.isLeft(result) && Errors.isDjangoError(result.left) && result.left.status).toBe(500)
    }).pipe(Effect.provide(Layer.merge(settingsLayer(), Sessions.layerStorage(broken))))
  })
})
