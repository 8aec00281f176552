/**
 * A site served from a URLconf (Django 3.2's `ROOT_URLCONF` through `BaseHandler`):
 * - `request.resolver_match` is set before the `process_view` hooks run, and the view reads it;
 * - a path that resolves nowhere is a 404 before any `process_view` (V48, V55);
 * - `request.urlconf` set by a middleware replaces the root URLconf for that request (V55);
 * - `reverse` inside a view uses the URLconf in effect and the script prefix;
 * - `CommonMiddleware`'s APPEND_SLASH redirects with 301 when only the slashed path resolves (V56).
 */
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { Client, Common, Handler, HttpResponse, Middleware, Resolver, Settings, Urls, View } from "../src/index.js"

const describeMatch: View.View<unknown, Resolver.ResolverMatch> = () =>
  Effect.flatMap(Resolver.ResolverMatch, (match) =>
    HttpResponse.json({
      urlName: match.urlName,
      route: match.route,
      kwargs: match.kwargs,
      args: match.args,
      namespace: match.namespace,
      viewName: match.viewName
    }))

const reversing: View.View<unknown, Resolver.Urlconf> = () =>
  Effect.flatMap(
    Resolver.reverseCurrent("articles:detail", { kwargs: { year: 2024, slug: "hello" } }),
    (url) => HttpResponse.make({ content: url })
  )

const articles = [
  Urls.path("<int:year>/<slug:slug>/", describeMatch, { name: "detail" }),
  Urls.path("reverse/", reversing, { name: "reverse" })
]

const urls = Urls.make([
  Urls.path("", describeMatch, { name: "home" }),
  Urls.path("articles/", Urls.include(articles, { appName: "articles" })),
  Urls.rePath("^legacy/(\\d+)/$", describeMatch, { name: "legacy" })
])

const other = Urls.make([Urls.path("", () => HttpResponse.make({ content: "the other URLconf" }))])

describe("Handler with a URLconf", () => {
  it.effect("resolves pathInfo; the view reads the ResolverMatch", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(Handler.make({ urls }))
      const detail = yield* (yield* client.get("/articles/02024/hello/")).json()
      expect(detail).toEqual({
        urlName: "detail",
        route: "articles/<int:year>/<slug:slug>/",
        kwargs: { year: 2024, slug: "hello" },
        args: [],
        namespace: "articles",
        viewName: "articles:detail"
      })
      const legacy = yield* (yield* client.get("/legacy/42/")).json()
      expect(legacy).toMatchObject({ args: ["42"], kwargs: {}, urlName: "legacy" })
    }))

  it.effect("process_view sees the match; a miss is a 404 that reaches no process_view", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const watcher = Middleware.make({
        processView: (_request, resolved) =>
          Effect.sync(() => {
            seen.push(`${resolved.match?.viewName} ${JSON.stringify(resolved.kwargs)}`)
            return Option.none()
          })
      })
      const client = yield* Client.make(Handler.make({ middleware: watcher, urls }))
      expect((yield* client.get("/articles/1999/x/")).status).toBe(200)
      const miss = yield* client.get("/nowhere/")
      expect(miss.status).toBe(404)
      expect(seen).toEqual(["articles:detail {\"year\":1999,\"slug\":\"x\"}"])
    }))

  it.effect("with DEBUG, the 404 page says which patterns were tried, as Django's technical 404 does", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(Handler.make({ urls }))
      const miss = yield* client.get("/nowhere/")
      expect(miss.status).toBe(404)
      expect(miss.text).toContain("The current path, nowhere/, didn&#x27;t match any of these.")
    }).pipe(Effect.provide(Settings.layer({ DEBUG: true }))))

  it.effect("a middleware's request.urlconf replaces the root URLconf for that request", () =>
    Effect.gen(function*() {
      const perRequest = Middleware.make((request, getResponse) =>
        request.GET.pipe(
          Effect.flatMap((q) =>
            q.toString() === ""
              ? getResponse(request)
              : Resolver.setUrlconf(other).stack[0]!.call!(request, getResponse)
          ),
          Effect.orDie
        )
      )
      const client = yield* Client.make(Handler.make({ middleware: Resolver.setUrlconf(other), urls }))
      expect((yield* client.get("/")).text).toBe("the other URLconf")
      expect((yield* client.get("/articles/1/x/")).status).toBe(404)
      expect(perRequest.stack.length).toBe(1)
    }))

  it.effect("reverse in a view uses the URLconf in effect and the script prefix", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(Handler.make({ urls }))
      expect((yield* client.get("/articles/reverse/")).text).toBe("/articles/2024/hello/")
    }))

  it.effect("CommonMiddleware: APPEND_SLASH answers 301 to the slashed URL before any view runs", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(Handler.make({ middleware: Common.commonMiddleware(urls), urls }))
      const response = yield* client.get("/articles/2024/hello?x=1")
      expect(response.status).toBe(301)
      expect(response.headers["location"]).toBe("/articles/2024/hello/?x=1")
      const followed = yield* client.get("/articles/2024/hello", { follow: true })
      expect(followed.redirectChain).toEqual([["/articles/2024/hello/", 301]])
      expect(followed.status).toBe(200)
    }))

  it.effect("a platform HttpRouter mounted under a path of the URLconf; its unknown routes are the site's 404", () =>
    Effect.gen(function*() {
      const router = HttpRouter.empty.pipe(
        HttpRouter.get("/api/ping", HttpServerResponse.text("pong")),
        HttpRouter.get(
          "/api/users/:id",
          Effect.map(HttpRouter.params, (p) => HttpServerResponse.text(`user ${p["id"]}`))
        )
      )
      const mounted = Urls.make([
        Urls.path("", describeMatch, { name: "home" }),
        Urls.rePath("^api/", Handler.fromHttpApp(router))
      ])
      const stamp = Middleware.make((request, getResponse) =>
        Effect.flatMap(getResponse(request), (r) => View.setHeader(r, "X-Site", "1"))
      )
      const client = yield* Client.make(Handler.make({ middleware: stamp, urls: mounted }))
      const ping = yield* client.get("/api/ping")
      expect([ping.status, ping.text, ping.headers["x-site"]]).toEqual([200, "pong", "1"])
      expect((yield* client.get("/api/users/7")).text).toBe("user 7")
      const missing = yield* client.get("/api/nothing")
      expect([missing.status, missing.headers["x-site"]]).toEqual([404, "1"])
      expect(missing.text).toContain("The requested resource was not found on this server.")
    }))

  it.effect("pathWith: the view gets the route's values typed by its converters", () =>
    Effect.gen(function*() {
      const typed = Urls.make([
        Urls.pathWith("archive/<int:year>/<slug:slug>/", (_request, kwargs) => {
          expectTypeOf(kwargs).toEqualTypeOf<{ readonly year: number; readonly slug: string }>()
          return HttpResponse.make({ content: `${kwargs.year + 1} ${kwargs.slug.toUpperCase()}` })
        }, { name: "archive" })
      ])
      const client = yield* Client.make(Handler.make({ urls: typed }))
      expect((yield* client.get("/archive/02023/post/")).text).toBe("2024 POST")
      expect(Resolver.reverse(typed, "archive", { year: 7, slug: "x" })).toEqual(Either.right("/archive/7/x/"))
    }))
})
