/**
 * Django's own request tests (tests/requests/tests.py, settings_tests), ported
 * by name. The expected values were checked against Django 3.2.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { HttpRequest, RequestFactory, Settings } from "../src/index.js"

const withSettings = (input: Settings.Input) => Effect.provide(Settings.layer(input))
const hostOf = (host: string) => HttpRequest.make({ method: "GET", path: "/", headers: [["Host", host]] })

describe("RequestsTests", () => {
  it("test_httprequest_full_path", () => {
    const r = HttpRequest.make({
      method: "GET",
      path: "/;some/%3Fawful/=path/foo:bar/",
      queryString: ";some=query&+query=string"
    })
    expect(r.path).toBe("/;some/?awful/=path/foo:bar/")
    const expected = "/%3Bsome/%3Fawful/%3Dpath/foo:bar/?;some=query&+query=string"
    expect(HttpRequest.getFullPath(r)).toBe(expected)
    expect(HttpRequest.getFullPathInfo(r)).toBe(expected)
  })

  it("test_httprequest_full_path_with_query_string_and_fragment", () => {
    const r = HttpRequest.make({ method: "GET", path: "/foo%23bar", queryString: "baz#quux" })
    expect(HttpRequest.getFullPath(r)).toBe("/foo%23bar?baz#quux")
  })

  it("test_wsgirequest_with_script_name", () => {
    const r = HttpRequest.make({ method: "get", path: "/somepath/", scriptName: "/PREFIX/" })
    expect(r.path).toBe("/PREFIX/somepath/")
  })

  it("test_wsgirequest_with_force_script_name", () => {
    const r = HttpRequest.make({
      method: "get",
      path: "/somepath/",
      scriptName: "/PREFIX/",
      settings: Settings.make({ FORCE_SCRIPT_NAME: "/FORCED_PREFIX/" })
    })
    expect(r.path).toBe("/FORCED_PREFIX/somepath/")
  })

  it("test_wsgirequest_script_url_double_slashes", () => {
    const r = HttpRequest.make({
      method: "get",
      path: "/milestones/accounts/login/help",
      scriptUrl: "/mst/milestones//accounts/login//help"
    })
    expect(r.path).toBe("/mst/milestones/accounts/login/help")
  })

  it("test_wsgirequest_path_info: UTF-8 decoded; another encoding stays percent-encoded", () => {
    expect(HttpRequest.make({ method: "get", path: "/%D8%B3%D9%84%D8%A7%D9%85/" }).path).toBe("/سلام/")
    expect(HttpRequest.make({ method: "get", path: "/caf%E9/" }).path).toBe("/caf%E9/")
  })
})

describe("HostValidationTests", () => {
  it.effect("test_get_host_suggestion_of_allowed_host", () =>
    Effect.gen(function*() {
      const message = (host: string) =>
        Effect.map(Effect.flip(HttpRequest.getHost(hostOf(host))), (e) => e.message).pipe(
          withSettings({ ALLOWED_HOSTS: ["forward.com"] })
        )
      expect(yield* message("example.com:80")).toBe(
        "Invalid HTTP_HOST header: 'example.com:80'. You may need to add 'example.com' to ALLOWED_HOSTS."
      )
      expect(yield* message("example.com")).toBe(
        "Invalid HTTP_HOST header: 'example.com'. You may need to add 'example.com' to ALLOWED_HOSTS."
      )
      expect(yield* message(".example.com")).toBe(
        "Invalid HTTP_HOST header: '.example.com'. You may need to add '.example.com' to ALLOWED_HOSTS."
      )
      expect(yield* message("example.com:80/badpath")).toBe(
        "Invalid HTTP_HOST header: 'example.com:80/badpath'. The domain name provided is not valid according to RFC 1034/1035."
      )
      expect(yield* message("12.34.56.78:443")).toBe(
        "Invalid HTTP_HOST header: '12.34.56.78:443'. You may need to add '12.34.56.78' to ALLOWED_HOSTS."
      )
    }))

  it.effect("test_host_validation_in_debug_mode: only localhost variants pass with an empty ALLOWED_HOSTS", () =>
    Effect.gen(function*() {
      for (const host of ["localhost", "localhost:8000", "subdomain.localhost", "127.0.0.1", "[::1]", "[::1]:8080"]) {
        expect(yield* HttpRequest.getHost(hostOf(host)).pipe(withSettings({ DEBUG: true }))).toBe(host)
      }
      const e = yield* Effect.flip(HttpRequest.getHost(hostOf("example.com")).pipe(withSettings({ DEBUG: true })))
      expect(e._tag).toBe("DisallowedHost")
    }))

  it.effect("test_http_get_host_with_x_forwarded_host: taken whole, only with USE_X_FORWARDED_HOST", () =>
    Effect.gen(function*() {
      const r = HttpRequest.make({
        method: "GET",
        path: "/",
        headers: [["Host", "example.com"], ["X-Forwarded-Host", "forward.com"]]
      })
      const all = { ALLOWED_HOSTS: ["*"] }
      expect(yield* HttpRequest.getHost(r).pipe(withSettings(all))).toBe("example.com")
      expect(yield* HttpRequest.getHost(r).pipe(withSettings({ ...all, USE_X_FORWARDED_HOST: true }))).toBe(
        "forward.com"
      )
    }))

  it.effect("test_get_port_with_x_forwarded_port", () =>
    Effect.gen(function*() {
      const r = HttpRequest.make({
        method: "GET",
        path: "/",
        serverPort: "8080",
        headers: [["X-Forwarded-Port", "80"]]
      })
      expect(yield* HttpRequest.getPort(r)).toBe("8080")
      expect(yield* HttpRequest.getPort(r).pipe(withSettings({ USE_X_FORWARDED_PORT: true }))).toBe("80")
    }))
})

describe("SecureProxySslHeaderTest", () => {
  const header = { SECURE_PROXY_SSL_HEADER: ["HTTP_X_FORWARDED_PROTO", "https"] as const }
  const proto = (value?: string, urlScheme: "http" | "https" = "http") =>
    HttpRequest.make({
      method: "GET",
      path: "/",
      urlScheme,
      headers: value === undefined ? [] : [["X-Forwarded-Proto", value]]
    })

  it.effect("test_none / test_set_without_xheader / test_set_with_xheader_wrong / _right", () =>
    Effect.gen(function*() {
      expect(yield* HttpRequest.isSecure(proto("https"))).toBe(false)
      expect(yield* HttpRequest.isSecure(proto()).pipe(withSettings(header))).toBe(false)
      expect(yield* HttpRequest.isSecure(proto("wrongvalue")).pipe(withSettings(header))).toBe(false)
      expect(yield* HttpRequest.isSecure(proto("https")).pipe(withSettings(header))).toBe(true)
    }))

  it.effect("CVE-2019-12781: a present but different header means http, never the connection's scheme", () =>
    Effect.gen(function*() {
      expect(yield* HttpRequest.scheme(proto("http", "https")).pipe(withSettings(header))).toBe("http")
      expect(yield* HttpRequest.scheme(proto("https, http")).pipe(withSettings(header))).toBe("http")
      expect(yield* HttpRequest.scheme(proto(undefined, "https")).pipe(withSettings(header))).toBe("https")
    }))
})

describe("BuildAbsoluteURITests", () => {
  it.effect("test_request_path_begins_with_two_slashes", () =>
    Effect.gen(function*() {
      const r = RequestFactory.get("//absolute-uri")
      const build = (loc?: string) =>
        HttpRequest.buildAbsoluteUri(r, loc).pipe(withSettings({ ALLOWED_HOSTS: ["testserver"] }))
      expect(yield* build()).toBe("http://testserver//absolute-uri")
      expect(yield* build("http://example.com/?foo=bar")).toBe("http://example.com/?foo=bar")
      expect(yield* build("//example.com/?foo=bar")).toBe("http://example.com/?foo=bar")
      expect(yield* build("/foo")).toBe("http://testserver/foo")
      expect(yield* build("/foo/")).toBe("http://testserver/foo/")
    }))

  it.effect("is pipeable", () =>
    Effect.gen(function*() {
      const r = RequestFactory.get("/a/b/c", { secure: true })
      const uri = yield* r.pipe(HttpRequest.buildAbsoluteUri("z"), withSettings({ ALLOWED_HOSTS: ["testserver"] }))
      expect(uri).toBe("https://testserver/a/b/z")
      expect(Either.isRight(r.GET)).toBe(true)
    }))
})
