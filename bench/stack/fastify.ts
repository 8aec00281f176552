/**
 * The notes app of `bench/stack` on Fastify 5, as its users write one: `@fastify/cookie`,
 * `@fastify/session` with a SQLite store (on `django_session`, as the Express stack's),
 * `@fastify/csrf-protection` (its default: the secret in a cookie, the token in a form field),
 * `@fastify/formbody`, `@fastify/view` with Nunjucks (autoescaping on), better-sqlite3 for the
 * queries, in a `node:cluster` of 2 workers.
 *
 *     STACK_DB=/tmp/notes.sqlite3 PORT=8000 node --import tsx bench/stack/fastify.ts
 */
import fastifyCookie from "@fastify/cookie"
import fastifyCsrf from "@fastify/csrf-protection"
import fastifyFormbody from "@fastify/formbody"
import fastifySession from "@fastify/session"
import fastifyView from "@fastify/view"
import Fastify from "fastify"
import type { FastifyReply, FastifyRequest, Session } from "fastify"
import nunjucks from "nunjucks"
import {
  announce,
  checkPassword,
  CSRF_FIELD,
  inCluster,
  noteJson,
  openQueries,
  type Queries,
  SECRET_KEY,
  SESSION_AGE_MS,
  stackEnv,
  TEMPLATES,
  type UserRow
} from "./common.js"

declare module "fastify" {
  interface Session {
    userId?: number
    anonymous?: boolean
  }
  interface FastifyRequest {
    user?: UserRow
  }
}

/** A `@fastify/session` store on Django's `django_session` table (the session as JSON). */
const djangoSessionStore = (queries: Queries): fastifySession.SessionStore => ({
  get(sid, callback) {
    try {
      const json = queries.getSession(sid)
      callback(null, json === undefined ? null : JSON.parse(json) as Session)
    } catch (error) {
      callback(error)
    }
  },
  set(sid, data, callback) {
    try {
      const expires = data.cookie.expires ? new Date(data.cookie.expires) : new Date(Date.now() + SESSION_AGE_MS)
      queries.setSession(sid, JSON.stringify(data), expires)
      callback()
    } catch (error) {
      callback(error)
    }
  },
  destroy(sid, callback) {
    try {
      queries.deleteSession(sid)
      callback()
    } catch (error) {
      callback(error)
    }
  }
})

export const app = async (filename: string) => {
  const queries = openQueries(filename)
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, {
    secret: SECRET_KEY,
    cookieName: "sessionid",
    store: djangoSessionStore(queries),
    saveUninitialized: false,
    rolling: false,
    cookie: { maxAge: SESSION_AGE_MS, httpOnly: true, sameSite: "lax", secure: false }
  })
  await app.register(fastifyCsrf, {
    cookieKey: "csrftoken",
    cookieOpts: { path: "/", sameSite: "lax", httpOnly: true },
    getToken: (req) => (req.body as Record<string, string> | undefined)?.[CSRF_FIELD]
  })
  await app.register(fastifyFormbody)
  await app.register(fastifyView, { engine: { nunjucks }, templates: TEMPLATES, production: true })

  // request.user: the session's user, loaded from auth_user.
  app.addHook("preHandler", (req, _reply, done) => {
    const id = req.session.userId
    if (id !== undefined) {
      const user = queries.userById(id)
      if (user !== undefined && user.is_active) req.user = user
    }
    done()
  })
  const loginRequired = (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (req.user === undefined) reply.redirect(`/login/?next=${encodeURIComponent(req.url)}`, 302)
    else done()
  }
  // CSRF on the POSTs (after the body is parsed: the token is a form field).
  const csrf = app.csrfProtection

  app.get("/login/", async (req, reply) => {
    req.session.anonymous = true
    return reply.view("login.html", { csrf_token: await reply.generateCsrf() })
  })
  app.post("/login/", { preHandler: csrf }, async (req, reply) => {
    const body = req.body as Record<string, string>
    const user = queries.userByName(body["username"] ?? "")
    if (user === undefined || !user.is_active || !(await checkPassword(body["password"] ?? "", user.password))) {
      return reply.view("login.html", { error: true, csrf_token: await reply.generateCsrf() })
    }
    await req.session.regenerate()
    req.session.userId = user.id
    return reply.redirect("/notes/", 302)
  })
  app.get("/notes/", { preHandler: loginRequired }, async (req, reply) => {
    const user = req.user!
    return reply.view("notes.html", {
      user,
      notes: queries.latest(user.id),
      csrf_token: await reply.generateCsrf()
    })
  })
  app.post("/notes/new/", { preHandler: [csrf, loginRequired] }, (req, reply) => {
    const body = req.body as Record<string, string>
    queries.insertNote(body["title"] ?? "", body["body"] ?? "", req.user!.id)
    return reply.redirect("/notes/", 302)
  })
  app.get("/api/notes/", { preHandler: loginRequired }, (req) => ({
    notes: queries.latest(req.user!.id).map(noteJson)
  }))
  return app
}

if (process.env["STACK_DB"] !== undefined) {
  inCluster(() => {
    const { db, port } = stackEnv()
    app(db).then((a) => a.listen({ port, host: "127.0.0.1" })).then(() => announce(port), (error) => {
      console.error(error)
      process.exit(1)
    })
  })
}
