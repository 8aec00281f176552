/**
 * The session stores on their real stores: Django's `django_session` table on a SQLite file and
 * on PostgreSQL (`DATABASE_URL`), Redis (`REDIS_URL`), and memory. Each is driven through
 * SessionMiddleware as requests would drive it, and checked against Django 3.2's rules: the
 * table's DDL (V19), the row `save()` writes (V18), `load()` ignoring expired rows (V20),
 * `clearsessions`, and two requests of one session racing (the last save wins, a save after a
 * concurrent logout is `SessionInterrupted`, 400 (V27); no row is lost).
 *
 * PostgreSQL and Redis come from `.ci/run`, which starts both on loopback; run without them the
 * tests of that store are skipped with a message, except under CI, where they fail.
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Either, Layer, Option, Redacted, Ref, TestClock } from "effect"
import { Redis } from "ioredis"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { HttpResponse, RequestFactory, Sessions, Settings } from "../src/index.js"
import { pgDatabase, pgDatabaseUrl, pgSkip, redisSkip, redisUrl } from "./utils/services.js"
import { expectDjangoRow, SECRET as ROW_SECRET } from "./utils/sessionRow.js"

const SECRET = "stores-test-secret"
const T0 = 1700000000000
const settings = Settings.layer({ SECRET_KEY: SECRET })

if (pgSkip) {
  console.warn("PostgreSQL session tests skipped: DATABASE_URL is not set (bash .ci/run starts PostgreSQL and sets it)")
}
if (redisSkip) console.warn("Redis session tests skipped: REDIS_URL is not set (bash .ci/run starts Redis and sets it)")

const dir = mkdtempSync(join(tmpdir(), "sessions-stores-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const sqliteFile = () => join(dir, `db-${++files}.sqlite3`)

interface Backend {
  readonly name: string
  readonly skip: boolean
  readonly layer: () => Layer.Layer<Sessions.SessionStore, unknown>
  /** Whether `clearExpired` and `load` go by our Clock (Redis expires by its own clock). */
  readonly expires: boolean
}

/** `layerSql` over a client, with `migrate` run first. */
const onSql = (client: Layer.Layer<SqlClient.SqlClient, unknown>) =>
  Layer.provide(Layer.merge(Sessions.layerSql, Layer.effectDiscard(Sessions.migrate)), client)

const backends: ReadonlyArray<Backend> = [
  {
    name: "SQLite file",
    skip: false,
    layer: () => onSql(SqliteClient.layer({ filename: sqliteFile() })),
    expires: true
  },
  {
    // `layerSqlite`: its statements on a better-sqlite3 connection of its own, the table made by the layer.
    name: "SQLite file through layerSqlite",
    skip: false,
    layer: () => Sessions.layerSqlite({ filename: sqliteFile() }),
    expires: true
  },
  { name: "PostgreSQL", skip: pgSkip, layer: () => onSql(pgDatabase), expires: true },
  {
    // `layerPg`: its per-request statements on the node-postgres pool under its `@effect/sql` client.
    name: "PostgreSQL through layerPg",
    skip: pgSkip,
    layer: () => Layer.unwrapScoped(Effect.map(pgDatabaseUrl, (url) => Sessions.layerPg({ url }))),
    expires: true
  },
  {
    name: "Redis",
    skip: redisSkip,
    layer: () =>
      Layer.scoped(
        Sessions.SessionStore,
        Effect.map(
          Effect.acquireRelease(
            Effect.sync(() => new Redis(redisUrl ?? "redis://127.0.0.1:1")),
            (c) => Effect.promise(() => c.quit())
          ),
          (client) =>
            Sessions.fromStorage(
              Sessions.redisStorage(client, { keyPrefix: `test-${process.pid}-${Math.random().toString(36).slice(2)}` })
            )
        )
      ),
    expires: false
  },
  { name: "memory", skip: false, layer: () => Sessions.layerMemory, expires: true }
]

/** The keys of the stored session, read outside any request. */
const inSessionKeys = (cookie: string) =>
  Effect.flatMap(Sessions.make(cookie), (session) => Effect.provideService(Sessions.keys, Sessions.Session, session))

/** One request through SessionMiddleware with the session cookie `cookie`; the view's ops run inside. */
const request = <E, R>(
  cookie: string | undefined,
  ops: Effect.Effect<unknown, E, R>
) =>
  Effect.gen(function*() {
    const view = Sessions.middleware(() => Effect.zipRight(ops, HttpResponse.make({ content: "ok" })))
    const result = yield* Effect.either(
      view(RequestFactory.get("/", cookie === undefined ? {} : { cookies: { sessionid: cookie } }))
    )
    if (Either.isLeft(result)) return { error: result.left, cookie: undefined, header: undefined } as const
    const response = result.right
    if (!HttpResponse.isAnyResponse(response)) {
      throw new Error(`expected an HttpResponse, got ${JSON.stringify(response)}`)
    }
    const c = response.cookies.find((x) => x.name === "sessionid")
    return { error: undefined, cookie: c?.value, header: c?.header } as const
  })

for (const backend of backends) {
  describe.skipIf(backend.skip)(`Sessions on ${backend.name}`, () => {
    const provide = <A, E>(self: Effect.Effect<A, E, Sessions.SessionStore | Settings.Settings>) =>
      Effect.provide(self, Layer.merge(backend.layer(), settings))

    it.effect("a session written by one request is read by the next, changed, then flushed (logout)", () =>
      provide(Effect.gen(function*() {
        yield* TestClock.setTime(T0)
        const first = yield* request(undefined, Sessions.update({ user: "ada", cart: [1, 2] }))
        expect(first.cookie).toMatch(/^[a-z0-9]{32}$/)
        const second = yield* request(
          first.cookie,
          Effect.gen(function*() {
            expect(yield* Sessions.items).toEqual([["user", "ada"], ["cart", [1, 2]]])
            yield* Sessions.set("cart", [1, 2, 3])
          })
        )
        expect(second.cookie).toBe(first.cookie)
        const third = yield* request(first.cookie, Sessions.get("cart"))
        expect(third.cookie).toBeUndefined()
        const out = yield* request(first.cookie, Sessions.flush)
        expect(out.header).toBe(
          "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"
        )
        const store = yield* Sessions.SessionStore
        expect(yield* store.exists(first.cookie!)).toBe(false)
        const after = yield* request(first.cookie, Sessions.items)
        expect(after.header).toBe(
          "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"
        )
      })))

    it.effect("cycleKey (login) keeps the data under a new key and deletes the old row", () =>
      provide(Effect.gen(function*() {
        yield* TestClock.setTime(T0)
        const first = yield* request(undefined, Sessions.set("a", 1))
        const second = yield* request(first.cookie, Sessions.cycleKey)
        expect(second.cookie).not.toBe(first.cookie)
        const store = yield* Sessions.SessionStore
        expect(yield* store.exists(first.cookie!)).toBe(false)
        expect(yield* store.exists(second.cookie!)).toBe(true)
        yield* request(second.cookie, Effect.map(Sessions.items, (items) => expect(items).toEqual([["a", 1]])))
      })))

    it.effect("two requests of one session racing: each save lands, the last one wins, no row is lost", () =>
      provide(Effect.gen(function*() {
        yield* TestClock.setTime(T0)
        const first = yield* request(undefined, Sessions.set("n", 0))
        // Both load the session before either saves; each save then writes its own copy, and the
        // later one wins (Django's outcome: last write wins, the row stays).
        const loaded = yield* Deferred.make<void>()
        const count = yield* Ref.make(0)
        const bothLoaded = Effect.zipRight(
          Effect.flatMap(
            Ref.updateAndGet(count, (n) => n + 1),
            (n) => (n === 2 ? Deferred.succeed(loaded, undefined) : Effect.void)
          ),
          Deferred.await(loaded)
        )
        const [a, b] = yield* Effect.all([
          request(first.cookie, Effect.zipRight(Sessions.get("n"), Effect.zipRight(bothLoaded, Sessions.set("a", 1)))),
          request(first.cookie, Effect.zipRight(Sessions.get("n"), Effect.zipRight(bothLoaded, Sessions.set("b", 2))))
        ], { concurrency: 2 })
        expect([a.cookie, b.cookie]).toEqual([first.cookie, first.cookie])
        const keys = yield* Effect.map(request(first.cookie, Sessions.keys), () => undefined).pipe(
          Effect.zipRight(Effect.scoped(inSessionKeys(first.cookie!)))
        )
        expect([["n", "a"], ["n", "b"]]).toContainEqual(keys)
      })))

    it.effect("a save after a concurrent logout is SessionInterrupted (400), and the session stays deleted (V27)", () =>
      provide(Effect.gen(function*() {
        yield* TestClock.setTime(T0)
        const first = yield* request(undefined, Sessions.set("a", 1))
        const store = yield* Sessions.SessionStore
        const raced = yield* request(
          first.cookie,
          Effect.zipRight(Sessions.set("b", 2), Effect.zipRight(request(first.cookie, Sessions.flush), Effect.void))
        )
        expect(raced.error?._tag).toBe("SessionInterrupted")
        expect(raced.error?.message).toBe(Sessions.INTERRUPTED_MESSAGE)
        expect(raced.error !== undefined && "status" in raced.error ? raced.error.status : 0).toBe(400)
        expect(yield* store.exists(first.cookie!)).toBe(false)
      })))

    it.effect("create retries when the key it drew was taken meanwhile (CreateError)", () =>
      provide(Effect.gen(function*() {
        yield* TestClock.setTime(T0)
        const store = yield* Sessions.SessionStore
        // Django's create(): save(must_create=True) on a taken key raises CreateError and loops.
        const taken = yield* request(undefined, Sessions.set("owner", "first"))
        const session = yield* Sessions.make(taken.cookie)
        const state = yield* Sessions.state.pipe(Effect.provideService(Sessions.Session, session))
        const collided = yield* Effect.either(
          store.save(
            { ...state, key: taken.cookie!, cache: new Map([["owner", "second"]]) },
            true,
            Settings.make({ SECRET_KEY: SECRET })
          )
        )
        expect(Either.isLeft(collided) && collided.left._tag).toBe("CreateError")
        const created = yield* store.create(
          { ...state, key: null, cache: new Map([["owner", "second"]]) },
          Settings.make({ SECRET_KEY: SECRET })
        )
        expect(created.key).not.toBe(taken.cookie)
        expect(created.modified).toBe(true)
        yield* request(taken.cookie, Effect.map(Sessions.get("owner"), (v) => expect(v).toEqual(Option.some("first"))))
      })))

    if (backend.expires) {
      it.effect("rows expire: load ignores them from expire_date on, clearExpired deletes them (V20, clearsessions)", () =>
        provide(Effect.gen(function*() {
          yield* TestClock.setTime(T0)
          const short = yield* request(undefined, Effect.zipRight(Sessions.set("a", 1), Sessions.setExpiry(60)))
          const long = yield* request(undefined, Sessions.set("b", 2))
          yield* TestClock.setTime(T0 + 60_000)
          const gone = yield* request(short.cookie, Sessions.items)
          expect(gone.header).toContain("Max-Age=0")
          const store = yield* Sessions.SessionStore
          expect(yield* store.exists(short.cookie!)).toBe(true)
          yield* TestClock.setTime(T0 + 61_000)
          expect(yield* Sessions.clearExpired).toBe(1)
          expect(yield* store.exists(short.cookie!)).toBe(false)
          expect(yield* store.exists(long.cookie!)).toBe(true)
        })))
    }
  })
}

describe("Sessions on SQLite: Django's table and rows", () => {
  const sqlite = () => {
    const filename = sqliteFile()
    return { filename, layer: Layer.merge(SqliteClient.layer({ filename }), settings) }
  }

  it.effect("migrate creates django_session with Django's DDL (V19), once", () => {
    const db = sqlite()
    return Effect.gen(function*() {
      expect(yield* Sessions.migrate).toBe(true)
      expect(yield* Sessions.migrate).toBe(false)
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<
        { sql: string }
      >`SELECT sql FROM sqlite_master WHERE tbl_name = 'django_session' AND sql IS NOT NULL ORDER BY type DESC`
      expect(rows.map((r) => r.sql)).toEqual([...Sessions.DDL.sqlite])
      expect(Sessions.DDL.sqlite).toEqual([
        "CREATE TABLE \"django_session\" (\"session_key\" varchar(40) NOT NULL PRIMARY KEY, \"session_data\" text NOT NULL, \"expire_date\" datetime NOT NULL)",
        "CREATE INDEX \"django_session_expire_date_a5c62663\" ON \"django_session\" (\"expire_date\")"
      ])
    }).pipe(Effect.provide(db.layer))
  })

  it.effect("the row save() writes is Django's: key, encode(data), naive UTC expire_date (V18)", () => {
    const filename = sqliteFile()
    return Effect.gen(function*() {
      yield* Sessions.migrate
      yield* expectDjangoRow((cookie, ops) => Effect.provide(request(cookie, ops), Sessions.layerSql))
    }).pipe(Effect.provide(Layer.merge(SqliteClient.layer({ filename }), Settings.layer({ SECRET_KEY: ROW_SECRET }))))
  })

  it.effect("layerSqlite opens the file and creates the table on first use", () => {
    const filename = sqliteFile()
    return Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const r = yield* request(undefined, Sessions.set("a", 1)).pipe(Effect.provide(Sessions.layerSqlite({ filename })))
      yield* request(r.cookie, Effect.map(Sessions.items, (items) => expect(items).toEqual([["a", 1]]))).pipe(
        Effect.provide(Sessions.layerSqlite({ filename }))
      )
    }).pipe(Effect.provide(settings))
  })
})

describe.skipIf(pgSkip)("Sessions on PostgreSQL: Django's table", () => {
  it.effect("migrate creates django_session with Django's DDL for PostgreSQL (V19), once", () =>
    Effect.gen(function*() {
      expect(yield* Sessions.migrate).toBe(true)
      expect(yield* Sessions.migrate).toBe(false)
      const sql = yield* SqlClient.SqlClient
      const columns = yield* sql<{ column_name: string; data_type: string; is_nullable: string }>`
        SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_name = 'django_session' ORDER BY ordinal_position`
      expect(columns).toEqual([
        { column_name: "session_key", data_type: "character varying", is_nullable: "NO" },
        { column_name: "session_data", data_type: "text", is_nullable: "NO" },
        { column_name: "expire_date", data_type: "timestamp with time zone", is_nullable: "NO" }
      ])
      const indexes = yield* sql<{ indexname: string }>`
        SELECT indexname FROM pg_indexes WHERE tablename = 'django_session' ORDER BY indexname`
      expect(indexes.map((i) => i.indexname)).toEqual([
        "django_session_expire_date_a5c62663",
        "django_session_pkey",
        "django_session_session_key_c0390e0f_like"
      ])
    }).pipe(Effect.provide(Layer.merge(pgDatabase, settings))))

  it.effect("layerPg and layerSql share one django_session table: a row written by one is read and changed by the other", () =>
    Effect.gen(function*() {
      const url = yield* pgDatabaseUrl
      const viaPool = yield* Layer.build(Sessions.layerPg({ url }))
      const viaSql = yield* Layer.build(onSql(PgClient.layer({ url: Redacted.make(url) })))
      const on = (store: typeof viaPool) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.provide(effect, Layer.merge(Layer.succeedContext(store), settings))
      const first = yield* on(viaPool)(request(undefined, Sessions.set("cart", [1, 2])))
      const second = yield* on(viaSql)(
        request(first.cookie, Effect.flatMap(Sessions.getOrFail("cart"), (cart) => Sessions.set("seen", cart)))
      )
      expect(second.error).toBeUndefined()
      const third = yield* on(viaPool)(request(first.cookie, Sessions.get("seen")))
      expect(third.error).toBeUndefined()
      expect(yield* on(viaPool)(inSessionKeys(first.cookie!))).toEqual(["cart", "seen"])
      const seen = yield* on(viaPool)(
        Effect.flatMap(
          Sessions.make(first.cookie),
          (session) => Effect.provideService(Sessions.get("seen"), Sessions.Session, session)
        )
      )
      expect(seen).toEqual(Option.some([1, 2]))
    }).pipe(Effect.scoped))

  it.effect("layerPg: a statement that fails mid-request is a typed SessionStoreError (500); stored rows stay", () =>
    Effect.gen(function*() {
      const url = yield* pgDatabaseUrl
      const store = yield* Layer.build(Sessions.layerPg({ url }))
      const inStore = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.provide(effect, Layer.merge(Layer.succeedContext(store), settings))
      const first = yield* inStore(request(undefined, Sessions.set("n", 1)))
      expect(first.error).toBeUndefined()
      // The table renamed away under the running layer: the next load's SELECT fails.
      const admin = PgClient.layer({ url: Redacted.make(url) })
      const rename = (from: string, to: string) =>
        Effect.provide(
          Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`ALTER TABLE ${from} RENAME TO ${to}`)),
          admin
        )
      yield* rename("django_session", "django_session_away")
      // Reading the session fails with the store's typed error...
      const failed = yield* inStore(Effect.either(
        Effect.flatMap(
          Sessions.make(first.cookie),
          (session) => Effect.provideService(Sessions.get("n"), Sessions.Session, session)
        )
      ))
      expect(Either.isLeft(failed) && failed.left._tag).toBe("SessionStoreError")
      expect(Either.isLeft(failed) && failed.left._tag === "SessionStoreError" && failed.left.status).toBe(500)
      // ...which the middleware answers with Django's 500 (the view's failure, converted as Django's handler does).
      const view = Sessions.middleware(() => Effect.zipRight(Sessions.get("n"), HttpResponse.make({ content: "ok" })))
      const answered = yield* inStore(view(RequestFactory.get("/", { cookies: { sessionid: first.cookie! } })))
      expect(HttpServerResponse.isServerResponse(answered) && answered.status).toBe(500)
      yield* rename("django_session_away", "django_session")
      const back = yield* inStore(request(first.cookie, Sessions.get("n")))
      expect(back.error).toBeUndefined()
      expect(yield* inStore(inSessionKeys(first.cookie!))).toEqual(["n"])
    }).pipe(Effect.scoped))

  it.effect("a database that is down is a typed SessionStoreError (500)", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(
        Effect.scoped(Layer.build(Sessions.layerPg({ url: "postgres://postgres@127.0.0.1:1/none" })))
      )
      expect(Either.isLeft(result) && result.left._tag).toBe("SessionStoreError")
      expect(Either.isLeft(result) && result.left.status).toBe(500)
    }))
})

describe.skipIf(redisSkip)("Sessions on Redis", () => {
  it.effect("Django's cache key, the db encoding as value, the expiry age as TTL", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const client = new Redis(redisUrl!)
      yield* Effect.addFinalizer(() => Effect.promise(() => client.quit()))
      const keyPrefix = `t${process.pid}${Math.random().toString(36).slice(2)}`
      const r = yield* request(undefined, Effect.zipRight(Sessions.set("a", 1), Sessions.setExpiry(300))).pipe(
        Effect.provide(Sessions.layerStorage(Sessions.redisStorage(client, { keyPrefix })))
      )
      const key = `${keyPrefix}:1:django.contrib.sessions.cache${r.cookie}`
      expect(yield* Effect.promise(() => client.get(key))).toBe(
        yield* Sessions.encode(new Map<string, Sessions.Json>([["a", 1], ["_session_expiry", 300]]))
      )
      const ttl = yield* Effect.promise(() => client.pttl(key))
      expect(ttl).toBeGreaterThan(290_000)
      expect(ttl).toBeLessThanOrEqual(300_000)
    }).pipe(Effect.scoped, Effect.provide(settings)))

  it.effect("Redis gone is a typed SessionStoreError (500)", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(
        Effect.scoped(
          Layer.build(Sessions.layerRedis({ url: "redis://127.0.0.1:1", redis: { retryStrategy: () => null } }))
        )
      )
      expect(Either.isLeft(result) && result.left._tag).toBe("SessionStoreError")
    }))
})

describe("scripts/clearsessions.ts (Django's clearsessions command)", () => {
  it.effect("deletes the expired rows of a SQLite file and says how many", () => {
    const filename = sqliteFile()
    return Effect.gen(function*() {
      // Two sessions written at T0 (long ago for the real clock the script runs with).
      yield* TestClock.setTime(T0)
      yield* request(undefined, Sessions.set("a", 1)).pipe(Effect.provide(Sessions.layerSqlite({ filename })))
      yield* request(undefined, Sessions.set("b", 2)).pipe(Effect.provide(Sessions.layerSqlite({ filename })))
      const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/clearsessions.ts", `sqlite:${filename}`], {
        encoding: "utf8"
      })
      expect(run.stderr).toBe("")
      expect(run.stdout).toBe("Deleted 2 expired sessions.\n")
      expect(run.status).toBe(0)
    }).pipe(Effect.provide(settings))
  })
})
