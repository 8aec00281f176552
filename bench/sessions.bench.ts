/**
 * Per-request cost of a session read and written (a counter: load, +1, save, Set-Cookie), for
 * each of this library's stores and for express-session on the same store, each server in its
 * own process, measured with autocannon on loopback. All requests carry the cookie of one
 * session, created by a first request.
 *
 *     npx tsx bench/sessions.bench.ts                       # memory, signed cookies, SQLite
 *     DATABASE_URL=postgres://... REDIS_URL=redis://... npx tsx bench/sessions.bench.ts
 *     ROUNDS=3 DURATION=3 TARGETS="express-session, memory|library, memory" npx tsx bench/sessions.bench.ts
 *     WARMUP=3 npx tsx bench/sessions.bench.ts              # seconds of load before each measurement (1)
 *
 * Target (issue 17): no slower than express-session on the same store.
 */
import autocannon from "autocannon"
import * as Http from "node:http"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { median, startTarget } from "./harness.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const duration = Number(process.env["DURATION"] ?? 5)
const rounds = Number(process.env["ROUNDS"] ?? 2)
// Seconds of load before each measurement: on a loaded machine one second is a few hundred
// requests, too few for the JIT to settle.
const warmup = Number(process.env["WARMUP"] ?? 1)
const connections = 50

const all = [
  "express-session, memory",
  "library, memory",
  "library, signed cookies",
  "library, SQLite",
  ...(process.env["DATABASE_URL"] === undefined ? [] : ["express-session, connect-pg-simple", "library, PostgreSQL"]),
  ...(process.env["REDIS_URL"] === undefined ? [] : ["express-session, connect-redis", "library, Redis"])
]
const only = process.env["TARGETS"]?.split("|")
const targets = only === undefined ? all : all.filter((t) => only.includes(t))

/** The session cookie a first request gets (`name=value`). */
const firstCookie = (port: number) =>
  new Promise<string>((resolve, reject) => {
    Http.get({ host: "127.0.0.1", port, path: "/" }, (res) => {
      res.resume()
      const set = res.headers["set-cookie"]?.[0]
      if (set === undefined) reject(new Error("no Set-Cookie on the first request"))
      else resolve(set.split(";")[0]!)
    }).on("error", reject)
  })

interface Measured {
  readonly rps: number
  readonly cpuPerRequest: number
  readonly bad: number
}

const measure = async (name: string): Promise<Measured> => {
  const server = await startTarget(Path.join(here, "sessions", "targets.ts"), [name])
  try {
    const url = `http://127.0.0.1:${server.port}/`
    const headers = { cookie: await firstCookie(server.port) }
    await autocannon({ url, connections, duration: warmup, headers })
    const before = await server.cpu()
    const result = await autocannon({ url, connections, duration, headers })
    const after = await server.cpu()
    return {
      rps: result.requests.average,
      cpuPerRequest: (after - before) / result.requests.total,
      bad: result.non2xx + result.errors + result.timeouts
    }
  } finally {
    server.stop()
  }
}

const main = async () => {
  console.log(
    `autocannon -c ${connections} -d ${duration} per target after ${warmup} s, loopback, ${rounds} rounds (medians)`
  )
  const results = new Map<string, Array<Measured>>()
  for (let round = 0; round < rounds; round++) {
    for (const t of targets) {
      const m = await measure(t)
      results.set(t, [...(results.get(t) ?? []), m])
      if (m.bad > 0) console.log(`${t}: ${m.bad} errors/non-2xx!`)
    }
  }
  const rps = (t: string) => median(results.get(t)!.map((m) => m.rps))
  const cpu = (t: string) => median(results.get(t)!.map((m) => m.cpuPerRequest))
  console.log("")
  console.log(`${"target".padEnd(36)} ${"req/s".padStart(8)} ${"CPU us/req".padStart(11)}`)
  for (const t of targets) {
    console.log(`${t.padEnd(36)} ${rps(t).toFixed(0).padStart(8)} ${cpu(t).toFixed(0).padStart(11)}`)
  }
  console.log("")
  const ratio = (a: string, b: string) =>
    results.has(a) && results.has(b) &&
    console.log(
      `${`${a} / ${b}`.padEnd(72)} req/s ${(rps(a) / rps(b)).toFixed(2)}x, CPU ${(cpu(b) / cpu(a)).toFixed(2)}x`
    )
  ratio("library, memory", "express-session, memory")
  ratio("library, PostgreSQL", "express-session, connect-pg-simple")
  ratio("library, Redis", "express-session, connect-redis")
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
