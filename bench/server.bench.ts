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
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { median, startTarget } from "./harness.js"
import { treeCpu, treeDelta } from "./server/proctree.js"
import { PATH, requestHeaders } from "./server/realistic.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const duration = Number(process.env["DURATION"] ?? 5)
const warmup = Number(process.env["WARMUP"] ?? 1)
const connections = Number(process.env["CONNECTIONS"] ?? 50)
// SERVER_CPUS="1" starts each server under `taskset -c 1` (its workers inherit it); run the
// bench itself under `taskset -c 0` to pin the load generator (BENCHMARKS.md, server: workers).
const serverCpus = process.env["SERVER_CPUS"]

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
  hello("library, tracer off, 1 worker"),
  hello("library, tracer off, 2 workers"),
  hello("library, tracer off, 2 workers, scheduling none"),
  hello("busy: library, 1 worker"),
  hello("busy: library, 2 workers"),
  hello("platform app, Server.layer, tracer off"),
  hello("platform, tracer off, lean adapter"),
  hello("library, tracer off, lean adapter"),
  hello("library, tracer off, lean adapter, Node's 30 s connection checks"),
  realistic("realistic: platform by hand, lean adapter"),
  realistic("realistic: library, lean adapter"),
  realistic("realistic: library, generator per request")
]

// TARGETS="name1|name2" runs only those (diagnostic targets included).
const only = process.env["TARGETS"]?.split("|")
const targets = only === undefined
  ? allTargets
  : [...allTargets, ...diagnostics].filter((t) => only.includes(t.name))

const start = (name: string) =>
  startTarget(Path.join(here, "server", "targets.ts"), [name], {
    cpus: serverCpus,
    listeners: Number(/(\d+) workers?/.exec(name)?.[1] ?? 1)
  })

interface Measured {
  readonly rps: number
  /** Server CPU microseconds per request: robust to other load on the machine. */
  readonly cpuPerRequest: number
  /** Every server process's CPU (a primary and its workers), microseconds per request. */
  readonly treeCpuPerRequest: number
  /** The load generator's (this process's) CPU, microseconds per request. */
  readonly loadCpuPerRequest: number
  /** Each server process's share of the tree's CPU, largest first (the primary's is the smallest). */
  readonly shares: ReadonlyArray<number>
  readonly bad: number
}

const measure = async (t: Target): Promise<Measured> => {
  const server = await start(t.name)
  try {
    const url = `http://127.0.0.1:${server.port}${t.path}`
    const headers = t.realistic ? requestHeaders(Date.now()) : {}
    await autocannon({ url, connections, duration: warmup, headers }) // warm-up
    const before = await server.cpu()
    const treeBefore = treeCpu(server.pid)
    const loadBefore = process.cpuUsage()
    const result = await autocannon({ url, connections, duration, headers })
    const load = process.cpuUsage(loadBefore)
    const tree = [...treeDelta(treeBefore, treeCpu(server.pid)).values()]
    const after = await server.cpu()
    const bad = result.non2xx + result.errors + result.timeouts
    const n = result.requests.total
    const treeTotal = tree.reduce((a, b) => a + b, 0)
    return {
      rps: result.requests.average,
      cpuPerRequest: (after - before) / n,
      treeCpuPerRequest: treeTotal / n,
      loadCpuPerRequest: (load.user + load.system) / n,
      shares: tree.map((cpu) => cpu / treeTotal).sort((a, b) => b - a),
      bad
    }
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
  const tree = (name: string) => median(results.get(name)!.map((m) => m.treeCpuPerRequest))
  const load = (name: string) => median(results.get(name)!.map((m) => m.loadCpuPerRequest))
  console.log("")
  console.log(
    `${"target".padEnd(30)} ${"req/s".padStart(8)} ${"CPU us/req".padStart(11)} ${
      "all server processes".padStart(21)
    } ${"load generator".padStart(15)}  shares of the server CPU per process (medians)`
  )
  for (const t of targets) {
    const ms = results.get(t.name)!
    const shares = ms[0]!.shares.map((_, i) => `${(100 * median(ms.map((m) => m.shares[i] ?? 0))).toFixed(1)}%`)
    console.log(
      `${t.name.padEnd(30)} ${rps(t.name).toFixed(0).padStart(8)} ${cpu(t.name).toFixed(0).padStart(11)} ${
        tree(t.name).toFixed(1).padStart(21)
      } ${load(t.name).toFixed(1).padStart(15)}  ${shares.join(" ")}`
    )
  }
  console.log(`load average: ${Os.loadavg().map((l) => l.toFixed(2)).join(" ")}`)
  const workersRatio = (a: string, b: string) =>
    results.has(a) && results.has(b) && console.log(
      `${`${a} / ${b}`.padEnd(60)} req/s ${(rps(a) / rps(b)).toFixed(2)}x, per server CPU ${
        (tree(b) / tree(a)).toFixed(2)
      }x`
    )
  workersRatio("library, tracer off, 2 workers", "library, tracer off")
  workersRatio("library, tracer off, 2 workers", "library, tracer off, 1 worker")
  workersRatio("library, tracer off, 2 workers, scheduling none", "library, tracer off")
  workersRatio("busy: library, 2 workers", "busy: library, 1 worker")
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
