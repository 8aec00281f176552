/**
 * Django 3.2's utils.cache and the ETag/date helpers of utils.http, against fixtures written by
 * scripts/django/middleware.py, plus property tests of the header parsers.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Option, pipe, TestClock } from "effect"
import { Cache, HttpResponse, RequestFactory, TemplateResponse, Templates, View } from "../src/index.js"
import * as internal from "../src/internal/cache.js"
import { fixtures, request, response } from "./middlewareFixtures.js"

const T = fixtures.T * 1000
const headersOf = (r: HttpResponse.AnyResponse) => r.headers.map((h) => [h.name, h.value])

describe("Cache: ETags and dates (fixtures from Django 3.2)", () => {
  it("quote_etag keeps quoted ETags and quotes anything else (V58)", () => {
    for (const [input, expected] of fixtures.quote_etag) expect(Cache.quoteEtag(input), input).toBe(expected)
  })

  it("parse_etags keeps the well-formed quoted ETags, or gives ['*'] (V58)", () => {
    for (const [input, expected] of fixtures.parse_etags) expect(Cache.parseEtags(input), input).toEqual(expected)
  })

  it.effect("set_response_etag: the quoted md5 of a non-empty body (V57)", () =>
    Effect.gen(function*() {
      for (const [hex, expected] of fixtures.set_response_etag) {
        const res = yield* HttpResponse.make({ content: Buffer.from(hex, "hex") })
        expect(Option.getOrNull(HttpResponse.getHeader(Cache.setResponseEtag(res), "ETag")), hex).toBe(expected)
      }
    }))

  it("parse_http_date_safe: RFC 1123, RFC 850 and asctime; two-digit years against the current year", () => {
    for (const [input, expected] of fixtures.parse_http_date) {
      expect(internal.parseHttpDate(input, 2023) ?? null, input).toBe(expected)
    }
  })
})

describe("Cache: Vary and Cache-Control (fixtures from Django 3.2)", () => {
  it.effect("patch_vary_headers appends missing names, case-insensitively; * wins (V59)", () =>
    Effect.gen(function*() {
      for (const c of fixtures.vary) {
        let res: HttpResponse.AnyResponse = yield* HttpResponse.make()
        if (c.initial !== null) res = yield* HttpResponse.setHeader(res, "Vary", c.initial)
        for (const add of c.adds) res = yield* Cache.patchVaryHeaders(res, add)
        expect(Option.getOrNull(HttpResponse.getHeader(res, "Vary")), JSON.stringify(c)).toBe(c.result)
        for (const [name, has] of Object.entries(c.has)) expect(Cache.hasVaryHeader(res, name)).toBe(has)
      }
    }))

  it.effect("patch_cache_control merges directives as Django does (V60)", () =>
    Effect.gen(function*() {
      for (const c of fixtures.cache_control) {
        let res: HttpResponse.AnyResponse = yield* HttpResponse.make()
        if (c.initial !== null) res = yield* HttpResponse.setHeader(res, "Cache-Control", c.initial)
        for (const patch of c.patches) res = yield* Cache.patchCacheControl(res, Object.fromEntries(patch))
        const value = Option.getOrNull(HttpResponse.getHeader(res, "Cache-Control"))
        // Several no-cache values come out in Python's set order, which is not fixed: compare as sets.
        const noCacheValues = c.result.split(", ").filter((d) => d.startsWith("no-cache=")).length
        if (noCacheValues > 1) expect(value?.split(", ").sort()).toEqual(c.result.split(", ").sort())
        else expect(value, JSON.stringify(c)).toBe(c.result)
        expect(Option.getOrNull(Cache.getMaxAge(res))).toBe(c.max_age)
      }
    }))

  it.effect("add_never_cache_headers: Expires now and max-age=0, no-cache, no-store, must-revalidate, private (V60)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T)
      for (const c of fixtures.never_cache) {
        let res: HttpResponse.AnyResponse = yield* HttpResponse.make()
        for (const [k, v] of c.initial) res = yield* HttpResponse.setHeader(res, k, v)
        expect(headersOf(yield* Cache.addNeverCacheHeaders(res))).toEqual(c.headers)
      }
      for (const c of fixtures.patch_response_headers) {
        const res = yield* HttpResponse.make()
        expect(headersOf(yield* Cache.patchResponseHeaders(res, c.timeout))).toEqual(c.headers)
      }
    }))

  it.effect("a malformed max-age in the header fails with InvalidArgument, as Django's int() raises", () =>
    Effect.gen(function*() {
      const res = yield* HttpResponse.make({ headers: { "Cache-Control": "max-age=soon" } })
      const out = Cache.patchCacheControl(res, { max_age: 5 })
      expect(Either.isLeft(out) ? out.left._tag : "none").toBe("InvalidArgument")
    }))
})

describe("Cache: get_conditional_response (fixtures from Django 3.2)", () => {
  it.effect("Django's precedence of If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since (V61)", () =>
    Effect.gen(function*() {
      expect(fixtures.conditional.length).toBeGreaterThan(1000)
      for (const [method, meta, etag, lastModified, status] of fixtures.conditional) {
        const req = request({ method, path: "/", meta })
        const out = yield* Cache.getConditionalResponse(req, {
          etag: etag ?? undefined,
          lastModified: lastModified ?? undefined
        })
        expect(Option.getOrNull(Option.map(out, (r) => r.status)), JSON.stringify([method, meta, etag, lastModified]))
          .toBe(status)
      }
    }))

  it.effect("a response that is not 2xx is returned as it is", () =>
    Effect.gen(function*() {
      const res = yield* response({ body: "x", status: 404 })
      const req = request({ method: "GET", path: "/", meta: { HTTP_IF_NONE_MATCH: "*" } })
      const out = yield* Cache.getConditionalResponse(req, { etag: "\"a\"", response: res })
      expect(Option.getOrThrow(out)).toBe(res)
    }))
})

describe("Cache: view decorators", () => {
  const page: View.View = () => HttpResponse.make({ content: "page" })

  it.effect("never_cache, cache_control, vary_on_cookie and vary_on_headers patch the view's responses", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T)
      const req = RequestFactory.get("/")
      const never = yield* Cache.neverCache(page)(req)
      expect(HttpResponse.isAnyResponse(never) && Option.getOrNull(HttpResponse.getHeader(never, "Cache-Control")))
        .toBe("max-age=0, no-cache, no-store, must-revalidate, private")
      const decorated = pipe(
        page,
        Cache.cacheControl({ max_age: 60, public: true }),
        Cache.varyOnHeaders("Accept-Language"),
        Cache.varyOnCookie
      )
      const res = yield* decorated(req)
      if (!HttpResponse.isAnyResponse(res)) throw new Error("expected a response")
      expect(Option.getOrNull(HttpResponse.getHeader(res, "Cache-Control"))).toBe("max-age=60, public")
      expect(Option.getOrNull(HttpResponse.getHeader(res, "Vary"))).toBe("Accept-Language, Cookie")
    }))

  it.effect("the decorators patch a TemplateResponse before it is rendered, as Django patches one", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T)
      const template = yield* Templates.fromString("<p>{{ who }}</p>")
      const deferred: View.View<unknown, Templates.Templates> = (request) =>
        TemplateResponse.make(request, template, { who: "alice" })
      const answer = yield* pipe(deferred, Cache.neverCache, Cache.varyOnCookie)(RequestFactory.get("/"))
      if (!TemplateResponse.isTemplateResponse(answer)) throw new Error("expected a template response")
      expect(answer.isRendered).toBe(false)
      const rendered = yield* TemplateResponse.render(answer)
      if (!HttpResponse.isHttpResponse(rendered)) throw new Error("expected a rendered response")
      expect(HttpResponse.text(rendered)).toBe("<p>alice</p>")
      expect(Option.getOrNull(HttpResponse.getHeader(rendered, "Cache-Control")))
        .toBe("max-age=0, no-cache, no-store, must-revalidate, private")
      expect(Option.getOrNull(HttpResponse.getHeader(rendered, "Expires"))).toBe("Tue, 14 Nov 2023 22:13:20 GMT")
      expect(Option.getOrNull(HttpResponse.getHeader(rendered, "Vary"))).toBe("Cookie")
    }).pipe(Effect.provide(Templates.layer())))

  it.effect("condition: 304 without running the view, headers added for GET, 412 for unsafe methods", () =>
    Effect.gen(function*() {
      let calls = 0
      const view = Cache.condition({
        etag: () => "v1",
        lastModified: () => Effect.succeed(new Date(T + 500))
      })((_request) => {
        calls++
        return page(_request)
      })
      const fresh = yield* view(RequestFactory.get("/"))
      expect(calls).toBe(1)
      if (!HttpResponse.isAnyResponse(fresh)) throw new Error("expected a response")
      expect(Option.getOrNull(HttpResponse.getHeader(fresh, "ETag"))).toBe("\"v1\"")
      expect(Option.getOrNull(HttpResponse.getHeader(fresh, "Last-Modified"))).toBe("Tue, 14 Nov 2023 22:13:20 GMT")
      const cached = yield* view(RequestFactory.get("/", { headers: { "If-None-Match": "W/\"v1\"" } }))
      expect(calls).toBe(1)
      expect(HttpResponse.isAnyResponse(cached) && cached.status).toBe(304)
      const notSince = yield* view(
        RequestFactory.get("/", { headers: { "If-Modified-Since": "Tue, 14 Nov 2023 22:13:20 GMT" } })
      )
      expect(HttpResponse.isAnyResponse(notSince) && notSince.status).toBe(304)
      const put = yield* view(RequestFactory.put("/", { headers: { "If-Match": "\"v0\"" } }))
      expect(HttpResponse.isAnyResponse(put) && put.status).toBe(412)
      const post = yield* view(RequestFactory.post("/", { form: {} }))
      expect(calls).toBe(2)
      expect(HttpResponse.isAnyResponse(post) && HttpResponse.hasHeader(post, "ETag")).toBe(false)
      const byEtag = yield* Cache.etag(() => "\"x\"")(page)(
        RequestFactory.get("/", { headers: { "If-None-Match": "\"x\"" } })
      )
      expect(HttpResponse.isAnyResponse(byEtag) && byEtag.status).toBe(304)
      const byDate = yield* Cache.lastModified(() => null)(page)(RequestFactory.get("/"))
      expect(HttpResponse.isAnyResponse(byDate) && HttpResponse.hasHeader(byDate, "Last-Modified")).toBe(false)
    }))
})

describe("Cache: properties of the parsers", () => {
  const etagChars = fc.string({ unit: fc.constantFrom("a", "b", "\"", "W", "/", " ", ",", "*", "\t") })

  it("quoteEtag is idempotent on values without quotes and always gives a quoted ETag for them", () => {
    fc.assert(fc.property(fc.string().filter((s) => !s.includes("\"")), (s) => {
      const q = Cache.quoteEtag(s)
      expect(Cache.quoteEtag(q)).toBe(q)
      expect(q).toMatch(/^"[^"]*"$/)
      if (!s.includes(",")) expect(Cache.parseEtags(q)).toEqual([q])
    }))
  })

  it("parseEtags returns only well-formed ETags (or ['*']), and reparsing its join gives the same list", () => {
    fc.assert(fc.property(etagChars, (s) => {
      const tags = Cache.parseEtags(s)
      if (tags.length === 1 && tags[0] === "*") return
      for (const t of tags) expect(t).toMatch(/^(W\/)?"[^"]*"$/)
      if (tags.every((t) => !t.includes(","))) expect(Cache.parseEtags(tags.join(", "))).toEqual(tags)
    }))
  })

  it("parseHttpDate reads back every date httpDate writes", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 253402300799 }), (t) => {
      const text = Option.getOrThrow(Cache.httpDateOf(t))
      expect(Option.getOrNull(Cache.parseHttpDate(text))).toBe(t)
    }))
  })

  it("parseHttpDate never throws: a whole number of seconds or nothing, for any text", () => {
    const dateish = fc.string({
      unit: fc.constantFrom("T", "u", "e", ",", " ", "1", "4", "N", "o", "v", ":", "-", "G", "M")
    })
    fc.assert(fc.property(fc.oneof(fc.string(), dateish), (s) => {
      const t = internal.parseHttpDate(s)
      if (t !== undefined) expect(Number.isInteger(t)).toBe(true)
    }))
  })

  it("patchVary keeps every name already there and adds only names not there (case-insensitively)", () => {
    const name = fc.constantFrom("Cookie", "cookie", "Accept", "Accept-Encoding", "X-A")
    fc.assert(fc.property(fc.array(fc.array(name, { maxLength: 3 }), { maxLength: 4 }), (adds) => {
      let vary: string | undefined
      for (const add of adds) {
        const before = vary === undefined || vary === "" ? [] : vary.split(", ")
        vary = internal.patchVary(vary, add)
        const after = vary === "" ? [] : vary.split(", ")
        expect(after.slice(0, before.length)).toEqual(before)
        const had = new Set(before.map((n) => n.toLowerCase()))
        for (const n of after.slice(before.length)) expect(had.has(n.toLowerCase())).toBe(false)
        for (const n of add) expect(after.map((a) => a.toLowerCase())).toContain(n.toLowerCase())
      }
    }))
  })

  it("patchCacheControl: max-age only goes down, and public/private never coexist after a patch naming one", () => {
    fc.assert(fc.property(
      fc.nat(10000),
      fc.nat(10000),
      fc.constantFrom("public", "private"),
      (a, b, visibility) => {
        const first = internal.patchCacheControl(undefined, [["max_age", a], ["public", true]])
        const second = internal.patchCacheControl(first, [["max_age", b], [visibility, true]])!
        expect(internal.maxAgeOf(second)).toBe(Math.min(a, b))
        const ds = second.split(", ")
        expect(ds.includes("public") && ds.includes("private")).toBe(false)
      }
    ))
  })

  it("evaluate: 304 only for GET and HEAD; without If-Match and If-Unmodified-Since, never 412 for them", () => {
    const tag = fc.constantFrom("\"a\"", "W/\"a\"", "\"b\"", "*", "junk", "")
    const date = fc.constantFrom("Tue, 14 Nov 2023 22:13:20 GMT", "Tue, 14 Nov 2023 22:13:19 GMT", "bad", "")
    fc.assert(fc.property(
      fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE"),
      fc.record({
        ifMatch: fc.option(tag),
        ifUnmodifiedSince: fc.option(date),
        ifNoneMatch: fc.option(tag),
        ifModifiedSince: fc.option(date)
      }),
      fc.option(fc.constantFrom("\"a\"", "W/\"a\"", "\"b\"")),
      fc.option(fc.constantFrom(1700000000, 1699999999, 0)),
      (method, h, etag, lm) => {
        const conditions = {
          method,
          ifMatch: h.ifMatch ?? undefined,
          ifUnmodifiedSince: h.ifUnmodifiedSince ?? undefined,
          ifNoneMatch: h.ifNoneMatch ?? undefined,
          ifModifiedSince: h.ifModifiedSince ?? undefined
        }
        const outcome = internal.evaluate(conditions, etag ?? undefined, lm ?? undefined, 2023)
        const safe = method === "GET" || method === "HEAD"
        if (outcome === "NotModified") expect(safe).toBe(true)
        if (safe && conditions.ifMatch === undefined && conditions.ifUnmodifiedSince === undefined) {
          expect(outcome).not.toBe("PreconditionFailed")
        }
      }
    ))
  })

  it("evaluate: without conditional headers the view always proceeds", () => {
    fc.assert(fc.property(
      fc.constantFrom("GET", "HEAD", "POST", "PUT"),
      fc.option(fc.string()),
      fc.option(fc.nat()),
      (method, etag, lm) => {
        expect(internal.evaluate({ method }, etag ?? undefined, lm ?? undefined)).toBe("Proceed")
      }
    ))
  })
})
