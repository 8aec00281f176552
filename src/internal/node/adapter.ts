/**
 * The one adapter that binds the library to `@effect/platform`'s server request, to
 * `@effect/platform-node` and to Node. Everything else (the request model in
 * `../httpRequest.ts`, the upload parser, Django's rules) imports neither Node's server
 * modules nor `@effect/platform-node`.
 *
 * - A request value from a platform `HttpServerRequest` (`fromServerRequest`): the remote
 *   address, TLS and the local address from the Node socket, the HTTP version, the body.
 * - The body shared by every value built from one platform request (`sharedBodyOf`).
 * - The body of a Node `IncomingMessage` as a stream that never destroys the socket.
 * - The request's scope on Node, made on first use, closed when the client goes away.
 * - The `FileSystem` used for spilled uploads when the Context has none (Node's).
 * - A stream through Node's raw-deflate transform (`GZip`'s streaming compression).
 * - The one reach into the Effect runtime's private parts on the request path
 *   (`unsafeSetContext`; see its comment for the public API it lacks).
 *
 * The response side (a response value as a platform `HttpServerResponse`) is
 * `../response/platform.ts`.
 *
 * @internal
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Readable } from "node:stream"
import * as zlib from "node:zlib"
import { type RequestDataTooBig, UnreadablePostError } from "../../Errors.js"
import type { HttpRequest } from "../../HttpRequest.js"
import * as Settings from "../../Settings.js"
import type { DirectBody, ScopeRef } from "../body.js"
import { concat } from "../bytes.js"
import { builtFrom, makeRequest, type Shared, type SharedBody, tag } from "../httpRequest.js"

// ---------------------------------------------------------------------------
// A request from a platform request
// ---------------------------------------------------------------------------

/**
 * `fromServerRequest` without an effect: `context` must hold the request's `Scope`.
 */
export const unsafeFromServerRequest = (
  request: HttpServerRequest.HttpServerRequest,
  context: Context.Context<never>
): HttpRequest => {
  // The request a view already has in the context, if it is this platform request's (a
  // platform middleware inside the view); else the value that read its body, if any.
  const current = builtFrom(context.unsafeMap.get(tag.key), request)
  if (current !== undefined) return current
  const root = bodies.get(request)?.root
  if (root !== undefined) return root
  const parent = Context.unsafeGet(context, Scope.Scope)
  // On Node, the request's resources live in a child scope that also closes when the
  // client goes away before the response is written (`NodeRequestScope`).
  const response = nodeResponseOf(request)
  return build(
    request,
    context,
    response === undefined ? new ParentScope(parent) : new NodeRequestScope(parent, response)
  )
}

/**
 * The apps `View.toHttpApp` made. For these the lean adapter (`./leanServer.ts`) builds the
 * request value as it adds the request's scope to the fiber's context, in the same copy of the
 * context (`addRequestTo`): the view then finds it there, and neither builds it nor copies and
 * sets the context again (one context copy and one fiber-ref update less per request).
 */
const viewApps = new WeakSet<object>()

/** Marks `app` as made by `View.toHttpApp`. */
export const markViewApp = <A extends object>(app: A): A => {
  viewApps.add(app)
  return app
}

/** Whether `View.toHttpApp` made `app`. */
export const isViewApp = (app: unknown): boolean => typeof app === "object" && app !== null && viewApps.has(app)

/**
 * Adds the request value of the platform request in `context` to `context` itself: for a
 * context just made, that nothing else has seen yet (the lean adapter's, with the request's
 * scope). The value is the one `unsafeFromServerRequest` builds from `context`, and its own
 * context is that one, with itself in it. With `node` (the lean adapter's), the platform
 * request's Node request: read directly rather than looked for on the platform request (the
 * same value; `test/Server.adapter.test.ts` compares it with the general path's).
 */
export const addRequestTo = (context: Context.Context<never>, node?: IncomingMessage): void => {
  const server = Context.unsafeGet(context, HttpServerRequest.HttpServerRequest)
  // A context nothing has seen holds no request value yet, and no body was read from `server`:
  // `unsafeFromServerRequest` would build it as this does. The lean adapter's platform request
  // has no `response` (`nodeResponseOf`), and its scope closes as soon as the answer is written
  // (no wait for Node's `end` callback): the request's resources live in that scope itself.
  const request = node === undefined
    ? unsafeFromServerRequest(server, context)
    : build(server, context, new ParentScope(Context.unsafeGet(context, Scope.Scope)), node)
  ;(context.unsafeMap as Map<string, unknown>).set(tag.key, request)
}

/**
 * See `HttpRequest.fromServerRequest`.
 */
export const fromServerRequest = (
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<HttpRequest, never, Scope.Scope> =>
  Effect.withFiberRuntime((fiber) => Effect.succeed(unsafeFromServerRequest(request, fiber.currentContext)))

/** See `HttpRequest.current`. */
export const current: Effect.Effect<HttpRequest, never, HttpServerRequest.HttpServerRequest | Scope.Scope> = Effect
  .flatMap(HttpServerRequest.HttpServerRequest, fromServerRequest)

/** `u[name]` when `u` is an object (or function) that has `name`, else `undefined`. */
const propertyOf = (u: unknown, name: string): unknown =>
  // `Predicate.hasProperty` is a `dual` function (an arguments check per call), and a
  // hello-world request made about ten such reads.
  (typeof u === "object" && u !== null) || typeof u === "function"
    ? name in u ? Reflect.get(u, name) : undefined
    : undefined

const build = (
  request: HttpServerRequest.HttpServerRequest,
  context: Context.Context<never>,
  scopeRef: ScopeRef,
  /** `request.source`, when the caller knows it is a Node request. */
  node?: IncomingMessage
): HttpRequest => {
  const settings = Settings.fromContext(context)
  const source = request.source
  const socket = node !== undefined ? undefined : propertyOf(source, "socket")
  let urlScheme: "http" | "https" = "http"
  let serverName: string | undefined
  let serverPort: string | undefined
  let version: unknown
  if (node !== undefined) {
    const nodeSocket = node.socket as IncomingMessage["socket"] & { readonly encrypted?: boolean }
    urlScheme = nodeSocket.encrypted === true ? "https" : "http"
    const localAddress = nodeSocket.localAddress
    if (typeof localAddress === "string") serverName = localAddress
    const localPort = nodeSocket.localPort
    if (typeof localPort === "number") serverPort = String(localPort)
    version = node.httpVersion
  } else if (socket !== undefined) {
    // A Node request: `socket` is a `net.Socket` (a `tls.TLSSocket` has `encrypted`).
    urlScheme = propertyOf(socket, "encrypted") === true ? "https" : "http"
    // Getters on a Node socket: each read once.
    const localAddress = propertyOf(socket, "localAddress")
    if (typeof localAddress === "string") serverName = localAddress
    const localPort = propertyOf(socket, "localPort")
    if (typeof localPort === "number") serverPort = String(localPort)
  } else if (hasProperty(source, "url") && typeof source.url === "string") {
    // A web `Request` (Bun, Deno, tests): its URL is absolute.
    urlScheme = source.url.startsWith("https:") ? "https" : "http"
    try {
      const parsed = new URL(source.url)
      serverName = parsed.hostname
      serverPort = parsed.port !== "" ? parsed.port : urlScheme === "https" ? "443" : "80"
    } catch {
      // not absolute: keep the defaults
    }
  }
  let url = request.url
  if (url.charCodeAt(0) !== 47) { // not "/...": an absolute URL (a web `Request`)
    const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(url)
    if (abs) url = url.slice(abs[0].length) || "/"
  }
  const q = url.indexOf("?")
  const path = q === -1 ? url : url.slice(0, q)
  const queryString = q === -1 ? "" : url.slice(q + 1)
  if (node === undefined) version = propertyOf(source, "httpVersion")
  const httpVersion = typeof version === "string" ? version : "1.1"
  return makeRequest(
    {
      method: request.method,
      path,
      queryString,
      headers: request.headers,
      remoteAddr: Option.getOrElse(request.remoteAddress, () => ""),
      serverName,
      serverPort,
      serverProtocol: httpVersion === "1.1" ? "HTTP/1.1" : `HTTP/${httpVersion}`,
      urlScheme,
      settings,
      context
    },
    withFileSystem,
    {
      // On Node, read the IncomingMessage without letting an early stop destroy the socket
      // (`bodyStream`): a limit hit mid-body must still reach the client as a 400.
      lazyBody: () =>
        isNodeReadable(source)
          ? nodeBody(source)
          : Stream.mapError(
            request.stream,
            (e) => new UnreadablePostError({ message: `request data read error: ${e.message}` })
          ),
      server: request,
      sharedBodyOf,
      scopeRef
    }
  )
}

// ---------------------------------------------------------------------------
// One body for the values of one platform request
// ---------------------------------------------------------------------------

/**
 * Each platform request's shared body, registered on the first body read rather than when a
 * value is built: a `WeakMap` entry keeps its value alive as long as its key, and an entry for
 * every request (most never read a body) made each request value survive young-generation
 * collections and be promoted (measured in BENCHMARKS.md, `## server`).
 */
const bodies = new WeakMap<HttpServerRequest.HttpServerRequest, SharedBody>()

/** The body shared by the values built from `shared.server`, registered on first use. */
const sharedBodyOf = (shared: Shared): SharedBody => {
  const server = shared.server!
  let body = bodies.get(server)
  if (body === undefined) {
    body = { cell: shared.cell, root: shared.root, parsed: new Map() }
    bodies.set(server, body)
  }
  return body
}

// ---------------------------------------------------------------------------
// Node: the body, the request scope
// ---------------------------------------------------------------------------

/** A Node readable request (an `http.IncomingMessage` or an HTTP/2 request). */
export const isNodeReadable = (u: unknown): u is Readable =>
  hasProperty(u, "resume") && hasProperty(u, "pipe") && hasProperty(u, "readableEnded") &&
  typeof u.resume === "function"

/** Lets the rest of an unread body flow away (Node discards it), so the answer can be written. */
const discardRest = (source: Readable): void => {
  if (!source.readableEnded && !source.destroyed) source.resume()
}

const drain = (source: Readable) => Effect.sync(() => discardRest(source))

/**
 * The body of a Node `IncomingMessage` as a single-use stream that never destroys the socket.
 *
 * The platform's `request.stream` destroys the socket when its reader stops before the end (a
 * limit hit mid-upload, a parser failing fast), so the client gets a reset connection instead
 * of the 400 the error maps to. This stream leaves the socket open and, when its reader stops
 * early, lets Node discard the rest of the body so that the response can still be written and
 * read.
 */
export const bodyStream = (source: Readable): Stream.Stream<Uint8Array, UnreadablePostError> =>
  NodeStream.fromReadable<UnreadablePostError, Uint8Array>(
    () => source,
    (cause) =>
      new UnreadablePostError({
        message: `request data read error: ${cause instanceof Error ? cause.message : String(cause)}`
      }),
    { closeOnDone: false }
  ).pipe(Stream.ensuring(drain(source)))

/** A read of a Node request's body that failed (`UnreadablePostError`, Django's message prefix). */
const unreadable = (why: string) => new UnreadablePostError({ message: `request data read error: ${why}` })

/**
 * A Node request's body for `BodyCell`: the stream above for partial reads, and `body` read whole
 * from the request's own events, without a stream (`DirectBody`). Past `maxMemory`, or once
 * `limit` bytes arrived, the listeners go and the request keeps flowing, so Node discards the
 * rest and the answer can still be written; a request that closes before its end is an
 * `UnreadablePostError`, as on the stream.
 */
export const nodeBody = (source: Readable): DirectBody => ({
  stream: () => bodyStream(source),
  readAll: (limit, maxMemory, tooBig) =>
    Effect.async<Uint8Array, UnreadablePostError | RequestDataTooBig>((resume) => {
      const parts: Array<Uint8Array> = []
      let total = 0
      const stop = () => {
        source.off("data", onData)
        source.off("end", onEnd)
        source.off("error", onError)
        source.off("close", onClose)
        discardRest(source)
      }
      const done = (result: Effect.Effect<Uint8Array, UnreadablePostError | RequestDataTooBig>) => {
        stop()
        resume(result)
      }
      const onData = (chunk: Uint8Array) => {
        const piece = chunk.length > limit - total ? chunk.subarray(0, limit - total) : chunk
        total += piece.length
        if (maxMemory !== null && total > maxMemory) return done(Effect.fail(tooBig()))
        if (piece.length > 0) parts.push(piece)
        if (total >= limit) done(Effect.succeed(concat(parts, total)))
      }
      const onEnd = () => done(Effect.succeed(concat(parts, total)))
      const onError = (cause: unknown) =>
        done(Effect.fail(unreadable(cause instanceof Error ? cause.message : String(cause))))
      const onClose = () => {
        if (!source.readableEnded) onError(new Error("aborted"))
      }
      if (source.readableEnded || limit <= 0) return resume(Effect.succeed(new Uint8Array(0)))
      // Gone before the read (the client reset the connection while the view waited): its
      // `close` has fired already, so no event would ever end this read.
      if (source.destroyed || !source.readable) return resume(Effect.fail(unreadable("the request was closed")))
      source.on("data", onData)
      source.on("end", onEnd)
      source.on("error", onError)
      source.on("close", onClose)
      return Effect.sync(stop)
    })
})

/**
 * The scope a Node request's resources (spilled uploads) live in: a child of the
 * platform's per-request scope, closed with it, and also closed as soon as Node
 * reports that the response closed before it finished (the client went away).
 *
 * The second rule is needed because platform-node runs the handler uninterruptibly and then
 * waits for `ServerResponse.end`'s callback, which never comes once the socket is gone: its
 * request scope would never close and every temporary file of that request would stay on disk
 * (a disk-filling denial of service: upload, then disconnect before the response).
 */
export const requestScope = (
  parent: Scope.Scope,
  response: ServerResponse
): Effect.Effect<Scope.CloseableScope> =>
  Effect.map(Scope.fork(parent, ExecutionStrategy.sequential), (child) => {
    const close = () => {
      // After Node has delivered the abort to a pending body read (its errors go out on
      // nextTick), so that the read fails with UnreadablePostError instead of hanging.
      if (!response.writableFinished) setImmediate(() => Effect.runFork(Scope.close(child, Exit.void)))
    }
    // Made on first use: the response may have closed already.
    if (response.closed) close()
    else response.once("close", close)
    return child
  })

/**
 * `requestScope`, made when something first asks for the request's scope (multipart parsing
 * spilling uploads, a body pull, `runInRequest`). Most requests never do, and so pay neither the
 * fork nor the `close` listener. Forking the platform's request scope (a `Scope.make` scope) is
 * synchronous, so `runSync` makes it in place.
 */
class NodeRequestScope implements ScopeRef {
  private made: Scope.Scope | undefined = undefined
  constructor(private readonly parent: Scope.Scope, private readonly response: ServerResponse) {}
  get scope(): Scope.Scope {
    return (this.made ??= Effect.runSync(requestScope(this.parent, this.response)))
  }
}

/** The platform's request scope itself (a request that is not a Node one). */
class ParentScope implements ScopeRef {
  constructor(readonly scope: Scope.Scope) {}
}

/**
 * The Node `ServerResponse` of a platform-node request, when it already exists (an
 * upgrade request creates its response lazily: that one is left alone).
 */
export const nodeResponseOf = (request: unknown): ServerResponse | undefined => {
  // platform-node's `ServerRequestImpl` keeps it as `response` (a public field of its class,
  // not of the `HttpServerRequest` interface): `test/adapter.test.ts` checks it is there.
  const response = propertyOf(request, "response")
  return hasProperty(response, "once") && hasProperty(response, "writableFinished")
    ? response as ServerResponse
    : undefined
}

// ---------------------------------------------------------------------------
// Node: the FileSystem for uploads
// ---------------------------------------------------------------------------

/** Runs `effect` with the Context's `FileSystem`, or Node's when the Context has none. */
export const withFileSystem = <A, E, R>(
  effect: Effect.Effect<A, E, R | FileSystem.FileSystem>
): Effect.Effect<A, E, Exclude<R, FileSystem.FileSystem>> =>
  Effect.flatMap(
    Effect.serviceOption(FileSystem.FileSystem),
    Option.match({
      onNone: () => Effect.provide(effect, NodeFileSystem.layer),
      onSome: (fs) => Effect.provideService(effect, FileSystem.FileSystem, fs)
    })
  )

// ---------------------------------------------------------------------------
// Node: compression
// ---------------------------------------------------------------------------

/** `stream` through `zlib.createDeflateRaw` at level 6 (Python's `zlib` default). */
export const deflateRawStream = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>
): Stream.Stream<Uint8Array, unknown, R> =>
  NodeStream.pipeThroughDuplex(stream, () => zlib.createDeflateRaw({ level: 6 }), (e) => e)

// ---------------------------------------------------------------------------
// The Effect runtime
// ---------------------------------------------------------------------------

// The reach into the runtime (`setFiberRef`) is `internal/fiberRuntime.ts`'s, shared with the
// middleware chain.
export { canSetFiberRef, withContextIn } from "../fiberRuntime.js"
