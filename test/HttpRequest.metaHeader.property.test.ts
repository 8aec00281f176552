/**
 * `get_host` reads the `Host` (and `X-Forwarded-Host`) header without building META: the value
 * is read from the request's headers by the rules META is built with (Django's WSGI environ: a
 * header `X-Foo` is `HTTP_X_FOO`, a name with `_` is left out (CVE-2015-0219), `Content-Type`
 * and `Content-Length` are `CONTENT_TYPE`/`CONTENT_LENGTH`, a repeated header is joined with `,`).
 * Property: for any headers and any key, that read gives what `request.META[key]` gives; and
 * `getHostWith` on a request whose META was not built gives what it gives once META is built.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { HttpRequest, RequestFactory, Settings } from "../src/index.js"
import { metaHeader } from "../src/internal/httpRequest.js"

const names = fc.oneof(
  fc.constantFrom(
    "Host",
    "host",
    "HOST",
    "hoſt", // upper-cases to HOST
    "X-Forwarded-Host",
    "x-forwarded-host",
    "X_Forwarded_Host",
    "Content-Type",
    "content-length",
    "X-Foo",
    "Accept"
  ),
  fc.string({ minLength: 1, maxLength: 6 })
)
const values = fc.oneof(
  fc.constantFrom("example.com", "example.com:8000", "evil.com", "", "a,b", "localhost"),
  fc.string({ maxLength: 8 })
)
const headers = fc.dictionary(names, values, { maxKeys: 6 })
const keys = fc.oneof(
  fc.constantFrom(
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_CONTENT_TYPE",
    "HTTP_X_FOO",
    "CONTENT_TYPE",
    "SERVER_NAME",
    "HTTP_"
  ),
  names.map((n) => `HTTP_${n.toUpperCase()}`)
)
const meta = fc.option(fc.dictionary(fc.constantFrom("HTTP_HOST", "SERVER_NAME", "HTTP_X_FOO"), values), {
  nil: undefined
})

describe("HttpRequest: a header's META value without META (property)", () => {
  it("metaHeader(request, key) is request.META[key], for any headers and key", () => {
    fc.assert(
      fc.property(headers, meta, fc.array(keys, { minLength: 1, maxLength: 4 }), (h, m, ks) => {
        const request = RequestFactory.get("/", { headers: h, ...(m === undefined ? {} : { meta: m }) })
        // Read before META is built (the fast read), then compared with META.
        const fast = ks.map((k) => metaHeader(request, k))
        expect(fast).toEqual(ks.map((k) => request.META[k]))
      }),
      { numRuns: 3000 }
    )
  })

  it("getHostWith gives the same host or DisallowedHost with META built or not", () => {
    const settings = Settings.make({
      ALLOWED_HOSTS: ["example.com", ".example.com", "localhost"],
      USE_X_FORWARDED_HOST: true
    })
    const plain = Settings.make({ ALLOWED_HOSTS: ["example.com", "localhost"] })
    fc.assert(
      fc.property(headers, meta, fc.boolean(), (h, m, forwarded) => {
        const s = forwarded ? settings : plain
        const make = () => RequestFactory.get("/", { headers: h, settings: s, ...(m === undefined ? {} : { meta: m }) })
        const fresh = make()
        const built = make()
        void built.META
        const outcome = (e: Either.Either<string, { readonly message: string }>) =>
          Either.match(e, { onLeft: (x) => ({ failure: x.message }), onRight: (host) => ({ host }) })
        expect(outcome(HttpRequest.getHostWith(fresh, s))).toEqual(outcome(HttpRequest.getHostWith(built, s)))
      }),
      { numRuns: 2000 }
    )
  })

  it("the usual request: Host read without META, repeated headers joined as META joins them", () => {
    const request = RequestFactory.get("/", { headers: { Host: "example.com", host: "b.example.com" } })
    expect(metaHeader(request, "HTTP_HOST")).toBe("example.com,b.example.com")
    expect(request.META.HTTP_HOST).toBe("example.com,b.example.com")
    expect(metaHeader(RequestFactory.get("/", { headers: { X_Host: "x" } }), "HTTP_X_HOST")).toBeUndefined()
  })
})
