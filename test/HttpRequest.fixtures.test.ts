/**
 * HttpRequest against Django 3.2's own answers (test/fixtures/request.json,
 * written by scripts/django/request.py from real WSGIRequests).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc } from "effect"
import { readFileSync } from "node:fs"
import { HttpRequest, QueryDict, RequestFactory, Settings } from "../src/index.js"
import { ASCII_HOST_RE, HOST_RE, splitDomainPort, validateHost } from "../src/internal/host.js"
import { parseHeader } from "../src/internal/meta.js"
import { headerNameFromMeta } from "../src/internal/meta.js"
import { parseCookie, parseCookieMap } from "../src/internal/parseCookie.js"

const fixture = JSON.parse(readFileSync(new URL("./fixtures/request.json", import.meta.url), "utf8"))

type Outcome = { ok: string } | { error: string }

const run = <A, E>(effect: Effect.Effect<A, E>, settings: Settings.Input = {}) =>
  Effect.runSync(Effect.either(effect.pipe(Effect.provide(Settings.layer(settings)))))

const outcome = (e: Either.Either<string, { message: string }>): Outcome =>
  Either.isRight(e) ? { ok: e.right } : { error: e.left.message }

describe("HttpRequest paths (WSGIRequest: path, path_info, SCRIPT_NAME, get_full_path)", () => {
  for (const c of fixture.paths) {
    it(`${JSON.stringify(c.rawPath)} script=${JSON.stringify(c.scriptName)} q=${JSON.stringify(c.queryString)} force=${JSON.stringify(c.forceScriptName)}`, () => {
      const r = HttpRequest.make({
        method: "get",
        path: c.rawPath,
        queryString: c.queryString,
        scriptName: c.scriptName ?? undefined,
        settings: Settings.make({ FORCE_SCRIPT_NAME: c.forceScriptName })
      })
      expect(r.path).toBe(c.path)
      expect(r.pathInfo).toBe(c.pathInfo)
      expect(r.scriptName).toBe(c.scriptNameOut)
      expect(r.META.PATH_INFO).toBe(c.pathInfo)
      expect(HttpRequest.getFullPath(r)).toBe(c.fullPath)
      expect(HttpRequest.getFullPath(r, { forceAppendSlash: true })).toBe(c.fullPathSlash)
      expect(HttpRequest.getFullPathInfo(r)).toBe(c.fullPathInfo)
      expect(String(r)).toBe(c.repr.replace("WSGIRequest", "HttpRequest"))
    })
  }

  // test_wsgirequest_script_url_double_slashes and friends (mod_rewrite SCRIPT_URL / REDIRECT_URL).
  for (const c of fixture.scriptUrls) {
    it(`SCRIPT_URL=${JSON.stringify(c.scriptUrl)} REDIRECT_URL=${JSON.stringify(c.redirectUrl)}`, () => {
      const r = HttpRequest.make({
        method: "GET",
        path: c.pathInfo,
        scriptUrl: c.scriptUrl ?? undefined,
        redirectUrl: c.redirectUrl ?? undefined
      })
      expect(r.path).toBe(c.path)
      expect(r.pathInfo).toBe(c.pathInfoOut)
      expect(r.scriptName).toBe(c.scriptName)
    })
  }
})

const settingsOf = (s: Record<string, unknown>): Settings.Input => ({
  ALLOWED_HOSTS: s.ALLOWED_HOSTS as Array<string>,
  DEBUG: (s.DEBUG as boolean | undefined) ?? false,
  USE_X_FORWARDED_HOST: s.USE_X_FORWARDED_HOST as boolean,
  USE_X_FORWARDED_PORT: s.USE_X_FORWARDED_PORT as boolean,
  SECURE_PROXY_SSL_HEADER: s.SECURE_PROXY_SSL_HEADER as [string, string] | null
})

const hostRequest = (host: string | null, meta: Record<string, string>) => {
  const { ["wsgi.url_scheme"]: scheme, ...rest } = meta
  return HttpRequest.make({
    method: "GET",
    path: "/",
    headers: host === null ? [] : [["Host", host]],
    serverName: "testserver",
    serverPort: "80",
    urlScheme: scheme === "https" ? "https" : "http",
    meta: rest
  })
}

describe("get_host / get_port / scheme (HostValidationTests, SecureProxySslHeaderTest)", () => {
  for (const c of fixture.hosts) {
    it(`${JSON.stringify(c.host)} ${JSON.stringify(c.meta)} ${JSON.stringify(c.settings)}`, () => {
      const r = hostRequest(c.host, c.meta)
      const s = settingsOf(c.settings)
      expect(outcome(run(HttpRequest.getHost(r), s))).toEqual(c.getHost)
      expect(run(HttpRequest.getPort(r), s)).toEqual(Either.right(c.getPort))
      expect(run(HttpRequest.scheme(r), s)).toEqual(Either.right(c.scheme))
      expect(run(HttpRequest.isSecure(r), s)).toEqual(Either.right(c.isSecure))
    })
  }

  it("agrees with Django on generated hosts", () => {
    for (const c of fixture.generatedHosts) {
      const r = hostRequest(c.host, {})
      expect(outcome(run(HttpRequest.getHost(r), { ALLOWED_HOSTS: c.allowed, DEBUG: c.debug })), JSON.stringify(c))
        .toEqual(c.getHost)
    }
  })

  it("property: every host the ASCII fast test accepts, split_domain_port's full pattern accepts too", () => {
    const unit = fc.constantFrom(..."aZ09.-:[]_\n \u0660\u00e9".split(""))
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 16 }), fc.string({ unit: "binary", maxLength: 16 }), (a, b) => {
        for (const host of [a, b, `${a}:${b}`, `example.com:${a}`]) {
          const lower = host.toLowerCase()
          if (ASCII_HOST_RE.test(lower)) expect([host, HOST_RE.test(lower)]).toEqual([host, true])
        }
      })
    )
  })

  it("host validation never throws (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.array(fc.string()), (host, allowed) => {
        const [domain] = splitDomainPort(host)
        validateHost(domain, allowed)
        const r = hostRequest(host, {})
        const e = run(HttpRequest.getHost(r), { ALLOWED_HOSTS: allowed })
        return Either.isRight(e) || e.left._tag === "DisallowedHost"
      })
    )
  })
})

describe("build_absolute_uri (BuildAbsoluteURITests)", () => {
  for (const c of fixture.absoluteUris) {
    it(`${c.rawPath}?${c.queryString} ${c.host} loc=${JSON.stringify(c.location)}`, () => {
      const r = HttpRequest.make({
        method: "GET",
        path: c.rawPath,
        queryString: c.queryString,
        headers: [["Host", c.host]],
        urlScheme: c.secure ? "https" : "http"
      })
      expect(run(HttpRequest.buildAbsoluteUri(r, c.location ?? undefined), { ALLOWED_HOSTS: ["*"] }))
        .toEqual(Either.right(c.result))
    })
  }

  it("agrees with Django on generated locations", () => {
    const r = HttpRequest.make({ method: "GET", path: "/p/q/r", headers: [["Host", "example.com"]] })
    for (const c of fixture.generatedLocations) {
      if (!("ok" in c.result)) continue
      expect(run(HttpRequest.buildAbsoluteUri(r, c.location), { ALLOWED_HOSTS: ["*"] }), JSON.stringify(c.location))
        .toEqual(Either.right(c.result.ok))
    }
  })

  it("validates the host first", () => {
    const r = HttpRequest.make({ method: "GET", path: "/", headers: [["Host", "evil.com"]] })
    const e = run(HttpRequest.buildAbsoluteUri(r, "/x"), { ALLOWED_HOSTS: ["good.com"] })
    expect(Either.isLeft(e) && e.left.message).toBe(
      "Invalid HTTP_HOST header: 'evil.com'. You may need to add 'evil.com' to ALLOWED_HOSTS."
    )
  })
})

describe("parse_cookie (CookieTests)", () => {
  it("agrees with Django on hand-picked and generated headers", () => {
    for (const c of fixture.cookies) {
      expect([...parseCookieMap(c.input)], JSON.stringify(c.input)).toEqual(c.output)
      expect(parseCookie(c.input), JSON.stringify(c.input)).toEqual(
        Object.assign(Object.create(null), Object.fromEntries(c.output))
      )
    }
  })

  it("never throws, and keeps the last duplicate (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (header) => {
        const parsed = parseCookie(header)
        return typeof parsed === "object"
      })
    )
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{1,8}$/),
        fc.stringMatching(/^[a-z0-9]{0,8}$/),
        fc.stringMatching(/^[a-z0-9]{0,8}$/),
        (k, v1, v2) => parseCookie(`${k}=${v1}; ${k}=${v2}`)[k] === v2
      )
    )
  })

  it("the record is the map, built in one pass: same names, values and order (property)", () => {
    const piece = fc.constantFrom("a", "b", "1", "__proto__", "=", ";", " ", "\"", "\\", "x y", "\t")
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }).map((ps) => ps.join("")), (header) => {
        const expected = Object.assign(Object.create(null), Object.fromEntries(parseCookieMap(header)))
        expect(Object.entries(parseCookie(header))).toEqual(Object.entries(expected))
        expect(Object.getPrototypeOf(parseCookie(header))).toBe(null)
      })
    )
  })

  it("unquotes in linear time (CPython CVE-2024-7592)", () => {
    const hostile = "a=\"" + "\\".repeat(200_000) + "\""
    const parsed = parseCookie(hostile)
    expect(parsed.a).toBe("\\".repeat(100_000))
  })
})

describe("HttpHeaders.parse_header_name and cgi.parse_header", () => {
  it("names headers as Django titles them", () => {
    for (const c of fixture.headerNames) expect(headerNameFromMeta(c.meta) ?? null, c.meta).toBe(c.name)
  })

  it("parses Content-Type like cgi.parse_header, and a known charset sets the encoding", () => {
    for (const c of fixture.contentTypes) {
      const [type, params] = parseHeader(c.input)
      expect(type, c.input).toBe(c.type)
      expect(Object.entries(params), c.input).toEqual(c.params)
      const r = HttpRequest.make({ method: "POST", path: "/", headers: [["Content-Type", c.input]] })
      expect(r.contentType).toBe(c.type)
      expect(r.encoding, c.input).toBe(c.encoding)
    }
  })
})

describe("GET under encodings (Content-Type charset, the encoding setter)", () => {
  for (const c of fixture.getEncodings) {
    it(`${JSON.stringify(c.queryString)} ct=${JSON.stringify(c.contentType)} set=${JSON.stringify(c.setEncoding)}`, () => {
      let r = HttpRequest.make({
        method: "GET",
        path: "/",
        queryString: c.queryString,
        headers: c.contentType === null ? [] : [["Content-Type", c.contentType]]
      })
      if (c.setEncoding !== null) r = HttpRequest.withEncoding(r, c.setEncoding)
      expect(r.encoding).toBe(c.encoding)
      const get = Either.getOrThrow(r.GET)
      expect(QueryDict.lists(get).map(([k, vs]) => [k, [...vs]])).toEqual(c.GET)
    })
  }
})

describe("RequestFactory (django.test.RequestFactory)", () => {
  for (const c of fixture.factory) {
    it(`get ${c.path} ${JSON.stringify(c.query)} secure=${c.secure}`, () => {
      const r = RequestFactory.get(c.path, {
        query: Object.keys(c.query).length > 0 ? c.query : undefined,
        secure: c.secure
      })
      for (const [k, v] of Object.entries(c.meta)) expect(r.META[k], k).toBe(v)
      expect(r.path).toBe(c.path_out)
      expect(HttpRequest.getFullPath(r)).toBe(c.fullPath)
      expect(run(HttpRequest.scheme(r))).toEqual(Either.right(c.scheme))
    })
  }
})

describe("RequestFactory.encodeMultipart (django.test.client.encode_multipart)", () => {
  type Spec = string | { name: string; content: Array<number>; contentType: string }
  const toValue = (v: Spec | Array<Spec>): RequestFactory.MultipartValue => {
    const one = (x: Spec): string | RequestFactory.MultipartFile =>
      typeof x === "string" ? x : { name: x.name, content: Uint8Array.from(x.content), contentType: x.contentType }
    return Array.isArray(v) ? v.map(one) : one(v)
  }
  it("writes the bytes Django writes", () => {
    expect(RequestFactory.MULTIPART_CONTENT).toBe(fixture.multipart.contentType)
    for (const c of fixture.multipart.cases) {
      const data: Record<string, RequestFactory.MultipartValue> = {}
      for (const [k, v] of Object.entries(c.data as Record<string, Spec | Array<Spec>>)) data[k] = toValue(v)
      expect([...RequestFactory.encodeMultipart(fixture.multipart.boundary, data)]).toEqual(c.body)
    }
  })

  it.effect("post with multipart sends the body with Django's boundary", () =>
    Effect.gen(function*() {
      const r = RequestFactory.post("/", { multipart: { a: "1" } })
      expect(r.contentType).toBe("multipart/form-data")
      expect(r.contentParams.boundary).toBe("BoUnDaRyStRiNg")
      expect(new TextDecoder().decode(yield* HttpRequest.read(r))).toBe(
        "--BoUnDaRyStRiNg\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--BoUnDaRyStRiNg--\r\n"
      )
    }))
})
