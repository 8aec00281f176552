/**
 * HttpRequest behaviour: body and streams, POST/REQUEST, limits, encodings,
 * headers, the platform adapter. Each test names the Django test it ports
 * (tests/requests/tests.py, tests/requests/test_data_upload_settings.py).
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Exit, Option, Schema, Scope, Stream } from "effect"
import { Errors, HttpRequest, MultiValueDict, QueryDict, RequestFactory, Settings } from "../src/index.js"

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const bytes = (s: string) => new TextEncoder().encode(s)
const lists = (q: HttpRequest.QueryDict) => QueryDict.lists(q).map(([k, vs]) => [k, [...vs]])

const formPost = (body: string, settings: Settings.Input = {}, extra: Partial<HttpRequest.Environ> = {}) =>
  HttpRequest.make({
    method: "POST",
    path: "/",
    headers: [["Content-Type", "application/x-www-form-urlencoded"], ["Content-Length", String(bytes(body).length)]],
    body: bytes(body),
    settings: Settings.make(settings),
    ...extra
  })

describe("body and streams (tests/requests/tests.py)", () => {
  it.effect("test_value_after_read: body after read() is RawPostDataException, POST is empty", () =>
    Effect.gen(function*() {
      const r = formPost("name=value")
      expect(text(yield* HttpRequest.read(r, 2))).toBe("na")
      const body = yield* Effect.flip(r.body)
      expect(body._tag).toBe("RawPostDataException")
      expect(body.message).toBe("You cannot access body after reading from request's data stream")
      expect(lists(yield* r.POST)).toEqual([])
    }))

  it.effect("reads replay the body once it was read", () =>
    Effect.gen(function*() {
      const r = formPost("a=1\nb=2\n")
      expect(text(yield* r.body)).toBe("a=1\nb=2\n")
      expect(text(yield* HttpRequest.readLine(r))).toBe("a=1\n")
      expect(text(yield* r.body)).toBe("a=1\nb=2\n")
      expect(text(yield* HttpRequest.read(r))).toBe("b=2\n")
      expect(text(yield* HttpRequest.read(r))).toBe("")
      expect(lists(yield* r.POST)).toEqual([["a", ["1\nb=2\n"]]])
    }))

  it.effect("test_read_after_value / test_POST_after_body_read_and_stream_read", () =>
    Effect.gen(function*() {
      const a = formPost("name=value")
      expect(lists(yield* a.POST)).toEqual([["name", ["value"]]])
      expect(text(yield* HttpRequest.read(a))).toBe("name=value")
      const b = formPost("name=value")
      expect(text(yield* b.body)).toBe("name=value")
      expect(text(yield* HttpRequest.read(b, 1))).toBe("n")
      expect(lists(yield* b.POST)).toEqual([["name", ["value"]]])
    }))

  // Django's tests use iso-8859-16, which this Node's TextDecoder lacks; iso-8859-15 has the same 0xFC.
  it.effect("test_alternate_charset_POST / test_set_encoding_clears_POST", () =>
    Effect.gen(function*() {
      const r = HttpRequest.make({
        method: "POST",
        path: "/",
        headers: [["Content-Type", "application/x-www-form-urlencoded; charset=iso-8859-15"]],
        body: bytes("name=Hello%20G%FCnter")
      })
      expect(r.encoding).toBe("iso-8859-15")
      expect(lists(yield* r.POST)).toEqual([["name", ["Hello Günter"]]])
      const utf8 = formPost("name=Hello%20G%C3%BCnter")
      expect(lists(yield* utf8.POST)).toEqual([["name", ["Hello Günter"]]])
      expect(lists(yield* HttpRequest.withEncoding(utf8, "iso-8859-15").POST)).toEqual([["name", ["Hello GÃŒnter"]]])
    }))

  it.effect("test_limited_stream: reads never go past Content-Length", () =>
    Effect.gen(function*() {
      const mk = (length: number) =>
        HttpRequest.make({
          method: "POST",
          path: "/",
          headers: [["Content-Length", String(length)]],
          body: Stream.fromIterable([bytes("te"), bytes("st\nline2\nx")])
        })
      expect(text(yield* HttpRequest.read(mk(2)))).toBe("te")
      const r = mk(4)
      expect(text(yield* HttpRequest.read(r, 3))).toBe("tes")
      expect(text(yield* HttpRequest.read(r, 3))).toBe("t")
      expect(text(yield* HttpRequest.read(r))).toBe("")
      const l = mk(11)
      expect(text(yield* HttpRequest.readLine(l))).toBe("test\n")
      expect(text(yield* HttpRequest.readLine(l, 3))).toBe("lin")
      expect(text(yield* HttpRequest.readLine(l))).toBe("e2\n")
      expect(text(yield* HttpRequest.readLine(l))).toBe("")
      const lines = yield* Stream.runCollect(HttpRequest.lines(mk(13)))
      expect(Chunk.toReadonlyArray(lines).map(text)).toEqual(["test\n", "line2\n", "x"])
      expect(text(yield* mk(0).body)).toBe("")
    }))

  it.effect("chunks stream the body on demand without buffering it", () =>
    Effect.gen(function*() {
      let pulled = 0
      const source = Stream.repeatEffectOption(
        Effect.suspend(() =>
          pulled < 1000 ? Effect.succeed(new Uint8Array(1024).fill(pulled++ % 256)) : Effect.fail(Option.none())
        )
      )
      const r = HttpRequest.make({ method: "POST", path: "/", body: source })
      const first = yield* Stream.runCollect(Stream.take(HttpRequest.chunks(r, 512), 3))
      expect(Chunk.toReadonlyArray(first).map((c) => c.length)).toEqual([512, 512, 512])
      expect(pulled).toBe(2)
      const total = yield* Stream.runFold(HttpRequest.chunks(r), 0, (n, c) => n + c.length)
      expect(total).toBe(1000 * 1024 - 1536)
      expect((yield* Effect.flip(r.body))._tag).toBe("RawPostDataException")
    }))

  it.effect("test_POST_binary_only: a non-form POST keeps POST empty and the body readable", () =>
    Effect.gen(function*() {
      const payload = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00])
      for (const contentType of ["application/octet-stream", "text/plain"]) {
        const r = RequestFactory.post("/", { body: payload, contentType })
        expect(lists(yield* r.POST)).toEqual([])
        expect(yield* r.body).toEqual(payload)
        expect(MultiValueDict.lists(yield* r.FILES)).toEqual([])
      }
    }))

  it.effect("test_body_after_POST_multipart_related: multipart/related is not parsed, body stays readable", () =>
    Effect.gen(function*() {
      const payload = "--boundary\r\nContent-ID: id; name=\"name\"\r\n\r\nvalue\r\n--boundary--"
      const r = RequestFactory.post("/", { body: payload, contentType: "multipart/related; boundary=boundary" })
      expect(lists(yield* r.POST)).toEqual([])
      expect(text(yield* r.body)).toBe(payload)
    }))

  it.effect("methods other than POST never parse the body (PUT included)", () =>
    Effect.gen(function*() {
      const r = RequestFactory.put("/", { form: { a: "1" } })
      expect(lists(yield* r.POST)).toEqual([])
      expect(text(yield* r.body)).toBe("a=1")
    }))

  it.effect("a client that goes away mid-body is UnreadablePostError, for body, read and POST alike", () =>
    Effect.gen(function*() {
      const broken = () =>
        Stream.concat(
          Stream.make(bytes("a=1&")),
          Stream.fail(new Errors.UnreadablePostError({ message: "request data read error" }))
        )
      const mk = () =>
        formPost("", {}, {
          body: broken(),
          headers: [["Content-Type", "application/x-www-form-urlencoded"], ["Content-Length", "100"]]
        })
      const a = mk()
      expect((yield* Effect.flip(a.body))._tag).toBe("UnreadablePostError")
      expect((yield* Effect.flip(a.POST))._tag).toBe("UnreadablePostError")
      expect((yield* Effect.flip(HttpRequest.read(mk())))._tag).toBe("UnreadablePostError")
    }))

  it.effect("memoises POST and body: the source is read once", () =>
    Effect.gen(function*() {
      let reads = 0
      const r = formPost("", {}, {
        body: Stream.suspend(() => {
          reads++
          return Stream.make(bytes("x=1"))
        }),
        headers: [["Content-Type", "application/x-www-form-urlencoded"]]
      })
      const [a, b] = yield* Effect.all([r.POST, r.POST], { concurrency: 2 })
      expect(a).toBe(b)
      expect(text(yield* r.body)).toBe("x=1")
      expect(reads).toBe(1)
    }))
})

describe("limits (tests/requests/test_data_upload_settings.py)", () => {
  it.effect("DataUploadMaxMemorySizeFormPostTests: over the limit, POST fails before a byte is read", () =>
    Effect.gen(function*() {
      let pulled = false
      const r = formPost("a=" + "x".repeat(20), { DATA_UPLOAD_MAX_MEMORY_SIZE: 12 }, {
        body: Stream.suspend(() => {
          pulled = true
          return Stream.make(bytes("a=" + "x".repeat(20)))
        })
      })
      const e = yield* Effect.flip(r.POST)
      expect(e._tag).toBe("RequestDataTooBig")
      expect(e.message).toBe("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
      expect(pulled).toBe(false)
      // test_size_not_exceeded / test_no_limit
      expect(lists(yield* formPost("a=xx", { DATA_UPLOAD_MAX_MEMORY_SIZE: 4 }).POST)).toEqual([["a", ["xx"]]])
      expect(lists(yield* formPost("a=xx", { DATA_UPLOAD_MAX_MEMORY_SIZE: null }).POST)).toEqual([["a", ["xx"]]])
    }))

  it.effect("DataUploadMaxMemorySizeGetTests: body of a GET is limited too; an empty Content-Length is 0", () =>
    Effect.gen(function*() {
      const big = HttpRequest.make({
        method: "GET",
        path: "/",
        headers: [["Content-Length", "3"]],
        body: bytes("abc"),
        settings: Settings.make({ DATA_UPLOAD_MAX_MEMORY_SIZE: 2 })
      })
      expect((yield* Effect.flip(big.body))._tag).toBe("RequestDataTooBig")
      const empty = HttpRequest.make({
        method: "GET",
        path: "/",
        headers: [["Content-Length", ""]],
        body: bytes("abc")
      })
      expect(text(yield* empty.body)).toBe("")
    }))

  it.effect("a body without Content-Length is counted as it streams and cut off at the limit", () =>
    Effect.gen(function*() {
      let pulled = 0
      const r = HttpRequest.make({
        method: "POST",
        path: "/",
        headers: [["Content-Type", "application/x-www-form-urlencoded"]],
        body: Stream.repeatEffectOption(
          Effect.sync(() => {
            pulled++
            return bytes("a=1&")
          })
        ),
        settings: Settings.make({ DATA_UPLOAD_MAX_MEMORY_SIZE: 10 })
      })
      expect((yield* Effect.flip(r.POST))._tag).toBe("RequestDataTooBig")
      expect(pulled).toBe(3)
      expect((yield* Effect.flip(r.body))._tag).toBe("RequestDataTooBig")
    }))

  it.effect("DataUploadMaxNumberOfFields (GET and form POST)", () =>
    Effect.gen(function*() {
      const get = RequestFactory.get("/?a=1&a=2&a=3", { settings: Settings.make({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 2 }) })
      const e = yield* Effect.flip(get.GET)
      expect(e._tag).toBe("TooManyFieldsSent")
      expect(e.message).toBe("The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.")
      expect((yield* Effect.flip(formPost("a=1&a=2&a=3", { DATA_UPLOAD_MAX_NUMBER_FIELDS: 2 }).POST))._tag)
        .toBe("TooManyFieldsSent")
      expect(lists(yield* formPost("a=1&a=2&a=3", { DATA_UPLOAD_MAX_NUMBER_FIELDS: 3 }).POST)).toEqual([
        ["a", ["1", "2", "3"]]
      ])
      expect(lists(yield* formPost("a=1&a=2&a=3", { DATA_UPLOAD_MAX_NUMBER_FIELDS: null }).POST)).toEqual([
        ["a", ["1", "2", "3"]]
      ])
    }))
})

describe("fields", () => {
  it.effect("REQUEST is POST, then GET", () =>
    Effect.gen(function*() {
      const r = formPost("a=post&b=post", {}, { queryString: "a=get&c=get" })
      expect(lists(yield* r.REQUEST)).toEqual([["a", ["post"]], ["b", ["post"]], ["c", ["get"]]])
    }))

  it("META as a WSGI server builds it; header names with `_` are dropped (CVE-2015-0219)", () => {
    const r = RequestFactory.get("/x?y=1", {
      headers: { "X-Forwarded-For": "1.2.3.4", "X_Forwarded_For": "6.6.6.6", "User-Agent": "ua" }
    })
    expect(r.META.HTTP_X_FORWARDED_FOR).toBe("1.2.3.4")
    expect(r.META.HTTP_USER_AGENT).toBe("ua")
    expect(r.META.REQUEST_METHOD).toBe("GET")
    expect(r.META.QUERY_STRING).toBe("y=1")
    expect(r.META.PATH_INFO).toBe("/x")
    expect(r.META.SCRIPT_NAME).toBe("")
    expect(r.META.SERVER_NAME).toBe("testserver")
    expect(r.META.SERVER_PORT).toBe("80")
    expect(r.META.SERVER_PROTOCOL).toBe("HTTP/1.1")
    expect(r.META.REMOTE_ADDR).toBe("127.0.0.1")
  })

  it("HttpHeadersTests: case-insensitive, `_` works as `-`, CONTENT_TYPE/CONTENT_LENGTH included", () => {
    const r = RequestFactory.post("/", { body: "x", headers: { "User-Agent": "python-requests/1.2.0" } })
    expect(r.headers.get("User-Agent")).toEqual(Option.some("python-requests/1.2.0"))
    expect(r.headers.get("user-agent")).toEqual(Option.some("python-requests/1.2.0"))
    expect(r.headers.get("user_agent")).toEqual(Option.some("python-requests/1.2.0"))
    expect(r.headers.get("Content-Type")).toEqual(Option.some("application/octet-stream"))
    expect(r.headers.get("Content-Length")).toEqual(Option.some("1"))
    expect(r.headers.has("Server-Name")).toBe(false)
    expect(Object.keys(r.headers.toRecord()).sort()).toEqual(["Content-Length", "Content-Type", "User-Agent"])
  })

  it("COOKIES use Django's rules (the last duplicate wins), not the platform's", () => {
    const r = RequestFactory.get("/", { headers: { Cookie: "a=1; b=\"x\\073y\"; a=2; nokey" } })
    expect({ ...r.COOKIES }).toEqual({ a: "2", b: "x;y", "": "nokey" })
  })

  it("method is upper case; repr as Django prints it", () => {
    const r = HttpRequest.make({ method: "patch", path: "/caf%C3%A9/", queryString: "a='1'" })
    expect(r.method).toBe("PATCH")
    expect(String(r)).toBe("<HttpRequest: PATCH \"/caf%C3%A9/?a='1'\">")
  })

  it.effect("test_set_encoding_clears_GET / a charset in Content-Type sets the encoding, GET included", () =>
    Effect.gen(function*() {
      const r = RequestFactory.get("/?name=Hello%20G%C3%BCnter")
      expect(lists(yield* r.GET)).toEqual([["name", ["Hello Günter"]]])
      const latin = HttpRequest.withEncoding(r, "iso-8859-1")
      expect(lists(yield* latin.GET)).toEqual([["name", ["Hello GÃ¼nter"]]])
      const viaHeader = RequestFactory.get("/?a=%C3%A9", { headers: { "Content-Type": "text/plain; charset=latin-1" } })
      expect(viaHeader.encoding).toBe("latin-1")
      expect(lists(yield* viaHeader.GET)).toEqual([["a", ["Ã©"]]])
      const bogus = RequestFactory.get("/", { headers: { "Content-Type": "text/plain; charset=no-such-codec" } })
      expect(bogus.encoding).toBeNull()
    }))

  it.effect("withEncoding re-decodes POST from the same body", () =>
    Effect.gen(function*() {
      const r = formPost("a=%C3%A9")
      expect(lists(yield* r.POST)).toEqual([["a", ["é"]]])
      expect(lists(yield* HttpRequest.withEncoding(r, "latin-1").POST)).toEqual([["a", ["Ã©"]]])
    }))

  it("isAjax and accepts", () => {
    expect(HttpRequest.isAjax(RequestFactory.get("/", { headers: { "X-Requested-With": "XMLHttpRequest" } }))).toBe(
      true
    )
    expect(HttpRequest.isAjax(RequestFactory.get("/"))).toBe(false)
    const r = RequestFactory.get("/", { headers: { Accept: "text/html, application/*;q=0.9" } })
    expect(HttpRequest.accepts(r, "text/html")).toBe(true)
    expect(HttpRequest.accepts(r, "application/json")).toBe(true)
    expect(HttpRequest.accepts(r, "text/plain")).toBe(false)
    expect(r.pipe(HttpRequest.accepts("TEXT/HTML"))).toBe(true)
    expect(HttpRequest.accepts(RequestFactory.get("/"), "image/png")).toBe(true)
  })
})

describe("typed decoders", () => {
  it.effect("query, form, cookies, headers and JSON through schemas; failures are ParseErrors with paths", () =>
    Effect.gen(function*() {
      const r = RequestFactory.get("/?page=2&tag=a&tag=b", { cookies: { theme: "dark" }, headers: { "X-Id": "7" } })
      const q = yield* HttpRequest.schemaQuery(
        Schema.Struct({ page: Schema.NumberFromString, tag: Schema.Array(Schema.String) })
      )(r)
      expect(q).toEqual({ page: 2, tag: ["a", "b"] })
      expect(yield* HttpRequest.schemaCookies(Schema.Struct({ theme: Schema.Literal("dark", "light") }))(r)).toEqual({
        theme: "dark"
      })
      expect(yield* HttpRequest.schemaHeaders(Schema.Struct({ "x-id": Schema.NumberFromString }))(r)).toEqual({
        "x-id": 7
      })
      const bad = yield* Effect.flip(HttpRequest.schemaQuery(Schema.Struct({ page: Schema.Literal("1") }))(r))
      expect(bad._tag).toBe("ParseError")
      expect(String(bad)).toContain("[\"page\"]")
      const form = RequestFactory.post("/", { form: { n: "3" } })
      expect(yield* HttpRequest.schemaForm(Schema.Struct({ n: Schema.NumberFromString }))(form)).toEqual({ n: 3 })
      const json = RequestFactory.post("/", { json: { id: 1, name: "x" } })
      expect(yield* HttpRequest.schemaBodyJson(Schema.Struct({ id: Schema.Number }))(json)).toEqual({ id: 1 })
      const broken = RequestFactory.post("/", { body: "{", contentType: "application/json" })
      expect((yield* Effect.flip(HttpRequest.schemaBodyJson(Schema.Unknown)(broken)))._tag).toBe("ParseError")
    }))
})

describe("scope and context", () => {
  it.effect("body-dependent effects run in the request's scope, whoever evaluates them", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const r = RequestFactory.post("/", { form: { a: "1" }, scope })
      let released = false
      yield* HttpRequest.runInRequest(r)(Effect.addFinalizer(() => Effect.sync(() => (released = true))))
      expect(released).toBe(false)
      yield* Scope.close(scope, Exit.void)
      expect(released).toBe(true)
    }))

  it.effect("the current request is a service", () =>
    Effect.gen(function*() {
      const r = RequestFactory.get("/here")
      const path = yield* Effect.map(HttpRequest.HttpRequest, (req) => req.path).pipe(
        Effect.provideService(HttpRequest.HttpRequest, r)
      )
      expect(path).toBe("/here")
    }))
})

describe("fromServerRequest", () => {
  it.scoped("builds the request from a platform request; x-forwarded-proto counts only through the setting", () =>
    Effect.gen(function*() {
      const web = new Request("https://example.com/a%20b/?q=1", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: "a=1; a=2",
          "x-forwarded-proto": "http"
        },
        body: "f=v"
      })
      const r = yield* HttpRequest.fromServerRequest(HttpServerRequest.fromWeb(web))
      expect(r.method).toBe("POST")
      expect(r.path).toBe("/a b/")
      expect(r.META.QUERY_STRING).toBe("q=1")
      expect(r.META.SERVER_NAME).toBe("example.com")
      expect(r.META.SERVER_PORT).toBe("443")
      expect(
        yield* HttpRequest.getHost(r).pipe(Effect.provide(Settings.layer({ ALLOWED_HOSTS: ["example.com"] })))
      ).toBe("example.com")
      expect(r.COOKIES.a).toBe("2")
      expect(r.urlScheme).toBe("https")
      expect(yield* HttpRequest.scheme(r)).toBe("https")
      const proxied = yield* HttpRequest.scheme(r).pipe(
        Effect.provide(Settings.layer({ SECURE_PROXY_SSL_HEADER: ["HTTP_X_FORWARDED_PROTO", "https"] }))
      )
      expect(proxied).toBe("http")
      expect(lists(yield* r.POST)).toEqual([["f", ["v"]]])
      expect(lists(yield* r.GET)).toEqual([["q", ["1"]]])
    }))

  // Django has one request object per request; here a platform middleware and a view may each
  // build a value from the same platform request, and its body can be read only once.
  const formRequest = () =>
    HttpServerRequest.fromWeb(
      new Request("http://example.com/", {
        method: "POST",
        body: "f=v",
        headers: { "content-type": "application/x-www-form-urlencoded" }
      })
    )

  it.scoped("values of one platform request built before any read share its body", () =>
    Effect.gen(function*() {
      const platform = formRequest()
      const a = yield* HttpRequest.fromServerRequest(platform)
      const b = yield* HttpRequest.fromServerRequest(platform)
      expect(text(yield* b.body)).toBe("f=v")
      expect(text(yield* a.body)).toBe("f=v")
      expect(a.pipe(HttpRequest.getFullPath({ forceAppendSlash: true }))).toBe("/")
    }))

  it.scoped("POST parsed by one value is the other's, whichever reads first", () =>
    Effect.gen(function*() {
      const platform = formRequest()
      const a = yield* HttpRequest.fromServerRequest(platform)
      const b = yield* HttpRequest.fromServerRequest(platform)
      const fromB = yield* b.POST
      expect(lists(fromB)).toEqual([["f", ["v"]]])
      expect(yield* a.POST).toBe(fromB)
      // A value built after the read is the one that read.
      expect(yield* HttpRequest.fromServerRequest(platform)).toBe(b)
    }))

  it.scoped("a value with another encoding parses the shared body again", () =>
    Effect.gen(function*() {
      const platform = formRequest()
      const a = yield* HttpRequest.fromServerRequest(platform)
      const latin = HttpRequest.withEncoding(yield* HttpRequest.fromServerRequest(platform), "latin-1")
      expect(lists(yield* a.POST)).toEqual([["f", ["v"]]])
      const other = yield* latin.POST
      expect(lists(other)).toEqual([["f", ["v"]]])
      expect(other).not.toBe(yield* a.POST)
    }))

  it.scoped("a value derived by withMeta or withEncoding that reads first is not what a later build returns", () =>
    Effect.gen(function*() {
      const platform = formRequest()
      const built = yield* HttpRequest.fromServerRequest(platform)
      const derived = HttpRequest.withEncoding(
        HttpRequest.withMeta(built, { ...built.META, REMOTE_ADDR: "6.6.6.6" }),
        "latin-1"
      )
      expect(lists(yield* derived.POST)).toEqual([["f", ["v"]]])
      const again = yield* HttpRequest.fromServerRequest(platform)
      expect(again).toBe(built)
      expect(again.encoding).toBe(null)
      expect(again.META.REMOTE_ADDR).toBe(built.META.REMOTE_ADDR)
      expect(again.META.REMOTE_ADDR).not.toBe("6.6.6.6")
    }))

  it.scoped("a multipart body is parsed once per encoding for every value of the platform request", () =>
    Effect.gen(function*() {
      const form = new FormData()
      form.append("f", "v")
      const platform = HttpServerRequest.fromWeb(new Request("http://example.com/", { method: "POST", body: form }))
      const a = yield* HttpRequest.fromServerRequest(platform)
      const b = yield* HttpRequest.fromServerRequest(platform)
      // A value with another encoding asks first (its POST is not even run yet).
      const latin = HttpRequest.withEncoding(b, "latin-1").POST
      const fromA = yield* a.POST
      expect(lists(fromA)).toEqual([["f", ["v"]]])
      expect(yield* b.POST).toBe(fromA)
      // Another encoding parses again, and a multipart stream read without `body` is gone: empty,
      // as Django's POST is after `request.encoding` changes once the stream was read.
      expect(lists(yield* latin)).toEqual([])
    }))

  it.scoped("the request in the context is reused when it is this platform request's", () =>
    Effect.gen(function*() {
      const platform = formRequest()
      const inContext = yield* HttpRequest.fromServerRequest(platform)
      const again = yield* HttpRequest.fromServerRequest(platform).pipe(
        Effect.provideService(HttpRequest.HttpRequest, inContext)
      )
      expect(again).toBe(inContext)
      const other = yield* HttpRequest.fromServerRequest(formRequest()).pipe(
        Effect.provideService(HttpRequest.HttpRequest, inContext)
      )
      expect(other).not.toBe(inContext)
    }))

  it.scoped("captures the settings of its context", () =>
    Effect.gen(function*() {
      const web = new Request("http://example.com/?a=1&b=2&c=3")
      const r = yield* HttpRequest.fromServerRequest(HttpServerRequest.fromWeb(web)).pipe(
        Effect.provide(Settings.layer({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 2 }))
      )
      expect(Either.isLeft(r.GET)).toBe(true)
    }))
})

describe("settings a request reads", () => {
  it.effect("host checks use the settings the request was built with when none are provided", () =>
    Effect.gen(function*() {
      const request = RequestFactory.get("/", { settings: Settings.make({ ALLOWED_HOSTS: ["testserver"] }) })
      expect(yield* HttpRequest.getHost(request)).toBe("testserver")
    }))

  it.effect("a Settings service in the context takes precedence", () =>
    Effect.gen(function*() {
      const request = RequestFactory.get("/", { settings: Settings.make({ ALLOWED_HOSTS: ["testserver"] }) })
      const error = yield* Effect.flip(
        HttpRequest.getHost(request).pipe(Effect.provide(Settings.layer({ ALLOWED_HOSTS: ["example.com"] })))
      )
      expect(error._tag).toBe("DisallowedHost")
    }))
})
