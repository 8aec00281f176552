/**
 * A minimal server for tests and benchmarks: every request's body goes through
 * the multipart parser inside the request's scope, and the answer is a JSON
 * summary (or the error's response).
 */
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Stream } from "effect"
import type * as Http from "node:http"
import * as Errors from "../../src/Errors.js"
import * as Multipart from "../../src/internal/multipart.js"
import type * as Settings from "../../src/Settings.js"
import * as UploadedFile from "../../src/UploadedFile.js"

/**
 * The request body as a stream that does not destroy the socket when the parser
 * stops early, and lets Node discard the rest of the body afterwards, so that an
 * error still reaches the client as a response.
 */
export const bodyOf = (source: Http.IncomingMessage): Stream.Stream<Uint8Array, Errors.UnreadablePostError> =>
  NodeStream.fromReadable<Errors.UnreadablePostError, Uint8Array>(
    () => source,
    (cause) => new Errors.UnreadablePostError({ message: `The request body could not be read: ${String(cause)}` }),
    { closeOnDone: false }
  )

export const drain = (source: Http.IncomingMessage) =>
  Effect.sync(() => {
    if (!source.readableEnded && !source.destroyed) source.resume()
  })

export const uploadApp = (settings: Settings.Settings, options: {
  readonly onDone?: () => void
  readonly limits?: UploadedFile.UploadOptions
} = {}) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const source = NodeHttpServerRequest.toIncomingMessage(request)
    const length = request.headers["content-length"]
    const result = yield* Multipart.parse({
      contentType: request.headers["content-type"] ?? "",
      contentLength: length === undefined ? null : Number(length),
      body: bodyOf(source),
      settings,
      encoding: settings.DEFAULT_CHARSET,
      limits: options.limits
    }).pipe(Effect.ensuring(drain(source)))
    return HttpServerResponse.unsafeJson({
      fields: result.fields.length,
      files: result.files.map(([k, f]) => [k, f.name, f.size, f.storage._tag])
    })
  }).pipe(
    Effect.catchAll((e) => Effect.succeed(Errors.errorResponse(e.status))),
    Effect.ensuring(Effect.sync(() => options.onDone?.()))
  )

export const serve = (settings: Settings.Settings, options?: Parameters<typeof uploadApp>[1]) =>
  Effect.gen(function*() {
    yield* HttpServer.serveEffect(uploadApp(settings, options))
    const server = yield* HttpServer.HttpServer
    const address = server.address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("expected a TCP address")
    return address.port
  })
