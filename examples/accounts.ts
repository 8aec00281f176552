/**
 * Part 2 of the playground (docs/Playground.md): `/session/`, `/csrf/`, `/login/`, `/logout/`,
 * `/whoami/`, `/resolve/<path>` and `/reverse/`. Each answers as the same view written with
 * Django 3.2 (`scripts/django/playground/playground/views.py`) does, which
 * `test/Playground.diff.test.ts` checks.
 */
import { Effect, Option } from "effect"
import { Auth, Csrf, HttpResponse, Resolver, Sessions, Urls } from "../src/index.js"
import type { View } from "../src/index.js"
import { get, getList } from "./compat.js"
import { Dict, dumps, type Json, pyInt } from "./playground.js"

const jsonResponse = (value: Json, status = 200) =>
  HttpResponse.make({ content: dumps(value), contentType: "application/json", status })

/** Python's `str.partition(":")`, the parts before and after. */
const split = (s: string): readonly [string, string] => {
  const i = s.indexOf(":")
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + 1)]
}

/** A session value (or any JSON-like value) as the playground's ordered JSON. */
const toJson = (value: unknown): Json => {
  if (value === null || value === undefined) return null
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value
  if (Array.isArray(value)) return value.map(toJson)
  if (typeof value === "object") return new Dict(Object.entries(value).map(([k, v]) => [k, toJson(v)] as const))
  return String(value)
}

/** Python's string order: by code point (JavaScript's `<` compares UTF-16 code units). */
export const byCodePoint = (a: string, b: string): number => {
  const x = Array.from(a)
  const y = Array.from(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!
    if (d !== 0) return d
  }
  return x.length - y.length
}

// ---------------------------------------------------------------------------
// /session/
// ---------------------------------------------------------------------------

/** `ANY /session/`: the query's operations on `request.session`, then its state. */
export const session: View.View<unknown, Sessions.Session> = (request) =>
  Effect.gen(function*() {
    const q = yield* request.GET
    if (get(q, "flush") === "1") yield* Sessions.flush
    if (get(q, "cycle") === "1") yield* Sessions.cycleKey
    for (const item of getList(q, "set")) {
      const [k, v] = split(item)
      yield* Sessions.set(k, v)
    }
    for (const item of getList(q, "setint")) {
      const [k, n] = split(item)
      yield* Sessions.set(k, yield* pyInt(n))
    }
    for (const k of getList(q, "pop")) yield* Sessions.pop(k)
    const expiry = get(q, "expiry")
    if (expiry !== undefined) yield* Sessions.setExpiry(expiry === "none" ? null : yield* pyInt(expiry))
    if (get(q, "test_cookie") === "1") yield* Sessions.setTestCookie

    const items = [...(yield* Sessions.items)].sort(([a], [b]) => byCodePoint(a, b))
    return yield* jsonResponse(
      new Dict([
        ["items", items.map(([k, v]): Json => [k, toJson(v)])],
        ["modified", yield* Sessions.modified],
        ["is_empty", yield* Sessions.isEmpty],
        ["expiry_age", yield* Sessions.getExpiryAge],
        ["browser_close", yield* Sessions.getExpireAtBrowserClose],
        ["test_cookie_worked", yield* Sessions.testCookieWorked]
      ])
    )
  })

// ---------------------------------------------------------------------------
// /csrf/, /login/, /logout/, /whoami/
// ---------------------------------------------------------------------------

/** `GET|POST /csrf/`: a token on GET; `{"ok": true}` for any other method that passed the check. */
export const csrf: View.View<unknown, Csrf.CsrfToken> = (request) =>
  request.method === "GET"
    ? Effect.flatMap(Csrf.getToken, (token) => jsonResponse(new Dict([["token", token]])))
    : jsonResponse(new Dict([["ok", true]]))

/** The site's `CSRF_FAILURE_VIEW`: 403 `{"csrf_failure": REASON}`. */
export const csrfFailure: Csrf.FailureViewFn = (_request, reason) =>
  Effect.orDie(jsonResponse(new Dict([["csrf_failure", reason]]), 403))

/** `POST /login/`: `authenticate` with the form's `username` and `password`, then `login`. */
export const login: View.View<unknown, Sessions.Session | Auth.Users> = (request) =>
  Effect.gen(function*() {
    const post = yield* request.POST
    const user = yield* Auth.authenticate(get(post, "username") ?? null, get(post, "password") ?? null)
    if (Option.isNone(user)) return yield* jsonResponse(new Dict([["login", null]]))
    yield* Auth.login(user.value)
    return yield* jsonResponse(new Dict([["login", user.value.username]]))
  })

/** `POST /logout/`. */
export const logout: View.View<unknown, Sessions.Session> = () =>
  Effect.zipRight(Auth.logout, jsonResponse(new Dict([["logout", true]])))

/** `GET /whoami/`: `request.user`. */
export const whoami: View.View<unknown, Auth.RequestUser> = () =>
  Effect.flatMap(Auth.user, (user) =>
    jsonResponse(
      new Dict([
        ["is_authenticated", Auth.isAuthenticated(user)],
        ["username", user.username]
      ])
    ))

// ---------------------------------------------------------------------------
// /resolve/<path>, /reverse/ on a fixed URLconf
// ---------------------------------------------------------------------------

const view: View.View = () => HttpResponse.make({ content: "" })

/** Django's `FourDigitYear` of the URL documentation, registered as `yyyy`. */
const yyyy = Urls.converter({
  regex: "[0-9]{4}",
  toPython: (value: string) => Option.some(Number.parseInt(value, 10)),
  toUrl: (value: unknown) => {
    const n = Number.parseInt(String(value).trim(), 10)
    return Number.isNaN(n)
      ? Option.none()
      : Option.some(n < 0 ? "-" + String(-n).padStart(3, "0") : String(n).padStart(4, "0"))
  }
})
const { path } = Urls.withConverters({ yyyy })

const articles = [
  path("", view, { name: "index" }),
  path("<yyyy:year>/", view, { name: "year" }),
  path("<yyyy:year>/<int:month>/", view, { name: "month" }),
  path("<yyyy:year>/<int:month>/<slug:slug>/", view, { name: "detail" })
]

/** The fixed URLconf `/resolve/` and `/reverse/` use (docs/Playground.md). */
export const fixedUrls = Urls.make([
  path("", view, { name: "home" }),
  path("articles/", Urls.include(articles, { appName: "articles" })),
  path("archive/", Urls.include(articles, { appName: "articles", namespace: "archive" })),
  path("users/<int:id>/", view, { name: "user" }),
  path("users/<str:username>/", view, { name: "user-by-name" }),
  path("files/<path:rest>", view, { name: "file" }),
  path("items/<uuid:uid>/", view, { name: "item" }),
  Urls.rePath("^legacy/(?P<code>[a-z]{3})-(\\d+)/$", view, { name: "legacy" }),
  Urls.rePath("^old/(\\d+)/(\\d+)/$", view, { name: "old" }),
  path(
    "api/",
    Urls.include([path("v1/<int:pk>/", view, { name: "v1" }), path("v1/", view, { name: "v1-root" })])
  ),
  path("dup/", view, { name: "dup" }),
  path("dup2/", view, { name: "dup" }),
  path("café/", view, { name: "cafe" })
])

/** `GET /resolve/<path>`: the `ResolverMatch` of `/<path>` in the fixed URLconf, or 404. */
export const resolve: View.View<unknown> = (request) => {
  const target = request.pathInfo.slice("/resolve".length)
  const outcome = Resolver.resolve(fixedUrls, target)
  if (outcome._tag === "Left") {
    return outcome.left._tag === "Resolver404"
      ? jsonResponse(new Dict([["error", "Resolver404"]]), 404)
      : Effect.fail(outcome.left)
  }
  const m = outcome.right
  return jsonResponse(
    new Dict([
      ["url_name", m.urlName],
      ["app_name", m.appName],
      ["app_names", [...m.appNames]],
      ["namespace", m.namespace],
      ["namespaces", [...m.namespaces]],
      ["view_name", m.viewName],
      ["route", m.route],
      ["args", m.args.map(toJson)],
      ["kwargs", new Dict(Object.entries(m.kwargs).map(([k, v]) => [k, toJson(v)] as const))]
    ])
  )
}

/** `GET /reverse/?name=...&arg=...&kw=k:v&current_app=...`. */
export const reverse: View.View<unknown> = (request) =>
  Effect.gen(function*() {
    const q = yield* request.GET
    const args = getList(q, "arg")
    const kwargs = Object.fromEntries(getList(q, "kw").map(split))
    const currentApp = get(q, "current_app")
    const outcome = Resolver.reverseDynamic(fixedUrls, get(q, "name") ?? "", {
      ...(args.length > 0 ? { args } : {}),
      ...(Object.keys(kwargs).length > 0 ? { kwargs } : {}),
      ...(currentApp !== undefined ? { currentApp } : {})
    })
    if (outcome._tag === "Right") return yield* jsonResponse(new Dict([["url", outcome.right]]))
    if (outcome.left._tag === "NoReverseMatch") return yield* jsonResponse(new Dict([["error", "NoReverseMatch"]]))
    return yield* Effect.fail(outcome.left)
  })
