/**
 * The parser behind a real HTTP server (@effect/platform-node on port 0), driven by
 * node:http clients: a limit hit in the middle of a body still gets its 400
 * response, and uploads aborted mid-file leave no temporary file behind.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import * as Settings from "../src/Settings.js"
import { serve } from "./utils/uploadServer.js"

const B = "XyZzYbOuNdArY"
const CT = `multipart/form-data; boundary=${B}`
const fieldPart = (name: string, value: string) =>
  `--${B}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
const fileHead = (name: string, filename: string) =>
  `--${B}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`

const serverLayer = NodeHttpServer.layer(() => http.createServer(), { port: 0, host: "127.0.0.1" })

/** Sends `total` bytes made of `head` then filler, honouring backpressure; resolves with the response. */
const post = (port: number, head: Buffer, total: number, tail: Buffer) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/",
      agent: false,
      headers: { "content-type": CT, "content-length": String(total) }
    }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (c) => (body += c))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on("error", reject)
    let sent = 0
    const filler = Buffer.alloc(64 * 1024, 0x61)
    const pump = () => {
      if (sent === 0) {
        req.write(head)
        sent += head.length
      }
      while (sent < total - tail.length) {
        const n = Math.min(filler.length, total - tail.length - sent)
        sent += n
        if (!req.write(filler.subarray(0, n))) return req.once("drain", pump)
      }
      req.end(tail)
    }
    pump()
  })

const waitUntil = (what: string, condition: () => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 2000; i++) {
      if (condition()) return
      yield* Effect.sleep("10 millis")
    }
    return yield* Effect.dieMessage(`gave up waiting until ${what}`)
  })

describe("uploads over real HTTP", () => {
  it.live("a limit hit mid-body still answers 400, and the connection is not reset", () =>
    Effect.gen(function*() {
      const port = yield* serve(Settings.make({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 10 }))
      let fields = ""
      for (let i = 0; i < 50; i++) fields += fieldPart(`f${i}`, "v")
      const head = Buffer.from(fields + fileHead("big", "big.bin"))
      const tail = Buffer.from(`\r\n--${B}--\r\n`)
      const total = 8 * 1024 * 1024
      const res = yield* Effect.promise(() => post(port, head, total, tail))
      // Django 3.2's 400 page (ERROR_PAGE_TEMPLATE), as Errors renders it.
      expect(res).toEqual({
        status: 400,
        body: "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n" +
          "  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n"
      })
      // The same server still parses a good upload.
      const ok = yield* Effect.promise(() => post(port, Buffer.from(fieldPart("a", "1")), 1024, tail))
      expect(ok.status).toBe(200)
      expect(JSON.parse(ok.body)).toEqual({ fields: 1, files: [] })
    }).pipe(Effect.scoped, Effect.provide(serverLayer), Effect.provide(NodeFileSystem.layer)))

  it.live("RequestDataTooBig and TooManyFilesSent mid-body answer 400 too", () =>
    Effect.gen(function*() {
      const port = yield* serve(Settings.make({ DATA_UPLOAD_MAX_MEMORY_SIZE: 1000, DATA_UPLOAD_MAX_NUMBER_FILES: 2 }))
      const tail = Buffer.from(`\r\n--${B}--\r\n`)
      const big = yield* Effect.promise(() =>
        post(port, Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n`), 4 * 1024 * 1024, tail)
      )
      expect(big.status).toBe(400)
      let files = ""
      for (let i = 0; i < 3; i++) files += fileHead(`f${i}`, `${i}.txt`) + "x\r\n"
      const many = yield* Effect.promise(() =>
        post(port, Buffer.from(files + fileHead("g", "g.bin")), 4 * 1024 * 1024, tail)
      )
      expect(many.status).toBe(400)
    }).pipe(Effect.scoped, Effect.provide(serverLayer), Effect.provide(NodeFileSystem.layer)))

  it.live("200 uploads aborted mid-file leave no temporary file", () =>
    Effect.gen(function*() {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "uploads-fault-"))
      let done = 0
      const port = yield* serve(
        Settings.make({ FILE_UPLOAD_TEMP_DIR: root, FILE_UPLOAD_MAX_MEMORY_SIZE: 1024 }),
        { onDone: () => done++ }
      )
      const head = Buffer.concat([
        Buffer.from(fieldPart("title", "upload") + fileHead("file", "movie.mp4")),
        Buffer.alloc(48 * 1024, 0x62)
      ])
      const batch = 20
      let started = 0
      let sawTempFiles = 0
      for (let round = 0; round < 200 / batch; round++) {
        const requests: Array<http.ClientRequest> = []
        for (let i = 0; i < batch; i++) {
          const req = http.request({
            host: "127.0.0.1",
            port,
            method: "POST",
            agent: false,
            headers: { "content-type": CT, "content-length": String(10 * 1024 * 1024) }
          })
          req.on("error", () => {})
          req.write(head)
          requests.push(req)
        }
        started += batch
        // Every upload of this round has spilled to its temporary file before the clients go away.
        yield* waitUntil("the uploads spill to disk", () => {
          const dirs = fs.readdirSync(root)
          return dirs.length === batch &&
            dirs.every((d) => fs.readdirSync(path.join(root, d)).length === 1)
        })
        sawTempFiles += fs.readdirSync(root).length
        for (const req of requests) req.destroy()
        yield* waitUntil("the aborted requests finish", () => done === started)
      }
      expect(sawTempFiles).toBe(200)
      expect(done).toBe(200)
      expect(fs.readdirSync(root)).toEqual([])
      fs.rmdirSync(root)
    }).pipe(Effect.scoped, Effect.provide(serverLayer), Effect.provide(NodeFileSystem.layer)), 120_000)
})
