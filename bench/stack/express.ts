/**
 * The notes app of `bench/stack` on Express 5, as its users write one: `express-session` with a
 * SQLite store (`DjangoSessionStore` below, on `django_session`), `csrf-csrf` (double-submit
 * cookie, tied to the session), `nunjucks` (autoescaping on), better-sqlite3 for the queries, in
 * a `node:cluster` of 2 workers.
 *
 *     STACK_DB=/tmp/notes.sqlite3 PORT=8000 node --import tsx bench/stack/express.ts
 */
import cookieParser from "cookie-parser"
import { doubleCsrf } from "csrf-csrf"
import express from "express"
import type { NextFunction, Request, Response } from "express"
import session from "express-session"
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

declare module "express-session" {
  interface SessionData {
    userId: number
    anonymous: boolean
  }
}

/**
 * An express-session store on Django's `django_session` table (the session as JSON), so that
 * every stack has the same layout; what `better-sqlite3-session-store` does on its own table.
 * No `touch`: an unchanged session is not written, as in Django.
 */
class DjangoSessionStore extends session.Store {
  constructor(private readonly queries: Queries) {
    super()
  }
  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    try {
      const json = this.queries.getSession(sid)
      callback(null, json === undefined ? null : JSON.parse(json))
    } catch (error) {
      callback(error)
    }
  }
  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    try {
      const expires = data.cookie.expires ? new Date(data.cookie.expires) : new Date(Date.now() + SESSION_AGE_MS)
      this.queries.setSession(sid, JSON.stringify(data), expires)
      callback?.()
    } catch (error) {
      callback?.(error)
    }
  }
  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    try {
      this.queries.deleteSession(sid)
      callback?.()
    } catch (error) {
      callback?.(error)
    }
  }
}

interface WithUser {
  user?: UserRow
}

export const app = (filename: string) => {
  const queries = openQueries(filename)
  const app = express()
  app.set("etag", false)
  nunjucks.configure(TEMPLATES, { express: app, autoescape: true })
  app.use(express.urlencoded({ extended: false }))
  app.use(cookieParser())
  app.use(session({
    secret: SECRET_KEY,
    name: "sessionid",
    store: new DjangoSessionStore(queries),
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: SESSION_AGE_MS, httpOnly: true, sameSite: "lax" }
  }))
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => SECRET_KEY,
    getSessionIdentifier: (req) => req.session.id,
    cookieName: "csrftoken",
    cookieOptions: { sameSite: "lax", secure: false, httpOnly: false, path: "/" },
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, string> | undefined)?.[CSRF_FIELD]
  })
  app.use(doubleCsrfProtection)
  // request.user: the session's user, loaded from auth_user.
  app.use((req: Request & WithUser, _res, next) => {
    const id = req.session.userId
    if (id !== undefined) {
      const user = queries.userById(id)
      if (user !== undefined && user.is_active) req.user = user
    }
    next()
  })
  const loginRequired = (req: Request & WithUser, res: Response, next: NextFunction) => {
    if (req.user === undefined) res.redirect(302, `/login/?next=${encodeURIComponent(req.originalUrl)}`)
    else next()
  }

  app.get("/login/", (req, res) => {
    // Saved, so that the token's session survives until the POST.
    req.session.anonymous = true
    res.render("login.html", { csrf_token: generateCsrfToken(req, res) })
  })
  app.post("/login/", async (req, res, next) => {
    const body = req.body as Record<string, string>
    const user = queries.userByName(body["username"] ?? "")
    if (user === undefined || !user.is_active || !(await checkPassword(body["password"] ?? "", user.password))) {
      res.render("login.html", { error: true, csrf_token: generateCsrfToken(req, res) })
      return
    }
    req.session.regenerate((error) => {
      if (error) return next(error)
      req.session.userId = user.id
      res.redirect(302, "/notes/")
    })
  })
  app.get("/notes/", loginRequired, (req: Request & WithUser, res) => {
    const user = req.user!
    res.render("notes.html", {
      user,
      notes: queries.latest(user.id),
      csrf_token: generateCsrfToken(req, res)
    })
  })
  app.post("/notes/new/", loginRequired, (req: Request & WithUser, res) => {
    const body = req.body as Record<string, string>
    queries.insertNote(body["title"] ?? "", body["body"] ?? "", req.user!.id)
    res.redirect(302, "/notes/")
  })
  app.get("/api/notes/", loginRequired, (req: Request & WithUser, res) => {
    res.json({ notes: queries.latest(req.user!.id).map(noteJson) })
  })
  return app
}

if (process.env["STACK_DB"] !== undefined) {
  inCluster(() => {
    const { db, port } = stackEnv()
    app(db).listen(port, "127.0.0.1", () => announce(port))
  })
}
