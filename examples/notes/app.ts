/**
 * The notes app (docs/Notes.md): sign in and up, a list of one's notes with search, create and
 * edit forms, attachments, delete with a confirmation, and a JSON endpoint, on Django's default
 * middleware, sessions, CSRF and auth, with Nunjucks templates that reverse the URLconf.
 * `handler` is the site and `layer(options)` the services it runs on (`main.ts` serves them with
 * the playground beside, `site`; the tests drive them through `Client`). The views a route
 * calls as they are (sign-in, sign-up, the list, the JSON endpoint) write their generator once
 * with `Effect.fnUntraced`, as docs/Serving.md advises.
 */
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import type { SqlClient } from "@effect/sql"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Context, Effect, Either, Layer, Option, Redacted, Schema, Stream } from "effect"
import * as Crypto from "node:crypto"
import * as Path from "node:path"
import {
  Auth,
  AuthDecorators,
  Cache,
  Defaults,
  Errors,
  FileResponse,
  Handler,
  HttpRequest,
  HttpResponse,
  MultiValueDict,
  Passwords,
  PasswordValidation,
  Resolver,
  Sessions,
  Settings,
  Sqlite,
  Static,
  TemplateResponse,
  Templates,
  UploadedFile,
  Urls,
  View
} from "../../src/index.js"
import * as playground from "../site.js"
import { formatDatetime } from "./dates.js"
import * as Db from "./db.js"
import {
  bind,
  bindFiles,
  type FieldErrors,
  initial,
  LoginForm,
  NoteForm,
  SignupForm,
  unbound,
  Username,
  USERNAME_PATTERN,
  withErrors
} from "./forms.js"

const HERE = Path.dirname(new URL(import.meta.url).pathname)

/** The app's settings over Django's defaults; `main.ts` reads the rest from the environment. */
export const defaults: Settings.Input = {
  ALLOWED_HOSTS: ["127.0.0.1", "localhost", "[::1]"],
  SECRET_KEY: playground.DEV_SECRET_KEY,
  LOGIN_REDIRECT_URL: "/notes/"
}

/** Where attachments are stored (Django's `MEDIA_ROOT`). */
export class Media extends Context.Tag("examples/notes/Media")<Media, { readonly root: string }>() {}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const page = (request: HttpRequest.HttpRequest, template: string, context: Templates.TemplateContext) =>
  TemplateResponse.make(request, template, context)

/** The user of a page under `loginRequired`. */
const signedIn = Effect.flatMap(
  Auth.user,
  (user) =>
    Auth.isAuthenticated(user)
      ? Effect.succeed(user)
      : Effect.fail(new Errors.PermissionDenied({ message: "not signed in" }))
)

/** A page for signed-in users: Django's `login_required` and `never_cache`, the user at hand. */
const member = <E, R>(
  view: (request: HttpRequest.HttpRequest, user: Auth.AuthUser) => Effect.Effect<View.Response, E, R>
) =>
  Cache.neverCache(AuthDecorators.loginRequired((request) => Effect.flatMap(signedIn, (user) => view(request, user))))

/** The note of the URL when it is the user's; a 404 otherwise (Django's `get_object_or_404`). */
const ownNote = (user: Auth.AuthUser, pk: number) =>
  Effect.flatMap(Db.Notes, (notes) => notes.get(user.id, pk)).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(new Errors.Http404({ message: "No note matches the given query." })),
      onSome: Effect.succeed
    }))
  )

const redirectTo = (name: string, kwargs?: Readonly<Record<string, unknown>>) =>
  Effect.flatMap(Resolver.reverseCurrent(name, kwargs === undefined ? undefined : { kwargs }), HttpResponse.redirect)

/** `?q=`: at most 100 characters (a longer one is a `ParseError`, answered 400 by the handler). */
const SearchQuery = Schema.Struct({
  q: Schema.optionalWith(Schema.String.pipe(Schema.maxLength(100)), { default: () => "" })
})

/** Django's `FileField`: a file was sent, and it is not empty. */
const nonEmptyFile = UploadedFile.UploadedFileSchema.pipe(
  Schema.filter((file) => file.size > 0 || "The submitted file is empty.")
)
const UploadForm = Schema.Struct({
  file: Schema.propertySignature(nonEmptyFile).annotations({
    // Django's FileField with no file in FILES (a browser's empty file input sends none).
    missingMessage: () => "This field is required."
  })
})
const AttachmentForm = Schema.Struct({ attachment: Schema.optionalWith(nonEmptyFile, { exact: true }) })

/** An upload stored under the media root with a fresh name keeping its extension; the row saved. */
const storeAttachment = (note: number, file: UploadedFile.UploadedFile) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const { root } = yield* Media
    const extension = /^\.[A-Za-z0-9]{1,10}$/.exec(Path.extname(file.name))?.[0] ?? ""
    const name = `attachments/${Crypto.randomUUID()}${extension.toLowerCase()}`
    yield* fs.makeDirectory(Path.join(root, "attachments"), { recursive: true })
    yield* Stream.run(UploadedFile.chunks(file), fs.sink(Path.join(root, name)))
    const notes = yield* Db.Notes
    // The name is shown and sent back in Content-Disposition: control characters (a CR/LF from
    // `&#13;&#10;` in the part's filename) would make the download a BadHeaderError, so they go.
    // eslint-disable-next-line no-control-regex
    const shown = file.name.replace(/[\u0000-\u001f\u007f]/g, "") || "attachment"
    return yield* notes.attach(note, { name: shown, file: name, size: file.size })
  })

// ---------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------

const INVALID_LOGIN = "Please enter a correct username and password. Note that both fields may be case-sensitive."

/** Django's `LoginView`: `next` (posted, else in the query) is followed only when it stays on this site. */
const login = Cache.neverCache(
  Effect.fnUntraced(function*(request: HttpRequest.HttpRequest) {
    const query = yield* request.GET
    const posted = request.method === "POST" ? MultiValueDict.get(yield* request.POST, "next") : Option.none()
    const next = Option.getOrElse(Option.orElse(posted, () => MultiValueDict.get(query, "next")), () => "")
    if (request.method !== "POST") return yield* page(request, "login.html", { form: unbound, next })
    const form = yield* bind(LoginForm)(request)
    if (Either.isLeft(form.result)) return yield* page(request, "login.html", { form, next })
    const { password, username } = form.result.right
    const user = yield* Auth.authenticate(username, password)
    if (Option.isNone(user)) {
      return yield* page(request, "login.html", { form: withErrors(form, { __all__: [INVALID_LOGIN] }), next })
    }
    yield* Auth.login(user.value)
    const safe = Passwords.urlHasAllowedHostAndScheme(
      next,
      [yield* HttpRequest.getHost(request)],
      yield* HttpRequest.isSecure(request)
    )
    return yield* HttpResponse.redirect(safe ? next : (yield* Settings.current).LOGIN_REDIRECT_URL)
  })
)

/** Django's `LogoutView`, POST only. */
const logout = View.requirePOST(() => Effect.zipRight(Auth.logout, redirectTo("login")))

const MISMATCH = "The two password fields didn’t match."
const INVALID_USERNAME =
  "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
const TAKEN = "A user with that username already exists."

/**
 * Sign-up with Django's `UserCreationForm`: the fields, the two passwords matching, the model's
 * username checks (pattern, uniqueness), then `AUTH_PASSWORD_VALIDATORS` on the second password
 * with the user being created; then the user is logged in.
 */
const signup = Cache.neverCache(
  Effect.fnUntraced(function*(request: HttpRequest.HttpRequest) {
    const helpTexts = PasswordValidation.helpTexts()
    if (request.method !== "POST") return yield* page(request, "signup.html", { form: unbound, helpTexts })
    const form = yield* bind(SignupForm)(request)
    const errors: Record<string, ReadonlyArray<string>> = { ...form.errors }
    const add = (field: string, messages: ReadonlyArray<string>) => {
      errors[field] = [...(errors[field] ?? []), ...messages]
    }
    const { password1 = "", password2 = "" } = form.values
    if (errors.password2 === undefined && password1 !== "" && password1 !== password2) add("password2", [MISMATCH])
    const users = yield* Auth.Users
    const username = Schema.decodeUnknownOption(Username)(form.values.username)
    if (Option.isSome(username)) {
      if (!USERNAME_PATTERN.test(username.value)) add("username", [INVALID_USERNAME])
      else if (Option.isSome(yield* users.findByUsername(username.value))) add("username", [TAKEN])
    }
    if (errors.password2 === undefined) {
      const user = { username: Option.getOrElse(username, () => "") }
      const validated = PasswordValidation.validatePassword(password2, user)
      if (Either.isLeft(validated)) add("password2", validated.left.messages)
    }
    if (Object.keys(errors).length > 0 || Option.isNone(username)) {
      return yield* page(request, "signup.html", { form: withErrors(form, errors), helpTexts })
    }
    const user = yield* users.create({ username: username.value, password: yield* Passwords.makePassword(password1) })
    yield* Auth.login(user)
    return yield* redirectTo("notes:list")
  })
)

// ---------------------------------------------------------------------------
// Notes
// ---------------------------------------------------------------------------

const home: View.View<unknown, Resolver.Urlconf> = () => redirectTo("notes:list")

const list = member(
  Effect.fnUntraced(function*(request: HttpRequest.HttpRequest, user: Auth.AuthUser) {
    const { q } = yield* HttpRequest.schemaQuery(SearchQuery)(request)
    const notes = yield* Effect.flatMap(Db.Notes, (db) => db.list(user.id, q.trim()))
    return yield* page(request, "list.html", { notes, q })
  })
)

/** The note form's page, or its saving: `save` gets the valid fields and gives the response. */
const noteForm = <E, R>(
  request: HttpRequest.HttpRequest,
  note: Db.Note | undefined,
  save: (fields: Db.NoteFields, files: typeof AttachmentForm.Type) => Effect.Effect<View.Response, E, R>
) =>
  Effect.gen(function*() {
    if (request.method !== "POST") {
      const form = note === undefined ? unbound : initial({ title: note.title, body: note.body })
      return yield* page(request, "form.html", { form, note })
    }
    const form = yield* bind(NoteForm)(request)
    const files = yield* bindFiles(AttachmentForm)(request)
    if (Either.isRight(form.result) && Either.isRight(files)) return yield* save(form.result.right, files.right)
    const errors: FieldErrors = Either.isLeft(files) ? files.left : {}
    return yield* page(request, "form.html", { form: withErrors(form, errors), note })
  })

const create = member((request, user) =>
  noteForm(request, undefined, (fields, files) =>
    Effect.gen(function*() {
      const id = yield* Effect.flatMap(Db.Notes, (db) => db.create(user.id, fields))
      if (files.attachment !== undefined) yield* storeAttachment(id, files.attachment)
      return yield* redirectTo("notes:detail", { pk: id })
    }))
)

const edit = (pk: number) =>
  member((request, user) =>
    Effect.gen(function*() {
      const note = yield* ownNote(user, pk)
      return yield* noteForm(request, note, (fields, files) =>
        Effect.gen(function*() {
          yield* Effect.flatMap(Db.Notes, (db) => db.update(user.id, pk, fields))
          if (files.attachment !== undefined) yield* storeAttachment(pk, files.attachment)
          return yield* redirectTo("notes:detail", { pk })
        }))
    })
  )

const detailPage = (request: HttpRequest.HttpRequest, note: Db.Note, upload: FieldErrors) =>
  Effect.gen(function*() {
    const attachments = yield* Effect.flatMap(Db.Notes, (db) => db.attachments(note.id))
    return yield* page(request, "detail.html", { note, attachments, upload: { errors: upload } })
  })

const detail = (pk: number) =>
  member((request, user) => Effect.flatMap(ownNote(user, pk), (note) => detailPage(request, note, {})))

const upload = (pk: number) =>
  View.requirePOST(member((request, user) =>
    Effect.gen(function*() {
      const note = yield* ownNote(user, pk)
      const form = yield* bindFiles(UploadForm)(request)
      if (Either.isLeft(form)) return yield* detailPage(request, note, form.left)
      yield* storeAttachment(note.id, form.right.file)
      return yield* redirectTo("notes:detail", { pk })
    })
  ))

const download = (pk: number, aid: number) =>
  member((_request, user) =>
    Effect.gen(function*() {
      const found = yield* Effect.flatMap(Db.Notes, (db) => db.attachment(user.id, pk, aid))
      if (Option.isNone(found)) return yield* new Errors.Http404({ message: "No attachment matches the given query." })
      const { root } = yield* Media
      return yield* FileResponse.fromPath(Path.join(root, found.value.file), {
        asAttachment: true,
        filename: found.value.name
      }).pipe(Effect.catchTag("SystemError", () => new Errors.Http404({ message: "The file is missing." })))
    })
  )

const remove = (pk: number) =>
  member((request, user) =>
    Effect.gen(function*() {
      const note = yield* ownNote(user, pk)
      if (request.method !== "POST") return yield* page(request, "delete.html", { note })
      const files = yield* Effect.flatMap(Db.Notes, (db) => db.remove(user.id, pk))
      const fs = yield* FileSystem.FileSystem
      const { root } = yield* Media
      yield* Effect.forEach(files, (file) => Effect.ignore(fs.remove(Path.join(root, file))), { discard: true })
      return yield* redirectTo("notes:list")
    })
  )

/** `GET /api/notes/`: the signed-in user's notes as JSON; 403 otherwise. */
const api = Cache.neverCache(
  Effect.fnUntraced(function*(request: HttpRequest.HttpRequest) {
    const user = yield* Auth.user
    if (!Auth.isAuthenticated(user)) return yield* HttpResponse.json({ error: "not authenticated" }, { status: 403 })
    const { q } = yield* HttpRequest.schemaQuery(SearchQuery)(request)
    const notes = yield* Effect.flatMap(Db.Notes, (db) => db.list(user.id, q.trim()))
    return yield* HttpResponse.json({
      notes: notes.map((note) => ({
        id: note.id,
        title: note.title,
        body: note.body,
        created: note.created.toISOString(),
        updated: note.updated.toISOString(),
        attachments: note.attachments
      }))
    })
  })
)

// ---------------------------------------------------------------------------
// URLs and the handler
// ---------------------------------------------------------------------------

const STATIC_ROOT = Path.join(HERE, "static")
const TEMPLATES = Path.join(HERE, "templates")

export const urls = Urls.make([
  Urls.path("", home, { name: "home" }),
  Urls.path(
    "accounts/",
    Urls.include([
      Urls.path("login/", login, { name: "login" }),
      Urls.path("logout/", logout, { name: "logout" }),
      Urls.path("signup/", signup, { name: "signup" })
    ])
  ),
  Urls.path(
    "notes/",
    Urls.include([
      Urls.path("", list, { name: "list" }),
      Urls.path("new/", create, { name: "create" }),
      Urls.pathWith("<int:pk>/", (request, { pk }) => detail(pk)(request), { name: "detail" }),
      Urls.pathWith("<int:pk>/edit/", (request, { pk }) => edit(pk)(request), { name: "edit" }),
      Urls.pathWith("<int:pk>/delete/", (request, { pk }) => remove(pk)(request), { name: "delete" }),
      Urls.pathWith("<int:pk>/attachments/", (request, { pk }) => upload(pk)(request), { name: "upload" }),
      Urls.pathWith(
        "<int:pk>/attachments/<int:aid>/",
        (request, { aid, pk }) => download(pk, aid)(request),
        { name: "download" }
      )
    ], { appName: "notes" })
  ),
  Urls.path("api/", Urls.include([Urls.path("notes/", api, { name: "notes" })], { appName: "api" })),
  Urls.path("static/<path:path>", Static.view({ prefix: "/static/", root: STATIC_ROOT }), { name: "static" })
])

/** The app: Django's default middleware list over the URLconf. */
export const handler = Handler.make({ middleware: Defaults.middleware(urls), urls })

/**
 * The templates: `url(name, kwargs)` reverses the URLconf (Django's `{% url %}`), `static(path)`
 * gives a static file's URL (`{% static %}`), the `datetime` filter shows a date as Django shows a
 * datetime (`DATETIME_FORMAT`, see `dates.ts`); `user` and the CSRF input come from the request.
 */
export const templatesLayer = Templates.layer({
  dirs: [TEMPLATES],
  contextProcessors: [Templates.userProcessor],
  configure: (env) => {
    env.addGlobal(
      "url",
      (name: string, kwargs?: Readonly<Record<string, unknown>>) =>
        Either.getOrThrow(Resolver.reverseDynamic(urls, name, kwargs === undefined ? {} : { kwargs }))
    )
    env.addGlobal("static", (path: string) => `/static/${path}`)
    env.addFilter("datetime", formatDatetime)
  }
})

// ---------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------

/** Where the app keeps its data, and which stores it uses (the environment of `main.ts`). */
export interface Options {
  /** `DATA_DIR`: the SQLite file (`notes.sqlite3`) and the attachments (`media/`). */
  readonly dataDir: string
  /** `DATABASE_URL`: `postgres://...` for PostgreSQL, `sqlite:PATH`; `dataDir/notes.sqlite3` when absent. */
  readonly databaseUrl?: string | undefined
  /** `SESSION_ENGINE`: `db` (default), `cache` (Redis at `redisUrl`, else this process's memory), `signed_cookies`. */
  readonly sessionEngine?: string | undefined
  /** `REDIS_URL`, for `SESSION_ENGINE=cache`. */
  readonly redisUrl?: string | undefined
}

/** What the handler runs on. */
export type Services =
  | Templates.Templates
  | Db.Notes
  | Sessions.SessionStore
  | Auth.Users
  | Media
  | FileSystem.FileSystem
  | SqlClient.SqlClient

/** The SQLite file of `options` (`undefined` on PostgreSQL). */
const sqliteFile = (options: Options): string | undefined => {
  const url = options.databaseUrl ?? ""
  if (url === "") return Path.join(options.dataDir, "notes.sqlite3")
  return url.startsWith("sqlite:") ? url.slice("sqlite:".length) : undefined
}

const sqlLayer = (options: Options): Layer.Layer<SqlClient.SqlClient, unknown, FileSystem.FileSystem> => {
  const url = options.databaseUrl ?? ""
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    return PgClient.layer({ url: Redacted.make(url) })
  }
  const filename = sqliteFile(options)
  if (filename === undefined) {
    return Layer.fail(
      new Errors.ImproperlyConfigured({ message: "DATABASE_URL must be postgres://... or sqlite:PATH" })
    )
  }
  return Layer.unwrapEffect(
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      yield* fs.makeDirectory(Path.dirname(filename), { recursive: true })
      return Sqlite.layer({ filename })
    })
  )
}

const sessionsLayer = (options: Options): Layer.Layer<Sessions.SessionStore, unknown, SqlClient.SqlClient> => {
  const filename = sqliteFile(options)
  switch (options.sessionEngine ?? "db") {
    case "db":
      // On SQLite the store's statements run on better-sqlite3 directly (its own connection to
      // the file); on PostgreSQL over the app's client.
      return filename !== undefined
        ? Sessions.layerSqlite({ filename })
        : Layer.effectDiscard(Sessions.migrate).pipe(Layer.provideMerge(Sessions.layerSql))
    case "cache":
      return options.redisUrl ? Sessions.layerRedis({ url: options.redisUrl }) : Sessions.layerMemory
    case "signed_cookies":
      return Sessions.layerSignedCookies
    default:
      return Layer.fail(
        new Errors.ImproperlyConfigured({ message: "SESSION_ENGINE must be db, cache or signed_cookies" })
      )
  }
}

/** The tables created when missing, and `alice` (password `wonderland`) when she is not there. */
const setup = Effect.gen(function*() {
  yield* Auth.migrate
  yield* Db.migrate
  const users = yield* Auth.Users
  if (Option.isNone(yield* users.findByUsername("alice"))) {
    yield* users.create({ username: "alice", password: playground.ALICE_PASSWORD })
  }
})

/** The user store: on SQLite on better-sqlite3 directly, on PostgreSQL over the app's client. */
const usersLayer = (options: Options): Layer.Layer<Auth.Users, unknown, SqlClient.SqlClient> => {
  const filename = sqliteFile(options)
  return filename !== undefined ? Auth.layerSqlite({ filename }) : Auth.layerSql
}

/** The services of the app for `options`: migrated and seeded when built. */
export const layer = (options: Options): Layer.Layer<Services, unknown> =>
  Layer.effectDiscard(setup).pipe(
    Layer.provideMerge(Layer.mergeAll(sessionsLayer(options), usersLayer(options), Db.layer)),
    Layer.provideMerge(sqlLayer(options)),
    Layer.provideMerge(
      Layer.mergeAll(templatesLayer, Layer.succeed(Media, { root: Path.join(options.dataDir, "media") }))
    ),
    Layer.provideMerge(NodeFileSystem.layer)
  )

// ---------------------------------------------------------------------------
// With the playground
// ---------------------------------------------------------------------------

/** A path the playground answers (`/inspect/`, `/respond/`, `/session/`, ...; not `/`). */
const isPlayground = (request: HttpRequest.HttpRequest): boolean =>
  request.pathInfo !== "/" && Option.isSome(Resolver.resolveOption(playground.urls, request.pathInfo))

/**
 * What `npm start` serves: the app, and the playground (docs/Playground.md) on its own paths,
 * unchanged (its own middleware and JSON CSRF failure view), on the app's sessions and users.
 */
export const site = (
  services: Context.Context<Services>,
  options: { readonly fixedTime?: number | undefined } = {}
): View.View<never, Settings.Settings> => {
  const app = Handler.toView(handler)
  const other = playground.site({ stores: services, fixedTime: options.fixedTime })
  return (request) => {
    const answer: Effect.Effect<View.Response, never, Services | Settings.Settings> = isPlayground(request)
      ? other(request)
      : app(request)
    return Effect.provide(answer, services)
  }
}
