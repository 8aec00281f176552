/**
 * Storages for sessions: in memory, Django's `django_session` table over `@effect/sql`, and
 * Redis (ioredis).
 *
 * @internal
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Redis } from "ioredis"
import { SessionStoreError } from "./sessionErrors.js"
import type { Expiry, Storage } from "./sessions.js"

// ---------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------

/** A storage in a `Map`, for tests and single-process development; `rows` shows what it holds. */
export const memory = (): Storage & {
  readonly rows: ReadonlyMap<string, { readonly value: string; readonly expire: number }>
} => {
  const rows = new Map<string, { readonly value: string; readonly expire: number }>()
  return {
    engine: "memory",
    rows,
    load: (key, now) =>
      Effect.sync(() => {
        const row = rows.get(key)
        return row !== undefined && row.expire > now.getTime() ? Option.some(row.value) : Option.none()
      }),
    exists: (key) => Effect.sync(() => rows.has(key)),
    insert: (key, value, expiry) =>
      Effect.sync(() => {
        if (rows.has(key)) return false
        rows.set(key, { value, expire: expiry.date.getTime() })
        return true
      }),
    update: (key, value, expiry) =>
      Effect.sync(() => {
        if (!rows.has(key)) return false
        rows.set(key, { value, expire: expiry.date.getTime() })
        return true
      }),
    delete: (key) => Effect.sync(() => void rows.delete(key)),
    clearExpired: (now) =>
      Effect.sync(() => {
        let n = 0
        for (const [key, row] of rows) {
          if (row.expire < now.getTime()) {
            rows.delete(key)
            n++
          }
        }
        return n
      })
  }
}

// ---------------------------------------------------------------------------
// SQL (django_session)
// ---------------------------------------------------------------------------

export const sqlFailure = (what: string) => (cause: SqlError) =>
  new SessionStoreError({ message: `Session store (database) failed to ${what}: ${cause.message}`, cause })

const pad = (n: number, w = 2) => String(n).padStart(w, "0")

/**
 * A datetime as Django's SQLite backend stores it with `USE_TZ` (naive UTC, `str(datetime)`):
 * `2023-11-28 22:13:20` or `2023-11-28 22:13:20.123000`.
 */
export const sqliteDatetime = (d: Date): string => {
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${
    pad(d.getUTCHours())
  }:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  const ms = d.getUTCMilliseconds()
  return ms === 0 ? base : `${base}.${pad(ms, 3)}000`
}

/** Django's migration `sessions.0001_initial`, per dialect (V19; PostgreSQL adds the `_like` index). */
export const ddl = {
  sqlite: [
    `CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL)`,
    `CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")`
  ],
  pg: [
    `CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" timestamp with time zone NOT NULL)`,
    `CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")`,
    `CREATE INDEX "django_session_session_key_c0390e0f_like" ON "django_session" ("session_key" varchar_pattern_ops)`
  ],
  mysql: [
    "CREATE TABLE `django_session` (`session_key` varchar(40) NOT NULL PRIMARY KEY, `session_data` longtext NOT NULL, `expire_date` datetime(6) NOT NULL)",
    "CREATE INDEX `django_session_expire_date_a5c62663` ON `django_session` (`expire_date`)"
  ]
} as const

/** Creates `django_session` (Django's DDL) when the database has no such table. */
export const migrate = (sql: SqlClient.SqlClient): Effect.Effect<boolean, SqlError> =>
  Effect.gen(function*() {
    const dialect = sql.onDialectOrElse({
      sqlite: () => "sqlite" as const,
      pg: () => "pg" as const,
      mysql: () => "mysql" as const,
      orElse: () => "sqlite" as const
    })
    const found = dialect === "sqlite"
      ? yield* sql<
        { n: number }
      >`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'django_session'`
      : dialect === "pg"
      ? yield* sql<
        { n: number }
      >`SELECT count(*)::int AS n FROM pg_catalog.pg_tables WHERE tablename = 'django_session' AND schemaname = current_schema()`
      : yield* sql<
        { n: number }
      >`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'django_session' AND table_schema = DATABASE()`
    if (Number(found[0]?.n ?? 0) > 0) return false
    yield* sql.withTransaction(Effect.forEach(ddl[dialect], (statement) => sql.unsafe(statement), { discard: true }))
    return true
  })

/**
 * The `db` backend's statements with the client's placeholders (`$1` on PostgreSQL, `?`
 * elsewhere), written once: each query then runs through `sql.unsafe(text, params)`, without a
 * template to compile per request.
 */
export const statements = (pg: boolean) => {
  const p = (i: number) => (pg ? `$${i}` : "?")
  return {
    load: `SELECT session_data FROM django_session WHERE session_key = ${p(1)} AND expire_date > ${p(2)}`,
    exists: `SELECT 1 AS one FROM django_session WHERE session_key = ${p(1)}`,
    insert: `INSERT INTO django_session (session_key, session_data, expire_date) VALUES (${p(1)}, ${p(2)}, ${
      p(3)
    }) ON CONFLICT (session_key) DO NOTHING RETURNING session_key`,
    update: `UPDATE django_session SET session_data = ${p(1)}, expire_date = ${p(2)} WHERE session_key = ${
      p(3)
    } RETURNING session_key`,
    delete: `DELETE FROM django_session WHERE session_key = ${p(1)}`,
    clearExpired: `DELETE FROM django_session WHERE expire_date < ${p(1)} RETURNING session_key`
  } as const
}

/** Django's `db` backend over the `django_session` table. */
export const sql = (client: SqlClient.SqlClient): Storage => {
  const sql = client
  const sqlite = sql.onDialectOrElse({ sqlite: () => true, orElse: () => false })
  const text = statements(sql.onDialectOrElse({ pg: () => true, orElse: () => false }))
  const when = (d: Date): string | Date => (sqlite ? sqliteDatetime(d) : d)
  return {
    engine: "db",
    load: (key, now) =>
      Effect.mapError(
        Effect.map(
          sql.unsafe<{ session_data: string }>(text.load, [key, when(now)]),
          (rows) => Option.map(Option.fromNullable(rows[0]), (r) => r.session_data)
        ),
        sqlFailure("load the session")
      ),
    exists: (key) =>
      Effect.mapError(
        Effect.map(sql.unsafe(text.exists, [key]), (rows) => rows.length > 0),
        sqlFailure("look a session key up")
      ),
    insert: (key, value, expiry: Expiry) =>
      Effect.mapError(
        Effect.map(sql.unsafe(text.insert, [key, value, when(expiry.date)]), (rows) => rows.length > 0),
        sqlFailure("create the session")
      ),
    update: (key, value, expiry: Expiry) =>
      Effect.mapError(
        Effect.map(sql.unsafe(text.update, [value, when(expiry.date), key]), (rows) => rows.length > 0),
        sqlFailure("save the session")
      ),
    delete: (key) =>
      Effect.mapError(
        Effect.asVoid(sql.unsafe(text.delete, [key])),
        sqlFailure("delete the session")
      ),
    clearExpired: (now) =>
      Effect.mapError(
        Effect.map(sql.unsafe(text.clearExpired, [when(now)]), (rows) => rows.length),
        sqlFailure("clear expired sessions")
      )
  }
}

/**
 * The part of a node-postgres `Pool` (the `pg` package, `@effect/sql-pg`'s driver) the
 * PostgreSQL store uses.
 */
export interface PgPool {
  readonly query: (
    text: string,
    values: ReadonlyArray<unknown>,
    callback: (
      error: Error | undefined,
      result: { readonly rowCount: number | null; readonly rows: ReadonlyArray<{ readonly [column: string]: unknown }> }
    ) => void
  ) => void
}

const pgFailure = (what: string, cause: Error) =>
  new SessionStoreError({ message: `Session store (database) failed to ${what}: ${cause.message}`, cause })

/**
 * Django's `db` backend on PostgreSQL, its per-request statements (`load`, `update`, and
 * `insert`, `exists`, `delete`) run on the node-postgres pool that `@effect/sql-pg`'s client of
 * the same layer runs on, each as one `pool.query` in one `Effect.async`; `clearExpired` (and
 * `migrate`, in the layer) go through `@effect/sql`. `@effect/sql`'s per-query path (its
 * connection acquisition in a `Scope`, the `sql.execute` span, an interruptible `Effect.async`
 * with a cancel query) costs about 0.56 M instructions more per statement than this, whichever
 * public entry runs it (`sql.unsafe` or `sql.reserve` with `Connection.execute`): BENCHMARKS.md,
 * session 8. The statements are the same text as `sql`'s, so the outcome is the same; what a user
 * loses is the `sql.execute` spans of these statements (`layerSql` over their own client keeps
 * them).
 */
export const pg = (pool: PgPool, client: SqlClient.SqlClient): Storage => {
  const text = statements(true)
  const run = <A>(
    what: string,
    query: string,
    values: ReadonlyArray<unknown>,
    f: (
      result: { readonly rowCount: number | null; readonly rows: ReadonlyArray<{ readonly [column: string]: unknown }> }
    ) => A
  ) =>
    Effect.async<A, SessionStoreError>((resume) => {
      pool.query(query, values, (error, result) => {
        resume(error ? Effect.fail(pgFailure(what, error)) : Effect.succeed(f(result)))
      })
    })
  return {
    engine: "db",
    load: (key, now) =>
      run(
        "load the session",
        text.load,
        [key, now],
        (r) => Option.map(Option.fromNullable(r.rows[0]), (row) => String(row["session_data"]))
      ),
    exists: (key) => run("look a session key up", text.exists, [key], (r) => r.rows.length > 0),
    insert: (key, value, expiry) =>
      run("create the session", text.insert, [key, value, expiry.date], (r) => r.rows.length > 0),
    update: (key, value, expiry) =>
      run("save the session", text.update, [value, expiry.date, key], (r) => r.rows.length > 0),
    delete: (key) => run("delete the session", text.delete, [key], () => undefined),
    clearExpired: sql(client).clearExpired
  }
}

// ---------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------

const redisFailure = (what: string) => (cause: unknown) =>
  new SessionStoreError({
    message: `Session store (Redis) failed to ${what}: ${cause instanceof Error ? cause.message : String(cause)}`,
    cause
  })

/** The milliseconds to keep an entry: `get_expiry_age()`, at least 1 (an age <= 0 is already expired). */
const ttl = (expiry: Expiry): number => Math.max(1, Math.round(expiry.age * 1000))

/**
 * Sessions in Redis under Django's cache key (`KEY_PREFIX:VERSION:django.contrib.sessions.cache`
 * + key), holding the `db` encoding (Django's cache backend pickles, which only Python reads).
 */
export const redis = (client: Redis, prefix: string): Storage => {
  const at = (key: string) => prefix + key
  const run = <A>(what: string, f: () => Promise<A>) => Effect.tryPromise({ try: f, catch: redisFailure(what) })
  return {
    engine: "cache",
    load: (key) => Effect.map(run("load the session", () => client.get(at(key))), Option.fromNullable),
    exists: (key) => Effect.map(run("look a session key up", () => client.exists(at(key))), (n) => n > 0),
    insert: (key, value, expiry) =>
      Effect.map(
        run("create the session", () => client.set(at(key), value, "PX", ttl(expiry), "NX")),
        (r) => r === "OK"
      ),
    update: (key, value, expiry) =>
      Effect.map(run("save the session", () => client.set(at(key), value, "PX", ttl(expiry), "XX")), (r) => r === "OK"),
    delete: (key) => Effect.asVoid(run("delete the session", () => client.del(at(key)))),
    // Redis expires entries by itself, as Django's cache backend leaves it to the cache.
    clearExpired: () => Effect.succeed(0)
  }
}
