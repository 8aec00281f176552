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
import { spawn } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
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

const targets: ReadonlyArray<Target> = [
  hello("node:http"),
  hello("express"),
  hello("hono"),
  hello("fastify"),
  hello("platform"),
  hello("platform, tracer off"),
  realistic("realistic: platform by hand")
]

const start = (name: string) =>
  new Promise<{ port: number; stop: () => void }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", Path.join(here, "server", "targets.ts"), name], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const m = /listening on \S+:(\d+)/.exec(out)
      if (m) resolve({ port: Number(m[1]), stop: () => child.kill("SIGKILL") })
    })
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}: ${out}`)))
  })

const measure = async (t: Target) => {
  const server = await start(t.name)
  try {
    const url = `http://127.0.0.1:${server.port}${t.path}`
    const headers = t.realistic ? requestHeaders(Date.now()) : {}
    await autocannon({ url, connections, duration: 1, headers }) // warm-up
    const result = await autocannon({ url, connections, duration, headers })
    const bad = result.non2xx + result.errors + result.timeouts
    return { rps: result.requests.average, bad }
  } finally {
    server.stop()
  }
}

const main = async () => {
  console.log(`autocannon -c ${connections} -d ${duration} per target, loopback, one process per server`)
  const results = new Map<string, number>()
  for (const t of targets) {
    const { bad, rps } = await measure(t)
    results.set(t.name, rps)
    console.log(
      `${t.name.padEnd(34)} ${rps.toFixed(0).padStart(8)} req/s${bad > 0 ? `  (${bad} errors/non-2xx!)` : ""}`
    )
  }
  const ratio = (a: string, b: string) => {
    const x = results.get(a)
    const y = results.get(b)
    if (x !== undefined && y !== undefined) console.log(`${a} / ${b}: ${(x / y).toFixed(2)}x`)
  }
  console.log("")
  for (const t of targets) if (!t.realistic && t.name !== "node:http") ratio(t.name, "node:http")
  ratio("platform, tracer off", "platform")
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
