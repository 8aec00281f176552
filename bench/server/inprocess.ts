/**
 * The server path without the network: each target's platform handler
 * (`NodeHttpServer.makeHandler`, the function platform-node puts on `server.on("request")`) is
 * called with Node `IncomingMessage`/`ServerResponse` objects on in-memory sockets, 50 requests
 * in flight. Prints the CPU microseconds per request (5 runs) and, with `--trace-gc-nvp`, what
 * the garbage collector did per request: bytes allocated, bytes that survived a scavenge, bytes
 * promoted to the old generation. Those last numbers hardly depend on other load on the
 * machine, unlike timings.
 *
 *     node --trace-gc-nvp --import tsx bench/server/inprocess.ts "library, tracer off" 10000
 *
 * With `ADAPTER=lean` in the environment, the same apps run on the lean adapter's handler
 * (`src/internal/node/leanServer.ts`) instead of `NodeHttpServer.makeHandler`.
 *
 * Targets: "platform, tracer off", "library, tracer off", "platform, tracer off, response per
 * request", "library, tracer off, prebuilt response", "realistic: platform by hand",
 * "realistic: library", "realistic: library, generator per request" (the same apps as
 * `targets.ts`), "library: handler, no middleware", "library: handler + 2 middleware" (the hello
 * view served through `Handler.make`).
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import { Duplex } from "node:stream"
import { Handler, Middleware, Settings, View } from "../../src/index.js"
import * as LeanServer from "../../src/internal/node/leanServer.js"
import {
  HELLO,
  helloPlatformPerRequest,
  helloView,
  helloViewPrebuilt,
  PATH,
  realisticPlatform,
  realisticView,
  realisticViewGenPerRequest,
  requestHeaders,
  SECRET_KEY
} from "./realistic.js"

class MemorySocket extends Duplex {
  readonly remoteAddress = "127.0.0.1"
  readonly localAddress = "127.0.0.1"
  readonly localPort = 8000
  override _read() {}
  override _write(_chunk: unknown, _encoding: unknown, done: () => void) {
    done()
  }
  override _writev(_chunks: unknown, done: () => void) {
    done()
  }
  setTimeout() {
    return this
  }
}

const apps: Record<string, () => HttpApp.Default<unknown, Scope.Scope | Settings.Settings>> = {
  "platform, tracer off": () => HttpServerResponse.text(HELLO),
  "library, tracer off": () => View.toHttpApp(helloView),
  "platform, tracer off, response per request": () => helloPlatformPerRequest,
  "library, tracer off, prebuilt response": () => View.toHttpApp(helloViewPrebuilt),
  "realistic: platform by hand": () => realisticPlatform,
  "realistic: library": () => View.toHttpApp(realisticView),
  "realistic: library, generator per request": () => View.toHttpApp(realisticViewGenPerRequest),
  "library: handler, no middleware": () => Handler.toHttpApp(Handler.make({ urls: helloView })),
  "library: handler + 2 middleware": () =>
    Handler.toHttpApp(Handler.make({
      middleware: Middleware.compose(Middleware.multipleProxy, Middleware.validateHost),
      urls: helloView
    }))
}

const name = process.argv[2] ?? "library, tracer off"
const count = Number(process.argv[3] ?? 10000)
const makeApp = apps[name]
if (makeApp === undefined) throw new Error(`unknown target ${name}; known: ${Object.keys(apps).join(", ")}`)
const realistic = name.startsWith("realistic")
const url = realistic ? PATH : "/"
const headers: Record<string, string> = { host: "localhost", ...(realistic ? requestHeaders(Date.now()) : {}) }

// ADAPTER=lean: the lean adapter's handler (src/internal/node/leanServer.ts) instead of the platform's.
const lean = process.env["ADAPTER"] === "lean"
const makeHandler = lean ? LeanServer.makeHandler : NodeHttpServer.makeHandler
const label = lean ? `${name} [lean adapter]` : name

const handler = await Effect.runPromise(
  Effect.locally(makeHandler(makeApp()), HttpMiddleware.currentTracerDisabledWhen, () => true).pipe(
    Effect.provide(
      Layer.mergeAll(NodeHttpServer.layerContext, Settings.layer({ SECRET_KEY, ALLOWED_HOSTS: ["localhost"] }))
    )
  )
)

const one = (socket: MemorySocket) =>
  new Promise<void>((done) => {
    const request = new Http.IncomingMessage(socket as never)
    request.method = "GET"
    request.url = url
    request.headers = headers
    request.httpVersion = "1.1"
    request.push(null)
    const response = new Http.ServerResponse(request)
    response.assignSocket(socket as never)
    response.on("finish", () => {
      response.detachSocket(socket as never)
      done()
    })
    handler(request, response)
  })

const run = async (n: number) => {
  let left = n
  const worker = async () => {
    const socket = new MemorySocket()
    while (left-- > 0) await one(socket)
  }
  await Promise.all(Array.from({ length: 50 }, worker))
}

await run(count) // warm-up
for (let round = 0; round < 5; round++) {
  const before = process.cpuUsage()
  await run(count)
  const used = process.cpuUsage(before)
  console.log(`${label}: ${((used.user + used.system) / count).toFixed(1)} us/request`)
}
