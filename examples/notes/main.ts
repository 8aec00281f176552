/**
 * `npm start`: the notes app (docs/Notes.md) and, on their own paths, the playground
 * (docs/Playground.md), on Node.
 *
 *     npm start                                   # http://127.0.0.1:8000, data in examples/notes/data/
 *     DATABASE_URL=postgres://... npm start       # users, sessions and notes on PostgreSQL
 *     SESSION_ENGINE=cache REDIS_URL=redis://... npm start
 *
 * HOST, PORT, SECRET_KEY (a development key with a warning when unset), DEBUG, ALLOWED_HOSTS and
 * Django's other settings come from the environment; DATA_DIR (default `examples/notes/data/`)
 * holds the SQLite file and the attachments, created and migrated on start.
 */
import { Effect, Exit, Layer, Scope } from "effect"
import * as Path from "node:path"
import { Server, Settings } from "../../src/index.js"
import { parseFixedTime } from "../site.js"
import { defaults, layer, site } from "./app.js"

if (!process.env["SECRET_KEY"]) {
  console.warn(`WARNING: SECRET_KEY is not set; using the development key ${JSON.stringify(defaults.SECRET_KEY)}.`)
  console.warn("         Never use it in production: anyone can forge signed cookies with it.")
}

// SESSION_COOKIE_SAMESITE=off means Python's None: no SameSite attribute.
if (process.env["SESSION_COOKIE_SAMESITE"] === "off") process.env["SESSION_COOKIE_SAMESITE"] = ""

const settings = Settings.layerFromEnv(defaults)
const options = {
  dataDir: process.env["DATA_DIR"] || Path.join(Path.dirname(new URL(import.meta.url).pathname), "data"),
  databaseUrl: process.env["DATABASE_URL"],
  sessionEngine: process.env["SESSION_ENGINE"],
  redisUrl: process.env["REDIS_URL"]
}

// The stores live as long as the process (closed when it ends).
const scope = Effect.runSync(Scope.make())
const services = await Effect.runPromise(Layer.buildWithScope(layer(options), scope).pipe(Effect.provide(settings)))
process.once("exit", () => void Effect.runFork(Scope.close(scope, Exit.void)))

// The playground's frozen clock (docs/Playground.md), for its signed values only.
const fixedTime = parseFixedTime(process.env["PLAYGROUND_FIXED_TIME"])
if (fixedTime !== undefined) console.warn(`WARNING: the playground's clock is frozen at ${fixedTime}.`)

Server.run(site(services, { fixedTime }), { settings })
