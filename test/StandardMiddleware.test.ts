/**
 * Django 3.2's standard middleware (ConditionalGetMiddleware, GZipMiddleware, SecurityMiddleware,
 * XFrameOptionsMiddleware), run here on the corpus of requests and responses that
 * scripts/django/middleware.py ran through Django; every header, status, cookie and body compared.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, ConfigProvider, Effect, Either, FastCheck, Option, Stream } from "effect"
import { gunzipSync } from "node:zlib"
import {
  Clickjacking,
  ConditionalGet,
  GZip,
  HttpResponse,
  Middleware,
  RequestFactory,
  Security,
  Settings,
  StreamingHttpResponse,
  View
} from "../src/index.js"
import { ALLOWED_HOSTS, describeResponse, fixtures, request, response } from "./middlewareFixtures.js"

const fromHex = (hex: string) => Buffer.from(hex, "hex")

describe("ConditionalGetMiddleware (fixtures from Django 3.2)", () => {
  it.effect("ETag from the content, 304 keeping only the listed headers and cookies, 412, GET and 2xx only (V62)", () =>
    Effect.gen(function*() {
      expect(fixtures.conditional_get.length).toBeGreaterThan(100)
      for (const c of fixtures.conditional_get) {
        const res = yield* ConditionalGet.processResponse(request(c.request), yield* response(c.response))
        expect(yield* describeResponse(res), JSON.stringify([c.request, c.response])).toEqual(c.result)
      }
    }))

  it.effect("as middleware: the view's answer goes through it", () =>
    Effect.gen(function*() {
      const view = ConditionalGet.middleware(() => HttpResponse.make({ content: "Hello, world!" }))
      const first = yield* view(RequestFactory.get("/"))
      const etag = HttpResponse.isAnyResponse(first) ? Option.getOrThrow(HttpResponse.getHeader(first, "ETag")) : ""
      expect(etag).toBe("\"6cd3556deb0da54bca060b4c39479839\"")
      const second = yield* view(RequestFactory.get("/", { headers: { "If-None-Match": etag } }))
      expect(HttpResponse.isAnyResponse(second) && second.status).toBe(304)
    }))
})

describe("GZipMiddleware (fixtures from Django 3.2)", () => {
  it.effect("Django's conditions, Vary always, weak ETags, kept only if shorter, streams compressed (V63)", () =>
    Effect.gen(function*() {
      let identical = 0
      let compressed = 0
      for (const c of fixtures.gzip) {
        const res = yield* GZip.processResponse(c.accept_encoding ?? "", yield* response(c.response))
        const got = yield* describeResponse(res)
        const label = JSON.stringify([c.accept_encoding, c.response])
        expect({ ...got, body_hex: "" }, label).toEqual({ ...c.result, body_hex: "" })
        const isGzip = Option.getOrNull(HttpResponse.getHeader(res, "Content-Encoding")) === "gzip"
        if (isGzip) {
          compressed++
          expect(gunzipSync(fromHex(got.body_hex)), label).toEqual(gunzipSync(fromHex(c.result.body_hex)))
          if (got.body_hex === c.result.body_hex) identical++
        } else {
          expect(got.body_hex, label).toBe(c.result.body_hex)
        }
      }
      expect(compressed).toBeGreaterThan(20)
      // node:zlib at level 6 with Python's GzipFile framing gives Django's bytes exactly.
      expect(identical).toBe(compressed)
    }))

  it.effect("a streaming body is compressed as it flows: the header comes before the source ends", () =>
    Effect.gen(function*() {
      const source = Stream.fromIterable(["<p>streamed</p>".repeat(50), "tail"]).pipe(Stream.map((s) => Buffer.from(s)))
      const res = yield* StreamingHttpResponse.make(source)
      const out = yield* GZip.processResponse("gzip", res)
      if (out._tag !== "StreamingHttpResponse") throw new Error("expected a streaming response")
      const chunks = Chunk.toArray(yield* Stream.runCollect(out.stream))
      expect(chunks.length).toBeGreaterThan(2)
      expect(Buffer.from(chunks[0]!).toString("hex")).toBe("1f8b08000000000000ff")
      expect(gunzipSync(Buffer.concat(chunks)).toString()).toBe("<p>streamed</p>".repeat(50) + "tail")
      // The stream can be run again (a fresh checksum each time).
      const again = Chunk.toArray(yield* Stream.runCollect(out.stream))
      expect(Buffer.concat(again)).toEqual(Buffer.concat(chunks))
    }))
})

describe("GZip: properties of the compressor", () => {
  it.effect("any bytes in any chunking: the stream gives compressBytes' bytes, the thread pool too, and gunzip gives the input", () =>
    Effect.gen(function*() {
      const samples = FastCheck.sample(
        FastCheck.tuple(
          FastCheck.uint8Array({ maxLength: 3000 }),
          FastCheck.array(FastCheck.nat(400), { maxLength: 8 })
        ),
        { numRuns: 40, seed: 19 }
      )
      for (const [bytes, cuts] of samples) {
        const whole = GZip.compressBytes(bytes)
        expect(gunzipSync(whole)).toEqual(Buffer.from(bytes))
        expect(yield* GZip.compressBytesAsync(bytes)).toEqual(whole)
        const pieces: Array<Uint8Array> = []
        let at = 0
        for (const n of cuts) {
          pieces.push(bytes.subarray(at, Math.min(bytes.length, at + n)))
          at = Math.min(bytes.length, at + n)
        }
        pieces.push(bytes.subarray(at))
        const streamed = Chunk.toArray(yield* Stream.runCollect(GZip.compressStream(Stream.fromIterable(pieces))))
        expect(Buffer.concat(streamed)).toEqual(Buffer.from(whole))
      }
    }))
})

const settingsFrom = (s: Record<string, unknown>): Settings.Settings =>
  Settings.make({ ALLOWED_HOSTS, ...(s as Settings.Input) })

describe("SecurityMiddleware (fixtures from Django 3.2)", () => {
  it.effect("every SECURE_* setting: redirect, exemptions, SSL host, HSTS, nosniff, XSS filter, Referrer-Policy (V64)", () =>
    Effect.gen(function*() {
      for (const c of fixtures.security) {
        const settings = settingsFrom(c.settings)
        const view = Security.middleware(() => response(c.response))
        const out = yield* Effect.either(view(request(c.request, settings)))
        const label = JSON.stringify([c.settings, c.request, c.response])
        if ("error" in c.result) {
          expect(Either.isLeft(out) ? out.left._tag : "no error", label).toBe(c.result.error)
        } else {
          const res = Either.getOrThrow(out)
          if (!HttpResponse.isAnyResponse(res)) throw new Error("expected a response")
          const got = yield* describeResponse(res)
          expect(got, label).toEqual(c.result)
        }
      }
    }))
})

describe("the SECURE_* and X_FRAME_OPTIONS settings", () => {
  it.effect("Django's defaults, and values read from the environment", () =>
    Effect.gen(function*() {
      expect(Settings.defaults).toMatchObject({
        SECURE_BROWSER_XSS_FILTER: false,
        SECURE_CONTENT_TYPE_NOSNIFF: true,
        SECURE_REFERRER_POLICY: "same-origin",
        SECURE_HSTS_SECONDS: 0,
        SECURE_HSTS_INCLUDE_SUBDOMAINS: false,
        SECURE_HSTS_PRELOAD: false,
        SECURE_SSL_REDIRECT: false,
        SECURE_SSL_HOST: null,
        SECURE_REDIRECT_EXEMPT: [],
        X_FRAME_OPTIONS: "DENY"
      })
      const env = new Map([
        ["SECURE_HSTS_SECONDS", "31536000"],
        ["SECURE_HSTS_PRELOAD", "1"],
        ["SECURE_CONTENT_TYPE_NOSNIFF", "0"],
        ["SECURE_REFERRER_POLICY", ""],
        ["SECURE_SSL_HOST", "secure.example.com"],
        ["SECURE_REDIRECT_EXEMPT", "^health/$, ^metrics$"],
        ["X_FRAME_OPTIONS", "sameorigin"]
      ])
      const settings = yield* Effect.withConfigProvider(Settings.fromEnv(), ConfigProvider.fromMap(env))
      expect(settings).toMatchObject({
        SECURE_HSTS_SECONDS: 31536000,
        SECURE_HSTS_PRELOAD: true,
        SECURE_CONTENT_TYPE_NOSNIFF: false,
        SECURE_REFERRER_POLICY: null,
        SECURE_SSL_HOST: "secure.example.com",
        SECURE_REDIRECT_EXEMPT: ["^health/$", "^metrics$"],
        X_FRAME_OPTIONS: "sameorigin",
        SECURE_SSL_REDIRECT: false
      })
      const unset = yield* Effect.withConfigProvider(Settings.fromEnv(), ConfigProvider.fromMap(new Map()))
      expect(unset.SECURE_REFERRER_POLICY).toBe("same-origin")
    }))
})

describe("SecurityMiddleware helpers", () => {
  it("SECURE_REDIRECT_EXEMPT patterns are searched in the path without its leading slashes", () => {
    const settings = Settings.make({ SECURE_REDIRECT_EXEMPT: ["^health/$", "api/"] })
    expect(Security.isRedirectExempt(settings, "//health/")).toBe(true)
    expect(Security.isRedirectExempt(settings, "/v1/api/x")).toBe(true)
    expect(Security.isRedirectExempt(settings, "/health/x")).toBe(false)
  })

  it("the HSTS and Referrer-Policy values the settings give", () => {
    expect(Option.getOrNull(Security.hstsHeader(Settings.make({})))).toBe(null)
    expect(Option.getOrNull(Security.hstsHeader(Settings.make({ SECURE_HSTS_SECONDS: 60, SECURE_HSTS_PRELOAD: true }))))
      .toBe("max-age=60; preload")
    expect(Option.getOrNull(Security.referrerPolicy(Settings.make({ SECURE_REFERRER_POLICY: " a , b" })))).toBe("a,b")
    expect(Option.getOrNull(Security.referrerPolicy(Settings.make({ SECURE_REFERRER_POLICY: null })))).toBe(null)
  })
})

describe("XFrameOptionsMiddleware (fixtures from Django 3.2)", () => {
  it.effect("X_FRAME_OPTIONS upper-cased, default DENY; an existing header or an exempt view is left alone (V65)", () =>
    Effect.gen(function*() {
      for (const c of fixtures.xframe) {
        const settings = Settings.make(c.setting === null ? {} : { X_FRAME_OPTIONS: c.setting })
        const inner: View.View<HttpResponse.MakeError> = () => response(c.response)
        const view = Clickjacking.middleware(c.exempt ? Clickjacking.xframeOptionsExempt(inner) : inner)
        const res = yield* view(request({ method: "GET", path: "/" }, settings))
        if (!HttpResponse.isAnyResponse(res)) throw new Error("expected a response")
        expect(Option.getOrNull(HttpResponse.getHeader(res, "X-Frame-Options")), JSON.stringify(c)).toBe(c.value)
      }
    }))

  it.effect("the exemption survives decorators between the view and the middleware; deny/sameorigin set the header", () =>
    Effect.gen(function*() {
      const page: View.View<HttpResponse.MakeError> = () => HttpResponse.make({ content: "x" })
      const addHeader = Middleware.make<HttpResponse.MakeError>((request, getResponse) =>
        Effect.flatMap(
          getResponse(request),
          (res) => HttpResponse.isAnyResponse(res) ? HttpResponse.setHeader(res, "X-Other", "1") : Effect.succeed(res)
        )
      )
      const exempt = Clickjacking.middleware(addHeader(Clickjacking.xframeOptionsExempt(page)))
      const res = yield* exempt(RequestFactory.get("/"))
      expect(HttpResponse.isAnyResponse(res) && HttpResponse.hasHeader(res, "X-Frame-Options")).toBe(false)
      expect(HttpResponse.isAnyResponse(res) && HttpResponse.hasHeader(res, "X-Other")).toBe(true)
      const same = yield* Clickjacking.middleware(Clickjacking.xframeOptionsSameorigin(page))(RequestFactory.get("/"))
      expect(HttpResponse.isAnyResponse(same) && Option.getOrNull(HttpResponse.getHeader(same, "X-Frame-Options")))
        .toBe("SAMEORIGIN")
      const deny = yield* Clickjacking.xframeOptionsDeny(page)(RequestFactory.get("/"))
      expect(HttpResponse.isAnyResponse(deny) && Option.getOrNull(HttpResponse.getHeader(deny, "X-Frame-Options")))
        .toBe("DENY")
      // Without the middleware, the exemption decorator changes nothing.
      const alone = yield* Clickjacking.xframeOptionsExempt(page)(RequestFactory.get("/"))
      expect(HttpResponse.isAnyResponse(alone) && HttpResponse.hasHeader(alone, "X-Frame-Options")).toBe(false)
    }))
})
