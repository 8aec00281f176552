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
 * (`src/internal/node/leanServer.ts`) instead of `NodeHttpServer.makeHandler`; the other
 * `ADAPTER` values are the steps of the profile in BENCHMARKS.md (node adapter).
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
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import { Handler, Middleware, Server, Settings, View } from "../../src/index.js"
import * as LeanServer from "../../src/internal/node/leanServer.js"
import { type Listener, request, runConcurrent } from "../inprocess.js"
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

// ADAPTER picks the request listener (see the node adapter profile in BENCHMARKS.md):
// "platform" (default): NodeHttpServer.makeHandler; "lean": the lean adapter's;
// "lean-tohandled": the lean adapter running each request through HttpApp.toHandled;
// "lean-tohandled-awaitend": that, also waiting for Node's `end` callback as the platform does;
// "raw": node:http alone, answering hello; "fiber": raw plus one trivial fiber per request that
// writes the answer; "fiber-request": that fiber also gets a request value in its context and
// writes the app's response.
const adapter = process.env["ADAPTER"] ?? "platform"
const label = `${name}${adapter === "platform" ? "" : ` [${adapter}]`}${
  process.env["SERVE"] === "layer" ? " [layer]" : ""
}`
const helloBytes = new TextEncoder().encode(HELLO)
const helloHeaders = { "content-type": "text/plain", "content-length": String(helloBytes.length) }
const bareListener = (app: HttpApp.Default<unknown, Scope.Scope | Settings.Settings>) =>
  Effect.map(Effect.runtime<never>(), (runtime): Listener => {
    const runFork = Runtime.runFork(runtime)
    if (adapter === "raw") {
      return (_req, res) => {
        res.writeHead(200, helloHeaders)
        res.end(helloBytes)
      }
    }
    if (adapter === "fiber") {
      return (_req, res) => {
        runFork(Effect.sync(() => {
          res.writeHead(200, helloHeaders)
          res.end(helloBytes)
        }))
      }
    }
    const write = Effect.flatMap(app, (response) =>
      Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
        const res = (request as unknown as { readonly res: Http.ServerResponse }).res
        res.writeHead(response.status, response.headers)
        res.end(response.body._tag === "Uint8Array" ? response.body.body : undefined)
      })) as Effect.Effect<void, unknown, HttpServerRequest.HttpServerRequest>
    return (req, res) => {
      runFork(Effect.provideService(write, HttpServerRequest.HttpServerRequest, { source: req, res } as never))
    }
  })
const makeHandler = (app: HttpApp.Default<unknown, Scope.Scope | Settings.Settings>) =>
  adapter === "lean"
    ? LeanServer.makeHandler(app)
    : adapter === "lean-tohandled"
    ? LeanServer.makeHandler(app, undefined, { viaToHandled: true })
    : adapter === "lean-tohandled-awaitend"
    ? LeanServer.makeHandler(app, undefined, { viaToHandled: true, awaitEnd: true })
    : adapter === "platform"
    ? NodeHttpServer.makeHandler(app)
    : bareListener(app)

/**
 * SERVE=layer: the request listeners of a real server built by the same layers as the network
 * targets (`targets.ts`): `HttpServer.serve` on `NodeHttpServer.layer` (or the lean layer) for the
 * platform apps, `Server.layer` for the library's; the server listens on a free port, and each
 * request is emitted on it in process (`server.emit("request", ...)`, as Node does).
 */
const viaLayer = async (): Promise<Listener> => {
  const servers: Array<Http.Server> = []
  const listen = Http.Server.prototype.listen
  Http.Server.prototype.listen = function(this: Http.Server, ...args: Array<unknown>) {
    servers.push(this)
    return (listen as (...args: Array<unknown>) => Http.Server).apply(this, args)
  } as typeof listen
  const settings = Settings.layer({ SECRET_KEY, ALLOWED_HOSTS: ["localhost"] })
  const lean = adapter === "lean"
  const app = makeApp()
  const served = name.startsWith("platform") || name === "realistic: platform by hand"
    ? HttpMiddleware.withTracerDisabledWhen(HttpServer.serve(app), () => true).pipe(
      Layer.provide(
        (lean ? LeanServer.layer : NodeHttpServer.layer)(Http.createServer, { port: 0, host: "127.0.0.1" })
      ),
      Layer.provide(settings)
    )
    : Server.layer(app, {
      port: 0,
      host: "127.0.0.1",
      tracer: false,
      limits: { maxRequestsPerSocket: 0 },
      adapter: lean ? "lean" : "platform"
    }).pipe(Layer.provide(settings))
  await new Promise<void>((ready) => {
    Effect.runFork(Layer.launch(Layer.tap(served, () => Effect.sync(ready))))
  })
  Http.Server.prototype.listen = listen
  const server = servers[0]!
  return (req, res) => server.emit("request", req, res)
}

const handler = process.env["SERVE"] === "layer" ? await viaLayer() : await Effect.runPromise(
  Effect.locally(makeHandler(makeApp()), HttpMiddleware.currentTracerDisabledWhen, () => true).pipe(
    Effect.provide(
      Layer.mergeAll(NodeHttpServer.layerContext, Settings.layer({ SECRET_KEY, ALLOWED_HOSTS: ["localhost"] }))
    )
  )
)

const run = (n: number) => runConcurrent(n, (socket) => request(handler, socket, url, headers))

await run(count) // warm-up
// ROUNDS=0: the warm-up only (for instruction counts under callgrind: the difference between two
// counts, divided by the difference in requests, is the cost of one request, start-up excluded).
const rounds = Number(process.env["ROUNDS"] ?? 5)
for (let round = 0; round < rounds; round++) {
  const before = process.cpuUsage()
  await run(count)
  const used = process.cpuUsage(before)
  console.log(`${label}: ${((used.user + used.system) / count).toFixed(1)} us/request`)
}
// SERVE=layer: the server still listens.
process.exit(0)
