/**
 * Django's `auth_user` table: its DDL per dialect and the rows read and written as Django's
 * sqlite and postgresql backends do.
 *
 * @internal
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Auth from "../Auth.js"
import { TaggedError } from "../Errors.js"
import { sqliteDatetime } from "./sessionStores.js"

/** The user store failed: 500, as Django's handler answers a database error. */
export class UsersError extends TaggedError("UsersError", { status: 500 })<{
  readonly message: string
  readonly cause?: unknown
}> {}

/** The table after all of Django 3.2's `auth` migrations (SQLite as `migrate` leaves it). */
export const ddl = {
  sqlite: [
    `CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "password" varchar(128) NOT NULL, "last_login" datetime NULL, "is_superuser" bool NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" bool NOT NULL, "is_active" bool NOT NULL, "date_joined" datetime NOT NULL, "first_name" varchar(150) NOT NULL)`
  ],
  pg: [
    `CREATE TABLE "auth_user" ("id" serial NOT NULL PRIMARY KEY, "password" varchar(128) NOT NULL, "last_login" timestamp with time zone NULL, "is_superuser" boolean NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "first_name" varchar(150) NOT NULL, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" boolean NOT NULL, "is_active" boolean NOT NULL, "date_joined" timestamp with time zone NOT NULL)`,
    `CREATE INDEX "auth_user_username_6821ab7c_like" ON "auth_user" ("username" varchar_pattern_ops)`
  ]
} as const

/** The fields of a new user, Django's defaults filled in (`User.objects.create`). */
export const completeNew = (user: Auth.NewUser, id: number, now: Date): Auth.UserFields => ({
  id,
  username: user.username,
  password: user.password,
  is_active: user.is_active ?? true,
  is_staff: user.is_staff ?? false,
  is_superuser: user.is_superuser ?? false,
  first_name: user.first_name ?? "",
  last_name: user.last_name ?? "",
  email: user.email ?? "",
  last_login: user.last_login ?? null,
  date_joined: user.date_joined ?? now
})

/** The row's fields, as the library's user model holds them. */
export interface Row {
  readonly id: number
  readonly password: string
  readonly last_login: Date | null
  readonly is_superuser: boolean
  readonly username: string
  readonly first_name: string
  readonly last_name: string
  readonly email: string
  readonly is_staff: boolean
  readonly is_active: boolean
  readonly date_joined: Date
}

type Raw = { readonly [K in keyof Row]: unknown }

/**
 * A datetime column: a `Date` (PostgreSQL) or Django's SQLite text, naive UTC with `USE_TZ`.
 * Texts already read are remembered (a user's `last_login` and `date_joined` are read on every
 * request): each call still returns a `Date` of its own.
 */
export const parseDatetime = (value: unknown): Date | null => {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value
  const text = String(value)
  const known = parsedTexts.get(text)
  if (known !== undefined) return known === null ? null : new Date(known)
  const parsed = parseDatetimeText(text)
  if (parsedTexts.size >= PARSED_MAX) parsedTexts.clear()
  parsedTexts.set(text, parsed === null ? null : parsed.getTime())
  return parsed
}

/** Texts parsed by `parseDatetime`, to their time (`null`: not a datetime). Emptied when full. */
const parsedTexts = new Map<string, number | null>()
const PARSED_MAX = 4096

/** Empties `parseDatetime`'s memo (tests). */
export const forgetParsedDatetimes = (): void => parsedTexts.clear()

/** `parseDatetime` of a text, without the memo. */
export const parseDatetimeText = (text: string): Date | null => {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?/.exec(text)
  if (m === null) return null
  const ms = m[7] === undefined ? 0 : Math.floor(Number(m[7].padEnd(6, "0")) / 1000)
  const d = new Date(Date.UTC(2000, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), ms))
  // `Date.UTC` reads years 0-99 as 1900-1999; Python's datetime starts at year 1.
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  return d
}

const bool = (value: unknown): boolean => value === true || value === 1 || value === 1n || value === "1"

export const fromRaw = (raw: Raw): Row => ({
  id: Number(raw.id),
  password: String(raw.password),
  last_login: parseDatetime(raw.last_login),
  is_superuser: bool(raw.is_superuser),
  username: String(raw.username),
  first_name: String(raw.first_name),
  last_name: String(raw.last_name),
  email: String(raw.email),
  is_staff: bool(raw.is_staff),
  is_active: bool(raw.is_active),
  date_joined: parseDatetime(raw.date_joined) ?? new Date(0)
})

export const dialectOf = (sql: SqlClient.SqlClient): "sqlite" | "pg" =>
  sql.onDialectOrElse({ pg: () => "pg" as const, orElse: () => "sqlite" as const })

/** Django's SQLite backend stores datetimes as naive UTC text and booleans as 0/1. */
export const toDb = (sql: SqlClient.SqlClient) => ({
  when: (d: Date | null): string | Date | null =>
    d === null ? null : dialectOf(sql) === "sqlite" ? sqliteDatetime(d) : d,
  flag: (b: boolean): boolean | number => (dialectOf(sql) === "sqlite" ? (b ? 1 : 0) : b)
})

const COLUMNS =
  "id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined"

export const FIND_BY = {
  id: { pg: `SELECT ${COLUMNS} FROM auth_user WHERE id = $1`, other: `SELECT ${COLUMNS} FROM auth_user WHERE id = ?` },
  username: {
    pg: `SELECT ${COLUMNS} FROM auth_user WHERE username = $1`,
    other: `SELECT ${COLUMNS} FROM auth_user WHERE username = ?`
  }
} as const

/** The writes of `Users`, per dialect (`$n` on PostgreSQL, `?` elsewhere), written once. */
const writes = (pg: boolean) => {
  const p = (i: number) => (pg ? `$${i}` : "?")
  return {
    setPassword: `UPDATE auth_user SET password = ${p(1)} WHERE id = ${p(2)}`,
    setLastLogin: `UPDATE auth_user SET last_login = ${p(1)} WHERE id = ${p(2)}`,
    create:
      `INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) VALUES (${
        Array.from({ length: 10 }, (_, i) => p(i + 1)).join(", ")
      }) RETURNING id`
  } as const
}

export const WRITES = { pg: writes(true), other: writes(false) } as const

/** The parameters of `WRITES.create`, in its columns' order. */
export const createParams = (
  f: Omit<Row, "id">,
  db: { readonly when: (d: Date | null) => unknown; readonly flag: (b: boolean) => unknown }
): ReadonlyArray<unknown> => [
  f.password,
  db.when(f.last_login),
  db.flag(f.is_superuser),
  f.username,
  f.first_name,
  f.last_name,
  f.email,
  db.flag(f.is_staff),
  db.flag(f.is_active),
  db.when(f.date_joined)
]

/** `User.objects.get(column=value)`, its statement written once per dialect. */
export const findBy = (
  sql: SqlClient.SqlClient,
  column: "id" | "username",
  value: number | string
): Effect.Effect<Option.Option<Row>, SqlError> =>
  Effect.map(
    sql.unsafe<Raw>(FIND_BY[column][dialectOf(sql) === "pg" ? "pg" : "other"], [value]),
    (rows) => Option.map(Option.fromNullable(rows[0]), fromRaw)
  )

/** Creates `auth_user` when the database has none; `true` when it did. */
export const migrate = (sql: SqlClient.SqlClient): Effect.Effect<boolean, SqlError> =>
  Effect.gen(function*() {
    const dialect = dialectOf(sql)
    const found = dialect === "sqlite"
      ? yield* sql<{ n: number }>`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'auth_user'`
      : yield* sql<
        { n: number }
      >`SELECT count(*)::int AS n FROM pg_catalog.pg_tables WHERE tablename = 'auth_user' AND schemaname = current_schema()`
    if (Number(found[0]?.n ?? 0) > 0) return false
    yield* sql.withTransaction(Effect.forEach(ddl[dialect], (statement) => sql.unsafe(statement), { discard: true }))
    return true
  })
