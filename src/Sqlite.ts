/**
 * `@effect/sql`'s `SqlClient` on a SQLite file through better-sqlite3: the app's own SQL
 * (`` sql`SELECT ...` ``, `sql.withTransaction`, `sql.insert`, `sql.in`, `SqlClient.SafeIntegers`)
 * with the semantics of `@effect/sql-sqlite-node`'s client and a tenth of its runtime steps per
 * statement, on one connection that the library's SQLite session and user stores can share
 * (`SessionStores.layerSqliteClient`, `Auth.layerSqliteClient`), as Django's one connection per
 * thread serves sessions, auth and the app's tables, so that a view's transaction covers its
 * session and user writes.
 *
 * What the client keeps from `@effect/sql-sqlite-node`: the statements of `@effect/sql` (their
 * segments and fragments, its compiler, `makeCompilerSqlite` with `transformQueryNames`, the row
 * transform of `transformResultNames`, `Statement.withTransformer`, the `sql.execute` span with
 * its attributes whenever a tracer records it), one connection opened in WAL mode (unless
 * `disableWAL`), `BEGIN`/`COMMIT`/`ROLLBACK` and `SAVEPOINT effect_sql_N` for nested transactions,
 * a rollback when the transaction's effect fails or is interrupted, `SqlError`s with
 * better-sqlite3's error as their cause ("Failed to execute statement", "Failed to prepare
 * statement "), `Reactivity` provided by `layer`, and the connection closed with the layer's
 * scope.
 *
 * What it does with less work:
 *
 * - **The gate.** A transaction holds the connection from its `BEGIN` to its end; a plain
 *   statement of another fiber waits meanwhile, as it waits on sqlite-node's semaphore. Here the
 *   gate is a flag read when the statement runs (no semaphore, no permit taken and given back
 *   per statement), and a statement that has to wait is queued with the transactions that wait
 *   to begin, first come, first served, and run when the holder lets go. A statement is never
 *   queued behind a transaction when no transaction holds the connection (the queue is empty
 *   then). Checking the flag when the statement runs, not when the connection is acquired,
 *   also closes the window sqlite-node leaves between the two, where a statement could end up
 *   in another fiber's transaction.
 * - **The prepared statements**: a bounded synchronous LRU (`prepareCacheSize`, 200 by default),
 *   a `Map` lookup instead of `effect/Cache`'s Effect steps and clock; no time to live
 *   (sqlite-node's 10 minutes): a prepared statement does not go stale.
 * - **Running a statement** (`yield*` it, or its `values`, `raw`, `unprepared`,
 *   `withoutTransform`): `@effect/sql` opens a scope around each statement for the connection it
 *   acquires, and makes its `sql.execute` span; this client's connection needs no scope, and the
 *   span is made only when it would be seen: when tracing is on and the tracer is not Effect's
 *   own, whose spans nobody reads (no code of the caller runs inside the statement's span). With
 *   a tracer of yours (`@effect/opentelemetry`, say), every statement has sqlite-node's span and
 *   attributes; a `Statement.withTransformer` is given the span, the statement and the client,
 *   as `@effect/sql` gives them. An insert takes 7 runtime steps instead of sqlite-node's 102.
 * - **One step to run a statement on the connection**: `SqlClient.SafeIntegers`, the gate and
 *   the row transform are read in the one `withFiberRuntime` that runs it. `SafeIntegers` applies
 *   to the statement it is set around and no other (sqlite-node's cached statement keeps
 *   returning `bigint`s once a `SafeIntegers` query has run it).
 * - **A busy file** (another process's write lock) is waited for on the Effect clock (1 ms,
 *   doubling to 64 ms, 5 s in all, then the `SqlError`), as the library's stores wait, instead of
 *   SQLite's busy handler, which sleeps the thread (and every fiber with it) for up to 5 s.
 * - `unprepared` SQL that does not prepare is a `SqlError` (a defect with sqlite-node), and
 *   `stream` gives the rows (sqlite-node's dies with "not implemented").
 *
 * **The shared connection.** `SessionStores.layerSqliteClient` and `Auth.layerSqliteClient` run
 * the stores' prepared statements on this client's connection, through the same gate: a store
 * operation of another fiber waits while a transaction holds the connection; one of the fiber in
 * the transaction runs in it (so it commits or rolls back with the view's writes, as in Django);
 * there is no lock between the stores and the app's SQL to wait on, and no `SQLITE_BUSY` between
 * them. `SessionStores.layerSqlite` and `Auth.layerSqlite` keep their own connections.
 *
 * A statement whose fiber is interrupted while it waits at the gate is taken out of the queue;
 * if the interruption comes in the instant the holder lets go, the statement may have run.
 *
 * @example
 * ```ts
 * import { SqlClient } from "@effect/sql"
 * import { Effect, Layer } from "effect"
 * import { Auth, Sessions, Sqlite } from "effect-django-http"
 *
 * // The app's SQL, sessions and users on one connection to one file.
 * const database = Layer.mergeAll(Sessions.layerSqliteClient, Auth.layerSqliteClient).pipe(
 *   Layer.provideMerge(Sqlite.layer({ filename: "db.sqlite3" }))
 * )
 *
 * const titles = Effect.gen(function*() {
 *   const sql = yield* SqlClient.SqlClient
 *   yield* sql`CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, title TEXT)`
 *   yield* sql.withTransaction(sql`INSERT INTO note ${sql.insert({ title: "hello" })}`)
 *   return yield* sql<{ readonly title: string }>`SELECT title FROM note`
 * })
 *
 * const program = titles.pipe(Effect.provide(database))
 * ```
 *
 * @since 0.2.0
 */
import type * as Reactivity from "@effect/experimental/Reactivity"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/sqliteClient.js"

/**
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.2.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The client: an `@effect/sql` `SqlClient` (so `SqlClient.SqlClient` in a layer's context is
 * this), with the options it was made with.
 *
 * @since 0.2.0
 * @category models
 */
export interface SqliteClient extends SqlClient.SqlClient {
  readonly [TypeId]: TypeId
  readonly config: SqliteClientConfig
}

/**
 * The options of `make` and `layer`, those of `@effect/sql-sqlite-node`'s `SqliteClientConfig`
 * less `prepareCacheTTL` (the prepared statements are kept until the least recently used one
 * makes room).
 *
 * @since 0.2.0
 * @category models
 */
export interface SqliteClientConfig {
  /** The SQLite file (created when missing, unless `readonly`). */
  readonly filename: string
  /** Open the file read-only. */
  readonly readonly?: boolean | undefined
  /** How many prepared statements the client keeps (200 by default; 0 keeps none). */
  readonly prepareCacheSize?: number | undefined
  /** Leave the journal mode as it is (the client sets WAL otherwise). */
  readonly disableWAL?: boolean | undefined
  /** Attributes added to every `sql.execute` and `sql.transaction` span. */
  readonly spanAttributes?: Record<string, unknown> | undefined
  /** Applied to every column name of the rows (e.g. `snake_case` to `camelCase`). */
  readonly transformResultNames?: ((str: string) => string) | undefined
  /** Applied to every identifier of a statement (`sql("name")`, `sql.insert`'s columns). */
  readonly transformQueryNames?: ((str: string) => string) | undefined
}

/**
 * The client of `layer`, for the stores that share its connection and for code that wants the
 * SQLite client as such (`SqlClient.SqlClient` is the same value).
 *
 * @since 0.2.0
 * @category tags
 */
export const SqliteClient: Context.Tag<SqliteClient, SqliteClient> = internal.tag

/**
 * A client on `config.filename`, its connection closed when the scope closes.
 *
 * @example
 * ```ts
 * import * as Reactivity from "@effect/experimental/Reactivity"
 * import { Effect } from "effect"
 * import { Sqlite } from "effect-django-http"
 *
 * const program = Effect.gen(function*() {
 *   const sql = yield* Sqlite.make({ filename: ":memory:" })
 *   return yield* sql<{ readonly answer: number }>`SELECT ${42} AS answer`
 * }).pipe(Effect.scoped, Effect.provide(Reactivity.layer))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (
  config: SqliteClientConfig
) => Effect.Effect<SqliteClient, SqlError, Scope.Scope | Reactivity.Reactivity> = internal.make

/**
 * The client as a layer providing `Sqlite.SqliteClient` and `SqlClient.SqlClient` (with
 * `Reactivity`), the connection closed with the layer.
 *
 * @example
 * ```ts
 * import { SqlClient } from "@effect/sql"
 * import { Effect } from "effect"
 * import { Sqlite } from "effect-django-http"
 *
 * const program = Effect.flatMap(SqlClient.SqlClient, (sql) => sql`SELECT 1 AS one`).pipe(
 *   Effect.provide(Sqlite.layer({ filename: ":memory:" }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: (
  config: SqliteClientConfig
) => Layer.Layer<SqliteClient | SqlClient.SqlClient, SqlError> = internal.layer
