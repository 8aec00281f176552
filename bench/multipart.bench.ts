/**
 * Multipart parsing: throughput against busboy on one 100 MB file and on 1,000
 * small fields, and the server's peak RSS while receiving a 1 GiB upload.
 *
 *   npx tsx bench/multipart.bench.ts
 *
 * Throughput: both parsers get the same body in 64 KiB pieces and discard the
 * file's bytes (ours through the `onFile` sink hook, busboy by resuming the file
 * stream), so this compares parsing alone; a second line compares ours spilling
 * to disk with busboy piping to a file. Each is run several times, alternating,
 * and the median is kept.
 *
 * Peak RSS: the server (bench/multipart-server.ts) runs in a child process; the
 * parent streams a 1 GiB upload to it without holding it in memory, and reads the
 * child's peak resident set (VmHWM in /proc) when the upload is done.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import Busboy from "busboy"
import { Chunk, Effect, ManagedRuntime, Sink, Stream } from "effect"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import * as Multipart from "../src/internal/multipart.js"
import * as Settings from "../src/Settings.js"

const runtime = ManagedRuntime.make(NodeFileSystem.layer)
const PIECE = 64 * 1024
const CT = `multipart/form-data; boundary=${Multipart.BOUNDARY}`
const pieces = (body: Uint8Array) => {
  const out: Array<Uint8Array> = []
  for (let i = 0; i < body.length; i += PIECE) out.push(body.subarray(i, i + PIECE))
  return out
}

const ours = (body: Uint8Array, chunks: Array<Uint8Array>, toDisk: boolean, tmp: string) =>
  Multipart.parse({
    contentType: CT,
    contentLength: body.length,
    body: Stream.fromChunk(Chunk.unsafeFromArray(chunks)),
    settings: Settings.make({ FILE_UPLOAD_TEMP_DIR: tmp, DATA_UPLOAD_MAX_NUMBER_FIELDS: null }),
    encoding: "utf-8",
    limits: toDisk ? {} : { onFile: () => Sink.drain }
  }).pipe(Effect.scoped, runtime.runPromise)

const busboy = (chunks: Array<Uint8Array>, toDisk: boolean, tmp: string) =>
  new Promise<void>((resolve, reject) => {
    const bb = Busboy({ headers: { "content-type": CT }, limits: { fields: Infinity, fieldSize: Infinity } })
    const writes: Array<Promise<void>> = []
    let n = 0
    bb.on("file", (_name, file) => {
      if (toDisk) {
        const p = path.join(tmp, `busboy-${n++}`)
        writes.push(pipeline(file, fs.createWriteStream(p)).then(() => fs.promises.rm(p)))
      } else file.resume()
    })
    bb.on("field", () => {})
    bb.on("close", () => Promise.all(writes).then(() => resolve(), reject))
    bb.on("error", reject)
    Readable.from(chunks).pipe(bb)
  })

const time = async (f: () => Promise<unknown>) => {
  const t = performance.now()
  await f()
  return performance.now() - t
}
const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const compare = async (
  label: string,
  runs: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  mb: number
) => {
  await a()
  await b()
  const ta: Array<number> = []
  const tb: Array<number> = []
  for (let i = 0; i < runs; i++) {
    ta.push(await time(a))
    tb.push(await time(b))
  }
  const ma = median(ta)
  const mbb = median(tb)
  console.log(
    `${label.padEnd(44)} ours ${ma.toFixed(1).padStart(8)} ms (${
      (mb / ma * 1000).toFixed(0).padStart(5)
    } MB/s)  busboy ${mbb.toFixed(1).padStart(8)} ms  ratio ours/busboy throughput ${(mbb / ma).toFixed(2)}x`
  )
}

const root = path.join(import.meta.dirname, "..")
const rssOfUpload = async (size: number, baseline: boolean) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-multipart-rss-"))
  // The server runs as plain JavaScript over the compiled library.
  execFileSync(process.execPath, [
    path.join(root, "node_modules/typescript/bin/tsc"),
    "-p",
    path.join(root, "tsconfig.build.json"),
    "--declaration",
    "false",
    "--declarationMap",
    "false"
  ], { stdio: "inherit" })
  const child = spawn(process.execPath, [
    ...(process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean),
    path.join(import.meta.dirname, "multipart-server.mjs")
  ], {
    env: { ...process.env, FILE_UPLOAD_TEMP_DIR: tmp, BASELINE: baseline ? "1" : "0" },
    stdio: ["ignore", "pipe", "inherit"]
  })
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())))
  )
  const status = () => fs.readFileSync(`/proc/${child.pid}/status`, "utf8")
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())![1])
  const before = kb("VmRSS")
  const head = Buffer.from(
    `--${Multipart.BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`
  )
  const tail = Buffer.from(`\r\n--${Multipart.BOUNDARY}--\r\n`)
  const filler = Buffer.alloc(PIECE, 0x61)
  const started = performance.now()
  const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: "POST",
      headers: { "content-type": CT, "content-length": String(head.length + size + tail.length) }
    }, (res) => {
      let body = ""
      res.on("data", (c) => (body += c))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on("error", reject)
    let sent = 0
    req.write(head)
    const pump = () => {
      while (sent < size) {
        const n = Math.min(PIECE, size - sent)
        sent += n
        if (!req.write(n === PIECE ? filler : filler.subarray(0, n))) return req.once("drain", pump)
      }
      req.end(tail)
    }
    pump()
  })
  const seconds = (performance.now() - started) / 1000
  const peak = kb("VmHWM")
  child.kill()
  fs.rmSync(tmp, { recursive: true, force: true })
  return { res, before, peak, seconds }
}

const only = process.argv[2] // "file", "fields" or "rss" to run one part
const main = async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-multipart-"))
  console.log(`node ${process.version}, ${os.cpus().length} cores; medians, 64 KiB pieces`)

  if (only === undefined || only === "file") {
    const file = new Uint8Array(100 * 1024 * 1024)
    for (let i = 0; i < file.length; i++) file[i] = (i * 7) & 0xff
    const big = Multipart.encode([], [["f", { name: "big.bin", content: file }]])
    const bigChunks = pieces(big)
    await compare(
      "one 100 MB file, parse only",
      7,
      () => ours(big, bigChunks, false, tmp),
      () => busboy(bigChunks, false, tmp),
      100
    )
    await compare(
      "one 100 MB file, to a temporary file",
      3,
      () => ours(big, bigChunks, true, tmp),
      () => busboy(bigChunks, true, tmp),
      100
    )
  }
  if (only === undefined || only === "fields") {
    const fields: Array<readonly [string, string]> = []
    for (let i = 0; i < 1000; i++) fields.push([`field${i}`, `value number ${i}`])
    const small = Multipart.encode(fields)
    const smallChunks = pieces(small)
    await compare(
      "1,000 small fields",
      101,
      () => ours(small, smallChunks, false, tmp),
      () => busboy(smallChunks, false, tmp),
      small.length / 1e6
    )
  }
  fs.rmSync(tmp, { recursive: true, force: true })
  if (only !== undefined && only !== "rss") return runtime.dispose()

  // RSS_MB="256,1024,2048" measures several upload sizes (MiB); 1 GiB by default.
  const sizes = (process.env.RSS_MB ?? "1024").split(",").map(Number)
  for (const mb of sizes) {
    for (const baseline of [false, true]) {
      const r = await rssOfUpload(mb * 1024 * 1024, baseline)
      const label = baseline ? "raw node:http piping the body to a file" : "this library's parser (spills to disk)"
      console.log(
        `${mb} MiB upload, ${label.padEnd(40)}: status ${r.res.status}, ${(mb / r.seconds).toFixed(0)} MB/s; ` +
          `server RSS idle ${(r.before / 1024).toFixed(1)} MB, peak ${(r.peak / 1024).toFixed(1)} MB, growth ${
            ((r.peak - r.before) / 1024).toFixed(1)
          } MB`
      )
    }
  }
  await runtime.dispose()
}

main()
