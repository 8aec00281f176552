/**
 * The read-back half of the uploads bound (see bench/uploads-rss.ts): how much hashing a spilled
 * 256 MiB upload with SHA-256, chunk by chunk, grows a process's resident set, by the way the
 * chunks are read:
 *
 * - `UploadedFile.chunks`: the library (a block of chunks read into one kept buffer, each chunk
 *   copied out after the read);
 * - `FileSystem.stream`: @effect/platform's file stream (a fresh 64 KiB buffer allocated before
 *   each read), what `chunks` used before session 10;
 * - `node:fs read loop`: `fs.read` into a fresh 64 KiB buffer per read, no Effect (the floor).
 *
 *   npx tsx bench/uploads-readback.ts            # RUNS=5 SIZE_MB=256
 *
 * Each measurement runs in a fresh child process (VmHWM is a process's high-water mark); the
 * variants are interleaved, run by run. Prints the median and max growth of each.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Stream } from "effect"
import { spawnSync } from "node:child_process"
import * as Crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as UploadedFile from "../src/UploadedFile.js"
import { median } from "./harness.js"
import { writeBigFile } from "./uploadFile.js"

const variants = ["UploadedFile.chunks", "FileSystem.stream", "node:fs read loop"] as const
type Variant = typeof variants[number]

const kb = (key: string): number =>
  Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync("/proc/self/status", "utf8"))![1])

const hashWith = (variant: Variant, file: string, size: number): Promise<string> => {
  const fold = <E>(stream: Stream.Stream<Uint8Array, E, FileSystem.FileSystem>) =>
    Effect.runPromise(
      Stream.runFold(stream, Crypto.createHash("sha256"), (h, c) => h.update(c)).pipe(
        Effect.map((h) => h.digest("hex")),
        Effect.provide(NodeFileSystem.layer)
      )
    )
  switch (variant) {
    case "UploadedFile.chunks":
      return fold(UploadedFile.chunks(UploadedFile.make({
        fieldName: "f",
        name: "big",
        size,
        contentType: "",
        charset: null,
        contentTypeExtra: {},
        storage: { _tag: "Temporary", path: file }
      })))
    case "FileSystem.stream":
      return fold(Stream.unwrap(Effect.map(FileSystem.FileSystem, (fs) => fs.stream(file, { chunkSize: 64 * 1024 }))))
    case "node:fs read loop":
      return (async () => {
        const fd = fs.openSync(file, "r")
        const hash = Crypto.createHash("sha256")
        for (;;) {
          const buffer = Buffer.allocUnsafeSlow(64 * 1024)
          const n = await new Promise<number>((resolve, reject) =>
            fs.read(fd, buffer, 0, buffer.length, null, (e, n) => (e ? reject(e) : resolve(n)))
          )
          if (n === 0) break
          hash.update(buffer.subarray(0, n))
        }
        fs.closeSync(fd)
        return hash.digest("hex")
      })()
  }
}

if (process.argv[2] === "child") {
  const [, , , variant, file, size] = process.argv
  await new Promise((r) => setTimeout(r, 200))
  const idle = kb("VmRSS")
  const hex = await hashWith(variant as Variant, file!, Number(size))
  process.stdout.write(JSON.stringify({ growth: kb("VmHWM") - idle, hex }))
} else {
  const RUNS = Number(process.env["RUNS"] ?? 5)
  const SIZE_MB = Number(process.env["SIZE_MB"] ?? 256)
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-uploads-readback-"))
  const file = path.join(tmp, "big")
  try {
    const expected = writeBigFile(file, SIZE_MB)
    const load = () => os.loadavg().map((x) => x.toFixed(2)).join(", ")
    console.log(`SHA-256 of a ${SIZE_MB} MiB file, ${RUNS} runs; load average before: ${load()}`)
    const growths = new Map(variants.map((v) => [v, [] as Array<number>]))
    for (let i = 0; i < RUNS; i++) {
      for (const variant of variants) {
        const child = spawnSync(
          process.execPath,
          ["--import", "tsx", fileURLToPath(import.meta.url), "child", variant, file, String(SIZE_MB * 1024 * 1024)],
          { encoding: "utf8" }
        )
        if (child.status !== 0) throw new Error(child.stderr)
        const r = JSON.parse(child.stdout) as { growth: number; hex: string }
        if (r.hex !== expected) throw new Error(`${variant}: wrong SHA-256`)
        growths.get(variant)!.push(r.growth)
      }
    }
    const mb = (k: number) => (k / 1024).toFixed(1)
    console.log("| read by | growth over idle, median (MB) | max (MB) |\n| --- | --- | --- |")
    for (const [variant, g] of growths) {
      console.log(`| ${variant} | ${mb(median(g))} | ${mb(Math.max(...g))} |`)
    }
    console.log(`load average after: ${load()}`)
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
