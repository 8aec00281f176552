/**
 * File downloads: a GET answered with a file from disk as an attachment, three sizes (4 KiB,
 * 1 MiB, 32 MiB), and a `Range` request (1 MiB from the middle of the 32 MiB file), on four
 * stacks, one process each, loaded with autocannon (`client.ts`'s `load`) from this script with
 * the same connections and duration, in interleaved rounds (medians):
 *
 * - `library`: `Server.run` (the default lean adapter), a view returning
 *   `FileResponse.fromPath(path, { asAttachment: true })` (with `request: request.headers` for
 *   the range case), no middleware;
 * - `express`: Express 5's `res.sendFile` with the Content-Disposition header (what `res.download`
 *   does, but `res.download` leaves a token-safe name unquoted where Django quotes it), ETag and
 *   Cache-Control off, Last-Modified and Accept-Ranges on for the range case only, so that the
 *   headers are the library's;
 * - `fastify`: Fastify 5, `fs.stat` then `reply.send(fs.createReadStream(...))` with the same
 *   headers (`@fastify/static` is not a devDependency of this project);
 * - `node`: `node:http`, `fs.stat` then `fs.createReadStream(...).pipe(res)`, the floor.
 *
 * Every stack answers the same headers: Content-Type `application/octet-stream`, Content-Length,
 * `Content-Disposition: attachment; filename="NAME"` (plus, for the range case, 206 with
 * Content-Range and Accept-Ranges). Before each load a few answers are read whole and compared
 * byte for byte with the file (status, Content-Length, Content-Disposition, Content-Range); during
 * the load every answer must be 2xx with no error or timeout, and the bytes received must fit the
 * answers counted. The server's peak RSS (`VmHWM`) is reset before each load (`clear_refs`) and
 * read after it.
 *
 *     npm run build && npx tsx bench/stack/download.ts
 *     ROUNDS=5 DURATION=5 CONNECTIONS=10 npx tsx bench/stack/download.ts
 *     STACKS="library|express" CASES="32m|range" npx tsx bench/stack/download.ts
 *     LIBRARY=src npx tsx bench/stack/download.ts   # the library from src/ through tsx
 *     BEFORE=/tmp/before STACKS="library|library-before|express" npx tsx bench/stack/download.ts
 *       # + the library built in /tmp/before (`git archive main | tar -x -C /tmp/before`, then
 *       # `npx tsc -p tsconfig.build.json` there with this node_modules linked)
 *
 * The same file serves one stack when `DOWNLOAD_STACK` is set (what the runner spawns).
 */
import { execFileSync } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import * as Fs from "node:fs"
import * as Http from "node:http"
import { loadavg, tmpdir } from "node:os"
import * as Path from "node:path"
import { freePort, median, type Started, startGroup } from "../harness.js"
import { load } from "./client.js"
import { here } from "./common.js"

const SIZES = { "4k": 4 * 1024, "1m": 1024 * 1024, "32m": 32 * 1024 * 1024 } as const
type SizeName = keyof typeof SIZES
/** The range case: 1 MiB from the middle of the 32 MiB file. */
const RANGE = { file: "32m" as SizeName, start: 16 * 1024 * 1024 + 17, length: 1024 * 1024 }
const fileName = (size: SizeName) => `${size}.bin`

// ---------------------------------------------------------------------------
// The servers (DOWNLOAD_STACK=name DOWNLOAD_DIR=dir PORT=port)
// ---------------------------------------------------------------------------

const ready = (port: number) => console.log(`listening on http://127.0.0.1:${port}`)

/** `/f/NAME` the whole file, `/r/NAME` the same with Range honoured; `/ready` answers 200. */
const route = (url: string): { readonly file: string; readonly range: boolean } | undefined => {
  const m = /^\/(f|r)\/(4k|1m|32m)$/.exec(url)
  return m === null ? undefined : { file: fileName(m[2] as SizeName), range: m[1] === "r" }
}

/** `bytes=a-b` (the one form the bench sends). */
const parseBytes = (header: string | undefined, size: number): readonly [number, number] | undefined => {
  const m = header === undefined ? null : /^bytes=(\d+)-(\d+)$/.exec(header)
  if (m === null) return undefined
  const start = Number(m[1])
  const end = Math.min(Number(m[2]), size - 1)
  return start <= end ? [start, end] : undefined
}

/** The headers and the slice the hand-written stacks (`fastify`, `node`) answer with. */
const handAnswer = (
  dir: string,
  file: string,
  range: boolean,
  rangeHeader: string | undefined,
  stats: Fs.Stats
) => {
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "content-disposition": `attachment; filename="${file}"`
  }
  let status = 200
  let slice: { start: number; end: number } | undefined
  if (range) {
    headers["accept-ranges"] = "bytes"
    headers["last-modified"] = stats.mtime.toUTCString()
    const r = parseBytes(rangeHeader, stats.size)
    if (r !== undefined) {
      status = 206
      slice = { start: r[0], end: r[1] }
      headers["content-range"] = `bytes ${r[0]}-${r[1]}/${stats.size}`
    }
  }
  headers["content-length"] = String(slice === undefined ? stats.size : slice.end - slice.start + 1)
  return { status, headers, path: Path.join(dir, file), slice }
}

const serveNode = (dir: string, port: number) => {
  const server = Http.createServer((req, res) => {
    const r = route(req.url ?? "")
    if (r === undefined) return res.writeHead(req.url === "/ready" ? 200 : 404).end()
    Fs.stat(Path.join(dir, r.file), (error, stats) => {
      if (error) return res.writeHead(404).end()
      const a = handAnswer(dir, r.file, r.range, req.headers.range, stats)
      res.writeHead(a.status, a.headers)
      Fs.createReadStream(a.path, a.slice ?? {}).pipe(res)
    })
  })
  server.keepAliveTimeout = 0
  server.listen(port, "127.0.0.1", () => ready(port))
}

const serveFastify = async (dir: string, port: number) => {
  const { default: Fastify } = await import("fastify")
  const app = Fastify({ logger: false })
  app.get("/ready", async () => "")
  app.get<{ Params: { kind: string; size: string } }>("/:kind/:size", async (request, reply) => {
    const r = route(request.url)
    if (r === undefined) return reply.code(404).send()
    const stats = await Fs.promises.stat(Path.join(dir, r.file))
    const a = handAnswer(dir, r.file, r.range, request.headers.range, stats)
    return reply.code(a.status).headers(a.headers).send(Fs.createReadStream(a.path, a.slice ?? {}))
  })
  await app.listen({ port, host: "127.0.0.1" })
  ready(port)
}

const serveExpress = async (dir: string, port: number) => {
  const { default: express } = await import("express")
  const app = express()
  app.disable("x-powered-by")
  app.get("/ready", (_req, res) => void res.end())
  app.get("/:kind/:size", (req, res, next) => {
    const r = route(req.url)
    if (r === undefined) return next()
    res.sendFile(Path.join(dir, r.file), {
      headers: { "Content-Disposition": `attachment; filename="${r.file}"` },
      etag: false,
      cacheControl: false,
      lastModified: r.range,
      acceptRanges: r.range
    }, (error) => {
      if (error && !res.headersSent) res.status(404).end()
    })
  })
  app.listen(port, "127.0.0.1", () => ready(port))
}

const serveLibrary = async (dir: string, port: number) => {
  const root = process.env["DOWNLOAD_ROOT"]
  const { FileResponse, Handler, HttpResponse, Server, Settings, Urls }: typeof import("../../src/index.js") =
    await import(root === undefined ? "../../src/index.js" : Path.join(root, "src/index.js"))
  const urls = Urls.make([
    Urls.pathWith(
      "f/<str:size>",
      (_request, { size }) => FileResponse.fromPath(Path.join(dir, fileName(size as SizeName)), { asAttachment: true })
    ),
    Urls.pathWith(
      "r/<str:size>",
      (request, { size }) =>
        FileResponse.fromPath(Path.join(dir, fileName(size as SizeName)), {
          asAttachment: true,
          request: request.headers
        })
    ),
    Urls.path("ready", () => HttpResponse.make({ content: "" }))
  ])
  Server.run(Handler.make({ urls }), {
    host: "127.0.0.1",
    port,
    limits: { maxRequestsPerSocket: 0 },
    settings: Settings.layer({ SECRET_KEY: "bench", DEBUG: false, ALLOWED_HOSTS: ["127.0.0.1"] })
  })
}

// ---------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------

const serveStack = process.env["DOWNLOAD_STACK"]
if (serveStack !== undefined) {
  const dir = process.env["DOWNLOAD_DIR"]!
  const port = Number(process.env["PORT"])
  const serve = { node: serveNode, fastify: serveFastify, express: serveExpress, library: serveLibrary }[serveStack]
  if (serve === undefined) throw new Error(`DOWNLOAD_STACK=${serveStack}`)
  void serve(dir, port)
}

const duration = Number(process.env["DURATION"] ?? 3)
const warmup = Number(process.env["WARMUP"] ?? 1)
const rounds = Number(process.env["ROUNDS"] ?? 3)
const connections = Number(process.env["CONNECTIONS"] ?? 10)
const library = process.env["LIBRARY"] ?? "dist"
if (library !== "dist" && library !== "src") throw new Error(`LIBRARY=${library}: dist or src`)

/**
 * `library-before`: the library as built in `BEFORE` (a checkout of another commit, with
 * `npm run build` run in it), only when asked for: `STACKS="library|library-before|express"`.
 */
const ALL_STACKS = ["library", "library-before", "express", "fastify", "node"] as const
const before = process.env["BEFORE"]
const stacks = ALL_STACKS.filter((s) => process.env["STACKS"]?.split("|").includes(s) ?? s !== "library-before")
if (stacks.includes("library-before") && before === undefined) throw new Error("library-before needs BEFORE=dir")

interface Case {
  readonly name: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly status: number
  /** The body every answer must be. */
  readonly body: Buffer
  readonly contentRange?: string
}

const makeCases = (files: Record<SizeName, Buffer>): ReadonlyArray<Case> => {
  const big = files[RANGE.file]
  const end = RANGE.start + RANGE.length - 1
  const all: ReadonlyArray<Case> = [
    ...(Object.keys(SIZES) as Array<SizeName>).map((size) => ({
      name: size,
      path: `/f/${size}`,
      headers: {},
      status: 200,
      body: files[size]
    })),
    {
      name: "range",
      path: `/r/${RANGE.file}`,
      headers: { range: `bytes=${RANGE.start}-${end}` },
      status: 206,
      body: big.subarray(RANGE.start, end + 1),
      contentRange: `bytes ${RANGE.start}-${end}/${big.length}`
    }
  ]
  const only = process.env["CASES"]?.split("|")
  return all.filter((c) => only?.includes(c.name) ?? true)
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex")

/** One answer read whole with `node:http` and checked against `c` (throws when it is not). */
const checkAnswer = (stack: string, port: number, c: Case): Promise<void> =>
  new Promise((resolve, reject) => {
    const req = Http.request(
      { host: "127.0.0.1", port, path: c.path, headers: c.headers, agent: false },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("error", reject)
        res.on("end", () => {
          const body = Buffer.concat(chunks)
          const file = fileName(c.name === "range" ? RANGE.file : c.name as SizeName)
          const problems = [
            res.statusCode !== c.status && `status ${res.statusCode}`,
            res.headers["content-length"] !== String(c.body.length) &&
            `Content-Length ${res.headers["content-length"]}`,
            res.headers["content-type"] !== "application/octet-stream" && `Content-Type ${res.headers["content-type"]}`,
            res.headers["content-disposition"] !== `attachment; filename="${file}"` &&
            `Content-Disposition ${res.headers["content-disposition"]}`,
            res.headers["content-range"] !== c.contentRange && `Content-Range ${res.headers["content-range"]}`,
            body.length !== c.body.length && `${body.length} bytes`,
            body.length === c.body.length && sha(body) !== sha(c.body) && "other bytes"
          ].filter((p) => p !== false)
          if (problems.length > 0) reject(new Error(`${stack} ${c.name}: ${problems.join(", ")}`))
          else resolve()
        })
      }
    )
    req.on("error", reject)
    req.end()
  })

interface Counted {
  readonly answers: number
  readonly bytes: number
}

/**
 * The load for large bodies: `connections` kept-alive `node:http` connections, each sending the
 * next request when the previous answer ended, for `seconds`; every answer's status,
 * Content-Length and byte count are checked (the first wrong one fails the run). autocannon
 * parses bodies in JavaScript and tops out near 50 MiB/s on this machine, below every stack
 * here; Node's client (llhttp) does not.
 */
const loadHttp = (port: number, c: Case, seconds: number): Promise<Counted> =>
  new Promise((resolve, reject) => {
    const deadline = Date.now() + seconds * 1000
    let answers = 0
    let bytes = 0
    let running = connections
    let failed = false
    const fail = (error: Error) => {
      if (!failed) reject(error)
      failed = true
    }
    const loop = (agent: Http.Agent) => {
      if (failed || Date.now() >= deadline) {
        agent.destroy()
        if (--running === 0 && !failed) resolve({ answers, bytes })
        return
      }
      const req = Http.request({ host: "127.0.0.1", port, path: c.path, headers: c.headers, agent }, (res) => {
        let got = 0
        res.on("data", (chunk: Buffer) => {
          got += chunk.length
        })
        res.on("error", fail)
        res.on("end", () => {
          if (res.statusCode !== c.status || res.headers["content-length"] !== String(c.body.length)) {
            return fail(new Error(`${c.path}: ${res.statusCode}, Content-Length ${res.headers["content-length"]}`))
          }
          if (got !== c.body.length) return fail(new Error(`${c.path}: ${got} bytes of ${c.body.length}`))
          answers++
          bytes += got
          loop(agent)
        })
      })
      req.on("error", fail)
      req.end()
    }
    for (let i = 0; i < connections; i++) loop(new Http.Agent({ keepAlive: true, maxSockets: 1 }))
  })

/** Resets the process's peak RSS (`VmHWM`). */
const resetPeak = (pid: number) => Fs.writeFileSync(`/proc/${pid}/clear_refs`, "5")
/** The process's peak RSS in MiB since the last reset. */
const peakMiB = (pid: number) => {
  const m = /VmHWM:\s+(\d+) kB/.exec(Fs.readFileSync(`/proc/${pid}/status`, "utf8"))
  return Number(m![1]) / 1024
}

interface Measured {
  readonly rps: number
  readonly mibPerSecond: number
  readonly cpuPerRequest: number
  readonly peakRss: number
}

const measure = async (stack: string, server: Started, c: Case): Promise<Measured> => {
  for (let i = 0; i < 3; i++) await checkAnswer(stack, server.port, c)
  const request = {
    name: "json",
    method: "GET",
    path: c.path,
    headers: c.headers,
    status: c.status
  } as const
  const base = `http://127.0.0.1:${server.port}`
  const viaAutocannon = c.body.length < 64 * 1024
  const run = async (seconds: number): Promise<Counted> => {
    if (!viaAutocannon) return loadHttp(server.port, c, seconds)
    const r = await load(base, request, { connections, seconds })
    const answered = r["2xx"]
    const wrong = r["1xx"] + r["3xx"] + r["4xx"] + r["5xx"]
    // Every counted answer was whole; at most one answer per connection was still in flight.
    const bytes = r.throughput.total
    const bytesOk = bytes >= answered * c.body.length && bytes <= (answered + connections) * (c.body.length + 1024)
    if (wrong + r.errors + r.timeouts > 0 || answered === 0 || !bytesOk) {
      throw new Error(
        `${stack} ${c.name}: ${answered} answers, ${wrong} with another status, ${r.errors} errors (${[
          ...r.errorsByMessage
        ]}), ${r.timeouts} timeouts, ${bytes} bytes for ${answered} answers of ${c.body.length}`
      )
    }
    return { answers: r.requests.total, bytes: answered * c.body.length }
  }
  await run(warmup)
  resetPeak(server.pid)
  const cpuBefore = await server.cpu()
  const started = process.hrtime.bigint()
  const r = await run(duration)
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const cpuAfter = await server.cpu()
  const peakRss = peakMiB(server.pid)
  if (r.answers === 0) throw new Error(`${stack} ${c.name}: no answer in ${seconds} s`)
  const rps = r.answers / seconds
  return {
    rps,
    mibPerSecond: (rps * c.body.length) / 2 ** 20,
    cpuPerRequest: (cpuAfter - cpuBefore) / r.answers,
    peakRss
  }
}

const start = (stack: string, port: number, dir: string): Promise<Started> =>
  startGroup({
    command: process.execPath,
    args: [
      "--import",
      "tsx",
      ...(stack === "library" && library === "dist" ? ["--import", Path.join(here, "dist.mjs")] : []),
      ...(stack === "library-before" ? ["--import", Path.join(before!, "bench/stack/dist.mjs")] : []),
      Path.join(here, "download.ts")
    ],
    port,
    env: {
      DOWNLOAD_STACK: stack === "library-before" ? "library" : stack,
      DOWNLOAD_DIR: dir,
      PORT: String(port),
      ...(stack === "library-before" ? { DOWNLOAD_ROOT: before! } : {})
    },
    readyPath: "/ready",
    readyLines: { pattern: /listening on http/, count: 1 }
  })

const load1 = () => loadavg().map((x) => x.toFixed(2)).join(", ")

const main = async () => {
  console.log(
    `bench/stack/download: ${
      stacks.join(", ")
    }; one process each; autocannon -c ${connections} -d ${duration} (after ${warmup} s warm-up) per case; ${rounds} rounds (medians); ${
      new Date().toISOString()
    }`
  )
  if (library === "dist" && stacks.includes("library")) {
    execFileSync("npm", ["run", "build"], { stdio: ["ignore", "ignore", "inherit"] })
  }
  console.log(`the library from ${library}/; load average at start: ${load1()}`)
  const dir = Fs.mkdtempSync(Path.join(tmpdir(), "bench-download-"))
  const files = {} as Record<SizeName, Buffer>
  for (const size of Object.keys(SIZES) as Array<SizeName>) {
    files[size] = randomBytes(SIZES[size])
    Fs.writeFileSync(Path.join(dir, fileName(size)), files[size])
  }
  const cases = makeCases(files)
  const servers = new Map<string, Started>()
  try {
    for (const stack of stacks) servers.set(stack, await start(stack, await freePort(), dir))
    const results = new Map<string, Array<Measured>>()
    for (let round = 0; round < rounds; round++) {
      for (const c of cases) {
        // Each round and case starts with another stack, so no stack always runs first or last.
        const order = stacks.map((_, i) => stacks[(i + round + cases.indexOf(c)) % stacks.length]!)
        const line: Array<string> = []
        for (const stack of order) {
          const m = await measure(stack, servers.get(stack)!, c)
          results.set(`${stack} ${c.name}`, [...(results.get(`${stack} ${c.name}`) ?? []), m])
          line.push(`${stack} ${m.rps.toFixed(0)}/s ${m.mibPerSecond.toFixed(0)} MiB/s ${m.peakRss.toFixed(0)} MiB`)
        }
        console.log(`round ${round + 1} ${c.name.padEnd(5)} ${line.join("; ")}  (load average ${load1()})`)
      }
    }
    const med = (stack: string, c: string, f: (m: Measured) => number) => median(results.get(`${stack} ${c}`)!.map(f))
    console.log("")
    console.log(`| case | stack | req/s | MiB/s | CPU µs/req | peak RSS MiB | library / stack (req/s) |`)
    console.log(`| --- | --- | --- | --- | --- | --- | --- |`)
    for (const c of cases) {
      for (const s of stacks) {
        const ratio = stacks.includes("library")
          ? (med("library", c.name, (m) => m.rps) / med(s, c.name, (m) => m.rps)).toFixed(2) + "x"
          : "-"
        console.log(
          `| ${c.name} | ${s} | ${med(s, c.name, (m) => m.rps).toFixed(0)} | ${
            med(s, c.name, (m) => m.mibPerSecond).toFixed(0)
          } | ${med(s, c.name, (m) => m.cpuPerRequest).toFixed(0)} | ${med(s, c.name, (m) => m.peakRss).toFixed(0)} | ${
            s === "library" ? "" : ratio
          } |`
        )
      }
    }
    console.log(`\nload average at the end: ${load1()}`)
  } finally {
    for (const server of servers.values()) server.stop()
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (serveStack === undefined) {
  main().then(() => process.exit(0), (error) => {
    console.error(error)
    process.exit(1)
  })
}
