/**
 * One store call of a `list` request on SQLite, three ways, in one process: the better-sqlite3
 * prepared statement alone (the floor), the store on the driver (`Sessions.layerSqlite`'s
 * storage, `Auth.layerSqlite`'s `Users`), and the store over `@effect/sql-sqlite-node`
 * (`layerSql`'s). The session row's `load` (the storage's, before the session's decode) and the
 * user's `findById`; each call run with `Runtime.runSync` (whose own cost is the last row),
 * rounds interleaved, CPU µs per call (medians of ROUNDS).
 *
 *     npx tsx bench/stack/storecalls.ts            # ROUNDS=5 N=20000
 *
 * Instructions per call: one call (`ONLY`, the start of its name), a bundle under callgrind, two N:
 *
 *     npx esbuild bench/stack/storecalls.ts --bundle --platform=node --format=esm --packages=external \
 *       --outfile=bench/stack/_storecalls.mjs
 *     ONLY="session load: \`layerSqlite" N=10000 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
 *       node --single-threaded --predictable bench/stack/_storecalls.mjs      # and N=30000
 */
import { SqlClient } from "@effect/sql"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import Database from "better-sqlite3"
import { Context, Effect, Layer, Runtime } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { Auth, Sessions, Settings } from "../../src/index.js"
import * as stores from "../../src/internal/sessionStores.js"
import * as sqlite from "../../src/internal/sqliteStores.js"
import { median } from "../harness.js"
import { seed } from "./common.js"

const n = Number(process.env["N"] ?? 20000)
const rounds = Number(process.env["ROUNDS"] ?? 5)

const filename = Path.join(mkdtempSync(Path.join(tmpdir(), "bench-stack-calls-")), "db.sqlite3")
seed(filename)

const program = Effect.gen(function*() {
  const runtime = yield* Effect.runtime<never>()
  const run = <A, E>(effect: Effect.Effect<A, E>) => Runtime.runSync(runtime, effect)
  // One session row, written through the store so that it is the row a request loads.
  const direct = yield* Layer.build(Sessions.layerSqlite({ filename }))
  const settings = Settings.make({ SECRET_KEY: "bench-store-calls" })
  const saved = yield* Context.get(direct, Sessions.SessionStore).create(
    { key: null, cache: new Map([["_auth_user_id", "1"]]), accessed: true, modified: true },
    settings
  )
  const key = saved.key!
  const now = new Date()
  const client = yield* SqlClient.SqlClient
  const onSql = stores.sql(client)
  const db = yield* sqlite.open(filename)
  const onDriver = sqlite.sessionStorage(db)
  const usersOnDriver = Context.get(yield* Layer.build(Auth.layerSqlite({ filename })), Auth.Users)
  const usersOnSql = Auth.sqlUsers(client)
  const raw = new Database(filename)
  const load = raw.prepare(stores.statements(false).load)
  const user = raw.prepare(
    "SELECT id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined FROM auth_user WHERE id = ?"
  )
  const when = stores.sqliteDatetime(now)
  const calls: Record<string, () => unknown> = {
    "session load: better-sqlite3 `.get` alone": () => load.get(key, when),
    "session load: `layerSqlite`'s storage (driver)": () => run(onDriver.load(key, now)),
    "session load: `layerSql`'s storage (`sql.unsafe`)": () => run(onSql.load(key, now)),
    "user by id: better-sqlite3 `.get` alone": () => user.get(1),
    "user by id: `Auth.layerSqlite`'s `findById` (driver)": () => run(usersOnDriver.findById(1)),
    "user by id: `Auth.layerSql`'s `findById` (`sql.unsafe`)": () => run(usersOnSql.findById(1)),
    "`Runtime.runSync(Effect.sync(...))` alone": () => run(Effect.sync(() => 1))
  }
  // Each returns what it found: a wrong key would measure a miss.
  if (run(onDriver.load(key, now))._tag !== "Some" || run(onSql.load(key, now))._tag !== "Some") {
    throw new Error("the session row is not found")
  }
  const only = process.env["ONLY"]
  if (only !== undefined) {
    // For `valgrind --tool=callgrind`: the one call whose name starts with ONLY, a warm-up, then
    // N calls; the difference of two runs with different N is the instructions of the calls.
    const name = Object.keys(calls).find((k) => k.startsWith(only))
    if (name === undefined) throw new Error(`ONLY=${only}: no such call`)
    const f = calls[name]!
    for (let i = 0; i < 5000; i++) f()
    for (let i = 0; i < n; i++) f()
    console.log(`${name}: ${n} calls`)
    return
  }
  const names = Object.keys(calls)
  const results = new Map(names.map((name) => [name, [] as Array<number>]))
  for (const name of names) for (let i = 0; i < 2000; i++) calls[name]!()
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 === 0 ? names : [...names].reverse()) {
      const f = calls[name]!
      const before = process.cpuUsage()
      for (let i = 0; i < n; i++) f()
      const used = process.cpuUsage(before)
      results.get(name)!.push((used.user + used.system) / n)
    }
  }
  raw.close()
  console.log(`${rounds} rounds of ${n} calls, interleaved, CPU µs per call, medians:`)
  console.log(`| call | CPU µs/call |`)
  console.log(`| --- | --- |`)
  for (const name of names) console.log(`| ${name} | ${median(results.get(name)!).toFixed(2)} |`)
})

Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(SqliteClient.layer({ filename })))).catch((e) => {
  console.error(e)
  process.exit(1)
})
