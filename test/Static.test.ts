/**
 * Static files from a real temporary directory: Django's static serve view (safe joining,
 * Http404, Last-Modified, Content-Type/Content-Encoding guessed from the name) with WhiteNoise's
 * ETags, ranges, cache headers and precompressed variants.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { brotliCompressSync, gzipSync } from "node:zlib"
import { HttpResponse, RequestFactory, Static } from "../src/index.js"
import { fixtures } from "./middlewareFixtures.js"

const base = fs.mkdtempSync(path.join(os.tmpdir(), "static-test-"))
const root = path.join(base, "static")
fs.mkdirSync(path.join(root, "sub"), { recursive: true })
const css = "body { color: red }\n".repeat(20)
const js = "console.log('hashed')\n".repeat(30)
fs.writeFileSync(path.join(root, "style.css"), css)
fs.writeFileSync(path.join(root, "app.3f2a9c81b7de.js"), js)
fs.writeFileSync(path.join(root, "app.3f2a9c81b7de.js.gz"), gzipSync(js))
fs.writeFileSync(path.join(root, "app.3f2a9c81b7de.js.br"), brotliCompressSync(js))
fs.writeFileSync(path.join(root, "sub", "page.html"), "<p>hi</p>")
fs.writeFileSync(path.join(root, "archive.tar.gz"), gzipSync("tar"))
fs.writeFileSync(path.join(base, "outside.txt"), "secret")
fs.symlinkSync(path.join(base, "outside.txt"), path.join(root, "leak.txt"))
fs.symlinkSync(path.join(root, "style.css"), path.join(root, "alias.css"))
const mtime = new Date("2023-11-14T22:13:20Z")
for (const f of ["style.css", "app.3f2a9c81b7de.js", "app.3f2a9c81b7de.js.gz", "app.3f2a9c81b7de.js.br"]) {
  fs.utimesSync(path.join(root, f), mtime, mtime)
}

afterAll(() => fs.rmSync(base, { recursive: true, force: true }))

const statics = Static.view({ root, prefix: "/static/" })

const get = (p: string, headers: Record<string, string> = {}, method = "GET") =>
  statics(RequestFactory.generic(method, p, { headers })).pipe(Effect.provide(NodeFileSystem.layer))

const header = (r: HttpResponse.AnyResponse, name: string) => Option.getOrNull(HttpResponse.getHeader(r, name))

const body = (r: HttpResponse.AnyResponse) =>
  r._tag === "HttpResponse"
    ? Effect.succeed(Buffer.from(HttpResponse.content(r)))
    : Effect.map(Stream.runCollect(r.stream), (c) => Buffer.concat(Chunk.toArray(c)))

const failure = (p: string) => Effect.map(Effect.either(get(p)), (e) => (Either.isLeft(e) ? e.left._tag : "served"))

describe("Static: serving a directory", () => {
  it.effect("a file with Content-Type from its name, ETag, Last-Modified and a short cache time", () =>
    Effect.gen(function*() {
      const res = yield* get("/static/style.css")
      expect(res.status).toBe(200)
      expect(header(res, "Content-Type")).toBe("text/css")
      expect(header(res, "Content-Length")).toBe(String(css.length))
      expect(header(res, "Last-Modified")).toBe("Tue, 14 Nov 2023 22:13:20 GMT")
      expect(header(res, "ETag")).toBe(Static.etagFor(css.length, mtime))
      expect(header(res, "Cache-Control")).toBe("max-age=60, public")
      expect(header(res, "Vary")).toBe(null)
      expect((yield* body(res)).toString()).toBe(css)
    }))

  it.effect("Django's serve: a .gz file itself is served with its type and Content-Encoding guessed from the name", () =>
    Effect.gen(function*() {
      const res = yield* get("/static/archive.tar.gz")
      expect(header(res, "Content-Type")).toBe("application/x-tar")
      expect(header(res, "Content-Encoding")).toBe("gzip")
    }))

  it.effect("304 for a matching If-None-Match (weakly compared) or a fresh If-Modified-Since", () =>
    Effect.gen(function*() {
      const etag = Static.etagFor(css.length, mtime)
      const byTag = yield* get("/static/style.css", { "If-None-Match": `W/${etag}` })
      expect(byTag.status).toBe(304)
      expect(header(byTag, "ETag")).toBe(etag)
      expect(header(byTag, "Content-Type")).toBe(null)
      expect((yield* body(byTag)).length).toBe(0)
      const byDate = yield* get("/static/style.css", { "If-Modified-Since": "Tue, 14 Nov 2023 22:13:20 GMT" })
      expect(byDate.status).toBe(304)
      // With If-None-Match present (and not matching), If-Modified-Since is not consulted.
      const both = yield* get("/static/style.css", {
        "If-None-Match": "\"other\"",
        "If-Modified-Since": "Tue, 14 Nov 2023 22:13:20 GMT"
      })
      expect(both.status).toBe(200)
    }))

  it.effect("Range gives 206, If-Range by ETag or date keeps it, a stale If-Range serves it all, 416 past the end", () =>
    Effect.gen(function*() {
      const etag = Static.etagFor(css.length, mtime)
      const part = yield* get("/static/style.css", { Range: "bytes=0-3" })
      expect(part.status).toBe(206)
      expect(header(part, "Content-Range")).toBe(`bytes 0-3/${css.length}`)
      expect((yield* body(part)).toString()).toBe("body")
      expect((yield* get("/static/style.css", { Range: "bytes=0-3", "If-Range": etag })).status).toBe(206)
      expect((yield* get("/static/style.css", { Range: "bytes=0-3", "If-Range": "\"stale\"" })).status).toBe(200)
      expect((yield* get("/static/style.css", { Range: `bytes=${css.length}-` })).status).toBe(416)
    }))

  it.effect("hashed names get a long, immutable cache time", () =>
    Effect.gen(function*() {
      const res = yield* get("/static/app.3f2a9c81b7de.js")
      expect(header(res, "Cache-Control")).toBe("max-age=315360000, public, immutable")
      expect(Static.isHashedName("x/app.3f2a9c81b7de.js")).toBe(true)
      expect(Static.isHashedName("app.js")).toBe(false)
    }))

  it.effect("precompressed variants: br before gzip, q=0 refuses one, Vary whenever a variant exists", () =>
    Effect.gen(function*() {
      const br = yield* get("/static/app.3f2a9c81b7de.js", { "Accept-Encoding": "gzip, deflate, br" })
      expect(header(br, "Content-Encoding")).toBe("br")
      expect(header(br, "Content-Type")).toBe("application/javascript")
      expect(header(br, "Vary")).toBe("Accept-Encoding")
      expect(yield* body(br)).toEqual(brotliCompressSync(js))
      const gz = yield* get("/static/app.3f2a9c81b7de.js", { "Accept-Encoding": "br;q=0, gzip" })
      expect(header(gz, "Content-Encoding")).toBe("gzip")
      expect(yield* body(gz)).toEqual(gzipSync(js))
      expect(header(gz, "ETag")).not.toBe(header(br, "ETag"))
      const plain = yield* get("/static/app.3f2a9c81b7de.js")
      expect(header(plain, "Content-Encoding")).toBe(null)
      expect(header(plain, "Vary")).toBe("Accept-Encoding")
      expect((yield* body(plain)).toString()).toBe(js)
    }))

  it.effect("anything outside the root is SuspiciousFileOperation: .., encoded .., NUL, an escaping symlink", () =>
    Effect.gen(function*() {
      expect(yield* failure("/static/../outside.txt")).toBe("SuspiciousFileOperation")
      expect(yield* failure("/static/sub/../../outside.txt")).toBe("SuspiciousFileOperation")
      expect(yield* failure("/static/%2e%2e/outside.txt")).toBe("SuspiciousFileOperation")
      expect(yield* failure("/static/x%00.css")).toBe("SuspiciousFileOperation")
      expect(yield* failure("/static/leak.txt")).toBe("SuspiciousFileOperation")
      // An absolute path is taken relative to the root (Django strips the leading slashes).
      expect(yield* failure("/static//etc/passwd")).toBe("Http404")
      // A symlink that stays inside the root is served.
      expect(yield* failure("/static/alias.css")).toBe("served")
    }))

  it.effect("directories and missing files are Http404; other methods 405", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.either(get("/static/sub"))
      expect(Either.isLeft(dir) && dir.left.message).toBe("Directory indexes are not allowed here.")
      const missing = yield* Effect.either(get("/static/nope.css"))
      expect(Either.isLeft(missing) && missing.left.message).toBe(
        `\u201c${path.join(root, "nope.css")}\u201d does not exist`
      )
      expect(yield* failure("/elsewhere/style.css")).toBe("Http404")
      expect((yield* get("/static/style.css", {}, "POST")).status).toBe(405)
      expect((yield* get("/static/sub/page.html")).status).toBe(200)
    }))

  it("safeJoin and normalize follow Django's safe_join and normpath", () => {
    expect(Static.normalize("a/./b//c/")).toBe("a/b/c")
    expect(Static.normalize("a/../../x")).toBe("../x")
    expect(Static.normalize("/etc/passwd")).toBe("etc/passwd")
    expect(Either.isRight(Static.safeJoin("/srv/static", "css/a.css"))).toBe(true)
    expect(Either.isLeft(Static.safeJoin("/srv/static", "../x"))).toBe(true)
    expect(Either.isLeft(Static.safeJoin("/srv/static", "/etc/passwd"))).toBe(true)
    expect(Either.isLeft(Static.safeJoin("/srv/static", "../static-other/x"))).toBe(true)
  })
})

describe("Static: Django's static serve view (fixtures from Django 3.2)", () => {
  interface StaticCase {
    readonly path: string
    readonly meta: Record<string, string>
    readonly result:
      | { readonly status: number; readonly headers: ReadonlyArray<readonly [string, string]> }
      | { readonly error: string; readonly message: string }
  }
  const data = fixtures as unknown as {
    readonly T: number
    readonly static_files: Record<string, string>
    readonly static: ReadonlyArray<StaticCase>
  }
  const djangoBase = fs.mkdtempSync(path.join(os.tmpdir(), "static-django-"))
  const djangoRoot = path.join(djangoBase, "static")
  for (const [name, text] of Object.entries(data.static_files)) {
    const full = path.join(djangoRoot, name)
    fs.mkdirSync(path.dirname(full), { recursive: true })
    fs.writeFileSync(full, text)
    fs.utimesSync(full, data.T, data.T)
  }
  afterAll(() => fs.rmSync(djangoBase, { recursive: true, force: true }))

  it.effect("Django's headers, 304s, Http404 and SuspiciousFileOperation, with its messages", () =>
    Effect.gen(function*() {
      expect(data.static.length).toBeGreaterThan(10)
      for (const c of data.static) {
        const request = RequestFactory.get("/static/x", { meta: c.meta })
        const out = yield* Effect.either(
          Static.serve(request, c.path, { root: djangoRoot }).pipe(Effect.provide(NodeFileSystem.layer))
        )
        const label = JSON.stringify(c)
        if ("error" in c.result) {
          expect(Either.isLeft(out) ? [out.left._tag, out.left.message.replaceAll(djangoBase, "<base>")] : out, label)
            .toEqual([c.result.error, c.result.message])
          continue
        }
        const res = Either.getOrThrow(out)
        expect(res.status, label).toBe(c.result.status)
        // Django's headers, each with Django's value; WhiteNoise's (ETag, Cache-Control, Accept-Ranges) come on top.
        for (const [name, value] of c.result.headers) expect(header(res, name), `${label} ${name}`).toBe(value)
      }
    }))
})
