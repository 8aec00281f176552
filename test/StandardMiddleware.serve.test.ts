/**
 * The standard middleware on a real server (@effect/platform-node on a free port, read with
 * node:http): a site with Django's middleware order, a compressed page, a compressed stream, a
 * 304 for the weakened ETag GZip sends, the security and frame headers, and static files.
 */
import { NodeFileSystem, NodeHttpServer } from "@effect/platform-node"
import * as HttpServer from "@effect/platform/HttpServer"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Stream } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { gunzipSync, gzipSync } from "node:zlib"
import {
  Clickjacking,
  ConditionalGet,
  GZip,
  HttpResponse,
  Middleware,
  Security,
  Settings,
  Static,
  StreamingHttpResponse,
  View
} from "../src/index.js"

interface Reply {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

const get = (port: number, p: string, headers: Record<string, string> = {}): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: p, headers, agent: false }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on("error", reject)
    req.end()
  })

const root = fs.mkdtempSync(path.join(os.tmpdir(), "stdmw-serve-"))
const js = "console.log('static')\n".repeat(40)
fs.writeFileSync(path.join(root, "app.0123456789ab.js"), js)
fs.writeFileSync(path.join(root, "app.0123456789ab.js.gz"), gzipSync(js))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

const page = "<p>" + "Lorem ipsum dolor sit amet. ".repeat(40) + "</p>"
const chunks = ["<ul>", ...Array.from({ length: 50 }, (_, i) => `<li>item ${i}</li>`), "</ul>"]
const statics = Static.view({ root, prefix: "/static/" })

const routes: View.View<unknown, never> = (request) =>
  request.path.startsWith("/static/")
    ? Effect.provide(statics(request), NodeFileSystem.layer)
    : request.path === "/stream"
    ? StreamingHttpResponse.make(Stream.fromIterable(chunks))
    : request.path === "/embed"
    ? Clickjacking.xframeOptionsExempt(() => HttpResponse.make({ content: page }))(request)
    : HttpResponse.make({ content: page })

// MIDDLEWARE = [SecurityMiddleware, GZipMiddleware, ConditionalGetMiddleware, XFrameOptionsMiddleware]
const site = Middleware.compose(
  Security.middleware,
  GZip.middleware,
  ConditionalGet.middleware,
  Clickjacking.middleware
)(
  routes
)

const withServer = <A>(f: (port: number) => Promise<A>) =>
  Effect.scoped(
    Effect.gen(function*() {
      const ctx = yield* Layer.build(NodeHttpServer.layer(() => http.createServer(), { port: 0 }))
      const server = Context.get(ctx, HttpServer.HttpServer)
      yield* HttpServer.serveEffect(View.toHttpApp(site)).pipe(
        Effect.provide(ctx),
        Effect.provide(Settings.layer({ ALLOWED_HOSTS: ["127.0.0.1"], SECURE_HSTS_SECONDS: 60 }))
      )
      const address = server.address
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      return yield* Effect.promise(() => f(address.port))
    })
  )

describe("the standard middleware on a real server", () => {
  it.effect("a page: gzip, Vary, weak ETag, then 304 for it; security and frame headers", () =>
    withServer(async (port) => {
      const r = await get(port, "/", { "Accept-Encoding": "gzip" })
      expect(r.status).toBe(200)
      expect(r.headers["content-encoding"]).toBe("gzip")
      expect(r.headers["vary"]).toBe("Accept-Encoding")
      expect(r.headers["content-length"]).toBe(String(r.body.length))
      expect(gunzipSync(r.body).toString()).toBe(page)
      expect(r.headers["etag"]).toMatch(/^W\/"[0-9a-f]{32}"$/)
      expect(r.headers["x-frame-options"]).toBe("DENY")
      expect(r.headers["x-content-type-options"]).toBe("nosniff")
      expect(r.headers["referrer-policy"]).toBe("same-origin")
      // HSTS only over HTTPS.
      expect(r.headers["strict-transport-security"]).toBe(undefined)
      const again = await get(port, "/", { "Accept-Encoding": "gzip", "If-None-Match": r.headers["etag"]! })
      expect(again.status).toBe(304)
      expect(again.body.length).toBe(0)
      const plain = await get(port, "/")
      expect(plain.headers["content-encoding"]).toBe(undefined)
      expect(plain.body.toString()).toBe(page)
      const embed = await get(port, "/embed")
      expect(embed.headers["x-frame-options"]).toBe(undefined)
    }))

  it.effect("a streaming response is sent compressed, chunked, without Content-Length", () =>
    withServer(async (port) => {
      const r = await get(port, "/stream", { "Accept-Encoding": "gzip" })
      expect(r.headers["content-encoding"]).toBe("gzip")
      expect(r.headers["content-length"]).toBe(undefined)
      expect(gunzipSync(r.body).toString()).toBe(chunks.join(""))
    }))

  it.effect("static files: the precompressed variant, a long cache time, and no second compression", () =>
    withServer(async (port) => {
      const r = await get(port, "/static/app.0123456789ab.js", { "Accept-Encoding": "gzip" })
      expect(r.status).toBe(200)
      expect(r.headers["content-encoding"]).toBe("gzip")
      expect(r.headers["cache-control"]).toBe("max-age=315360000, public, immutable")
      expect(gunzipSync(r.body).toString()).toBe(js)
      const escape = await get(port, "/static/%2e%2e/etc/passwd")
      expect(escape.status).toBe(400)
      const missing = await get(port, "/static/nope.js")
      expect(missing.status).toBe(404)
    }))
})
