/**
 * Django's `StreamingHttpResponse`: a response whose body is an Effect `Stream`
 * of strings (encoded with the response's charset) or bytes.
 *
 * It has no `content` (the type has none, where Django raises
 * `AttributeError`), its `streaming` flag is `true`, and the stream is run once,
 * when the response is sent. Headers and cookies work as on any response
 * (`HttpResponse.setHeader`, `ResponseCookies.setCookie`, ...).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { StreamingHttpResponse } from "effect-django-http"
 *
 * const res = StreamingHttpResponse.make(Stream.make("a", "b", "c"), { contentType: "text/plain" })
 * ```
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import type * as Stream from "effect/Stream"
import * as HttpResponse from "./HttpResponse.js"
import * as internal from "./internal/response.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface StreamingHttpResponse extends internal.Streaming {}

/**
 * @since 0.1.0
 * @category models
 */
export type Options = Omit<HttpResponse.Options, "content">

/**
 * @since 0.1.0
 * @category guards
 */
export const isStreamingHttpResponse = (u: unknown): u is StreamingHttpResponse =>
  internal.isResponse(u) && u._tag === "StreamingHttpResponse"

/**
 * A streaming response with the same status, header and charset rules as
 * `HttpResponse.make`, as a plain value: it reads no service. Strings in the stream
 * are encoded with the response's charset (without one given or named by the
 * Content-Type, `DEFAULT_CHARSET`, settled when the response is interpreted); a
 * chunk the charset cannot encode fails the stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <E>(
  stream: Stream.Stream<string | Uint8Array, E>,
  options?: Options
) => Either.Either<StreamingHttpResponse, HttpResponse.MakeError> = (stream, options = {}) =>
  internal.makeStreaming(stream, options)

/**
 * `response.streaming_content`: the body as bytes.
 *
 * @since 0.1.0
 * @category accessors
 */
export const streamingContent = (
  self: StreamingHttpResponse | internal.File
): Stream.Stream<Uint8Array, unknown> => self.stream
