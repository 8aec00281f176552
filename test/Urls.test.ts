import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Option, Schema } from "effect"
import { HttpRequest, HttpResponse, Middleware, Resolver, Urls, View } from "../src/index.js"
import * as patterns from "../src/internal/urls/patterns.js"
import * as py from "../src/internal/urls/pyregex.js"
import * as resolver from "../src/internal/urls/resolve.js"
import { fixtures, hex, path as pathC } from "./utils/urlSpecs.js"

const view: View.View = () => HttpResponse.make({ content: "x" })

const leftTag = (e: Either.Either<unknown, { readonly _tag: string }>) =>
  Either.match(e, { onLeft: (l) => l._tag, onRight: () => "Right" })

describe("Python regexes (re_path)", () => {
  it("translates named groups, \\Z, $ and . with Python's meaning", () => {
    const t = py.translate("^a/(?P<x>\\d+)/(\\w+)\\.html$")
    if (!("ok" in t)) throw new Error(t.error)
    expect(t.ok.groups).toEqual(["x", null])
    const re = new RegExp(t.ok.source, "u")
    expect(re.exec("a/12/ab.html")?.groups).toEqual({ x: "12" })
    // Python: $ also matches before a final newline; \d and \w are Unicode-aware.
    expect(re.test("a/12/ab.html\n")).toBe(true)
    expect(re.test("a/\u0663/\u00e9.html")).toBe(true)
    // Python's . excludes only \n
    expect(new RegExp((py.translate("^a.b$") as { ok: py.Translated }).ok.source, "u").test("a\rb")).toBe(true)
    expect(py.translate("^a{,2}b{}$")).toEqual({ ok: { source: "^a{0,2}b\\{\\}(?=\\n?$)", groups: [] } })
  })

  it("rejects what it cannot translate, as ImproperlyConfigured", () => {
    // (octal escapes, which Python takes, are refused here on both sides of [...])
    for (
      const bad of [
        "(?i)abc",
        "a*+",
        "(?>a)",
        "[\\W]",
        "[\\D]",
        "\\q",
        "[\\q]",
        "(?P<x>a)(?P<x>b)",
        "(unclosed",
        "\\N{DASH}",
        "\\0",
        "[\\1]",
        "\\x4",
        "[\\u00e]",
        "a\\"
      ]
    ) {
      const urls = Urls.make([Urls.rePath(bad, view, { name: "bad" })])
      expect(leftTag(Resolver.resolve(urls, "/x"))).toBe("ImproperlyConfigured")
      expect(leftTag(Urls.check(urls))).toBe("ImproperlyConfigured")
      const message = Either.getLeft(Urls.check(urls)).pipe(Option.map((e) => e.message), Option.getOrElse(() => ""))
      expect(message).toContain(`"${bad}" is not a valid regular expression: `)
    }
  })

  it("an escaped literal matches itself and reverses to itself (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), (s) => {
        const escaped = patterns.reEscape(s)
        const t = py.translate("^" + escaped + "\\Z")
        if (!("ok" in t)) return false
        const re = new RegExp(t.ok.source, "u")
        const forms = py.reverseForms(escaped)
        return re.test(s) && !re.test(s + "x") && "ok" in forms && forms.ok.length === 1 &&
          forms.ok[0]!.parts.join("") === s
      }),
      { numRuns: 200 }
    )
  })
})

describe("converters", () => {
  it("Django 3.2: a converter's ValueError means no match, and the next pattern is tried (V49)", () => {
    const urls = Urls.make([
      pathC("n/<even:n>/", view, { name: "even" }),
      Urls.path("n/<int:n>/", view, { name: "any" })
    ])
    expect(Either.getOrThrow(Resolver.resolve(urls, "/n/4/")).urlName).toBe("even")
    expect(Either.getOrThrow(Resolver.resolve(urls, "/n/3/")).urlName).toBe("any")
    expect(Resolver.reverse(urls, "even", { n: 3 }).pipe(leftTag)).toBe("NoReverseMatch")
  })

  it("a Schema converter decodes the parameter to its type, and a decoding failure is no match", () => {
    const date = Urls.fromSchema("[0-9]{4}-[0-9]{2}-[0-9]{2}", Schema.Date)
    const { path } = Urls.withConverters({ date })
    const urls = Urls.make([path("on/<date:day>/", view, { name: "day" })])
    const m = Either.getOrThrow(Resolver.resolve(urls, "/on/2024-02-29/"))
    expect(m.kwargs.day).toBeInstanceOf(Date)
    expect((m.kwargs.day as Date).toISOString()).toBe("2024-02-29T00:00:00.000Z")
    expect(leftTag(Resolver.resolve(urls, "/on/2024-13-45/"))).toBe("Resolver404")
    expect(Resolver.reverse(urls, "day", { day: new Date("2024-02-29T00:00:00.000Z") })).toEqual(
      Either.left(expect.objectContaining({ _tag: "NoReverseMatch" }))
    )
  })

  it("custom converters replace the built-in ones of the same name", () => {
    const { path } = Urls.withConverters({ int: hex })
    const urls = Urls.make([path("h/<int:v>/", view, { name: "h" })])
    expect(Either.getOrThrow(Resolver.resolve(urls, "/h/ff/")).kwargs).toEqual({ v: 255 })
    expect(Resolver.reverse(urls, "h", { v: 255 })).toEqual(Either.right("/h/ff/"))
  })
})

describe("values reversed with str()", () => {
  it("Django 3.2: a float kwarg is written as Python's str(float), exponent from 1e-05 down (issue 14)", () => {
    // Django: reverse("f", kwargs={"v": 1.5e-05}) == "/f/1.5e-05/", {"v": 1e22} gives "/f/1e+22/",
    // {"v": 0.1} gives "/f/0.1/" (the URLconf `path("f/<str:v>/", ...)`, Django 3.2).
    const urls = Urls.make([Urls.path("f/<str:v>/", view, { name: "f" })])
    const url = (v: number) => Either.getOrThrow(Resolver.reverseDynamic(urls, "f", { kwargs: { v } }))
    expect(url(1.5e-5)).toBe("/f/1.5e-05/")
    expect(url(1e22)).toBe("/f/1e+22/")
    expect(url(0.1)).toBe("/f/0.1/")
    expect(url(2024)).toBe("/f/2024/")
  })
})

describe("the request's match and URLconf", () => {
  const alt = Urls.make([Urls.path("x/", view, { name: "alt-x" })])
  const root = Urls.make([Urls.path("", view, { name: "home" })])

  it.effect("Django 3.2: request.urlconf replaces the root URLconf for the rest of the request (V55)", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const resolving: View.View<unknown, Resolver.Urlconf> = (request) =>
        Effect.gen(function*() {
          const m = yield* Resolver.resolveCurrent(request.pathInfo)
          seen.push(`${m.urlName} ${m.route}`)
          seen.push(yield* Resolver.reverseCurrent("alt-x"))
          return yield* HttpResponse.make({ content: "ok" })
        })
      const app = Middleware.compose(Resolver.setUrlconf(alt))(resolving)
      yield* app(HttpRequest.make({ method: "GET", path: "/x/" })).pipe(
        Effect.provideService(Resolver.Urlconf, root)
      )
      expect(seen).toEqual(["alt-x x/", "/x/"])
      const miss = yield* Effect.either(
        Resolver.resolveCurrent("/x/").pipe(Effect.provideService(Resolver.Urlconf, root))
      )
      expect(leftTag(miss)).toBe("Resolver404")
    }))

  it.effect("reverseCurrent uses the request's script prefix (V52)", () =>
    Effect.gen(function*() {
      const request = HttpRequest.make({ method: "GET", path: "/", scriptName: "/mount" })
      const url = yield* Resolver.reverseCurrent("home").pipe(
        Effect.provideService(Resolver.Urlconf, root),
        Effect.provideService(HttpRequest.HttpRequest, request)
      )
      expect(url).toBe("/mount/")
    }))

  it.effect("dispatch resolves pathInfo, provides the match and calls the view; a miss is Resolver404", () =>
    Effect.gen(function*() {
      const year: View.View<HttpResponse.MakeError, Resolver.ResolverMatch> = () =>
        Effect.flatMap(Resolver.ResolverMatch, (m) => HttpResponse.make({ content: `${m.viewName} ${m.kwargs.year}` }))
      const urls = Urls.make([Urls.path("articles/<int:year>/", year, { name: "year" })])
      const app = Resolver.dispatch(urls)
      const response = yield* app(HttpRequest.make({ method: "GET", path: "/articles/02024/" }))
      expect(HttpResponse.isHttpResponse(response) && HttpResponse.text(response)).toBe("year 2024")
      const miss = yield* Effect.either(app(HttpRequest.make({ method: "GET", path: "/articles/x/" })))
      expect(leftTag(miss)).toBe("Resolver404")
      const viaAlt = yield* Effect.either(
        app(HttpRequest.make({ method: "GET", path: "/articles/2024/" })).pipe(
          Effect.provideService(Resolver.Urlconf, alt)
        )
      )
      expect(leftTag(viaAlt)).toBe("Resolver404")
    }))

  it.effect("a view reads the ResolverMatch service", () =>
    Effect.gen(function*() {
      const m = Either.getOrThrow(Resolver.resolve(root, "/"))
      const name = yield* Effect.map(Resolver.ResolverMatch, (rm) => rm.viewName).pipe(
        Effect.provideService(Resolver.ResolverMatch, m)
      )
      expect(name).toBe("home")
      expect(Either.getOrThrow(Resolver.resolve(root, "/"))).toStrictEqual(m)
    }))
})

describe("round trip (property): resolve(reverse(name, params)) gives the route back", () => {
  const slug = fc.stringMatching(/^[-a-zA-Z0-9_]{1,12}$/)
  const str = fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }).filter((s) => !s.includes("/"))
  const pathValue = fc.array(str, { minLength: 1, maxLength: 3 }).map((a) => a.join("/"))
  const uuid = fc.uuid().map((u) => u.toLowerCase())
  const nat = fc.nat({ max: 1e9 })
  const routes = [
    { route: "t0/<int:a>/", gens: { a: nat } },
    { route: "t1/<str:a>/<slug:b>/", gens: { a: str, b: slug } },
    { route: "t2/<uuid:a>/", gens: { a: uuid } },
    { route: "t3/<path:a>/edit/", gens: { a: pathValue } },
    { route: "t4/<path:a>", gens: { a: pathValue } },
    { route: "t5/<hex:a>-<yyyy:b>/", gens: { a: nat, b: fc.integer({ min: 0, max: 9999 }) } },
    { route: "t6/<even:a>/", gens: { a: nat.map((n) => n * 2) } },
    { route: "t7/<a>.<slug:b>/", gens: { a: str.filter((s) => !s.includes(".")), b: slug } },
    { route: "caf\u00e9 <int:a>/", gens: { a: nat } }
  ] as const
  const urls = Urls.make(routes.map((r, i) => pathC(r.route, view, { name: `r${i}` })))

  routes.forEach((r, i) => {
    it(`${r.route}`, () => {
      fc.assert(
        fc.property(fc.record(r.gens as Record<string, fc.Arbitrary<unknown>>), (params) => {
          const url = Either.getOrThrow(Resolver.reverseDynamic(urls, `r${i}`, { kwargs: params }))
          const m = Either.getOrThrow(Resolver.resolve(urls, decodeURIComponent(url)))
          expect(m.urlName).toBe(`r${i}`)
          expect(m.kwargs).toEqual(params)
        }),
        { numRuns: 200 }
      )
    })
  })
})

describe("compiled resolution", () => {
  it("the indexed search finds what Django's walk finds, on random paths (property)", () => {
    const segs = ["a", "b", "a.b", "1", "22", "x-y", "", "\u00e9"]
    const routes = ["a/", "a/<int:n>/", "<slug:s>/", "b/<path:p>", "a", "", "1/", "<int:n>/x/", "a.b/"]
    const regexes = ["^a/(\\d+)/$", "b/$", "^(?P<k>[ab])/", "^x|^a/"]
    const urls = Urls.make([
      ...routes.map((r, i) => Urls.path(r, view, { name: `p${i}` })),
      ...regexes.map((r, i) => Urls.rePath(r, view, { name: `r${i}` })),
      Urls.path("a/", Urls.include([Urls.path("<int:n>/z/", view, { name: "inc" })]))
    ])
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...segs), { maxLength: 4 }), fc.boolean(), (parts, slash) => {
        const p = "/" + parts.join("/") + (slash ? "/" : "")
        const fast = resolver.resolveFast(urls.root, p)
        const exact = resolver.resolveExact(urls.root, p)
        if (exact._tag === "Hit") expect(fast).toEqual(exact.hit)
        else expect(fast).toBeUndefined()
      }),
      { numRuns: 500 }
    )
  })
})

describe("Python regex semantics against Python 3 (scripts/django/urls.py)", () => {
  interface RegexCase {
    readonly regex: string
    readonly subject: string
    readonly match:
      | { span: [number, number]; groups: Array<string | null>; named: Record<string, string | null> }
      | null
  }
  const cases = (fixtures as unknown as { readonly regex: ReadonlyArray<RegexCase> }).regex
  const cp = (s: string, units: number) => Array.from(s.slice(0, units)).length

  it("re.search of every pattern on every subject gives Python's span and groups", () => {
    expect(cases.length).toBeGreaterThan(500)
    for (const c of cases) {
      const t = py.translate(c.regex)
      if (!("ok" in t)) throw new Error(`${c.regex}: ${t.error}`)
      const m = new RegExp(t.ok.source, "u").exec(c.subject)
      const got = m === null ? null : {
        span: [cp(c.subject, m.index), cp(c.subject, m.index + m[0].length)],
        groups: m.slice(1).map((g) => g ?? null),
        named: Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, v ?? null]))
      }
      expect({ regex: c.regex, subject: c.subject, match: got }).toEqual(c)
    }
  })
})
