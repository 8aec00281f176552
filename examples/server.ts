/**
 * The example site, served on Node:
 *
 *     npm start                       # http://127.0.0.1:8000
 *     HOST=0.0.0.0 PORT=8080 DEBUG=1 ALLOWED_HOSTS=example.com npm start
 *
 * Settings come from the environment (docs/Playground.md): SECRET_KEY, ALLOWED_HOSTS, DEBUG,
 * USE_X_FORWARDED_HOST/PORT, SECURE_PROXY_SSL_HEADER, DATA_UPLOAD_*, FILE_UPLOAD_*. Without
 * SECRET_KEY a fixed development key is used, with a warning. Part 2: SESSION_ENGINE (db,
 * signed_cookies, cache), DATABASE_URL (sqlite:PATH or postgres://..., default a SQLite file in
 * the OS temp dir), the SESSION_* and CSRF_* settings.
 */
import { Effect, Exit, Layer, Scope } from "effect"
import { Server, Settings } from "../src/index.js"
import { defaults, DEV_SECRET_KEY, parseFixedTime, site, storesLayer } from "./site.js"

if (!process.env["SECRET_KEY"]) {
  console.warn(`WARNING: SECRET_KEY is not set; using the development key ${JSON.stringify(DEV_SECRET_KEY)}.`)
  console.warn("         Never use it in production: anyone can forge signed cookies with it.")
}
const fixedTime = parseFixedTime(process.env["PLAYGROUND_FIXED_TIME"])
if (fixedTime !== undefined) console.warn(`WARNING: the clock is frozen at ${fixedTime} (PLAYGROUND_FIXED_TIME).`)

// SESSION_COOKIE_SAMESITE=off means Python's None: no SameSite attribute.
if (process.env["SESSION_COOKIE_SAMESITE"] === "off") process.env["SESSION_COOKIE_SAMESITE"] = ""

// The session store and the users live as long as the process (closed when it ends).
const scope = Effect.runSync(Scope.make())
const stores = await Effect.runPromise(
  Layer.buildWithScope(
    storesLayer({ SESSION_ENGINE: process.env["SESSION_ENGINE"], DATABASE_URL: process.env["DATABASE_URL"] }),
    scope
  ).pipe(Effect.provide(Settings.layerFromEnv(defaults)))
)
process.once("exit", () => void Effect.runFork(Scope.close(scope, Exit.void)))

Server.run(site({ fixedTime, stores }), { settings: Settings.layerFromEnv(defaults) })
