/**
 * Property tests: the body reader never loses or invents bytes whatever the
 * chunking and read sizes, and building a request or its URLs never throws.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, FastCheck as fc, Stream } from "effect"
import { HttpRequest, MultiValueDict, QueryDict, Settings } from "../src/index.js"
import { matchPost, postIfParsed } from "../src/internal/httpRequest.js"
import { parseHeader, wsgiBytes } from "../src/internal/meta.js"
import { urljoin } from "../src/internal/urljoin.js"

const chunked = (body: Uint8Array, cuts: ReadonlyArray<number>) => {
  const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b)
  const chunks: Array<Uint8Array> = []
  let prev = 0
  for (const p of [...points, body.length]) {
    chunks.push(body.subarray(prev, p))
    prev = p
  }
  return Stream.fromIterable(chunks)
}

const concat = (parts: ReadonlyArray<Uint8Array>) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

type Op = { readonly _tag: "read"; readonly n: number } | { readonly _tag: "line"; readonly n: number }

describe("body reader (property)", () => {
  it("reads, lines and chunks return exactly the body, limited by Content-Length", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }).map((b) => b.map((x) => (x % 3 === 0 ? 10 : x))),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.option(fc.nat({ max: 250 }), { nil: undefined }),
        fc.array(
          fc.oneof(
            fc.record({ _tag: fc.constant("read" as const), n: fc.integer({ min: -1, max: 40 }) }),
            fc.record({ _tag: fc.constant("line" as const), n: fc.integer({ min: -1, max: 40 }) })
          ),
          { maxLength: 12 }
        ),
        (body, cuts, length, ops: ReadonlyArray<Op>) => {
          const expected = length === undefined ? body : body.subarray(0, Math.min(length, body.length))
          const r = HttpRequest.make({
            method: "POST",
            path: "/",
            headers: length === undefined ? [] : [["Content-Length", String(length)]],
            body: chunked(body, cuts),
            settings: Settings.make({ DATA_UPLOAD_MAX_MEMORY_SIZE: null })
          })
          const got = Effect.runSync(Effect.gen(function*() {
            const parts: Array<Uint8Array> = []
            for (const op of ops) {
              const part = op._tag === "read"
                ? yield* HttpRequest.read(r, op.n < 0 ? undefined : op.n)
                : yield* HttpRequest.readLine(r, op.n < 0 ? undefined : op.n)
              if (op.n >= 0) expect(part.length).toBeLessThanOrEqual(op.n)
              if (op._tag === "line") {
                const nl = part.indexOf(10)
                expect(nl === -1 || nl === part.length - 1).toBe(true)
              }
              parts.push(part)
            }
            const rest = yield* Stream.runCollect(HttpRequest.lines(r))
            return concat([...parts, ...Chunk.toReadonlyArray(rest)])
          }))
          expect([...got]).toEqual([...expected])
        }
      )
    )
  })

  // A body already in memory (the test client's bytes) is read whole without a stream; Django's
  // rules must not change with it: Content-Length cuts the body (LimitedStream), and
  // DATA_UPLOAD_MAX_MEMORY_SIZE refuses it (RequestDataTooBig), as for the same bytes streamed.
  it("body from bytes in memory equals body from the same bytes streamed, limits included", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 120 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.option(fc.nat({ max: 150 }), { nil: undefined }),
        fc.option(fc.nat({ max: 150 }), { nil: null }),
        (body, cuts, length, maxMemory) => {
          const make = (source: Uint8Array | Stream.Stream<Uint8Array>) =>
            HttpRequest.make({
              method: "POST",
              path: "/",
              headers: length === undefined ? [] : [["Content-Length", String(length)]],
              body: source,
              settings: Settings.make({ DATA_UPLOAD_MAX_MEMORY_SIZE: maxMemory })
            })
          const run = (r: HttpRequest.HttpRequest) => Effect.runSync(Effect.either(Effect.map(r.body, (b) => [...b])))
          const inMemory = make(body)
          const whole = run(inMemory)
          expect(Either.mapLeft(whole, (e) => e._tag)).toEqual(
            Either.mapLeft(run(make(chunked(body, cuts))), (e) => e._tag)
          )
          if (Either.isRight(whole)) {
            // read again and replayed by the stream reads
            expect(run(inMemory)).toEqual(whole)
            const replay = Effect.runSync(Stream.runCollect(HttpRequest.chunks(inMemory, 7)))
            expect([...concat([...replay])]).toEqual(whole.right)
          }
        }
      )
    )
  })

  it("body, then reads: reads replay the body from its start", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.array(fc.nat(), { maxLength: 5 }), (body, cuts) => {
        const r = HttpRequest.make({ method: "POST", path: "/", body: chunked(body, cuts) })
        const [whole, replay] = Effect.runSync(
          Effect.all([r.body, Effect.map(Stream.runCollect(HttpRequest.chunks(r, 7)), (c) => concat([...c]))])
        )
        expect([...whole]).toEqual([...body])
        expect([...replay]).toEqual([...body])
      })
    )
  })
})

describe("never throws (property)", () => {
  it("make, paths, META, headers, COOKIES, repr and absolute URIs", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 30 }),
        fc.string({ unit: "binary", maxLength: 30 }),
        fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ unit: "binary", maxLength: 20 })), {
          maxLength: 5
        }),
        fc.string({ unit: "binary", maxLength: 20 }),
        (path, query, headers, location) => {
          const r = HttpRequest.make({ method: "get", path, queryString: query, headers })
          void r.META
          void r.COOKIES
          void r.headers.toRecord()
          void String(r)
          HttpRequest.getFullPath(r, { forceAppendSlash: true })
          const e = Effect.runSync(
            Effect.either(HttpRequest.buildAbsoluteUri(r, location)).pipe(
              Effect.provide(Settings.layer({ ALLOWED_HOSTS: ["*"] }))
            )
          )
          return Either.isRight(e) || e.left._tag === "DisallowedHost"
        }
      )
    )
  })

  it("urljoin and parseHeader", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        urljoin(a, b)
        parseHeader(a)
        return true
      })
    )
  })
})

describe("GET of an ASCII query string (property)", () => {
  // Under UTF-8 the request parses an ASCII query string as it is, without WSGI's bytes round
  // trip (Django: `QueryDict(environ['QUERY_STRING'])` of the Latin-1 text's bytes): the same
  // lists either way, and the same as for the request's own encoding when that is not UTF-8.
  const ascii = fc.string({ unit: fc.constantFrom(..."a=&+%2F;Z9 ?\u0000".split("")), maxLength: 30 })
  const hex = fc.string({ unit: fc.constantFrom(..."%C3A9F0=&a".split("")), maxLength: 30 })
  it("lists equal those of the bytes path, percent escapes and invalid UTF-8 included", () => {
    fc.assert(fc.property(fc.oneof(ascii, hex), (qs) => {
      const viaBytes = QueryDict.parse(wsgiBytes(qs), { encoding: "utf-8" })
      const request = HttpRequest.make({ method: "GET", path: "/", queryString: qs })
      expect(Either.map(request.GET, QueryDict.lists)).toEqual(Either.map(viaBytes, QueryDict.lists))
      const latin = HttpRequest.withEncoding(request, "iso-8859-1")
      expect(Either.map(latin.GET, QueryDict.lists)).toEqual(
        Either.map(QueryDict.parse(wsgiBytes(qs), { encoding: "iso-8859-1" }), QueryDict.lists)
      )
    }))
  })
})

describe("request.POST from bytes in memory (property)", () => {
  // A form body in memory (the test client's, RequestFactory's) is parsed in place, without an
  // effect run, a lock or the request's scope. Django's `_load_post_and_files` must not change
  // with it: Content-Length cuts the body (LimitedStream), DATA_UPLOAD_MAX_MEMORY_SIZE refuses it
  // (RequestDataTooBig), DATA_UPLOAD_MAX_NUMBER_FIELDS (TooManyFieldsSent), the request's
  // encoding decodes it, a body that is not a form (or not a POST) gives an empty POST: the same
  // as the same bytes streamed (the general path: `body` read from a stream, then parsed).
  const formText = fc.array(
    fc.tuple(
      fc.stringMatching(/^[a-z%+=&;é]{0,6}$/),
      fc.stringMatching(/^[a-zA-Z0-9%+=&;é ]{0,8}$/)
    ),
    { maxLength: 6 }
  ).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&"))
  const bytesOf = (text: string, latin1: boolean) =>
    latin1 ? Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff) : new TextEncoder().encode(text)

  it("POST from bytes in memory equals POST from the same bytes streamed, limits and encoding included", () => {
    fc.assert(
      fc.property(
        formText,
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.option(fc.nat({ max: 80 }), { nil: undefined }),
        fc.option(fc.nat({ max: 80 }), { nil: null }),
        fc.option(fc.nat({ max: 6 }), { nil: null }),
        fc.constantFrom(null, "utf-8", "latin-1"),
        fc.constantFrom(
          "application/x-www-form-urlencoded",
          "application/x-www-form-urlencoded; charset=utf-8",
          "text/plain"
        ),
        fc.constantFrom("POST", "PUT"),
        (text, latin1, cuts, length, maxMemory, maxFields, encoding, contentType, method) => {
          const body = bytesOf(text, latin1)
          const make = (source: Uint8Array | Stream.Stream<Uint8Array>) => {
            const request = HttpRequest.make({
              method,
              path: "/",
              headers: [
                ["Content-Type", contentType],
                ...(length === undefined ? [] : [["Content-Length", String(length)] as const])
              ],
              body: source,
              settings: Settings.make({
                DATA_UPLOAD_MAX_MEMORY_SIZE: maxMemory,
                DATA_UPLOAD_MAX_NUMBER_FIELDS: maxFields
              })
            })
            return encoding === null ? request : HttpRequest.withEncoding(request, encoding)
          }
          const shown = (
            post: Either.Either<QueryDict.QueryDict, { readonly _tag: string; readonly message: string }>
          ) =>
            Either.match(post, {
              onLeft: (e) => ({ error: e._tag, message: e.message }),
              onRight: (q) => ({ encoding: q.encoding, lists: MultiValueDict.lists(q) })
            })
          const run = (r: HttpRequest.HttpRequest) => shown(Effect.runSync(Effect.either(r.POST)))
          const inMemory = make(body)
          // The CSRF check's seam reads it without running an effect, before any read.
          const seen = postIfParsed(inMemory)
          expect(seen).toBeDefined()
          const general = run(make(chunked(body, cuts)))
          expect(shown(seen!)).toEqual(general)
          // The CSRF check's read of a POST not parsed yet (`matchPost`): the same outcome.
          expect(shown(Effect.runSync(matchPost(make(chunked(body, cuts)), Effect.succeed)))).toEqual(general)
          expect(run(inMemory)).toEqual(general)
          // Kept: read again, the same.
          expect(run(inMemory)).toEqual(general)
        }
      )
    )
  })

  it("POST after body was read in memory equals POST after the same body streamed", () => {
    fc.assert(
      fc.property(formText, fc.array(fc.nat(), { maxLength: 4 }), (text, cuts) => {
        const body = bytesOf(text, false)
        const make = (source: Uint8Array | Stream.Stream<Uint8Array>) =>
          HttpRequest.make({
            method: "POST",
            path: "/",
            headers: [["Content-Type", "application/x-www-form-urlencoded"]],
            body: source
          })
        const run = (r: HttpRequest.HttpRequest) =>
          Effect.runSync(Effect.map(Effect.zip(r.body, r.POST), ([b, q]) => [[...b], MultiValueDict.lists(q)]))
        expect(run(make(body))).toEqual(run(make(chunked(body, cuts))))
      })
    )
  })
})
