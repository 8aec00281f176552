/**
 * A lean implementation of the platform's `HttpServer.HttpServer` on `node:http`: the same
 * `HttpApp` semantics as `@effect/platform-node`'s server (a scope per request closed after the
 * response, interruption of the response body when the client goes away, `Respondable` errors,
 * pre-response handlers, cookies, `source` the `IncomingMessage`) with less work per request.
 *
 * Per request it allocates the request wrapper (every field lazy), the request's scope (a real
 * scope behind it only once something uses it), one copy of the context holding both (and, for
 * a view, the library's request value), and one fiber; the close listener is one shared
 * function that finds the fiber on the response, and the common bodies (empty, bytes, text) are
 * written and ended synchronously instead of waiting for Node's `end` callback. When the
 * platform's tracer is on for a request, the request runs through `HttpApp.toHandled` (which owns
 * the `http.server` span), with the same response writer. WebSocket upgrades are served by the
 * platform's own server.
 *
 * @internal
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeMultipart from "@effect/platform-node/NodeMultipart"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Cookies from "@effect/platform/Cookies"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Headers from "@effect/platform/Headers"
import * as HttpApp from "@effect/platform/HttpApp"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import type { HttpMethod } from "@effect/platform/HttpMethod"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import * as ServerError from "@effect/platform/HttpServerError"
import * as ServerRequest from "@effect/platform/HttpServerRequest"
import * as ServerResponse from "@effect/platform/HttpServerResponse"
import type * as Multipart from "@effect/platform/Multipart"
import type * as Path from "@effect/platform/Path"
import type * as Socket from "@effect/platform/Socket"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import type { LazyArg } from "effect/Function"
import * as GlobalValue from "effect/GlobalValue"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import type { ReadonlyRecord } from "effect/Record"
import * as Runtime from "effect/Runtime"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Http from "node:http"
import type * as Net from "node:net"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { fileOf, type FileSource } from "../fileTag.js"
import { bodyFailed } from "../response/platform.js"
import { addRequestTo, isViewApp } from "./adapter.js"
import { isNodeFileSystem, openFileReadable } from "./fileBody.js"

/** The platform's set of request scopes whose closing was taken over (`HttpApp.ejectDefaultScopeClose`). */
const ejectedScopes = GlobalValue.globalValue(
  "@effect/platform/HttpApp/ejectedScopes",
  () => new WeakSet<Scope.Scope>()
)

const fiberKey = Symbol.for("effect-django-http/leanServer/fiber")
const handledKey = Symbol.for("effect-django-http/leanServer/handled")
const scopeKey = Symbol.for("effect-django-http/leanServer/scope")

interface Tracked extends Http.ServerResponse {
  [fiberKey]?: Fiber.RuntimeFiber<void, never>
  [handledKey]?: boolean
  [scopeKey]?: RequestScope
}

/**
 * A request's scope, made with the request in the listener (no runtime step, and so in the same
 * copy of the context as the request): a `Scope.make` scope is made behind it only when
 * something first adds a finalizer to it or forks it, which most requests never do; closing it
 * then closes that one (a scope first used after it closed is closed at once, as a closed
 * `Scope.make` scope behaves).
 *
 * Reach into private parts: `Scope.addFinalizer`, `Scope.addFinalizerExit`, `Scope.fork` and
 * `Scope.close` call the scope's own `addFinalizer`, `fork` and `close` methods (Effect's
 * `internal/core.ts`, `scopeAddFinalizer` ... `scopeFork`), which the public `Scope` interface
 * does not declare; `test/Server.adapter.test.ts` checks this scope against `Scope.make`'s.
 * Missing public API: a scope made without running an effect (`Scope.unsafeMake`).
 */
export class RequestScope implements Scope.CloseableScope {
  readonly [Scope.ScopeTypeId]: Scope.ScopeTypeId = Scope.ScopeTypeId
  readonly [Scope.CloseableScopeTypeId]: Scope.CloseableScopeTypeId = Scope.CloseableScopeTypeId
  readonly strategy: ExecutionStrategy.ExecutionStrategy = ExecutionStrategy.sequential
  private inner: Scope.CloseableScope | undefined = undefined
  private closedWith: Exit.Exit<unknown, unknown> | undefined = undefined

  pipe() {
    return pipeArguments(this, arguments)
  }

  /**
   * The scope behind this one, made on first use (and closed at once if this one is closed).
   * A method, not a field: a request that never uses its scope allocates no effect for it.
   */
  private real(): Effect.Effect<Scope.CloseableScope> {
    return Effect.suspend(() =>
      this.inner !== undefined ? Effect.succeed(this.inner) : Effect.flatMap(Scope.make(), (made) => {
        if (this.inner !== undefined) return Effect.succeed(this.inner)
        this.inner = made
        return this.closedWith === undefined
          ? Effect.succeed(made)
          : Effect.as(Scope.close(made, this.closedWith), made)
      })
    )
  }

  fork(strategy: ExecutionStrategy.ExecutionStrategy): Effect.Effect<Scope.CloseableScope> {
    return Effect.flatMap(this.real(), (scope) => Scope.fork(scope, strategy))
  }

  addFinalizer(finalizer: Scope.Scope.Finalizer): Effect.Effect<void> {
    return Effect.flatMap(this.real(), (scope) => Scope.addFinalizerExit(scope, finalizer))
  }

  close(exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    return Effect.suspend(() => this.unsafeClose(exit))
  }

  /** `close`'s work, run now: nothing more to do when the scope was never used. */
  unsafeClose(exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    if (this.closedWith !== undefined) return Effect.void
    this.closedWith = exit
    return this.inner === undefined ? Effect.void : Scope.close(this.inner, exit)
  }
}

/** The request wrapper: `source` is the `IncomingMessage`, everything else computed on demand. */
class LeanRequest extends Inspectable.Class implements ServerRequest.HttpServerRequest {
  readonly [ServerRequest.TypeId]: ServerRequest.TypeId = ServerRequest.TypeId
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  private cachedCookies: ReadonlyRecord<string, string> | undefined = undefined
  private cachedMethod: HttpMethod | undefined = undefined
  private textEffect: Effect.Effect<string, ServerError.RequestError> | undefined = undefined
  private multipartEffect:
    | Effect.Effect<Multipart.Persisted, Multipart.MultipartError, Scope.Scope | FileSystem.FileSystem | Path.Path>
    | undefined = undefined

  constructor(
    readonly source: Http.IncomingMessage,
    readonly resolvedResponse: Tracked,
    readonly url: string,
    private headersOverride: Headers.Headers | undefined,
    readonly remoteAddressOverride: string | undefined
  ) {
    super()
  }

  onError(cause: unknown): ServerError.RequestError {
    return new ServerError.RequestError({ request: this, reason: "Decode", cause })
  }

  get originalUrl(): string {
    return this.source.url!
  }

  get method(): HttpMethod {
    return this.cachedMethod ??= this.source.method!.toUpperCase() as HttpMethod
  }

  get headers(): Headers.Headers {
    return this.headersOverride ??= this.source.headers as Headers.Headers
  }

  get cookies(): ReadonlyRecord<string, string> {
    return this.cachedCookies ??= Cookies.parseHeader(this.headers.cookie ?? "")
  }

  get remoteAddress(): Option.Option<string> {
    return Option.fromNullable(this.remoteAddressOverride ?? this.source.socket.remoteAddress)
  }

  modify(options: {
    readonly url?: string | undefined
    readonly headers?: Headers.Headers | undefined
    readonly remoteAddress?: string | undefined
  }): ServerRequest.HttpServerRequest {
    return new LeanRequest(
      this.source,
      this.resolvedResponse,
      options.url ?? this.url,
      options.headers ?? this.headersOverride,
      options.remoteAddress ?? this.remoteAddressOverride
    )
  }

  get text(): Effect.Effect<string, ServerError.RequestError> {
    return this.textEffect ??= Effect.runSync(Effect.cached(
      Effect.flatMap(IncomingMessage.MaxBodySize, (maxBodySize) =>
        NodeStream.toString(() => this.source, {
          onFailure: (cause) => this.onError(cause),
          maxBytes: Option.getOrUndefined(maxBodySize)
        }))
    ))
  }

  get json(): Effect.Effect<unknown, ServerError.RequestError> {
    return Effect.tryMap(this.text, {
      try: (text) => text === "" ? null : JSON.parse(text) as unknown,
      catch: (cause) => this.onError(cause)
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, ServerError.RequestError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.onError(cause)
      }))
  }

  get stream(): Stream.Stream<Uint8Array, ServerError.RequestError> {
    return NodeStream.fromReadable<ServerError.RequestError, Uint8Array>(
      () => this.source,
      (cause) => this.onError(cause)
    )
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, ServerError.RequestError> {
    return Effect.flatMap(IncomingMessage.MaxBodySize, (maxBodySize) =>
      NodeStream.toUint8Array(() => this.source, {
        onFailure: (cause) => this.onError(cause),
        maxBytes: Option.getOrUndefined(maxBodySize)
      }).pipe(
        Effect.map((bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
      ))
  }

  get multipart(): Effect.Effect<
    Multipart.Persisted,
    Multipart.MultipartError,
    Scope.Scope | FileSystem.FileSystem | Path.Path
  > {
    return this.multipartEffect ??= Effect.runSync(Effect.cached(
      NodeMultipart.persisted(this.source, this.source.headers)
    ))
  }

  get multipartStream(): Stream.Stream<Multipart.Part, Multipart.MultipartError> {
    return NodeMultipart.stream(this.source, this.source.headers)
  }

  get upgrade(): Effect.Effect<Socket.Socket, ServerError.RequestError> {
    return Effect.fail(
      new ServerError.RequestError({ request: this, reason: "Decode", description: "not an upgradeable ServerRequest" })
    )
  }

  override toString(): string {
    return `ServerRequest(${this.method} ${this.url})`
  }

  toJSON(): unknown {
    return IncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpServerRequest",
      method: this.method,
      url: this.originalUrl
    })
  }
}

const responseOf = (request: ServerRequest.HttpServerRequest): Tracked => (request as LeanRequest).resolvedResponse

/**
 * Writes `response` to Node. Empty, byte and text bodies are written and ended synchronously;
 * streams are piped with back-pressure, interruptibly, as the platform does.
 */
const handleResponse = (
  request: ServerRequest.HttpServerRequest,
  response: ServerResponse.HttpServerResponse
): Effect.Effect<void, ServerError.ResponseError> => {
  const nodeResponse = responseOf(request)
  if (nodeResponse.writableEnded) return Effect.void
  let headers: Record<string, string | Array<string>> = response.headers
  if (!Cookies.isEmpty(response.cookies)) {
    headers = { ...headers }
    const toSet = Cookies.toSetCookieHeaders(response.cookies)
    if (headers["set-cookie"] !== undefined) toSet.push(headers["set-cookie"] as string)
    headers["set-cookie"] = toSet
  }
  if (request.method === "HEAD") {
    nodeResponse.writeHead(response.status, headers)
    nodeResponse.end()
    return Effect.void
  }
  const body = response.body
  switch (body._tag) {
    case "Empty": {
      nodeResponse.writeHead(response.status, headers)
      nodeResponse.end()
      return Effect.void
    }
    case "Uint8Array": {
      nodeResponse.writeHead(response.status, headers)
      if (profileAwaitEnd) {
        return Effect.async<void>((resume) => {
          nodeResponse.end(body.body, () => resume(Effect.void))
        })
      }
      nodeResponse.end(body.body)
      return Effect.void
    }
    case "Raw": {
      nodeResponse.writeHead(response.status, headers)
      const raw = body.body
      if (typeof raw === "object" && raw !== null && "pipe" in raw && typeof raw.pipe === "function") {
        return Effect.tryPromise({
          try: (signal) => pipeline(raw as NodeJS.ReadableStream, nodeResponse, { signal, end: true }),
          catch: (cause) => new ServerError.ResponseError({ request, response, reason: "Decode", cause })
        }).pipe(Effect.interruptible, Effect.tapErrorCause(handleCause(nodeResponse, response)))
      }
      nodeResponse.end(raw)
      return Effect.void
    }
    case "FormData": {
      return Effect.suspend(() => {
        const r = new Response(body.formData)
        nodeResponse.writeHead(response.status, { ...headers, ...Object.fromEntries(r.headers) })
        return Effect.async<void, ServerError.ResponseError>((resume, signal) => {
          Readable.fromWeb(r.body as never, { signal })
            .pipe(nodeResponse)
            .on("error", (cause) => {
              resume(Effect.fail(new ServerError.ResponseError({ request, response, reason: "Decode", cause })))
            })
            .once("finish", () => resume(Effect.void))
        }).pipe(Effect.interruptible, Effect.tapErrorCause(handleCause(nodeResponse, response)))
      })
    }
    case "Stream": {
      nodeResponse.writeHead(response.status, headers)
      const file = fileOf(body.stream)
      if (file !== undefined && isNodeFileSystem(file.fs)) return pipeFile(nodeResponse, file)
      const drainLatch = Effect.unsafeMakeLatch()
      nodeResponse.on("drain", () => drainLatch.unsafeOpen())
      return body.stream.pipe(
        Stream.orDie,
        Stream.runForEachChunk((chunk) => {
          const array = Chunk.toReadonlyArray(chunk)
          if (array.length === 0) return Effect.void
          let needDrain = false
          for (let i = 0; i < array.length; i++) {
            const written = nodeResponse.write(array[i])
            if (!written && !needDrain) {
              needDrain = true
              drainLatch.unsafeClose()
            } else if (written && needDrain) {
              needDrain = false
            }
          }
          return needDrain ? drainLatch.await : Effect.void
        }),
        Effect.interruptible,
        Effect.matchCauseEffect({
          onSuccess: () => Effect.sync(() => nodeResponse.end()),
          onFailure: handleCause(nodeResponse, response)
        })
      )
    }
  }
}

/**
 * The bytes of a `FileResponse.fromPath` body (`fileBody`) piped from `node:fs`, with
 * back-pressure, interruptibly (the file is closed when the client goes away). A failure (the
 * file deleted or shortened since it was stat'ed) is what the stream's would be: logged, and the
 * connection closed (`guardStream`).
 */
const pipeFile = (nodeResponse: Http.ServerResponse, file: FileSource): Effect.Effect<void> =>
  Effect.async<void, unknown>((resume) => {
    const readable = openFileReadable(file)
    readable.once("error", (error) => {
      readable.unpipe(nodeResponse)
      resume(Effect.fail(error))
    })
    readable.once("end", () => resume(Effect.void))
    readable.pipe(nodeResponse)
    return Effect.sync(() => {
      readable.unpipe(nodeResponse)
      readable.destroy()
    })
  }).pipe(
    Effect.interruptible,
    // As a failing stream's (`guardStream`), which fails again only outside Node, which this is not.
    Effect.catchAll((error) => Effect.orDie(bodyFailed(Cause.fail(error))))
  )

/** For the profile in BENCHMARKS.md only: wait for Node's `end` callback as the platform does. */
let profileAwaitEnd = false

const handleCause =
  (nodeResponse: Http.ServerResponse, original: ServerResponse.HttpServerResponse) =>
  <E>(originalCause: Cause.Cause<E>) =>
    Effect.flatMap(ServerError.causeResponse(originalCause), ([response, cause]) => {
      const headersSent = nodeResponse.headersSent
      if (!headersSent) nodeResponse.writeHead(response.status)
      if (!nodeResponse.writableEnded) nodeResponse.end()
      return Effect.failCause(headersSent ? Cause.sequential(originalCause, Cause.die(original)) : cause)
    })

/** Runs the pre-response handlers (if any), then writes; marks the request as answered. */
const respond = (
  fiber: { readonly getFiberRef: <A>(ref: FiberRef.FiberRef<A>) => A },
  request: ServerRequest.HttpServerRequest,
  response: ServerResponse.HttpServerResponse
): Effect.Effect<ServerResponse.HttpServerResponse, ServerError.ResponseError> => {
  const handler = fiber.getFiberRef(HttpApp.currentPreResponseHandlers)
  if (handler._tag === "None") {
    responseOf(request)[handledKey] = true
    return Effect.as(handleResponse(request, response), response)
  }
  return Effect.tap(handler.value(request, response), (response) => {
    responseOf(request)[handledKey] = true
    return handleResponse(request, response)
  })
}

const currentRequest = (context: Context.Context<never>): ServerRequest.HttpServerRequest =>
  Context.unsafeGet(context, ServerRequest.HttpServerRequest)

/**
 * The app answered with `response` or failed with a cause: `HttpApp.toHandled`'s semantics,
 * with the app's response (or the cause's) written once, in one step.
 */
const handled = <E, R>(
  app: HttpApp.Default<E, R>,
  middleware: HttpMiddleware.HttpMiddleware | undefined
): Effect.Effect<void, never, R | ServerRequest.HttpServerRequest | Scope.Scope> => {
  const withErrorHandling = Effect.matchCauseEffect(app, {
    onSuccess: (response) =>
      Effect.withFiberRuntime<ServerResponse.HttpServerResponse, ServerError.ResponseError, never>((fiber) =>
        respond(fiber, currentRequest(fiber.currentContext), response)
      ),
    onFailure: (cause) =>
      Effect.withFiberRuntime<ServerResponse.HttpServerResponse, unknown, never>((fiber) =>
        Effect.flatMap(ServerError.causeResponse(cause), ([response, cause]) =>
          Effect.zipRight(
            respond(fiber, currentRequest(fiber.currentContext), response),
            Cause.isEmptyType(cause) ? Effect.succeed(response) : Effect.failCause(cause)
          ))
      )
  })
  // What is written when the response was not (a failure past the error handling, or a
  // middleware's answer): the platform's rule.
  const writeUnhandled = (request: ServerRequest.HttpServerRequest, cause: Cause.Cause<unknown>) =>
    responseOf(request)[handledKey] === true ? Effect.void : Effect.matchCauseEffect(ServerError.causeResponse(cause), {
      onFailure: () => Effect.ignore(handleResponse(request, ServerResponse.empty({ status: 500 }))),
      onSuccess: ([response]) => Effect.ignore(handleResponse(request, response))
    })
  if (middleware === undefined) {
    // As the platform: the request's scope closes with the exit of the app with its error
    // handling (a failure turned into a response still closes it with that failure).
    return Effect.matchCauseEffect(withErrorHandling, {
      onFailure: (cause) =>
        Effect.withFiberRuntime((fiber) => {
          const request = currentRequest(fiber.currentContext)
          return Effect.zipRight(closeScope(request, Exit.failCause(cause)), writeUnhandled(request, cause))
        }),
      // An answer always went through `respond`, which wrote it.
      onSuccess: (response) =>
        Effect.withFiberRuntime((fiber) => closeScope(currentRequest(fiber.currentContext), Exit.succeed(response)))
    })
  }
  // With middleware, the platform's `handled` rule: an answer the app did not write is written;
  // then the scope closes.
  return Effect.zipRight(
    Effect.matchCauseEffect(
      middleware(withErrorHandling) as Effect.Effect<ServerResponse.HttpServerResponse, unknown, R>,
      {
        onFailure: (cause) =>
          Effect.withFiberRuntime((fiber) => writeUnhandled(currentRequest(fiber.currentContext), cause)),
        onSuccess: (response) =>
          Effect.withFiberRuntime((fiber) => {
            const request = currentRequest(fiber.currentContext)
            return responseOf(request)[handledKey] === true
              ? Effect.void
              : Effect.ignore(handleResponse(request, response))
          })
      }
    ),
    Effect.withFiberRuntime((fiber) => closeScope(currentRequest(fiber.currentContext), Exit.void))
  )
}

/**
 * Closes the request's scope (`RequestScope`, in the fiber's context from its start) with
 * `exit`, unless the app took the closing over (`HttpApp.ejectDefaultScopeClose`).
 */
const closeScope = (
  request: ServerRequest.HttpServerRequest,
  exit: Exit.Exit<unknown, unknown>
): Effect.Effect<void> => {
  const scope = responseOf(request)[scopeKey]
  return scope === undefined || ejectedScopes.has(scope) ? Effect.void : scope.unsafeClose(exit)
}

function copyEntry(this: Map<string, unknown>, value: unknown, key: string): void {
  this.set(key, value)
}

/**
 * A copy of `map`, entries in the same order: `new Map(map)` goes through the iterator protocol,
 * which allocates an iterator result and an entry array per entry (the runtime's context holds
 * about 20 services on `Server.layer`: ~1.7 KB of garbage per request, BENCHMARKS.md, session 11);
 * `forEach` with the target as `this` allocates nothing but the copy.
 *
 * @internal
 */
export const copyMap = <K, V>(map: ReadonlyMap<K, V>): Map<K, V> => {
  const out = new Map<K, V>()
  map.forEach(copyEntry as (this: Map<K, V>, value: V, key: K) => void, out)
  return out
}

function onClose(this: Tracked): void {
  const fiber = this[fiberKey]
  if (fiber !== undefined && !this.writableEnded) fiber.unsafeInterruptAsFork(ServerError.clientAbortFiberId)
}

/**
 * The function to put on `server.on("request")` for `app`, like `NodeHttpServer.makeHandler`.
 *
 * @internal
 */
export const makeHandler = <E, R>(
  app: HttpApp.Default<E, R>,
  middleware?: HttpMiddleware.HttpMiddleware,
  /** For the profile in BENCHMARKS.md only: run every request through `HttpApp.toHandled`. */
  profile?: { readonly viaToHandled?: boolean; readonly awaitEnd?: boolean }
): Effect.Effect<
  (nodeRequest: Http.IncomingMessage, nodeResponse: Http.ServerResponse) => void,
  never,
  Exclude<R, ServerRequest.HttpServerRequest | Scope.Scope>
> =>
  Effect.map(
    Effect.runtime<Exclude<R, ServerRequest.HttpServerRequest | Scope.Scope>>(),
    (runtime) => {
      if (profile?.awaitEnd === true) profileAwaitEnd = true
      // The platform's own path, which owns the `http.server` span, for requests the tracer is on for.
      const traced = HttpApp.toHandled(app, handleResponse, middleware)
      const viaToHandled = profile?.viaToHandled === true
      const lean = viaToHandled ? traced : handled(app, middleware)
      // For an app of `View.toHttpApp` without platform middleware, the library's request value
      // is built in the request's context (`addRequestTo`): the view finds it there.
      const viewApp = !viaToHandled && middleware === undefined && isViewApp(app)
      const { context, fiberRefs } = runtime
      // A request's fiber starts uninterruptible (as `Effect.uninterruptible` would make it, one
      // step less); only the body being streamed is interruptible.
      const runtimeFlags = RuntimeFlags.disable(runtime.runtimeFlags, RuntimeFlags.Interruption)
      // What the request's fiber would read (its fiber refs are the runtime's).
      const tracerDisabledWhen = FiberRefs.getOrDefault(fiberRefs, HttpMiddleware.currentTracerDisabledWhen)
      const runLean = lean as Effect.Effect<void>
      const runTraced = traced as Effect.Effect<void>
      const requestKey = ServerRequest.HttpServerRequest.key
      const scopeTagKey = Scope.Scope.key
      return function handler(nodeRequest: Http.IncomingMessage, nodeResponse: Tracked) {
        const request = new LeanRequest(nodeRequest, nodeResponse, nodeRequest.url!, undefined, undefined)
        let requestContext: Context.Context<never>
        let run: Effect.Effect<void>
        if (tracerDisabledWhen(request)) {
          // The fiber starts with the request, its scope and (for a view) the library's request
          // value in one copy of the context: `Effect.provideService` would add each with a dozen
          // runtime steps and a copy of the context, and `Scope.make` is a runtime step.
          const scope = new RequestScope()
          nodeResponse[scopeKey] = scope
          requestContext = Context.unsafeMake(
            copyMap(context.unsafeMap).set(requestKey, request).set(scopeTagKey, scope)
          )
          if (viewApp) addRequestTo(requestContext, nodeRequest)
          run = runLean
        } else {
          // `HttpApp.toHandled` makes its own scope. (`Context.add`, without its iterator garbage.)
          requestContext = Context.unsafeMake(copyMap(context.unsafeMap).set(requestKey, request))
          run = runTraced
        }
        nodeResponse[fiberKey] = Runtime.runFork(
          Runtime.make({ context: requestContext, fiberRefs, runtimeFlags }),
          run
        )
        nodeResponse.on("close", onClose)
      }
    }
  )

/**
 * The platform's Node server (listening, closing, WebSocket upgrades) with its request listener
 * replaced by the lean one.
 *
 * @internal
 */
export const make = (
  evaluate: LazyArg<Http.Server>,
  options: Net.ListenOptions
): Effect.Effect<HttpServer.HttpServer, ServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    let server: Http.Server | undefined
    const platform = yield* NodeHttpServer.make(() => (server = evaluate()), options)
    const node = server!
    return HttpServer.make({
      address: platform.address,
      serve: (app, middleware) =>
        Effect.gen(function*() {
          const before = new Set(node.listeners("request"))
          yield* platform.serve(app, middleware!)
          for (const listener of node.listeners("request")) {
            if (!before.has(listener)) node.off("request", listener as (...args: Array<unknown>) => void)
          }
          const handler = yield* makeHandler(app, middleware)
          yield* Effect.addFinalizer(() => Effect.sync(() => node.off("request", handler)))
          node.on("request", handler)
        })
    })
  })

/**
 * Like `NodeHttpServer.layer`, with the lean request listener.
 *
 * @internal
 */
export const layer = (evaluate: LazyArg<Http.Server>, options: Net.ListenOptions) =>
  Layer.mergeAll(Layer.scoped(HttpServer.HttpServer, make(evaluate, options)), NodeHttpServer.layerContext)
