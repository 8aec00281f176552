// Property tests for the parsers and encoders behind responses: they never throw, and what they
// produce can be read back.
import * as Cookies from "@effect/platform/Cookies"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Option, Stream } from "effect"
import { FileResponse, HttpResponse, ResponseCookies, StreamingHttpResponse } from "../src/index.js"
import * as cookie from "../src/internal/cookie.js"
import * as json from "../src/internal/python/json.js"
import { floatRepr } from "../src/internal/python/repr.js"
import { reprStr } from "../src/internal/python/repr.js"
import { utf8Encode } from "../src/internal/response.js"
import * as jsonReference from "./utils/jsonReference.js"

/** Reads back a Python-quoted cookie value (http.cookies._unquote). */
const unquote = (s: string): string => {
  if (s.length < 2 || s[0] !== "\"" || s[s.length - 1] !== "\"") return s
  return s.slice(1, -1).replace(
    /\\([0-3][0-7][0-7]|.)/g,
    (_, e: string) => e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : e
  )
}

describe("response encoders and parsers (properties)", () => {
  it("cookie quoting round-trips every Latin-1 value and never emits a control character or ';'", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) }), (v) => {
        const q = cookie.quote(v)
        expect(unquote(q)).toBe(v)
        // eslint-disable-next-line no-control-regex
        expect(/[\u0000-\u001f\u007f-\u00ff;]/.test(q)).toBe(false)
      })
    )
  })

  it("setCookie never throws: a cookie or a typed failure", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.option(fc.string(), { nil: undefined }), (name, value, sameSite) => {
        const res = Either.getOrThrow(HttpResponse.make({}))
        const out = ResponseCookies.setCookieAt(res, name, value, sameSite === undefined ? {} : { sameSite }, 0)
        if (Either.isRight(out)) {
          // eslint-disable-next-line no-control-regex
          expect(/[\r\n\u0000]/.test(ResponseCookies.setCookieHeaders(out.right)[0]!)).toBe(false)
        } else {
          expect(["InvalidArgument", "BadHeaderError"]).toContain(out.left._tag)
        }
      })
    )
  })

  it("setHeader never throws and never lets CR, LF or non-Latin-1 through", () => {
    fc.assert(fc.property(fc.string(), fc.string(), (name, value) => {
      const res = Either.getOrThrow(HttpResponse.make({}))
      const out = HttpResponse.setHeader(res, name, value)
      if (Either.isRight(out)) {
        for (const h of out.right.headers) {
          // eslint-disable-next-line no-control-regex
          expect(/[\r\n\u0000]|[^\u0000-\u00ff]/.test(h.name + h.value)).toBe(false)
        }
      }
    }))
  })

  it("json dumps equals JSON.parse-able text with the same value (ensure_ascii output is ASCII)", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const out = json.dumps(v)
      expect(typeof out).toBe("string")
      // eslint-disable-next-line no-control-regex
      expect(/^[\u0000-\u007f]*$/.test(out as string)).toBe(true)
      // Compared through JSON.stringify, where -0 (Python's float -0.0) and 0 read alike.
      expect(JSON.stringify(JSON.parse(out as string))).toBe(JSON.stringify(v))
    }))
  })

  // The writer is a one-pass rewrite of the plain one kept in test/utils/jsonReference.ts (regular
  // expressions for the escapes, arrays of entries): the same text, or the same failure, for any
  // value and any of json.dumps' options.
  const anyString = fc.oneof(
    fc.string({ unit: "grapheme-composite" }),
    fc.string({ unit: "binary" }),
    fc.string({ unit: fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c)) }),
    fc.constantFrom("\"", "\\", "\u007f", "\ud800", "\udc00x", "\u2028", "é\"\n")
  )
  const { leaf: anyLeaf, tree: anyTree } = fc.letrec((tie) => ({
    leaf: fc.oneof(
      anyString,
      fc.double(),
      fc.integer(),
      fc.constant(-0),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.bigInt(),
      fc.date({ noInvalidDate: false }),
      fc.constant(Symbol.for("x")),
      fc.constant(() => 1)
    ),
    tree: fc.oneof(
      { depthSize: "small" },
      tie("leaf"),
      fc.array(tie("tree"), { maxLength: 4 }),
      fc.dictionary(anyString, tie("tree"), { maxKeys: 4 }),
      fc.array(fc.tuple(fc.oneof(anyString, fc.integer()), tie("tree")), { maxLength: 3 }).map((es) => new Map(es))
    )
  }))
  const anyOptions = fc.record({
    ensureAscii: fc.option(fc.boolean(), { nil: undefined }),
    sortKeys: fc.option(fc.boolean(), { nil: undefined }),
    indent: fc.option(fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constantFrom("", "\t", "--")), { nil: undefined }),
    separators: fc.option(fc.constantFrom([",", ":"] as const, [", ", ": "] as const, [";", "="] as const), {
      nil: undefined
    }),
    allowNan: fc.option(fc.boolean(), { nil: undefined }),
    django: fc.option(fc.boolean(), { nil: undefined }),
    maps: fc.option(fc.boolean(), { nil: undefined }),
    skipUndefined: fc.option(fc.boolean(), { nil: undefined })
  })
  const same = (a: string | { readonly message: string }, b: string | { readonly message: string }) =>
    expect(typeof a === "string" ? a : { failure: a.message }).toEqual(
      typeof b === "string" ? b : { failure: b.message }
    )

  it("json dumps writes what the plain reference writer writes, for any value and options", () => {
    fc.assert(
      fc.property(fc.oneof(anyTree, anyLeaf), anyOptions, (value, options) => {
        same(json.dumps(value, options), jsonReference.dumps(value, options))
      }),
      { numRuns: 2000 }
    )
  })

  it("json encodeString escapes as the plain reference does, with and without ensure_ascii", () => {
    fc.assert(
      fc.property(anyString, fc.boolean(), (s, ensureAscii) => {
        expect(json.encodeString(s, ensureAscii)).toBe(jsonReference.encodeString(s, ensureAscii))
      }),
      { numRuns: 5000 }
    )
  })

  it("httpDate (the last date remembered) writes what the formatter writes, in any order of calls", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.double({ min: -1e13, max: 1e13 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.constant(NaN)),
          { minLength: 1, maxLength: 8 }
        ),
        (times) => {
          for (const t of [...times, ...times]) expect(cookie.httpDate(t)).toBe(cookie.formatHttpDate(Math.floor(t)))
        }
      )
    )
  })

  it("floatRepr round-trips every finite double", () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
      expect(Number(floatRepr(n))).toBe(n)
    }))
  })

  it("reprStr quotes every string and never contains a raw newline", () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const r = reprStr(s)
      expect(r[0] === "'" || r[0] === "\"").toBe(true)
      expect(/[\r\n]/.test(r)).toBe(false)
    }))
  })

  it("parseRange never throws and slices stay inside the file", () => {
    fc.assert(fc.property(fc.string(), fc.nat(1000), (header, size) => {
      const r = FileResponse.parseRange(header, size)
      if (r._tag === "Slice") {
        expect(r.start).toBeGreaterThanOrEqual(0)
        expect(r.end).toBeLessThan(size)
        expect(r.start).toBeLessThanOrEqual(r.end)
      }
    }))
    fc.assert(fc.property(fc.nat(1000), fc.nat(1000), fc.nat(1000), (a, b, size) => {
      const r = FileResponse.parseRange(`bytes=${a}-${b}`, size)
      // RFC 9110 14.1.1: a first position at or past the end is unsatisfiable first of all.
      if (a >= size) expect(r._tag).toBe("Unsatisfiable")
      else if (b < a) expect(r._tag).toBe("Ignore")
      else expect(r).toEqual({ _tag: "Slice", start: a, end: Math.min(b, size - 1) })
    }))
  })

  it("an open range starting at or past the end is unsatisfiable (416), not ignored", () => {
    // A download resumed on a file that is already complete must not get the whole file again.
    expect(FileResponse.parseRange("bytes=10-", 10)._tag).toBe("Unsatisfiable")
    expect(FileResponse.parseRange("bytes=20-", 10)._tag).toBe("Unsatisfiable")
    expect(FileResponse.parseRange("bytes=9-", 10)).toEqual({ _tag: "Slice", start: 9, end: 9 })
  })

  it.effect("a ranged stream gives exactly the requested bytes, whatever the chunking", () =>
    Effect.gen(function*() {
      const data = Uint8Array.from({ length: 50 }, (_, i) => i)
      for (const [start, end, chunk] of [[0, 49, 7], [3, 17, 4], [10, 10, 1], [45, 49, 50], [0, 0, 3]] as const) {
        const chunks: Array<Uint8Array> = []
        for (let i = 0; i < data.length; i += chunk) chunks.push(data.subarray(i, i + chunk))
        const res = yield* FileResponse.fromStream(Stream.fromIterable(chunks), {
          size: data.length,
          request: { Range: `bytes=${start}-${end}` }
        })
        expect(res.status).toBe(206)
        const got = yield* Stream.runCollect(StreamingHttpResponse.streamingContent(res))
        expect(Buffer.concat([...got])).toEqual(Buffer.from(data.subarray(start, end + 1)))
      }
    }))
})

describe("StreamingHttpResponse (test_streaming_response)", () => {
  it.effect("has a streaming flag, no content, encodes strings with the charset, and is read in one pass", () =>
    Effect.gen(function*() {
      const r = yield* StreamingHttpResponse.make(Stream.make("abc", new Uint8Array([100]), "é"), {
        charset: "latin-1"
      })
      expect(r.streaming).toBe(true)
      expect("chunks" in r && r.chunks !== undefined).toBe(false)
      const got = yield* Stream.runCollect(StreamingHttpResponse.streamingContent(r))
      expect(Buffer.concat([...got])).toEqual(Buffer.from([97, 98, 99, 100, 0xe9]))
      // bytes(r) gives the headers only
      expect(Buffer.from(HttpResponse.serializeHeaders(r)).toString("latin1")).toBe(
        "Content-Type: text/html; charset=latin-1"
      )
      // headers and cookies work on it as on any response
      const h = Either.getOrThrow(HttpResponse.setHeader(r, "X-A", "1"))
      expect(h._tag).toBe("StreamingHttpResponse")
    }))
})

describe("FileResponse (responses/test_fileresponse.py)", () => {
  it.effect("test_file_from_buffer_response / test_file_from_buffer_unnamed_attachment", () =>
    Effect.gen(function*() {
      const r = yield* FileResponse.fromBytes(new TextEncoder().encode("binary content"))
      expect(r.headers.map((h) => [h.name, h.value])).toEqual([
        ["Content-Type", "application/octet-stream"],
        ["Content-Length", "14"]
      ])
      const a = yield* FileResponse.fromBytes(new TextEncoder().encode("binary content"), { asAttachment: true })
      expect(a.headers.find((h) => h.name === "Content-Disposition")?.value).toBe("attachment")
    }))

  it.effect("test_content_disposition_escaping and header injection through the file name", () =>
    Effect.gen(function*() {
      const r = yield* FileResponse.fromBytes(new Uint8Array(1), { filename: "multi-part-one\";\" dummy\".txt" })
      expect(r.headers.find((h) => h.name === "Content-Disposition")?.value).toBe(
        "inline; filename=\"multi-part-one\\\";\\\" dummy\\\".txt\""
      )
      const e = yield* Effect.flip(FileResponse.fromBytes(new Uint8Array(1), { filename: "a\r\nX-Evil: 1" }))
      expect(e._tag).toBe("BadHeaderError")
    }))

  it.effect("If-Modified-Since and Range on bytes with a known date", () =>
    Effect.gen(function*() {
      const lastModified = new Date(Date.UTC(2023, 10, 14, 22, 13, 20))
      const data = new TextEncoder().encode("hello world")
      const fresh = yield* FileResponse.fromBytes(data, {
        lastModified,
        request: { "if-modified-since": "Tue, 14 Nov 2023 22:13:20 GMT" }
      })
      expect(fresh.status).toBe(304)
      const stale = yield* FileResponse.fromBytes(data, {
        lastModified,
        request: { "If-Modified-Since": "Tue, 14 Nov 2023 22:13:19 GMT", Range: "bytes=6-" }
      })
      expect(stale.status).toBe(206)
      const body = yield* Stream.runCollect(stale.stream)
      expect(Buffer.concat([...body]).toString()).toBe("world")
      // If-Range with another date: the whole file
      const whole = yield* FileResponse.fromBytes(data, {
        lastModified,
        request: { Range: "bytes=6-", "If-Range": "Mon, 13 Nov 2023 00:00:00 GMT" }
      })
      expect(whole.status).toBe(200)
    }))
})

describe("fast paths agree with the general rules", () => {
  const charsets = fc.constantFrom("utf-8", "utf8", "latin-1", "ascii", "UTF-8")
  // Strings from every plane, with lone surrogates now and then.
  const anyString = fc.string({ unit: fc.oneof(fc.constantFrom("\ud800", "\udc00"), fc.fullUnicode(), fc.char()) })

  it("the short-text UTF-8 encoder gives TextEncoder's bytes, in a buffer of their own", () => {
    const encoder = new TextEncoder()
    // Around the 64-character on-heap limit, ASCII and not, with a non-ASCII character anywhere.
    const latin1 = fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c))
    const texts = fc.oneof(
      fc.string({ unit: fc.char(), maxLength: 70 }),
      fc.string({ unit: fc.oneof(fc.char(), latin1, fc.fullUnicode()), maxLength: 70 }),
      fc.string({ unit: fc.oneof(fc.char(), latin1), minLength: 60, maxLength: 70 })
    )
    fc.assert(
      fc.property(texts, (text) => {
        const bytes = utf8Encode(text)
        expect(bytes).toEqual(encoder.encode(text))
        expect(bytes.byteOffset).toBe(0)
        expect(bytes.buffer.byteLength).toBe(bytes.length)
      }),
      { numRuns: 2000 }
    )
  })

  // Content types valid and not: with and without a charset (quoted too), a header injection,
  // non-Latin-1 text, the empty string, and arbitrary strings.
  const contentTypes = fc.oneof(
    fc.constantFrom(
      "text/plain",
      "text/plain; charset=latin-1",
      "application/json; charset=\"ascii\"",
      "text/csv;charset=UTF-8",
      "text/html\r\nSet-Cookie: x=1",
      "text/plain; charset=\u00e9",
      "text/\u0100",
      ""
    ),
    fc.string({ unit: fc.oneof(fc.char(), fc.constantFrom("\r", "\n", ";", "=", "charset=utf-8")) })
  )

  it("make with only content, charset and content type builds what the general constructor builds, settled under any DEFAULT_CHARSET", () => {
    fc.assert(
      fc.property(
        anyString,
        fc.option(charsets, { nil: undefined }),
        fc.option(contentTypes, { nil: undefined }),
        charsets,
        (content, charset, contentType, dflt) => {
          const options: HttpResponse.Options = {
            content,
            ...(charset === undefined ? {} : { charset }),
            ...(contentType === undefined ? {} : { contentType })
          }
          const simple = Either.flatMap(HttpResponse.make(options), HttpResponse.settleWith(dflt))
          // `status: 200` takes the general path.
          const general = Either.flatMap(HttpResponse.make({ ...options, status: 200 }), HttpResponse.settleWith(dflt))
          if (Either.isRight(general)) {
            expect(Either.isRight(simple)).toBe(true)
            const a = Either.getOrThrow(simple)
            const b = general.right
            expect(a.headers).toEqual(b.headers)
            expect(a.charset).toBe(b.charset)
            expect(a.status).toBe(b.status)
            expect(a.reasonPhrase).toBe(b.reasonPhrase)
            expect(HttpResponse.content(a)).toEqual(HttpResponse.content(b))
          } else {
            expect(Either.isLeft(simple)).toBe(true)
            const e = Either.flip(simple).pipe(Either.getOrThrow)
            expect(e._tag).toBe(general.left._tag)
            expect(e.message).toBe(general.left.message)
          }
        }
      ),
      { numRuns: 1000 }
    )
  })

  it("a token name with a printable ASCII value is stored as given, found in any case", () => {
    const token = fc.string({
      unit: fc.constantFrom(..."!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
      minLength: 1
    })
    const printable = fc.string({ unit: fc.integer({ min: 32, max: 126 }).map((c) => String.fromCharCode(c)) })
    fc.assert(fc.property(token, printable, (name, value) => {
      const res = Either.getOrThrow(HttpResponse.make({}))
      const out = Either.getOrThrow(HttpResponse.setHeader(res, name, value))
      const i = out.headers.findIndex((h) => h.key === name.toLowerCase())
      expect(out.headers[i]).toEqual({ name, value, key: name.toLowerCase() })
      expect(Option.getOrThrow(HttpResponse.getHeader(out, name.toUpperCase()))).toBe(value)
    }))
  })

  it("toServerResponse gives what HttpServerResponse.raw gives for the same status, headers, cookies and body", () => {
    const res = Either.getOrThrow(
      HttpResponse.make(
        { content: "<p>hé</p>", status: 201, headers: { "X-A": "1", "Cache-Control": "no-cache" } }
      )
        .pipe(Either.flatMap((r) => ResponseCookies.setCookieAt(r, "s", "a b", { httpOnly: true }, 0)))
    )
    const ours = Either.getOrThrow(HttpResponse.toServerResponseWith(res, "utf-8"))
    const body = HttpResponse.content(res)
    const theirs = HttpServerResponse.raw(body, {
      status: 201,
      statusText: "Created",
      headers: {
        "content-type": "text/html; charset=utf-8",
        "x-a": "1",
        "cache-control": "no-cache",
        "content-length": String(body.length)
      },
      cookies: ours.cookies
    })
    expect(ours.status).toBe(theirs.status)
    expect(ours.statusText).toBe(theirs.statusText)
    expect({ ...ours.headers }).toEqual({ ...theirs.headers })
    expect(Object.getPrototypeOf(ours.headers)).toBe(Object.getPrototypeOf(theirs.headers))
    expect(ours.body).toEqual(theirs.body)
    expect(Cookies.toSetCookieHeaders(ours.cookies)).toEqual(["s=\"a b\"; HttpOnly; Path=/"])
  })
})
