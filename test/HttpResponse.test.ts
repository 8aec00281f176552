import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Exit, Option, Stream, TestClock } from "effect"
import { readFileSync } from "node:fs"
import { gunzipSync } from "node:zlib"
import {
  Client,
  FileResponse,
  GZip,
  Handler,
  HttpResponse,
  Middleware,
  ResponseCookies,
  Settings,
  StreamingHttpResponse
} from "../src/index.js"

// Fixtures written by scripts/django/response.py with Django 3.2 (time fixed at T), with
// DEFAULT_CHARSET utf-8 (response.json) and iso-8859-1 (the same calls).
interface Case {
  readonly kind: string
  readonly args: Record<string, any>
  readonly result: Record<string, any>
}
interface Fixture {
  readonly T: number
  readonly cases: ReadonlyArray<Case>
}
const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as Fixture
const fixture = load("response.json")
const fixtures: ReadonlyArray<readonly [string, Fixture]> = [
  ["utf-8", fixture],
  ["iso-8859-1", load("response-iso-8859-1.json")]
]
const T = fixture.T * 1000

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1")

const describeResponse = (r: HttpResponse.AnyResponse) => ({
  ok: true,
  status: r.status,
  reason: r.reasonPhrase,
  charset: r.charset,
  headers: r.headers.map((h) => [h.name, h.value]),
  cookies: ResponseCookies.setCookieHeaders(r),
  headers_bytes: latin1(HttpResponse.serializeHeaders(r)),
  ...(r._tag === "HttpResponse"
    ? { content: latin1(HttpResponse.content(r)), serialize: latin1(HttpResponse.serialize(r)) }
    : {})
})

const cookieOptions = (o: Record<string, any>): ResponseCookies.CookieOptions => ({
  ...(o.max_age !== undefined ? { maxAge: o.max_age } : {}),
  ...(o.expires !== undefined
    ? { expires: typeof o.expires === "string" ? o.expires : new Date(T + o.expires.offset * 1000) }
    : {}),
  ...("path" in o ? { path: o.path } : {}),
  ...(o.domain !== undefined ? { domain: o.domain } : {}),
  ...(o.secure !== undefined ? { secure: o.secure } : {}),
  ...(o.httponly !== undefined ? { httpOnly: o.httponly } : {}),
  ...(o.samesite !== undefined ? { sameSite: o.samesite } : {})
})

const content = (c: unknown) =>
  typeof c === "object" && c !== null && "bytes" in c ? Uint8Array.from((c as { bytes: Array<number> }).bytes) : c

const run = (c: Case): Effect.Effect<HttpResponse.AnyResponse, unknown> => {
  const a = c.args
  switch (c.kind) {
    case "make":
      return HttpResponse.make({
        content: content(a.content) as HttpResponse.Content,
        contentType: a.content_type,
        status: a.status,
        reason: a.reason,
        charset: a.charset,
        headers: a.headers
      })
    case "header":
      return Effect.flatMap(HttpResponse.make(), (r) => HttpResponse.setHeader(r, a.name, a.value))
    case "cookies":
      return Effect.gen(function*() {
        let r = yield* HttpResponse.make()
        for (const op of a.ops) {
          r = op[0] === "set"
            ? yield* ResponseCookies.setCookie(r, op[1], op[2], cookieOptions(op[3]))
            : yield* ResponseCookies.deleteCookie(r, op[1], {
              ...("path" in op[2] ? { path: op[2].path } : {}),
              ...(op[2].domain !== undefined ? { domain: op[2].domain } : {}),
              ...(op[2].samesite !== undefined ? { sameSite: op[2].samesite } : {})
            })
        }
        return r
      })
    case "family":
      switch (a.kind) {
        case "redirect":
          return HttpResponse.redirect(a.url)
        case "permanent_redirect":
          return HttpResponse.permanentRedirect(a.url)
        case "not_allowed":
          return HttpResponse.notAllowed(a.methods)
        case "not_modified":
          return HttpResponse.notModified({ content: a.content })
        case "bad_request":
          return HttpResponse.badRequest({ content: a.content })
        case "not_found":
          return HttpResponse.notFound({ content: a.content })
        case "forbidden":
          return HttpResponse.forbidden({ content: a.content })
        case "gone":
          return HttpResponse.gone({ content: a.content })
        case "server_error":
          return HttpResponse.serverError({ content: a.content })
      }
      throw new Error(a.kind)
    case "json":
      return HttpResponse.json(a.data, {
        safe: a.safe,
        jsonDumpsParams: {
          sortKeys: a.params?.sort_keys,
          indent: a.params?.indent,
          separators: a.params?.separators,
          ensureAscii: a.params?.ensure_ascii
        }
      })
    case "file":
      return FileResponse.fromBytes(Uint8Array.from(a.bytes), {
        filename: a.filename,
        asAttachment: a.as_attachment,
        contentType: a.content_type
      })
  }
  throw new Error(c.kind)
}

const TAGS: Record<string, string> = {
  ValueError: "InvalidArgument",
  TypeError: "InvalidArgument",
  UnicodeEncodeError: "InvalidArgument",
  LookupError: "InvalidArgument",
  CookieError: "InvalidArgument",
  AttributeError: "InvalidArgument",
  BadHeaderError: "BadHeaderError",
  DisallowedRedirect: "DisallowedRedirect"
}

const isOverLong = (c: Case) => c.kind === "family" && typeof c.args.url === "string" && c.args.url.length > 2048

// Built without reading any service, then settled (as every interpreter does) under the
// fixture's DEFAULT_CHARSET: what Django's constructor gives under that setting.
describe.each(fixtures)("HttpResponse against Django 3.2 fixtures, DEFAULT_CHARSET %s", (charset, { cases }) => {
  for (const c of cases) {
    if (isOverLong(c)) continue
    it.effect(`${c.kind} ${JSON.stringify(c.args).slice(0, 100)}`, () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(T)
        const exit = yield* Effect.exit(
          Effect.flatMap(run(c), HttpResponse.settle).pipe(
            Effect.provide(Settings.layer({ DEFAULT_CHARSET: charset }))
          )
        )
        if (c.result.ok) {
          expect(Exit.isSuccess(exit) ? describeResponse(exit.value) : exit).toEqual(c.result)
        } else {
          expect(Exit.isFailure(exit)).toBe(true)
          const error = Exit.isFailure(exit)
            ? Option.getOrThrow(
              Exit.causeOption(exit).pipe(Option.flatMap((cause) => Option.fromNullable((cause as any).error)))
            )
            : undefined
          expect((error as { _tag: string })._tag).toBe(TAGS[c.result.error])
          if (c.result.error === "LookupError") {
            expect((error as Error).message.startsWith(c.result.message)).toBe(true)
          } else {
            expect((error as Error).message).toBe(c.result.message)
          }
        }
      }))
  }
})

const succeed = <A, E>(e: Either.Either<A, E>): A => Either.getOrThrowWith(e, (err) => new Error(String(err)))
const failTag = <A, E>(e: Either.Either<A, E>): string => Either.isLeft(e) ? (e.left as { _tag: string })._tag : "none"
const bytes = (s: string) => new TextEncoder().encode(s)

describe("HttpResponse (Django's httpwrappers / responses tests)", () => {
  it.effect("the 2048-character redirect limit (CVE-2025-64458, later than 3.2.25): over-long URLs are refused", () =>
    Effect.gen(function*() {
      const long = fixture.cases.find(isOverLong)!
      const error = yield* Effect.flip(HttpResponse.redirect(long.args.url))
      expect(error._tag).toBe("DisallowedRedirect")
      expect(error.message).toBe("Unsafe redirect exceeding 2048 characters")
      const ok = yield* HttpResponse.redirect("http://example.com/" + "a".repeat(2048 - 19))
      expect(ok.status).toBe(302)
    }))

  it.effect("test_headers_type / test_newlines_in_headers: CR and LF fail when set", () =>
    Effect.gen(function*() {
      const r = yield* HttpResponse.make()
      expect(failTag(HttpResponse.setHeader(r, "test\rstr", "test"))).toBe("BadHeaderError")
      expect(failTag(HttpResponse.setHeader(r, "test\nstr", "test"))).toBe("BadHeaderError")
      expect(failTag(HttpResponse.setHeader(r, "X", "a\r\nSet-Cookie: evil=1"))).toBe("BadHeaderError")
      const ok = succeed(HttpResponse.setHeader(r, "X-Number", 42))
      expect(Option.getOrThrow(HttpResponse.getHeader(ok, "x-number"))).toBe("42")
      expect(HttpResponse.hasHeader(ok, "X-NUMBER")).toBe(true)
      expect(HttpResponse.removeHeader(HttpResponse.removeHeader(ok, "x-number"), "x-number").headers).toEqual(
        r.headers
      )
    }))

  it.effect("test_encoded_with_newlines_in_headers: MIME-encoding never hides a newline", () =>
    Effect.gen(function*() {
      const r = yield* HttpResponse.make()
      expect(failTag(HttpResponse.setHeader(r, "Subject", "†\n"))).toBe("BadHeaderError")
    }))

  it.effect("control characters Node would refuse are typed failures (safer than Django, which lets \\x00 through)", () =>
    Effect.gen(function*() {
      const r = yield* HttpResponse.make()
      expect(failTag(HttpResponse.setHeader(r, "X", "a\u0000b"))).toBe("BadHeaderError")
      expect(failTag(HttpResponse.setHeader(r, "Bad Name", "x"))).toBe("BadHeaderError")
      expect(failTag(HttpResponse.setHeader(r, "X", "a\tb"))).toBe("none")
    }))

  it.effect("test_iter_content: iterables are joined at once, numbers through str()", () =>
    Effect.gen(function*() {
      const r = yield* HttpResponse.make({ content: ["abc", "def", "ghi"] })
      expect(HttpResponse.content(r)).toEqual(bytes("abcdefghi"))
      const n = yield* HttpResponse.make({ content: [1, 2, 3] })
      expect(HttpResponse.content(n)).toEqual(bytes("123"))
      const mixed = yield* HttpResponse.make({ content: [bytes("ab"), "€", 7n] })
      expect(HttpResponse.content(mixed)).toEqual(bytes("ab€7"))
    }))

  it.effect("test_file_interface / test_stream_interface / test_write / test_tell", () =>
    Effect.gen(function*() {
      const r = yield* HttpResponse.make()
      const w = succeed(HttpResponse.write(r, "asdf"))
      expect(HttpResponse.content(w)).toEqual(bytes("asdf"))
      expect(HttpResponse.content(r)).toEqual(new Uint8Array(0)) // the original is unchanged
      const w2 = succeed(HttpResponse.write(w, bytes("qwer")))
      expect(HttpResponse.tell(w2)).toBe(8)
      const lines = succeed(HttpResponse.writeLines(w2, ["foo\n", "bar\n", "baz\n"]))
      expect(HttpResponse.getValue(lines)).toEqual(bytes("asdfqwerfoo\nbar\nbaz\n"))
      expect(HttpResponse.text(lines)).toBe("asdfqwerfoo\nbar\nbaz\n")
    }))

  it.effect("test_unsafe_redirect", () =>
    Effect.gen(function*() {
      for (
        const url of [
          "data:text/html,<script>window.alert('xss')</script>",
          "mailto:test@example.com",
          "file:///etc/passwd"
        ]
      ) {
        const e = yield* Effect.flip(HttpResponse.redirect(url))
        expect(e._tag).toBe("DisallowedRedirect")
        const p = yield* Effect.flip(HttpResponse.permanentRedirect(url))
        expect(p._tag).toBe("DisallowedRedirect")
      }
    }))

  it.effect("test_content_type_mutually_exclusive", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(
        HttpResponse.make({ contentType: "text/html", headers: { "Content-Type": "text/csv" } })
      )
      expect(e.message).toBe(
        "'headers' must not contain 'Content-Type' when the 'content_type' parameter is provided."
      )
    }))

  it.effect("test_not_modified: no Content-Type, content refused", () =>
    Effect.gen(function*() {
      const r = yield* HttpResponse.notModified()
      expect(r.status).toBe(304)
      expect(HttpResponse.hasHeader(r, "content-type")).toBe(false)
      expect(failTag(HttpResponse.setContent(r, "foo"))).toBe("InvalidArgument")
      expect(HttpResponse.content(succeed(HttpResponse.setContent(r, "")))).toEqual(new Uint8Array(0))
    }))

  it.effect("test_not_allowed: Allow header", () =>
    Effect.gen(function*() {
      const r = yield* HttpResponse.notAllowed(["GET"])
      expect(r.status).toBe(405)
      expect(Option.getOrThrow(HttpResponse.getHeader(r, "Allow"))).toBe("GET")
    }))

  it.effect("test_json_response_raises_type_error_with_default_setting", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(HttpResponse.json([1, 2, 3]))
      expect(e.message).toBe("In order to allow non-dict objects to be serialized set the safe parameter to False.")
      const ok = yield* HttpResponse.json([1, 2, 3], { safe: false })
      expect(HttpResponse.text(ok)).toBe("[1, 2, 3]")
    }))

  it.effect("json: Dates as DjangoJSONEncoder writes aware datetimes; unserializable values are typed", () =>
    Effect.gen(function*() {
      const r = yield* HttpResponse.json({
        at: new Date(Date.UTC(2023, 10, 14, 22, 13, 20)),
        ms: new Date(Date.UTC(2023, 0, 1, 0, 0, 0, 123))
      })
      expect(HttpResponse.text(r)).toBe("{\"at\": \"2023-11-14T22:13:20Z\", \"ms\": \"2023-01-01T00:00:00.123Z\"}")
      const e = yield* Effect.flip(HttpResponse.json({ m: new Map() }))
      expect(e.message).toBe("Object of type Map is not JSON serializable")
      const circular: Record<string, unknown> = {}
      circular.self = circular
      expect((yield* Effect.flip(HttpResponse.json(circular))).message).toBe("Circular reference detected")
    }))

  it.effect("test_invalid_status_code / test_reason_phrase / test_charset_detection", () =>
    Effect.gen(function*() {
      expect((yield* Effect.flip(HttpResponse.make({ status: 99 }))).message).toBe(
        "HTTP status code must be an integer from 100 to 599."
      )
      expect((yield* Effect.flip(HttpResponse.make({ status: NaN }))).message).toBe(
        "HTTP status code must be an integer."
      )
      const r = yield* HttpResponse.make({ status: 419 })
      expect(r.reasonPhrase).toBe("Unknown Status Code")
      const custom = yield* HttpResponse.make({ status: 200, reason: "Very OK" })
      expect(custom.reasonPhrase).toBe("Very OK")
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["text/html; charset=utf-8", "utf-8"],
        ["text/html; charset=\"utf-8\"", "utf-8"],
        ["text/html; charset=latin-1", "latin-1"],
        ["text/html;charset=\"UTF-8\"", "UTF-8"],
        ["text/html", "utf-8"]
      ]
      for (const [contentType, charset] of cases) {
        expect((yield* HttpResponse.make({ contentType })).charset).toBe(charset)
      }
      // Building reads no settings: until settled, the default is Django's own, utf-8.
      const unsettled = yield* HttpResponse.make()
      expect(HttpResponse.isSettled(unsettled)).toBe(false)
      expect(unsettled.charset).toBe("utf-8")
      const fromSettings = yield* HttpResponse.settle(unsettled).pipe(
        Effect.provide(Settings.layer({ DEFAULT_CHARSET: "latin-1" }))
      )
      expect(HttpResponse.isSettled(fromSettings)).toBe(true)
      expect(fromSettings.charset).toBe("latin-1")
      expect(Option.getOrThrow(HttpResponse.getHeader(fromSettings, "content-type"))).toBe("text/html; charset=latin-1")
    }))
})

describe("cookies (responses/test_cookie.py)", () => {
  it.effect("test_aware_expiration: a Date becomes max-age (Django adds a second for the time lost converting)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T + 1) // one millisecond passes between computing `expires` and setting it
      const r = yield* ResponseCookies.setCookie(yield* HttpResponse.make(), "datetime", "", {
        expires: new Date(T + 10_000)
      })
      expect(r.cookies[0]!.maxAge).toBe(10)
    }))

  it.effect("test_max_age_expiration and test_max_age_int", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T)
      const r = yield* ResponseCookies.setCookie(yield* HttpResponse.make(), "max_age", "", { maxAge: 10.6 })
      expect(r.cookies[0]!.maxAge).toBe(10)
      expect(r.cookies[0]!.expires).toBe("Tue, 14 Nov 2023 22:13:30 GMT")
    }))

  it.effect("test_invalid_samesite", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(
        ResponseCookies.setCookie(yield* HttpResponse.make(), "example", "", { sameSite: "invalid" })
      )
      expect(e.message).toBe("samesite must be \"lax\", \"none\", or \"strict\".")
    }))

  it.effect("test_create_cookie_after_deleting_cookie: a new cookie starts fresh", () =>
    Effect.gen(function*() {
      let r = yield* HttpResponse.make()
      r = yield* ResponseCookies.setCookie(r, "c", "old-value")
      expect(r.cookies[0]!.expires).toBe("")
      r = yield* ResponseCookies.deleteCookie(r, "c")
      expect(r.cookies[0]!.expires).toBe("Thu, 01 Jan 1970 00:00:00 GMT")
      r = yield* ResponseCookies.setCookie(r, "c", "new-value")
      expect(r.cookies[0]!.expires).toBe("")
      // Django would keep Max-Age=0 from the deletion here; a fresh cookie does not.
      expect(ResponseCookies.setCookieHeaders(r)).toEqual(["c=new-value; Path=/"])
    }))

  it.effect("one name, several paths and domains: each is its own Set-Cookie line", () =>
    Effect.gen(function*() {
      let r = yield* HttpResponse.make()
      r = yield* ResponseCookies.setCookie(r, "c", "1", { path: "/a" })
      r = yield* ResponseCookies.setCookie(r, "c", "2", { path: "/b" })
      r = yield* ResponseCookies.setCookie(r, "c", "3", { path: "/b", domain: "example.com" })
      r = yield* ResponseCookies.setCookie(r, "c", "4", { path: "/a" })
      expect(ResponseCookies.setCookieHeaders(r)).toEqual([
        "c=4; Path=/a",
        "c=2; Path=/b",
        "c=3; Domain=example.com; Path=/b"
      ])
    }))

  it.effect("values and attributes that cannot go on the wire are typed failures", () =>
    Effect.gen(function*() {
      const r = yield* HttpResponse.make()
      expect(
        (yield* Effect.flip(ResponseCookies.setCookie(r, "a", "日本")))
          ._tag
      ).toBe("BadHeaderError")
      expect((yield* Effect.flip(ResponseCookies.setCookie(r, "a", "b", { path: "/\r\nX: y" })))._tag).toBe(
        "BadHeaderError"
      )
      expect((yield* Effect.flip(ResponseCookies.setCookie(r, "a", "b", { maxAge: Infinity })))._tag).toBe(
        "InvalidArgument"
      )
    }))
})

describe("HttpResponse.text and setStatus", () => {
  it.effect("text decodes Latin-1 byte for byte (not as windows-1252)", () =>
    Effect.gen(function*() {
      const r = yield* HttpResponse.make({ content: new Uint8Array([0x80, 0xe9]), charset: "latin-1" })
      expect(HttpResponse.text(r)).toBe("\u0080é")
    }))

  it.effect("setStatus checks the range and keeps a custom reason", () =>
    Effect.gen(function*() {
      const r = yield* HttpResponse.make({ reason: "Fine" })
      const s = succeed(HttpResponse.setStatus(r, 201))
      expect([s.status, s.reasonPhrase]).toEqual([201, "Fine"])
      expect(failTag(HttpResponse.setStatus(r, 600))).toBe("InvalidArgument")
      const d = succeed(HttpResponse.setDefaultHeader(r, "Content-Type", "text/plain"))
      expect(Option.getOrThrow(HttpResponse.getHeader(d, "content-type"))).toBe("text/html; charset=utf-8")
    }))
})

describe("DEFAULT_CHARSET is settled when the response is interpreted (issue 13: constructors are pure values)", () => {
  const latin1Settings = Settings.layer({ DEFAULT_CHARSET: "iso-8859-1", ALLOWED_HOSTS: ["testserver"] })
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

  it.effect("text given without a charset waits for the default; bytes and text with a charset are encoded at once", () =>
    Effect.gen(function*() {
      const res = yield* HttpResponse.make({ content: ["é", new Uint8Array([0xff]), 1] })
      const settled = yield* HttpResponse.settle(res).pipe(Effect.provide(latin1Settings))
      // Django under DEFAULT_CHARSET=iso-8859-1: b'\xe9' + b'\xff' + b'1', text/html; charset=iso-8859-1.
      expect(hex(HttpResponse.content(settled))).toBe("e9ff31")
      expect(Option.getOrThrow(HttpResponse.getHeader(settled, "Content-Type"))).toBe("text/html; charset=iso-8859-1")
      // A settled response is not settled again (another DEFAULT_CHARSET changes nothing).
      expect(yield* HttpResponse.settle(settled)).toBe(settled)
      const given = yield* HttpResponse.make({ content: "é", charset: "utf-16-le" })
      const stillGiven = yield* HttpResponse.settle(given).pipe(Effect.provide(latin1Settings))
      expect(hex(HttpResponse.content(stillGiven))).toBe("e900")
      expect(Option.getOrThrow(HttpResponse.getHeader(stillGiven, "Content-Type"))).toBe("text/html; charset=utf-16-le")
    }))

  it.effect("write after a Content-Type with a charset encodes with that charset, earlier text with the default (Django's order)", () =>
    Effect.gen(function*() {
      const res = yield* HttpResponse.make({ content: "é", contentType: "text/plain" })
      const typed = yield* HttpResponse.setHeader(res, "Content-Type", "text/plain; charset=utf-8")
      const written = yield* HttpResponse.write(typed, "é")
      const settled = yield* HttpResponse.settle(written).pipe(Effect.provide(latin1Settings))
      // Django: the first "é" encoded at construction with DEFAULT_CHARSET, the second by write() with utf-8.
      expect(hex(HttpResponse.content(settled))).toBe("e9c3a9")
      expect(settled.charset).toBe("utf-8")
      // A Content-Type set by the caller is never replaced, even with the default's value.
      const same = yield* HttpResponse.setHeader(
        yield* HttpResponse.make(),
        "Content-Type",
        "text/html; charset=utf-8"
      )
      const kept = yield* HttpResponse.settle(same).pipe(Effect.provide(latin1Settings))
      expect(Option.getOrThrow(HttpResponse.getHeader(kept, "Content-Type"))).toBe("text/html; charset=utf-8")
    }))

  it.effect("text the default charset cannot encode fails when settled, with Python's UnicodeEncodeError message", () =>
    Effect.gen(function*() {
      const res = yield* HttpResponse.make({ content: "€" })
      const error = yield* Effect.flip(HttpResponse.settle(res).pipe(Effect.provide(latin1Settings)))
      expect(error._tag).toBe("InvalidArgument")
      expect(error.message).toBe(
        "'latin-1' codec can't encode character '\\u20ac' in position 0: ordinal not in range(256)"
      )
    }))

  it.effect("a streaming response's text is encoded with the settled charset", () =>
    Effect.gen(function*() {
      const res = yield* StreamingHttpResponse.make(Stream.make("é", new Uint8Array([0x21])))
      const settled = yield* HttpResponse.settle(res).pipe(Effect.provide(latin1Settings))
      const body = yield* Stream.runCollect(StreamingHttpResponse.streamingContent(settled))
      expect(Chunk.toReadonlyArray(body).map(hex)).toEqual(["e9", "21"])
      expect(settled.charset).toBe("iso-8859-1")
    }))

  it.effect("through the handler: middleware see the settled response, the client gets Django's bytes", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const record = Middleware.make((request, getResponse) =>
        Effect.tap(getResponse(request), (response) => {
          if (HttpResponse.isHttpResponse(response)) {
            seen.push(`${response.charset} ${hex(HttpResponse.content(response))}`)
          }
        })
      )
      const site = Handler.make({
        urls: () => HttpResponse.make({ content: "café" }),
        middleware: record
      })
      const client = yield* Client.make(site)
      const response = yield* client.get("/")
      expect(response.headers["content-type"]).toBe("text/html; charset=iso-8859-1")
      expect(hex(response.body)).toBe("636166e9")
      expect(seen).toEqual(["iso-8859-1 636166e9"])
      // Text the default cannot encode is a 500, as Django's constructor raising in the view.
      const failing = yield* Client.make(Handler.make({ urls: () => HttpResponse.make({ content: "€" }) }))
      expect((yield* failing.get("/")).status).toBe(500)
    }).pipe(Effect.provide(latin1Settings)))

  it.effect("GZip.processResponse compresses what will be sent: a response not settled is settled first", () =>
    Effect.gen(function*() {
      const res = yield* StreamingHttpResponse.make(Stream.make("é".repeat(300)))
      const zipped = yield* GZip.processResponse("gzip", res).pipe(Effect.provide(latin1Settings))
      expect(zipped.charset).toBe("iso-8859-1")
      const body = yield* Stream.runCollect(StreamingHttpResponse.streamingContent(zipped))
      const plain = gunzipSync(Buffer.concat(Chunk.toReadonlyArray(body)))
      expect(plain.toString("latin1")).toBe("é".repeat(300))
      expect(plain.length).toBe(300)
    }))

  it.effect("View.toHttpApp and Respondable interpret under the Settings in the context", () =>
    Effect.gen(function*() {
      const res = yield* HttpResponse.make({ content: "é" })
      const platform = yield* res[HttpServerRespondable.symbol]().pipe(Effect.provide(latin1Settings))
      expect(platform.headers["content-type"]).toBe("text/html; charset=iso-8859-1")
      expect(platform.body._tag === "Raw" ? hex(platform.body.body as Uint8Array) : platform.body._tag).toBe("e9")
    }))
})
