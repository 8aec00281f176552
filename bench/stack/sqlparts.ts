/**
 * Where one query through `@effect/sql-sqlite-node` spends its CPU, against the same prepared
 * statement on better-sqlite3: the whole `sql\`...\`` with the tracer on and off, then the parts
 * of `@effect/sql`'s per-query path measured alone (each run with `Runtime.runSync`, whose own
 * cost is the `Effect.sync` row). CPU µs per call, after a warm-up.
 *
 *     npx tsx bench/stack/sqlparts.ts              # N=20000
 */
import { SqlClient } from "@effect/sql"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import Database from "better-sqlite3"
import { Cache, Duration, Effect, Runtime } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { seed } from "./common.js"

const n = Number(process.env["N"] ?? 20000)
const TEXT = "SELECT id, username, password, is_active FROM auth_user WHERE id = ?"

const time = (name: string, f: () => unknown): void => {
  for (let i = 0; i < 2000; i++) f()
  const before = process.cpuUsage()
  for (let i = 0; i < n; i++) f()
  const used = process.cpuUsage(before)
  console.log(`| ${name} | ${((used.user + used.system) / n).toFixed(2)} |`)
}

const filename = Path.join(mkdtempSync(Path.join(tmpdir(), "bench-stack-sql-")), "db.sqlite3")
seed(filename)

const program = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const runtime = yield* Effect.runtime<SqlClient.SqlClient>()
  const statement = new Database(filename).prepare(TEXT)
  const cache = yield* Cache.make({
    capacity: 200,
    timeToLive: Duration.minutes(10),
    lookup: (s: string) => Effect.succeed(s.length)
  })
  const semaphore = yield* Effect.makeSemaphore(1)
  const query = () => sql`SELECT id, username, password, is_active FROM auth_user WHERE id = ${1}`
  console.log(`| one query (the user row by id), ${n} calls | CPU µs/call |`)
  console.log(`| --- | --- |`)
  time("better-sqlite3 prepared statement, `.all(1)`", () => statement.all(1))
  time("`sql\\`...\\`` (tracer on)", () => Runtime.runSync(runtime, query()))
  time(
    "`sql\\`...\\`` in `Effect.withTracerEnabled(false)`",
    () => Runtime.runSync(runtime, Effect.withTracerEnabled(query(), false))
  )
  time("`sql.unsafe(text, [1])`", () => Runtime.runSync(runtime, sql.unsafe(TEXT, [1])))
  time("part: `Effect.scoped(Effect.succeed(1))`", () => Runtime.runSync(runtime, Effect.scoped(Effect.succeed(1))))
  time(
    "part: `semaphore.withPermits(1)(Effect.succeed(1))`",
    () => Runtime.runSync(runtime, semaphore.withPermits(1)(Effect.succeed(1)))
  )
  time("part: `Effect.useSpan` (kind client)", () =>
    Runtime.runSync(
      runtime,
      Effect.useSpan("sql.execute", { kind: "client", captureStackTrace: false }, () => Effect.succeed(1))
    ))
  time("part: the prepared-statement `Cache.get`", () => Runtime.runSync(runtime, cache.get(TEXT)))
  time("`Runtime.runSync(Effect.sync(...))` alone", () => Runtime.runSync(runtime, Effect.sync(() => 1)))
})

Effect.runPromise(program.pipe(Effect.provide(SqliteClient.layer({ filename })))).catch((e) => {
  console.error(e)
  process.exit(1)
})
