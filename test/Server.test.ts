/**
 * Serving on Node: the limits for headers and slow clients, and the graceful stop (stop
 * accepting, let requests in flight finish, then release).
 */
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, Layer, Scope } from "effect"
import * as Http from "node:http"
import * as Net from "node:net"
import { HttpResponse, Server } from "../src/index.js"
import type { View } from "../src/index.js"

const get = (port: number, headers: Record<string, string> = {}) =>
  Effect.promise(() =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = Http.get({ host: "127.0.0.1", port, path: "/", headers, agent: false }, (res) => {
        let body = ""
        res.setEncoding("utf8")
        res.on("data", (c: string) => (body += c))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on("error", reject)
    })
  )

/**
 * A raw client that sends `head`, then keeps sending `filler` while the server answers; once the
 * server has half-closed, it sends one more piece and half-closes too. What it read, and how the
 * connection ended: `"clean"`, or the error (a reset) that ended it.
 */
const sendWhileAnswered = (port: number, head: string, filler: string) =>
  Effect.async<{ readonly answer: string; readonly ended: string }>((resume) => {
    const socket = Net.connect({ host: "127.0.0.1", port, allowHalfOpen: true })
    let answer = ""
    let error: string | undefined
    let serverEnded = false
    const pump = () => {
      while (!serverEnded && socket.writable && socket.write(filler));
    }
    socket.setEncoding("latin1")
    socket.on("connect", () => {
      socket.write(head)
      pump()
    })
    socket.on("drain", pump)
    socket.on("data", (chunk: string) => (answer += chunk))
    socket.on("end", () => {
      serverEnded = true
      socket.end(filler)
    })
    socket.on("error", (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message))
    socket.on("close", () => resume(Effect.succeed({ answer, ended: error ?? (serverEnded ? "clean" : "no end") })))
  })

const serve = <E>(view: View.View<E>, scope: Scope.Scope) =>
  Effect.map(
    Layer.buildWithScope(Server.layer(view, { port: 0, host: "127.0.0.1" }), scope),
    (context) => {
      const address = Context.get(context, HttpServer.HttpServer).address
      return address._tag === "TcpAddress" ? address.port : 0
    }
  )

describe("Server", () => {
  it("createServer applies safe limits, overridable", () => {
    const server = Server.createServer()
    expect(server.headersTimeout).toBe(10_000)
    expect(server.requestTimeout).toBe(120_000)
    expect(server.keepAliveTimeout).toBe(5_000)
    expect(server.maxHeadersCount).toBe(100)
    expect(server.maxRequestsPerSocket).toBe(1000)
    const custom = Server.createServer({ headersTimeout: "2 seconds", maxHeadersCount: 20 })
    expect(custom.headersTimeout).toBe(2_000)
    expect(custom.maxHeadersCount).toBe(20)
  })

  it.effect("serves a view, and answers oversized headers with 431 rather than dropping the connection", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const port = yield* serve(() => HttpResponse.make({ content: "hello" }), scope)
      expect(yield* get(port)).toEqual({ status: 200, body: "hello" })
      const big = yield* get(port, { "X-Big": "x".repeat(20 * 1024) })
      expect(big.status).toBe(431)
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("a 431 that Node answers itself reaches a client still sending, then the connection ends cleanly", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const port = yield* serve(() => HttpResponse.make({ content: "hello" }), scope)
      const head = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"x".repeat(20 * 1024)}`
      const out = yield* sendWhileAnswered(port, head, "y".repeat(16 * 1024))
      expect(out.answer).toMatch(/^HTTP\/1\.1 431 /)
      expect(out.ended).toBe("clean")
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("a 400 for a malformed request, the same: answered, half-closed, drained, closed", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const port = yield* serve(() => HttpResponse.make({ content: "hello" }), scope)
      const out = yield* sendWhileAnswered(port, "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n", "z".repeat(16 * 1024))
      expect(out.answer).toMatch(/^HTTP\/1\.1 400 /)
      expect(out.ended).toBe("clean")
      yield* Scope.close(scope, Exit.void)
    }))

  it.effect("a 408 for headers too slow, the same: answered, half-closed, closed cleanly", () =>
    Effect.gen(function*() {
      // Node answers 408 itself when the headers are not complete within `headersTimeout`; this
      // client sends part of a header line, then one byte every 50 ms, never ending it.
      const server = Server.createServer({ headersTimeout: "500 millis", requestTimeout: "500 millis" })
      yield* Effect.async<void>((resume) => {
        server.on("request", (_req, res) => res.end("hello"))
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      })
      const port = (server.address() as Net.AddressInfo).port
      const out = yield* Effect.async<{ readonly answer: string; readonly ended: string }>((resume) => {
        const socket = Net.connect({ host: "127.0.0.1", port, allowHalfOpen: true })
        let answer = ""
        let error: string | undefined
        let serverEnded = false
        const trickle = setInterval(() => socket.writable && !serverEnded && socket.write("s"), 50)
        socket.setEncoding("latin1")
        socket.on("connect", () => socket.write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "))
        socket.on("data", (chunk: string) => (answer += chunk))
        socket.on("end", () => {
          serverEnded = true
          socket.end("s")
        })
        socket.on("error", (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message))
        socket.on("close", () => {
          clearInterval(trickle)
          resume(Effect.succeed({ answer, ended: error ?? (serverEnded ? "clean" : "no end") }))
        })
      })
      yield* Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
      expect(out.answer).toMatch(/^HTTP\/1\.1 408 /)
      expect(out.ended).toBe("clean")
    }))

  it.effect("stopping lets a request in flight finish before the server is released", () =>
    Effect.gen(function*() {
      const entered = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const view: View.View<HttpResponse.MakeError> = () =>
        Deferred.succeed(entered, undefined).pipe(
          Effect.zipRight(Deferred.await(release)),
          Effect.zipRight(HttpResponse.make({ content: "finished" }))
        )
      const scope = yield* Scope.make()
      const port = yield* serve(view, scope)
      const inFlight = yield* Effect.fork(get(port))
      yield* Deferred.await(entered)
      const stopping = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* Deferred.succeed(release, undefined)
      expect(yield* Fiber.join(inFlight)).toEqual({ status: 200, body: "finished" })
      yield* Fiber.join(stopping)
      // Stopped: a new connection is refused.
      const after = yield* Effect.either(Effect.tryPromise(() =>
        new Promise((resolve, reject) =>
          Http.get({ host: "127.0.0.1", port, agent: false }, resolve).on("error", reject)
        )
      ))
      expect(after._tag).toBe("Left")
    }))
})
