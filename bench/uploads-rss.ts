/**
 * The uploads memory bound (issue #14): how much a 256 MiB multipart upload through the example
 * site's `/inspect/` (which spills the file to disk and hashes it back with SHA-256) grows the
 * server's resident set over idle. The bound is 64 MB.
 *
 *   npx tsx bench/uploads-rss.ts                  # 5 runs of 256 MiB
 *   RUNS=9 SIZE_MB=256 npx tsx bench/uploads-rss.ts
 *
 * Each run starts a fresh `node --import tsx examples/server.ts` (as BENCHMARKS.md's session 9
 * commands do by hand), uploads a small file with curl to warm it up, reads the server's VmRSS
 * (idle), then uploads the big file with curl while sampling VmRSS every 100 ms, checks the
 * SHA-256 the page reports, and reads VmHWM (the peak). The server is stopped after each run.
 * Prints each run and the median and max of the growth (peak - idle), with the load average.
 */
import { spawn } from "node:child_process"
import * as Crypto from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"

const RUNS = Number(process.env["RUNS"] ?? 5)
const SIZE_MB = Number(process.env["SIZE_MB"] ?? 256)
const PORT = Number(process.env["PORT"] ?? 18765)
// Extra node flags for the server (e.g. NODE_ARGS="--trace-gc"); TRACE=1 prints the samples.
const NODE_ARGS = (process.env["NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "")
const TRACE = process.env["TRACE"] === "1"
const root = path.resolve(import.meta.dirname, "..")

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-uploads-rss-"))
const small = path.join(tmp, "small")
const big = path.join(tmp, "big")
fs.writeFileSync(small, "hello, world\n")

// The big file: pseudo-random bytes (incompressible), written 1 MiB at a time; its SHA-256 kept.
const bigSha = (() => {
  const hash = Crypto.createHash("sha256")
  const fd = fs.openSync(big, "w")
  const block = Crypto.randomBytes(1024 * 1024)
  for (let i = 0; i < SIZE_MB; i++) {
    block.writeUInt32LE(i, 0)
    fs.writeSync(fd, block)
    hash.update(block)
  }
  fs.closeSync(fd)
  return hash.digest("hex")
})()

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

const once = async (port: number): Promise<Run> => {
  const server = spawn(process.execPath, [...NODE_ARGS, "--import", "tsx", "examples/server.ts"], {
    cwd: root,
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
const median = (xs: Array<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

try {
  const growths: Array<number> = []
  console.log(
    `${SIZE_MB} MiB through /inspect/, ${RUNS} runs; load average before: ${
      os.loadavg().map((x) => x.toFixed(2)).join(", ")
    }`
  )
  for (let i = 0; i < RUNS; i++) {
    const r = await once(PORT + i)
    growths.push(r.peak - r.idle)
    console.log(
      `run ${i + 1}: idle ${mb(r.idle)} MB, peak (VmHWM) ${mb(r.peak)} MB, growth ${mb(r.peak - r.idle)} MB ` +
        `(sampled every 100 ms: ${mb(r.sampledPeak - r.idle)} MB), ${r.seconds.toFixed(1)} s`
    )
  }
  console.log(
    `growth over idle: median ${mb(median(growths))} MB, max ${mb(Math.max(...growths))} MB (bound 64 MB); ` +
      `load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(", ")}`
  )
} finally {
  fs.rmSync(tmp, { recursive: true, force: true })
}
