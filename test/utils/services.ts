/**
 * PostgreSQL and Redis for tests: `.ci/run` starts both on loopback and sets DATABASE_URL and
 * REDIS_URL. Outside CI, tests needing one are skipped (with a message) when its variable is
 * missing; under CI they run, and fail.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, Redacted } from "effect"

export const databaseUrl = process.env["DATABASE_URL"]
export const redisUrl = process.env["REDIS_URL"]
const inCi = process.env["CI"] !== undefined && process.env["CI"] !== "" && process.env["CI"] !== "false"
export const pgSkip = databaseUrl === undefined && !inCi
export const redisSkip = redisUrl === undefined && !inCi

/** A fresh PostgreSQL database for the scope (its URL), dropped when the scope closes. */
export const pgDatabaseUrl = Effect.gen(function*() {
  if (databaseUrl === undefined) return yield* Effect.die("DATABASE_URL is not set: run the tests with bash .ci/run")
  const name = `sessions_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  const admin = PgClient.layer({ url: Redacted.make(databaseUrl) })
  yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${name}`)).pipe(Effect.provide(admin))
  yield* Effect.addFinalizer(() =>
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).pipe(
      Effect.provide(admin),
      Effect.orDie
    )
  )
  const url = new URL(databaseUrl)
  url.pathname = `/${name}`
  return url.toString()
})

/** A client on a fresh PostgreSQL database, dropped afterwards. */
export const pgDatabase = Layer.unwrapScoped(
  Effect.map(pgDatabaseUrl, (url) => PgClient.layer({ url: Redacted.make(url) }))
)
