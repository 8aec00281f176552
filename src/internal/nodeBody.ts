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
import { hasProperty } from "effect/Predicate"
import * as Stream from "effect/Stream"
import type { Readable } from "node:stream"
import { UnreadablePostError } from "../Errors.js"

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
