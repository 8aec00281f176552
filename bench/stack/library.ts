/**
 * The notes app of `bench/stack` on this library, as its guide writes a site: `Handler.make` with
 * Django's default middleware (`Defaults.middleware`), the app's own notes through `@effect/sql`
 * on this library's `Sqlite` client (better-sqlite3), sessions in `django_session` and users in
 * `auth_user` on the same connection (`Sessions.layerSqliteClient`, `Auth.layerSqliteClient`),
 * `TemplateResponse` with Nunjucks, served by `Server.run` with `workers: 2`. (Before session 11
 * the notes went through `@effect/sql-sqlite-node` and the stores had connections of their own.)
 *
 *     STACK_DB=/tmp/notes.sqlite3 PORT=8000 node --import tsx bench/stack/library.ts
 *
 * `STACK_NOTES=driver` (the stack `library-notes-driver` of `run.ts`) runs the app's two notes
 * statements on better-sqlite3 too, through the tiny `NotesDb` service below, for comparison.
 */
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import Database from "better-sqlite3"
import { Context, Effect, Layer, Option } from "effect"
import {
  Auth,
  AuthDecorators,
  Defaults,
  Handler,
  HttpResponse,
  type Middleware,
  MultiValueDict,
  Server,
  Sessions,
  Settings,
  Sqlite,
  TemplateResponse,
  Templates,
  Urls,
  View
} from "../../src/index.js"
import { djangoDatetime, noteJson, type NoteRow, SECRET_KEY, stackEnv, TEMPLATES } from "./common.js"

const field = (q: MultiValueDict.MultiValueDict<string>, key: string): string | undefined =>
  Option.getOrUndefined(MultiValueDict.get(q, key))

const LATEST = "SELECT id, title, body, created FROM notes_note WHERE user_id = ? ORDER BY id DESC LIMIT 20"
const INSERT = "INSERT INTO notes_note (title, body, created, user_id) VALUES (?, ?, ?, ?)"

/** The user's latest 20 notes (the list page's and the JSON endpoint's query). */
export const latest = (userId: number) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<NoteRow>`SELECT id, title, body, created FROM notes_note WHERE user_id = ${userId} ORDER BY id DESC LIMIT 20`
  )

/** The app's two statements, as its views run them. */
interface NotesQueries<R> {
  readonly latest: (userId: number) => Effect.Effect<ReadonlyArray<NoteRow>, SqlError, R>
  readonly insert: (title: string, body: string, userId: number) => Effect.Effect<unknown, SqlError, R>
}

const onSql: NotesQueries<SqlClient.SqlClient> = {
  latest,
  insert: (title, body, userId) =>
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) =>
        sql`INSERT INTO notes_note (title, body, created, user_id) VALUES (${title}, ${body}, ${
          djangoDatetime(new Date())
        }, ${userId})`
    )
}

/**
 * The tiny helper of `STACK_NOTES=driver`: the app's statements prepared once on a better-sqlite3
 * connection of its own, each run in one `Effect.try`.
 */
export class NotesDb extends Context.Tag("bench/stack/NotesDb")<NotesDb, NotesQueries<never>>() {}

export const layerNotesDb = (filename: string): Layer.Layer<NotesDb> =>
  Layer.scoped(
    NotesDb,
    Effect.map(
      Effect.acquireRelease(Effect.sync(() => new Database(filename)), (db) => Effect.sync(() => db.close())),
      (db) => {
        const select = db.prepare<[number], NoteRow>(LATEST)
        const insert = db.prepare<[string, string, string, number]>(INSERT)
        const failed = (cause: unknown) => new SqlError({ cause, message: "Failed to execute statement" })
        return {
          latest: (userId) => Effect.try({ try: () => select.all(userId), catch: failed }),
          insert: (title, body, userId) =>
            Effect.try({ try: () => insert.run(title, body, djangoDatetime(new Date()), userId), catch: failed })
        }
      }
    )
  )

const onDriver: NotesQueries<NotesDb> = {
  latest: (userId) => Effect.flatMap(NotesDb, (db) => db.latest(userId)),
  insert: (title, body, userId) => Effect.flatMap(NotesDb, (db) => db.insert(title, body, userId))
}

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

/** The site's views and URLconf over `q`'s statements. */
const makeSite = <R>(q: NotesQueries<R>) => {
  const noteList = AuthDecorators.loginRequired(Effect.fnUntraced(function*(request) {
    const user = yield* signedIn
    const notes = yield* q.latest(user.id)
    return yield* TemplateResponse.make(request, "notes.html", { user, notes })
  }))

  const noteCreate = View.requirePOST(AuthDecorators.loginRequired(Effect.fnUntraced(function*(request) {
    const user = yield* signedIn
    const post = yield* request.POST
    yield* q.insert(field(post, "title") ?? "", field(post, "body") ?? "", user.id)
    return yield* HttpResponse.redirect("/notes/")
  })))

  const noteJsonView = AuthDecorators.loginRequired(Effect.fnUntraced(function*() {
    const user = yield* signedIn
    const notes = yield* q.latest(user.id)
    return yield* HttpResponse.json({ notes: notes.map(noteJson) })
  }))

  const urls = Urls.make([
    Urls.path("login/", login),
    Urls.path("notes/", noteList),
    Urls.path("notes/new/", noteCreate),
    Urls.path("api/notes/", noteJsonView)
  ])
  return { urls, site: Handler.make({ middleware: Defaults.middleware(urls), urls }) }
}

export const { site, urls } = makeSite(onSql)

/** The same site with the notes statements on better-sqlite3 (`NotesDb`). */
export const siteNotesOnDriver = makeSite(onDriver).site

/**
 * The stores and the templates: the app's `SqlClient` (`Sqlite.layer`, this library's client on
 * better-sqlite3), sessions and users on its connection (`layerSqliteClient`), and `NotesDb` (a
 * connection of its own) for the variant.
 */
export const services = (filename: string) =>
  Layer.mergeAll(
    Layer.mergeAll(Sessions.layerSqliteClient, Auth.layerSqliteClient).pipe(
      Layer.provideMerge(Sqlite.layer({ filename }))
    ),
    Templates.layer({ dirs: [TEMPLATES] }),
    layerNotesDb(filename)
  )

export const settings = Settings.layer({
  SECRET_KEY,
  DEBUG: false,
  ALLOWED_HOSTS: ["127.0.0.1", "localhost"]
})

/** The trivial view of the by-part benchmarks (`layers.ts`, `inprocess.ts`): "ok", nothing else. */
export const ok = () => HttpResponse.make({ content: "ok" })

/** `x/` to the trivial view. */
export const okUrls = Urls.make([Urls.path("x/", ok)])

/** A site of `middleware` (none when `undefined`) over `urls`, typed loosely for the benchmarks' tables. */
export const siteOf = (middleware: Middleware.Middleware<any, any, any> | undefined, urls: any): Handler.Handler<any> =>
  Handler.make(middleware === undefined ? { urls } : { middleware, urls }) as Handler.Handler<any>

if (process.env["STACK_DB"] !== undefined) {
  const { db, port } = stackEnv()
  const servable: Handler.Handler<
    SqlClient.SqlClient | NotesDb | Sessions.SessionStore | Auth.Users | Templates.Templates
  > = process.env["STACK_NOTES"] === "driver" ? siteNotesOnDriver : site
  Server.run(servable, {
    workers: Number(process.env["STACK_WORKERS"] ?? 2),
    host: "127.0.0.1",
    port,
    // As the other stacks: no bound on the requests per kept-alive connection.
    limits: { maxRequestsPerSocket: 0 },
    settings,
    layer: services(db)
  })
}
