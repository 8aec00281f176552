// Responses served through @effect/platform-node on a free port, read with node:http.
import { NodeFileSystem, NodeHttpServer } from "@effect/platform-node"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, Stream } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as http from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { FileResponse, HttpResponse, ResponseCookies, StreamingHttpResponse } from "../src/index.js"

interface Reply {
  readonly status: number
  readonly statusMessage: string
  readonly rawHeaders: ReadonlyArray<string>
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
  /** `true` when the connection closed before the response was complete. */
  readonly truncated: boolean
}

const request = (
  port: number,
  path: string,
  options: { readonly method?: string; readonly headers?: Record<string, string> } = {}
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers, agent: false },
      (res) => {
        const chunks: Array<Buffer> = []
        let truncated = false
        const done = () =>
          resolve({
            status: res.statusCode!,
            statusMessage: res.statusMessage!,
            rawHeaders: res.rawHeaders,
            headers: res.headers,
            body: Buffer.concat(chunks),
            truncated
          })
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("aborted", () => {
          truncated = true
        })
        res.on("error", () => {
          truncated = true
        })
        res.on("close", () => {
          if (!res.complete) truncated = true
          done()
        })
      }
    )
    req.on("error", reject)
    req.end()
  })

const dir = mkdtempSync(join(tmpdir(), "edh-serve-"))
const filePath = join(dir, "data.txt")
const fileBytes = Buffer.from("0123456789abcdefghij")
writeFileSync(filePath, fileBytes)

const logged: Array<string> = []
const captureLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ message }) => {
    logged.push(String(Array.isArray(message) ? message[0] : message))
  })
)

const router = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/plain",
    Effect.gen(function*() {
      const res = yield* HttpResponse.make({ content: "héllo" })
      const a = yield* HttpResponse.setHeader(res, "X-One", "1")
      const b = yield* ResponseCookies.setCookie(a, "c", "1", { path: "/a" })
      const c = yield* ResponseCookies.setCookie(b, "c", "2", { path: "/b", httpOnly: true })
      return yield* ResponseCookies.setCookie(c, "d", "a b;c")
    })
  ),
  HttpRouter.get(
    "/inject",
    Effect.gen(function*() {
      const res = yield* HttpResponse.make({ content: "never sent" })
      return yield* HttpResponse.setHeader(res, "X-Evil", "a\r\nSet-Cookie: evil=1")
    })
  ),
  HttpRouter.get("/redirect", HttpResponse.redirect("javascript:alert(1)")),
  HttpRouter.get("/json", HttpResponse.json({ a: "é", b: [1, 2.5] })),
  HttpRouter.get("/not-modified", HttpResponse.notModified()),
  HttpRouter.get(
    "/stream",
    StreamingHttpResponse.make(Stream.make("a", "b", "c"), { contentType: "text/plain" })
  ),
  HttpRouter.get(
    "/stream-fails",
    StreamingHttpResponse.make(
      Stream.concat(Stream.make("first chunk;"), Stream.fail("disk on fire")),
      { contentType: "text/plain" }
    )
  )
)

// A route reading the request headers for Range / If-Modified-Since.
const app = router.pipe(
  HttpRouter.get(
    "/data.txt",
    Effect.flatMap(
      HttpServerRequest.HttpServerRequest,
      (req) => FileResponse.fromPath(filePath, { request: req.headers })
    )
  )
)

const withServer = <A>(f: (port: number) => Promise<A>) =>
  Effect.scoped(
    Effect.gen(function*() {
      const ctx = yield* Layer.build(
        Layer.mergeAll(NodeHttpServer.layer(() => http.createServer(), { port: 0 }), NodeFileSystem.layer)
      )
      const server = Context.get(ctx, HttpServer.HttpServer)
      yield* HttpServer.serveEffect(app).pipe(Effect.provide(ctx), Effect.provide(captureLogger))
      const address = server.address
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      return yield* Effect.promise(() => f(address.port))
    })
  )

describe("serving through @effect/platform-node", () => {
  it.effect("a response with headers and several cookies of one name", () =>
    withServer(async (port) => {
      const r = await request(port, "/plain")
      expect(r.status).toBe(200)
      expect(r.body.toString("utf8")).toBe("héllo")
      expect(r.headers["content-type"]).toBe("text/html; charset=utf-8")
      expect(r.headers["content-length"]).toBe(String(Buffer.byteLength("héllo")))
      expect(r.headers["x-one"]).toBe("1")
      expect(r.headers["set-cookie"]).toEqual(["c=1; Path=/a", "c=2; HttpOnly; Path=/b", "d=\"a b\\073c\"; Path=/"])
      const again = await request(port, "/plain")
      expect(again.status).toBe(200)
    }))

  it.effect("HEAD gets the headers only", () =>
    withServer(async (port) => {
      const r = await request(port, "/plain", { method: "HEAD" })
      expect(r.status).toBe(200)
      expect(r.headers["content-length"]).toBe(String(Buffer.byteLength("héllo")))
      expect(r.body.length).toBe(0)
      expect(r.truncated).toBe(false)
    }))

  it.effect("header injection is a typed failure answered with a 500 before anything is sent", () =>
    withServer(async (port) => {
      const r = await request(port, "/inject")
      expect(r.status).toBe(500)
      expect(r.headers["set-cookie"]).toBeUndefined()
      expect(r.headers["x-evil"]).toBeUndefined()
      // Django 3.2's 500 page (django/views/defaults.py ERROR_PAGE_TEMPLATE), as Errors renders it.
      expect(r.body.toString()).toBe(
        "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n" +
          "  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n"
      )
      expect(r.truncated).toBe(false)
    }))

  it.effect("an unsafe redirect is DisallowedRedirect, answered with 400", () =>
    withServer(async (port) => {
      const r = await request(port, "/redirect")
      expect(r.status).toBe(400)
      expect(r.headers.location).toBeUndefined()
    }))

  it.effect("JSON and 304", () =>
    withServer(async (port) => {
      const j = await request(port, "/json")
      expect(j.headers["content-type"]).toBe("application/json")
      expect(j.body.toString()).toBe("{\"a\": \"\\u00e9\", \"b\": [1, 2.5]}")
      const n = await request(port, "/not-modified")
      expect(n.status).toBe(304)
      expect(n.headers["content-type"]).toBeUndefined()
      expect(n.body.length).toBe(0)
    }))

  it.effect("a streaming response", () =>
    withServer(async (port) => {
      const r = await request(port, "/stream")
      expect(r.body.toString()).toBe("abc")
      expect(r.headers["transfer-encoding"]).toBe("chunked")
      expect(r.truncated).toBe(false)
    }))

  it.effect("a stream failing midway closes the connection (the client sees a truncated body), is logged, and the server goes on", () =>
    withServer(async (port) => {
      logged.length = 0
      const r = await request(port, "/stream-fails")
      expect(r.status).toBe(200)
      expect(r.body.toString()).toBe("first chunk;")
      expect(r.truncated).toBe(true)
      expect(logged.some((m) => m.includes("response stream failed"))).toBe(true)
      const next = await request(port, "/stream")
      expect(next.body.toString()).toBe("abc")
    }))

  it.effect("FileResponse: whole file, Range (206), suffix range, unsatisfiable (416), If-Modified-Since (304)", () =>
    withServer(async (port) => {
      const whole = await request(port, "/data.txt")
      expect(whole.status).toBe(200)
      expect(whole.body).toEqual(fileBytes)
      expect(whole.headers["content-length"]).toBe("20")
      expect(whole.headers["content-type"]).toBe("text/plain")
      expect(whole.headers["content-disposition"]).toBe("inline; filename=\"data.txt\"")
      expect(whole.headers["accept-ranges"]).toBe("bytes")
      const lastModified = whole.headers["last-modified"]!
      expect(lastModified).toMatch(/GMT$/)

      const part = await request(port, "/data.txt", { headers: { Range: "bytes=2-5" } })
      expect(part.status).toBe(206)
      expect(part.body.toString()).toBe("2345")
      expect(part.headers["content-range"]).toBe("bytes 2-5/20")
      expect(part.headers["content-length"]).toBe("4")

      const suffix = await request(port, "/data.txt", { headers: { Range: "bytes=-3" } })
      expect(suffix.status).toBe(206)
      expect(suffix.body.toString()).toBe("hij")

      const open = await request(port, "/data.txt", { headers: { Range: "bytes=15-" } })
      expect(open.body.toString()).toBe("fghij")

      const bad = await request(port, "/data.txt", { headers: { Range: "bytes=50-60" } })
      expect(bad.status).toBe(416)
      expect(bad.headers["content-range"]).toBe("bytes */20")
      expect(bad.body.length).toBe(0)

      const ignored = await request(port, "/data.txt", { headers: { Range: "bytes=0-1,4-5" } })
      expect(ignored.status).toBe(200)
      expect(ignored.body).toEqual(fileBytes)

      const cached = await request(port, "/data.txt", { headers: { "If-Modified-Since": lastModified } })
      expect(cached.status).toBe(304)
      expect(cached.body.length).toBe(0)

      const stale = await request(port, "/data.txt", {
        headers: { "If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT" }
      })
      expect(stale.status).toBe(200)

      const head = await request(port, "/data.txt", { method: "HEAD", headers: { Range: "bytes=0-3" } })
      expect(head.status).toBe(206)
      expect(head.headers["content-length"]).toBe("4")
      expect(head.body.length).toBe(0)
    }))
})

process.on("exit", () => rmSync(dir, { recursive: true, force: true }))
