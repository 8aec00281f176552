/**
 * `Auth.layerSqlite`: `Users` over Django's `auth_user` in a SQLite file on better-sqlite3
 * directly, as `sqliteStores.ts` runs `django_session` (see there: the statements prepared once,
 * the same text as `Auth.layerSql`'s, a busy file waited for on the Effect clock). Its own file
 * so that `SessionStores` (which `authApi` reaches through `Sessions`) does not import `authApi`.
 *
 * @internal
 */
import type { SqlError } from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Auth from "../Auth.js"
import type { SqliteClient } from "../Sqlite.js"
import * as auth from "./auth.js"
import { makeUser, Users } from "./authApi.js"
import { sqliteDatetime } from "./sessionStores.js"
import {
  type DriverDatabase,
  type DriverStatement,
  sharedOf,
  storeRunner,
  tag as SqliteClientTag
} from "./sqliteClient.js"
import { attempt, createTable, executeError, messageOf, noBusyTimeout, open, type Runner } from "./sqliteStores.js"

/** The failure of a user store: `Auth.UsersError`, made by `Auth`. */
export type UsersFailure = (message: string, cause: SqlError) => Auth.UsersError

/** Django's SQLite formats: naive UTC text, booleans as 0/1. */
const sqliteFormats = {
  when: (d: Date | null): string | null => (d === null ? null : sqliteDatetime(d)),
  flag: (b: boolean): number => (b ? 1 : 0)
}

/** `Users` over `auth_user`, its statements prepared once on `db`. */
export const users = (db: DriverDatabase, failure: UsersFailure, run: Runner = attempt): Auth.Users => {
  const byId = db.prepare(auth.FIND_BY.id.other)
  const byUsername = db.prepare(auth.FIND_BY.username.other)
  const setPassword = db.prepare(auth.WRITES.other.setPassword)
  const setLastLogin = db.prepare(auth.WRITES.other.setLastLogin)
  const create = db.prepare(auth.WRITES.other.create)
  const failed = (what: string) => (cause: unknown) => {
    const error = executeError(cause)
    return failure(`User store (database) failed to ${what}: ${error.message}`, error)
  }
  const lookingUp = failed("look a user up")
  const savingPassword = failed("save a password")
  const savingLastLogin = failed("save last_login")
  const creating = failed("create a user")
  const find = (statement: DriverStatement, value: number | string) =>
    run(() => {
      const raw = statement.get(value) as Parameters<typeof auth.fromRaw>[0] | undefined
      return raw === undefined ? Option.none() : Option.some(makeUser(auth.fromRaw(raw)))
    }, lookingUp)
  return {
    findById: (id) => find(byId, id),
    findByUsername: (username) => find(byUsername, username),
    setPassword: (id, password) => run(() => void setPassword.run(password, id), savingPassword),
    setLastLogin: (id, at) => run(() => void setLastLogin.run(sqliteDatetime(at), id), savingLastLogin),
    create: (user) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const f = auth.completeNew(user, 0, new Date(now))
        return run(() => {
          const row = create.get(...auth.createParams(f, sqliteFormats)) as { readonly id: number } | undefined
          return makeUser({ ...f, id: Number(row?.id) })
        }, creating)
      })
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
            const store = users(db, failure)
            noBusyTimeout(db)
            return store
          },
          catch: (cause) => failure(`Cannot create auth_user: ${messageOf(cause)}`, executeError(cause))
        })
    )
  )

/**
 * `Auth.layerSqliteClient`: `Users` on the connection of the `Sqlite` client in the context, its
 * statements through the client's gate (see `sqliteStores.layerSessionsOnClient`).
 */
export const layerUsersOnClient = (failure: UsersFailure): Layer.Layer<Auth.Users, Auth.UsersError, SqliteClient> =>
  Layer.effect(
    Users,
    Effect.flatMap(SqliteClientTag, (client) => {
      const shared = sharedOf(client)
      const run = storeRunner(shared)
      return run(
        () => {
          createTable(shared.db, "auth_user", auth.ddl.sqlite)
          return users(shared.db, failure, run)
        },
        (cause) => failure(`Cannot create auth_user: ${messageOf(cause)}`, executeError(cause))
      )
    })
  )
