/**
 * `AuthenticationMiddleware`'s lazy `request.user` loads the user with its layer's session, user
 * store and settings read straight from that layer's context (no context provided around the
 * load). Property: for any session a request may carry (the three auth keys present or not, of
 * the right or wrong type, a backend Django knows or not, the right, legacy or wrong hash, an
 * active or inactive user, other keys beside them), the user it gives, the session data left
 * and whether the key survives are what the general path gives: Django 3.2's `get_user()`
 * (`Auth.getUser`, reading the fiber's context), as `test/Auth.test.ts` pins it on the
 * fixtures of scripts/django/auth.py.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer, Option } from "effect"
import { readFileSync } from "node:fs"
import { Auth, HttpResponse, RequestFactory, Sessions, Settings } from "../src/index.js"

/** A user of the fixture: `auth_user`'s columns but the two dates. */
type FixtureUser = Omit<Auth.UserFields, "last_login" | "date_joined">
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/auth.json", import.meta.url), "utf8")) as {
  readonly secret: string
  readonly users: ReadonlyArray<FixtureUser>
  readonly modelBackend: string
  readonly hashes: Record<string, readonly [string, string]>
}
const settingsInput: Settings.Input = { SECRET_KEY: fixtures.secret, ALLOWED_HOSTS: ["testserver"] }
const settings = Settings.make(settingsInput)
const rows = (): Array<Auth.UserFields> =>
  fixtures.users.map((u) => ({ ...u, last_login: null, date_joined: new Date(Date.UTC(2020, 0, 1)) }))
const ids = fixtures.users.map((u) => u.id)

/** A key's value, or `ABSENT` (the key not in the session). */
const ABSENT: unique symbol = Symbol("absent")
const absentOr = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<A | typeof ABSENT> => fc.option(arb, { nil: ABSENT })

/** The session a request may carry: the auth keys in any state, other keys around them. */
const start: fc.Arbitrary<ReadonlyArray<readonly [string, unknown]>> = fc.record({
  id: absentOr(
    fc.oneof(fc.constantFrom(...ids), fc.constantFrom(...ids).map(String), fc.constantFrom(99, "x", "", null))
  ),
  backend: absentOr(fc.constantFrom(fixtures.modelBackend, "other.Backend", 7)),
  // "@right" / "@legacy": the session auth hash (sha256 / legacy sha1) of the user of `id`.
  hash: absentOr(fc.oneof(
    fc.constantFrom("@right", "@legacy"),
    fc.constantFrom(...ids).map((id) => fixtures.hashes[String(id)]?.[0] ?? "none"),
    fc.constantFrom("", "wrong", 1)
  )),
  extra: fc.array(fc.tuple(fc.constantFrom("cart", "n", "_auth_user_idx"), fc.jsonValue()), { maxLength: 3 }),
  order: fc.boolean()
}).map(({ backend, extra, hash, id, order }) => {
  const auth: Array<readonly [string, unknown]> = []
  if (id !== ABSENT) auth.push([Auth.SESSION_KEY, id])
  if (backend !== ABSENT) auth.push([Auth.BACKEND_SESSION_KEY, backend])
  if (hash !== ABSENT) {
    const of = fixtures.hashes[String(id)]
    const value = hash === "@right" ? of?.[0] ?? "none" : hash === "@legacy" ? of?.[1] ?? "none" : hash
    auth.push([Auth.HASH_SESSION_KEY, value])
  }
  return order ? [...extra, ...auth] : [...auth, ...extra]
})

interface Seen {
  readonly pk: unknown
  readonly items: ReadonlyArray<readonly [string, unknown]>
  readonly kept: boolean
}

/** A fresh store with the users; `start` saved as a session; `read` run on a new request's session of that key. */
const inWorld = (
  data: ReadonlyArray<readonly [string, unknown]>,
  read: (session: Sessions.Session) => Effect.Effect<Seen, unknown, Auth.Users | Sessions.SessionStore>
) =>
  Effect.gen(function*() {
    const first = yield* Sessions.make()
    const key = yield* Effect.provideService(
      Effect.gen(function*() {
        for (const [k, v] of data) yield* Sessions.set(k, v)
        yield* Sessions.save
        return Option.getOrNull(yield* Sessions.sessionKey)
      }),
      Sessions.Session,
      first
    )
    return yield* read(yield* Sessions.make(key ?? undefined))
  }).pipe(
    Effect.provide(Layer.mergeAll(Sessions.layerMemory, Auth.layerMemory(rows()), Settings.layer(settingsInput)))
  )

const readAll = Effect.all({ user: Auth.user, items: Sessions.items, key: Sessions.sessionKey })

/** The general path: `Auth.getUser` in the fiber's context, the session provided. */
const general = (session: Sessions.Session) =>
  Effect.provideService(
    Effect.map(
      Effect.all({ user: Auth.getUser, items: Sessions.items, key: Sessions.sessionKey }),
      ({ items, key, user }): Seen => ({ pk: user.pk, items, kept: Option.isSome(key) })
    ),
    Sessions.Session,
    session
  )

/** The middleware's lazy user, read in a view. */
const lazy = (session: Sessions.Session) =>
  Effect.gen(function*() {
    let seen: Seen | undefined
    const view = Auth.middleware(() =>
      Effect.flatMap(readAll, ({ items, key, user }) => {
        seen = { pk: user.pk, items, kept: Option.isSome(key) }
        return HttpResponse.make({ content: "ok" })
      })
    )
    yield* Effect.provideService(view(RequestFactory.get("/", { settings })), Sessions.Session, session)
    return seen!
  })

describe("Auth.middleware's lazy user (property)", () => {
  let signedIn = 0
  it.effect("gives what Auth.getUser gives for any session: the user, the data left, the key kept or not", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(start, async (data) => {
          const expected = await Effect.runPromise(inWorld(data, general))
          const actual = await Effect.runPromise(inWorld(data, lazy))
          expect(actual).toEqual(expected)
          if (expected.pk !== null) signedIn++
        }),
        { numRuns: 200 }
      )
    ).pipe(Effect.map(() => expect(signedIn).toBeGreaterThan(0))))

  it.effect("the load reads the session of the middleware's layer, not one a view provides around the read", () =>
    Effect.gen(function*() {
      const signedIn = [
        [Auth.SESSION_KEY, "7"],
        [Auth.BACKEND_SESSION_KEY, fixtures.modelBackend],
        [Auth.HASH_SESSION_KEY, fixtures.hashes["7"]![0]]
      ] as const
      const seen = yield* inWorld(signedIn, (session) =>
        Effect.gen(function*() {
          // An empty session provided around the first read: the user still comes from the
          // session the middleware was called with (Django: `request.user` is bound to `request`).
          const other = yield* Sessions.make()
          let pk: unknown
          const view = Auth.middleware(() =>
            Effect.flatMap(Effect.provideService(Auth.user, Sessions.Session, other), (user) => {
              pk = user.pk
              return HttpResponse.make({ content: "ok" })
            })
          )
          yield* Effect.provideService(view(RequestFactory.get("/", { settings })), Sessions.Session, session)
          return { pk, items: [], kept: true }
        }))
      expect(seen.pk).toBe(7)
    }))

  it.effect("the fixture's signed-in session gives user 7 on both paths (the property is not vacuous)", () =>
    Effect.gen(function*() {
      const data = [
        [Auth.SESSION_KEY, "7"],
        [Auth.BACKEND_SESSION_KEY, fixtures.modelBackend],
        [Auth.HASH_SESSION_KEY, fixtures.hashes["7"]![0]]
      ] as const
      expect((yield* inWorld(data, general)).pk).toBe(7)
      expect((yield* inWorld(data, lazy)).pk).toBe(7)
      // A wrong hash: AnonymousUser and the session flushed, on both paths.
      const wrong = [data[0], data[1], [Auth.HASH_SESSION_KEY, "wrong"]] as const
      for (const path of [general, lazy]) {
        const seen = yield* inWorld(wrong, path)
        expect([seen.pk, seen.items]).toEqual([null, []])
      }
    }))
})
