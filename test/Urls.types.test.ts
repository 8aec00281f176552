import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Either, Option, Schema } from "effect"
import { HttpResponse, Resolver, Urls, View } from "../src/index.js"

// Typed reverse: a URLconf written as a literal knows its names and their parameters.

const view: View.View = () => HttpResponse.make({ content: "x" })

const year = Urls.fromSchema("[0-9]{4}", Schema.NumberFromString)
const { path } = Urls.withConverters({ yyyy: year })

const articles = [
  path("", view, { name: "index" }),
  path("<yyyy:year>/", view, { name: "year" }),
  path("<yyyy:year>/<int:month>/<slug:slug>/", view, { name: "detail" })
]

const urls = Urls.make([
  Urls.path("", view, { name: "home" }),
  Urls.path("articles/", Urls.include(articles, { appName: "articles" })),
  Urls.path("archive/", Urls.include(articles, { appName: "articles", namespace: "archive" })),
  Urls.path("users/<int:id>/", view, { name: "user" }),
  Urls.path("users/<username>/", view, { name: "user-by-name" }),
  Urls.path("api/<str:version>/", Urls.include([Urls.path("items/<uuid:pk>/", view, { name: "item" })])),
  Urls.rePath("^old/(\\d+)/(\\d+)/$", view, { name: "old" }),
  Urls.rePath("^legacy/(?P<code>[a-z]{3})/$", view, { name: "legacy" }),
  Urls.path("noname/", view)
])

describe("typed reverse", () => {
  it("infers the parameters of routes", () => {
    expectTypeOf<Urls.RouteParams<"a/<int:x>/<y>/<slug:s>", Urls.BuiltinTypes>>().toEqualTypeOf<
      { readonly x: number; readonly y: string; readonly s: string }
    >()
    expectTypeOf<Urls.RouteParams<"static/", Urls.BuiltinTypes>>().toEqualTypeOf<{}>()
    expectTypeOf<Urls.RegexParams<"^(?P<a>\\d+)/(?P<b>x)$">>().toEqualTypeOf<
      { readonly a: string | number; readonly b: string | number }
    >()
    expectTypeOf<Urls.RegexParams<"^(\\d+)$">>().toEqualTypeOf<ReadonlyArray<string | number>>()
  })

  it("accepts the names and parameters of the URLconf", () => {
    expect(Resolver.reverse(urls, "home")).toEqual(Either.right("/"))
    expect(Resolver.reverse(urls, "articles:detail", { year: 2024, month: 1, slug: "x" })).toEqual(
      Either.right("/articles/2024/1/x/")
    )
    expect(Resolver.reverse(urls, "archive:year", { year: 1999 })).toEqual(Either.right("/archive/1999/"))
    expect(Resolver.reverse(urls, "articles:index", {}, { currentApp: "archive" })).toEqual(Either.right("/archive/"))
    expect(Resolver.reverse(urls, "user", { id: 5 })).toEqual(Either.right("/users/5/"))
    expect(Resolver.reverse(urls, "user-by-name", { username: "bob" })).toEqual(Either.right("/users/bob/"))
    expect(Resolver.reverse(urls, "item", { version: "v1", pk: "00000000-0000-0000-0000-000000000001" })).toEqual(
      Either.right("/api/v1/items/00000000-0000-0000-0000-000000000001/")
    )
    expect(Resolver.reverse(urls, "old", [1, 2])).toEqual(Either.right("/old/1/2/"))
    expect(Resolver.reverse(urls, "legacy", { code: "abc" })).toEqual(Either.right("/legacy/abc/"))
  })

  it("rejects wrong names and parameters at compile time", () => {
    // @ts-expect-error: no such name
    expect(Either.isLeft(Resolver.reverse(urls, "nope"))).toBe(true)
    // @ts-expect-error: an unnamed pattern cannot be reversed by name
    expect(Either.isLeft(Resolver.reverse(urls, "noname"))).toBe(true)
    // @ts-expect-error: a parameter is missing
    expect(Either.isLeft(Resolver.reverse(urls, "articles:detail", { year: 2024, month: 1 }))).toBe(true)
    // @ts-expect-error: the parameters are required
    expect(Either.isLeft(Resolver.reverse(urls, "user"))).toBe(true)
    // @ts-expect-error: int takes a number
    expect(Resolver.reverse(urls, "user", { id: "5" })).toEqual(Either.right("/users/5/"))
    // @ts-expect-error: names inside an app need their namespace
    expect(Either.isLeft(Resolver.reverse(urls, "detail", { year: 2024, month: 1, slug: "x" }))).toBe(true)
    // @ts-expect-error: the outer route's parameter is required too
    expect(Either.isLeft(Resolver.reverse(urls, "item", { pk: "x" }))).toBe(true)
  })

  it("types the match's view and reverse's result", () => {
    const m = Resolver.resolve(urls, "/")
    expectTypeOf(m).toEqualTypeOf<
      Either.Either<
        Resolver.ResolverMatch<View.View>,
        Resolver.Resolver404 | import("../src/Errors.js").ImproperlyConfigured
      >
    >()
    expectTypeOf(Resolver.reverse(urls, "home")).toEqualTypeOf<Either.Either<string, Resolver.ReverseError>>()
    expect(Option.isSome(Resolver.resolveOption(urls, "/users/x/"))).toBe(true)
  })

  it("takes any string when the URLconf is not a literal", () => {
    const dynamic: Urls.URLconf<View.View, Urls.Entry> = urls
    expect(Either.isRight(Resolver.reverse(dynamic, "home" as string, {}))).toBe(true)
  })
})
