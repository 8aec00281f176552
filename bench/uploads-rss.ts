/**
 * The uploads memory bound (issue #14): how much a 256 MiB multipart upload through the example
 * site's `/inspect/` (which spills the file to disk and hashes it back with SHA-256) grows the
 * server's resident set over idle. The bound is 64 MB.
 *
 *   npx tsx bench/uploads-rss.ts                  # 5 runs of 256 MiB
 *   RUNS=9 SIZE_MB=256 npx tsx bench/uploads-rss.ts
 *   TREES=/work/main,. npx tsx bench/uploads-rss.ts   # before/after: each tree's example, runs interleaved
 *
 * Each run starts a fresh `node --import tsx examples/server.ts` (as BENCHMARKS.md's session 9
 * commands do by hand), uploads a small file with curl to warm it up, reads the server's VmRSS
 * (idle), then uploads the big file with curl while sampling VmRSS every 100 ms, checks the
 * SHA-256 the page reports, and reads VmHWM (the peak). The server is stopped after each run.
 * Prints each run and the median and max of the growth (peak - idle), with the load average.
 * With TREES (checkouts, each with its node_modules), run i serves each tree's example in turn.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { median } from "./harness.js"
import { writeBigFile } from "./uploadFile.js"

const RUNS = Number(process.env["RUNS"] ?? 5)
const SIZE_MB = Number(process.env["SIZE_MB"] ?? 256)
const PORT = Number(process.env["PORT"] ?? 18765)
// Extra node flags for the server (e.g. NODE_ARGS="--trace-gc"); TRACE=1 prints the samples.
const NODE_ARGS = (process.env["NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "")
const TRACE = process.env["TRACE"] === "1"
const root = path.resolve(import.meta.dirname, "..")
const trees = (process.env["TREES"] ?? root).split(",").map((t) => path.resolve(t))

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-uploads-rss-"))
const small = path.join(tmp, "small")
const big = path.join(tmp, "big")
fs.writeFileSync(small, "hello, world\n")

const bigSha = writeBigFile(big, SIZE_MB)

const kb = (pid: number, key: string): number => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)
  if (m === null) throw new Error(`no ${key} in /proc/${pid}/status`)
  return Number(m[1])
}

const get = (port: number) =>
  new Promise<boolean>((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/" }, (res) => {
      res.resume()
      res.on("end", () => resolve(true))
    })
    req.on("error", () => resolve(false))
  })

const curl = (port: number, file: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn("curl", ["-sS", "-F", `f=@${file}`, `http://127.0.0.1:${port}/inspect/`], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (d: string) => (out += d))
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`curl exited with ${code}`))))
  })

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Run {
  readonly idle: number
  readonly peak: number
  readonly sampledPeak: number
  readonly seconds: number
}

const once = async (tree: string, port: number): Promise<Run> => {
  const server = spawn(process.execPath, [...NODE_ARGS, "--import", "tsx", "examples/server.ts"], {
    cwd: tree,
    env: {
      ...process.env,
      PORT: String(port),
      SECRET_KEY: "bench-uploads-rss",
      DATABASE_URL: `sqlite:${path.join(tmp, `db-${port}.sqlite3`)}`
    },
    stdio: ["ignore", TRACE ? "inherit" : "ignore", "inherit"]
  })
  const pid = server.pid!
  try {
    for (let i = 0; !(await get(port)); i++) {
      if (i > 300) throw new Error("the example server did not start")
      await sleep(100)
    }
    await curl(port, small)
    await sleep(500)
    const idle = kb(pid, "VmRSS")
    let sampledPeak = idle
    const samples: Array<string> = []
    const timer = setInterval(() => {
      const rss = kb(pid, "VmRSS")
      sampledPeak = Math.max(sampledPeak, rss)
      if (TRACE) samples.push(`${((performance.now() - start) / 1000).toFixed(1)}s ${mb(rss - idle)}`)
    }, 100)
    const start = performance.now()
    const body = await curl(port, big)
    const seconds = (performance.now() - start) / 1000
    clearInterval(timer)
    if (TRACE) console.log(`  MB over idle: ${samples.join(", ")}`)
    if (!body.includes(bigSha)) throw new Error(`the page does not show the file's SHA-256: ${body.slice(0, 500)}`)
    return { idle, peak: kb(pid, "VmHWM"), sampledPeak, seconds }
  } finally {
    server.kill("SIGTERM")
    await new Promise((r) => server.once("exit", r))
  }
}

const mb = (k: number) => (k / 1024).toFixed(1)

try {
  const growths = new Map(trees.map((t) => [t, [] as Array<number>]))
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(", ")
  console.log(`${SIZE_MB} MiB through /inspect/, ${RUNS} runs; load average before: ${load()}`)
  for (let i = 0; i < RUNS; i++) {
    for (const [j, tree] of trees.entries()) {
      const r = await once(tree, PORT + i * trees.length + j)
      growths.get(tree)!.push(r.peak - r.idle)
      console.log(
        `run ${i + 1}${trees.length > 1 ? ` ${tree}` : ""}: idle ${mb(r.idle)} MB, peak (VmHWM) ${mb(r.peak)} MB, ` +
          `growth ${mb(r.peak - r.idle)} MB (sampled every 100 ms: ${mb(r.sampledPeak - r.idle)} MB), ` +
          `${r.seconds.toFixed(1)} s`
      )
    }
  }
  for (const [tree, g] of growths) {
    console.log(
      `${trees.length > 1 ? `${tree}: ` : ""}growth over idle: median ${mb(median(g))} MB, max ${
        mb(Math.max(...g))
      } MB (bound 64 MB)`
    )
  }
  console.log(`load average after: ${load()}`)
} finally {
  fs.rmSync(tmp, { recursive: true, force: true })
}
