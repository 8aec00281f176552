/**
 * What `request.user` keeps between requests and within one, and that none of it is served
 * stale: the session auth hash is memoised per (password hash, SECRET_KEY), so Django 3.2's
 * rule that a changed password ends the user's other sessions (`get_user` flushes a session
 * whose hash no longer matches, V29) and that a new SECRET_KEY ends every session must hold
 * with the memo warm; and the lazy `request.user` (Django's `SimpleLazyObject`) loads once.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, FastCheck as fc, Fiber, Layer, Option, Redacted } from "effect"
import { readFileSync } from "node:fs"
import { Auth, Passwords, Sessions, Settings } from "../src/index.js"
import * as auth from "../src/internal/auth.js"
import * as authApi from "../src/internal/authApi.js"

const fixtures: {
  secret: string
  users: ReadonlyArray<Auth.UserFields & { password: string }>
  hashes: Record<string, readonly [string, string]>
} = JSON.parse(readFileSync(new URL("./fixtures/auth.json", import.meta.url), "utf8"))

const rows = (): Array<Auth.UserFields> =>
  fixtures.users.map((u) => ({ ...u, last_login: null, date_joined: new Date(Date.UTC(2020, 0, 1)) }))
const settingsWith = (secret: string) => Settings.layer({ SECRET_KEY: secret, ALLOWED_HOSTS: ["testserver"] })

/** user 7 logged in (the three keys of Django's `login`), the session saved; its key. */
const loggedIn = (hash: string) =>
  Effect.gen(function*() {
    const session = yield* Sessions.make()
    return yield* Effect.provideService(
      Effect.gen(function*() {
        yield* Sessions.set(Auth.SESSION_KEY, "7")
        yield* Sessions.set(Auth.BACKEND_SESSION_KEY, Auth.MODEL_BACKEND)
        yield* Sessions.set(Auth.HASH_SESSION_KEY, hash)
        yield* Sessions.save
        return Option.getOrThrow(yield* Sessions.sessionKey)
      }),
      Sessions.Session,
      session
    )
  })

/** `get_user` on a new request for the session `key`: the user's pk and what is left in the session. */
const nextRequest = (key: string) =>
  Effect.gen(function*() {
    const session = yield* Sessions.make(key)
    return yield* Effect.provideService(
      Effect.all({ pk: Effect.map(Auth.getUser, (u) => u.pk), items: Sessions.items }),
      Sessions.Session,
      session
    )
  })

describe("Auth: the memoised session auth hash is never stale", () => {
  it.effect(
    "Django 3.2: a changed password ends the session on the next request, with the hash memoised (V29)",
    () =>
      Effect.gen(function*() {
        const key = yield* loggedIn(fixtures.hashes["7"]![0])
        // The memo is warm: the same session reads as user 7 twice.
        expect((yield* nextRequest(key)).pk).toBe(7)
        expect((yield* nextRequest(key)).pk).toBe(7)
        const users = yield* Auth.Users
        yield* users.setPassword(7, yield* Passwords.makePassword("a new password", { salt: "newsalt123456" }))
        const after = yield* nextRequest(key)
        expect(after.pk).toBe(null)
        expect(after.items).toEqual([])
      }).pipe(
        Effect.provide(Layer.mergeAll(Sessions.layerMemory, Auth.layerMemory(rows()), settingsWith(fixtures.secret)))
      ),
    20000
  )

  it.effect("Django 3.2: a new SECRET_KEY ends every session, with the hash memoised under the old one", () =>
    Effect.gen(function*() {
      const key = yield* loggedIn(fixtures.hashes["7"]![0]).pipe(Effect.provide(settingsWith(fixtures.secret)))
      expect((yield* nextRequest(key).pipe(Effect.provide(settingsWith(fixtures.secret)))).pk).toBe(7)
      const rotated = yield* nextRequest(key).pipe(Effect.provide(settingsWith(`${fixtures.secret}-rotated`)))
      expect(rotated.pk).toBe(null)
      expect(rotated.items).toEqual([])
    }).pipe(Effect.provide(Layer.mergeAll(Sessions.layerMemory, Auth.layerMemory(rows())))))

  it("the memoised hashes are Passwords' own, for any password hash and secret, warm or cold", () =>
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.boolean(), (encoded, secret, redacted) => {
        const key = redacted ? Redacted.make(secret) : secret
        const sha256 = Passwords.getSessionAuthHash(encoded, secret)
        const sha1 = Passwords.getLegacySessionAuthHash(encoded, secret)
        for (let i = 0; i < 2; i++) {
          expect(authApi.sessionAuthHash(encoded, key)).toBe(sha256)
          expect(authApi.verifySessionAuthHash(sha256, encoded, key)).toBe(true)
          expect(authApi.verifySessionAuthHash(sha1, encoded, key)).toBe(true)
          expect(authApi.verifySessionAuthHash("", encoded, key)).toBe(false)
          expect(authApi.verifySessionAuthHash(sha256, `${encoded}x`, key)).toBe(false)
          expect(authApi.verifySessionAuthHash(sha256, encoded, `${secret}x`)).toBe(false)
        }
      })
    ))
})

describe("Auth: the lazy request.user (Django's SimpleLazyObject)", () => {
  it.effect("concurrent first reads load the user once", () =>
    Effect.gen(function*() {
      let loads = 0
      const gate = yield* Deferred.make<void>()
      const user = yield* Auth.makeRequestUser(
        Effect.zipRight(Deferred.await(gate), Effect.sync(() => (loads++, Auth.anonymousUser)))
      )
      const readers = yield* Effect.forkAll([user.get, user.get, user.get])
      yield* Deferred.succeed(gate, undefined)
      const read = yield* Fiber.join(readers)
      expect(loads).toBe(1)
      expect(read).toEqual([Auth.anonymousUser, Auth.anonymousUser, Auth.anonymousUser])
      expect(yield* user.loaded).toBe(true)
    }))

  it.effect("a user set while the first read is loading wins (login during a read)", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const alice = Auth.makeUser({ ...rows()[0]!, id: 42 })
      const user = yield* Auth.makeRequestUser(Effect.as(Deferred.await(gate), Auth.anonymousUser))
      expect(yield* user.loaded).toBe(false)
      const reader = yield* Effect.fork(user.get)
      yield* Effect.yieldNow()
      yield* user.set(alice)
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(reader)).toBe(alice)
      expect(yield* user.get).toBe(alice)
    }))

  it.effect("a first read interrupted while loading: the read that waited on it loads again", () =>
    Effect.gen(function*() {
      let loads = 0
      const never = yield* Deferred.make<void>()
      const alice = Auth.makeUser({ ...rows()[0]!, id: 42 })
      const user = yield* Auth.makeRequestUser(
        Effect.suspend((): Effect.Effect<Auth.AnyUser> =>
          ++loads === 1 ? Effect.as(Deferred.await(never), Auth.anonymousUser) : Effect.succeed(alice)
        )
      )
      const first = yield* Effect.fork(user.get)
      yield* Effect.yieldNow()
      const second = yield* Effect.fork(user.get)
      yield* Effect.yieldNow()
      expect(loads).toBe(1)
      yield* Fiber.interrupt(first)
      expect(yield* Fiber.join(second)).toBe(alice)
      expect(loads).toBe(2)
      expect(yield* user.get).toBe(alice)
    }))

  it.effect("a first read that fails: the read that waited on it loads again, and gets its own result", () =>
    Effect.gen(function*() {
      let loads = 0
      const gate = yield* Deferred.make<void>()
      const user = yield* Auth.makeRequestUser(
        Effect.suspend(() =>
          ++loads === 1
            ? Effect.zipRight(Deferred.await(gate), Effect.fail(new Auth.UsersError({ message: "down" })))
            : Effect.succeed(Auth.anonymousUser)
        )
      )
      const first = yield* Effect.fork(Effect.either(user.get))
      yield* Effect.yieldNow()
      const second = yield* Effect.fork(user.get)
      yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      expect((yield* Fiber.join(first))._tag).toBe("Left")
      expect(yield* Fiber.join(second)).toBe(Auth.anonymousUser)
      expect(loads).toBe(2)
    }))

  it.effect("a failed load is not kept: the next read loads again", () =>
    Effect.gen(function*() {
      let loads = 0
      const user = yield* Auth.makeRequestUser(
        Effect.suspend(() =>
          ++loads === 1 ? Effect.fail(new Auth.UsersError({ message: "down" })) : Effect.succeed(Auth.anonymousUser)
        )
      )
      expect((yield* Effect.either(user.get))._tag).toBe("Left")
      expect(yield* user.get).toBe(Auth.anonymousUser)
      expect(loads).toBe(2)
    }))
})

describe("Auth: the user row's datetimes, memoised", () => {
  // Django's SQLite text (`2026-01-01 00:00:00.000000`, `T` too, fractions of 0-6 digits) and texts
  // that are not datetimes: the memo answers what the parser answers, cold and warm, and every
  // answer is a Date of its own (a caller changing one changes no other user's).
  const text = fc.oneof(
    fc.tuple(
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 31 }),
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
      fc.string({ unit: fc.constantFrom("0", "1", "5", "9"), maxLength: 7 }),
      fc.constantFrom(" ", "T")
    ).map(([y, mo, d, h, mi, s, frac, sep]) => {
      const p2 = (n: number) => String(n).padStart(2, "0")
      return `${String(y).padStart(4, "0")}-${p2(mo)}-${p2(d)}${sep}${p2(h)}:${p2(mi)}:${p2(s)}${
        frac === "" ? "" : `.${frac}`
      }`
    }),
    fc.string()
  )

  it("parseDatetime equals the parser on any text, cold and warm, and returns a new Date each time", () => {
    auth.forgetParsedDatetimes()
    fc.assert(fc.property(text, (t) => {
      const expected = auth.parseDatetimeText(t)
      const cold = auth.parseDatetime(t)
      const warm = auth.parseDatetime(t)
      expect(cold?.getTime()).toEqual(expected?.getTime())
      expect(warm?.getTime()).toEqual(expected?.getTime())
      if (cold !== null && warm !== null) {
        expect(warm).not.toBe(cold)
        warm.setTime(0)
        expect(auth.parseDatetime(t)?.getTime()).toEqual(expected?.getTime())
      }
    }))
  })

  it("parseDatetime keeps a Date and null as they are", () => {
    const d = new Date(Date.UTC(2020, 0, 1))
    expect(auth.parseDatetime(d)).toBe(d)
    expect(auth.parseDatetime(null)).toBeNull()
    expect(auth.parseDatetime(undefined)).toBeNull()
  })
})
