/**
 * The session stores: Django's session backends as layers providing `Sessions.SessionStore`.
 * `db` (`layerSqlite` on better-sqlite3, the embedded default; `layerPg`; `layerSql` over any
 * `@effect/sql` client), `cache` over Redis (`layerRedis`), `signed_cookies` (`layerSignedCookies`), and
 * `layerMemory` for tests; `migrate` and `DDL` for Django's `django_session` table, and
 * `clearExpired` (Django's `clearsessions`). `Sessions` re-exports every one of them, so
 * `Sessions.layerSqlite` and `SessionStores.layerSqlite` are the same value.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { SessionStores, Settings } from "effect-django-http"
 *
 * // One machine: a SQLite file, its django_session table created on first use.
 * const single = Layer.merge(
 *   Settings.layer({ SECRET_KEY: "change-me" }),
 *   SessionStores.layerSqlite({ filename: "db.sqlite3" })
 * )
 *
 * // Several machines: PostgreSQL or Redis.
 * const shared = SessionStores.layerPg({ url: "postgres://app@db.internal/app" })
 * ```
 *
 * @since 0.2.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { Redis, RedisOptions } from "ioredis"
import * as api from "./internal/sessionApi.js"
import type { SessionStoreError } from "./internal/sessionErrors.js"
import * as internal from "./internal/sessions.js"
import * as stores from "./internal/sessionStores.js"
import * as sqlite from "./internal/sqliteStores.js"
import type * as Sqlite from "./Sqlite.js"

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/**
 * The expiry a store writes with a session: `getExpiryDate()` and `getExpiryAge()`.
 *
 * @since 0.1.0
 * @category models
 */
export type Expiry = internal.Expiry

/**
 * A key-value store of encoded sessions (the `db` and `cache` backends' shape); turn one into a
 * `SessionStore` with `layerStorage`.
 *
 * @since 0.1.0
 * @category models
 */
export type Storage = internal.Storage

/**
 * A backend: Django's `SessionStore` methods (`load`, `exists`, `create`, `save(must_create)`,
 * `delete`, `cycle_key`, `clear_expired`) over a session's state.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionStore extends internal.Backend {}

/**
 * The backend sessions are kept in: provide one of the `layer...` layers.
 *
 * @since 0.1.0
 * @category tags
 */
export const SessionStore: Context.Tag<SessionStore, SessionStore> = api.SessionStore

// ---------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------

/**
 * A `SessionStore` over a key-value `Storage`, with the `db` backend's algorithms.
 *
 * @since 0.1.0
 * @category stores
 */
export const fromStorage = (storage: Storage): SessionStore => internal.fromStorage(storage)

/**
 * A `SessionStore` layer over a `Storage`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStorage = (storage: Storage): Layer.Layer<SessionStore> =>
  Layer.succeed(api.SessionStore, fromStorage(storage))

/**
 * A storage in memory, with the `db` backend's behaviour and encoding; `rows` shows what it
 * holds (encoded data and expiry, in milliseconds since the epoch), for tests.
 *
 * @since 0.1.0
 * @category stores
 */
export const memoryStorage = (): Storage & {
  readonly rows: ReadonlyMap<string, { readonly value: string; readonly expire: number }>
} => stores.memory()

/**
 * Sessions in memory (one process; lost on restart), with the `db` backend's behaviour and
 * encoding: for tests and development.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<SessionStore> = Layer.sync(api.SessionStore, () => fromStorage(stores.memory()))

/**
 * Django's `signed_cookies` backend: the cookie is the signed session (its own salt), read
 * back only within `SESSION_COOKIE_AGE`; no storage. As in Django, a logout cannot revoke a
 * copy of the cookie, and the session is limited by the cookie's size.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSignedCookies: Layer.Layer<SessionStore> = Layer.succeed(api.SessionStore, internal.signedCookies)

/**
 * The `db` backend over the `SqlClient` in the context: Django's `django_session` table (run
 * `migrate` once to create it), so that a Django app and this library can share sessions.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSql: Layer.Layer<SessionStore, never, SqlClient.SqlClient> = Layer.effect(
  api.SessionStore,
  Effect.map(SqlClient.SqlClient, (sql) => fromStorage(stores.sql(sql)))
)

/**
 * Creates Django's `django_session` table (the DDL of its migration `sessions.0001_initial`
 * for SQLite, PostgreSQL or MySQL) when it does not exist; `true` when it created it. A Django
 * project that later runs `migrate` on the same database needs `--fake-initial` for it.
 *
 * @since 0.1.0
 * @category sql
 */
export const migrate: Effect.Effect<boolean, SqlError, SqlClient.SqlClient> = api.migrate

/**
 * Django's DDL for `django_session`, per dialect (V19).
 *
 * @since 0.1.0
 * @category sql
 */
export const DDL: typeof stores.ddl = stores.ddl

/**
 * The `db` backend on a SQLite file, the table created when missing: the embedded default. The
 * layer opens the file with better-sqlite3 (an optional peer dependency, the driver of
 * `@effect/sql-sqlite-node`), in WAL mode, and closes it when its scope closes; its statements
 * are prepared once and run synchronously on that connection, without `@effect/sql`'s per-query
 * span, scope and semaphore (about 25-30 µs of CPU each). Same SQL text as `layerSql`'s, so the same
 * rows and outcomes, and the same typed `SessionStoreError` when a statement fails; `layerSql`
 * over your own `SqliteClient` keeps the `sql.execute` spans.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (options: { readonly filename: string }): Layer.Layer<SessionStore, SessionStoreError> =>
  sqlite.layerSessions(options)

/**
 * The `db` backend on the connection of the app's `Sqlite` client (`Sqlite.layer`), the table
 * created when missing: Django's one connection for sessions and the app's tables. A session
 * load or save made inside the view's `sql.withTransaction` runs in that transaction (it commits
 * or rolls back with it); one made by another fiber meanwhile waits until the transaction ends.
 * The statements are `layerSqlite`'s, prepared once, without `@effect/sql`'s per-query span.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { SessionStores, Sqlite } from "effect-django-http"
 *
 * const sessions = SessionStores.layerSqliteClient.pipe(
 *   Layer.provideMerge(Sqlite.layer({ filename: "db.sqlite3" }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerSqliteClient: Layer.Layer<SessionStore, SessionStoreError, Sqlite.SqliteClient> =
  sqlite.layerSessionsOnClient

/**
 * The `db` backend on PostgreSQL (`@effect/sql-pg`), the table created when missing: for sites
 * served by several machines. The client runs on a node-postgres pool the layer owns; the
 * statements of a request (load, save) run on that pool directly, one `pool.query` each, without
 * `@effect/sql`'s per-query span and scope (`migrate` and `clearExpired` go through the client).
 * `layerSql` over your own `PgClient` keeps the spans.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPg: (
  options: { readonly url: string | Redacted.Redacted<string>; readonly maxConnections?: number | undefined }
) => Layer.Layer<SessionStore, SessionStoreError> = api.layerPg

/**
 * Options of the Redis store.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisStoreOptions {
  /** Django's cache `KEY_PREFIX`. Default `""`. */
  readonly keyPrefix?: string | undefined
  /** Django's cache `VERSION`. Default `1`. */
  readonly version?: number | undefined
}

/**
 * The Redis key of a session: Django's cache key for its cache backend,
 * `KEY_PREFIX:VERSION:django.contrib.sessions.cache<key>`.
 *
 * @since 0.1.0
 * @category redis
 */
export const redisKeyPrefix: (options?: RedisStoreOptions) => string = api.redisKeyPrefix

/**
 * A Redis storage over an `ioredis` client.
 *
 * Django's own `cache` sessions are pickled dicts, which nothing but Python reads: a Django app
 * cannot share these sessions through its cache. Here the value is the `db` backend's encoding
 * (signed JSON) under Django's cache key, with the session's expiry age as Redis TTL; Redis
 * expires entries itself, so `clearExpired` has nothing to do. Share sessions with Django through
 * the `db` backend (SQLite or PostgreSQL) instead.
 *
 * @since 0.1.0
 * @category redis
 */
export const redisStorage = (client: Redis, options: RedisStoreOptions = {}): Storage =>
  stores.redis(client, redisKeyPrefix(options))

/**
 * The cache backend on Redis (`ioredis`), connected to `url` for the layer's lifetime; see
 * `redisStorage`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRedis: (
  options: RedisStoreOptions & { readonly url: string; readonly redis?: RedisOptions | undefined }
) => Layer.Layer<SessionStore, SessionStoreError> = api.layerRedis

/**
 * Django's `clearsessions`: deletes the expired sessions of the store; how many (0 where the
 * store expires them itself).
 *
 * @since 0.1.0
 * @category stores
 */
export const clearExpired: Effect.Effect<number, SessionStoreError, SessionStore> = Effect.flatMap(
  api.SessionStore,
  (store) => store.clearExpired
)
