import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Equal, FastCheck as fc, Option, Schema } from "effect"
import { readFileSync } from "node:fs"
import { MultiValueDict, QueryDict } from "../src/index.js"
import { shapeOf, toInput } from "../src/internal/decode.js"
import type { Internal } from "../src/internal/multiValueDict.js"
import { unquoteUtf8 } from "../src/internal/queryString.js"

interface FixtureCase {
  readonly input?: string
  readonly bytes?: string
  readonly encoding: string
  readonly maxNumFields: number | null
  readonly error?: readonly [string, string]
  readonly lists?: ReadonlyArray<readonly [string, ReadonlyArray<string>]>
  readonly urlencode?: string | null
  readonly urlencodeSlash?: string | null
  readonly urlencodeWide?: string | null
}

const fixture: {
  readonly django: string
  readonly cases: ReadonlyArray<FixtureCase>
  readonly keyErrors: ReadonlyArray<readonly [string, string, string]>
} = JSON.parse(
  readFileSync(new URL("./fixtures/querydict.json", import.meta.url), "utf8")
)

const hexBytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, "hex"))

const parseOk = (input: string | Uint8Array, options?: QueryDict.ParseOptions): QueryDict.QueryDict =>
  Either.getOrThrow(QueryDict.parse(input, options))

describe("QueryDict", () => {
  // Fixtures from scripts/django/querydict.py: Django 3.2's QueryDict(...).lists() and urlencode().
  describe(`equals Django ${fixture.django} on ${fixture.cases.length} inputs`, () => {
    it("has at least 200 cases", () => {
      expect(fixture.cases.length).toBeGreaterThanOrEqual(200)
    })
    fixture.cases.forEach((c, i) => {
      const input = c.bytes !== undefined ? hexBytes(c.bytes) : c.input!
      const label = `#${i} ${c.encoding} ${JSON.stringify(c.input ?? c.bytes).slice(0, 60)}`
      it(label, () => {
        const result = QueryDict.parse(input, { encoding: c.encoding, maxNumFields: c.maxNumFields })
        if (c.error !== undefined) {
          expect(Either.isLeft(result)).toBe(true)
          if (Either.isLeft(result)) {
            expect(result.left._tag).toBe(c.error[0])
            expect(result.left.message).toBe(c.error[1])
          }
          return
        }
        const q = Either.getOrThrow(result)
        expect(q.encoding).toBe(c.encoding)
        expect(QueryDict.lists(q)).toEqual(c.lists)
        if (c.urlencode != null) expect(QueryDict.urlencode(q)).toBe(c.urlencode)
        if (c.urlencodeSlash != null) expect(QueryDict.urlencode(q, { safe: "/" })).toBe(c.urlencodeSlash)
        if (c.urlencodeWide != null) {
          expect(QueryDict.urlencode(q, { safe: ":/?#[]@!$'()*+,;=" })).toBe(c.urlencodeWide)
        }
      })
    })
  })

  // Fixtures: Django's MultiValueDictKeyError message is repr(key).
  it("getOrFail's message is Python's repr of the key, as Django's", () => {
    expect(fixture.keyErrors.length).toBeGreaterThan(10)
    for (const [key, tag, message] of fixture.keyErrors) {
      const result = QueryDict.getOrFail(QueryDict.empty(), key)
      expect(Either.isLeft(result) && [result.left._tag, result.left.message]).toEqual([tag, message])
    }
  })

  // Django: django-reference §1, verified on 3.2.
  it("parses Django's documented example", () => {
    const q = parseOk("a=1;b=2&c=%20+x&d&=e&f=&&")
    expect(QueryDict.lists(q)).toEqual([["a", ["1;b=2"]], ["c", ["  x"]], ["d", [""]], ["", ["e"]], ["f", [""]]])
  })

  it("counts fields before parsing, a trailing & included, and fails with TooManyFieldsSent", () => {
    const result = QueryDict.parse("a=1&", { maxNumFields: 1 })
    expect(Either.isLeft(result) && result.left._tag).toBe("TooManyFieldsSent")
    expect(Either.isLeft(result) && result.left.message).toBe(
      "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
    )
    expect(Either.isLeft(result) && result.left.status).toBe(400)
    // 1000 by default, as Django's DATA_UPLOAD_MAX_NUMBER_FIELDS.
    expect(Either.isRight(QueryDict.parse("&".repeat(999)))).toBe(true)
    expect(Either.isLeft(QueryDict.parse("&".repeat(1000)))).toBe(true)
    expect(Either.isRight(QueryDict.parse("&".repeat(5000), { maxNumFields: null }))).toBe(true)
  })

  // httpwrappers.QueryDictTests.test_single_key_value
  it("single key and value", () => {
    const q = parseOk("foo=bar")
    expect(QueryDict.getOrFail(q, "foo")).toEqual(Either.right("bar"))
    const missing = QueryDict.getOrFail(q, "bar")
    expect(Either.isLeft(missing) && missing.left._tag).toBe("MultiValueDictKeyError")
    expect(Either.isLeft(missing) && missing.left.message).toBe("'bar'")
    expect(QueryDict.getList(q, "foo")).toEqual(["bar"])
    expect(QueryDict.getList(q, "bar")).toEqual([])
    expect(QueryDict.get(q, "foo")).toEqual(Option.some("bar"))
    expect(QueryDict.get(q, "bar")).toEqual(Option.none())
    expect(QueryDict.has(q, "foo")).toBe(true)
    expect(QueryDict.has(q, "bar")).toBe(false)
    expect(QueryDict.items(q)).toEqual([["foo", "bar"]])
    expect(QueryDict.lists(q)).toEqual([["foo", ["bar"]]])
    expect(QueryDict.keys(q)).toEqual(["foo"])
    expect(QueryDict.values(q)).toEqual(["bar"])
    expect(QueryDict.size(q)).toBe(1)
    expect(QueryDict.urlencode(q)).toBe("foo=bar")
  })

  // httpwrappers.QueryDictTests.test_immutability: Django raises AttributeError on every mutator of
  // request.GET; here every mutator returns a new value and the original never changes.
  it("never changes: every mutator returns a new QueryDict", () => {
    const q = parseOk("foo=bar")
    const mutated = [
      QueryDict.set(q, "foo", "x"),
      QueryDict.setList(q, "foo", ["x"]),
      QueryDict.appendList(q, "foo", "x"),
      QueryDict.update(q, { foo: "x" }),
      QueryDict.remove(q, "foo"),
      QueryDict.pop(q, "foo")[1],
      QueryDict.setDefault(q, "new", "x")[1],
      QueryDict.setListDefault(q, "new", ["x"])[1],
      QueryDict.clear(q)
    ]
    for (const m of mutated) {
      expect(QueryDict.isQueryDict(m)).toBe(true)
      expect(Equal.equals(m, q)).toBe(false)
    }
    expect(QueryDict.lists(q)).toEqual([["foo", ["bar"]]])
  })

  // httpwrappers.QueryDictTests.test_urlencode
  it("urlencode with and without safe", () => {
    let q = QueryDict.set(QueryDict.empty(), "next", "/a&b/")
    expect(QueryDict.urlencode(q)).toBe("next=%2Fa%26b%2F")
    expect(QueryDict.urlencode(q, { safe: "/" })).toBe("next=/a%26b/")
    q = QueryDict.set(q, "next", "/t\xebst&key/")
    expect(QueryDict.urlencode(q)).toBe("next=%2Ft%C3%ABst%26key%2F")
    expect(QueryDict.urlencode(q, { safe: "/" })).toBe("next=/t%C3%ABst%26key/")
    // django-reference §1
    q = QueryDict.fromEntries([["next", "/a&b/ é"]])
    expect(q.pipe(QueryDict.urlencode())).toBe("next=%2Fa%26b%2F+%C3%A9")
    expect(q.pipe(QueryDict.urlencode({ safe: "/" }))).toBe("next=/a%26b/%20%C3%A9")
  })

  // Where Django raises UnicodeEncodeError, urlencode writes `?` (Python's errors='replace').
  it("urlencode replaces what the encoding cannot represent with ?", () => {
    expect(QueryDict.urlencode(QueryDict.fromEntries([["a", "x\ud800y😀"]]))).toBe("a=x%3Fy%F0%9F%98%80")
    expect(QueryDict.urlencode(QueryDict.fromEntries([["a", "é€😀"]], "latin-1"))).toBe("a=%E9%3F%3F")
  })

  // httpwrappers.QueryDictTests.test_urlencode_int: values are strings here; numbers are stringified first.
  it("urlencode of a stringified number", () => {
    expect(QueryDict.urlencode(QueryDict.set(QueryDict.empty(), "a", String(1)))).toBe("a=1")
  })

  // httpwrappers.QueryDictTests.test_basic_mutable_operations
  it("basic operations, persistently", () => {
    let q = QueryDict.set(QueryDict.empty(), "name", "john")
    expect(Option.getOrElse(QueryDict.get(q, "foo"), () => "default")).toBe("default")
    expect(QueryDict.get(q, "name")).toEqual(Option.some("john"))
    expect(QueryDict.getList(q, "name")).toEqual(["john"])
    expect(QueryDict.getList(q, "foo")).toEqual([])
    q = QueryDict.setList(q, "foo", ["bar", "baz"])
    expect(QueryDict.get(q, "foo")).toEqual(Option.some("baz"))
    expect(QueryDict.getList(q, "foo")).toEqual(["bar", "baz"])
    q = QueryDict.appendList(q, "foo", "another")
    expect(QueryDict.getList(q, "foo")).toEqual(["bar", "baz", "another"])
    expect(QueryDict.getOrFail(q, "foo")).toEqual(Either.right("another"))
    expect(QueryDict.has(q, "foo")).toBe(true)
    expect(QueryDict.items(q)).toEqual([["name", "john"], ["foo", "another"]])
    expect(QueryDict.lists(q)).toEqual([["name", ["john"]], ["foo", ["bar", "baz", "another"]]])
    expect(QueryDict.keys(q)).toEqual(["name", "foo"])
    expect(QueryDict.values(q)).toEqual(["john", "another"])
    expect(QueryDict.size(q)).toBe(2)
    q = QueryDict.update(q, { foo: "hello" })
    expect(QueryDict.get(q, "foo")).toEqual(Option.some("hello"))
    expect(QueryDict.getList(q, "foo")).toEqual(["bar", "baz", "another", "hello"])
    const [popped, rest] = QueryDict.pop(q, "foo")
    expect(popped).toEqual(Option.some(["bar", "baz", "another", "hello"]))
    expect(QueryDict.pop(rest, "foo")[0]).toEqual(Option.none())
    const [value, withDefault] = QueryDict.setDefault(rest, "foo", "bar")
    expect(value).toEqual(Option.some("bar"))
    expect(QueryDict.getList(withDefault, "foo")).toEqual(["bar"])
    expect(QueryDict.urlencode(withDefault)).toBe("name=john&foo=bar")
    expect(QueryDict.size(QueryDict.clear(withDefault))).toBe(0)
  })

  // httpwrappers.QueryDictTests.test_multiple_keys
  it("multiple values for a key", () => {
    const q = parseOk("vote=yes&vote=no")
    expect(QueryDict.getOrFail(q, "vote")).toEqual(Either.right("no"))
    expect(QueryDict.get(q, "vote")).toEqual(Option.some("no"))
    expect(QueryDict.getList(q, "vote")).toEqual(["yes", "no"])
    expect(QueryDict.getList(q, "foo")).toEqual([])
    expect(QueryDict.items(q)).toEqual([["vote", "no"]])
    expect(QueryDict.lists(q)).toEqual([["vote", ["yes", "no"]]])
    expect(QueryDict.keys(q)).toEqual(["vote"])
    expect(QueryDict.values(q)).toEqual(["no"])
    expect(QueryDict.size(q)).toBe(1)
  })

  // httpwrappers.QueryDictTests.test_update_from_querydict
  it("update extends from another QueryDict", () => {
    const x = parseOk("a=1&a=2")
    const y = parseOk("a=3&a=4")
    expect(QueryDict.getList(QueryDict.update(x, y), "a")).toEqual(["1", "2", "3", "4"])
    expect(QueryDict.getList(x.pipe(QueryDict.update([["a", "5"], ["b", "6"]])), "a")).toEqual(["1", "2", "5"])
  })

  // httpwrappers.QueryDictTests.test_non_default_encoding
  it("a non-default encoding decodes and re-encodes", () => {
    const q = parseOk("cur=%A4", { encoding: "iso-8859-15" })
    expect(q.encoding).toBe("iso-8859-15")
    expect(QueryDict.items(q)).toEqual([["cur", "€"]])
    expect(QueryDict.urlencode(q)).toBe("cur=%A4")
    const q2 = QueryDict.set(q, "cur", "€")
    expect(q2.encoding).toBe("iso-8859-15")
    expect(QueryDict.urlencode(q2)).toBe("cur=%A4")
    expect(QueryDict.urlencode(QueryDict.withEncoding(q2, "utf-8"))).toBe("cur=%E2%82%AC")
  })

  // Python's latin-1 is ISO-8859-1, not the windows-1252 WHATWG maps the label to.
  it("latin-1 is true ISO-8859-1 on 0x80-0x9F", () => {
    const q = parseOk("a=%80%9F", { encoding: "latin-1" })
    expect(QueryDict.getList(q, "a")).toEqual(["\x80\x9f"])
    expect(QueryDict.getList(parseOk("a=%80", { encoding: "cp1252" }), "a")).toEqual(["€"])
  })

  // httpwrappers.QueryDictTests.test_querydict_fromkeys
  it("fromKeys equals the parsed blank keys", () => {
    expect(Equal.equals(QueryDict.fromKeys(["key1", "key2", "key3"]), parseOk("key1&key2&key3"))).toBe(true)
    expect(QueryDict.getList(QueryDict.fromKeys(["a", "a"], "v"), "a")).toEqual(["v", "v"])
  })

  // httpwrappers.QueryDictTests.test_fromkeys_with_nondefault_encoding
  it("fromKeys keeps a non-default encoding", () => {
    const q = QueryDict.fromKeys(["cur€"], "", "iso-8859-15")
    expect(q.encoding).toBe("iso-8859-15")
    expect(QueryDict.urlencode(q)).toBe("cur%A4=")
    expect(Equal.equals(q, parseOk("cur%A4", { encoding: "iso-8859-15" }))).toBe(true)
  })

  it("bytes fall back to ISO-8859-1 when not valid in the encoding", () => {
    const q = parseOk(Uint8Array.of(0x61, 0x3d, 0xe9, 0x26, 0x62, 0x3d, 0x25, 0x43, 0x33, 0x25, 0x41, 0x39))
    expect(QueryDict.lists(q)).toEqual([["a", ["é"]], ["b", ["é"]]])
  })

  it("decodes with a schema: scalars take the last value, arrays every value", () => {
    const Search = Schema.Struct({
      q: Schema.String,
      page: Schema.optional(Schema.NumberFromString),
      tag: Schema.Array(Schema.String)
    })
    const q = parseOk("q=first&q=effect&tag=a&tag=b&page=2&other=x")
    expect(Effect.runSync(QueryDict.decode(Search)(q))).toEqual({ q: "effect", page: 2, tag: ["a", "b"] })
    expect(QueryDict.decodeEither(Search)(parseOk("q=x"))).toEqual(Either.right({ q: "x", tag: [] }))
    const failed = QueryDict.decodeEither(Search)(parseOk("page=x&tag=1"))
    expect(Either.isLeft(failed) && failed.left._tag).toBe("ParseError")
    expect(Either.isLeft(failed) && failed.left.message).toContain("[\"q\"]")
    const badPage = QueryDict.decodeEither(Search)(parseOk("q=a&page=nope"))
    expect(Either.isLeft(badPage) && badPage.left.message).toContain("[\"page\"]")
    // A MultiValueDict of anything (FILES) decodes the same way.
    const files = MultiValueDict.fromEntries([["f", 1], ["f", 2]])
    const Files = Schema.Struct({ f: Schema.Array(Schema.Number), g: Schema.optional(Schema.Number) })
    expect(MultiValueDict.decodeEither(Files)(files)).toEqual(Either.right({ f: [1, 2] }))
  })

  describe("decode gives what Schema.decodeUnknown gives (its decoder is made once per schema and options)", () => {
    const Search = Schema.Struct({
      q: Schema.String,
      page: Schema.optional(Schema.NumberFromString.pipe(Schema.int())),
      tag: Schema.Array(Schema.NumberFromString)
    })
    const input = (q: QueryDict.QueryDict) => {
      const out: Record<string, unknown> = {}
      const last = QueryDict.get(q, "q")
      if (Option.isSome(last)) out.q = last.value
      const page = QueryDict.get(q, "page")
      if (Option.isSome(page)) out.page = page.value
      out.tag = QueryDict.getList(q, "tag")
      return out
    }
    const word = fc.constantFrom("1", "2", "x", "", "3.5", "-4")
    const qs = fc.array(fc.tuple(fc.constantFrom("q", "page", "tag", "other"), word), { maxLength: 8 }).map((es) =>
      es.map(([k, v]) => `${k}=${v}`).join("&")
    )

    it("property: the same success or the same ParseError (first and all errors), run after run", () =>
      fc.assert(fc.property(qs, fc.constantFrom(undefined, { errors: "all" } as const), (text, options) => {
        const q = parseOk(text)
        const expected = Effect.runSync(Effect.either(Schema.decodeUnknown(Search, options)(input(q))))
        for (let run = 0; run < 2; run++) {
          expect(Effect.runSync(Effect.either(QueryDict.decode(Search, options)(q)))).toEqual(expected)
        }
      })))

    it.effect("an effectful schema with requirements decodes through the Effect path, with the service", () =>
      Effect.gen(function*() {
        class Prefix extends Effect.Tag("test/Prefix")<Prefix, string>() {}
        const Prefixed = Schema.transformOrFail(Schema.String, Schema.String, {
          strict: true,
          decode: (s) => Effect.zipRight(Effect.yieldNow(), Effect.map(Prefix, (p) => p + s)),
          encode: (s) => Effect.succeed(s)
        })
        const S = Schema.Struct({ name: Prefixed, n: Schema.optional(Schema.NumberFromString) })
        const q = parseOk("name=ada&n=2")
        for (const options of [undefined, { errors: "all" } as const]) {
          const decoded = yield* QueryDict.decode(S, options)(q).pipe(Effect.provideService(Prefix, "dr "))
          expect(decoded).toEqual({ name: "dr ada", n: 2 })
          const failed = yield* Effect.flip(
            QueryDict.decode(S, options)(parseOk("name=ada&n=x")).pipe(Effect.provideService(Prefix, "dr "))
          )
          const expected = yield* Effect.flip(
            Schema.decodeUnknown(S, options)({ name: "ada", n: "x" }).pipe(Effect.provideService(Prefix, "dr "))
          )
          expect(failed).toEqual(expected)
        }
      }))

    it("a `__proto__` key reaches the schema as an own field, as any other name does", () => {
      const R = Schema.Record({ key: Schema.String, value: Schema.String })
      const own: Record<string, unknown> = {}
      Object.defineProperty(own, "__proto__", { value: "x", enumerable: true, writable: true, configurable: true })
      own.a = "1"
      expect(Effect.runSync(QueryDict.decode(R)(parseOk("__proto__=x&a=1")))).toEqual(
        Effect.runSync(Schema.decodeUnknown(R)(own))
      )
      // The input handed to the schema: `__proto__` an own data property, the prototype untouched.
      const q = parseOk("__proto__=x&a=1")
      const made = toInput(q as unknown as Internal<string>, shapeOf(R.ast))
      expect(Object.getPrototypeOf(made)).toBe(Object.prototype)
      expect(Object.getOwnPropertyDescriptor(made, "__proto__")?.value).toBe("x")
      expect(Object.keys(made)).toEqual(["__proto__", "a"])
    })
  })

  describe("properties", () => {
    const text = fc.string({ unit: "binary", maxLength: 12 })
    const entries = fc.array(fc.tuple(text, text), { maxLength: 12 })

    // parse(urlencode(q)) equals q, with both urlencode forms.
    it("parse(urlencode(q)) equals q", () => {
      fc.assert(fc.property(entries, fc.constantFrom(undefined, "/", ":/?#[]@!$'()*,;="), (es, safe) => {
        const q = QueryDict.fromEntries(es)
        const encoded = QueryDict.urlencode(q, safe === undefined ? {} : { safe })
        const back = parseOk(encoded, { maxNumFields: null })
        expect(QueryDict.lists(back)).toEqual(QueryDict.lists(q))
        expect(Equal.equals(back, q)).toBe(true)
      }))
    })

    it("parse(urlencode(q)) equals q in latin-1 for latin-1 text", () => {
      const latin = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) })
      fc.assert(fc.property(fc.array(fc.tuple(latin, latin), { maxLength: 8 }), (es) => {
        const q = QueryDict.fromEntries(es, "latin-1")
        expect(QueryDict.lists(parseOk(QueryDict.urlencode(q), { encoding: "latin-1" }))).toEqual(QueryDict.lists(q))
      }))
    })

    // The UTF-8 fast path must agree with decodeURIComponent: same result when it succeeds, and
    // it must give up (to Python's slow path) exactly where decodeURIComponent throws.
    it("the UTF-8 fast path agrees with decodeURIComponent", () => {
      const token = fc.constantFrom(
        "%",
        "%C3",
        "%A9",
        "%E2",
        "%98",
        "%83",
        "%F0",
        "%9F",
        "%ED",
        "%A0",
        "%80",
        "%zz",
        "%4",
        "%41",
        "a",
        "é",
        "%c3%a9",
        "%C0",
        "%F4",
        "%90"
      )
      fc.assert(fc.property(fc.array(token, { maxLength: 12 }).map((xs) => xs.join("")), (s) => {
        let expected: string | undefined
        try {
          expected = decodeURIComponent(s)
        } catch {
          expected = undefined
        }
        expect(unquoteUtf8(s)).toBe(expected)
      }))
    })

    it("never throws on any string", () => {
      const alphabet = fc.constantFrom("%", "&", "=", "+", "a", "%C3", "%A9", "%zz", "é", "\ud800", "😀", "%E2")
      const queryish = fc.array(alphabet, { maxLength: 30 }).map((xs) => xs.join(""))
      fc.assert(
        fc.property(
          fc.oneof(fc.string({ unit: "binary" }), queryish),
          fc.constantFrom("utf-8", "latin-1", "shift_jis", "euc-jp", "cp1252", "ascii", "utf-16"),
          (s, encoding) => {
            const result = QueryDict.parse(s, { encoding, maxNumFields: null })
            expect(Either.isRight(result)).toBe(true)
          }
        )
      )
    })

    it("never throws on any byte array", () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 64 }),
          fc.constantFrom("utf-8", "latin-1", "shift_jis", "gb18030", "cp1252"),
          (bytes, encoding) => {
            const result = QueryDict.parse(bytes, { encoding, maxNumFields: null })
            expect(Either.isRight(result)).toBe(true)
            if (Either.isRight(result)) expect(typeof QueryDict.urlencode(result.right)).toBe("string")
          }
        )
      )
    })
  })
})
