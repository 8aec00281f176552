/**
 * The stores on a SQLite file through better-sqlite3 directly: Django's `django_session` (the
 * `db` session backend) and `auth_user` (`Users`), each statement prepared once on a `Database`
 * the layer owns and run synchronously, one `Effect.try` per statement.
 *
 * Through `@effect/sql-sqlite-node` a statement costs about 26 µs of CPU above the prepared
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
 * @internal
 */
import { SqlError } from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Auth from "../Auth.js"
import * as auth from "./auth.js"
import { makeUser, Users } from "./authApi.js"
import { SessionStore } from "./sessionApi.js"
import { SessionStoreError } from "./sessionErrors.js"
import { fromStorage, type Storage } from "./sessions.js"
import { ddl, sqlFailure, sqliteDatetime, statements } from "./sessionStores.js"

// ---------------------------------------------------------------------------
// The driver
// ---------------------------------------------------------------------------

/** The part of a better-sqlite3 `Statement` the stores use. */
export interface Statement {
  readonly get: (...params: Array<unknown>) => unknown
  readonly all: (...params: Array<unknown>) => ReadonlyArray<unknown>
  readonly run: (...params: Array<unknown>) => unknown
}

/** The part of a better-sqlite3 `Database` the stores use. */
export interface Database {
  readonly prepare: (source: string) => Statement
  readonly exec: (source: string) => unknown
  readonly transaction: (fn: () => void) => () => void
  readonly close: () => unknown
  readonly open: boolean
}

/** A statement's failure as `@effect/sql-sqlite-node` reports it. */
export const executeError = (cause: unknown): SqlError =>
  new SqlError({ cause, message: "Failed to execute statement" })

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/**
 * Opens `filename` with better-sqlite3 (loaded when first needed: an optional peer dependency),
 * in WAL mode as `@effect/sql-sqlite-node` opens it; closed when the scope closes.
 */
export const open = (filename: string): Effect.Effect<Database, SqlError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.flatMap(
      Effect.tryPromise({
        try: () => import("better-sqlite3"),
        catch: (cause) =>
          new SqlError({
            cause,
            message: `better-sqlite3 cannot be loaded (npm install better-sqlite3): ${messageOf(cause)}`
          })
      }),
      (mod) =>
        Effect.try({
          try: (): Database => {
            const db = new mod.default(filename)
            try {
              db.pragma("journal_mode = WAL")
            } catch (cause) {
              db.close()
              throw cause
            }
            return {
              prepare: (source) => db.prepare<Array<unknown>>(source),
              exec: (source) => db.exec(source),
              transaction: (fn) => db.transaction(fn),
              close: () => db.close(),
              get open() {
                return db.open
              }
            }
          },
          catch: (cause) => new SqlError({ cause, message: messageOf(cause) })
        })
    ),
    (db) => Effect.sync(() => void db.close())
  )

/** Runs `statements` (Django's DDL) in one transaction when `table` is missing; `true` when it did. */
export const createTable = (db: Database, table: string, statements: ReadonlyArray<string>): boolean => {
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
export const sessionStorage = (db: Database): Storage => {
  const text = statements(false)
  const load = db.prepare(text.load)
  const exists = db.prepare(text.exists)
  const insert = db.prepare(text.insert)
  const update = db.prepare(text.update)
  const remove = db.prepare(text.delete)
  const clearExpired = db.prepare(text.clearExpired)
  const attempt = <A>(what: string, f: () => A): Effect.Effect<A, SessionStoreError> =>
    Effect.try({ try: f, catch: (cause) => sqlFailure(what)(executeError(cause)) })
  return {
    engine: "db",
    load: (key, now) =>
      attempt("load the session", () => {
        const row = load.get(key, sqliteDatetime(now)) as { readonly session_data: string } | undefined
        return row === undefined ? Option.none() : Option.some(row.session_data)
      }),
    exists: (key) => attempt("look a session key up", () => exists.get(key) !== undefined),
    insert: (key, value, expiry) =>
      attempt("create the session", () => insert.get(key, value, sqliteDatetime(expiry.date)) !== undefined),
    update: (key, value, expiry) =>
      attempt("save the session", () => update.get(value, sqliteDatetime(expiry.date), key) !== undefined),
    delete: (key) => attempt("delete the session", () => void remove.run(key)),
    clearExpired: (now) => attempt("clear expired sessions", () => clearExpired.all(sqliteDatetime(now)).length)
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
            return fromStorage(sessionStorage(db))
          },
          catch: (cause) =>
            new SessionStoreError({
              message: `Cannot create django_session: ${messageOf(cause)}`,
              cause: executeError(cause)
            })
        })
    )
  )

// ---------------------------------------------------------------------------
// Users (auth_user)
// ---------------------------------------------------------------------------

/** The failure of a user store: `Auth.UsersError`, made by `Auth`. */
export type UsersFailure = (message: string, cause: SqlError) => Auth.UsersError

/** Django's SQLite formats: naive UTC text, booleans as 0/1. */
const sqliteFormats = {
  when: (d: Date | null): string | null => (d === null ? null : sqliteDatetime(d)),
  flag: (b: boolean): number => (b ? 1 : 0)
}

/** `Users` over `auth_user`, its statements prepared once on `db`. */
export const users = (db: Database, failure: UsersFailure): Auth.Users => {
  const byId = db.prepare(auth.FIND_BY.id.other)
  const byUsername = db.prepare(auth.FIND_BY.username.other)
  const setPassword = db.prepare(auth.WRITES.other.setPassword)
  const setLastLogin = db.prepare(auth.WRITES.other.setLastLogin)
  const create = db.prepare(auth.WRITES.other.create)
  const attempt = <A>(what: string, f: () => A): Effect.Effect<A, Auth.UsersError> =>
    Effect.try({
      try: f,
      catch: (cause) => {
        const error = executeError(cause)
        return failure(`User store (database) failed to ${what}: ${error.message}`, error)
      }
    })
  const find = (statement: Statement, value: number | string) =>
    attempt("look a user up", () => {
      const raw = statement.get(value) as Parameters<typeof auth.fromRaw>[0] | undefined
      return raw === undefined ? Option.none() : Option.some(makeUser(auth.fromRaw(raw)))
    })
  return {
    findById: (id) => find(byId, id),
    findByUsername: (username) => find(byUsername, username),
    setPassword: (id, password) => attempt("save a password", () => void setPassword.run(password, id)),
    setLastLogin: (id, at) => attempt("save last_login", () => void setLastLogin.run(sqliteDatetime(at), id)),
    create: (user) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        attempt("create a user", () => {
          const f = auth.completeNew(user, 0, new Date(now))
          const row = create.get(...auth.createParams(f, sqliteFormats)) as { readonly id: number } | undefined
          return makeUser({ ...f, id: Number(row?.id) })
        }))
  }
}

/** `Auth.layerSqlite`: `Users` on a SQLite file, `auth_user` created when missing. */
export const layerUsers = (
  options: { readonly filename: string },
  failure: UsersFailure
): Layer.Layer<Auth.Users, Auth.UsersError> =>
  Layer.scoped(
    Users,
    Effect.flatMap(
      Effect.mapError(open(options.filename), (e) => failure(`Cannot open SQLite: ${e.message}`, e)),
      (db) =>
        Effect.try({
          try: () => {
            createTable(db, "auth_user", auth.ddl.sqlite)
            return users(db, failure)
          },
          catch: (cause) => failure(`Cannot create auth_user: ${messageOf(cause)}`, executeError(cause))
        })
    )
  )
