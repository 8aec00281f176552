/**
 * Django's `StreamingHttpResponse`: a response whose body is an Effect `Stream`
 * of strings (encoded with the response's charset) or bytes.
 *
 * It has no `content` (the type has none, where Django raises
 * `AttributeError`), its `streaming` flag is `true`, and the stream is run once,
 * when the response is sent. Headers and cookies work as on any response
 * (`HttpResponse.setHeader`, `HttpResponse.setCookie`, ...).
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
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as HttpResponse from "./HttpResponse.js"
import * as internal from "./internal/response.js"
import * as Settings from "./Settings.js"

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
 * `HttpResponse.make`. Strings in the stream are encoded with the response's
 * charset; a chunk the charset cannot encode fails the stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <E>(
  stream: Stream.Stream<string | Uint8Array, E>,
  options: Options = {}
): Effect.Effect<StreamingHttpResponse, HttpResponse.MakeError> =>
  Effect.flatMap(Settings.current, (settings) => {
    const base = HttpResponse.makeBase(options, settings.DEFAULT_CHARSET)
    if (Either.isLeft(base)) return Either.left(base.left)
    const res = internal.unsafeMake<internal.Streaming>({
      _tag: "StreamingHttpResponse",
      streaming: true,
      ...base.right,
      stream: Stream.empty
    })
    const charset = res.charset
    const bytes: Stream.Stream<Uint8Array, unknown> = Stream.mapEffect(
      stream,
      (chunk) => (typeof chunk === "string" ? internal.encodeText(chunk, charset) : Either.right(chunk))
    )
    return Either.right(internal.update(res, { stream: bytes }) as StreamingHttpResponse)
  })

/**
 * `response.streaming_content`: the body as bytes.
 *
 * @since 0.1.0
 * @category accessors
 */
export const streamingContent = (
  self: StreamingHttpResponse | internal.File
): Stream.Stream<Uint8Array, unknown> => self.stream
