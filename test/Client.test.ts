/**
 * The test client, as Django's `django.test.Client` behaves (Django 3.2, django/test/client.py):
 * a cookie jar kept between requests, `follow` with `redirect_chain`, POST data as multipart by
 * default, `testserver` as the host, added to ALLOWED_HOSTS for the test's requests.
 */
import type { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import {
  Client,
  Handler,
  HttpRequest,
  HttpResponse,
  MultiValueDict,
  QueryDict,
  ResponseCookies,
  Settings,
  UploadedFile,
  View
} from "../src/index.js"

const echo: View.View<unknown, FileSystem.FileSystem> = (request) =>
  Effect.gen(function*() {
    const post = yield* request.POST
    const files = yield* request.FILES
    const body = {
      method: request.method,
      path: request.path,
      query: QueryDict.urlencode(yield* request.GET),
      host: yield* HttpRequest.getHost(request),
      secure: yield* HttpRequest.isSecure(request),
      contentType: request.contentType,
      post: Object.fromEntries(MultiValueDict.lists(post)),
      files: Object.fromEntries(
        yield* Effect.forEach(MultiValueDict.items(files), ([name, file]) =>
          Effect.map(UploadedFile.read(file), (bytes) => [name, `${file.name}:${new TextDecoder().decode(bytes)}`]))
      ),
      cookies: request.COOKIES
    }
    return yield* HttpResponse.json(body)
  })

const site = Handler.make({ urls: echo })
const withFiles = Effect.provide(NodeFileSystem.layer)

describe("Client", () => {
  it.effect("sends GET with a query to testserver, which is allowed as in Django's test runner", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(site)
      const response = yield* client.get("/a/b?x=1", { query: { y: ["2", "3"] } })
      expect(response.status).toBe(200)
      const body = yield* response.json()
      expect(body).toMatchObject({ method: "GET", path: "/a/b", query: "x=1&y=2&y=3", host: "testserver" })
      expect(response.request).toEqual({ method: "GET", url: "/a/b?x=1&y=2&y=3" })
    }).pipe(Effect.provide(Settings.layer({ ALLOWED_HOSTS: ["example.com"] })), withFiles))

  it.effect("posts forms, multipart with files, JSON and raw bodies", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(site)
      const form = yield* (yield* client.post("/", { form: { a: ["1", "2"], b: "é" } })).json()
      expect(form).toMatchObject({
        post: { a: ["1", "2"], b: ["é"] },
        contentType: "application/x-www-form-urlencoded"
      })
      const multipart = yield* (yield* client.post("/", {
        multipart: { title: "t", doc: { name: "notes.txt", content: "hello", contentType: "text/plain" } }
      })).json()
      expect(multipart).toMatchObject({ post: { title: ["t"] }, files: { doc: "notes.txt:hello" } })
      const json = yield* client.post("/", { json: { a: 1 } })
      expect((yield* json.json()) as { contentType: string }).toMatchObject({ contentType: "application/json" })
      const raw = yield* client.put("/", { body: "x=1", contentType: "text/plain" })
      expect(yield* raw.json()).toMatchObject({ method: "PUT", contentType: "text/plain", post: {} })
    }).pipe(withFiles))

  it.effect("keeps cookies between requests and drops those deleted", () =>
    Effect.gen(function*() {
      const cookieSite = Handler.make({
        urls: (request) =>
          Effect.gen(function*() {
            const response = yield* HttpResponse.make({ content: request.COOKIES["n"] ?? "none" })
            if (request.path === "/set/") return yield* ResponseCookies.setCookie(response, "n", "42")
            if (request.path === "/delete/") return yield* ResponseCookies.deleteCookie(response, "n")
            return response
          })
      })
      const client = yield* Client.make(cookieSite)
      expect((yield* client.get("/")).text).toBe("none")
      const set = yield* client.get("/set/")
      expect(set.setCookies[0]).toMatch(/^n=42; Path=\//)
      expect(yield* client.cookies).toEqual({ n: "42" })
      expect((yield* client.get("/")).text).toBe("42")
      yield* client.get("/delete/")
      expect(yield* client.cookies).toEqual({})
      expect((yield* client.get("/")).text).toBe("none")
    }))

  it.effect("follows redirects, recording the chain; 302 turns a POST into a GET, 307 keeps it", () =>
    Effect.gen(function*() {
      const redirecting = Handler.make({
        urls: (request): Effect.Effect<View.Response, unknown> => {
          switch (request.path) {
            case "/one/":
              return HttpResponse.redirect("/two/")
            case "/two/":
              return HttpResponse.permanentRedirect("/three/?done=1")
            case "/keep/":
              return Effect.flatMap(
                HttpResponse.make({ status: 307 }),
                (r) => HttpResponse.setHeader(r, "Location", "/end/")
              )
            case "/loop/":
              return HttpResponse.redirect("/loop/")
            default:
              return Effect.flatMap(
                request.POST,
                (post) =>
                  HttpResponse.make({ content: `${request.method} ${request.path} ${QueryDict.urlencode(post)}` })
              )
          }
        }
      })
      const client = yield* Client.make(redirecting)
      const followed = yield* client.post("/one/", { form: { a: "1" }, follow: true })
      expect(followed.text).toBe("GET /three/ ")
      expect(followed.redirectChain).toEqual([["/two/", 302], ["/three/?done=1", 301]])
      const kept = yield* client.post("/keep/", { form: { a: "1" }, follow: true })
      expect(kept.text).toBe("POST /end/ a=1")
      const notFollowed = yield* client.get("/one/")
      expect([notFollowed.status, notFollowed.headers["location"]]).toEqual([302, "/two/"])
      const loop = yield* Effect.flip(client.get("/loop/", { follow: true }))
      expect(loop._tag).toBe("RedirectCycleError")
    }))

  it.effect("HEAD gets headers and no body; secure requests are https", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(site)
      const head = yield* client.head("/")
      expect(head.status).toBe(200)
      expect(head.body.length).toBe(0)
      const secure = yield* (yield* client.get("/", { secure: true })).json()
      expect(secure).toMatchObject({ secure: true })
    }).pipe(withFiles))

  it.effect("json decodes through a Schema; a body that does not fit is a ParseError", () =>
    Effect.gen(function*() {
      const client = yield* Client.make(site)
      const response = yield* client.get("/")
      const decoded = yield* response.json(Schema.Struct({ method: Schema.Literal("GET") }))
      expect(decoded.method).toBe("GET")
      const failed = yield* Effect.flip(response.json(Schema.Struct({ method: Schema.Literal("POST") })))
      expect(failed._tag).toBe("ParseError")
    }).pipe(withFiles))

  it.effect("runs a plain view too", () =>
    Effect.gen(function*() {
      const client = yield* Client.make((request: HttpRequest.HttpRequest) =>
        HttpResponse.make({ content: request.path })
      )
      expect((yield* client.get("/plain/")).text).toBe("/plain/")
    }))
})
