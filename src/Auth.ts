/**
 * Django 3.2's users (`django.contrib.auth`): `request.user` as the `User` service, loaded
 * lazily from the session by `middleware` (Django's `AuthenticationMiddleware`); `authenticate`,
 * `login` and `logout` as Effects; permissions (`hasPerms`); and a `Users` store over Django's
 * own `auth_user` table, so a site can take over a Django app's users and login sessions as they are. The view
 * decorators (`loginRequired`, ...) are `AuthDecorators`.
 *
 * ```ts
 * import { Effect, Option } from "effect"
 * import { Auth, AuthDecorators, HttpResponse, Sessions, View } from "effect-django-http"
 *
 * const whoami: View.View<unknown, Auth.RequestUser> = () =>
 *   Effect.flatMap(Auth.user, (user) => HttpResponse.make({ content: Auth.userString(user) }))
 *
 * const signIn: View.View<unknown, Sessions.Session | Auth.Users> = () =>
 *   Effect.gen(function*() {
 *     const found = yield* Auth.authenticate("alice", "s3cret")
 *     if (Option.isNone(found)) return yield* HttpResponse.make({ content: "no", status: 401 })
 *     yield* Auth.login(found.value)
 *     return yield* HttpResponse.redirect("/")
 *   })
 *
 * // MIDDLEWARE = [SessionMiddleware, AuthenticationMiddleware]; `whoami` needs a login.
 * const app = Sessions.middleware(Auth.middleware(AuthDecorators.loginRequired(whoami)))
 * ```
 *
 * What Django does, this does: the three session keys (`_auth_user_id` as a string,
 * `_auth_user_backend`, `_auth_user_hash`); an unknown backend or an inactive or missing user
 * reads as `AnonymousUser`; a session hash that matches neither the user's sha256 nor legacy
 * sha1 session auth hash flushes the session; `login` cycles the session key (keeping the
 * anonymous data) unless the same user is logged in, and flushes otherwise; it rotates the CSRF
 * token and records `last_login`; a correct password whose hash is outdated is re-hashed.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { ImproperlyConfigured, InvalidArgument } from "./Errors.js"
import * as internal from "./internal/auth.js"
import * as api from "./internal/authApi.js"
import * as sqliteUsers from "./internal/sqliteUsers.js"
import type * as Middleware from "./Middleware.js"
import type * as Passwords from "./Passwords.js"
import type * as Sessions from "./Sessions.js"
import type * as Sqlite from "./Sqlite.js"

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

/**
 * Django's `SESSION_KEY`: the user's primary key, stored as a string.
 *
 * @since 0.1.0
 * @category constants
 */
export const SESSION_KEY: string = api.SESSION_KEY

/**
 * Django's `BACKEND_SESSION_KEY`: the dotted path of the backend that logged the user in.
 *
 * @since 0.1.0
 * @category constants
 */
export const BACKEND_SESSION_KEY: string = api.BACKEND_SESSION_KEY

/**
 * Django's `HASH_SESSION_KEY`: the user's session auth hash at login.
 *
 * @since 0.1.0
 * @category constants
 */
export const HASH_SESSION_KEY: string = api.HASH_SESSION_KEY

/**
 * The backend path Django writes for its `ModelBackend`, which `Users` stands for.
 *
 * @since 0.1.0
 * @category constants
 */
export const MODEL_BACKEND: string = api.MODEL_BACKEND

/**
 * Django's `REDIRECT_FIELD_NAME`.
 *
 * @since 0.1.0
 * @category constants
 */
export const REDIRECT_FIELD_NAME: string = api.REDIRECT_FIELD_NAME

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = api.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The columns of Django's `auth_user`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserFields {
  readonly id: number
  readonly username: string
  /** The encoded hash (`pbkdf2_sha256$260000$…`), never the raw password. */
  readonly password: string
  readonly is_active: boolean
  readonly is_staff: boolean
  readonly is_superuser: boolean
  readonly first_name: string
  readonly last_name: string
  readonly email: string
  readonly last_login: Date | null
  readonly date_joined: Date
}

/**
 * A row of `auth_user` (Django's `User`): `is_authenticated` is `true`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthUser extends UserFields {
  readonly [TypeId]: TypeId
  readonly _tag: "User"
  readonly pk: number
  readonly is_anonymous: false
  readonly is_authenticated: true
}

/**
 * Django's `AnonymousUser`, with its field values (V33).
 *
 * @since 0.1.0
 * @category models
 */
export interface AnonymousUser {
  readonly [TypeId]: TypeId
  readonly _tag: "AnonymousUser"
  readonly id: null
  readonly pk: null
  readonly username: ""
  readonly is_active: false
  readonly is_staff: false
  readonly is_superuser: false
  readonly is_anonymous: true
  readonly is_authenticated: false
}

/**
 * What `request.user` holds.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyUser = AuthUser | AnonymousUser

/**
 * @since 0.1.0
 * @category constructors
 */
export const makeUser: (fields: UserFields) => AuthUser = api.makeUser

/**
 * The one `AnonymousUser`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const anonymousUser: AnonymousUser = api.anonymousUser

/**
 * @since 0.1.0
 * @category guards
 */
export const isUser: (u: unknown) => u is AnyUser = api.isUser

/**
 * @since 0.1.0
 * @category guards
 */
export const isAuthenticated = (user: AnyUser): user is AuthUser => user._tag === "User"

/**
 * Python's `str(user)`: the username, or `"AnonymousUser"`.
 *
 * @since 0.1.0
 * @category getters
 */
export const userString = (user: AnyUser): string => (user._tag === "User" ? user.username : "AnonymousUser")

/**
 * Django's `get_full_name()`: first and last name, stripped.
 *
 * @since 0.1.0
 * @category getters
 */
export const fullName = (user: AuthUser): string => `${user.first_name} ${user.last_name}`.trim()

/**
 * Django's `get_short_name()`: the first name.
 *
 * @since 0.1.0
 * @category getters
 */
export const shortName = (user: AuthUser): string => user.first_name

// ---------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------

/**
 * The user store failed (a database error).
 *
 * @since 0.1.0
 * @category errors
 */
export class UsersError extends internal.UsersError {}

/**
 * The fields of a new user; the `id` is the store's.
 *
 * @since 0.1.0
 * @category models
 */
export type NewUser =
  & Omit<
    UserFields,
    | "id"
    | "last_login"
    | "date_joined"
    | "is_active"
    | "is_staff"
    | "is_superuser"
    | "first_name"
    | "last_name"
    | "email"
  >
  & Partial<Omit<UserFields, "id" | "username" | "password">>

/**
 * Where users live (Django's `ModelBackend` over `auth_user`): provide `layerSql`, `layerMemory`
 * or an implementation of your own.
 *
 * @since 0.1.0
 * @category models
 */
export interface Users {
  /** `User.objects.get(pk=id)`. */
  readonly findById: (id: number) => Effect.Effect<Option.Option<AuthUser>, UsersError>
  /** `User.objects.get_by_natural_key(username)`: exact, case-sensitive. */
  readonly findByUsername: (username: string) => Effect.Effect<Option.Option<AuthUser>, UsersError>
  /** Stores a new encoded password (`set_password` + `save(update_fields=["password"])`). */
  readonly setPassword: (id: number, encoded: string) => Effect.Effect<void, UsersError>
  /** Stores `last_login` (`update_last_login`). */
  readonly setLastLogin: (id: number, at: Date) => Effect.Effect<void, UsersError>
  /** Inserts a user (`User.objects.create(...)`, the password already encoded). */
  readonly create: (user: NewUser) => Effect.Effect<AuthUser, UsersError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const Users: Context.Tag<Users, Users> = api.Users

const completeNew = internal.completeNew

/**
 * Users kept in memory (tests, small sites): a fresh store with the given users.
 *
 * @since 0.1.0
 * @category constructors
 */
export const memoryUsers = (initial: Iterable<UserFields> = []): Users => {
  const rows = new Map<number, UserFields>()
  for (const u of initial) rows.set(u.id, u)
  const find = (f: (u: UserFields) => boolean) =>
    Effect.sync(() => Option.map(Option.fromNullable(Array.from(rows.values()).find(f)), makeUser))
  const change = (id: number, patch: Partial<UserFields>) =>
    Effect.sync(() => {
      const row = rows.get(id)
      if (row !== undefined) rows.set(id, { ...row, ...patch })
    })
  return {
    findById: (id) => find((u) => u.id === id),
    findByUsername: (username) => find((u) => u.username === username),
    setPassword: (id, password) => change(id, { password }),
    setLastLogin: (id, last_login) => change(id, { last_login }),
    create: (user) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.suspend(() => {
          if (Array.from(rows.values()).some((u) => u.username === user.username)) {
            return Effect.fail(new UsersError({ message: `UNIQUE constraint failed: auth_user.username` }))
          }
          const id = Math.max(0, ...rows.keys()) + 1
          const fields = completeNew(user, id, new Date(now))
          rows.set(id, fields)
          return Effect.succeed(makeUser(fields))
        }))
  }
}

/**
 * `memoryUsers` as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (initial: Iterable<UserFields> = []): Layer.Layer<Users> =>
  Layer.sync(Users, () => memoryUsers(initial))

const sqlFailure = (what: string) => (cause: SqlError) =>
  new UsersError({ message: `User store (database) failed to ${what}: ${cause.message}`, cause })

/**
 * Users in Django's `auth_user` table over a `SqlClient` (SQLite or PostgreSQL), read and
 * written as Django 3.2 does with `USE_TZ = True` (datetimes in UTC).
 *
 * @since 0.1.0
 * @category constructors
 */
export const sqlUsers = (sql: SqlClient.SqlClient): Users => {
  const db = internal.toDb(sql)
  const text = internal.WRITES[internal.dialectOf(sql) === "pg" ? "pg" : "other"]
  const find = (column: "id" | "username", value: number | string) =>
    Effect.mapError(
      Effect.map(internal.findBy(sql, column, value), Option.map(makeUser)),
      sqlFailure("look a user up")
    )
  return {
    findById: (id) => find("id", id),
    findByUsername: (username) => find("username", username),
    setPassword: (id, password) =>
      Effect.mapError(Effect.asVoid(sql.unsafe(text.setPassword, [password, id])), sqlFailure("save a password")),
    setLastLogin: (id, at) =>
      Effect.mapError(Effect.asVoid(sql.unsafe(text.setLastLogin, [db.when(at), id])), sqlFailure("save last_login")),
    create: (user) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const f = completeNew(user, 0, new Date(now))
        return Effect.mapError(
          Effect.map(
            sql.unsafe<{ id: number }>(text.create, internal.createParams(f, db)),
            (rows) => makeUser({ ...f, id: Number(rows[0]?.id) })
          ),
          sqlFailure("create a user")
        )
      })
  }
}

/**
 * `Users` over Django's `auth_user` table through the `SqlClient` in the context (run `migrate`
 * first on a database Django has not set up).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSql: Layer.Layer<Users, never, SqlClient.SqlClient> = Layer.effect(
  Users,
  Effect.map(SqlClient.SqlClient, sqlUsers)
)

/**
 * `Users` over Django's `auth_user` table in a SQLite file, the table created when missing
 * (`migrate`'s DDL). The layer opens the file with better-sqlite3 (an optional peer dependency,
 * the driver of `@effect/sql-sqlite-node`), in WAL mode, and closes it when its scope closes;
 * its statements are prepared once and run synchronously on that connection, without
 * `@effect/sql`'s per-query span, scope and semaphore (about 25-30 µs of CPU each). Same SQL text as
 * `layerSql`'s, so the same rows and outcomes, and the same `UsersError` when a statement fails;
 * `layerSql` over your own `SqliteClient` keeps the `sql.execute` spans.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Auth, Sessions, Settings } from "effect-django-http"
 *
 * // Users and sessions in one SQLite file, each store on its own connection.
 * const stores = Layer.mergeAll(
 *   Auth.layerSqlite({ filename: "db.sqlite3" }),
 *   Sessions.layerSqlite({ filename: "db.sqlite3" }),
 *   Settings.layer({ SECRET_KEY: "change-me" })
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerSqlite = (options: { readonly filename: string }): Layer.Layer<Users, UsersError> =>
  sqliteUsers.layerUsers(options, (message, cause) => new UsersError({ message, cause }))

/**
 * `Users` on the connection of the app's `Sqlite` client (`Sqlite.layer`), `auth_user` created
 * when missing: a user written inside the view's `sql.withTransaction` (`create`,
 * `setPassword`, `setLastLogin` at login) commits or rolls back with it; a lookup of another fiber
 * meanwhile waits until the transaction ends.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Auth, Sessions, Sqlite } from "effect-django-http"
 *
 * const stores = Layer.mergeAll(Auth.layerSqliteClient, Sessions.layerSqliteClient).pipe(
 *   Layer.provideMerge(Sqlite.layer({ filename: "db.sqlite3" }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerSqliteClient: Layer.Layer<Users, UsersError, Sqlite.SqliteClient> = sqliteUsers.layerUsersOnClient(
  (message, cause) => new UsersError({ message, cause })
)

/**
 * Creates `auth_user` as Django 3.2's `auth` migrations leave it (SQLite or PostgreSQL) when
 * the database has no such table; `true` when it created it. Only the user table: a Django
 * project that later runs `migrate` on the same database needs `--fake-initial`.
 *
 * @since 0.1.0
 * @category sql
 */
export const migrate: Effect.Effect<boolean, SqlError, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  internal.migrate
)

/**
 * Django's DDL for `auth_user`, per dialect.
 *
 * @since 0.1.0
 * @category sql
 */
export const DDL: typeof internal.ddl = internal.ddl

// ---------------------------------------------------------------------------
// get_user, request.user
// ---------------------------------------------------------------------------

/**
 * What loading the user can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type AuthError = UsersError | Sessions.SessionStoreError | ImproperlyConfigured

/**
 * Django's `get_user(request)`: the session's user, or `AnonymousUser` when no user is stored,
 * its backend is not in `AUTHENTICATION_BACKENDS`, or the user is missing or inactive; a
 * session hash that matches neither the sha256 nor the legacy sha1 session auth hash of the
 * user's password flushes the session (V29, V32).
 *
 * @since 0.1.0
 * @category loading
 */
export const getUser: Effect.Effect<AnyUser, AuthError, Sessions.Session | Users> = api.getUser

/**
 * `request.user` for one request: loaded on first read (Django's `SimpleLazyObject`), then kept;
 * `login` and `logout` replace it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestUser {
  readonly [TypeId]: TypeId
  /** The user, loaded from the session the first time. */
  readonly get: Effect.Effect<AnyUser, AuthError>
  /** Replaces the user (`request.user = user`). */
  readonly set: (user: AnyUser) => Effect.Effect<void>
  /** Whether the user has been loaded or set. */
  readonly loaded: Effect.Effect<boolean>
}

/**
 * The `request.user` service: provided by `middleware` to the views below.
 *
 * @since 0.1.0
 * @category tags
 */
export const User: Context.Tag<RequestUser, RequestUser> = api.User

/**
 * A lazy `request.user` over a loading effect.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRequestUser: (load: Effect.Effect<AnyUser, AuthError>) => Effect.Effect<RequestUser> =
  api.makeRequestUser

/**
 * `request.user`: the current user, loaded from the session on first use.
 *
 * @since 0.1.0
 * @category loading
 */
export const user: Effect.Effect<AnyUser, AuthError, RequestUser> = api.user

/**
 * Django's `AuthenticationMiddleware`: provides `User` (`request.user`) to the views below,
 * loaded lazily: the session is only read when a view first reads the user (V71). List it
 * inside `Sessions.middleware`.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware: Middleware.Middleware<never, Sessions.Session | Users, RequestUser> = api.middleware

// ---------------------------------------------------------------------------
// authenticate, login, logout
// ---------------------------------------------------------------------------

/**
 * Django's `authenticate(username=…, password=…)` with `ModelBackend`: the user when the
 * password is correct and the user is active. A correct password whose hash is outdated
 * (`Passwords.mustUpdate`) is hashed again and saved, even for an inactive user, as Django
 * does; an unknown username still runs the hasher once, so that it takes as long as a known
 * one.
 *
 * @since 0.1.0
 * @category login
 */
export const authenticate: (
  username: string | null | undefined,
  password: string | null | undefined,
  options?: Passwords.HashersOption
) => Effect.Effect<Option.Option<AuthUser>, UsersError, Users> = api.authenticate

/**
 * The options of `login`.
 *
 * @since 0.1.0
 * @category login
 */
export interface LoginOptions {
  /** The backend path written to the session; Django's `ModelBackend` path by default. */
  readonly backend?: string | undefined
}

/**
 * Django's `login(request, user)`: when a user is already in the session and it is another
 * user, or the stored hash differs, the session is flushed; when none is, the key is cycled and
 * the anonymous data kept; the same user keeps the key. Then the three session keys are set,
 * `request.user` (when `User` is provided) becomes the user, the CSRF token is rotated (when
 * `Csrf.CsrfToken` is provided) and `last_login` is saved (V32).
 *
 * @since 0.1.0
 * @category login
 */
export const login: (
  user: AuthUser,
  options?: LoginOptions
) => Effect.Effect<AuthUser, AuthError | Sessions.SessionStoreError | InvalidArgument, Sessions.Session | Users> =
  api.login

/**
 * Django's `logout(request)`: flushes the session and sets `request.user` (when `User` is
 * provided) to `AnonymousUser`.
 *
 * @since 0.1.0
 * @category login
 */
export const logout: Effect.Effect<void, Sessions.SessionStoreError, Sessions.Session> = api.logout

// ---------------------------------------------------------------------------
// Permissions
// ---------------------------------------------------------------------------

/**
 * The permission check the app provides (Django's `user.has_perm(perm)` through the
 * authentication backends). The default gives an active superuser every permission and
 * everyone else none, as Django's `ModelBackend` does without permission rows.
 *
 * @since 0.1.0
 * @category permissions
 */
export const Permissions: typeof api.Permissions = api.Permissions

/**
 * @since 0.1.0
 * @category permissions
 */
export type Permissions = api.Permissions

/**
 * Django's `user.has_perms(perms)`: every permission, checked with `Permissions`; an active
 * superuser has all of them, an inactive user none.
 *
 * @since 0.1.0
 * @category permissions
 */
export const hasPerms: (user: AnyUser, perms: ReadonlyArray<string>) => Effect.Effect<boolean, AuthError> = api.hasPerms
