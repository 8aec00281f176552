/**
 * The servers `bench/server.bench.ts` measures, each run in its own process:
 *
 *     node --import tsx bench/server/targets.ts NAME
 *
 * prints `listening on 127.0.0.1:PORT` once it accepts connections (port 0: a free one).
 * Every target answers `GET /` ("hello": `Hello, World!` as text/plain) or, for the realistic
 * targets, `GET /?q=...&page=N` with a Django-signed `user` cookie (see `realistic.ts`).
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { serve as honoServe } from "@hono/node-server"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import express from "express"
import Fastify from "fastify"
import { Hono } from "hono"
import cluster from "node:cluster"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { Server, Settings } from "../../src/index.js"
import { Handler, HttpRequest, HttpResponse, Middleware, View } from "../../src/index.js"
import * as LeanServer from "../../src/internal/node/leanServer.js"
import { runTarget } from "../harness.js"
import {
  busyView,
  HELLO,
  helloOptions,
  helloPlatformPerRequest,
  helloView,
  helloViewPrebuilt,
  realisticPlatform,
  realisticView,
  realisticViewGenPerRequest,
  SECRET_KEY
} from "./realistic.js"

const HOST = "127.0.0.1"

let cpuAtListen: NodeJS.CpuUsage | undefined
const announce = (port: number) => {
  cpuAtListen = process.cpuUsage()
  console.log(`listening on ${HOST}:${port}`)
}

const platform = <E>(app: HttpApp.Default<E, Scope.Scope>, tracer: boolean, lean = false): void => {
  const served = tracer
    ? HttpServer.serve(app)
    : HttpMiddleware.withTracerDisabledWhen(HttpServer.serve(app), () => true)
  const announced = Layer.effectDiscard(
    Effect.flatMap(HttpServer.HttpServer, (server) => Effect.sync(() => announce(portOf(server.address))))
  )
  Effect.runFork(
    Layer.launch(
      Layer.merge(served, announced).pipe(
        Layer.provide((lean ? LeanServer.layer : NodeHttpServer.layer)(Http.createServer, { port: 0, host: HOST }))
      )
    )
  )
}

const portOf = (address: HttpServer.Address): number => (address._tag === "TcpAddress" ? address.port : 0)

/**
 * The library's server with Node's per-connection request limit off, as on the bare platform's
 * server: with `maxRequestsPerSocket` (1000 by default) autocannon, which keeps sending on a
 * connection after its `Connection: close` response, gets 503s from Node once a connection has
 * served 1000 requests, and those cheap answers would count as throughput.
 */
const benchLimits = { maxRequestsPerSocket: 0 }

const library = <E>(view: View.View<E, Settings.Settings>, tracer: boolean, lean = false): void => {
  Effect.runFork(
    Layer.launch(
      Server.layer(view, { port: 0, host: HOST, tracer, limits: benchLimits, adapter: lean ? "lean" : "platform" })
        .pipe(
          Layer.tap(() => Effect.sync(() => (cpuAtListen = process.cpuUsage()))),
          Layer.provide(Settings.layer({ SECRET_KEY }))
        )
    )
  )
}

/**
 * The hello view served as a site: `Handler.make` with `MIDDLEWARE = [MultipleProxyMiddleware,
 * the host check]`, so every request also goes through two middleware layers, each guarded.
 */
const handler = (tracer: boolean): void => {
  const site = Handler.make({
    middleware: Middleware.compose(Middleware.multipleProxy, Middleware.validateHost),
    urls: helloView
  })
  Effect.runFork(
    Layer.launch(
      Server.layer(site, { port: 0, host: HOST, tracer, limits: benchLimits }).pipe(
        Layer.tap(() => Effect.sync(() => (cpuAtListen = process.cpuUsage()))),
        Layer.provide(Settings.layer({ SECRET_KEY, ALLOWED_HOSTS: [HOST] }))
      )
    )
  )
}

const workers = (n: number, view: View.View<HttpResponse.MakeError> = helloView): void =>
  Server.run(view, {
    port: 0,
    host: HOST,
    tracer: false,
    limits: benchLimits,
    workers: n,
    settings: Settings.layer({ SECRET_KEY })
  })

export const targets: Record<string, () => void> = {
  "node:http": () => {
    const server = Http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" })
      res.end(HELLO)
    })
    server.listen(0, HOST, () => announce((server.address() as AddressInfo).port))
  },
  "express": () => {
    const app = express()
    app.get("/", (_req, res) => {
      res.type("text/plain").send(HELLO)
    })
    const server = app.listen(0, HOST, () => announce((server.address() as AddressInfo).port))
  },
  "hono": () => {
    const app = new Hono()
    app.get("/", (c) => c.text(HELLO))
    honoServe({ fetch: app.fetch, port: 0, hostname: HOST }, (info) => announce(info.port))
  },
  "fastify": () => {
    const app = Fastify()
    app.get("/", (_req, reply) => {
      reply.type("text/plain").send(HELLO)
    })
    app.listen({ port: 0, host: HOST }).then(() => announce((app.server.address() as AddressInfo).port))
  },
  "platform": () => platform(HttpServerResponse.text(HELLO), true),
  "platform, tracer off": () => platform(HttpServerResponse.text(HELLO), false),
  "realistic: platform by hand": () => platform(realisticPlatform, false),
  "library": () => library(helloView, true),
  "library, tracer off": () => library(helloView, false),
  "library: handler + 2 middleware, tracer off": () => handler(false),
  // Server.run with a primary and two workers (node:cluster): compare req/s with "library,
  // tracer off" (its CPU figure is the primary's only).
  "library, tracer off, 2 workers": () => workers(2),
  // The same through `Server.run` with one worker (no primary): the one-process figure of `run`.
  "library, tracer off, 1 worker": () => workers(1),
  // Two workers, each accepting its own connections (the kernel picks which), not the primary.
  "library, tracer off, 2 workers, scheduling none": () => {
    if (cluster.isPrimary) cluster.schedulingPolicy = cluster.SCHED_NONE
    workers(2)
  },
  // About 1 ms of CPU per request (BENCHMARKS.md, server: workers on a CPU-bound view).
  "busy: library, 1 worker": () => workers(1, busyView),
  "busy: library, 2 workers": () => workers(2, busyView),
  // Hello with the response built the same way on both: per request, or once.
  "platform, tracer off, response per request": () => platform(helloPlatformPerRequest, false),
  "library, tracer off, prebuilt response": () => library(helloViewPrebuilt, false),
  "realistic: library": () => library(realisticView, false),
  // The same apps on the lean adapter (src/internal/node/leanServer.ts; BENCHMARKS.md, node adapter).
  "platform, tracer off, lean adapter": () => platform(HttpServerResponse.text(HELLO), false, true),
  "library, tracer off, lean adapter": () => library(helloView, false, true),
  // The same with Node's own connection-checking interval (30 s) instead of `Server.createServer`'s
  // (half of `headersTimeout`, 5 s by default): does the shorter interval cost anything per request?
  "library, tracer off, lean adapter, Node's 30 s connection checks": () => {
    const listen = Http.Server.prototype.listen
    Http.Server.prototype.listen = function(this: Http.Server, ...args: Array<unknown>) {
      ;(this as Http.Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 30_000
      return (listen as (...args: Array<unknown>) => Http.Server).apply(this, args)
    } as typeof listen
    library(helloView, false, true)
  },
  "realistic: platform by hand, lean adapter": () => platform(realisticPlatform, false, true),
  "realistic: library, lean adapter": () => library(realisticView, false, true),
  "realistic: library, generator per request": () => library(realisticViewGenPerRequest, false),
  "diag: request only": () =>
    platform(
      Effect.as(
        Effect.flatMap(HttpServerRequest.HttpServerRequest, HttpRequest.fromServerRequest),
        HttpServerResponse.text(HELLO)
      ),
      false
    ),
  "diag: response only": () =>
    platform(
      Effect.flatMap(HttpResponse.make(helloOptions), HttpResponse.toServerResponse),
      false
    ),
  "diag: response prebuilt": () => {
    const prebuilt = Effect.runSync(Effect.flatMap(HttpResponse.make(helloOptions), HttpResponse.toServerResponse))
    console.error(JSON.stringify(prebuilt.headers), prebuilt.body._tag)
    platform(Effect.succeed(prebuilt), false)
  },
  // Diagnostics: the library's view on the bare platform's server setup, and the bare app on the library's server.
  "library view, platform serve, tracer off": () => platform(View.toHttpApp(helloView), false),
  "platform app, Server.layer, tracer off": () =>
    Effect.runFork(
      Layer.launch(
        Server.layer(HttpServerResponse.text(HELLO), { port: 0, host: HOST, tracer: false, limits: benchLimits })
      )
    )
}

runTarget(targets)

// For `callgrind-network.sh`: exit (so that valgrind writes its counts) on SIGINT.
if (process.env["EXIT_ON_SIGINT"] !== undefined) process.on("SIGINT", () => process.exit(0))

// For profiling: exit by itself after EXIT_AFTER milliseconds, printing the CPU time used since it listened.
if (process.env["EXIT_AFTER"] !== undefined) {
  setTimeout(() => {
    const used = process.cpuUsage(cpuAtListen)
    console.log(`cpu ${(used.user + used.system) / 1000} ms`)
    process.exit(0)
  }, Number(process.env["EXIT_AFTER"]))
}
