/**
 * The example site: a few pages a person can use in a browser, and the playground
 * (`/inspect/`, `/respond/`). `examples/server.ts` serves it; the tests import it.
 */
import type { FileSystem } from "@effect/platform"
import type { SqlClient } from "@effect/sql"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Clock, type Context, Duration, Effect, Either, Layer, Option, Redacted, Schema, Stream } from "effect"
import * as Os from "node:os"
import * as Path from "node:path"
import {
  Auth,
  Csrf,
  Errors,
  Handler,
  HttpRequest,
  HttpResponse,
  Middleware,
  ResponseCookies,
  Sessions,
  Settings,
  Signing,
  StreamingHttpResponse,
  Urls,
  View
} from "../src/index.js"
import * as accounts from "./accounts.js"
import { get, lists } from "./compat.js"
import { describeFile, inspect, respond } from "./playground.js"

/** The development key used when `SECRET_KEY` is not set (the server prints a warning). */
export const DEV_SECRET_KEY = "playground-insecure-development-key-do-not-use-in-production"

/** The playground's defaults for the settings (docs/Playground.md). */
export const defaults: Settings.Input = {
  ALLOWED_HOSTS: ["localhost", "127.0.0.1", "[::1]"],
  SECRET_KEY: DEV_SECRET_KEY
}

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

export const escape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;")

const layout = (title: string, body: string): string =>
  `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escape(title)} · effect-django-http</title>
  <style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}
  .error{color:#b00020}label{display:block;margin-top:.6rem}code{background:#f3f3f3;padding:0 .2rem}</style>
</head>
<body>
<p><a href="/">Home</a></p>
<h1>${escape(title)}</h1>
${body}
</body>
</html>
`

const html = (title: string, body: string) => HttpResponse.make({ content: layout(title, body) })

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

const home: View.View = () =>
  html(
    "effect-django-http example site",
    `<ul>
  <li><a href="/search/?q=response">Search</a> (a form over GET, typed query decoding)</li>
  <li><a href="/contact/">Contact</a> (a POST form with validation errors)</li>
  <li><a href="/upload/">Upload</a> (multipart: lists what arrived)</li>
  <li><a href="/cookie/">Signed cookie</a> (set, read and tamper-check a signed cookie)</li>
  <li><a href="/redirect/?to=/search/">Redirect</a> (to <code>?to=</code>, refusing unsafe schemes)</li>
  <li><a href="/export.csv?rows=5">CSV download</a> (a streaming response)</li>
</ul>
<h2>Playground</h2>
<ul>
  <li><a href="/inspect/some/path?a=1&amp;a=2&amp;b=%C3%A9">/inspect/</a>: how a request was parsed (JSON)</li>
  <li><a href="/respond/?kind=json&amp;content=hello&amp;cookie=a%3D1">/respond/</a>: a response built from the query</li>
</ul>`
  )

const CLASSES = [
  "HttpRequest",
  "QueryDict",
  "HttpResponse",
  "HttpResponseRedirect",
  "HttpResponsePermanentRedirect",
  "HttpResponseNotModified",
  "HttpResponseBadRequest",
  "HttpResponseNotFound",
  "HttpResponseForbidden",
  "HttpResponseNotAllowed",
  "HttpResponseGone",
  "HttpResponseServerError",
  "JsonResponse",
  "StreamingHttpResponse",
  "FileResponse"
]

const PAGE_SIZE = 5

/** `?q=` optional text, `?page=` a positive integer: a bad page is a `ParseError`, answered 400. */
export const SearchQuery = Schema.Struct({
  q: Schema.optional(Schema.String),
  page: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.positive()))
})

const search: View.View<unknown> = (request) =>
  Effect.gen(function*() {
    const { page = 1, q = "" } = yield* HttpRequest.schemaQuery(SearchQuery)(request)
    const hits = CLASSES.filter((c) => c.toLowerCase().includes(q.toLowerCase()))
    const shown = hits.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
    const more = hits.length > page * PAGE_SIZE
    return yield* html(
      "Search",
      `<form method="get" action="/search/">
  <label>Class name <input name="q" value="${escape(q)}" autofocus></label>
  <button>Search</button>
</form>
<p>${hits.length} result${hits.length === 1 ? "" : "s"} for <strong>${escape(q)}</strong>${
        page > 1 ? `, page ${page}` : ""
      }.</p>
<ul>${shown.map((c) => `<li><code>${escape(c)}</code></li>`).join("")}</ul>
${more ? `<p><a href="/search/?q=${encodeURIComponent(q)}&amp;page=${page + 1}">Next page</a></p>` : ""}`
    )
  })

interface ContactForm {
  readonly name: string
  readonly email: string
  readonly message: string
}

const validate = (form: ContactForm): Record<string, string> => {
  const errors: Record<string, string> = {}
  if (form.name.trim() === "") errors.name = "This field is required."
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(form.email)) errors.email = "Enter a valid email address."
  if (form.message.trim().length < 10) errors.message = "Ensure this value has at least 10 characters."
  return errors
}

const contactPage = (form: ContactForm, errors: Record<string, string>, sent: boolean) =>
  html(
    "Contact",
    `${sent ? "<p><strong>Thank you, your message was sent.</strong></p>" : ""}
${Object.keys(errors).length > 0 ? `<p class="error">Please correct the errors below.</p>` : ""}
<form method="post" action="/contact/">
  <label>Name <input name="name" value="${escape(form.name)}"></label>
  ${errors.name ? `<p class="error" id="error-name">${escape(errors.name)}</p>` : ""}
  <label>Email <input name="email" value="${escape(form.email)}"></label>
  ${errors.email ? `<p class="error" id="error-email">${escape(errors.email)}</p>` : ""}
  <label>Message <textarea name="message">${escape(form.message)}</textarea></label>
  ${errors.message ? `<p class="error" id="error-message">${escape(errors.message)}</p>` : ""}
  <p><button>Send</button></p>
</form>`
  )

const contact: View.View<unknown> = (request) =>
  Effect.gen(function*() {
    const empty = { name: "", email: "", message: "" }
    if (request.method !== "POST") {
      const q = yield* request.GET
      return yield* contactPage(empty, {}, get(q, "sent") === "1")
    }
    const post = yield* request.POST
    const form = { name: get(post, "name") ?? "", email: get(post, "email") ?? "", message: get(post, "message") ?? "" }
    const errors = validate(form)
    if (Object.keys(errors).length > 0) {
      return yield* Effect.flatMap(contactPage(form, errors, false), (res) => HttpResponse.setStatus(res, 400))
    }
    return yield* HttpResponse.redirect("/contact/?sent=1")
  })

const upload: View.View<unknown, FileSystem.FileSystem> = (request) =>
  Effect.gen(function*() {
    const form = `<form method="post" action="/upload/" enctype="multipart/form-data">
  <label>Title <input name="title"></label>
  <label>Files <input type="file" name="files" multiple></label>
  <p><button>Upload</button></p>
</form>`
    if (request.method !== "POST") return yield* html("Upload", form)
    const files = yield* request.FILES
    const post = yield* request.POST
    const rows: Array<string> = []
    for (const [key, list] of lists(files)) {
      for (const file of list) {
        const described = yield* describeFile(file)
        const sha = described.entries.find(([k]) => k === "sha256")?.[1]
        rows.push(
          `<tr><td>${escape(key)}</td><td>${escape(file.name)}</td><td>${file.size}</td><td>${
            escape(file.contentType)
          }</td><td><code>${String(sha)}</code></td></tr>`
        )
      }
    }
    return yield* html(
      "Upload",
      `<p>Title: <strong>${escape(get(post, "title") ?? "")}</strong></p>
<table><tr><th>field</th><th>name</th><th>size</th><th>type</th><th>sha256</th></tr>${rows.join("")}</table>
<p>${rows.length} file${rows.length === 1 ? "" : "s"} arrived.</p>
${form}`
    )
  })

const COOKIE = "demo"
const COOKIE_MAX_AGE = 3600

const cookie: View.View<unknown, Settings.Settings> = (request) =>
  Effect.gen(function*() {
    const settings = yield* Settings.current
    if (request.method === "POST") {
      const post = yield* request.POST
      const value = get(post, "value") ?? ""
      const signed = yield* Signing.signCookie(settings, COOKIE, value)
      const res = yield* HttpResponse.redirect("/cookie/")
      return yield* ResponseCookies.setCookie(res, COOKIE, signed, {
        maxAge: COOKIE_MAX_AGE,
        httpOnly: true,
        sameSite: "Lax"
      })
    }
    const q = yield* request.GET
    if (get(q, "clear") === "1") {
      const res = yield* HttpResponse.redirect("/cookie/")
      return yield* ResponseCookies.deleteCookie(res, COOKIE)
    }
    const raw = request.COOKIES[COOKIE]
    const state = raw === undefined
      ? "No signed cookie yet."
      : yield* Signing.unsignCookie(settings, COOKIE, raw, { maxAge: COOKIE_MAX_AGE }).pipe(
        Effect.map((v) => `The signed cookie holds <strong>${escape(v)}</strong> and its signature is valid.`),
        Effect.catchTags({
          BadSignature: () => Effect.succeed("The cookie's signature does not match: it was tampered with."),
          SignatureExpired: () => Effect.succeed("The cookie's signature has expired.")
        })
      )
    return yield* html(
      "Signed cookie",
      `<p id="state">${state}</p>
<form method="post" action="/cookie/">
  <label>Value <input name="value"></label>
  <p><button>Sign and set</button> <a href="/cookie/?clear=1">Delete it</a></p>
</form>
<p>The cookie is signed as Django's <code>set_signed_cookie</code> signs it; edit it in your browser and reload.</p>`
    )
  })

const redirect: View.View<unknown> = (request) =>
  Effect.flatMap(request.GET, (q) => HttpResponse.redirect(get(q, "to") ?? "/"))

const exportCsv: View.View<unknown> = (request) =>
  Effect.gen(function*() {
    const q = yield* request.GET
    const rows = Math.min(Math.max(Number.parseInt(get(q, "rows") ?? "100", 10) || 0, 0), 100_000)
    const lines = Stream.concat(
      Stream.make("id,name,square\r\n"),
      Stream.map(Stream.range(1, rows), (i) => `${i},row ${i},${i * i}\r\n`)
    ).pipe(Stream.take(rows + 1))
    return yield* StreamingHttpResponse.make(lines, {
      contentType: "text/csv; charset=utf-8",
      headers: [["Content-Disposition", "attachment; filename=\"export.csv\""]]
    })
  })

// ---------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------

/**
 * Django's `MIDDLEWARE = [MultipleProxyMiddleware, SessionMiddleware, CsrfViewMiddleware,
 * AuthenticationMiddleware]`, with the site's CSRF failure view provided above them. The CSRF
 * check runs in `processView`, so it sees the view URL resolution chose and its `csrfExempt`.
 */
const failureView = Middleware.make((request, getResponse) =>
  Effect.provideService(getResponse(request), Csrf.FailureView, accounts.csrfFailure)
)
export const middleware = Middleware.compose(
  Middleware.multipleProxy,
  failureView,
  Sessions.middleware,
  Csrf.middleware,
  Auth.middleware
)

/**
 * The site's URLconf. The pages for people check the host first, as Django's `CommonMiddleware`
 * would (a foreign `Host` gets 400); the playground reports the host's validity in its answer
 * instead (docs/Playground.md), so its twin runs without `CommonMiddleware`, and so does it.
 */
// The pages predate the CSRF middleware and their forms carry no token: they are csrf_exempt.
const page = <E, R>(view: View.View<E, R>) => Csrf.csrfExempt(Middleware.validateHost(view))
export const urls = Urls.make([
  Urls.path("", page(home)),
  Urls.path("search/", page(search)),
  Urls.path("contact/", page(contact)),
  Urls.path("upload/", page(upload)),
  Urls.path("cookie/", page(cookie)),
  Urls.path("redirect/", page(redirect)),
  Urls.path("export.csv", page(exportCsv)),
  Urls.rePath("^inspect/", Csrf.csrfExempt(inspect)),
  Urls.path("respond/", Csrf.csrfExempt(respond)),
  Urls.path("session/", Csrf.csrfExempt(accounts.session)),
  Urls.path("csrf/", accounts.csrf),
  Urls.path("login/", accounts.login),
  Urls.path("logout/", accounts.logout),
  Urls.path("whoami/", accounts.whoami),
  Urls.rePath("^resolve/", accounts.resolve),
  Urls.path("reverse/", accounts.reverse)
])

/** A clock frozen at `seconds` for the time signing and cookies read (`PLAYGROUND_FIXED_TIME`). */
export const fixedClock = (seconds: number): Clock.Clock => {
  const base = Clock.make()
  const millis = seconds * 1000
  return {
    ...base,
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => millis,
    currentTimeMillis: Effect.succeed(millis),
    unsafeCurrentTimeNanos: () => BigInt(millis) * 1_000_000n,
    currentTimeNanos: Effect.succeed(BigInt(millis) * 1_000_000n),
    sleep: (d: Duration.Duration) => base.sleep(d)
  }
}

/** The site: `Handler.make` with the middleware above and the URLconf. */
export const handler = Handler.make({ middleware, urls })

/** The services the site's views need beyond the settings: the session store and the users. */
export type Stores = Sessions.SessionStore | Auth.Users

/** The site as one view, with its stores (see `storesLayer`) and, for tests, a frozen clock. */
export const site = (
  options: { readonly fixedTime?: number | undefined; readonly stores: Context.Context<Stores> }
): View.View<never, Settings.Settings | FileSystem.FileSystem> => {
  const view = Handler.toView(handler)
  const clock = options.fixedTime === undefined ? undefined : fixedClock(options.fixedTime)
  return (request) => {
    const provided = Effect.provide(view(request), options.stores)
    return clock === undefined ? provided : Effect.withClock(provided, clock)
  }
}

/** Django's hash of `wonderland` for the playground's user `alice` (docs/Playground.md). */
export const ALICE_PASSWORD = "pbkdf2_sha256$260000$playgroundsalt00000000$CL7VMH77KiCOGzTbt416/u4GuQsXDVDgaYlHtZ1UR/c="

/** The default `DATABASE_URL`: a SQLite file in the OS temp dir. */
export const defaultDatabaseUrl = (): string =>
  `sqlite:${Path.join(Os.tmpdir(), "effect-django-http-playground.sqlite3")}`

const sqlLayer = (url: string): Layer.Layer<SqlClient.SqlClient, unknown> =>
  url.startsWith("sqlite:")
    ? SqliteClient.layer({ filename: url.slice("sqlite:".length) })
    : url.startsWith("postgres://") || url.startsWith("postgresql://")
    ? PgClient.layer({ url: Redacted.make(url) })
    : Layer.fail(
      new Errors.ImproperlyConfigured({ message: `DATABASE_URL must be sqlite:PATH or postgres://..., got ${url}` })
    )

/**
 * The stores from `SESSION_ENGINE` (`db`, `signed_cookies`, `cache`: Django's local-memory cache
 * is this process's memory) and `DATABASE_URL`; the tables created when missing, and `alice`.
 */
export const storesLayer = (env: {
  readonly SESSION_ENGINE?: string | undefined
  readonly DATABASE_URL?: string | undefined
}): Layer.Layer<Stores, unknown> => {
  const engine = env.SESSION_ENGINE ?? "db"
  const sql = sqlLayer(env.DATABASE_URL || defaultDatabaseUrl())
  const sessions: Layer.Layer<Sessions.SessionStore, unknown, SqlClient.SqlClient> = engine === "db"
    ? Layer.effectDiscard(Sessions.migrate).pipe(Layer.provideMerge(Sessions.layerSql))
    : engine === "signed_cookies"
    ? Sessions.layerSignedCookies
    : engine === "cache"
    ? Sessions.layerMemory
    : Layer.fail(new Errors.ImproperlyConfigured({ message: `SESSION_ENGINE must be db, signed_cookies or cache` }))
  const users = Layer.effectDiscard(Effect.gen(function*() {
    yield* Auth.migrate
    const store = yield* Auth.Users
    if (Option.isNone(yield* store.findByUsername("alice"))) {
      yield* store.create({ username: "alice", password: ALICE_PASSWORD })
    }
  })).pipe(Layer.provideMerge(Auth.layerSql))
  return Layer.merge(sessions, users).pipe(Layer.provide(sql))
}

export const parseFixedTime = (raw: string | undefined): number | undefined => {
  if (raw === undefined || raw.trim() === "") return undefined
  return Either.getOrUndefined(Either.liftPredicate(Number(raw), Number.isFinite, () => undefined))
}
