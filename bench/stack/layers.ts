/**
 * Where the library's side of `bench/stack` spends its CPU, by layer, without the test client
 * and without the network: a request value made with `RequestFactory` (the signed-in cookies of
 * a real login) run through the site's view (`Handler.toView`), then the same with parts taken
 * away. CPU microseconds per request (`process.cpuUsage`), interleaved rounds, medians. The
 * first row is the cost of making the request value itself.
 *
 *     npx tsx bench/stack/layers.ts                # ROUNDS=7 N=2000
 *     VARIANTS="json|list" npx tsx bench/stack/layers.ts
 *     PROFILE=/tmp/layers.cpuprofile VARIANTS=list npx tsx bench/stack/layers.ts
 *
 * Instruction counts (stable under load): the difference of two runs with different N,
 *
 *     CALLGRIND_VARIANT=json N=100 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
 *       node --import tsx bench/stack/layers.ts
 *
 * Under valgrind, run a bundle instead of tsx (minutes a run instead of half an hour):
 *
 *     npx esbuild bench/stack/layers.ts --bundle --platform=node --format=esm --packages=external \
 *       --outfile=bench/stack/_layers.mjs
 *     CALLGRIND_VARIANT=list N=100 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
 *       node --single-threaded --predictable bench/stack/_layers.mjs          # and N=400
 *
 * `VARIANTS="list|list, stores on layerSql (provided per request)|list, stores on layerSqlite
 * (provided per request)"` compares the SQLite stores in one process (session 9).
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { type Context, Effect, Layer, Option } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import nunjucks from "nunjucks"
import {
  Auth,
  AuthDecorators,
  Clickjacking,
  Client,
  Common,
  Csrf,
  Defaults,
  Handler,
  HttpRequest,
  HttpResponse,
  Middleware,
  RequestFactory,
  Security,
  Sessions,
  Settings,
  TemplateResponse,
  Urls,
  View
} from "../../src/index.js"
import { noteJson, PASSWORD, seed, TEMPLATES, USERNAME } from "./common.js"
import { latest, ok, okUrls, services, settings, site, siteNotesOnDriver, siteOf } from "./library.js"
import { measureVariants, type Variant } from "./variants.js"

const rounds = Number(process.env["ROUNDS"] ?? 7)
const n = Number(process.env["N"] ?? 2000)

type AnyView = View.View<unknown, any>
const viewOf = (middleware: Middleware.Middleware<any, any, any> | undefined, urls: any): AnyView =>
  Handler.toView(siteOf(middleware, urls))
const passThrough = Middleware.make((request, getResponse) => getResponse(request))
const readsUser = () => Effect.zipRight(Auth.user, ok())
const userUrls = Urls.make([Urls.path("x/", readsUser)])

/**
 * Under valgrind, the login's PBKDF2 (260,000 iterations) takes minutes: `CALLGRIND_VARIANT` signs
 * in through this site instead, which logs `alice` in without her password (`Auth.login` on the
 * user row, the same session and cookies as the real login form's).
 */
const loginUrls = Urls.make([
  Urls.path("as-alice/", () =>
    Effect.flatMap(
      Effect.flatMap(Auth.Users, (users) => users.findByUsername(USERNAME)),
      (user) => Option.isSome(user) ? Effect.zipRight(Auth.login(user.value), ok()) : Effect.dieMessage("no alice")
    ))
])
const loginSite = Handler.make({ middleware: Defaults.middleware(loginUrls), urls: loginUrls })

const program = Effect.gen(function*() {
  // Signed in once through the real site (the test client); its cookies then go on every request.
  const quick = process.env["CALLGRIND_VARIANT"] !== undefined
  const client = yield* Client.make(quick ? loginSite : site)
  const form = quick ? undefined : yield* client.get("/login/")
  const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(form?.text ?? "")?.[1] ?? ""
  const login = quick ? yield* client.get("/as-alice/") : yield* client.post("/login/", {
    form: { csrfmiddlewaretoken: token, username: USERNAME, password: PASSWORD }
  })
  if (login.status !== (quick ? 200 : 302)) throw new Error(`login: ${login.status} ${login.text}`)
  const cookies = quick ? yield* client.cookies : { ...login.cookies }
  const csrf = cookies["csrftoken"] ?? ""
  const s = yield* Settings.current
  const get = (path: string) => () => RequestFactory.get(path, { cookies, headers: { Host: "localhost" }, settings: s })
  const post = (path: string) => () =>
    RequestFactory.post(path, {
      form: { title: "t", body: "b", csrfmiddlewaretoken: csrf },
      cookies,
      headers: { Host: "localhost" },
      settings: s
    })
  const siteView = Handler.toView(site as Handler.Handler<any>)
  const driverView = Handler.toView(siteNotesOnDriver as Handler.Handler<any>)
  // The stores as before session 9 (`layerSql` over the app's `SqliteClient`) and as now
  // (`layerSqlite`), each provided around the request the same way, for an A/B in one process.
  const sqlStores = yield* Layer.build(
    Layer.mergeAll(Sessions.layerSql, Auth.layerSql).pipe(Layer.provide(SqliteClient.layer({ filename })))
  )
  const driverStores = yield* Layer.build(
    Layer.mergeAll(Sessions.layerSqlite({ filename }), Auth.layerSqlite({ filename }))
  )
  const withStores = (stores: Context.Context<any>): AnyView => (request) => Effect.provide(siteView(request), stores)
  // The render alone: the user's 20 notes read once, the same template through Nunjucks as the
  // Express stack sets it up (`nunjucks.configure`, autoescaping on), then through the library.
  const notes = yield* latest(1)
  const user = { username: USERNAME }
  const plain = new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES), { autoescape: true })
  const plainRender = () => plain.render("notes.html", { user, notes, csrf_token: csrf })
  const templateView = (csrfToken: boolean) => (request: HttpRequest.HttpRequest) =>
    TemplateResponse.make(request, "notes.html", csrfToken ? { user, notes } : { user, notes, csrf_token: csrf })
  const variants: Record<string, Variant<any>> = {
    "RequestFactory.get alone (subtracted below)": { view: undefined, request: get("/x/") },
    "Nunjucks alone: notes.html with 20 notes (no request made)": {
      view: undefined,
      request: plainRender as unknown as () => HttpRequest.HttpRequest
    },
    "no middleware, TemplateResponse of 20 notes, no SQL, a fixed csrf_token": {
      view: viewOf(undefined, Urls.make([Urls.path("x/", templateView(false))])),
      request: get("/x/")
    },
    "Csrf, TemplateResponse of 20 notes, no SQL, its csrf_token": {
      view: viewOf(Csrf.middleware, Urls.make([Urls.path("x/", templateView(true))])),
      request: get("/x/")
    },
    "json": { view: siteView, request: get("/api/notes/") },
    "list": { view: siteView, request: get("/notes/") },
    "post": { view: siteView, request: post("/notes/new/") },
    "json, notes on better-sqlite3": { view: driverView, request: get("/api/notes/") },
    "list, notes on better-sqlite3": { view: driverView, request: get("/notes/") },
    "post, notes on better-sqlite3": { view: driverView, request: post("/notes/new/") },
    "json, stores on layerSql (provided per request)": { view: withStores(sqlStores), request: get("/api/notes/") },
    "json, stores on layerSqlite (provided per request)": {
      view: withStores(driverStores),
      request: get("/api/notes/")
    },
    "list, stores on layerSql (provided per request)": { view: withStores(sqlStores), request: get("/notes/") },
    "list, stores on layerSqlite (provided per request)": { view: withStores(driverStores), request: get("/notes/") },
    "post, stores on layerSql (provided per request)": {
      view: withStores(sqlStores),
      request: post("/notes/new/")
    },
    "post, stores on layerSqlite (provided per request)": {
      view: withStores(driverStores),
      request: post("/notes/new/")
    },
    "no middleware, view ok": { view: viewOf(undefined, okUrls), request: get("/x/") },
    "Defaults.middleware, view ok": { view: viewOf(Defaults.middleware(okUrls), okUrls), request: get("/x/") },
    "Defaults.middleware, view reads user": {
      view: viewOf(Defaults.middleware(userUrls), userUrls),
      request: get("/x/")
    },
    "Defaults.middleware, loginRequired view ok": {
      view: viewOf(Defaults.middleware(okUrls), Urls.make([Urls.path("x/", AuthDecorators.loginRequired(ok))])),
      request: get("/x/")
    },
    "6 pass-through middleware (call only), view ok": {
      view: viewOf(Middleware.compose(...Array.from({ length: 6 }, () => passThrough)), okUrls),
      request: get("/x/")
    },
    "Security, view ok": { view: viewOf(Security.middleware, okUrls), request: get("/x/") },
    "Sessions, view ok": { view: viewOf(Sessions.middleware, okUrls), request: get("/x/") },
    "Common, view ok": { view: viewOf(Common.commonMiddleware(okUrls), okUrls), request: get("/x/") },
    "Csrf, view ok": { view: viewOf(Csrf.middleware, okUrls), request: get("/x/") },
    "Clickjacking, view ok": { view: viewOf(Clickjacking.middleware, okUrls), request: get("/x/") },
    "Sessions + Auth, view reads user": {
      view: viewOf(Middleware.compose(Sessions.middleware, Auth.middleware), userUrls),
      request: get("/x/")
    },
    "Sessions + Auth, view ok": {
      view: viewOf(Middleware.compose(Sessions.middleware, Auth.middleware), okUrls),
      request: get("/x/")
    },
    "Sessions, view reads a session key": {
      view: viewOf(
        Sessions.middleware,
        Urls.make([Urls.path("x/", () => Effect.zipRight(Sessions.get("_auth_user_id"), ok()))])
      ),
      request: get("/x/")
    },
    "no middleware, 20 notes as JSON (user 1)": {
      view: viewOf(
        undefined,
        Urls.make([
          Urls.path("x/", () => Effect.flatMap(latest(1), (notes) => HttpResponse.json({ notes: notes.map(noteJson) })))
        ])
      ),
      request: get("/x/")
    },
    "no middleware, 20 notes as a TemplateResponse (user 1, no CSRF token)": {
      view: viewOf(
        undefined,
        Urls.make([
          Urls.path(
            "x/",
            (request: HttpRequest.HttpRequest) =>
              Effect.flatMap(
                latest(1),
                (notes) =>
                  TemplateResponse.make(request, "notes.html", { user: { username: "alice" }, notes, csrf_token: "x" })
              )
          )
        ])
      ),
      request: get("/x/")
    }
  }
  yield* measureVariants(variants, rounds, n)
})

const filename = Path.join(mkdtempSync(Path.join(tmpdir(), "bench-stack-layers-")), "db.sqlite3")
seed(filename)
Effect.runPromise(
  (Effect.scoped(program) as Effect.Effect<void, unknown>).pipe(
    Effect.provide(services(filename)),
    Effect.provide(settings)
  )
).catch(
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
