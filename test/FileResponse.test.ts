// FileResponse.fromPath served by Server.layer: on the lean adapter the file's bytes are piped from
// node:fs (src/internal/fileTag.ts, src/internal/node/fileBody.ts); the answers must be the platform adapter's (which writes the
// FileSystem stream), the file opened only when the body is written, and always closed.
// Django: responses/test_fileresponse.py (headers of FileResponse(open(path), as_attachment=True)).
import { NodeFileSystem } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Logger, Option, Scope, Stream } from "effect"
import { mkdtempSync, readdirSync, rmSync, truncateSync, unlinkSync, writeFileSync } from "node:fs"
import * as Http from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gunzipSync } from "node:zlib"
import { FileResponse, GZip, Server, Settings, type View } from "../src/index.js"
import { isNodeFileSystem } from "../src/internal/node/fileBody.js"

const dir = mkdtempSync(join(tmpdir(), "edh-fileresponse-"))
/** 3 chunks of 64 KiB and a bit: several reads, a short last one. */
const bytes = Buffer.from(Array.from({ length: 3 * 65536 + 1234 }, (_, i) => (i * 7 + (i >> 8)) & 255))
const path = join(dir, "report.bin")
writeFileSync(path, bytes)

interface Reply {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly body: Buffer
  /** The connection closed before the body announced was complete (or before any answer). */
  readonly truncated: boolean
}

const get = (
  port: number,
  urlPath: string,
  options: { readonly method?: string; readonly headers?: Record<string, string> } = {}
) =>
  Effect.promise(() =>
    new Promise<Reply>((resolve) => {
      const req = Http.request(
        {
          host: "127.0.0.1",
          port,
          path: urlPath,
          method: options.method ?? "GET",
          headers: options.headers ?? {},
          agent: false
        },
        (res) => {
          const chunks: Array<Buffer> = []
          res.on("data", (c: Buffer) => chunks.push(c))
          res.on("error", () => {})
          res.on("close", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              truncated: !res.complete
            }))
        }
      )
      req.on("error", () => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), truncated: true }))
      req.end()
    })
  )

/** A GET that goes away as soon as the first piece of the body arrives. */
const leaveEarly = (port: number, urlPath: string) =>
  Effect.promise(() =>
    new Promise<void>((resolve) => {
      const req = Http.get({ host: "127.0.0.1", port, path: urlPath, agent: false }, (res) => {
        res.once("data", () => req.destroy())
        res.on("error", () => {})
        res.on("close", () => resolve())
      })
      req.on("error", () => resolve())
    })
  )

const logged: Array<string> = []
const captureLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ message }) => {
    logged.push(String(Array.isArray(message) ? message[0] : message))
  })
)

const settings = Settings.layer({ ALLOWED_HOSTS: ["127.0.0.1"] })

/** Serves `view` with `Server.layer` on `adapter`; `use` gets the port. */
const served = <A>(
  view: View.View<unknown, FileSystem.FileSystem>,
  adapter: "lean" | "platform",
  use: (port: number) => Effect.Effect<A>
) =>
  Effect.acquireUseRelease(
    Scope.make(),
    (scope) =>
      Effect.flatMap(
        Layer.buildWithScope(
          Server.layer(view, { port: 0, host: "127.0.0.1", adapter }).pipe(
            Layer.provide(Layer.merge(settings, captureLogger))
          ),
          scope
        ),
        (context) => {
          const address = Context.get(context, HttpServer.HttpServer).address
          return use(address._tag === "TcpAddress" ? address.port : 0)
        }
      ),
    (scope) => Scope.close(scope, Exit.void)
  )

/** `/whole` Django's headers only; `/ranged` with the request's headers (Range, If-Modified-Since). */
const view: View.View<unknown, FileSystem.FileSystem> = (request) =>
  FileResponse.fromPath(path, {
    asAttachment: true,
    ...(request.path === "/ranged" ? { request: request.headers } : {})
  })

const openDescriptors = () => readdirSync("/proc/self/fd").length

/**
 * The number of open descriptors once it is at most `before` (the server closes files and sockets
 * just after the answers; a socket of the warm-up may still be closing when `before` is read).
 */
const settledDescriptors = (before: number) =>
  Effect.gen(function*() {
    let now = openDescriptors()
    for (let i = 0; i < 200 && now > before; i++) {
      yield* Effect.sleep("10 millis")
      now = openDescriptors()
    }
    return now
  })

describe("FileResponse.fromPath served", () => {
  it.effect("the lean adapter answers as the platform's: whole, Range, suffix, 416, 304, HEAD", () =>
    Effect.gen(function*() {
      const asks: ReadonlyArray<readonly [string, { method?: string; headers?: Record<string, string> }]> = [
        ["/whole", {}],
        ["/ranged", {}],
        ["/ranged", { headers: { Range: "bytes=65530-131080" } }],
        ["/ranged", { headers: { Range: "bytes=-100" } }],
        ["/ranged", { headers: { Range: "bytes=200000-" } }],
        ["/ranged", { headers: { Range: "bytes=999999-" } }],
        ["/ranged", { headers: { "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT" } }],
        ["/whole", { method: "HEAD" }],
        ["/ranged", { method: "HEAD", headers: { Range: "bytes=0-9" } }]
      ]
      for (const [urlPath, options] of asks) {
        const lean = yield* served(view, "lean", (port) => get(port, urlPath, options))
        const platform = yield* served(view, "platform", (port) => get(port, urlPath, options))
        const { date: _a, ...leanHeaders } = lean.headers
        const { date: _b, ...platformHeaders } = platform.headers
        const name = `${options.method ?? "GET"} ${urlPath} ${JSON.stringify(options.headers ?? {})}`
        expect(lean.status, name).toBe(platform.status)
        expect(leanHeaders, name).toEqual(platformHeaders)
        expect(lean.body.equals(platform.body), name).toBe(true)
        expect(lean.truncated, name).toBe(false)
      }
      const whole = yield* served(view, "lean", (port) => get(port, "/whole"))
      expect(whole.status).toBe(200)
      expect(whole.body.equals(bytes)).toBe(true)
      expect(whole.headers["content-length"]).toBe(String(bytes.length))
      expect(whole.headers["content-type"]).toBe("application/octet-stream")
      expect(whole.headers["content-disposition"]).toBe("attachment; filename=\"report.bin\"")
      const part = yield* served(
        view,
        "lean",
        (port) => get(port, "/ranged", { headers: { Range: "bytes=65530-131080" } })
      )
      expect(part.status).toBe(206)
      expect(part.headers["content-range"]).toBe(`bytes 65530-131080/${bytes.length}`)
      expect(part.body.equals(bytes.subarray(65530, 131081))).toBe(true)
    }))

  it.effect("the value's stream is still the file's bytes (what middleware and tests read)", () =>
    Effect.gen(function*() {
      const res = yield* FileResponse.fromPath(path)
      const chunks = yield* Stream.runCollect(res.stream)
      expect(Buffer.concat([...chunks]).equals(bytes)).toBe(true)
      const fs = yield* FileSystem.FileSystem
      expect(isNodeFileSystem(fs)).toBe(true)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("a FileSystem other than Node's is read through its own stream, on the lean adapter too", () =>
    Effect.gen(function*() {
      const other = FileSystem.makeNoop({
        stat: () =>
          Effect.succeed({
            type: "File",
            mtime: Option.none(),
            atime: Option.none(),
            birthtime: Option.none(),
            dev: 0,
            ino: Option.none(),
            mode: 0,
            nlink: Option.none(),
            uid: Option.none(),
            gid: Option.none(),
            rdev: Option.none(),
            size: FileSystem.Size(5),
            blksize: Option.none(),
            blocks: Option.none()
          }),
        stream: () => Stream.make(new TextEncoder().encode("virtu"))
      })
      expect(isNodeFileSystem(other)).toBe(false)
      const virtual: View.View = () =>
        FileResponse.fromPath(path, { asAttachment: true }).pipe(Effect.provideService(FileSystem.FileSystem, other))
      const reply = yield* served(virtual, "lean", (port) => get(port, "/"))
      expect(reply.status).toBe(200)
      expect(reply.body.toString()).toBe("virtu")
      expect(reply.headers["content-length"]).toBe("5")
    }))

  it.effect("a middleware's new stream (GZip) is written as it is, not the file", () =>
    Effect.gen(function*() {
      const gzipped: View.View<unknown, FileSystem.FileSystem> = () =>
        Effect.flatMap(
          FileResponse.fromPath(path, { asAttachment: true }),
          (res) => GZip.processResponse("gzip", res)
        )
      const reply = yield* served(gzipped, "lean", (port) => get(port, "/whole"))
      expect(reply.headers["content-encoding"]).toBe("gzip")
      expect(gunzipSync(reply.body).equals(bytes)).toBe(true)
    }))

  it.effect("a file deleted between stat and send: logged, the connection closed, the next answer whole", () =>
    Effect.gen(function*() {
      const doomed = join(dir, "doomed.bin")
      const deleting: View.View<unknown, FileSystem.FileSystem> = (request) =>
        request.path === "/doomed"
          ? Effect.tap(FileResponse.fromPath(doomed), () => Effect.sync(() => unlinkSync(doomed)))
          : view(request)
      for (const adapter of ["lean", "platform"] as const) {
        writeFileSync(doomed, bytes)
        logged.length = 0
        const [failed, next] = yield* served(
          deleting,
          adapter,
          (port) => Effect.zip(get(port, "/doomed"), get(port, "/whole"))
        )
        expect(failed.truncated, adapter).toBe(true)
        expect(failed.body.length, adapter).toBe(0)
        expect(logged.some((m) => m.includes("response stream failed")), adapter).toBe(true)
        expect(next.body.equals(bytes), adapter).toBe(true)
      }
    }))

  it.effect("HEAD never opens the file: one deleted after stat still answers its headers, nothing logged", () =>
    Effect.gen(function*() {
      const gone = join(dir, "gone.bin")
      const deleting: View.View<unknown, FileSystem.FileSystem> = () =>
        Effect.tap(FileResponse.fromPath(gone, { asAttachment: true }), () => Effect.sync(() => unlinkSync(gone)))
      for (const adapter of ["lean", "platform"] as const) {
        writeFileSync(gone, bytes)
        logged.length = 0
        const head = yield* served(deleting, adapter, (port) => get(port, "/", { method: "HEAD" }))
        expect(head.status, adapter).toBe(200)
        expect(head.truncated, adapter).toBe(false)
        expect(head.headers["content-length"], adapter).toBe(String(bytes.length))
        expect(head.headers["content-disposition"], adapter).toBe("attachment; filename=\"gone.bin\"")
        expect(logged.filter((m) => m.includes("response stream failed")), adapter).toEqual([])
      }
    }))

  it.effect("a file shortened since stat: logged, the connection closed (no short body announced whole)", () =>
    Effect.gen(function*() {
      const shrinking = join(dir, "shrinking.bin")
      const shorten: View.View<unknown, FileSystem.FileSystem> = () =>
        Effect.tap(FileResponse.fromPath(shrinking), () => Effect.sync(() => truncateSync(shrinking, 70000)))
      for (const adapter of ["lean", "platform"] as const) {
        writeFileSync(shrinking, bytes)
        logged.length = 0
        const reply = yield* served(shorten, adapter, (port) => get(port, "/"))
        expect(reply.headers["content-length"], adapter).toBe(String(bytes.length))
        expect(reply.truncated, adapter).toBe(true)
        expect(reply.body.length, adapter).toBeLessThanOrEqual(70000)
        expect(reply.body.equals(bytes.subarray(0, reply.body.length)), adapter).toBe(true)
        expect(logged.some((m) => m.includes("response stream failed")), adapter).toBe(true)
      }
    }))

  it.effect("a file grown since stat: the Content-Length announced is sent, no more", () =>
    Effect.gen(function*() {
      const growing = join(dir, "growing.bin")
      const grow: View.View<unknown, FileSystem.FileSystem> = () =>
        Effect.tap(FileResponse.fromPath(growing), () => Effect.sync(() => writeFileSync(growing, bytes)))
      for (const adapter of ["lean", "platform"] as const) {
        writeFileSync(growing, bytes.subarray(0, 1000))
        const reply = yield* served(grow, adapter, (port) => get(port, "/"))
        expect(reply.headers["content-length"], adapter).toBe("1000")
        expect(reply.truncated, adapter).toBe(false)
        expect(reply.body.equals(bytes.subarray(0, 1000)), adapter).toBe(true)
      }
    }))

  it.effect("the value's stream: the stat'ed length exactly (UnexpectedEof when the file is shorter)", () =>
    Effect.gen(function*() {
      const changing = join(dir, "changing.bin")
      writeFileSync(changing, bytes.subarray(0, 5000))
      const grown = yield* FileResponse.fromPath(changing)
      writeFileSync(changing, bytes)
      const chunks = yield* Stream.runCollect(grown.stream)
      expect(Buffer.concat([...chunks]).equals(bytes.subarray(0, 5000))).toBe(true)
      const shortened = yield* FileResponse.fromPath(changing)
      truncateSync(changing, 100)
      const failure = yield* Effect.flip(Stream.runCollect(shortened.stream))
      expect(failure).toMatchObject({ _tag: "SystemError", reason: "UnexpectedEof", pathOrDescriptor: changing })
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("no descriptor is left open: GETs, ranges, HEADs, clients gone mid-body, deleted files", () =>
    Effect.gen(function*() {
      const doomed = join(dir, "doomed-many.bin")
      const app: View.View<unknown, FileSystem.FileSystem> = (request) =>
        request.path === "/doomed"
          ? Effect.tap(FileResponse.fromPath(doomed), () => Effect.sync(() => rmSync(doomed, { force: true })))
          : view(request)
      yield* served(app, "lean", (port) =>
        Effect.gen(function*() {
          yield* get(port, "/whole") // the server's own first-use descriptors
          const before = openDescriptors()
          for (let i = 0; i < 40; i++) {
            const whole = yield* get(port, "/whole")
            expect(whole.body.length).toBe(bytes.length)
            yield* get(port, "/ranged", { headers: { Range: "bytes=100-70000" } })
            const head = yield* get(port, "/whole", { method: "HEAD" })
            expect(head.body.length).toBe(0)
            yield* leaveEarly(port, "/whole")
            writeFileSync(doomed, bytes)
            yield* get(port, "/doomed")
          }
          // 40 rounds of 5 requests: a descriptor left per file opened would be 160 more.
          expect(yield* settledDescriptors(before)).toBeLessThanOrEqual(before)
        }))
    }))
})

process.on("exit", () => rmSync(dir, { recursive: true, force: true }))
