/**
 * Serving on Node: the limits for headers and slow clients, and the graceful stop (stop
 * accepting, let requests in flight finish, then release).
 */
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, Layer, Scope } from "effect"
import * as Http from "node:http"
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
