/**
 * HttpRequest on a real Node server: the platform request becomes a Django
 * request, the body limits answer with a real 400 (the client is never left
 * without a response), and a client that disconnects mid-body is an
 * `UnreadablePostError` in the handler.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Either, Layer } from "effect"
import * as fs from "node:fs"
import { createServer } from "node:http"
import * as net from "node:net"
import * as os from "node:os"
import * as nodePath from "node:path"
import { HttpRequest, QueryDict, Settings } from "../src/index.js"

const app = Effect.gen(function*() {
  const request = yield* HttpRequest.current
  const post = yield* request.POST
  return yield* HttpServerResponse.json({
    method: request.method,
    path: request.path,
    post: QueryDict.lists(post),
    secure: yield* HttpRequest.isSecure(request),
    remote: request.META.REMOTE_ADDR,
    cookies: request.COOKIES
  })
})

const serve = <E, R>(handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    yield* HttpServer.serveEffect(handler)
    const address = server.address
    if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
    return address.port
  })

const withServer = Layer.mergeAll(
  NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }),
  Settings.layer({ DATA_UPLOAD_MAX_MEMORY_SIZE: 64, ALLOWED_HOSTS: ["*"] })
)

describe("fromServerRequest on Node", () => {
  it.scopedLive("parses a form POST; the plain connection is not secure; cookies keep the last duplicate", () =>
    Effect.gen(function*() {
      const port = yield* serve(app)
      const res = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/a/b?x=1`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", cookie: "c=1; c=2" },
          body: "f=v&f=w"
        })
      )
      expect(res.status).toBe(200)
      expect(yield* Effect.promise(() => res.json())).toEqual({
        method: "POST",
        path: "/a/b",
        post: [["f", ["v", "w"]]],
        secure: false,
        remote: "127.0.0.1",
        cookies: { c: "2" }
      })
    }).pipe(Effect.provide(withServer)))

  it.scopedLive("a Content-Length over DATA_UPLOAD_MAX_MEMORY_SIZE is answered with 400", () =>
    Effect.gen(function*() {
      const port = yield* serve(app)
      const res = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "a=" + "x".repeat(100)
        })
      )
      expect(res.status).toBe(400)
      // Django 3.2's 400 page (django/views/defaults.py ERROR_PAGE_TEMPLATE), as Errors renders it.
      expect(yield* Effect.promise(() => res.text())).toBe(
        "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n" +
          "  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n"
      )
    }).pipe(Effect.provide(withServer)))

  /** A client that sends a POST's headers and 10 of its 50 body bytes, then waits. */
  const sendTenOfFifty = (port: number): net.Socket => {
    const socket = net.connect(port, "127.0.0.1")
    socket.on("error", () => {})
    socket.write(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 50\r\n\r\nonly-ten-b"
    )
    return socket
  }

  it.scopedLive("a client that disconnects mid-body gives UnreadablePostError", () =>
    Effect.gen(function*() {
      const seen = yield* Deferred.make<string>()
      const started = yield* Deferred.make<void>()
      const port = yield* serve(Effect.gen(function*() {
        const request = yield* HttpRequest.current
        yield* Deferred.succeed(started, undefined)
        const error = yield* Effect.flip(request.body)
        yield* Deferred.succeed(seen, error._tag)
        return HttpServerResponse.empty()
      }))
      const socket = sendTenOfFifty(port)
      yield* Deferred.await(started)
      socket.destroy()
      expect(yield* Deferred.await(seen)).toBe("UnreadablePostError")
    }).pipe(Effect.provide(withServer)))

  it.scopedLive("a client that resets before the view reads the body gives UnreadablePostError, not a read that never ends", () =>
    Effect.gen(function*() {
      const seen = yield* Deferred.make<string>()
      const started = yield* Deferred.make<void>()
      const gone = yield* Deferred.make<void>()
      const port = yield* serve(Effect.gen(function*() {
        const request = yield* HttpRequest.current
        yield* Deferred.succeed(started, undefined)
        // The view is busy (a database call) while the client leaves.
        yield* Deferred.await(gone)
        yield* Effect.sleep("50 millis")
        const outcome = yield* Effect.either(Effect.timeout(request.body, "5 seconds"))
        yield* Deferred.succeed(seen, Either.isLeft(outcome) ? outcome.left._tag : "read")
        return HttpServerResponse.empty()
      }))
      const socket = sendTenOfFifty(port)
      yield* Deferred.await(started)
      socket.resetAndDestroy()
      yield* Deferred.succeed(gone, undefined)
      expect(yield* Deferred.await(seen)).toBe("UnreadablePostError")
    }).pipe(Effect.provide(withServer)))

  // Django answers every upload limit with 400 (core/handlers/exception.py). A limit hit in the
  // middle of a large body must still reach the client as that response: the socket stays open
  // and the rest of the body is drained, instead of the connection being reset.
  const limited = Layer.mergeAll(
    NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }),
    Settings.layer({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 3, DATA_UPLOAD_MAX_MEMORY_SIZE: 1024, ALLOWED_HOSTS: ["*"] })
  )
  const postApp = Effect.gen(function*() {
    const request = yield* HttpRequest.current
    const post = yield* request.POST
    const files = yield* request.FILES
    return yield* HttpServerResponse.json({ post: QueryDict.lists(post).length, files: [...files].length })
  })
  const boundary = "BoUnDaRy"
  const part = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  const bigMultipart = () => {
    const head = Array.from({ length: 10 }, (_, i) => part(`f${i}`, "v")).join("") +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      "Content-Type: application/octet-stream\r\n\r\n"
    return Buffer.concat([Buffer.from(head), Buffer.alloc(8 * 1024 * 1024, 97), Buffer.from(`\r\n--${boundary}--\r\n`)])
  }

  it.scopedLive("too many multipart fields early in an 8 MB upload: a 400 response, and the server goes on", () =>
    Effect.gen(function*() {
      const port = yield* serve(postApp)
      const res = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/upload`, {
          method: "POST",
          headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
          body: bigMultipart()
        })
      )
      expect(res.status).toBe(400)
      // Django 3.2's 400 page (ERROR_PAGE_TEMPLATE), as Errors renders it.
      expect(yield* Effect.promise(() => res.text())).toBe(
        "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n" +
          "  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n"
      )
      const ok = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/upload`, {
          method: "POST",
          headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
          body: part("a", "1") + `--${boundary}--\r\n`
        })
      )
      expect(ok.status).toBe(200)
      expect(yield* Effect.promise(() => ok.json())).toEqual({ post: 1, files: 0 })
    }).pipe(Effect.provide(limited)))

  it.scopedLive("a chunked urlencoded body that grows past DATA_UPLOAD_MAX_MEMORY_SIZE: a 400 response", () =>
    Effect.gen(function*() {
      const port = yield* serve(postApp)
      const chunk = new TextEncoder().encode("a=" + "x".repeat(4096) + "&")
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 256) controller.enqueue(chunk)
          else controller.close()
        }
      })
      const res = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/form`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body,
          duplex: "half"
        } as RequestInit)
      )
      expect(res.status).toBe(400)
      // Django 3.2's 400 page (ERROR_PAGE_TEMPLATE), as Errors renders it.
      expect(yield* Effect.promise(() => res.text())).toBe(
        "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n" +
          "  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n"
      )
    }).pipe(Effect.provide(limited)))

  it.scopedLive("after a limit hit mid-body the keep-alive connection stays usable for the next request", () =>
    Effect.gen(function*() {
      const port = yield* serve(postApp)
      const socket = net.connect(port, "127.0.0.1")
      let received = ""
      socket.on("data", (d) => (received += d.toString("latin1")))
      socket.on("error", () => {})
      const waitFor = (pattern: RegExp) =>
        Effect.promise(() =>
          new Promise<void>((resolve, reject) => {
            const check = () => (pattern.test(received) ? resolve() : undefined)
            socket.on("data", check)
            socket.on("close", () => (pattern.test(received) ? resolve() : reject(new Error(`closed: ${received}`))))
            check()
          })
        )
      const body = bigMultipart()
      socket.write(
        `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
          `Content-Length: ${body.length}\r\n\r\n`
      )
      socket.write(body)
      yield* waitFor(/^HTTP\/1\.1 400 [\s\S]*Bad Request \(400\)/)
      const small = part("a", "1") + `--${boundary}--\r\n`
      socket.write(
        `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
          `Content-Length: ${small.length}\r\n\r\n${small}`
      )
      yield* waitFor(/HTTP\/1\.1 200 [\s\S]*\{"post":1,"files":0\}/)
      socket.destroy()
    }).pipe(Effect.provide(limited)))

  it.scopedLive("a client that leaves after uploading, before the response, leaves no temporary file", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "edh-abort-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const spilled = yield* Deferred.make<number>()
      const port = yield* serve(Effect.gen(function*() {
        const request = yield* HttpRequest.current
        yield* request.FILES
        yield* Deferred.succeed(spilled, fs.readdirSync(dir, { recursive: true }).length)
        yield* Effect.sleep("300 millis")
        return HttpServerResponse.text("x".repeat(1_000_000))
      })).pipe(
        Effect.provide(
          Settings.layer({ FILE_UPLOAD_MAX_MEMORY_SIZE: 10, FILE_UPLOAD_TEMP_DIR: dir, ALLOWED_HOSTS: ["*"] })
        )
      )
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n` +
        `${"a".repeat(100)}\r\n--${boundary}--\r\n`
      const socket = net.connect(port, "127.0.0.1")
      socket.on("error", () => {})
      socket.write(
        `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body}`
      )
      // The upload spilled to disk (a directory and the file), then the client goes away.
      expect(yield* Deferred.await(spilled)).toBeGreaterThanOrEqual(1)
      socket.destroy()
      const left = yield* Effect.promise(async () => {
        for (let i = 0; i < 100; i++) {
          const entries = fs.readdirSync(dir, { recursive: true })
          if (entries.length === 0) return entries
          await new Promise((r) => setTimeout(r, 50))
        }
        return fs.readdirSync(dir, { recursive: true })
      })
      expect(left).toEqual([])
    }).pipe(Effect.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))))
})
