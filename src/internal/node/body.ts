/**
 * The body of a Node `IncomingMessage` as a single-use stream that never
 * destroys the socket.
 *
 * The platform's `request.stream` destroys the socket when its reader stops
 * before the end (a limit hit mid-upload, a parser failing fast), so the client
 * gets a reset connection instead of the 400 the error maps to. This stream
 * leaves the socket open and, when its reader stops early, lets Node discard
 * the rest of the body so that the response can still be written and read.
 *
 * @internal
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ServerResponse } from "node:http"
import type { Readable } from "node:stream"
import { UnreadablePostError } from "../../Errors.js"
import { propertyOf } from "../object.js"

/** A Node readable request (an `http.IncomingMessage` or an HTTP/2 request). */
export const isNodeReadable = (u: unknown): u is Readable =>
  hasProperty(u, "resume") && hasProperty(u, "pipe") && hasProperty(u, "readableEnded") &&
  typeof u.resume === "function"

const drain = (source: Readable) =>
  Effect.sync(() => {
    if (!source.readableEnded && !source.destroyed) source.resume()
  })

/** The body of `source`; stopping early drains the rest instead of destroying the socket. */
export const bodyStream = (source: Readable): Stream.Stream<Uint8Array, UnreadablePostError> =>
  NodeStream.fromReadable<UnreadablePostError, Uint8Array>(
    () => source,
    (cause) =>
      new UnreadablePostError({
        message: `request data read error: ${cause instanceof Error ? cause.message : String(cause)}`
      }),
    { closeOnDone: false }
  ).pipe(Stream.ensuring(drain(source)))

/**
 * The scope a Node request's resources (spilled uploads) live in: a child of the
 * platform's per-request scope, closed with it, and also closed as soon as Node
 * reports that the response closed before it finished (the client went away).
 *
 * The second rule is needed because platform-node 0.97 runs the handler
 * uninterruptibly and then waits for `ServerResponse.end`'s callback, which
 * never comes once the socket is gone: its request scope would never close and
 * every temporary file of that request would stay on disk (a disk-filling
 * denial of service: upload, then disconnect before the response).
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
    // Made lazily (lazyRequestScope): the response may have closed already.
    if (response.closed) close()
    else response.once("close", close)
    return child
  })

/**
 * `requestScope`, made only when something first adds a resource to it (a finalizer
 * or a child scope: multipart parsing spilling uploads, a body pull). Most requests
 * never allocate one, and so pay neither the fork nor the `close` listener. One
 * object per request, its methods on the prototype: it lives as long as the request.
 */
class LazyRequestScope implements Scope.Scope {
  readonly [Scope.ScopeTypeId]: typeof Scope.ScopeTypeId = Scope.ScopeTypeId
  readonly strategy: ExecutionStrategy.ExecutionStrategy = ExecutionStrategy.sequential
  private child: Scope.CloseableScope | undefined = undefined
  constructor(private readonly parent: Scope.Scope, private readonly response: ServerResponse) {}

  private get made(): Effect.Effect<Scope.CloseableScope> {
    return Effect.suspend(() =>
      this.child !== undefined
        ? Effect.succeed(this.child)
        : Effect.flatMap(requestScope(this.parent, this.response), (made) => {
          if (this.child === undefined) {
            this.child = made
            return Effect.succeed(made)
          }
          // Another fiber made it first: keep theirs.
          return Effect.as(Scope.close(made, Exit.void), this.child)
        })
    )
  }

  /** Called by the runtime (`Scope.fork`). */
  fork(strategy: ExecutionStrategy.ExecutionStrategy): Effect.Effect<Scope.CloseableScope> {
    return Effect.flatMap(this.made, (scope) => Scope.fork(scope, strategy))
  }

  /** Called by the runtime (`Scope.addFinalizer`). */
  addFinalizer(finalizer: Scope.Scope.Finalizer): Effect.Effect<void> {
    return Effect.flatMap(this.made, (scope) => Scope.addFinalizerExit(scope, finalizer))
  }

  pipe() {
    return pipeArguments(this, arguments)
  }
}

/** `LazyRequestScope` for `parent` and `response`. */
export const lazyRequestScope = (parent: Scope.Scope, response: ServerResponse): Scope.Scope =>
  new LazyRequestScope(parent, response)

/**
 * The Node `ServerResponse` of a platform-node request, when it already exists (an
 * upgrade request creates its response lazily: that one is left alone).
 */
export const nodeResponseOf = (request: unknown): ServerResponse | undefined => {
  const response = propertyOf(request, "response")
  return hasProperty(response, "once") && hasProperty(response, "writableFinished")
    ? response as ServerResponse
    : undefined
}
