/**
 * The notes app of `bench/stack` on this library, as its guide writes a site: `Handler.make` with
 * Django's default middleware (`Defaults.middleware`), sessions in `django_session` and users in
 * `auth_user` (`Sessions.layerSql`, `Auth.layerSql` on `@effect/sql-sqlite-node`), `TemplateResponse`
 * with Nunjucks, served by `Server.run` with `workers: 2`.
 *
 *     STACK_DB=/tmp/notes.sqlite3 PORT=8000 node --import tsx bench/stack/library.ts
 */
import { SqlClient } from "@effect/sql"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Effect, Layer, Option } from "effect"
import {
  Auth,
  AuthDecorators,
  Defaults,
  Handler,
  HttpResponse,
  MultiValueDict,
  Server,
  Sessions,
  Settings,
  TemplateResponse,
  Templates,
  Urls,
  View
} from "../../src/index.js"
import { djangoDatetime, noteJson, type NoteRow, SECRET_KEY, stackEnv, TEMPLATES } from "./common.js"

const field = (q: MultiValueDict.MultiValueDict<string>, key: string): string | undefined =>
  Option.getOrUndefined(MultiValueDict.get(q, key))

/** The user's latest 20 notes (the list page's and the JSON endpoint's query). */
export const latest = (userId: number) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<NoteRow>`SELECT id, title, body, created FROM notes_note WHERE user_id = ${userId} ORDER BY id DESC LIMIT 20`
  )

/** The signed-in user (the views below are `loginRequired`, so there is one). */
const signedIn = Effect.flatMap(
  Auth.user,
  (user) => Auth.isAuthenticated(user) ? Effect.succeed(user) : Effect.dieMessage("not signed in")
)

const login: View.View<unknown, Templates.Templates | Sessions.Session | Auth.Users> = Effect.fnUntraced(
  function*(request) {
    if (request.method !== "POST") return yield* TemplateResponse.make(request, "login.html", {})
    const post = yield* request.POST
    const user = yield* Auth.authenticate(field(post, "username"), field(post, "password"))
    if (Option.isNone(user)) return yield* TemplateResponse.make(request, "login.html", { error: true })
    yield* Auth.login(user.value)
    return yield* HttpResponse.redirect("/notes/")
  }
)

const noteList = AuthDecorators.loginRequired(Effect.fnUntraced(function*(request) {
  const user = yield* signedIn
  const notes = yield* latest(user.id)
  return yield* TemplateResponse.make(request, "notes.html", { user, notes })
}))

const noteCreate = View.requirePOST(AuthDecorators.loginRequired(Effect.fnUntraced(function*(request) {
  const user = yield* signedIn
  const post = yield* request.POST
  const sql = yield* SqlClient.SqlClient
  yield* sql`INSERT INTO notes_note (title, body, created, user_id) VALUES (${field(post, "title") ?? ""}, ${
    field(post, "body") ?? ""
  }, ${djangoDatetime(new Date())}, ${user.id})`
  return yield* HttpResponse.redirect("/notes/")
})))

const noteJsonView = AuthDecorators.loginRequired(Effect.fnUntraced(function*() {
  const user = yield* signedIn
  const notes = yield* latest(user.id)
  return yield* HttpResponse.json({ notes: notes.map(noteJson) })
}))

export const urls = Urls.make([
  Urls.path("login/", login),
  Urls.path("notes/", noteList),
  Urls.path("notes/new/", noteCreate),
  Urls.path("api/notes/", noteJsonView)
])

export const site = Handler.make({ middleware: Defaults.middleware(urls), urls })

/** The stores and the templates, on one SQLite connection per process. */
export const services = (filename: string) =>
  Layer.mergeAll(Sessions.layerSql, Auth.layerSql, Templates.layer({ dirs: [TEMPLATES] })).pipe(
    Layer.provideMerge(SqliteClient.layer({ filename }))
  )

export const settings = Settings.layer({
  SECRET_KEY,
  DEBUG: false,
  ALLOWED_HOSTS: ["127.0.0.1", "localhost"]
})

if (process.env["STACK_DB"] !== undefined) {
  const { db, port } = stackEnv()
  Server.run(site, {
    workers: Number(process.env["STACK_WORKERS"] ?? 2),
    host: "127.0.0.1",
    port,
    // As the other stacks: no bound on the requests per kept-alive connection.
    limits: { maxRequestsPerSocket: 0 },
    settings,
    layer: services(db)
  })
}
