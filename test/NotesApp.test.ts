/**
 * The notes app (examples/notes/, docs/Notes.md) driven in process through `Client`, as a browser
 * would use it: every page of the contract (/work/notes/s6/NOTES-CONTRACT.md), sign-in (Django's
 * AuthenticationForm message, `next` followed only when `url_has_allowed_host_and_scheme`
 * allows it), sign-up (every UserCreationForm case Django 3.2 answered in
 * scripts/django/password_validation.py), search (a 400 for an over-long `q`), the note forms
 * (Django's CharField messages, values kept), attachments (upload, list, download as
 * `attachment`), delete with its confirmation, another user's note a 404, login-required
 * redirects, `never_cache` headers, the CSRF 403 page, the JSON endpoint, and the playground
 * still answering beside the app. Each group runs on a temporary DATA_DIR, removed afterwards.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Clock, Context, Effect, Layer, Schema } from "effect"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { defaults, handler, layer as appLayer, type Services, site } from "../examples/notes/app.js"
import { formatDatetime } from "../examples/notes/dates.js"
import { Client, type RequestFactory, Settings } from "../src/index.js"

class DataDir extends Context.Tag("test/DataDir")<DataDir, string>() {}

const settings = Settings.layer({ ...defaults, SECRET_KEY: "notes-app-test-key" })

/** The app's services on a fresh DATA_DIR, removed when the layer is released. */
const appOn = Layer.unwrapScoped(
  Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "notes-app-"))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  ).pipe(Effect.map((dataDir) => Layer.merge(appLayer({ dataDir }), Layer.succeed(DataDir, dataDir))))
).pipe(Layer.provideMerge(settings))

// ---------------------------------------------------------------------------
// Reading pages
// ---------------------------------------------------------------------------

/** The text of escaped HTML (Nunjucks writes `&#39;` and `&#92;`, Django `&#x27;`). */
const unescape = (s: string): string =>
  s.replace(
    /&(#x[0-9a-f]+|#\d+|quot|lt|gt|amp);/gi,
    (_, entity: string) =>
      entity.startsWith("#x") || entity.startsWith("#X")
        ? String.fromCodePoint(parseInt(entity.slice(2), 16))
        : entity.startsWith("#")
        ? String.fromCodePoint(Number(entity.slice(1)))
        : { quot: "\"", lt: "<", gt: ">", amp: "&" }[entity.toLowerCase()] ?? ""
  )

/** The messages of `<ul class="errorlist" id="errors-FIELD">`, by field. */
const fieldErrors = (html: string): Record<string, ReadonlyArray<string>> =>
  Object.fromEntries(
    [...html.matchAll(/<ul class="errorlist" id="errors-([\w]+)">(.*?)<\/ul>/gs)].map((m) => [
      m[1]!,
      [...m[2]!.matchAll(/<li>(.*?)<\/li>/gs)].map((li) => unescape(li[1]!))
    ])
  )

const nonFieldErrors = (html: string): ReadonlyArray<string> =>
  [...html.matchAll(/<ul class="errorlist nonfield">(.*?)<\/ul>/gs)].flatMap((m) =>
    [...m[1]!.matchAll(/<li>(.*?)<\/li>/gs)].map((li) => unescape(li[1]!))
  )

const inputValue = (html: string, id: string): string | undefined => {
  const tag = new RegExp(`<input[^>]*id="${id}"[^>]*>`).exec(html)?.[0]
  const value = tag === undefined ? undefined : /value="([^"]*)"/.exec(tag)?.[1]
  return value === undefined ? undefined : unescape(value)
}

const textareaValue = (html: string, id: string): string | undefined => {
  const m = new RegExp(`<textarea[^>]*id="${id}"[^>]*>(.*?)</textarea>`, "s").exec(html)
  return m === null ? undefined : unescape(m[1]!)
}

const tokenOf = (html: string): string => {
  const m = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html)
  if (m === null) throw new Error(`no CSRF token in the page:\n${html}`)
  return m[1]!
}

/** The page's well-formedness the contract asks for: lang, a title, one main, labels, CSRF in forms. */
const expectAccessiblePage = (html: string) => {
  expect(html.startsWith("<!doctype html>")).toBe(true)
  expect(html).toContain("<html lang=\"en\">")
  expect(html).toMatch(/<title>[^<]+<\/title>/)
  expect(html.match(/<main>/g)?.length).toBe(1)
  expect(html).not.toMatch(/<script/)
  for (const [, id] of html.matchAll(/<(?:input|textarea)[^>]*\sid="([^"]+)"/g)) {
    expect(html, `a label for #${id}`).toContain(`<label for="${id}">`)
  }
  const forms = [...html.matchAll(/<form[^>]*>(.*?)<\/form>/gs)]
  for (const form of forms.filter((f) => /method="post"/.test(f[0]))) {
    expect(form[1]).toContain("name=\"csrfmiddlewaretoken\"")
  }
}

const NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"

// ---------------------------------------------------------------------------
// Acting
// ---------------------------------------------------------------------------

/** Posts a form as a browser does: the page first, then the fields with the page's CSRF token. */
const submit = <R>(
  client: Client.Client<R>,
  page: string,
  fields: Readonly<Record<string, string>>,
  action: string = page
) =>
  Effect.flatMap(
    client.get(page),
    (form) => client.post(action, { form: { csrfmiddlewaretoken: tokenOf(form.text), ...fields } })
  )

/** The same with `multipart/form-data` (the note forms, uploads). */
const submitMultipart = <R>(
  client: Client.Client<R>,
  page: string,
  fields: Readonly<Record<string, RequestFactory.MultipartValue>>,
  action: string = page
) =>
  Effect.flatMap(
    client.get(page),
    (form) => client.post(action, { multipart: { csrfmiddlewaretoken: tokenOf(form.text), ...fields } })
  )

const signIn = <R>(client: Client.Client<R>, username = "alice", password = "wonderland") =>
  Effect.tap(
    submit(client, "/accounts/login/", { username, password }),
    (response) => expect(response.status, response.text).toBe(302)
  )

/** A signed-in client of a user made for the test (through the sign-up page). */
const newUser = (username: string) =>
  Effect.gen(function*() {
    const client = yield* Client.make(handler)
    const response = yield* submit(client, "/accounts/signup/", {
      username,
      password1: "sup3r-secret",
      password2: "sup3r-secret"
    })
    expect(response.status, response.text).toBe(302)
    return client
  })

/** Creates a note through the form; its id. */
const createNote = <R>(
  client: Client.Client<R>,
  fields: Readonly<Record<string, RequestFactory.MultipartValue>>
) =>
  Effect.gen(function*() {
    const response = yield* submitMultipart(client, "/notes/new/", fields)
    expect(response.status, response.text).toBe(302)
    const m = /^\/notes\/(\d+)\/$/.exec(response.headers["location"] ?? "")
    expect(m).not.toBeNull()
    return Number(m![1])
  })

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

layer(appOn)("notes app: pages and sign-in", (it) => {
  it.effect("GET / redirects to the list; the list redirects to sign-in with next", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(handler)
      const home = yield* client.get("/")
      expect([home.status, home.headers["location"]]).toEqual([302, "/notes/"])
      const list = yield* client.get("/notes/")
      expect([list.status, list.headers["location"]]).toEqual([302, "/accounts/login/?next=/notes/"])
    }))

  it.effect("the sign-in and sign-up pages: the contract's fields, labels, CSRF, no scripts", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(handler)
      const login = yield* client.get("/accounts/login/")
      expect(login.status).toBe(200)
      expect(login.headers["content-type"]).toBe("text/html; charset=utf-8")
      expectAccessiblePage(login.text)
      expect(login.text).toMatch(/<form method="post"/)
      expect(login.text).toMatch(/<input type="text" name="username" id="id_username"/)
      expect(login.text).toMatch(/<input type="password" name="password" id="id_password"/)
      expect(login.text).toContain("<input type=\"hidden\" name=\"next\"")
      expect(login.text).toContain("<button type=\"submit\">Sign in</button>")
      expect(login.text).toContain("<a id=\"signup-link\" href=\"/accounts/signup/\">")
      expect(login.text).not.toContain("id=\"whoami\"")
      expect(login.headers["cache-control"]).toBe(NEVER_CACHE)
      const signup = yield* client.get("/accounts/signup/")
      expect(signup.status).toBe(200)
      expectAccessiblePage(signup.text)
      for (const id of ["id_username", "id_password1", "id_password2"]) expect(signup.text).toContain(`id="${id}"`)
      expect(signup.text).toContain("<button type=\"submit\">Sign up</button>")
      expect(signup.text).toContain("Your password must contain at least 8 characters.")
    }))

  it.effect("a wrong password: 200, the form again with Django's AuthenticationForm message, username kept", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(handler)
      const response = yield* submit(client, "/accounts/login/", { username: "alice", password: "Wonderland" })
      expect(response.status).toBe(200)
      expect(nonFieldErrors(response.text)).toEqual([
        "Please enter a correct username and password. Note that both fields may be case-sensitive."
      ])
      expect(inputValue(response.text, "id_username")).toBe("alice")
      expect(inputValue(response.text, "id_password")).toBeUndefined()
      const unknown = yield* submit(client, "/accounts/login/", { username: "nobody", password: "wonderland" })
      expect(nonFieldErrors(unknown.text)).toHaveLength(1)
      // Still anonymous.
      expect((yield* client.get("/notes/")).status).toBe(302)
    }))

  it.effect("missing fields: Django's required message beside each", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(handler)
      const response = yield* submit(client, "/accounts/login/", { username: " ", password: "" })
      expect(response.status).toBe(200)
      expect(fieldErrors(response.text)).toEqual({
        username: ["This field is required."],
        password: ["This field is required."]
      })
      expect(nonFieldErrors(response.text)).toEqual([])
    }))

  it.effect("sign-in: 302 to LOGIN_REDIRECT_URL; the header shows the user and the sign-out form", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(handler)
      const response = yield* signIn(client)
      expect(response.headers["location"]).toBe("/notes/")
      const list = yield* client.get("/notes/")
      expect(list.status).toBe(200)
      expectAccessiblePage(list.text)
      expect(list.text).toContain("<span id=\"whoami\">alice</span>")
      expect(list.text).toMatch(
        /<form method="post" action="\/accounts\/logout\/" id="logout-form">.*<button type="submit">Sign out<\/button><\/form>/s
      )
    }))

  it.effect("next is followed when it stays on the site (Django's url_has_allowed_host_and_scheme), else /notes/", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["/notes/new/", "/notes/new/"],
        ["/notes/?q=a%20b", "/notes/?q=a%20b"],
        ["http://testserver/api/notes/", "http://testserver/api/notes/"],
        ["https://evil.example/", "/notes/"],
        ["//evil.example/", "/notes/"],
        ["///evil.example/", "/notes/"],
        ["javascript:alert(1)", "/notes/"],
        ["http:\\\\evil.example", "/notes/"],
        ["", "/notes/"]
      ]
      for (const [next, target] of cases) {
        const client = yield* Client.make(handler)
        const page = yield* client.get(`/accounts/login/?next=${encodeURIComponent(next)}`)
        expect(inputValue(page.text, "")).toBeUndefined()
        const hidden = /<input type="hidden" name="next" value="([^"]*)">/.exec(page.text)?.[1]
        expect(unescape(hidden ?? "-")).toBe(next)
        const response = yield* client.post(`/accounts/login/?next=${encodeURIComponent(next)}`, {
          form: { csrfmiddlewaretoken: tokenOf(page.text), username: "alice", password: "wonderland", next }
        })
        expect([next, response.status, response.headers["location"]]).toEqual([next, 302, target])
      }
    }))

  it.effect("the login-required redirect's next brings the user back", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(handler)
      const gate = yield* client.get("/notes/new/")
      expect(gate.headers["location"]).toBe("/accounts/login/?next=/notes/new/")
      const response = yield* submit(client, gate.headers["location"]!, {
        username: "alice",
        password: "wonderland",
        next: "/notes/new/"
      })
      expect(response.headers["location"]).toBe("/notes/new/")
    }))

  it.effect("sign-out: POST only (405 otherwise), 302 to sign-in, the pages closed again", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(handler)
      yield* signIn(client)
      const get = yield* client.get("/accounts/logout/")
      expect(get.status).toBe(405)
      expect(get.headers["allow"]).toBe("POST")
      const list = yield* client.get("/notes/")
      const out = yield* client.post("/accounts/logout/", { form: { csrfmiddlewaretoken: tokenOf(list.text) } })
      expect([out.status, out.headers["location"]]).toEqual([302, "/accounts/login/"])
      const after = yield* client.get("/notes/")
      expect([after.status, after.headers["location"]]).toEqual([302, "/accounts/login/?next=/notes/"])
    }))

  it.effect("a POST with a wrong CSRF token: Django's 403 page", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(handler)
      yield* client.get("/accounts/login/")
      const response = yield* client.post("/accounts/login/", {
        form: { csrfmiddlewaretoken: "x".repeat(64), username: "alice", password: "wonderland" }
      })
      expect(response.status).toBe(403)
      expect(response.text).toContain("<h1>Forbidden <span>(403)</span></h1>")
      expect(response.text).toContain("CSRF verification failed. Request aborted.")
      const noCookie = yield* (yield* Client.make(handler)).post("/notes/new/", { form: { title: "x" } })
      expect(noCookie.status).toBe(403)
    }))

  it.effect("unknown URLs: Django's 404 page; /static/notes.css is served", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(handler)
      const missing = yield* client.get("/nowhere/")
      expect(missing.status).toBe(404)
      expect(missing.text).toContain("<h1>Not Found</h1>")
      const css = yield* client.get("/static/notes.css")
      expect(css.status).toBe(200)
      expect(css.headers["content-type"]).toMatch(/^text\/css/)
      expect(css.text).toBe(readFileSync(new URL("../examples/notes/static/notes.css", import.meta.url), "utf8"))
      expect((yield* client.get("/static/../app.ts")).status).toBe(404)
    }))

  it.effect("the playground still answers beside the app (site()), on the app's sessions", () =>
    Effect.gen(function*() {
      // The app's services (the settings stay the client's, with testserver allowed).
      const services = Context.omit(Settings.Settings)(yield* Effect.context<Services | Settings.Settings>())
      const client = yield* Client.make(site(services))
      const inspect = yield* client.get("/inspect/a?x=1")
      expect(inspect.status).toBe(200)
      expect(inspect.headers["content-type"]).toBe("application/json")
      const whoami = yield* client.get("/whoami/")
      expect(yield* whoami.json(Schema.Struct({ is_authenticated: Schema.Boolean, username: Schema.String })))
        .toEqual({ is_authenticated: false, username: "" })
      // The app's pages through the same site.
      const home = yield* client.get("/")
      expect([home.status, home.headers["location"]], home.text).toEqual([302, "/notes/"])
      expect((yield* client.get("/accounts/login/")).status).toBe(200)
    }))
})

// ---------------------------------------------------------------------------
// Sign-up: Django's UserCreationForm, case by case
// ---------------------------------------------------------------------------

interface SignupCase {
  readonly data: Readonly<Record<string, string>>
  readonly valid: boolean
  readonly errors: Readonly<Record<string, ReadonlyArray<string>>>
  readonly username: string | null
}
const signupCases: ReadonlyArray<SignupCase> = JSON.parse(
  readFileSync(new URL("./fixtures/password_validation.json", import.meta.url), "utf8")
).signup

describe("notes app: sign-up answers as Django's UserCreationForm (scripts/django/password_validation.py)", () => {
  // Each case on a fresh DATA_DIR where only alice exists, as in the script.
  it.effect(`${signupCases.length} posted forms: the same errors beside the same fields, or the user made and signed in`, () =>
    Effect.forEach(signupCases, (c) =>
      Effect.gen(function*() {
        const client = yield* Client.make(handler)
        const response = yield* submit(client, "/accounts/signup/", c.data)
        const label = JSON.stringify(c.data)
        if (!c.valid) {
          expect(response.status, label).toBe(200)
          expect(fieldErrors(response.text), label).toEqual(c.errors)
          // The username is shown again, the passwords are not.
          if (c.data["username"] !== undefined) {
            expect(inputValue(response.text, "id_username")).toBe(c.data["username"])
          }
          expect(inputValue(response.text, "id_password1")).toBeUndefined()
          return
        }
        expect([response.status, response.headers["location"]], label).toEqual([302, "/notes/"])
        const list = yield* client.get("/notes/")
        expect(list.status).toBe(200)
        expect(list.text).toContain(`<span id="whoami">${c.username}</span>`)
        // The new user signs in again with the password (a pbkdf2_sha256 hash was stored).
        const again = yield* Client.make(handler)
        yield* signIn(again, c.username!, c.data["password1"]!)
      }).pipe(Effect.provide(appOn)), { discard: true }))
})

// ---------------------------------------------------------------------------
// Notes
// ---------------------------------------------------------------------------

layer(appOn)("notes app: notes", (it) => {
  it.effect("the list: no notes, then newest first; the search form; never_cache", () =>
    Effect.gen(function*() {
      const client = yield* newUser("lister")
      const empty = yield* client.get("/notes/")
      expect(empty.text).toContain("<p id=\"no-notes\">No notes.</p>")
      expect(empty.text).not.toContain("<ul id=\"notes\">")
      expect(empty.text).toMatch(/<form method="get"[^>]*role="search">/)
      expect(empty.text).toMatch(/<input type="search" name="q" id="id_q"/)
      expect(empty.text).toContain("<button type=\"submit\">Search</button>")
      expect(empty.text).toContain("<a id=\"new-note\" href=\"/notes/new/\">New note</a>")
      expect(empty.headers["cache-control"]).toBe(NEVER_CACHE)
      // Django's never_cache: Expires is the current time (max-age 0), as an RFC 1123 date.
      expect(empty.headers["expires"]).toBe(new Date(yield* Clock.currentTimeMillis).toUTCString())
      const first = yield* createNote(client, { title: "Shopping", body: "Milk, 100% butter" })
      const second = yield* createNote(client, { title: "Ideas <b>bold</b>", body: "A snake_case name" })
      const list = yield* client.get("/notes/")
      expect([...list.text.matchAll(/<li class="note"><a href="([^"]+)">([^<]*)<\/a><\/li>/g)].map((m) => [m[1], m[2]]))
        .toEqual([[`/notes/${second}/`, "Ideas &lt;b&gt;bold&lt;/b&gt;"], [`/notes/${first}/`, "Shopping"]])
    }))

  it.effect("search: case-insensitive substring of the title or the body; %, _ are literal; q kept in the box", () =>
    Effect.gen(function*() {
      const client = yield* newUser("searcher")
      const a = yield* createNote(client, { title: "Garden", body: "Plant TOMATOES in May" })
      const b = yield* createNote(client, { title: "tomato soup", body: "50% water" })
      const c = yield* createNote(client, { title: "Other", body: "snake_case" })
      const hits = (q: string) =>
        Effect.map(
          client.get("/notes/", { query: { q } }),
          (r) => [...r.text.matchAll(/<li class="note"><a href="\/notes\/(\d+)\/">/g)].map((m) => Number(m[1]))
        )
      expect(yield* hits("tomato")).toEqual([b, a])
      expect(yield* hits("TOMATO")).toEqual([b, a])
      expect(yield* hits("garden")).toEqual([a])
      expect(yield* hits("%")).toEqual([b])
      expect(yield* hits("_")).toEqual([c])
      expect(yield* hits("e_c")).toEqual([c])
      expect(yield* hits("x%")).toEqual([])
      expect(yield* hits("")).toEqual([c, b, a])
      const page = yield* client.get("/notes/", { query: { q: "nothing \"here\"" } })
      expect(page.text).toContain("<p id=\"no-notes\">No notes.</p>")
      expect(inputValue(page.text, "id_q")).toBe("nothing \"here\"")
    }))

  it.effect("search: q over 100 characters is a 400 through the handler", () =>
    Effect.gen(function*() {
      const client = yield* newUser("longq")
      expect((yield* client.get("/notes/", { query: { q: "x".repeat(100) } })).status).toBe(200)
      const response = yield* client.get("/notes/", { query: { q: "x".repeat(101) } })
      expect(response.status).toBe(400)
      expect(response.text).toContain("<h1>Bad Request (400)</h1>")
      expect((yield* client.get("/api/notes/", { query: { q: "x".repeat(101) } })).status).toBe(400)
    }))

  it.effect("create: the form; errors beside the fields with Django's messages, the values kept", () =>
    Effect.gen(function*() {
      const client = yield* newUser("writer")
      const form = yield* client.get("/notes/new/")
      expect(form.status).toBe(200)
      expectAccessiblePage(form.text)
      expect(form.text).toMatch(/<form method="post" enctype="multipart\/form-data">/)
      expect(form.text).toMatch(/<input type="text" name="title" id="id_title"[^>]*required/)
      expect(form.text).toMatch(/<textarea name="body" id="id_body"/)
      expect(form.text).toMatch(/<input type="file" name="attachment" id="id_attachment"/)
      expect(form.text).toContain("<button type=\"submit\">Save</button>")
      expect(form.headers["cache-control"]).toBe(NEVER_CACHE)

      const blank = yield* submitMultipart(client, "/notes/new/", { title: "   ", body: "kept <body>" })
      expect(blank.status).toBe(200)
      expect(fieldErrors(blank.text)).toEqual({ title: ["This field is required."] })
      expect(textareaValue(blank.text, "id_body")).toBe("kept <body>")

      const missing = yield* submitMultipart(client, "/notes/new/", { body: "b" })
      expect(fieldErrors(missing.text)).toEqual({ title: ["This field is required."] })

      const long = "é".repeat(201)
      const tooLong = yield* submitMultipart(client, "/notes/new/", { title: long, body: "x".repeat(10_001) })
      expect(fieldErrors(tooLong.text)).toEqual({
        title: ["Ensure this value has at most 200 characters (it has 201)."],
        body: ["Ensure this value has at most 10000 characters (it has 10001)."]
      })
      expect(inputValue(tooLong.text, "id_title")).toBe(long)

      const empty = yield* submitMultipart(client, "/notes/new/", {
        title: "With an empty file",
        attachment: { name: "empty.txt", content: "", contentType: "text/plain" }
      })
      expect(fieldErrors(empty.text)).toEqual({ attachment: ["The submitted file is empty."] })
      expect(inputValue(empty.text, "id_title")).toBe("With an empty file")

      // 200 characters (code points) pass; the title is stripped as Django's CharField strips it.
      const ok = yield* createNote(client, { title: `  ${"é".repeat(200)}  `, body: "" })
      const detail = yield* client.get(`/notes/${ok}/`)
      expect(detail.text).toContain(`<h1 id="note-title">${"é".repeat(200)}</h1>`)
    }))

  it.effect("detail: title, body, attachments, upload form, edit and delete links", () =>
    Effect.gen(function*() {
      const client = yield* newUser("reader")
      const id = yield* createNote(client, {
        title: "Trip",
        body: "Line 1\n<script>alert(1)</script>",
        attachment: { name: "plan.txt", content: "day 1: beach\n", contentType: "text/plain" }
      })
      const detail = yield* client.get(`/notes/${id}/`)
      expect(detail.status).toBe(200)
      expectAccessiblePage(detail.text)
      expect(detail.text).toContain("<h1 id=\"note-title\">Trip</h1>")
      expect(detail.text).toContain("<div id=\"note-body\">Line 1\n&lt;script&gt;alert(1)&lt;/script&gt;</div>")
      const links = [...detail.text.matchAll(/<li><a class="attachment" href="([^"]+)">([^<]+)<\/a>/g)]
      expect(links.map((m) => m[2])).toEqual(["plan.txt"])
      expect(links[0]![1]).toMatch(new RegExp(`^/notes/${id}/attachments/\\d+/$`))
      expect(detail.text).toContain(
        `<form method="post" enctype="multipart/form-data" action="/notes/${id}/attachments/" id="upload-form">`
      )
      expect(detail.text).toMatch(/<input type="file" name="file" id="id_file"/)
      expect(detail.text).toContain("<button type=\"submit\">Upload</button>")
      expect(detail.text).toContain(`<a id="edit-note" href="/notes/${id}/edit/">`)
      expect(detail.text).toContain(`<a id="delete-note" href="/notes/${id}/delete/">`)
      expect(detail.headers["cache-control"]).toBe(NEVER_CACHE)
      // The creation time as Django shows a datetime (`DATETIME_FORMAT`, UTC), ISO in `datetime`.
      const time = /<p class="meta">Created <time datetime="([^"]+)">([^<]+)<\/time><\/p>/.exec(detail.text)
      expect(time, detail.text).not.toBeNull()
      expect(time![2]).toBe(formatDatetime(new Date(time![1]!)))
      expect(time![2]).toMatch(/^[A-Z][a-z]+\.? \d{1,2}, \d{4}, (midnight|noon|\d{1,2}(:\d\d)? [ap]\.m\.)$/)
      expect((yield* client.get(`/notes/${id + 1000}/`)).status).toBe(404)
    }))

  it.effect("upload, list, download: the original name in Content-Disposition, the type guessed from it", () =>
    Effect.gen(function*() {
      const client = yield* newUser("uploader")
      const id = yield* createNote(client, { title: "Files" })
      const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256)
      const upload = (name: string, content: string | Uint8Array, contentType: string) =>
        submitMultipart(client, `/notes/${id}/`, { file: { name, content, contentType } }, `/notes/${id}/attachments/`)
      const attachmentsDir = join(yield* DataDir, "media", "attachments")
      const storedBefore = new Set(existsSync(attachmentsDir) ? readdirSync(attachmentsDir) : [])
      const first = yield* upload("report.pdf", bytes, "application/pdf")
      expect([first.status, first.headers["location"]]).toEqual([302, `/notes/${id}/`])
      yield* upload("résumé notes.txt", "héllo\n", "text/plain")
      yield* upload("data.json", "{\"a\": 1}", "application/json")
      const detail = yield* client.get(`/notes/${id}/`)
      const links = [...detail.text.matchAll(/<li><a class="attachment" href="([^"]+)">([^<]+)<\/a>/g)]
      expect(links.map((m) => m[2])).toEqual(["report.pdf", "résumé notes.txt", "data.json"])

      const pdf = yield* client.get(links[0]![1]!)
      expect(pdf.status).toBe(200)
      expect(pdf.headers["content-disposition"]).toBe("attachment; filename=\"report.pdf\"")
      expect(pdf.headers["content-type"]).toBe("application/pdf")
      expect(pdf.headers["content-length"]).toBe(String(bytes.length))
      expect(pdf.body).toEqual(bytes)
      expect(pdf.headers["cache-control"]).toBe(NEVER_CACHE)
      const txt = yield* client.get(links[1]![1]!)
      expect(txt.headers["content-disposition"]).toBe("attachment; filename*=utf-8''r%C3%A9sum%C3%A9%20notes.txt")
      expect(txt.headers["content-type"]).toBe("text/plain")
      expect(txt.text).toBe("héllo\n")
      const json = yield* client.get(links[2]![1]!)
      expect(json.headers["content-type"]).toBe("application/json")

      // The files are under DATA_DIR/media/attachments/.
      const stored = readdirSync(attachmentsDir).filter((f) => !storedBefore.has(f))
      // One file per upload of this test, under a fresh name keeping the extension.
      expect(stored.map((f) => f.slice(f.lastIndexOf("."))).sort()).toEqual([".json", ".pdf", ".txt"])

      // A filename whose HTML entities decode to CR/LF (Django's parser decodes them): the shown
      // name loses its control characters, so its download still answers (no BadHeaderError).
      yield* upload("bad&#13;&#10;X-Evil: 1.txt", "x", "text/plain")
      const again = yield* client.get(`/notes/${id}/`)
      const last = [...again.text.matchAll(/<li><a class="attachment" href="([^"]+)">([^<]+)<\/a>/g)].at(-1)!
      expect(last[2]).toBe("badX-Evil: 1.txt")
      const bad = yield* client.get(last[1]!)
      expect(bad.status).toBe(200)
      expect(bad.headers["content-disposition"]).toBe("attachment; filename=\"badX-Evil: 1.txt\"")
      expect(bad.headers["x-evil"]).toBeUndefined()

      // Nothing to upload, or an empty file: the detail page with the error beside the field.
      const none = yield* client.post(`/notes/${id}/attachments/`, {
        multipart: { csrfmiddlewaretoken: tokenOf(detail.text) }
      })
      expect(none.status).toBe(200)
      // Django 3.2's FileField answers "This field is required." when FILES has no file.
      expect(fieldErrors(none.text)).toEqual({ file: ["This field is required."] })
      const empty = yield* upload("empty.bin", "", "application/octet-stream")
      expect(fieldErrors(empty.text)).toEqual({ file: ["The submitted file is empty."] })
      expect((yield* client.get(`/notes/${id}/attachments/`)).status).toBe(405)
      expect((yield* client.get(`/notes/${id}/attachments/999999/`)).status).toBe(404)
    }))

  it.effect("edit: the form filled; errors keep the values; saved, back to the detail", () =>
    Effect.gen(function*() {
      const client = yield* newUser("editor")
      const id = yield* createNote(client, { title: "Draft", body: "first version" })
      const form = yield* client.get(`/notes/${id}/edit/`)
      expect(form.status).toBe(200)
      expectAccessiblePage(form.text)
      expect(inputValue(form.text, "id_title")).toBe("Draft")
      expect(textareaValue(form.text, "id_body")).toBe("first version")
      const bad = yield* submitMultipart(client, `/notes/${id}/edit/`, { title: "", body: "second version" })
      expect(bad.status).toBe(200)
      expect(fieldErrors(bad.text)).toEqual({ title: ["This field is required."] })
      expect(textareaValue(bad.text, "id_body")).toBe("second version")
      expect(form.text).toMatch(/<input type="file" name="attachment" id="id_attachment"/)
      const saved = yield* submitMultipart(client, `/notes/${id}/edit/`, {
        title: "Final",
        body: "second version",
        attachment: { name: "added.txt", content: "added on edit", contentType: "text/plain" }
      })
      expect([saved.status, saved.headers["location"]]).toEqual([302, `/notes/${id}/`])
      const detail = yield* client.get(`/notes/${id}/`)
      expect(detail.text).toContain("<h1 id=\"note-title\">Final</h1>")
      expect(detail.text).toContain("<div id=\"note-body\">second version</div>")
      expect([...detail.text.matchAll(/<a class="attachment" href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1])).toEqual([
        "added.txt"
      ])
    }))

  it.effect("delete: a confirmation page; the POST deletes the note and its files, 302 to the list", () =>
    Effect.gen(function*() {
      const client = yield* newUser("deleter")
      const id = yield* createNote(client, {
        title: "Temporary",
        attachment: { name: "gone.txt", content: "bye", contentType: "text/plain" }
      })
      const media = join(yield* DataDir, "media", "attachments")
      const before = new Set(readdirSync(media))
      const confirm = yield* client.get(`/notes/${id}/delete/`)
      expect(confirm.status).toBe(200)
      expectAccessiblePage(confirm.text)
      expect(confirm.text).toMatch(/<form method="post" id="delete-form">.*<button type="submit">Delete<\/button>/s)
      // A GET deletes nothing.
      expect((yield* client.get(`/notes/${id}/`)).status).toBe(200)
      const deleted = yield* client.post(`/notes/${id}/delete/`, {
        form: { csrfmiddlewaretoken: tokenOf(confirm.text) }
      })
      expect([deleted.status, deleted.headers["location"]]).toEqual([302, "/notes/"])
      expect((yield* client.get(`/notes/${id}/`)).status).toBe(404)
      const after = new Set(readdirSync(media))
      expect([...before].filter((f) => !after.has(f))).toHaveLength(1)
      expect(existsSync(media)).toBe(true)
    }))

  it.effect("another user's note and its attachments: 404 on every page, nothing changed", () =>
    Effect.gen(function*() {
      const owner = yield* newUser("owner")
      const id = yield* createNote(owner, {
        title: "Private",
        attachment: { name: "secret.txt", content: "s3cret", contentType: "text/plain" }
      })
      const detail = yield* owner.get(`/notes/${id}/`)
      const download = /<a class="attachment" href="([^"]+)">/.exec(detail.text)![1]!
      const other = yield* newUser("intruder")
      const token = tokenOf((yield* other.get("/notes/")).text)
      for (const path of [`/notes/${id}/`, `/notes/${id}/edit/`, `/notes/${id}/delete/`, download]) {
        expect([path, (yield* other.get(path)).status]).toEqual([path, 404])
      }
      expect((yield* other.post(`/notes/${id}/delete/`, { form: { csrfmiddlewaretoken: token } })).status).toBe(404)
      expect(
        (yield* other.post(`/notes/${id}/edit/`, { multipart: { csrfmiddlewaretoken: token, title: "Mine" } })).status
      ).toBe(404)
      expect(
        (yield* other.post(`/notes/${id}/attachments/`, {
          multipart: { csrfmiddlewaretoken: token, file: { name: "x.txt", content: "x", contentType: "text/plain" } }
        })).status
      ).toBe(404)
      expect((yield* other.get("/notes/")).text).toContain("<p id=\"no-notes\">No notes.</p>")
      const still = yield* owner.get(`/notes/${id}/`)
      expect(still.text).toContain("<h1 id=\"note-title\">Private</h1>")
      expect([...still.text.matchAll(/class="attachment"/g)]).toHaveLength(1)
    }))

  it.effect("every signed-in page redirects an anonymous visitor to sign-in with next", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(handler)
      for (
        const path of [
          "/notes/",
          "/notes/new/",
          "/notes/1/",
          "/notes/1/edit/",
          "/notes/1/delete/",
          "/notes/1/attachments/1/"
        ]
      ) {
        const response = yield* client.get(path)
        expect([path, response.status, response.headers["location"]]).toEqual([
          path,
          302,
          `/accounts/login/?next=${path}`
        ])
      }
      const search = yield* client.get("/notes/?q=a b")
      expect(search.headers["location"]).toBe("/accounts/login/?next=/notes/%3Fq%3Da%2520b")
    }))

  it.effect("the JSON endpoint: the user's notes (ISO 8601 times, an attachment count), q; 403 when signed out", () =>
    Effect.gen(function*() {
      const anonymous = yield* Client.make(handler)
      const refused = yield* anonymous.get("/api/notes/")
      expect(refused.status).toBe(403)
      expect(refused.headers["content-type"]).toBe("application/json")
      expect(yield* refused.json()).toEqual({ error: "not authenticated" })

      const client = yield* newUser("jsonuser")
      const a = yield* createNote(client, {
        title: "Alpha",
        body: "first",
        attachment: { name: "a.txt", content: "a", contentType: "text/plain" }
      })
      const b = yield* createNote(client, { title: "Beta", body: "second" })
      const NoteJson = Schema.Struct({
        id: Schema.Number,
        title: Schema.String,
        body: Schema.String,
        created: Schema.String,
        updated: Schema.String,
        attachments: Schema.Number
      })
      const Body = Schema.Struct({ notes: Schema.Array(NoteJson) })
      const all = yield* (yield* client.get("/api/notes/")).json(Body)
      expect(all.notes.map((n) => [n.id, n.title, n.body, n.attachments])).toEqual([
        [b, "Beta", "second", 0],
        [a, "Alpha", "first", 1]
      ])
      for (const note of all.notes) {
        expect(note.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
        expect(new Date(note.updated).getTime()).toBeGreaterThanOrEqual(new Date(note.created).getTime())
      }
      const found = yield* (yield* client.get("/api/notes/", { query: { q: "FIRST" } })).json(Body)
      expect(found.notes.map((n) => n.id)).toEqual([a])
    }))
})

describe("notes app: dates as Django shows a datetime", () => {
  // Django 3.2 (`/usr/bin/python3`), `USE_TZ=True`, `TIME_ZONE="UTC"`: `{{ d }}` rendered by a
  // template Engine, equal to `django.utils.dateformat.format(d, "N j, Y, P")` (DATETIME_FORMAT).
  const django: ReadonlyArray<readonly [string, string]> = [
    ["2026-12-06T13:38:00Z", "Dec. 6, 2026, 1:38 p.m."],
    ["2026-01-01T00:00:00Z", "Jan. 1, 2026, midnight"],
    ["2026-03-15T12:00:00Z", "March 15, 2026, noon"],
    ["2026-09-30T23:59:59Z", "Sept. 30, 2026, 11:59 p.m."],
    ["2026-05-02T00:05:00Z", "May 2, 2026, 12:05 a.m."],
    ["2026-06-07T12:30:00Z", "June 7, 2026, 12:30 p.m."],
    ["2026-07-04T01:00:00Z", "July 4, 2026, 1 a.m."],
    ["2026-02-28T11:59:00Z", "Feb. 28, 2026, 11:59 a.m."],
    ["2026-04-09T09:07:00Z", "April 9, 2026, 9:07 a.m."],
    ["2026-08-31T18:00:00Z", "Aug. 31, 2026, 6 p.m."],
    ["2026-10-10T10:10:00Z", "Oct. 10, 2026, 10:10 a.m."],
    ["2026-11-11T12:00:01Z", "Nov. 11, 2026, noon"]
  ]

  it("N j, Y, P in UTC, as Django's DATETIME_FORMAT", () => {
    expect(django.map(([iso]) => formatDatetime(new Date(iso)))).toEqual(django.map(([, shown]) => shown))
  })
})
