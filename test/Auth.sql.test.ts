/**
 * Users in a real SQLite `auth_user` table (a temp file): Django 3.2's DDL, rows read and
 * written in Django's formats, authenticate/login/request.user, and 20 logins with PBKDF2 at
 * Django's full 260,000 iterations while a GET is served beside them; each on `Auth.layerSql`
 * (over @effect/sql) and on `Auth.layerSqlite` (better-sqlite3 directly).
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Fiber, Layer, Option } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { Auth, HttpResponse, Passwords, RequestFactory, Sessions, Settings } from "../src/index.js"
import { parseDatetime } from "../src/internal/auth.js"
import { sqliteDatetime } from "../src/internal/sessionStores.js"

const dir = mkdtempSync(join(tmpdir(), "auth-sql-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const SECRET = "auth-sql-secret"

/**
 * A fresh SQLite file with Django's tables, a session store and a user store on it, and a
 * `SqlClient` on the file to look at the rows: `layerSql` over that client, or `layerSqlite`
 * (each store on its own better-sqlite3 connection, the tables made by the layers).
 */
const worlds: Record<
  string,
  () => Layer.Layer<Auth.Users | Sessions.SessionStore | Settings.Settings | SqlClient.SqlClient, unknown>
> = {
  "Auth.layerSql": () => {
    const filename = join(dir, `db-${n++}.sqlite3`)
    const sql = SqliteClient.layer({ filename })
    const migrated = Layer.effectDiscard(Effect.zipRight(Auth.migrate, Sessions.migrate))
    return Layer.mergeAll(Auth.layerSql, Sessions.layerSql, migrated, Settings.layer({ SECRET_KEY: SECRET })).pipe(
      Layer.provideMerge(sql)
    )
  },
  "Auth.layerSqlite": () => {
    const filename = join(dir, `db-${n++}.sqlite3`)
    return Layer.mergeAll(
      Auth.layerSqlite({ filename }),
      Sessions.layerSqlite({ filename }),
      Settings.layer({ SECRET_KEY: SECRET })
    ).pipe(Layer.provideMerge(SqliteClient.layer({ filename })))
  }
}

/** One request through SessionMiddleware and AuthenticationMiddleware; the session cookie set. */
const request = <E, R>(cookie: string | undefined, body: Effect.Effect<unknown, E, R>) =>
  Effect.gen(function*() {
    const view = Sessions.middleware(Auth.middleware(() => Effect.zipRight(body, HttpResponse.make({ content: "ok" }))))
    const response = yield* view(
      RequestFactory.get("/", cookie === undefined ? {} : { cookies: { sessionid: cookie } })
    )
    if (!HttpResponse.isAnyResponse(response)) throw new Error("expected an HttpResponse")
    return response.cookies.find((c) => c.name === "sessionid")?.value
  })

describe("auth_user datetimes", () => {
  it("property: Django's SQLite text (naive UTC, microseconds) reads back as the instant written", () =>
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59.999Z"),
          noInvalidDate: true
        }),
        (d) => {
          expect(parseDatetime(sqliteDatetime(d))).toEqual(d)
        }
      )
    ))

  it("Django's other shapes: no fraction, six digits, a Date from PostgreSQL, NULL", () => {
    expect(parseDatetime("2021-03-04 05:06:07")).toEqual(new Date(Date.UTC(2021, 2, 4, 5, 6, 7)))
    expect(parseDatetime("2021-03-04 05:06:07.123456")).toEqual(new Date(Date.UTC(2021, 2, 4, 5, 6, 7, 123)))
    const d = new Date(0)
    expect(parseDatetime(d)).toBe(d)
    expect(parseDatetime(null)).toBeNull()
    expect(parseDatetime("not a date")).toBeNull()
    expect(parseDatetime("0050-02-03 04:05:06")).toEqual(new Date("0050-02-03T04:05:06Z"))
  })
})

for (const [name, world] of Object.entries(worlds)) {
  describe(`${name}: Django's auth_user on SQLite`, () => {
    it.effect("migrate creates auth_user with Django 3.2's DDL, once", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE name = 'auth_user'`
        expect(rows.map((r) => r.sql)).toEqual(Auth.DDL.sqlite)
        expect(yield* Auth.migrate).toBe(false)
      }).pipe(Effect.provide(world())))

    it.effect("create/find write and read Django's column formats (naive UTC datetimes, 0/1 booleans)", () =>
      Effect.gen(function*() {
        const users = yield* Auth.Users
        const created = yield* users.create({
          username: "Alice",
          password: "!unusable",
          is_staff: true,
          email: "a@example.com",
          date_joined: new Date(Date.UTC(2021, 2, 4, 5, 6, 7, 890))
        })
        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql<Record<string, unknown>>`SELECT * FROM auth_user WHERE id = ${created.id}`
        expect(row).toMatchObject({
          username: "Alice",
          is_staff: 1,
          is_active: 1,
          is_superuser: 0,
          last_login: null,
          date_joined: "2021-03-04 05:06:07.890000"
        })
        expect(Option.getOrThrow(yield* users.findByUsername("Alice"))).toEqual(created)
        // get_by_natural_key is an exact, case-sensitive match
        expect(yield* users.findByUsername("alice")).toEqual(Option.none())
        yield* users.setLastLogin(created.id, new Date(Date.UTC(2022, 0, 1)))
        const [after] = yield* sql<{ last_login: string }>`SELECT last_login FROM auth_user WHERE id = ${created.id}`
        expect(after?.last_login).toBe("2022-01-01 00:00:00")
        expect(Option.getOrThrow(yield* users.findById(created.id)).last_login).toEqual(new Date(Date.UTC(2022, 0, 1)))
        const dup = yield* Effect.either(users.create({ username: "Alice", password: "x" }))
        expect(Either.isLeft(dup) && dup.left._tag).toBe("UsersError")
      }).pipe(Effect.provide(world())))

    it.effect(
      "authenticate upgrades an outdated hash in the table; login then request.user on the next request",
      () =>
        Effect.gen(function*() {
          const users = yield* Auth.Users
          const old = yield* Passwords.makePassword("pw", {
            hasher: Passwords.pbkdf2Hasher({ algorithm: "pbkdf2_sha256", digest: "sha256", iterations: 1000 })
          })
          const bob = yield* users.create({ username: "bob", password: old })
          const found = Option.getOrThrow(yield* Auth.authenticate("bob", "pw"))
          const stored = Option.getOrThrow(yield* users.findById(bob.id)).password
          expect(stored.startsWith("pbkdf2_sha256$260000$")).toBe(true)
          expect(found.password).toBe(stored)
          const cookie = yield* request(undefined, Auth.login(found))
          expect(cookie).toBeDefined()
          const seen: Array<Auth.AnyUser> = []
          yield* request(cookie, Effect.map(Auth.user, (u) => seen.push(u)))
          expect(seen.map((u) => u.pk)).toEqual([bob.id])
          // A password changed elsewhere: the session hash no longer matches; the session is flushed.
          yield* users.setPassword(
            bob.id,
            yield* Passwords.makePassword("new", {
              hasher: Passwords.pbkdf2Hasher({ algorithm: "pbkdf2_sha256", digest: "sha256", iterations: 1 })
            })
          )
          yield* request(cookie, Effect.map(Auth.user, (u) => seen.push(u)))
          expect(seen.map((u) => u.pk)).toEqual([bob.id, null])
          const sql = yield* SqlClient.SqlClient
          expect(yield* sql`SELECT 1 FROM django_session WHERE session_key = ${cookie!}`).toEqual([])
        }).pipe(Effect.provide(world())),
      30000
    )

    it.live(
      "20 logins at once (PBKDF2, 260000 iterations, on the thread pool) while a GET answers within 50 ms",
      () =>
        Effect.gen(function*() {
          const users = yield* Auth.Users
          const encoded = yield* Passwords.makePassword("correct horse")
          expect(encoded.startsWith("pbkdf2_sha256$260000$")).toBe(true)
          for (let i = 0; i < 20; i++) yield* users.create({ username: `user${i}`, password: encoded })
          const logins = yield* Effect.fork(Effect.forEach(
            Array.from({ length: 20 }, (_, i) => i),
            (i) =>
              request(
                undefined,
                Effect.flatMap(Auth.authenticate(`user${i}`, "correct horse"), (u) => Auth.login(Option.getOrThrow(u)))
              ),
            { concurrency: "unbounded" }
          ))
          yield* Effect.sleep("20 millis")
          const started = performance.now()
          yield* request(undefined, Effect.void)
          const elapsed = performance.now() - started
          const stillRunning = Option.isNone(yield* Fiber.poll(logins))
          const cookies = yield* Fiber.join(logins)
          expect(stillRunning).toBe(true)
          expect(elapsed).toBeLessThan(50)
          expect(new Set(cookies).size).toBe(20)
        }).pipe(Effect.provide(world())),
      60000
    )
  })
}
