/**
 * The stores on a SQLite file through better-sqlite3 directly: Django's `django_session` (the
 * `db` session backend) here and `auth_user` (`Users`, `sqliteUsers.ts`), each statement
 * prepared once on a `Database` the layer owns and run synchronously, one `Effect.suspend` per
 * statement.
 *
 * Through `@effect/sql-sqlite-node` a statement costs about 25-30 µs of CPU above the prepared
 * statement it runs (a `Scope` per query, the client's semaphore, the `sql.execute` span, the
 * prepared-statement `Cache`; BENCHMARKS.md, session 9). The statements here are the same text
 * as `layerSql`'s (`sessionStores.statements`, `auth.FIND_BY`, `auth.WRITES`), with the same
 * parameters in Django's SQLite formats, so the rows and the outcomes are the same; a failing
 * statement is the same typed error (its cause a `SqlError`, "Failed to execute statement", as
 * `@effect/sql-sqlite-node` gives, whose cause is better-sqlite3's error). What a user loses is
 * the `sql.execute` spans of these statements.
 *
 * `migrate` and `clearExpired` run on the same `Database` (no `@effect/sql` client): one
 * connection per layer, so the layer's own statements never wait on a lock of another of its
 * connections, and the stores need better-sqlite3 alone.
 *
 * A write finds the file busy while another connection holds its write lock: another process,
 * or another connection of this one (the app's `SqliteClient` in a `sql.withTransaction` whose
 * fiber yielded between two statements). SQLite's own busy handler would sleep the thread, so
 * the lock's holder in the same process could not go on until the timeout. So the per-request
 * statements run with no busy timeout and, while SQLite answers `SQLITE_BUSY`, are tried again
 * after a pause on the Effect clock (1 ms, doubling to 64 ms), 5 s in all (better-sqlite3's and
 * Django's default `timeout`), then fail with the typed error. Each is one autocommit statement,
 * so a busy one changed nothing and trying it again is safe. The layer's set-up (WAL, the DDL)
 * keeps SQLite's 5 s busy timeout: it runs once, before any request.
 *
 * @internal
 */
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { SqliteClient } from "../Sqlite.js"
import { SessionStore } from "./sessionApi.js"
import { SessionStoreError } from "./sessionErrors.js"
import { fromStorage, type Storage } from "./sessions.js"
import { ddl, sqlFailure, sqliteDatetime, statements } from "./sessionStores.js"
import {
  BUSY_WAIT_MS,
  type DriverDatabase,
  executeError,
  isBusy,
  messageOf,
  openDriver,
  pauseAfter,
  sharedOf,
  storeRunner,
  tag as SqliteClientTag
} from "./sqliteClient.js"

// ---------------------------------------------------------------------------
// The driver
// ---------------------------------------------------------------------------

export { BUSY_WAIT_MS, executeError, isBusy, messageOf } from "./sqliteClient.js"

/** How a store runs one statement: `attempt` on its own connection, the gate's on a shared one. */
export type Runner = <A, E>(f: () => A, onError: (cause: unknown) => E) => Effect.Effect<A, E>

/**
 * `f()` (one statement) as an Effect: its result, or `onError` of what it threw; while it throws
 * `SQLITE_BUSY`, tried again after a pause (1 ms, doubling to 64 ms) for `BUSY_WAIT_MS` in all,
 * without blocking the thread.
 */
export const attempt: Runner = <A, E>(f: () => A, onError: (cause: unknown) => E): Effect.Effect<A, E> => {
  const run = (waited: number): Effect.Effect<A, E> =>
    Effect.suspend(() => {
      try {
        return Effect.succeed(f())
      } catch (cause) {
        if (!isBusy(cause) || waited >= BUSY_WAIT_MS) return Effect.fail(onError(cause))
        const pause = pauseAfter(waited)
        return Effect.zipRight(Effect.sleep(pause), run(waited + pause))
      }
    })
  return run(0)
}

/** The set-up done (SQLite's busy handler used for it), statements from now on wait in `attempt`. */
export const noBusyTimeout = (db: DriverDatabase): void => void db.pragma("busy_timeout = 0")

/**
 * Opens `filename` with better-sqlite3 (loaded when first needed: an optional peer dependency),
 * in WAL mode as `@effect/sql-sqlite-node` opens it; closed when the scope closes.
 */
export const open = (filename: string): Effect.Effect<DriverDatabase, SqlError, Scope.Scope> => openDriver(filename)

/** Runs `statements` (Django's DDL) in one transaction when `table` is missing; `true` when it did. */
export const createTable = (db: DriverDatabase, table: string, statements: ReadonlyArray<string>): boolean => {
  const found = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) as
    | { readonly n: number }
    | undefined
  if (Number(found?.n ?? 0) > 0) return false
  db.transaction(() => {
    for (const statement of statements) db.exec(statement)
  })()
  return true
}

// ---------------------------------------------------------------------------
// Sessions (django_session)
// ---------------------------------------------------------------------------

/** Django's `db` backend over `django_session`, its statements prepared once on `db`. */
export const sessionStorage = (db: DriverDatabase, run: Runner = attempt): Storage => {
  const text = statements(false)
  const load = db.prepare(text.load)
  const exists = db.prepare(text.exists)
  const insert = db.prepare(text.insert)
  const update = db.prepare(text.update)
  const remove = db.prepare(text.delete)
  const clearExpired = db.prepare(text.clearExpired)
  const failure = (what: string) => (cause: unknown) => sqlFailure(what)(executeError(cause))
  const loading = failure("load the session")
  const lookingUp = failure("look a session key up")
  const creating = failure("create the session")
  const saving = failure("save the session")
  const deleting = failure("delete the session")
  const clearing = failure("clear expired sessions")
  return {
    engine: "db",
    load: (key, now) =>
      run(() => {
        const row = load.get(key, sqliteDatetime(now)) as { readonly session_data: string } | undefined
        return row === undefined ? Option.none() : Option.some(row.session_data)
      }, loading),
    exists: (key) => run(() => exists.get(key) !== undefined, lookingUp),
    insert: (key, value, expiry) =>
      run(() => insert.get(key, value, sqliteDatetime(expiry.date)) !== undefined, creating),
    update: (key, value, expiry) =>
      run(() => update.get(value, sqliteDatetime(expiry.date), key) !== undefined, saving),
    delete: (key) => run(() => void remove.run(key), deleting),
    clearExpired: (now) => run(() => clearExpired.all(sqliteDatetime(now)).length, clearing)
  }
}

/** `Sessions.layerSqlite`: the `db` backend on a SQLite file, the table created when missing. */
export const layerSessions = (options: { readonly filename: string }): Layer.Layer<SessionStore, SessionStoreError> =>
  Layer.scoped(
    SessionStore,
    Effect.flatMap(
      Effect.mapError(
        open(options.filename),
        (e) => new SessionStoreError({ message: `Cannot open SQLite: ${e.message}`, cause: e })
      ),
      (db) =>
        Effect.try({
          try: () => {
            createTable(db, "django_session", ddl.sqlite)
            const storage = sessionStorage(db)
            noBusyTimeout(db)
            return fromStorage(storage)
          },
          catch: (cause) =>
            new SessionStoreError({
              message: `Cannot create django_session: ${messageOf(cause)}`,
              cause: executeError(cause)
            })
        })
    )
  )

/**
 * `SessionStores.layerSqliteClient`: the `db` backend on the connection of the `Sqlite` client in
 * the context, its statements through the client's gate (they run in the transaction of the
 * fiber that holds the connection, and wait while another fiber's holds it).
 */
export const layerSessionsOnClient: Layer.Layer<SessionStore, SessionStoreError, SqliteClient> = Layer.effect(
  SessionStore,
  Effect.flatMap(SqliteClientTag, (client) => {
    const shared = sharedOf(client)
    const run = storeRunner(shared)
    return run(
      () => {
        createTable(shared.db, "django_session", ddl.sqlite)
        return fromStorage(sessionStorage(shared.db, run))
      },
      (cause) =>
        new SessionStoreError({
          message: `Cannot create django_session: ${messageOf(cause)}`,
          cause: executeError(cause)
        })
    )
  })
)
