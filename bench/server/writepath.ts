/**
 * What the last step of a response costs Node, apart from any framework: a `node:http` server
 * answering every request with the same ~3.6 KB body (the size of the notes app's `json`), written
 * in different ways, one process per way, loaded with autocannon (50 connections) in interleaved
 * rounds; CPU microseconds per request of each server (`process.cpuUsage`), medians, and the
 * ratio to `object+buffer` (the lean adapter's way before session 11) in the same round.
 *
 *     ROUNDS=5 DURATION=3 npx tsx bench/server/writepath.ts
 *     BODY=5000 WAYS="object+buffer|flat+buffer|one-buffer" npx tsx bench/server/writepath.ts
 *
 * - `object+buffer`: `writeHead(status, headersObject)` then `end(bytes)` (a header string and the
 *   body's bytes: two chunks, one `writev`);
 * - `flat+buffer`: `writeHead(status, [name, value, ...])` then `end(bytes)`;
 * - `flat+string`: the body as a string (Node prepends the header to it: one chunk, one `write`);
 * - `one-buffer`: the header block encoded into the same buffer as the body, one `socket.write`
 *   through `ServerResponse` bypassed (for the floor only, not a way to answer).
 */
import autocannon from "autocannon"
import { spawn } from "node:child_process"
import * as Http from "node:http"
import { loadavg } from "node:os"
import { fileURLToPath } from "node:url"
import { freePort, median } from "../harness.js"

const WAYS = ["object+buffer", "flat+buffer", "flat+string", "one-buffer"] as const
type Way = typeof WAYS[number]
const size = Number(process.env["BODY"] ?? 3624)
const text = "x".repeat(size)
const bytes = new TextEncoder().encode(text)
const headers = (): Record<string, string> => ({
  "content-type": "application/json",
  "x-frame-options": "DENY",
  "content-length": String(size),
  vary: "Cookie",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin"
})

const serve = (way: Way, port: number) => {
  process.on("SIGUSR2", () => {
    const u = process.cpuUsage()
    console.log(`cpu ${u.user + u.system}`)
  })
  const server = Http.createServer((req, res) => {
    const h = headers()
    if (way === "object+buffer") {
      res.writeHead(200, h)
      res.end(bytes)
      return
    }
    const flat: Array<string> = []
    for (const name in h) flat.push(name, h[name]!)
    if (way === "flat+buffer") {
      res.writeHead(200, flat)
      res.end(bytes)
    } else if (way === "flat+string") {
      res.writeHead(200, flat)
      res.end(text)
    } else {
      let head = "HTTP/1.1 200 OK\r\n"
      for (let i = 0; i < flat.length; i += 2) head += `${flat[i]}: ${flat[i + 1]}\r\n`
      head += `Date: ${new Date().toUTCString()}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n`
      const out = Buffer.allocUnsafe(Buffer.byteLength(head, "latin1") + bytes.length)
      const n = out.write(head, 0, "latin1")
      out.set(bytes, n)
      req.socket.write(out)
    }
  })
  server.listen(port, "127.0.0.1", () => console.log("listening"))
}

const drive = async () => {
  const ways = WAYS.filter((w) => process.env["WAYS"]?.split("|").includes(w) ?? true)
  const rounds = Number(process.env["ROUNDS"] ?? 5)
  const duration = Number(process.env["DURATION"] ?? 3)
  const load1 = () => loadavg().map((x) => x.toFixed(2)).join(", ")
  console.log(`bench/server/writepath: body ${size} bytes; ${rounds} rounds of ${duration} s; load ${load1()}`)
  const servers = await Promise.all(ways.map(async (way) => {
    const port = await freePort()
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), way, String(port)], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    let waiting: ((n: number) => void) | undefined
    await new Promise<void>((ready) =>
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString()
        const m = /cpu (\d+)\n/.exec(out)
        if (m && waiting) {
          out = out.replace(m[0], "")
          const w = waiting
          waiting = undefined
          w(Number(m[1]))
        }
        if (out.includes("listening")) {
          out = out.replace("listening", "")
          ready()
        }
      })
    )
    const cpu = () => new Promise<number>((done) => (waiting = done, child.kill("SIGUSR2")))
    return { way, port, child, cpu }
  }))
  const load = (port: number, seconds: number) =>
    autocannon({ url: `http://127.0.0.1:${port}/`, connections: 50, duration: seconds })
  const cpu = new Map<Way, Array<number>>()
  const ratio = new Map<Way, Array<number>>()
  for (const s of servers) await load(s.port, 1)
  for (let r = 0; r < rounds; r++) {
    const round = new Map<Way, number>()
    for (let i = 0; i < servers.length; i++) {
      const s = servers[(i + r) % servers.length]!
      const before = await s.cpu()
      const result = await load(s.port, duration)
      const after = await s.cpu()
      round.set(s.way, (after - before) / result.requests.total)
    }
    for (const [w, v] of round) {
      cpu.set(w, [...(cpu.get(w) ?? []), v])
      ratio.set(w, [...(ratio.get(w) ?? []), v / round.get(ways[0]!)!])
    }
    console.log(`round ${r + 1}: ${[...round].map(([w, v]) => `${w} ${v.toFixed(1)}`).join(", ")} (load ${load1()})`)
  }
  console.log(`| way | CPU µs/request | / ${ways[0]}'s, same round |`)
  console.log("| --- | --- | --- |")
  for (const w of ways) {
    console.log(`| ${w} | ${median(cpu.get(w)!).toFixed(1)} | ${median(ratio.get(w)!).toFixed(2)}x |`)
  }
  for (const s of servers) s.child.kill("SIGINT")
}

const [mode, port] = process.argv.slice(2)
if (mode === undefined) drive().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)))
else serve(mode as Way, Number(port))
