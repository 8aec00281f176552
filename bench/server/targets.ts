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
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { serve as honoServe } from "@hono/node-server"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import express from "express"
import Fastify from "fastify"
import { Hono } from "hono"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { realisticPlatform } from "./realistic.js"

const HOST = "127.0.0.1"
const HELLO = "Hello, World!"

const announce = (port: number) => console.log(`listening on ${HOST}:${port}`)

const platform = <E>(app: HttpApp.Default<E>, tracer: boolean): void => {
  const served = tracer
    ? HttpServer.serve(app)
    : HttpMiddleware.withTracerDisabledWhen(HttpServer.serve(app), () => true)
  const announced = Layer.effectDiscard(
    Effect.flatMap(HttpServer.HttpServer, (server) => Effect.sync(() => announce(portOf(server.address))))
  )
  Effect.runFork(
    Layer.launch(
      Layer.merge(served, announced).pipe(
        Layer.provide(NodeHttpServer.layer(Http.createServer, { port: 0, host: HOST }))
      )
    )
  )
}

const portOf = (address: HttpServer.Address): number => (address._tag === "TcpAddress" ? address.port : 0)

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
  "realistic: platform by hand": () => platform(realisticPlatform, false)
}

const name = process.argv[2]
if (name !== undefined) {
  const start = targets[name]
  if (start === undefined) {
    console.error(`unknown target ${JSON.stringify(name)}; known: ${Object.keys(targets).join(", ")}`)
    process.exit(2)
  }
  start()
}
