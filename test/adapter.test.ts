/**
 * What the adapter (`src/internal/node/adapter.ts`) reads that is not the platform's public
 * API. Each test here fails the day Effect or `@effect/platform-node` changes under it, instead
 * of the library silently falling back to a slower path or leaking a request's temporary files.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect } from "effect"
import { createServer } from "node:http"
import { canSetFiberRef, nodeResponseOf, withContextIn } from "../src/internal/node/adapter.js"

class Marker extends Context.Tag("test/adapter/Marker")<Marker, string>() {}

describe("the adapter's reaches", () => {
  it.effect("Effect's fiber runtime has setFiberRef, and setting the context through it is seen at once", () =>
    Effect.withFiberRuntime((fiber) => {
      // Missing public API: `Fiber.RuntimeFiber` does not list `setFiberRef`. If this fails,
      // `View.respond` falls back to `FiberRef.set` (one more runtime step per request).
      expect(canSetFiberRef(fiber)).toBe(true)
      const context = Context.add(fiber.currentContext, Marker, "set in place")
      // The requirement is met by the context `withContextIn` sets: the type cannot see it.
      return withContextIn(fiber, context, Marker) as Effect.Effect<string>
    }).pipe(Effect.map((marker) => expect(marker).toBe("set in place"))))

  it.scopedLive("a platform-node request carries its Node ServerResponse as `response`", () =>
    Effect.gen(function*() {
      // Missing public API: the `HttpServerRequest` interface has `source` (the
      // IncomingMessage) but not the response. If this fails, a request whose client goes
      // away before the response is written keeps its spilled uploads until the platform's
      // scope closes, which platform-node never does for such a request.
      yield* HttpServer.serveEffect(Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const response = nodeResponseOf(request)
        return HttpServerResponse.text(
          response !== undefined && typeof response.once === "function" && response.writableFinished === false
            ? "found"
            : "missing"
        )
      }))
      const address = (yield* HttpServer.HttpServer).address
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      const res = yield* Effect.promise(() => fetch(`http://127.0.0.1:${address.port}/`))
      expect(yield* Effect.promise(() => res.text())).toBe("found")
    }).pipe(Effect.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))))
})
