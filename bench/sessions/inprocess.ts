/**
 * The per-request CPU cost of a session read and written, without the network between the load
 * generator and the server: each target's Node request listener (express's app; for the library,
 * `Sessions.middleware` on the lean adapter `Server.run` serves with by default) is called with Node
 * `IncomingMessage`/`ServerResponse` objects on in-memory sockets, 50 requests in flight, every
 * request carrying the cookie of one session. The stores are the real ones (memory; PostgreSQL
 * and Redis through DATABASE_URL and REDIS_URL). Targets run in one process, in interleaved
 * rounds; the figure is the median CPU microseconds (user + system) per request.
 *
 *     npx tsx bench/sessions/inprocess.ts                      # memory only
 *     DATABASE_URL=... REDIS_URL=... ROUNDS=7 N=2000 npx tsx bench/sessions/inprocess.ts
 *     TARGETS="library, memory" npx tsx bench/sessions/inprocess.ts
 *     BREAKDOWN=1 npx tsx bench/sessions/inprocess.ts       # also without sessions, and untouched
 *     npm run build && SESSIONS_BENCH_DIST=1 node --cpu-prof --import tsx bench/sessions/inprocess.ts
 *     SESSIONS_BENCH_BEFORE=/tmp/before/src/index.ts npx tsx bench/sessions/inprocess.ts
 *     ADAPTER=platform npx tsx bench/sessions/inprocess.ts    # the platform's request listener
 *
 * `SESSIONS_BENCH_BEFORE` adds, for each library target, the same target built from another copy
 * of the sources (e.g. `git archive main src | tar -x -C /tmp/before`, with a `node_modules`
 * link to this checkout's), interleaved in the same rounds: a before/after of our own code that
 * the machine's load affects alike.
 *
 * The express side is `bench/sessions/targets.ts`'s: `express-session` (`resave: false,
 * saveUninitialized: false`, `cookie.maxAge` = Django's `SESSION_COOKIE_AGE`, so that like Django
 * it sends the cookie, signed with `cookie-signature`, with an expiry on every response that
 * changed the session) storing JSON; the library stores Django's signed session encoding.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import connectPgSimple from "connect-pg-simple"
import RedisStore from "connect-redis"
import { Effect, Layer, ManagedRuntime, Option, Schema, Scope } from "effect"
import express from "express"
import session from "express-session"
import { Redis } from "ioredis"
import type * as Lib from "../../src/index.js"
import * as LeanServer from "../../src/internal/node/leanServer.js"
import { type Listener, MemorySocket, request, runConcurrent } from "../inprocess.js"
import { expressOptions } from "./targets.js"

// SESSIONS_BENCH_DIST=1: the compiled dist/ (`npm run build` first), for profiles with names.
const { HttpResponse, Sessions, Settings, View }: typeof Lib = process.env["SESSIONS_BENCH_DIST"] === "1"
  ? await import("../../dist/index.js" as string)
  : await import("../../src/index.js")

const beforePath = process.env["SESSIONS_BENCH_BEFORE"]
const Before: typeof Lib | undefined = beforePath === undefined ? undefined : await import(beforePath)

// ADAPTER=lean (default): the library's own Node adapter, what `Server.run`/`Server.layer` serve
// with by default since session 7; ADAPTER=platform: `NodeHttpServer.makeHandler` (before).
const adapter = process.env["ADAPTER"] ?? "lean"
const makeHandler = <E, R>(app: HttpApp.Default<E, R>) =>
  adapter === "platform" ? NodeHttpServer.makeHandler(app) : LeanServer.makeHandler(app)

const SECRET = "bench-sessions-secret"
const rounds = Number(process.env["ROUNDS"] ?? 5)
const n = Number(process.env["N"] ?? 2000)

declare module "express-session" {
  interface SessionData {
    n: number
  }
}

const expressWith = (store: session.Store | undefined): Listener => {
  const app = express()
  app.use(session({ ...expressOptions, ...(store === undefined ? {} : { store }) }))
  app.get("/", (req, res) => {
    const count = (req.session.n ?? 0) + 1
    req.session.n = count
    res.type("text/plain").send(String(count))
  })
  return app as unknown as Listener
}

const counterOf = (L: typeof Lib) =>
  L.Sessions.middleware(() =>
    Effect.gen(function*() {
      const count = Option.getOrElse(yield* L.Sessions.get("n", Schema.Number), () => 0) + 1
      yield* L.Sessions.set("n", count)
      return yield* L.HttpResponse.make({ content: String(count), contentType: "text/plain" })
    })
  )

// The store's layer lives as long as the process (its scope is never closed).
const libraryOf = (
  L: typeof Lib,
  store: (S: typeof Lib.Sessions) => Layer.Layer<Lib.Sessions.SessionStore, unknown>
): Promise<Listener> =>
  ManagedRuntime.make(
    Layer.mergeAll(NodeHttpServer.layerContext, L.Settings.layer({ SECRET_KEY: SECRET }), store(L.Sessions))
  )
    .runPromise(
      Effect.locally(
        makeHandler(L.View.toHttpApp(counterOf(L))),
        HttpMiddleware.currentTracerDisabledWhen,
        () => true
      ).pipe(Effect.provideServiceEffect(Scope.Scope, Scope.make()))
    ) as Promise<Listener>

const library = (store: (S: typeof Lib.Sessions) => Layer.Layer<Lib.Sessions.SessionStore, unknown>) =>
  libraryOf({ HttpResponse, Sessions, Settings, View } as typeof Lib, store)

/** Breakdown rows: the same app without the session, and with the session not touched. */
const hello = () => HttpResponse.make({ content: "1", contentType: "text/plain" })
const expressPlain = (): Listener => {
  const app = express()
  app.get("/", (_req, res) => {
    res.type("text/plain").send("1")
  })
  return app as unknown as Listener
}
const libraryWith = (view: Lib.View.View<unknown, Lib.Sessions.SessionStore>) =>
  ManagedRuntime.make(
    Layer.mergeAll(NodeHttpServer.layerContext, Settings.layer({ SECRET_KEY: SECRET }), Sessions.layerMemory)
  ).runPromise(
    Effect.locally(
      makeHandler(View.toHttpApp(view)),
      HttpMiddleware.currentTracerDisabledWhen,
      () => true
    ).pipe(Effect.provideServiceEffect(Scope.Scope, Scope.make()))
  ) as Promise<Listener>

const env = (name: string) => process.env[name]
const all: Record<string, () => Listener | Promise<Listener>> = {
  ...(env("BREAKDOWN") === undefined ? {} : {
    "express, no session": expressPlain,
    "library, no session": () => libraryWith(hello),
    "library, session untouched": () => libraryWith(Sessions.middleware(hello)),
    "library, session read": () =>
      libraryWith(Sessions.middleware(() => Effect.zipRight(Sessions.get("n", Schema.Number), hello()))),
    "library, session marked modified": () =>
      libraryWith(Sessions.middleware(() => Effect.zipRight(Sessions.markModified, hello())))
  }),
  "express-session, memory": () => expressWith(undefined),
  "library, memory": () => library((S) => S.layerMemory),
  ...(env("DATABASE_URL") === undefined ? {} : {
    "express-session, connect-pg-simple": () =>
      expressWith(new (connectPgSimple(session))({ conString: env("DATABASE_URL")!, createTableIfMissing: true })),
    "library, PostgreSQL": () => library((S) => S.layerPg({ url: env("DATABASE_URL")! }))
  }),
  ...(env("REDIS_URL") === undefined ? {} : {
    "express-session, connect-redis": () =>
      expressWith(new RedisStore({ client: new Redis(env("REDIS_URL")!), prefix: "bench-express:" })),
    "library, Redis": () => library((S) => S.layerRedis({ url: env("REDIS_URL")!, keyPrefix: "bench-library" }))
  })
}
if (Before !== undefined) {
  all["before: library, memory"] = () => libraryOf(Before, (S) => S.layerMemory)
  if (env("DATABASE_URL") !== undefined) {
    all["before: library, PostgreSQL"] = () => libraryOf(Before, (S) => S.layerPg({ url: env("DATABASE_URL")! }))
  }
  if (env("REDIS_URL") !== undefined) {
    all["before: library, Redis"] = () =>
      libraryOf(Before, (S) => S.layerRedis({ url: env("REDIS_URL")!, keyPrefix: "bench-before" }))
  }
}
const only = env("TARGETS")?.split("|")
const names = Object.keys(all).filter((t) => only === undefined || only.includes(t))

const one = async (handler: Listener, socket: MemorySocket, cookie: string | undefined) => {
  const response = await request(
    handler,
    socket,
    "/",
    cookie === undefined ? { host: "localhost" } : {
      host: "localhost",
      cookie
    }
  )
  if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`)
  // The head as written (the platform passes its headers to `writeHead`, not `setHeader`).
  const head = (response as unknown as { readonly _header: string })._header
  return /^set-cookie: ([^;\r]*)/im.exec(head)?.[1]
}

const run = (handler: Listener, cookie: string, count: number) =>
  runConcurrent(count, (socket) => one(handler, socket, cookie))

const targets: Array<{ name: string; handler: Listener; cookie: string; cpu: Array<number> }> = []
for (const name of names) {
  const handler = await all[name]!()
  // The breakdown rows set no cookie: they get a session cookie of the right shape all the same.
  const cookie = (await one(handler, new MemorySocket(), undefined)) ??
    (env("BREAKDOWN") === undefined ? undefined : "sessionid=abcdefghijklmnopqrstuvwxyz012345")
  if (cookie === undefined) throw new Error(`${name}: no cookie on the first request`)
  await run(handler, cookie, n) // warm-up
  targets.push({ name, handler, cookie, cpu: [] })
}
for (let round = 0; round < rounds; round++) {
  for (const t of targets) {
    const before = process.cpuUsage()
    await run(t.handler, t.cookie, n)
    const used = process.cpuUsage(before)
    t.cpu.push((used.user + used.system) / n)
  }
}
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(
  `${rounds} interleaved rounds of ${n} requests, 50 in flight, in process, ${adapter} adapter; CPU µs/request (median):`
)
for (const t of targets) console.log(`  ${t.name.padEnd(36)} ${median(t.cpu).toFixed(1).padStart(8)}`)
const ratio = (lib: string, peer: string) => {
  const a = targets.find((t) => t.name === lib)
  const b = targets.find((t) => t.name === peer)
  if (a && b) console.log(`  ${lib} / ${peer}: ${(median(b.cpu) / median(a.cpu)).toFixed(2)}x (${peer} CPU / ours)`)
}
ratio("library, memory", "express-session, memory")
ratio("library, PostgreSQL", "express-session, connect-pg-simple")
ratio("library, Redis", "express-session, connect-redis")
ratio("library, memory", "before: library, memory")
ratio("library, PostgreSQL", "before: library, PostgreSQL")
ratio("library, Redis", "before: library, Redis")
process.exit(0)
