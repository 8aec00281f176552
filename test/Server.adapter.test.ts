/**
 * The lean Node adapter (`Server.layer(app, { adapter: "lean" })`): the platform's
 * `HttpServer` semantics with less work per request. Each test serves over real sockets and
 * checks what the platform's own server does for the same app (the platform's own test suite
 * also runs against the adapter; see BENCHMARKS.md, node adapter).
 */
import { NodeFileSystem } from "@effect/platform-node"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Context,
  Deferred,
  Effect,
  ExecutionStrategy,
  Exit,
  FastCheck as fc,
  Layer,
  Option,
  Ref,
  Schedule,
  Scope,
  Stream
} from "effect"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as Http from "node:http"
import * as Net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  FileResponse,
  Handler,
  HttpRequest,
  HttpResponse,
  QueryDict,
  ResponseCookies,
  Server,
  Settings,
  StreamingHttpResponse,
  View
} from "../src/index.js"
import * as LeanServer from "../src/internal/node/leanServer.js"

interface Answer {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

const request = (
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {}
) =>
  Effect.promise(() =>
    new Promise<Answer>((resolve, reject) => {
      const req = Http.request(
        {
          host: "127.0.0.1",
          port,
          path,
          method: options.method ?? "GET",
          headers: options.headers ?? {},
          agent: false
        },
        (res) => {
          let body = ""
          res.setEncoding("utf8")
          res.on("data", (c: string) => (body += c))
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        }
      )
      req.on("error", reject)
      req.end(options.body)
    })
  )

const settings = Settings.layer({ ALLOWED_HOSTS: ["127.0.0.1"] })

/** Builds the server `layer` in a scope of its own, runs `use` with its port, then closes the scope. */
const onPort = <A, E, R>(layer: Layer.Layer<HttpServer.HttpServer, E, R>, use: (port: number) => Effect.Effect<A>) =>
  Effect.acquireUseRelease(
    Scope.make(),
    (scope) =>
      Effect.flatMap(Layer.buildWithScope(layer, scope), (context) => {
        const address = Context.get(context, HttpServer.HttpServer).address
        return use(address._tag === "TcpAddress" ? address.port : 0)
      }),
    (scope) => Scope.close(scope, Exit.void)
  )

/** Serves `app` with `Server.layer` (on the lean adapter unless told); `use` gets the port. */
const served = <A>(
  app: Server.Servable<unknown, Settings.Settings | Scope.Scope>,
  use: (port: number) => Effect.Effect<A>,
  tracer = false,
  adapter: "lean" | "platform" = "lean"
) =>
  onPort(
    Server.layer(app, { port: 0, host: "127.0.0.1", adapter, tracer }).pipe(Layer.provide(settings)),
    use
  )

/**
 * Serves `view` with `HttpServer.serve` and a platform `middleware` on the lean adapter (not
 * through `Server.layer`, which takes no middleware); `use` gets the port.
 */
const servedThrough = <A>(
  view: View.View,
  middleware: HttpMiddleware.HttpMiddleware,
  use: (port: number) => Effect.Effect<A>
) =>
  onPort(
    HttpServer.serve(View.toHttpApp(view), middleware).pipe(
      HttpMiddleware.withTracerDisabledWhen(() => true),
      Layer.provideMerge(LeanServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" })),
      Layer.provide(settings)
    ),
    use
  )

/** A GET of `/` that goes away (destroys its socket) as soon as the first piece of the body arrives. */
const leaveAfterFirstChunk = (port: number) =>
  Effect.gen(function*() {
    const firstChunk = yield* Deferred.make<void>()
    const req = Http.get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
      res.once("data", () => {
        Deferred.unsafeDone(firstChunk, Exit.void)
        req.destroy()
      })
    })
    req.on("error", () => {})
    yield* Deferred.await(firstChunk)
  })

class Teapot extends Error implements HttpServerRespondable.Respondable {
  readonly [HttpServerRespondable.symbol] = () => HttpServerResponse.text("short and stout", { status: 418 })
}

describe("Server, lean adapter", () => {
  it.effect("serves a view, with the Node IncomingMessage as the request's source", () =>
    Effect.gen(function*() {
      const view: View.View = (request) => HttpResponse.make({ content: `hello ${request.path}` })
      const answer = yield* served(view, (port) => request(port, "/some/where"))
      expect(answer.status).toBe(200)
      expect(answer.body).toBe("hello /some/where")
      expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8")

      const source = yield* served(
        Effect.map(HttpServerRequest.HttpServerRequest, (r) =>
          HttpServerResponse.text(
            `${r.source instanceof Http.IncomingMessage} ${(r.source as Http.IncomingMessage).socket.localAddress}`
          )),
        (port) => request(port, "/")
      )
      expect(source.body).toBe("true 127.0.0.1")
    }))

  it.effect("builds a view's request value with the request's scope: the one in its context, one per request", () =>
    Effect.gen(function*() {
      const seen: Array<HttpRequest.HttpRequest> = []
      const view: View.View = (request) =>
        Effect.gen(function*() {
          seen.push(request)
          const inContext = Option.getOrUndefined(yield* Effect.serviceOption(HttpRequest.HttpRequest))
          const post = yield* request.POST
          return yield* HttpResponse.make({
            content: `${inContext === request} ${request.method} ${
              QueryDict.get(post, "a").pipe(Option.getOrElse(() => "-"))
            } ${request.META.REMOTE_ADDR}`
          })
        })
      const answers = yield* served(view, (port) =>
        Effect.all([
          request(port, "/one"),
          request(port, "/two", {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "0" }
          })
        ]))
      expect(answers.map((a) => [a.status, a.body])).toEqual([[200, "true GET - 127.0.0.1"], [
        200,
        "true POST - 127.0.0.1"
      ]])
      expect(seen.length).toBe(2)
      expect(seen[0]).not.toBe(seen[1])
      expect(seen.map((r) => r.path)).toEqual(["/one", "/two"])
    }))

  it.effect("the request value built in the adapter is the one the view builds from the platform request", () =>
    Effect.gen(function*() {
      // What a view sees of its request, with the port of the server made constant.
      const view: View.View = (request) =>
        Effect.gen(function*() {
          const post = yield* request.POST
          const body = yield* request.body
          const port = request.META.SERVER_PORT ?? ""
          const described = JSON.stringify({
            method: request.method,
            path: request.path,
            pathInfo: request.pathInfo,
            scheme: request.urlScheme,
            META: request.META,
            COOKIES: request.COOKIES,
            GET: QueryDict.lists(yield* request.GET),
            POST: QueryDict.lists(post),
            body: new TextDecoder().decode(body),
            host: yield* HttpRequest.getHost(request),
            secure: yield* HttpRequest.isSecure(request),
            fullPath: HttpRequest.getFullPath(request)
          })
          return yield* HttpResponse.make({ content: described.split(port).join("PORT") })
        })
      const asked = (port: number) =>
        Effect.all([
          request(port, "/a/b%20c/?x=1&x=2&y=%E2%82%AC", {
            headers: { cookie: "a=1; b=two", "x-custom": "v", "accept-language": "fr" }
          }),
          request(port, "/form/", {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "12" },
            body: "q=1&r=%C3%A9"
          }),
          request(port, "/head/", { method: "HEAD" })
        ])
      const passThrough: HttpMiddleware.HttpMiddleware = (app) => app
      const fast = yield* served(view, asked)
      const general = yield* servedThrough(view, passThrough, asked)
      const platform = yield* served(view, asked, false, "platform")
      const strip = (answers: ReadonlyArray<Answer>) =>
        answers.map((a) => ({ status: a.status, body: a.body.replace(/"REMOTE_PORT":"\d+",?/, "") }))
      expect(fast.map((a) => a.status)).toEqual([200, 200, 200])
      expect(JSON.parse(fast[0]!.body)).toMatchObject({
        method: "GET",
        path: "/a/b c/",
        GET: [["x", ["1", "2"]], ["y", ["€"]]],
        COOKIES: { a: "1", b: "two" }
      })
      expect(JSON.parse(fast[1]!.body)).toMatchObject({ method: "POST", POST: [["q", ["1"]], ["r", ["é"]]] })
      expect(strip(fast)).toEqual(strip(general))
      expect(strip(fast)).toEqual(strip(platform))
    }))

  it.effect("a platform middleware that changes the request before the view: the view builds its value from the changed one", () =>
    Effect.gen(function*() {
      const view: View.View = (request) =>
        Effect.flatMap(Effect.serviceOption(HttpRequest.HttpRequest), (inContext) =>
          HttpResponse.make({
            content: `${Option.getOrUndefined(inContext) === request} ${request.META.REMOTE_ADDR}`
          }))
      const answer = yield* servedThrough(
        view,
        HttpMiddleware.xForwardedHeaders,
        (port) => request(port, "/", { headers: { "x-forwarded-for": "203.0.113.9" } })
      )
      expect(answer).toMatchObject({ status: 200, body: "true 203.0.113.9" })
    }))

  it.effect("a platform middleware that provides Settings: the view's request value is built with them", () =>
    Effect.gen(function*() {
      // The request's settings (body limits, DEFAULT_CHARSET) are the ones in the context the view
      // runs in, so a value built before the middleware ran must not be used.
      const view: View.View = (request) =>
        HttpResponse.make({ content: `${request.settings.DATA_UPLOAD_MAX_MEMORY_SIZE}` })
      const mine = Settings.make({ ALLOWED_HOSTS: ["127.0.0.1"], DATA_UPLOAD_MAX_MEMORY_SIZE: 7 })
      const withMine = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, Exclude<R, Settings.Settings>> =>
        Effect.provideService(app, Settings.Settings, mine)
      const answer = yield* servedThrough(view, withMine, (port) => request(port, "/"))
      expect(answer).toMatchObject({ status: 200, body: "7" })
    }))

  it.effect("serves a Handler (Django's BaseHandler) unchanged", () =>
    Effect.gen(function*() {
      const site = Handler.make({
        urls: (request) => HttpResponse.make({ content: `site ${request.method}` })
      })
      expect((yield* served(site, (port) => request(port, "/"))).body).toBe("site GET")
      expect((yield* served(site, (port) => request(port, "/", { method: "POST" }))).body).toBe("site POST")
    }))

  it.effect("serves an HttpRouter with params, and answers 404 for a route it does not have", () =>
    Effect.gen(function*() {
      const router = HttpRouter.empty.pipe(
        HttpRouter.get(
          "/users/:id",
          Effect.map(HttpRouter.params, (params) => HttpServerResponse.text(`user ${params["id"]}`))
        )
      )
      const [found, missing, head] = yield* served(router, (port) =>
        Effect.all([
          request(port, "/users/42"),
          request(port, "/nowhere"),
          request(port, "/users/7", { method: "HEAD" })
        ]))
      expect(found).toMatchObject({ status: 200, body: "user 42" })
      expect(missing.status).toBe(404)
      expect(head).toMatchObject({ status: 200, body: "" })
    }))

  it.effect("streams bodies: the platform's Stream body and the library's StreamingHttpResponse", () =>
    Effect.gen(function*() {
      const router = HttpRouter.empty.pipe(
        HttpRouter.get(
          "/platform",
          Effect.succeed(HttpServerResponse.stream(Stream.make("a", "b", "c").pipe(Stream.encodeText)))
        ),
        HttpRouter.get(
          "/library",
          Effect.flatMap(StreamingHttpResponse.make(Stream.make("x", "y", "z")), HttpResponse.toServerResponse)
        )
      )
      const [platform, library] = yield* served(
        router,
        (port) => Effect.all([request(port, "/platform"), request(port, "/library")])
      )
      expect(platform).toMatchObject({ status: 200, body: "abc" })
      expect(library).toMatchObject({ status: 200, body: "xyz" })
    }))

  it.effect("reads request cookies and writes the response's cookies next to a Set-Cookie header", () =>
    Effect.gen(function*() {
      const app = Effect.gen(function*() {
        const req = yield* HttpServerRequest.HttpServerRequest
        return yield* HttpServerResponse.text(`seen ${req.cookies["flavour"]}`).pipe(
          HttpServerResponse.setHeader("set-cookie", "raw=1"),
          HttpServerResponse.setCookie("platform", "2")
        )
      })
      const answer = yield* served(app, (port) => request(port, "/", { headers: { cookie: "flavour=oat" } }))
      expect(answer.body).toBe("seen oat")
      expect(answer.headers["set-cookie"]).toEqual(["platform=2", "raw=1"])

      const view: View.View = () =>
        Effect.flatMap(
          HttpResponse.make({ content: "ok" }),
          ResponseCookies.setCookie("session", "abc", { httpOnly: true })
        )
      const fromView = yield* served(view, (port) => request(port, "/"))
      expect(fromView.headers["set-cookie"]).toEqual(["session=abc; HttpOnly; Path=/"])
    }))

  it.effect("closes the request's scope after the response, and answers a Respondable failure with its response", () =>
    Effect.gen(function*() {
      const closed = yield* Deferred.make<void>()
      const app = Effect.zipRight(
        Effect.addFinalizer(() => Deferred.succeed(closed, undefined)),
        Effect.succeed(HttpServerResponse.text("scoped"))
      )
      expect((yield* served(app, (port) => request(port, "/"))).body).toBe("scoped")
      yield* Deferred.await(closed)

      const teapot = yield* served(Effect.fail(new Teapot()), (port) => request(port, "/"))
      expect(teapot).toMatchObject({ status: 418, body: "short and stout" })
    }))

  it.effect("runs pre-response handlers, on answers and on failures", () =>
    Effect.gen(function*() {
      const app = Effect.zipRight(
        HttpApp.appendPreResponseHandler((_request, response) =>
          Effect.succeed(HttpServerResponse.setHeader(response, "x-pre", `seen ${response.status}`))
        ),
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (r) =>
          r.url === "/fail" ? Effect.fail(new Teapot()) : Effect.succeed(HttpServerResponse.text("ok")))
      )
      const [ok, failed] = yield* served(app, (port) =>
        Effect.all([request(port, "/"), request(port, "/fail")]))
      expect(ok.headers["x-pre"]).toBe("seen 200")
      expect(failed.headers["x-pre"]).toBe("seen 418")
    }))

  it.live("stops a long stream when the client goes away", () =>
    Effect.gen(function*() {
      const stopped = yield* Deferred.make<void>()
      const app = Effect.succeed(HttpServerResponse.stream(
        Stream.repeatEffect(Effect.succeed(new TextEncoder().encode("tick\n"))).pipe(
          Stream.schedule(Schedule.spaced("10 millis")),
          Stream.ensuring(Deferred.succeed(stopped, undefined))
        )
      ))
      yield* served(app, (port) =>
        Effect.gen(function*() {
          yield* leaveAfterFirstChunk(port)
          // The stream never ends by itself: only the client going away stops it.
          yield* Deferred.await(stopped)
        }))
      expect(yield* Deferred.isDone(stopped)).toBe(true)
    }))

  // The one deliberate difference from the platform's server: its `arrayBuffer` yields the body's
  // Uint8Array (typed as an ArrayBuffer); the adapter yields an ArrayBuffer, as the type says.
  it.effect("reads request bodies: text, form parameters, and bytes as an ArrayBuffer", () =>
    Effect.gen(function*() {
      const post = (port: number, path: string, body: string) =>
        Effect.promise(() =>
          new Promise<string>((resolve, reject) => {
            const req = Http.request(
              {
                host: "127.0.0.1",
                port,
                path,
                method: "POST",
                agent: false,
                headers: { "content-type": "text/plain" }
              },
              (res) => {
                let out = ""
                res.setEncoding("utf8")
                res.on("data", (c: string) => (out += c))
                res.on("end", () => resolve(out))
              }
            )
            req.on("error", reject)
            req.end(body)
          })
        )
      const app = Effect.gen(function*() {
        const req = yield* HttpServerRequest.HttpServerRequest
        if (req.url === "/text") return HttpServerResponse.text(`text ${yield* req.text}`)
        if (req.url === "/form") {
          const params = yield* req.urlParamsBody
          return HttpServerResponse.text(`form ${params.map(([k, v]) => `${k}:${v}`).join(",")}`)
        }
        const bytes = yield* req.arrayBuffer
        return HttpServerResponse.text(`bytes ${bytes instanceof ArrayBuffer} ${bytes.byteLength}`)
      })
      const [text, form, bytes] = yield* served(
        app,
        (port) =>
          Effect.all([post(port, "/text", "héllo"), post(port, "/form", "a=1&b=two"), post(port, "/bytes", "12345")])
      )
      expect(text).toBe("text héllo")
      expect(form).toBe("form a:1,b:two")
      expect(bytes).toBe("bytes true 5")
    }))

  it.effect("with the platform's tracer on, serves through the platform's path; platform middleware runs", () =>
    Effect.gen(function*() {
      const app = HttpMiddleware.xForwardedHeaders(
        Effect.map(
          HttpServerRequest.HttpServerRequest,
          (r) => HttpServerResponse.text(`${r.remoteAddress._tag === "Some" ? r.remoteAddress.value : "none"}`)
        )
      )
      for (const tracer of [true, false]) {
        const answer = yield* served(
          app,
          (port) => request(port, "/", { headers: { "x-forwarded-for": "203.0.113.9" } }),
          tracer
        )
        expect(answer).toMatchObject({ status: 200, body: "203.0.113.9" })
      }
    }))

  it.live("hands WebSocket upgrades to the platform's own server", () =>
    Effect.gen(function*() {
      const app = Effect.gen(function*() {
        const req = yield* HttpServerRequest.HttpServerRequest
        const socket = yield* req.upgrade
        const write = yield* socket.writer
        yield* Effect.fork(write("hello ws"))
        yield* Effect.ignore(socket.runRaw(() => {}))
        return HttpServerResponse.empty()
      })
      const received = yield* served(app, (port) =>
        Effect.async<{ status: number; data: string }>((resume) => {
          const req = Http.request({
            host: "127.0.0.1",
            port,
            path: "/ws",
            agent: false,
            headers: {
              connection: "Upgrade",
              upgrade: "websocket",
              "sec-websocket-version": "13",
              "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ=="
            }
          })
          req.on("upgrade", (res, socket, head) => {
            let data = head.toString("latin1")
            const check = () => {
              if (data.includes("hello ws")) {
                socket.destroy()
                resume(Effect.succeed({ status: res.statusCode ?? 0, data }))
              }
            }
            socket.on("data", (chunk: Buffer) => {
              data += chunk.toString("latin1")
              check()
            })
            check()
          })
          req.end()
        }))
      expect(received.status).toBe(101)
      expect(received.data).toContain("hello ws")
    }))
})

/** What a scope is asked to do, in order (the property test below). */
type ScopeOp =
  | { readonly _tag: "add"; readonly id: number }
  | { readonly _tag: "fork"; readonly id: number }
  | { readonly _tag: "close"; readonly failed: boolean }

const scopeOps: fc.Arbitrary<ReadonlyArray<ScopeOp>> = fc.array(
  fc.oneof(
    fc.record({ _tag: fc.constant("add" as const), id: fc.nat(99) }),
    fc.record({ _tag: fc.constant("fork" as const), id: fc.nat(99) }),
    fc.record({ _tag: fc.constant("close" as const), failed: fc.boolean() })
  ),
  { maxLength: 12 }
)

/**
 * Runs `ops` on `scope` (finalizers added to it or to a child forked from it; closes with a
 * success or a failure) and returns what the finalizers saw, in the order they ran, then closes
 * it once more with success (what the adapter does after the response).
 */
const runOps = (scope: Scope.CloseableScope, ops: ReadonlyArray<ScopeOp>) =>
  Effect.gen(function*() {
    const log = yield* Ref.make<ReadonlyArray<string>>([])
    const finalizer = (label: string) => (exit: Exit.Exit<unknown, unknown>) =>
      Ref.update(log, (l) => [...l, `${label}:${exit._tag}`])
    for (const op of ops) {
      if (op._tag === "add") yield* Scope.addFinalizerExit(scope, finalizer(`add ${op.id}`))
      else if (op._tag === "fork") {
        const child = yield* Scope.fork(scope, ExecutionStrategy.sequential)
        yield* Scope.addFinalizerExit(child, finalizer(`child ${op.id}`))
      } else yield* Scope.close(scope, op.failed ? Exit.fail("boom") : Exit.void)
    }
    yield* Scope.close(scope, Exit.void)
    return yield* Ref.get(log)
  })

describe("the lean adapter's request scope", () => {
  it.effect("behaves as a Scope.make scope: finalizers and forks before and after closing, in the same order", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(scopeOps, async (ops) => {
          const expected = await Effect.runPromise(Effect.flatMap(Scope.make(), (scope) => runOps(scope, ops)))
          const actual = await Effect.runPromise(runOps(new LeanServer.RequestScope(), ops))
          expect(actual).toEqual(expected)
        }),
        { numRuns: 200 }
      )
    ))

  it.effect("a request that never uses its scope closes it without making one behind it", () =>
    Effect.gen(function*() {
      const scope = new LeanServer.RequestScope()
      yield* Scope.close(scope, Exit.void)
      // Used after closing: the finalizer runs at once, with the exit the scope closed with.
      const seen = yield* Ref.make<string>("")
      yield* Scope.addFinalizerExit(scope, (exit) => Ref.set(seen, exit._tag))
      expect(yield* Ref.get(seen)).toBe("Success")
    }))

  it.effect("is the scope in a request's context, closed after the answer with the exit the platform's server gives", () =>
    Effect.gen(function*() {
      const exits = yield* Ref.make<ReadonlyArray<string>>([])
      const app = Effect.flatMap(HttpServerRequest.HttpServerRequest, (r) =>
        Effect.zipRight(
          Effect.addFinalizer((exit) => Ref.update(exits, (l) => [...l, `${r.url} ${exit._tag}`])),
          Effect.flatMap(Effect.scope, (scope) =>
            r.url === "/teapot"
              ? Effect.fail(new Teapot())
              : r.url === "/die"
              ? Effect.die("boom")
              : Effect.succeed(HttpServerResponse.text(String(scope instanceof LeanServer.RequestScope))))
        ))
      const run = (adapter: "lean" | "platform") =>
        Effect.gen(function*() {
          yield* Ref.set(exits, [])
          const answers = yield* served(
            app,
            (port) => Effect.all([request(port, "/ok"), request(port, "/teapot"), request(port, "/die")]),
            false,
            adapter
          )
          yield* Effect.repeat(Ref.get(exits), { until: (l) => l.length === 3, schedule: Schedule.spaced("10 millis") })
          return { answers: answers.map((a) => [a.status, a.body]), exits: [...(yield* Ref.get(exits))].sort() }
        })
      const lean = yield* run("lean")
      const platform = yield* run("platform")
      expect(lean.answers[0]).toEqual([200, "true"])
      expect(platform.answers[0]).toEqual([200, "false"])
      expect(lean.answers.slice(1)).toEqual(platform.answers.slice(1))
      expect(lean.answers[1]).toEqual([418, "short and stout"])
      expect(lean.answers[2]![0]).toBe(500)
      expect(lean.exits).toEqual(platform.exits)
      expect(lean.exits).toEqual(["/die Failure", "/ok Success", "/teapot Failure"])
    }))

  it.live("closes the request's scope when the client goes away during a long stream, with the interruption", () =>
    Effect.gen(function*() {
      const closedWith = yield* Deferred.make<string>()
      const app = Effect.zipRight(
        Effect.addFinalizer((exit) =>
          Deferred.succeed(
            closedWith,
            Exit.isFailure(exit) && Cause.isInterrupted(exit.cause) ? "interrupted" : exit._tag
          )
        ),
        Effect.succeed(HttpServerResponse.stream(
          Stream.repeatEffect(Effect.succeed(new TextEncoder().encode("tick\n"))).pipe(
            Stream.schedule(Schedule.spaced("10 millis"))
          )
        ))
      )
      const seen = yield* served(app, (port) =>
        Effect.gen(function*() {
          yield* leaveAfterFirstChunk(port)
          return yield* Deferred.await(closedWith)
        }))
      expect(seen).toBe("interrupted")
    }))

  it.effect("a scope whose closing the app took over (a streamed body) closes when the stream ends", () =>
    Effect.gen(function*() {
      const events = yield* Ref.make<ReadonlyArray<string>>([])
      const note = (event: string) => Ref.update(events, (l) => [...l, event])
      const app = Effect.gen(function*() {
        yield* Effect.addFinalizer(() => note("scope closed"))
        const body = Stream.make("a", "b", "c").pipe(
          Stream.tap((chunk) => note(`chunk ${chunk}`)),
          Stream.encodeText
        )
        return HttpApp.unsafeEjectStreamScope(HttpServerResponse.stream(body))
      })
      const answer = yield* served(app, (port) => request(port, "/"))
      expect(answer.body).toBe("abc")
      yield* Effect.repeat(Ref.get(events), { until: (l) => l.length === 4, schedule: Schedule.spaced("10 millis") })
      expect(yield* Ref.get(events)).toEqual(["chunk a", "chunk b", "chunk c", "scope closed"])
    }))
})

describe("the lean adapter's context copy (copyMap)", () => {
  it.effect("has the entries of new Map(map), in the same order, and is a map of its own", () =>
    Effect.sync(() =>
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.string(), fc.anything())),
          fc.array(fc.tuple(fc.string(), fc.integer())),
          (entries, added) => {
            const original = new Map<string, unknown>(entries)
            const before = [...original]
            const copy = LeanServer.copyMap(original)
            const expected = new Map(original)
            expect([...copy]).toEqual([...expected])
            // Sets on the copy (a request's services added, or a key of the original replaced in
            // place) behave as on `new Map(map)`, and leave the original as it was.
            for (const [key, value] of added) {
              copy.set(key, value)
              expected.set(key, value)
            }
            expect([...copy]).toEqual([...expected])
            expect([...original]).toEqual(before)
          }
        ),
        { numRuns: 300 }
      )
    ))

  it.effect("a request's context holds the runtime's services, its scope in place of the layer's, the request last", () =>
    Effect.gen(function*() {
      const app = Effect.gen(function*() {
        const keys = [...(yield* Effect.context<never>()).unsafeMap.keys()]
        const settings = yield* Settings.Settings
        const scope = yield* Scope.Scope
        return HttpServerResponse.text(
          `${settings.ALLOWED_HOSTS.join(",")} ${scope instanceof LeanServer.RequestScope} ${
            keys.filter((k) => k === Scope.Scope.key).length
          } ${keys.at(-1)}`
        )
      })
      const answer = yield* served(app, (port) => request(port, "/"))
      expect(answer.body).toBe(`127.0.0.1 true 1 ${HttpServerRequest.HttpServerRequest.key}`)
    }))
})

/** The whole answer to `raw` (a request written as it is), as the client's socket received it. */
const onTheWire = (port: number, raw: string) =>
  Effect.promise(() =>
    new Promise<string>((resolve, reject) => {
      const socket = Net.connect(port, "127.0.0.1", () => socket.end(raw))
      const parts: Array<Buffer> = []
      socket.on("data", (chunk: Buffer) => parts.push(chunk))
      socket.on("error", reject)
      socket.on("close", () => resolve(Buffer.concat(parts).toString("latin1")))
    })
  )

/**
 * `onTheWire` without the half-close: Node ends a half-closed connection whose answer is not ready
 * yet (a download's is not: the file is stat'ed first), so the client waits for the server's close
 * (every request ends with `Connection: close`).
 */
const onTheWireOpen = (port: number, raw: string) =>
  Effect.promise(() =>
    new Promise<string>((resolve, reject) => {
      const socket = Net.connect(port, "127.0.0.1", () => socket.write(raw))
      const parts: Array<Buffer> = []
      socket.on("data", (chunk: Buffer) => parts.push(chunk))
      socket.on("error", reject)
      socket.on("close", () => resolve(Buffer.concat(parts).toString("latin1")))
    })
  )

/** The client for `name`: downloads keep their side open. */
const wire = (name: string) => name.startsWith("file") ? onTheWireOpen : onTheWire

/** `Date` is the one line that may differ between two answers. */
const withoutDate = (answer: string) => answer.replace(/\r\nDate: [^\r]*/g, "\r\nDate: -")

/** A file of 3 chunks of 64 KiB and a bit, for the downloads on the wire (the lean adapter pipes it from node:fs). */
const wireFile = (() => {
  const dir = mkdtempSync(join(tmpdir(), "edh-adapter-"))
  const path = join(dir, "r\u00e9sum\u00e9.bin")
  writeFileSync(path, Buffer.from(Array.from({ length: 3 * 65536 + 77 }, (_, i) => (i * 31) & 255)))
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }))
  return path
})()

describe("the lean adapter on the wire", () => {
  // The notes app's kinds of answers (a JSON body, an HTML page with cookies, a form POST answered
  // with a redirect) and the others a view gives (HEAD, 4xx, a defect's 500, a bad POST),
  // byte for byte the platform server's.
  const view: View.View = (request) => {
    switch (request.path) {
      case "/json/":
        return HttpResponse.json({ notes: [{ id: 1, title: "caf\u00e9 \u2603", body: "<b>&" }] })
      case "/page/":
        return HttpResponse.make({ content: "<p>caf\u00e9 \u2603</p>".repeat(500) }).pipe(
          Effect.flatMap(ResponseCookies.setCookie("csrftoken", "abc", { maxAge: 31449600, sameSite: "Lax" })),
          Effect.flatMap(ResponseCookies.setCookie("csrftoken", "def", { path: "/other/" })),
          Effect.flatMap(HttpResponse.setHeader("Vary", "Cookie"))
        )
      case "/post/":
        return Effect.flatMap(
          Effect.orDie(request.POST),
          (post) =>
            Effect.zipRight(
              Effect.log(QueryDict.urlencode(post)),
              HttpResponse.redirect(`/page/?${QueryDict.urlencode(post)}`)
            )
        )
      case "/missing/":
        return HttpResponse.make({ content: "no", status: 404 })
      case "/file/":
        return FileResponse.fromPath(wireFile, { asAttachment: true, request: request.headers }).pipe(
          Effect.provide(NodeFileSystem.layer),
          Effect.orDie
        )
      default:
        return Effect.dieMessage("boom")
    }
  }
  const requests = {
    "json": "GET /json/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    "page": "GET /page/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid=x; csrftoken=y\r\nConnection: close\r\n\r\n",
    "head": "HEAD /page/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    "post": "POST /post/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
      "Content-Length: 28\r\nConnection: close\r\n\r\ntitle=caf%C3%A9&body=a+b%26c",
    "bad post": "POST /post/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
      "Content-Length: 100\r\nConnection: close\r\n\r\ntitle=short",
    "missing": "GET /missing/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    "defect": "GET /boom/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    "kept alive": "GET /json/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /missing/ HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
      "Connection: close\r\n\r\n",
    // FileResponse.fromPath: the whole file, a range across chunks, HEAD, then a file and a page on one connection.
    "file": "GET /file/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    "file range": "GET /file/ HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=65000-140000\r\nConnection: close\r\n\r\n",
    "file head": "HEAD /file/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    "file kept alive": "GET /file/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /json/ HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
      "Connection: close\r\n\r\n"
  }

  it.effect("answers byte for byte as the platform's server", () =>
    Effect.gen(function*() {
      for (const [name, raw] of Object.entries(requests)) {
        // "bad post" sends 11 of the 100 bytes it announces and half-closes: the read fails.
        const lean = yield* served(view, (port) => wire(name)(port, raw))
        const platform = yield* served(view, (port) => wire(name)(port, raw), false, "platform")
        expect(lean, name).not.toBe("")
        expect(withoutDate(lean), name).toBe(withoutDate(platform))
      }
    }))

  it.effect("the answers themselves: status lines, headers in order, cookies, bodies", () =>
    Effect.gen(function*() {
      const answers: Record<string, string> = {}
      for (const [name, raw] of Object.entries(requests)) {
        answers[name] = withoutDate(yield* served(view, (port) => wire(name)(port, raw)))
      }
      const page = "<p>caf\u00e9 \u2603</p>".repeat(500)
      const pageBytes = Buffer.from(page, "utf8")
      // Django's json.dumps: ", " and ": " separators, non-ASCII escaped.
      const json = "{\"notes\": [{\"id\": 1, \"title\": \"caf\\u00e9 \\u2603\", \"body\": \"<b>&\"}]}"
      expect(answers["json"]).toBe(
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${json.length}\r\nDate: -\r\n` +
          `Connection: close\r\n\r\n${json}`
      )
      expect(answers["page"]).toBe(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\nvary: Cookie\r\n" +
          `content-length: ${pageBytes.length}\r\n` +
          "set-cookie: csrftoken=abc; expires=" + answers["page"]!.split("expires=")[1]!.split(";")[0] +
          "; Max-Age=31449600; Path=/; SameSite=Lax\r\nset-cookie: csrftoken=def; Path=/other/\r\n" +
          "Date: -\r\nConnection: close\r\n\r\n" + pageBytes.toString("latin1")
      )
      // HEAD: the GET's headers (its length too), no body.
      expect(answers["head"]).toBe(answers["page"]!.slice(0, answers["page"]!.indexOf("\r\n\r\n") + 4))
      expect(answers["post"]).toBe(
        "HTTP/1.1 302 Found\r\ncontent-type: text/html; charset=utf-8\r\n" +
          "location: /page/?title=caf%C3%A9&body=a+b%26c\r\ncontent-length: 0\r\nDate: -\r\nConnection: close\r\n\r\n"
      )
      expect(answers["bad post"]).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
      expect(answers["missing"]).toBe(
        "HTTP/1.1 404 Not Found\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: 2\r\nDate: -\r\n" +
          "Connection: close\r\n\r\nno"
      )
      expect(answers["defect"]).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/)
      // A download: Django's headers (the name RFC 5987-quoted), the file's bytes; HEAD: no body.
      const file = readFileSync(wireFile).toString("latin1")
      const fileHead = answers["file"]!.slice(0, answers["file"]!.indexOf("\r\n\r\n") + 4)
      expect(fileHead).toMatch(
        new RegExp(
          "^HTTP/1\\.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 196685\r\n" +
            "content-disposition: attachment; filename\\*=utf-8''r%C3%A9sum%C3%A9\\.bin\r\n" +
            "last-modified: [^\r]+ GMT\r\naccept-ranges: bytes\r\nDate: -\r\nConnection: close\r\n\r\n$"
        )
      )
      expect(answers["file"]!.slice(fileHead.length) === file).toBe(true)
      expect(answers["file head"]).toBe(fileHead)
      expect(answers["file range"]).toContain("HTTP/1.1 206 Partial Content\r\n")
      expect(answers["file range"]).toContain("content-range: bytes 65000-140000/196685\r\n")
      expect(answers["file range"]!.endsWith(file.slice(65000, 140001))).toBe(true)
      expect(answers["file kept alive"]!.endsWith(answers["json"]!)).toBe(true)
      // Two requests on one connection: two answers, the first kept alive (Server.layer bounds a
      // connection to 1,000 requests by default: Node says so).
      expect(answers["kept alive"]).toBe(
        answers["json"]!.replace("Connection: close", "Connection: keep-alive\r\nKeep-Alive: timeout=5, max=1000") +
          answers["missing"]
      )
    }))
})
