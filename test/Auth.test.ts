/**
 * Users against Django 3.2 (vectors from scripts/django/auth.py; V29-V33, V71 of
 * django-vectors-2.md): AnonymousUser, login's cycle-or-flush rule, get_user's checks,
 * authenticate (ModelBackend), logout, AuthenticationMiddleware's laziness, and the redirects of
 * login_required, user_passes_test and permission_required.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { readFileSync } from "node:fs"
import {
  Auth,
  AuthDecorators,
  Csrf,
  HttpResponse,
  RequestFactory,
  Sessions,
  Settings,
  type View
} from "../src/index.js"

type Pairs = ReadonlyArray<readonly [string, unknown]>
interface FixtureUser {
  id: number
  username: string
  password: string
  is_active: boolean
  is_staff: boolean
  is_superuser: boolean
  first_name: string
  last_name: string
  email: string
}
interface Fixtures {
  secret: string
  users: ReadonlyArray<FixtureUser>
  modelBackend: string
  sessionKeys: ReadonlyArray<string>
  anonymous: Record<string, unknown>
  userFlags: Record<string, unknown>
  hashes: Record<string, readonly [string, string]>
  login: ReadonlyArray<{
    name: string
    start: Pairs | null
    user: number
    data: Pairs
    key: "none" | "same" | "new"
    csrfRotated: boolean
    lastLoginSet: boolean
  }>
  getUser: ReadonlyArray<{ name: string; start: Pairs; user: number | null; data: Pairs; key: string }>
  authenticate: ReadonlyArray<{
    username: string | null
    password: string | null
    user: number | null
    backend: string | null
    upgraded: Record<string, readonly [string, string, number]>
  }>
  logout: { data: Pairs; key: string | null; user: string }
  lazy: readonly [boolean, boolean]
  loginRequired: ReadonlyArray<{
    path: string
    query: string | null
    host: string | null
    secure: boolean
    loginUrl: string | null
    field: string | null
    status: number
    location: string
  }>
  loginUrlSetting: { setting: string; location: string }
  permissionRequired: ReadonlyArray<{
    user: number | null
    raiseException: boolean
    perm: string | ReadonlyArray<string>
    status?: number
    location?: string | null
    error?: string
  }>
  userPassesTest: ReadonlyArray<{ user: number | null; status: number; location: string | null }>
}

const fixtures: Fixtures = JSON.parse(
  readFileSync(new URL("./fixtures/auth.json", import.meta.url), "utf8")
)
const settingsInput: Settings.Input = { SECRET_KEY: fixtures.secret, ALLOWED_HOSTS: ["testserver", "example.com"] }
const settings = Settings.make(settingsInput)
const rows = (): Array<Auth.UserFields> =>
  fixtures.users.map((u) => ({ ...u, last_login: null, date_joined: new Date(Date.UTC(2020, 0, 1)) }))
const userById = (id: number): Auth.AuthUser => Auth.makeUser(rows().find((u) => u.id === id)!)

/** `@hash7` / `@legacy7` in the fixture's start data stand for user 7's session auth hashes. */
const resolve = (v: unknown): unknown => {
  if (typeof v === "string" && v.startsWith("@hash")) return fixtures.hashes[v.slice(5)]![0]
  if (typeof v === "string" && v.startsWith("@legacy")) return fixtures.hashes[v.slice(7)]![1]
  return v
}

/** A store, the fixture's users and the settings; `program` runs with a fresh Session. */
const withWorld = <A, E>(
  program: Effect.Effect<A, E, Sessions.Session | Auth.Users | Sessions.SessionStore>
) =>
  Effect.gen(function*() {
    const session = yield* Sessions.make()
    return yield* Effect.provideService(program, Sessions.Session, session)
  }).pipe(
    Effect.provide(Layer.mergeAll(Sessions.layerMemory, Auth.layerMemory(rows()), Settings.layer(settingsInput)))
  )

/** Fills the session, saves it, and returns its key (Django: `session[k] = v; session.save()`). */
const prepare = (start: Pairs) =>
  Effect.gen(function*() {
    for (const [k, v] of start) yield* Sessions.set(k, resolve(v))
    yield* Sessions.save
    return Option.getOrNull(yield* Sessions.sessionKey)
  })

const keyRelation = (before: string | null, after: Option.Option<string>) =>
  Option.match(after, { onNone: () => "none", onSome: (k) => (k === before ? "same" : "new") })

describe("Auth: models", () => {
  it("Django 3.2: AnonymousUser's field values (V33)", () => {
    const a = Auth.anonymousUser
    const f = fixtures.anonymous
    expect([a.id, a.pk, a.username, a.is_staff, a.is_active, a.is_superuser, a.is_anonymous, a.is_authenticated])
      .toEqual([f.id, f.pk, f.username, f.is_staff, f.is_active, f.is_superuser, f.is_anonymous, f.is_authenticated])
    expect(Auth.userString(a)).toBe(f.str)
  })

  it("Django 3.2: a user's flags, str(), get_full_name(), get_short_name()", () => {
    const u = userById(7)
    const f = fixtures.userFlags
    expect([u.is_anonymous, u.is_authenticated, Auth.userString(u), u.username, Auth.fullName(u), Auth.shortName(u)])
      .toEqual([f.is_anonymous, f.is_authenticated, f.str, f.get_username, f.full_name, f.short_name])
    expect(Auth.isUser(u) && Auth.isAuthenticated(u)).toBe(true)
    expect(Auth.isAuthenticated(Auth.anonymousUser)).toBe(false)
  })

  it("Django 3.2: the session keys and the backend path login() writes", () => {
    expect([Auth.SESSION_KEY, Auth.BACKEND_SESSION_KEY, Auth.HASH_SESSION_KEY]).toEqual(fixtures.sessionKeys)
    expect(Auth.MODEL_BACKEND).toBe(fixtures.modelBackend)
  })
})

describe("Auth.login: Django 3.2's cycle-or-flush rule (V32)", () => {
  for (const c of fixtures.login) {
    it.effect(c.name, () =>
      withWorld(Effect.gen(function*() {
        const before = c.start === null ? null : yield* prepare(c.start)
        const loggedIn = yield* Auth.login(userById(c.user))
        expect(yield* Sessions.items).toEqual(c.data)
        expect(keyRelation(before, yield* Sessions.sessionKey)).toBe(c.key)
        const users = yield* Auth.Users
        const stored = yield* users.findById(c.user)
        expect(Option.getOrThrow(stored).last_login !== null).toBe(c.lastLoginSet)
        expect(loggedIn.last_login).toEqual(Option.getOrThrow(stored).last_login)
      })))
  }

  it.effect("login() rotates the CSRF token when the request has one (V32: csrf rotated)", () =>
    withWorld(Effect.gen(function*() {
      const seen: Array<Csrf.Snapshot> = []
      const view = Csrf.requiresCsrfToken(() =>
        Effect.gen(function*() {
          const first = yield* Csrf.getToken
          yield* Auth.login(userById(7))
          const after = yield* Csrf.snapshot
          seen.push(after)
          expect(Csrf.compareTokens(first, Option.getOrThrow(after.cookie))).toBe(false)
          return yield* HttpResponse.make({ content: "ok" })
        })
      )
      yield* view(RequestFactory.get("/", { settings }))
      expect(seen.map((s) => [s.used, s.needsReset])).toEqual(
        fixtures.login.filter((c) => c.name.startsWith("fresh")).map((c) => [c.csrfRotated, true])
      )
    })))
})

describe("Auth.getUser: Django 3.2's get_user() (V29, V32)", () => {
  for (const c of fixtures.getUser) {
    it.effect(c.name, () =>
      withWorld(Effect.gen(function*() {
        const before = yield* prepare(c.start)
        // A new request: the same key, nothing loaded.
        const session = yield* Sessions.make(before ?? undefined)
        const { items, key, user } = yield* Effect.provideService(
          Effect.all({ user: Auth.getUser, items: Sessions.items, key: Sessions.sessionKey }),
          Sessions.Session,
          session
        )
        expect(user.pk).toBe(c.user)
        expect(items).toEqual(c.data)
        expect(keyRelation(before, key)).toBe(c.key)
      })))
  }
})

describe("Auth.authenticate: Django 3.2's ModelBackend", () => {
  for (const c of fixtures.authenticate) {
    it.effect(`${JSON.stringify(c.username)} / ${JSON.stringify(c.password)}`, () =>
      withWorld(Effect.gen(function*() {
        const found = yield* Auth.authenticate(c.username, c.password)
        expect(Option.getOrNull(Option.map(found, (u) => u.id))).toBe(c.user)
        const users = yield* Auth.Users
        const upgraded: Record<string, readonly [string, string, number]> = {}
        for (const row of rows()) {
          const now = Option.getOrThrow(yield* users.findById(row.id))
          if (now.password !== row.password) {
            const [alg, iterations, salt] = now.password.split("$")
            upgraded[String(row.id)] = [alg!, iterations!, salt!.length]
          }
        }
        expect(upgraded).toEqual(c.upgraded)
        // The user returned carries the new hash, so that login() stores its session hash.
        if (Option.isSome(found) && c.upgraded[String(c.user)] !== undefined) {
          expect(found.value.password).toBe(Option.getOrThrow(yield* users.findById(found.value.id)).password)
        }
      })), 20000)
  }
})

describe("Auth.logout and AuthenticationMiddleware", () => {
  it.effect("Django 3.2: logout() flushes the session and leaves AnonymousUser (V33)", () =>
    withWorld(Effect.gen(function*() {
      yield* prepare([["cart", [1]], ["_auth_user_id", "7"], ["_auth_user_backend", fixtures.modelBackend], [
        "_auth_user_hash",
        "@hash7"
      ]])
      const view = Auth.middleware(() =>
        Effect.gen(function*() {
          expect((yield* Auth.user).pk).toBe(7)
          yield* Auth.logout
          const after = yield* Auth.user
          return yield* HttpResponse.make({ content: after._tag })
        })
      )
      const response = yield* view(RequestFactory.get("/"))
      expect(HttpResponse.isHttpResponse(response) && HttpResponse.text(response)).toBe(fixtures.logout.user)
      expect(yield* Sessions.items).toEqual(fixtures.logout.data)
      expect(Option.getOrNull(yield* Sessions.sessionKey)).toBe(fixtures.logout.key)
    })))

  it.effect("Django 3.2: the session is only touched when request.user is first read (V71)", () =>
    withWorld(Effect.gen(function*() {
      const seen: Array<boolean> = []
      const view = Auth.middleware(() =>
        Effect.gen(function*() {
          seen.push(yield* Sessions.accessed)
          const u = yield* Auth.user
          seen.push(yield* Sessions.accessed)
          expect(u.is_authenticated).toBe(false)
          expect(yield* Auth.user).toBe(u)
          return yield* HttpResponse.make({ content: "" })
        })
      )
      yield* view(RequestFactory.get("/"))
      expect(seen).toEqual(fixtures.lazy)
    })))

  it.effect("login() replaces request.user for the rest of the request", () =>
    withWorld(Effect.gen(function*() {
      const view = Auth.middleware(() =>
        Effect.gen(function*() {
          expect((yield* Auth.user).is_authenticated).toBe(false)
          yield* Auth.login(userById(8))
          expect((yield* Auth.user).pk).toBe(8)
          return yield* HttpResponse.make({ content: "" })
        })
      )
      yield* view(RequestFactory.get("/"))
    })))
})

const ok = () => HttpResponse.make({ content: "ok" })
const withUser =
  (id: number | null) =>
  <E>(view: View.View<E, Auth.RequestUser>) =>
  (request: ReturnType<typeof RequestFactory.get>) =>
    Effect.flatMap(
      Auth.makeRequestUser(Effect.succeed<Auth.AnyUser>(id === null ? Auth.anonymousUser : userById(id))),
      (u) => Effect.provideService(view(request), Auth.User, u)
    ).pipe(Effect.provide(Settings.layer(settingsInput)))

const outcome = (effect: Effect.Effect<unknown, unknown>) =>
  Effect.map(
    Effect.either(effect),
    (e): Record<string, unknown> =>
      e._tag === "Left"
        ? { error: (e.left as { _tag: string })._tag }
        : HttpResponse.isHttpResponse(e.right)
        ? { status: e.right.status, location: Option.getOrNull(HttpResponse.getHeader(e.right, "Location")) }
        : { status: -1 }
  )

describe("Auth decorators: Django 3.2's login_required and friends", () => {
  for (const c of fixtures.loginRequired) {
    const name = `${c.path}${c.query === null ? "" : "?" + c.query} host=${c.host} secure=${c.secure} login_url=${
      JSON.stringify(c.loginUrl)
    } field=${JSON.stringify(c.field)}`
    it.effect(name, () =>
      Effect.gen(function*() {
        const request = RequestFactory.get(c.path + (c.query === null ? "" : "?" + c.query), {
          secure: c.secure,
          settings,
          ...(c.host === null ? {} : { headers: { Host: c.host } })
        })
        const options: AuthDecorators.TestOptions = {
          ...(c.loginUrl === null ? {} : { loginUrl: c.loginUrl }),
          ...(c.field === null ? {} : { redirectFieldName: c.field })
        }
        const result = yield* outcome(withUser(null)(AuthDecorators.loginRequired(ok, options))(request))
        expect(result).toEqual({ status: c.status, location: c.location })
      }))
  }

  it.effect("LOGIN_URL is read from the settings", () =>
    Effect.gen(function*() {
      const input = { ...settingsInput, LOGIN_URL: fixtures.loginUrlSetting.setting }
      const request = RequestFactory.get("/x/?y=1", { settings: Settings.make(input) })
      const u = yield* Auth.makeRequestUser(Effect.succeed<Auth.AnyUser>(Auth.anonymousUser))
      const response = yield* AuthDecorators.loginRequired(ok)(request).pipe(
        Effect.provideService(Auth.User, u),
        Effect.provide(Settings.layer(input))
      )
      expect(HttpResponse.isHttpResponse(response) && HttpResponse.getHeader(response, "Location")).toEqual(
        Option.some(fixtures.loginUrlSetting.location)
      )
    }))

  for (const c of fixtures.permissionRequired) {
    it.effect(`permission_required(${JSON.stringify(c.perm)}, raise_exception=${c.raiseException}) user=${c.user}`, () =>
      Effect.gen(function*() {
        const view = AuthDecorators.permissionRequired(c.perm, { raiseException: c.raiseException })(ok)
        const result = yield* outcome(withUser(c.user)(view)(RequestFactory.get("/edit/?id=3", { settings })))
        const expected = c.error !== undefined
          ? { error: c.error }
          : { status: c.status, location: c.location ?? null }
        expect(result).toEqual(expected)
      }))
  }

  it.effect("permission_required with a permission check the app provides", () =>
    Effect.gen(function*() {
      const view = AuthDecorators.permissionRequired(["app.view_thing", "app.change_thing"])(ok)
      const grants = Auth.Permissions.of({
        hasPerm: (u, perm) => Effect.succeed(u.pk === 7 && perm.startsWith("app."))
      })
      const run = (id: number | null) =>
        outcome(Effect.provideService(
          withUser(id)(view)(RequestFactory.get("/edit/", { settings })),
          Auth.Permissions,
          grants
        ))
      expect(yield* run(7)).toEqual({ status: 200, location: null })
      expect(yield* run(9)).toEqual({ status: 302, location: "/accounts/login/?next=/edit/" })
    }))

  for (const c of fixtures.userPassesTest) {
    it.effect(`user_passes_test(is_staff) user=${c.user}`, () =>
      Effect.gen(function*() {
        const view = AuthDecorators.userPassesTest((u) => u.is_staff)(ok)
        const result = yield* outcome(withUser(c.user)(view)(RequestFactory.get("/staff/", { settings })))
        expect(result).toEqual({ status: c.status, location: c.location })
      }))
  }
})
