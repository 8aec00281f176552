/**
 * The runtime steps of one request of the notes app served on the network, in one process: the
 * site of `library.ts` served by `Server.run` (one process, no workers), signed in as the stack's
 * client signs in, then N requests of one kind sent one after the other over a kept-alive
 * connection, the server's steps counted by `bench/stack/opcount.mjs` (deterministic). Unlike
 * `layers.ts`, the request values are the adapter's, from Node's `IncomingMessage` (the body read
 * from the request's events).
 *
 *     npm run build
 *     NET_REQUEST=post N=300 node --import tsx --import ./bench/stack/dist.mjs \
 *       --import ./bench/stack/opcount.mjs bench/stack/postnet.ts
 *
 * `STACK_NOTES=driver` serves the notes statements on better-sqlite3 (`siteNotesOnDriver`).
 */
import type { SqlClient } from "@effect/sql"
import { mkdtempSync } from "node:fs"
import * as Http from "node:http"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import type { Auth, Handler, Sessions, Templates } from "../../src/index.js"
import { Server } from "../../src/index.js"
import { freePort } from "../harness.js"
import { signIn } from "./client.js"
import { seed } from "./common.js"
import { type NotesDb, services, settings, site, siteNotesOnDriver } from "./library.js"

const n = Number(process.env["N"] ?? 300)
const which = process.env["NET_REQUEST"] ?? "post"
const filename = Path.join(mkdtempSync(Path.join(tmpdir(), "bench-stack-postnet-")), "db.sqlite3")
seed(filename)
const port = await freePort()
const servable: Handler.Handler<
  SqlClient.SqlClient | NotesDb | Sessions.SessionStore | Auth.Users | Templates.Templates
> = process.env["STACK_NOTES"] === "driver" ? siteNotesOnDriver : site
Server.run(servable, {
  host: "127.0.0.1",
  port,
  limits: { maxRequestsPerSocket: 0 },
  settings,
  layer: services(filename)
})

const base = `http://127.0.0.1:${port}`
for (let i = 0; i < 100; i++) {
  try {
    await fetch(`${base}/login/`)
    break
  } catch {
    await new Promise((r) => setTimeout(r, 50))
  }
}
const signed = await signIn(base)
const request = signed.requests.find((r) => r.name === which)!
const agent = new Http.Agent({ keepAlive: true, maxSockets: 1 })
const send = () =>
  new Promise<number>((resolve, reject) => {
    const req = Http.request(
      `${base}${request.path}`,
      { method: request.method, headers: request.headers, agent },
      (res) => {
        res.resume()
        res.on("end", () => resolve(res.statusCode ?? 0))
      }
    )
    req.on("error", reject)
    req.end(request.body)
  })
for (let i = 0; i < 300; i++) {
  const status = await send()
  if (status !== request.status) throw new Error(`${which}: ${status}`)
}
const counter = globalThis as { __opcount_on?: boolean; __opcount_dump?: (n: number) => void }
counter.__opcount_on = true
for (let i = 0; i < n; i++) await send()
counter.__opcount_on = false
counter.__opcount_dump?.(n)
console.log(`${which}: ${n} requests on the network`)
process.exit(0)
