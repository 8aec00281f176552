/**
 * `Sessions.layerSqlite` and `Auth.layerSqlite`, the stores on a better-sqlite3 connection of
 * their own (real SQLite files in a temp directory): the same rows as `layerSql` over
 * `@effect/sql-sqlite-node` (Django's `django_session` row, V18; `auth_user` in Django's SQLite
 * formats), read and written by each other on one file; a write while another connection holds
 * the write lock waits on the Effect clock (not the thread) and goes through once the lock is
 * released, or fails after 5 s; a statement that fails (a table gone under the running layer, a
 * lock held too long) is the store's typed error and, through the handler, Django's 500; a file that cannot be opened fails the layer with the typed error;
 * the connection is closed when the layer's scope closes. The stores' scenarios (racing saves,
 * expiry, `clearsessions`) run on `layerSqlite` in `Sessions.stores.test.ts`, and the users' in
 * `Auth.sql.test.ts`.
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Context, Effect, Either, FastCheck as fc, Fiber, Layer, Option, TestClock } from "effect"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import {
  Auth,
  Client,
  Handler,
  HttpResponse,
  Middleware,
  RequestFactory,
  Sessions,
  Settings,
  Urls
} from "../src/index.js"
import type { Storage } from "../src/internal/sessions.js"
import { sql as sqlStorage } from "../src/internal/sessionStores.js"
import * as sqlite from "../src/internal/sqliteStores.js"
import { expectDjangoRow, SECRET, T0 } from "./utils/sessionRow.js"

const settings = Settings.layer({ SECRET_KEY: SECRET })

const dir = mkdtempSync(join(tmpdir(), "sqlite-stores-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const sqliteFile = () => join(dir, `db-${++files}.sqlite3`)

/** One request through SessionMiddleware with the session cookie `cookie`; the view's ops run inside. */
const request = <E, R>(cookie: string | undefined, ops: Effect.Effect<unknown, E, R>) =>
  Effect.gen(function*() {
    const view = Sessions.middleware(() => Effect.zipRight(ops, HttpResponse.make({ content: "ok" })))
    const result = yield* Effect.either(
      view(RequestFactory.get("/", cookie === undefined ? {} : { cookies: { sessionid: cookie } }))
    )
    if (Either.isLeft(result)) return { error: result.left, cookie: undefined } as const
    const response = result.right
    if (!HttpResponse.isAnyResponse(response)) throw new Error("expected an HttpResponse")
    return { error: undefined, cookie: response.cookies.find((c) => c.name === "sessionid")?.value } as const
  })

const withUser = Middleware.compose(Sessions.middleware, Auth.middleware)

/** A site with Django's session and authentication middleware; its view shows the user and `n`. */
const site = Handler.make({
  middleware: withUser,
  urls: Urls.make([
    Urls.path("", () =>
      Effect.gen(function*() {
        const user = yield* Auth.user
        const n = yield* Sessions.get("n")
        return yield* HttpResponse.make({ content: `${Auth.userString(user)} ${JSON.stringify(Option.getOrNull(n))}` })
      }))
  ])
})

/** A site whose one page logs `user` in. */
const loginSite = (user: Auth.AuthUser) =>
  Handler.make({
    middleware: withUser,
    urls: Urls.make([Urls.path("", () => Effect.zipRight(Auth.login(user), HttpResponse.make({})))])
  })

/** A GET of `/` through the test client, with the session cookie `cookie`. */
const get = <R>(handler: Handler.Handler<R>, cookie?: string | undefined) =>
  Effect.gen(function*() {
    const client = yield* Client.make(handler)
    if (cookie !== undefined) yield* client.setCookie("sessionid", cookie)
    return yield* client.get("/")
  })

/** `ops` on the stored session `cookie`, outside any request. */
const inSession = <A, E, R>(cookie: string, ops: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Sessions.make(cookie), (session) => Effect.provideService(ops, Sessions.Session, session))

/** A statement on the file from another connection (as another process would run it). */
const onFile = <A>(filename: string, f: (db: Database.Database) => A): A => {
  const db = new Database(filename)
  try {
    return f(db)
  } finally {
    db.close()
  }
}

/**
 * A `layerSqlite` session store on a fresh file (with `beside`, e.g. a user store, built with it),
 * `inStore` to run an effect on it, and one session saved there (`n` = 1).
 */
const storeWithSession = <ROut, E>(beside: Layer.Layer<ROut, E>) =>
  Effect.gen(function*() {
    const filename = sqliteFile()
    const store = yield* Layer.build(Layer.merge(Sessions.layerSqlite({ filename }), beside))
    const inStore = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.provide(effect, Layer.merge(Layer.succeedContext(store), settings))
    const first = yield* inStore(request(undefined, Sessions.set("n", 1)))
    expect(first.error).toBeUndefined()
    return { filename, inStore, first }
  })

/** Another connection to the file that takes the write lock (`BEGIN IMMEDIATE`) and holds it. */
const lockFile = (filename: string) => {
  const holder = new Database(filename)
  holder.exec("BEGIN IMMEDIATE")
  return holder
}

/** `table` renamed away on the file by another connection while `whileGone` runs, then put back. */
const withTableGone = <A, E, R>(filename: string, table: string, whileGone: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => onFile(filename, (db) => db.exec(`ALTER TABLE ${table} RENAME TO ${table}_away`))),
    () => whileGone,
    () => Effect.sync(() => onFile(filename, (db) => db.exec(`ALTER TABLE ${table}_away RENAME TO ${table}`)))
  )

describe("Sessions.layerSqlite: the django_session rows of layerSql", () => {
  it.effect("the row it writes is Django's (V18), and the one layerSql would write", () => {
    const filename = sqliteFile()
    return Effect.gen(function*() {
      // The same check as `Sessions.stores.test.ts`'s `layerSql` row.
      yield* expectDjangoRow((cookie, ops) => Effect.provide(request(cookie, ops), Sessions.layerSqlite({ filename })))
      const sql = yield* SqlClient.SqlClient
      // Django's DDL (V19), made by the layer: `migrate` over the client finds it.
      expect(yield* Sessions.migrate).toBe(false)
      const ddl = yield* sql<
        { sql: string }
      >`SELECT sql FROM sqlite_master WHERE tbl_name = 'django_session' AND sql IS NOT NULL ORDER BY type DESC`
      expect(ddl.map((d) => d.sql)).toEqual([...Sessions.DDL.sqlite])
    }).pipe(Effect.provide(Layer.merge(SqliteClient.layer({ filename }), settings)))
  })

  it.effect("layerSqlite and layerSql over SqliteClient share one file: each reads and changes the other's rows", () => {
    const filename = sqliteFile()
    return Effect.gen(function*() {
      const direct = yield* Layer.build(Sessions.layerSqlite({ filename }))
      const client = yield* Layer.build(
        Layer.provide(
          Layer.merge(Sessions.layerSql, Layer.effectDiscard(Sessions.migrate)),
          SqliteClient.layer({ filename })
        )
      )
      const on = (store: Context.Context<Sessions.SessionStore>) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.provide(effect, Layer.merge(Layer.succeedContext(store), settings))
      const first = yield* on(direct)(request(undefined, Sessions.set("cart", [1, 2])))
      const second = yield* on(client)(
        request(first.cookie, Effect.flatMap(Sessions.getOrFail("cart"), (cart) => Sessions.set("seen", cart)))
      )
      expect(second.error).toBeUndefined()
      const third = yield* on(direct)(request(first.cookie, Effect.map(Sessions.items, (items) => items)))
      expect(third.error).toBeUndefined()
      const read = (store: Context.Context<Sessions.SessionStore>) =>
        on(store)(
          Effect.flatMap(
            Sessions.make(first.cookie),
            (session) => Effect.provideService(Sessions.items, Sessions.Session, session)
          )
        )
      expect(yield* read(direct)).toEqual([["cart", [1, 2]], ["seen", [1, 2]]])
      expect(yield* read(client)).toEqual([["cart", [1, 2]], ["seen", [1, 2]]])
      // A logout through one is seen by the other; a new session by the other is seen by the one.
      yield* on(client)(request(first.cookie, Sessions.flush))
      expect(yield* on(direct)(Effect.flatMap(Sessions.SessionStore, (s) => s.exists(first.cookie!)))).toBe(false)
      const fresh = yield* on(client)(request(undefined, Sessions.set("n", 7)))
      expect(yield* on(direct)(Effect.flatMap(Sessions.SessionStore, (s) => s.exists(fresh.cookie!)))).toBe(true)
      // clearExpired through either one deletes what the other wrote.
      yield* TestClock.setTime(Date.now() + 15 * 86_400_000)
      expect(yield* on(direct)(Sessions.clearExpired)).toBe(1)
      expect(yield* on(client)(Effect.flatMap(Sessions.SessionStore, (s) => s.exists(fresh.cookie!)))).toBe(false)
    }).pipe(Effect.scoped)
  })
})

describe("Sessions.layerSqlite's storage against layerSql's, op by op", () => {
  type Op =
    | { readonly op: "load"; readonly key: string; readonly at: number }
    | { readonly op: "exists"; readonly key: string }
    | { readonly op: "insert" | "update"; readonly key: string; readonly value: string; readonly at: number }
    | { readonly op: "delete"; readonly key: string }
    | { readonly op: "clearExpired"; readonly at: number }
  // Few keys and instants, so that ops meet: taken keys, missing rows, expiry on the boundary.
  const key = fc.constantFrom("k1", "k2", "k3")
  const at = fc.constantFrom(T0, T0 + 1, T0 + 1500, T0 + 60_000)
  const ops = fc.array(
    fc.oneof(
      fc.record({ op: fc.constant("load" as const), key, at }),
      fc.record({ op: fc.constant("exists" as const), key }),
      fc.record({ op: fc.constantFrom("insert" as const, "update" as const), key, value: fc.string(), at }),
      fc.record({ op: fc.constant("delete" as const), key }),
      fc.record({ op: fc.constant("clearExpired" as const), at })
    ),
    { maxLength: 25 }
  )
  const run = (storage: Storage, op: Op): Effect.Effect<unknown, Sessions.SessionStoreError> => {
    switch (op.op) {
      case "load":
        return storage.load(op.key, new Date(op.at))
      case "exists":
        return storage.exists(op.key)
      case "insert":
      case "update":
        return storage[op.op](op.key, op.value, { date: new Date(op.at), age: 0 })
      case "delete":
        return storage.delete(op.key)
      case "clearExpired":
        return storage.clearExpired(new Date(op.at))
    }
  }

  it.effect("property: every op gives the same result, and the two tables hold the same rows", () =>
    Effect.gen(function*() {
      const first = sqliteFile()
      const second = sqliteFile()
      const db = yield* sqlite.open(first)
      yield* Effect.sync(() => sqlite.createTable(db, "django_session", Sessions.DDL.sqlite))
      const direct = sqlite.sessionStorage(db)
      const context = yield* Layer.build(SqliteClient.layer({ filename: second }))
      yield* Effect.provide(Sessions.migrate, context)
      const client = Context.get(context, SqlClient.SqlClient)
      const overSql = sqlStorage(client)
      const rows = (filename: string) =>
        onFile(filename, (d) => d.prepare("SELECT * FROM django_session ORDER BY session_key").all())
      fc.assert(
        fc.property(ops, (list) => {
          Effect.runSync(Effect.all([direct.clearExpired(new Date(8e15)), overSql.clearExpired(new Date(8e15))]))
          for (const op of list) {
            expect(Effect.runSync(run(direct, op))).toEqual(Effect.runSync(run(overSql, op)))
          }
          expect(rows(first)).toEqual(rows(second))
        }),
        { numRuns: 100 }
      )
    }).pipe(Effect.scoped))
})

describe("Sessions.layerSqlite: failures are typed, never a crash", () => {
  it.effect("a table gone under the running layer: SessionStoreError (500), through the handler 500; back when it is", () =>
    Effect.gen(function*() {
      const { filename, first, inStore } = yield* storeWithSession(Auth.layerMemory())
      yield* withTableGone(
        filename,
        "django_session",
        Effect.gen(function*() {
          const failed = yield* inStore(Effect.either(
            Effect.flatMap(
              Sessions.make(first.cookie),
              (session) => Effect.provideService(Sessions.get("n"), Sessions.Session, session)
            )
          ))
          expect(Either.isLeft(failed) && failed.left._tag).toBe("SessionStoreError")
          if (Either.isLeft(failed) && failed.left._tag === "SessionStoreError") {
            expect(failed.left.status).toBe(500)
            // As `layerSql` reports it: the statement's `SqlError`, its cause SQLite's own error.
            expect(failed.left.message).toBe(
              "Session store (database) failed to load the session: Failed to execute statement"
            )
            const cause = failed.left.cause as { _tag: string; cause: Error }
            expect(cause._tag).toBe("SqlError")
            expect(cause.cause.message).toContain("no such table: django_session")
          }
          const answered = yield* inStore(get(site, first.cookie))
          expect(answered.status).toBe(500)
          // A new session's save fails the same way (the INSERT), answered with 500 too.
          const creating = Handler.make({
            middleware: Sessions.middleware,
            urls: Urls.make([Urls.path("", () => Effect.zipRight(Sessions.set("a", 1), HttpResponse.make({})))])
          })
          expect((yield* inStore(get(creating))).status).toBe(500)
        })
      )
      const back = yield* inStore(get(site, first.cookie))
      expect(back.status).toBe(200)
      expect(back.text).toBe("AnonymousUser 1")
    }).pipe(Effect.scoped))

  it.effect("a write lock held by another connection: the save waits without blocking the thread, then goes through", () =>
    Effect.gen(function*() {
      const { filename, first, inStore } = yield* storeWithSession(Layer.empty)
      // Another connection of this process takes the write lock (an app's transaction whose
      // fiber yielded between two statements).
      const holder = lockFile(filename)
      holder.prepare("UPDATE django_session SET expire_date = expire_date").run()
      const saving = yield* Effect.fork(inStore(request(first.cookie, Sessions.set("n", 2))))
      // The save is waiting on the Effect clock: this fiber runs on meanwhile, and reads go on (WAL).
      yield* TestClock.adjust("100 millis")
      expect(Option.isNone(yield* Fiber.poll(saving))).toBe(true)
      expect(yield* inStore(inSession(first.cookie!, Sessions.get("n")))).toEqual(Option.some(1))
      holder.exec("COMMIT")
      holder.close()
      yield* TestClock.adjust("100 millis")
      const saved = yield* Fiber.join(saving)
      expect(saved.error).toBeUndefined()
      expect(yield* inStore(inSession(first.cookie!, Sessions.get("n")))).toEqual(Option.some(2))
    }).pipe(Effect.scoped))

  it.effect("a write lock held for longer than 5 s: SessionStoreError (500), nothing changed", () =>
    Effect.gen(function*() {
      const { filename, first, inStore } = yield* storeWithSession(Layer.empty)
      const holder = lockFile(filename)
      const saving = yield* Effect.fork(inStore(request(first.cookie, Sessions.set("n", 2))))
      yield* TestClock.adjust("4900 millis")
      expect(Option.isNone(yield* Fiber.poll(saving))).toBe(true)
      yield* TestClock.adjust("200 millis")
      const saved = yield* Fiber.join(saving)
      holder.exec("ROLLBACK")
      holder.close()
      expect(saved.error?._tag).toBe("SessionStoreError")
      expect(saved.error?._tag === "SessionStoreError" && saved.error.message).toBe(
        "Session store (database) failed to save the session: Failed to execute statement"
      )
      expect(saved.error?._tag === "SessionStoreError" && saved.error.status).toBe(500)
      const cause = saved.error?._tag === "SessionStoreError"
        ? saved.error.cause as { cause: { code: string } }
        : undefined
      expect(cause?.cause.code).toBe("SQLITE_BUSY")
      expect(yield* inStore(inSession(first.cookie!, Sessions.get("n")))).toEqual(Option.some(1))
    }).pipe(Effect.scoped))

  it.effect("a file that cannot be opened as SQLite fails the layer: SessionStoreError (500)", () =>
    Effect.gen(function*() {
      const notADatabase = join(dir, "not-a-database.sqlite3")
      writeFileSync(notADatabase, "this is not a SQLite database, but it is long enough to have a header".repeat(10))
      for (const filename of [join(dir, "missing-dir", "db.sqlite3"), notADatabase]) {
        const result = yield* Effect.either(Effect.scoped(Layer.build(Sessions.layerSqlite({ filename }))))
        expect(Either.isLeft(result) && result.left._tag).toBe("SessionStoreError")
        expect(Either.isLeft(result) && result.left.status).toBe(500)
        expect(Either.isLeft(result) && result.left.message).toMatch(/^Cannot open SQLite: /)
      }
    }))

  it.effect("the connection is closed when the layer's scope closes (WAL files gone); the store then fails typed", () => {
    const filename = sqliteFile()
    return Effect.gen(function*() {
      const store = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(Sessions.layerSqlite({ filename }))
        const r = yield* Effect.provide(
          request(undefined, Sessions.set("a", 1)),
          Layer.merge(Layer.succeedContext(context), settings)
        )
        expect(r.error).toBeUndefined()
        // WAL mode, as `@effect/sql-sqlite-node` opens the file: its log beside it while open.
        expect(existsSync(`${filename}-wal`)).toBe(true)
        return Context.get(context, Sessions.SessionStore)
      }))
      // The last connection closed: SQLite checkpoints and removes the log.
      expect(existsSync(`${filename}-wal`)).toBe(false)
      expect(existsSync(`${filename}-shm`)).toBe(false)
      const after = yield* Effect.either(store.exists("x"))
      expect(Either.isLeft(after) && after.left._tag).toBe("SessionStoreError")
      // The row stayed in the file.
      expect(onFile(filename, (db) => db.prepare("SELECT count(*) AS n FROM django_session").get())).toEqual({ n: 1 })
    })
  })
})

describe("Auth.layerSqlite: the auth_user rows of layerSql", () => {
  it.effect("layerSqlite and layerSql over SqliteClient share one file: each reads and changes the other's users", () => {
    const filename = sqliteFile()
    return Effect.gen(function*() {
      const direct = Context.get(yield* Layer.build(Auth.layerSqlite({ filename })), Auth.Users)
      const client = Context.get(
        yield* Layer.build(Layer.provide(Auth.layerSql, SqliteClient.layer({ filename }))),
        Auth.Users
      )
      const joined = new Date(Date.UTC(2021, 2, 4, 5, 6, 7, 890))
      const alice = yield* direct.create({ username: "alice", password: "!a", is_staff: true, date_joined: joined })
      const bob = yield* client.create({ username: "bob", password: "!b", email: "b@example.com", date_joined: joined })
      expect(bob.id).toBe(alice.id + 1)
      expect(yield* client.findById(alice.id)).toEqual(Option.some(alice))
      expect(yield* direct.findByUsername("bob")).toEqual(Option.some(bob))
      expect(yield* direct.findByUsername("Bob")).toEqual(Option.none())
      expect(yield* client.findById(999)).toEqual(Option.none())
      yield* direct.setPassword(bob.id, "!b2")
      yield* client.setLastLogin(alice.id, new Date(Date.UTC(2022, 0, 1)))
      yield* direct.setLastLogin(bob.id, new Date(Date.UTC(2022, 0, 2, 3, 4, 5, 6)))
      expect(Option.getOrThrow(yield* client.findById(bob.id))).toMatchObject({
        password: "!b2",
        last_login: new Date(Date.UTC(2022, 0, 2, 3, 4, 5, 6))
      })
      expect(Option.getOrThrow(yield* direct.findById(alice.id)).last_login).toEqual(new Date(Date.UTC(2022, 0, 1)))
      // Django's column formats, whichever store wrote them.
      const rows = onFile(
        filename,
        (db) =>
          db.prepare(
            "SELECT username, is_staff, is_active, is_superuser, last_login, date_joined FROM auth_user ORDER BY id"
          ).all()
      )
      expect(rows).toEqual([
        {
          username: "alice",
          is_staff: 1,
          is_active: 1,
          is_superuser: 0,
          last_login: "2022-01-01 00:00:00",
          date_joined: "2021-03-04 05:06:07.890000"
        },
        {
          username: "bob",
          is_staff: 0,
          is_active: 1,
          is_superuser: 0,
          last_login: "2022-01-02 03:04:05.006000",
          date_joined: "2021-03-04 05:06:07.890000"
        }
      ])
      // The unique username, from either side: UsersError.
      for (const users of [direct, client]) {
        const dup = yield* Effect.either(users.create({ username: "alice", password: "x" }))
        expect(Either.isLeft(dup) && dup.left).toBeInstanceOf(Auth.UsersError)
      }
    }).pipe(Effect.scoped)
  })

  it.effect("a login through one store is request.user through the other (sessions on layerSqlite too)", () => {
    const filename = sqliteFile()
    return Effect.gen(function*() {
      const direct = yield* Layer.build(
        Layer.mergeAll(Auth.layerSqlite({ filename }), Sessions.layerSqlite({ filename }), settings)
      )
      const client = yield* Layer.build(
        Layer.mergeAll(Auth.layerSql, Sessions.layerSql, settings).pipe(Layer.provide(SqliteClient.layer({ filename })))
      )
      const users = Context.get(direct, Auth.Users)
      const carol = yield* users.create({ username: "carol", password: "!c" })
      const cookie = (yield* Effect.provide(get(loginSite(carol)), direct)).cookies["sessionid"]
      expect(cookie).toBeDefined()
      const seen = yield* Effect.provide(get(site, cookie), client)
      expect(seen.text).toBe("carol null")
      // `Auth.login` recorded last_login through the store it ran on.
      const stored = Option.getOrThrow(
        yield* Effect.provide(Effect.flatMap(Auth.Users, (u) => u.findById(carol.id)), client)
      )
      expect(stored.last_login).not.toBeNull()
    }).pipe(Effect.scoped)
  })
})

describe("Auth.layerSqlite: failures are typed, never a crash", () => {
  it.effect("auth_user gone under the running layer: UsersError (500), request.user through the handler 500", () => {
    const filename = sqliteFile()
    return Effect.gen(function*() {
      const context = yield* Layer.build(
        Layer.mergeAll(Auth.layerSqlite({ filename }), Sessions.layerSqlite({ filename }), settings)
      )
      const users = Context.get(context, Auth.Users)
      const dave = yield* users.create({ username: "dave", password: "!d" })
      const cookie = (yield* Effect.provide(get(loginSite(dave)), context)).cookies["sessionid"]
      expect(cookie).toBeDefined()
      yield* withTableGone(
        filename,
        "auth_user",
        Effect.gen(function*() {
          for (
            const failing of [
              users.findById(dave.id),
              users.findByUsername("dave"),
              users.setPassword(dave.id, "!x"),
              users.setLastLogin(dave.id, new Date()),
              users.create({ username: "eve", password: "!e" })
            ] as ReadonlyArray<Effect.Effect<unknown, Auth.UsersError>>
          ) {
            const result = yield* Effect.either(failing)
            expect(Either.isLeft(result) && result.left).toBeInstanceOf(Auth.UsersError)
            expect(Either.isLeft(result) && result.left.status).toBe(500)
            expect(Either.isLeft(result) && result.left.message).toMatch(
              /^User store \(database\) failed to [a-z_ ]+: Failed to execute statement$/
            )
          }
          const answered = yield* Effect.provide(get(site, cookie), context)
          expect(answered.status).toBe(500)
          expect(answered.text).toContain("Server Error (500)")
        })
      )
      const back = yield* Effect.provide(get(site, cookie), context)
      expect(back.text).toBe("dave null")
    }).pipe(Effect.scoped)
  })

  it.effect("a write lock held by another connection: a write waits on the Effect clock, then goes through or fails after 5 s", () => {
    const filename = sqliteFile()
    return Effect.gen(function*() {
      const users = Context.get(yield* Layer.build(Auth.layerSqlite({ filename })), Auth.Users)
      const gina = yield* users.create({ username: "gina", password: "!g" })
      const holder = lockFile(filename)
      const first = yield* Effect.fork(users.setPassword(gina.id, "!g2"))
      yield* TestClock.adjust("1 second")
      expect(Option.isNone(yield* Fiber.poll(first))).toBe(true)
      // Reads go on beside the writer (WAL).
      expect(Option.getOrThrow(yield* users.findById(gina.id)).password).toBe("!g")
      holder.exec("COMMIT")
      yield* TestClock.adjust("100 millis")
      yield* Fiber.join(first)
      expect(Option.getOrThrow(yield* users.findById(gina.id)).password).toBe("!g2")
      holder.exec("BEGIN IMMEDIATE")
      const second = yield* Effect.fork(Effect.either(users.setLastLogin(gina.id, new Date(0))))
      yield* TestClock.adjust("6 seconds")
      const failed = yield* Fiber.join(second)
      holder.exec("ROLLBACK")
      holder.close()
      expect(Either.isLeft(failed) && failed.left).toBeInstanceOf(Auth.UsersError)
      expect(Either.isLeft(failed) && failed.left.message).toBe(
        "User store (database) failed to save last_login: Failed to execute statement"
      )
      expect(Option.getOrThrow(yield* users.findById(gina.id)).last_login).toBeNull()
    }).pipe(Effect.scoped)
  })

  it.effect("a file that cannot be opened fails the layer with UsersError; the connection closes with the scope", () => {
    const filename = sqliteFile()
    return Effect.gen(function*() {
      const missing = yield* Effect.either(
        Effect.scoped(Layer.build(Auth.layerSqlite({ filename: join(dir, "missing-dir", "db.sqlite3") })))
      )
      expect(Either.isLeft(missing) && missing.left).toBeInstanceOf(Auth.UsersError)
      expect(Either.isLeft(missing) && missing.left.message).toMatch(/^Cannot open SQLite: /)
      const users = yield* Effect.scoped(Effect.gen(function*() {
        const users = Context.get(yield* Layer.build(Auth.layerSqlite({ filename })), Auth.Users)
        yield* users.create({ username: "frank", password: "!f" })
        expect(existsSync(`${filename}-wal`)).toBe(true)
        return users
      }))
      expect(existsSync(`${filename}-wal`)).toBe(false)
      const after = yield* Effect.either(users.findByUsername("frank"))
      expect(Either.isLeft(after) && after.left).toBeInstanceOf(Auth.UsersError)
      expect(onFile(filename, (db) => db.prepare("SELECT username FROM auth_user").all())).toEqual([{
        username: "frank"
      }])
      // Django's DDL, made by the layer: `Auth.migrate` over a client finds the table.
      const sql = SqliteClient.layer({ filename })
      expect(yield* Effect.provide(Auth.migrate, sql)).toBe(false)
      const ddl = yield* Effect.provide(
        Effect.flatMap(
          SqlClient.SqlClient,
          (s) => s<{ sql: string }>`SELECT sql FROM sqlite_master WHERE name = 'auth_user'`
        ),
        sql
      )
      expect(ddl.map((r) => r.sql)).toEqual(Auth.DDL.sqlite)
    })
  })
})
