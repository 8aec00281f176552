/**
 * Where the library's side of `bench/stack` spends its CPU, in process (the test client, no
 * network), one part at a time: the stack's site (`library.ts`), then the same site with parts
 * taken away. CPU microseconds per request (`process.cpuUsage`), interleaved rounds, medians; a
 * CPU figure, so it moves much less with other load on the machine than requests per second.
 *
 *     npx tsx bench/stack/inprocess.ts              # ROUNDS=5 N=500
 *     VARIANTS="json|list" npx tsx bench/stack/inprocess.ts
 *     PROFILE=/tmp/json.cpuprofile VARIANTS=json npx tsx bench/stack/inprocess.ts   # the measured rounds only
 */
import { Effect, Runtime } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import {
  Auth,
  Clickjacking,
  Client,
  Common,
  Csrf,
  Defaults,
  Handler,
  HttpResponse,
  Middleware,
  Security,
  Sessions,
  Urls
} from "../../src/index.js"
import { interleavedRounds, median } from "../harness.js"
import { noteJson, PASSWORD, seed, USERNAME } from "./common.js"
import { latest, ok, okUrls, services, settings, site, siteOf } from "./library.js"

const rounds = Number(process.env["ROUNDS"] ?? 5)
const n = Number(process.env["N"] ?? 500)

type AnySite = Handler.Handler<any>
const handler = siteOf

const variants: Record<string, { readonly site: AnySite; readonly path: string }> = {
  "json": { site, path: "/api/notes/" },
  "list": { site, path: "/notes/" },
  "Defaults.middleware, view ok": { site: handler(Defaults.middleware(okUrls), okUrls), path: "/x/" },
  "json: no middleware, view = 20 notes as JSON (user 1)": {
    site: handler(
      undefined,
      Urls.make([
        Urls.path(
          "api/notes/",
          () => Effect.flatMap(latest(1), (notes) => HttpResponse.json({ notes: notes.map(noteJson) }))
        )
      ])
    ),
    path: "/api/notes/"
  },
  "json: no middleware, view = JSON of 20 notes, no SQL": {
    site: handler(
      undefined,
      Urls.make([
        Urls.path("api/notes/", () =>
          HttpResponse.json({
            notes: Array.from({ length: 20 }, (_, i) => ({
              id: i,
              title: `Note <${i}> & "more"`,
              body: `Body of note ${i}: "quoted" text, 'single' quotes and <tags> & ampersands to escape.`,
              created: "2026-01-02 00:00:00.000000"
            }))
          }))
      ])
    ),
    path: "/api/notes/"
  },
  "no middleware, view ok": { site: handler(undefined, okUrls), path: "/x/" },
  "Security only, view ok": {
    site: handler(Security.middleware, okUrls),
    path: "/x/"
  },
  "Sessions only, view ok": {
    site: handler(Sessions.middleware, okUrls),
    path: "/x/"
  },
  "Sessions + Auth, view reads user": {
    site: handler(
      Middleware.compose(Sessions.middleware, Auth.middleware),
      Urls.make([Urls.path("x/", () => Effect.zipRight(Auth.user, ok()))])
    ),
    path: "/x/"
  },
  "Sessions + Csrf, view ok": {
    site: handler(Middleware.compose(Sessions.middleware, Csrf.middleware), okUrls),
    path: "/x/"
  },
  "Common + Clickjacking, view ok": {
    site: handler(
      Middleware.compose(Common.commonMiddleware(okUrls), Clickjacking.middleware),
      okUrls
    ),
    path: "/x/"
  }
}

const only = process.env["VARIANTS"]?.split("|")
const chosen = Object.keys(variants).filter((v) => only === undefined || only.includes(v))

const program = Effect.gen(function*() {
  // Signed in once through the real site; its cookies are then sent to every variant.
  const client = yield* Client.make(site)
  const form = yield* client.get("/login/")
  const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(form.text)?.[1] ?? ""
  const login = yield* client.post("/login/", {
    form: { csrfmiddlewaretoken: token, username: USERNAME, password: PASSWORD }
  })
  if (login.status !== 302) throw new Error(`login: ${login.status} ${login.text}`)
  const clients = new Map<string, Client.Client<any>>()
  for (const name of chosen) {
    const c = yield* Client.make(variants[name]!.site)
    for (const [k, v] of Object.entries(login.cookies)) yield* c.setCookie(k, v)
    const first = yield* c.get(variants[name]!.path)
    if (first.status !== 200) throw new Error(`${name}: ${first.status} ${first.text.slice(0, 200)}`)
    clients.set(name, c)
  }
  const run = (name: string) =>
    Effect.gen(function*() {
      const c = clients.get(name)!
      const path = variants[name]!.path
      const before = process.cpuUsage()
      for (let i = 0; i < n; i++) yield* c.get(path)
      const used = process.cpuUsage(before)
      return (used.user + used.system) / n
    })
  // The rounds run on this fiber's runtime, which holds the stack's services.
  const runtime = yield* Effect.runtime<Effect.Effect.Context<ReturnType<typeof run>>>()
  const results = yield* Effect.promise(() =>
    interleavedRounds(chosen, rounds, (name) => Runtime.runPromise(runtime, run(name)), process.env["PROFILE"])
  )
  console.log(`${rounds} rounds of ${n} requests, in process (test client), CPU µs/request, medians:`)
  console.log(`| variant | CPU µs/request |`)
  console.log(`| --- | --- |`)
  for (const name of chosen) console.log(`| ${name} | ${median(results.get(name)!).toFixed(0)} |`)
})

const filename = Path.join(mkdtempSync(Path.join(tmpdir(), "bench-stack-inprocess-")), "db.sqlite3")
seed(filename)
Effect.runPromise(
  (program as Effect.Effect<void, unknown>).pipe(Effect.provide(services(filename)), Effect.provide(settings))
).catch(
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
