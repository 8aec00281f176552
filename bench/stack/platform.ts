/**
 * The notes app of `bench/stack` on bare `@effect/platform-node`, by hand: the floor of an Effect
 * site. `HttpRouter`, the session read from `django_session` (its data as JSON, the cookie the
 * session key, as Django's) and the user from `auth_user` through `@effect/sql-sqlite-node`, a
 * double-submit CSRF check (cookie + form field, compared in constant time), the same Nunjucks
 * templates (autoescaping on), the platform's tracer off (as `Server.run`'s default), in a
 * `node:cluster` of 2 workers.
 *
 *     STACK_DB=/tmp/notes.sqlite3 PORT=8000 node --import tsx bench/stack/platform.ts
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import { SqlClient } from "@effect/sql"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Effect, Layer, Option } from "effect"
import { randomBytes, timingSafeEqual } from "node:crypto"
import * as Http from "node:http"
import nunjucks from "nunjucks"
import {
  announce,
  checkPassword,
  CSRF_FIELD,
  djangoDatetime,
  inCluster,
  noteJson,
  type NoteRow,
  SESSION_AGE_MS,
  stackEnv,
  TEMPLATES,
  type UserRow
} from "./common.js"

const SESSION_COOKIE = "sessionid"
const CSRF_COOKIE = "csrftoken"

const templates = new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES), { autoescape: true })

const html = (name: string, context: object) => HttpServerResponse.html(templates.render(name, context))

/** The signed-in user: the session's `userId`, loaded from `auth_user`. */
const currentUser = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const key = request.cookies[SESSION_COOKIE]
  if (key === undefined) return Option.none<UserRow>()
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<
    { session_data: string }
  >`SELECT session_data FROM django_session WHERE session_key = ${key} AND expire_date > ${djangoDatetime(new Date())}`
  if (rows.length === 0) return Option.none<UserRow>()
  const data = JSON.parse(rows[0]!.session_data) as { userId?: number }
  if (data.userId === undefined) return Option.none<UserRow>()
  const users = yield* sql<UserRow>`SELECT id, username, password, is_active FROM auth_user WHERE id = ${data.userId}`
  return Option.fromNullable(users[0]).pipe(Option.filter((u) => u.is_active === 1))
})

/** The form's token equals the CSRF cookie (both present), compared in constant time. */
const csrfChecked = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const form = yield* request.urlParamsBody
  const cookie = request.cookies[CSRF_COOKIE]
  const given = Option.getOrUndefined(UrlParams.getFirst(form, CSRF_FIELD))
  const ok = cookie !== undefined && given !== undefined && cookie.length === given.length &&
    timingSafeEqual(Buffer.from(cookie), Buffer.from(given))
  return ok ? Option.some(form) : Option.none()
})

const forbidden = HttpServerResponse.text("CSRF verification failed.", { status: 403 })

/** The request's CSRF cookie, or a new one (set on the response by `withCsrfCookie`). */
const csrfToken = Effect.map(
  HttpServerRequest.HttpServerRequest,
  (request) => request.cookies[CSRF_COOKIE] ?? randomBytes(16).toString("hex")
)
const withCsrfCookie = (token: string) =>
  HttpServerResponse.setCookie(CSRF_COOKIE, token, { path: "/", sameSite: "lax", maxAge: "365 days" })

const toLogin = HttpServerResponse.redirect("/login/", { status: 302 })

const latest = (userId: number) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<NoteRow>`SELECT id, title, body, created FROM notes_note WHERE user_id = ${userId} ORDER BY id DESC LIMIT 20`
  )

const router = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/login/",
    Effect.gen(function*() {
      const token = yield* csrfToken
      return yield* withCsrfCookie(token)(html("login.html", { csrf_token: token }))
    })
  ),
  HttpRouter.post(
    "/login/",
    Effect.gen(function*() {
      const form = yield* csrfChecked
      if (Option.isNone(form)) return forbidden
      const username = Option.getOrElse(UrlParams.getFirst(form.value, "username"), () => "")
      const password = Option.getOrElse(UrlParams.getFirst(form.value, "password"), () => "")
      const sql = yield* SqlClient.SqlClient
      const [user] = yield* sql<
        UserRow
      >`SELECT id, username, password, is_active FROM auth_user WHERE username = ${username}`
      if (
        user === undefined || !user.is_active || !(yield* Effect.promise(() => checkPassword(password, user.password)))
      ) {
        const token = yield* csrfToken
        return yield* withCsrfCookie(token)(html("login.html", { error: true, csrf_token: token }))
      }
      const key = randomBytes(24).toString("base64url")
      const expires = new Date(Date.now() + SESSION_AGE_MS)
      yield* sql`INSERT INTO django_session (session_key, session_data, expire_date) VALUES (${key}, ${
        JSON.stringify({ userId: user.id })
      }, ${djangoDatetime(expires)})`
      return yield* HttpServerResponse.setCookie(
        HttpServerResponse.redirect("/notes/", { status: 302 }),
        SESSION_COOKIE,
        key,
        {
          path: "/",
          httpOnly: true,
          sameSite: "lax",
          expires
        }
      )
    })
  ),
  HttpRouter.get(
    "/notes/",
    Effect.gen(function*() {
      const user = yield* currentUser
      if (Option.isNone(user)) return toLogin
      const notes = yield* latest(user.value.id)
      const token = yield* csrfToken
      return yield* withCsrfCookie(token)(html("notes.html", { user: user.value, notes, csrf_token: token }))
    })
  ),
  HttpRouter.post(
    "/notes/new/",
    Effect.gen(function*() {
      const form = yield* csrfChecked
      if (Option.isNone(form)) return forbidden
      const user = yield* currentUser
      if (Option.isNone(user)) return toLogin
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO notes_note (title, body, created, user_id) VALUES (${
        Option.getOrElse(UrlParams.getFirst(form.value, "title"), () => "")
      }, ${Option.getOrElse(UrlParams.getFirst(form.value, "body"), () => "")}, ${
        djangoDatetime(new Date())
      }, ${user.value.id})`
      return HttpServerResponse.redirect("/notes/", { status: 302 })
    })
  ),
  HttpRouter.get(
    "/api/notes/",
    Effect.gen(function*() {
      const user = yield* currentUser
      if (Option.isNone(user)) return toLogin
      const notes = yield* latest(user.value.id)
      return yield* HttpServerResponse.json({ notes: notes.map(noteJson) })
    })
  )
)

/** The app served on `port` (0: any free port), its `HttpServer` in the output. */
export const serve = (filename: string, port: number) =>
  Layer.merge(
    HttpMiddleware.withTracerDisabledWhen(HttpServer.serve(router), () => true),
    Layer.effectDiscard(
      Effect.flatMap(HttpServer.HttpServer, (server) =>
        Effect.sync(() => announce(server.address._tag === "TcpAddress" ? server.address.port : 0)))
    )
  ).pipe(
    Layer.provideMerge(NodeHttpServer.layer(Http.createServer, { port, host: "127.0.0.1" })),
    Layer.provide(SqliteClient.layer({ filename }))
  )

if (process.env["STACK_DB"] !== undefined) {
  inCluster(() => {
    const { db, port } = stackEnv()
    NodeRuntime.runMain(Layer.launch(serve(db, port)))
  })
}
