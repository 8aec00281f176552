/**
 * The example site, served on Node:
 *
 *     npm start                       # http://127.0.0.1:8000
 *     HOST=0.0.0.0 PORT=8080 DEBUG=1 ALLOWED_HOSTS=example.com npm start
 *
 * Settings come from the environment (docs/Playground.md): SECRET_KEY, ALLOWED_HOSTS, DEBUG,
 * USE_X_FORWARDED_HOST/PORT, SECURE_PROXY_SSL_HEADER, DATA_UPLOAD_*, FILE_UPLOAD_*. Without
 * SECRET_KEY a fixed development key is used, with a warning.
 */
import { Server, Settings } from "../src/index.js"
import { defaults, DEV_SECRET_KEY, parseFixedTime, site } from "./site.js"

if (!process.env["SECRET_KEY"]) {
  console.warn(`WARNING: SECRET_KEY is not set; using the development key ${JSON.stringify(DEV_SECRET_KEY)}.`)
  console.warn("         Never use it in production: anyone can forge signed cookies with it.")
}
const fixedTime = parseFixedTime(process.env["PLAYGROUND_FIXED_TIME"])
if (fixedTime !== undefined) console.warn(`WARNING: the clock is frozen at ${fixedTime} (PLAYGROUND_FIXED_TIME).`)

Server.run(site({ fixedTime }), { settings: Settings.layerFromEnv(defaults) })
