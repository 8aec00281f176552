/**
 * One `db` session statement's cost on PostgreSQL, by execution path: N `SELECT session_data`
 * of one row with 50 in flight, through `@effect/sql-pg`'s template, `sql.unsafe`, a reserved
 * connection's `execute` (`sql.reserve`), and, as the peer, node-postgres's `pool.query` (what
 * `connect-pg-simple` runs). Prints CPU µs per query; for instruction counts run it under
 * `valgrind --tool=callgrind` (bundled with esbuild) with N and with N=0.
 *
 *     DATABASE_URL=postgres://... MODE=unsafe N=2000 npx tsx bench/sessions/pgquery.ts
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Layer, ManagedRuntime, Redacted, Scope } from "effect"
import * as Pg from "pg"

const url = process.env["DATABASE_URL"]!
const mode = process.env["MODE"] ?? "unsafe"
const n = Number(process.env["N"] ?? 2000)
const text = "SELECT session_data FROM django_session WHERE session_key = $1 AND expire_date > $2"
const key = "pgquerybenchpgquerybenchpgqueryb"

const runtime = ManagedRuntime.make(PgClient.layer({ url: Redacted.make(url) }).pipe(Layer.orDie))
const sql = await runtime.runPromise(SqlClient.SqlClient)
await runtime.runPromise(
  sql.unsafe(
    "CREATE TABLE IF NOT EXISTS django_session (session_key varchar(40) NOT NULL PRIMARY KEY, session_data text NOT NULL, expire_date timestamp with time zone NOT NULL)"
  )
)
await runtime.runPromise(
  sql.unsafe(
    "INSERT INTO django_session VALUES ($1, 'x', now() + interval '1 day') ON CONFLICT (session_key) DO NOTHING",
    [key]
  )
)
const held = await runtime.runPromise(Effect.flatMap(Scope.make(), (scope) => Scope.extend(sql.reserve, scope)))
const pool = new Pg.Pool({ connectionString: url, max: 10 })

const effects: Record<string, () => Effect.Effect<unknown, unknown>> = {
  template: () =>
    sql`SELECT session_data FROM django_session WHERE session_key = ${key} AND expire_date > ${new Date()}`,
  unsafe: () => sql.unsafe(text, [key, new Date()]),
  "unsafe, tracer off": () => Effect.withTracerEnabled(sql.unsafe(text, [key, new Date()]), false),
  "Effect.async over pool.query": () =>
    Effect.async<unknown>((resume) => {
      pool.query(text, [key, new Date()], (_e, r) => resume(Effect.succeed(r.rows)))
    }),
  "Effect.async over pool.connect, client.query": () =>
    Effect.async<unknown>((resume) => {
      pool.connect((_e, client, release) => {
        client!.query(text, [key, new Date()], (_e2, r) => {
          release()
          resume(Effect.succeed(r.rows))
        })
      })
    }),
  "Effect.scoped, Effect.async over pool.query": () =>
    Effect.scoped(Effect.async<unknown>((resume) => {
      pool.query(text, [key, new Date()], (_e, r) => resume(Effect.succeed(r.rows)))
    })),
  "Effect.async with a canceler over pool.query": () =>
    Effect.async<unknown>((resume) => {
      pool.query(text, [key, new Date()], (_e, r) => resume(Effect.succeed(r.rows)))
      return Effect.void
    }),
  "held connection": () => held.execute(text, [key, new Date()], undefined),
  reserve: () => Effect.scoped(Effect.flatMap(sql.reserve, (c) => c.execute(text, [key, new Date()], undefined)))
}
const run = async (count: number) => {
  if (mode === "pool") {
    let left = count
    await Promise.all(Array.from({ length: 50 }, async () => {
      while (left-- > 0) await pool.query(text, [key, new Date()])
    }))
    return
  }
  const query = effects[mode]!
  await runtime.runPromise(Effect.forEach(Array.from({ length: count }), query, { concurrency: 50, discard: true }))
}
await run(n) // warm-up
const before = process.cpuUsage()
await run(n)
const used = process.cpuUsage(before)
console.log(`${mode}: ${n === 0 ? 0 : ((used.user + used.system) / n).toFixed(1)} CPU µs/query`)
await pool.end()
await runtime.dispose()
process.exit(0)
