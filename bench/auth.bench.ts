/**
 * What `request.user` costs per request, with Django's `auth_user` in SQLite: the same site
 * (`SessionMiddleware` with signed-cookie sessions, `AuthenticationMiddleware`) answers a
 * logged-in client on two views, one that reads `Auth.user` (the session's three keys, the row by
 * id, the session auth hash check) and one that does not. The difference is the user's load. Run
 * in process through the test client, interleaved rounds, medians.
 *
 *     npx tsx bench/auth.bench.ts            # ROUNDS=7 N=400 by default
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Effect, Layer, Option } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { Auth, Client, Handler, HttpResponse, Middleware, Passwords, Sessions, Settings, Urls } from "../src/index.js"

const rounds = Number(process.env["ROUNDS"] ?? 7)
const n = Number(process.env["N"] ?? 400)

const urls = Urls.make([
  Urls.path("login/", () =>
    Effect.gen(function*() {
      const user = yield* Auth.authenticate("alice", "wonderland")
      if (Option.isNone(user)) return yield* HttpResponse.make({ content: "no", status: 401 })
      yield* Auth.login(user.value)
      return yield* HttpResponse.make({ content: "in" })
    })),
  Urls.path(
    "user/",
    () =>
      Effect.flatMap(Auth.user, (user) => HttpResponse.make({ content: user.is_authenticated ? user.username : "" }))
  ),
  Urls.path("plain/", () => HttpResponse.make({ content: "plain" }))
])

const site = Handler.make({ middleware: Middleware.compose(Sessions.middleware, Auth.middleware), urls })

const filename = Path.join(mkdtempSync(Path.join(tmpdir(), "auth-bench-")), "db.sqlite3")
const layer = Layer.mergeAll(Auth.layerSql, Sessions.layerSignedCookies, Settings.layer({ SECRET_KEY: "bench" })).pipe(
  Layer.provideMerge(SqliteClient.layer({ filename }))
)

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = process.hrtime.bigint()
    yield* effect
    return Number(process.hrtime.bigint() - start) / 1000
  })

const program = Effect.gen(function*() {
  yield* Auth.migrate
  const users = yield* Auth.Users
  yield* users.create({
    username: "alice",
    password: yield* Passwords.makePassword("wonderland"),
    is_staff: false,
    is_superuser: false,
    first_name: "",
    last_name: "",
    email: ""
  })
  const client = yield* Client.make(site)
  const login = yield* client.post("/login/")
  if (login.text !== "in") throw new Error(`login failed: ${login.status} ${login.text}`)
  const check = yield* client.get("/user/")
  if (check.text !== "alice") throw new Error(`request.user is not alice: ${check.text}`)
  const run = (path: string) => timed(Effect.repeatN(client.get(path), n - 1))
  yield* run("/plain/") // warm-up
  yield* run("/user/")
  const plain: Array<number> = []
  const user: Array<number> = []
  for (let r = 0; r < rounds; r++) {
    plain.push((yield* run("/plain/")) / n)
    user.push((yield* run("/user/")) / n)
  }
  const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  console.log(`${rounds} rounds of ${n} requests each, in process (test client), medians:`)
  console.log(`| view | µs/request |`)
  console.log(`| --- | --- |`)
  console.log(`| does not read request.user | ${median(plain).toFixed(1)} |`)
  console.log(`| reads request.user (SQLite auth_user) | ${median(user).toFixed(1)} |`)
  console.log(`| request.user itself | ${(median(user) - median(plain)).toFixed(1)} |`)
})

Effect.runPromise(program.pipe(Effect.provide(layer))).catch((e) => {
  console.error(e)
  process.exit(1)
})
