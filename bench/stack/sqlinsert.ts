/**
 * What the notes app's insert (the `post` request's write) costs through `@effect/sql`
 * (`@effect/sql-sqlite-node`, and this library's `Sqlite` client since session 11) against the
 * same statement on better-sqlite3, in one process:
 * CPU microseconds per insert (`process.cpuUsage`), interleaved rounds, medians (session 10,
 * helper `post`). The rows go to a fresh database in WAL mode, as the stack's.
 *
 *     ROUNDS=5 N=5000 npx tsx bench/stack/sqlinsert.ts
 *
 * Runtime steps of one way (`bench/stack/opcount.mjs`):
 *
 *     CALLGRIND_VARIANT="@effect/sql, as the app writes it" N=1000 \
 *       node --import tsx --import ./bench/stack/opcount.mjs bench/stack/sqlinsert.ts
 *     CALLGRIND_VARIANT="Sqlite (this library's client), as the app writes it" N=1000 \
 *       node --import tsx --import ./bench/stack/opcount.mjs bench/stack/sqlinsert.ts
 */
import { SqlClient } from "@effect/sql"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { SqlError } from "@effect/sql/SqlError"
import Database from "better-sqlite3"
import { Effect, Layer, Runtime, Scope } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { Sqlite } from "../../src/index.js"
import { countSteps, interleavedRounds, median } from "../harness.js"
import { djangoDatetime, seed } from "./common.js"

const rounds = Number(process.env["ROUNDS"] ?? 5)
const n = Number(process.env["N"] ?? 5000)
const INSERT = "INSERT INTO notes_note (title, body, created, user_id) VALUES (?, ?, ?, ?)"

const filename = Path.join(mkdtempSync(Path.join(tmpdir(), "bench-stack-sqlinsert-")), "db.sqlite3")
seed(filename)

/** The app's insert as its view writes it (the date read when it runs), on whichever client the runtime holds. */
const asTheAppWritesIt = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    sql`INSERT INTO notes_note (title, body, created, user_id) VALUES (${"t"}, ${"b"}, ${
      djangoDatetime(new Date())
    }, ${1})`
)

const program = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // Run on a runtime whose context holds the client, as a view's fiber does.
  const services = yield* Effect.runtime<SqlClient.SqlClient>()
  const runSync = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) => Runtime.runSync(services, effect)
  // The library's client (`Sqlite.layer`) on its own connection to the same file.
  const ours = yield* Layer.toRuntime(Sqlite.layer({ filename })).pipe(
    Effect.provideService(Scope.Scope, yield* Scope.make())
  )
  const runOurs = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) => Runtime.runSync(ours, effect)
  const db = new Database(filename)
  const insert = db.prepare<[string, string, string, number]>(INSERT)
  const failed = (cause: unknown) => new SqlError({ cause, message: "Failed to execute statement" })
  const ways: Record<string, () => unknown> = {
    "better-sqlite3, prepared, called directly (Express)": () => insert.run("t", "b", djangoDatetime(new Date()), 1),
    "better-sqlite3 in Effect.try (the stack's NotesDb)": () =>
      runSync(Effect.try({ try: () => insert.run("t", "b", djangoDatetime(new Date()), 1), catch: failed })),
    "@effect/sql, as the app writes it": () => runSync(asTheAppWritesIt),
    "Sqlite (this library's client), as the app writes it": () => runOurs(asTheAppWritesIt),
    "@effect/sql, the client taken once (a repository service)": () =>
      runSync(
        sql`INSERT INTO notes_note (title, body, created, user_id) VALUES (${"t"}, ${"b"}, ${
          djangoDatetime(new Date())
        }, ${1})`
      ),
    "@effect/sql, sql.unsafe": () => runSync(sql.unsafe(INSERT, ["t", "b", djangoDatetime(new Date()), 1])),
    "@effect/sql, tracer off (Effect.withTracerEnabled(false))": () =>
      runSync(
        Effect.withTracerEnabled(
          sql`INSERT INTO notes_note (title, body, created, user_id) VALUES (${"t"}, ${"b"}, ${
            djangoDatetime(new Date())
          }, ${1})`,
          false
        )
      ),
    "runSync(Effect.void) alone (subtract from the Effect rows)": () => runSync(Effect.void)
  }
  const run = (name: string) =>
    Effect.sync(() => {
      const f = ways[name]!
      const before = process.cpuUsage()
      for (let i = 0; i < n; i++) f()
      const used = process.cpuUsage(before)
      return (used.user + used.system) / n
    })
  const single = process.env["CALLGRIND_VARIANT"]
  if (single !== undefined) {
    const way = ways[single]!
    yield* countSteps({
      n,
      warmUp: function*() {
        way()
      },
      measured: run(single)
    })
    console.log(`${single}: ${n} inserts`)
    return
  }
  const names = Object.keys(ways)
  const results = yield* Effect.promise(() =>
    interleavedRounds(names, rounds, (name) => Runtime.runPromise(services, run(name)), process.env["PROFILE"])
  )
  console.log(`${rounds} rounds of ${n} inserts, CPU µs/insert, medians:`)
  console.log(`| way | CPU µs/insert |`)
  console.log(`| --- | --- |`)
  for (const name of names) console.log(`| ${name} | ${median(results.get(name)!).toFixed(1)} |`)
  db.close()
})

Effect.runPromise(Effect.provide(program, SqliteClient.layer({ filename }))).catch((e) => {
  console.error(e)
  process.exit(1)
})
