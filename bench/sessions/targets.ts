/**
 * The servers `bench/sessions.bench.ts` measures, each in its own process:
 *
 *     node --import tsx bench/sessions/targets.ts NAME
 *
 * prints `listening on 127.0.0.1:PORT`. Every target answers `GET /` by reading a counter from
 * the session, adding one, writing it back (so the session is saved and its cookie set on every
 * request) and answering the new value as text. PostgreSQL and Redis targets read DATABASE_URL
 * and REDIS_URL.
 */
import connectPgSimple from "connect-pg-simple"
import RedisStore from "connect-redis"
import { Effect, Layer, Option, Schema } from "effect"
import express from "express"
import session from "express-session"
import { Redis } from "ioredis"
import { mkdtempSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { HttpResponse, Server, Sessions, Settings } from "../../src/index.js"
import { runTarget } from "../harness.js"

const HOST = "127.0.0.1"
const SECRET = "bench-sessions-secret"
const announce = (port: number) => console.log(`listening on ${HOST}:${port}`)
const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

// ---------------------------------------------------------------------------
// express-session
// ---------------------------------------------------------------------------

declare module "express-session" {
  interface SessionData {
    n: number
  }
}

/**
 * express-session as the comparison needs it: no save of an unchanged session, and a `maxAge`
 * (Django's default `SESSION_COOKIE_AGE`, two weeks) so that, as Django's middleware does, every
 * response that changed the session sends the cookie again (signed, with its expiry). Without a
 * `maxAge` express-session sends the cookie only once, and saves the signing and the
 * `Set-Cookie` on every later request.
 */
export const expressOptions: session.SessionOptions = {
  secret: SECRET,
  resave: false,
  saveUninitialized: false,
  cookie: { maxAge: 1209600 * 1000 }
}

const expressWith = (store: session.Store | undefined) => {
  const app = express()
  app.use(session({ ...expressOptions, ...(store === undefined ? {} : { store }) }))
  app.get("/", (req, res) => {
    const n = (req.session.n ?? 0) + 1
    req.session.n = n
    res.type("text/plain").send(String(n))
  })
  const server = app.listen(0, HOST, () => announce((server.address() as AddressInfo).port))
}

// ---------------------------------------------------------------------------
// This library
// ---------------------------------------------------------------------------

const counter = Sessions.middleware(() =>
  Effect.gen(function*() {
    const n = Option.getOrElse(yield* Sessions.get("n", Schema.Number), () => 0) + 1
    yield* Sessions.set("n", n)
    return yield* HttpResponse.make({ content: String(n), contentType: "text/plain" })
  })
)

const library = (store: Layer.Layer<Sessions.SessionStore, unknown>) =>
  Effect.runFork(
    Layer.launch(
      Server.layer(counter, { port: 0, host: HOST, tracer: false, limits: { maxRequestsPerSocket: 0 } }).pipe(
        Layer.provide(Layer.merge(Settings.layer({ SECRET_KEY: SECRET }), store))
      )
    )
  )

export const targets: Record<string, () => void> = {
  "express-session, memory": () => expressWith(undefined),
  "library, memory": () => library(Sessions.layerMemory),
  "library, signed cookies": () => library(Sessions.layerSignedCookies),
  "library, SQLite": () =>
    library(Sessions.layerSqlite({ filename: join(mkdtempSync(join(tmpdir(), "bench-sessions-")), "db.sqlite3") })),
  "express-session, connect-pg-simple": () => {
    const PgStore = connectPgSimple(session)
    expressWith(new PgStore({ conString: env("DATABASE_URL"), createTableIfMissing: true }))
  },
  "library, PostgreSQL": () => library(Sessions.layerPg({ url: env("DATABASE_URL") })),
  "express-session, connect-redis": () =>
    expressWith(new RedisStore({ client: new Redis(env("REDIS_URL")), prefix: "bench-express:" })),
  "library, Redis": () => library(Sessions.layerRedis({ url: env("REDIS_URL"), keyPrefix: "bench-library" }))
}

runTarget(targets)
