/**
 * Requests per second of a hello-world view and of a realistic view, served by this library and
 * by its peers, each server in its own process, measured with autocannon on loopback.
 *
 *     npx tsx bench/server.bench.ts            # 5 s per target, 50 connections
 *     DURATION=10 npx tsx bench/server.bench.ts
 *
 * Targets (issue 7): (a) this library's hello view >= 0.95x bare platform (tracer off, the
 * library's own setting); the realistic view >= 0.9x its bare-platform twin.
 */
import autocannon from "autocannon"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { median, startTarget } from "./harness.js"
import { PATH, requestHeaders } from "./server/realistic.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const duration = Number(process.env["DURATION"] ?? 5)
const connections = 50

interface Target {
  readonly name: string
  readonly path: string
  readonly realistic: boolean
}

const hello = (name: string): Target => ({ name, path: "/", realistic: false })
const realistic = (name: string): Target => ({ name, path: PATH, realistic: true })

const allTargets: ReadonlyArray<Target> = [
  hello("node:http"),
  hello("express"),
  hello("hono"),
  hello("fastify"),
  hello("platform"),
  hello("platform, tracer off"),
  hello("library"),
  hello("library, tracer off"),
  hello("platform, tracer off, response per request"),
  hello("library, tracer off, prebuilt response"),
  realistic("realistic: platform by hand"),
  realistic("realistic: library")
]

const diagnostics: ReadonlyArray<Target> = [
  hello("diag: request only"),
  hello("diag: response only"),
  hello("diag: response prebuilt"),
  hello("library view, platform serve, tracer off"),
  hello("library: handler + 2 middleware, tracer off"),
  hello("library, tracer off, 2 workers"),
  hello("platform app, Server.layer, tracer off"),
  hello("platform, tracer off, lean adapter"),
  hello("library, tracer off, lean adapter"),
  realistic("realistic: platform by hand, lean adapter"),
  realistic("realistic: library, lean adapter"),
  realistic("realistic: library, generator per request")
]

// TARGETS="name1|name2" runs only those (diagnostic targets included).
const only = process.env["TARGETS"]?.split("|")
const targets = only === undefined
  ? allTargets
  : [...allTargets, ...diagnostics].filter((t) => only.includes(t.name))

interface Measured {
  readonly rps: number
  /** Server CPU microseconds per request: robust to other load on the machine. */
  readonly cpuPerRequest: number
  readonly bad: number
}

const measure = async (t: Target): Promise<Measured> => {
  const server = await startTarget(Path.join(here, "server", "targets.ts"), [t.name])
  try {
    const url = `http://127.0.0.1:${server.port}${t.path}`
    const headers = t.realistic ? requestHeaders(Date.now()) : {}
    await autocannon({ url, connections, duration: 1, headers }) // warm-up
    const before = await server.cpu()
    const result = await autocannon({ url, connections, duration, headers })
    const after = await server.cpu()
    const bad = result.non2xx + result.errors + result.timeouts
    return { rps: result.requests.average, cpuPerRequest: (after - before) / result.requests.total, bad }
  } finally {
    server.stop()
  }
}

const main = async () => {
  const rounds = Number(process.env["ROUNDS"] ?? 2)
  console.log(
    `autocannon -c ${connections} -d ${duration} per target, loopback, one process per server, ${rounds} rounds (medians)`
  )
  const results = new Map<string, Array<Measured>>()
  for (let round = 0; round < rounds; round++) {
    for (const t of targets) {
      const m = await measure(t)
      results.set(t.name, [...(results.get(t.name) ?? []), m])
      if (m.bad > 0) console.log(`${t.name}: ${m.bad} errors/non-2xx!`)
    }
  }
  const rps = (name: string) => median(results.get(name)!.map((m) => m.rps))
  const cpu = (name: string) => median(results.get(name)!.map((m) => m.cpuPerRequest))
  console.log("")
  console.log(`${"target".padEnd(30)} ${"req/s".padStart(8)} ${"CPU us/req".padStart(11)}`)
  for (const t of targets) {
    console.log(`${t.name.padEnd(30)} ${rps(t.name).toFixed(0).padStart(8)} ${cpu(t.name).toFixed(0).padStart(11)}`)
  }
  const ratio = (a: string, b: string) =>
    results.has(a) && results.has(b) && console.log(
      `${`${a} / ${b}`.padEnd(60)} req/s ${(rps(a) / rps(b)).toFixed(2)}x, CPU-per-request throughput ${
        (cpu(b) / cpu(a)).toFixed(2)
      }x`
    )
  console.log("")
  for (const t of targets) if (!t.realistic && t.name !== "node:http") ratio(t.name, "node:http")
  ratio("platform, tracer off", "platform")
  console.log("")
  console.log("targets (>= 0.95x, >= 0.9x):")
  ratio("library", "platform")
  ratio("library, tracer off", "platform, tracer off")
  ratio("library, tracer off", "platform, tracer off, response per request")
  ratio("library, tracer off, prebuilt response", "platform, tracer off")
  ratio("realistic: library", "realistic: platform by hand")
  ratio("realistic: library, generator per request", "realistic: platform by hand")
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
