/**
 * A smoke test of the Node stacks of `bench/stack` (no timings: the bench itself is
 * `npm run bench:stack`): each app, served in this process on a free port with its own seeded
 * SQLite file, lets `alice` sign in through its login form (CSRF token from the page), then
 * answers the three requests the bench loads with the statuses the bench expects: the list page
 * (20 escaped notes), the JSON list (20 notes) and the CSRF-checked form POST (302 to the list,
 * one row written). A POST without the token is refused, as Django's CsrfViewMiddleware does.
 */
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { mkdtempSync } from "node:fs"
import type * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { checkOnce, signIn } from "../bench/stack/client.js"
import { countNotes, seed } from "../bench/stack/common.js"
import { app as expressApp } from "../bench/stack/express.js"
import { app as fastifyApp } from "../bench/stack/fastify.js"
import { services, settings, site, siteNotesOnDriver } from "../bench/stack/library.js"
import { serve as platformLayer } from "../bench/stack/platform.js"
import { type Handler, Server } from "../src/index.js"

const seeded = (): string => {
  const db = Path.join(mkdtempSync(Path.join(tmpdir(), "bench-stack-test-")), "db.sqlite3")
  seed(db)
  return db
}

/** Signs in, sends the three requests (checked by the bench's own checks), and a POST without a token. */
const exercise = (base: string, db: string) =>
  Effect.promise(async () => {
    const signedIn = await signIn(base)
    const before = countNotes(db)
    await checkOnce(base, signedIn)
    const written = countNotes(db) - before
    const post = signedIn.requests.find((r) => r.name === "post")!
    const forged = await fetch(`${base}${post.path}`, {
      method: "POST",
      redirect: "manual",
      headers: post.headers,
      body: post.body!.replace(/csrfmiddlewaretoken=[^&]*/, "csrfmiddlewaretoken=forged")
    })
    await forged.arrayBuffer()
    return { written, forged: forged.status, after: countNotes(db) - before }
  })

const expectations = (result: { written: number; forged: number; after: number }) => {
  expect(result.written).toBe(1)
  expect(result.forged).toBe(403)
  expect(result.after).toBe(1)
}

const nodeServer = (listen: (done: (server: Http.Server) => void) => void) =>
  Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => listen((server) => resume(Effect.succeed(server)))),
    (server) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const portOf = (address: HttpServer.Address): number => (address._tag === "TcpAddress" ? address.port : 0)

/** `app` served by `Server.layer` on a seeded database, through the stack's three requests. */
const servesTheApp = (app: Handler.Handler<Layer.Layer.Success<ReturnType<typeof services>>>) =>
  Effect.gen(function*() {
    const db = seeded()
    const context = yield* Layer.build(
      Server.layer(app, { port: 0, host: "127.0.0.1" }).pipe(
        Layer.provide(services(db)),
        Layer.provide(settings)
      )
    )
    const port = portOf(Context.get(context, HttpServer.HttpServer).address)
    expectations(yield* exercise(`http://127.0.0.1:${port}`, db))
  })

describe("bench/stack", () => {
  it.scoped(
    "this library's app (Handler, Defaults.middleware, db sessions, Auth, Csrf, TemplateResponse)",
    () => servesTheApp(site)
  )

  it.scoped(
    "this library's app with its notes statements on better-sqlite3 (STACK_NOTES=driver)",
    () => servesTheApp(siteNotesOnDriver)
  )

  it.scoped("the bare @effect/platform-node app", () =>
    Effect.gen(function*() {
      const db = seeded()
      const context = yield* Layer.build(platformLayer(db, 0))
      const port = portOf(Context.get(context, HttpServer.HttpServer).address)
      expectations(yield* exercise(`http://127.0.0.1:${port}`, db))
    }))

  it.scoped("the Express 5 app", () =>
    Effect.gen(function*() {
      const db = seeded()
      const server = yield* nodeServer((done) => {
        const s = expressApp(db).listen(0, "127.0.0.1", () => done(s))
      })
      const port = (server.address() as AddressInfo).port
      expectations(yield* exercise(`http://127.0.0.1:${port}`, db))
    }))

  it.scoped("the Fastify 5 app", () =>
    Effect.gen(function*() {
      const db = seeded()
      const app = yield* Effect.acquireRelease(
        Effect.promise(() => fastifyApp(db)),
        (a) => Effect.promise(() => a.close())
      )
      yield* Effect.promise(() => app.listen({ port: 0, host: "127.0.0.1" }))
      const port = (app.server.address() as AddressInfo).port
      expectations(yield* exercise(`http://127.0.0.1:${port}`, db))
    }))
})
