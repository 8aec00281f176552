/**
 * Django's `ConditionalGetMiddleware`: for GET requests, adds an `ETag` (the quoted md5 of the
 * content) to non-streaming, non-empty responses whose `Cache-Control` has no `no-store`, then
 * answers 304 or 412 from the request's `If-*` headers with Django's precedence (see
 * `Cache.getConditionalResponse`). Only 2xx responses are touched; a 304 keeps only
 * `Cache-Control`, `Content-Location`, `Date`, `ETag`, `Expires`, `Last-Modified`, `Vary` and the
 * cookies.
 *
 * ```ts
 * import { ConditionalGet, HttpResponse, View } from "effect-django-http"
 *
 * const page: View.View = () => HttpResponse.make({ content: "<p>big page</p>" })
 * const app = View.toHttpApp(ConditionalGet.middleware(page))
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Cache from "./Cache.js"
import type * as HttpRequest from "./HttpRequest.js"
import * as HttpResponse from "./HttpResponse.js"
import * as internal from "./internal/cache.js"
import * as Middleware from "./Middleware.js"

/**
 * Django's `needs_etag`: no `no-store` among the `Cache-Control` directives.
 *
 * @since 0.1.0
 * @category etags
 */
export const needsEtag = (response: HttpResponse.AnyResponse): boolean =>
  internal.splitDirectives(Option.getOrElse(HttpResponse.getHeader(response, "Cache-Control"), () => "")).every(
    (d) => d.toLowerCase() !== "no-store"
  )

/**
 * Django's `process_response`: the response for a request, a 304, or a 412.
 *
 * @since 0.1.0
 * @category middleware
 */
export const processResponse = (
  request: HttpRequest.HttpRequest,
  response: HttpResponse.AnyResponse
): Effect.Effect<HttpResponse.AnyResponse> => {
  if (request.method !== "GET") return Effect.succeed(response)
  const withEtag = needsEtag(response) && !HttpResponse.hasHeader(response, "ETag")
    ? Cache.setResponseEtag(response)
    : response
  const etag = Option.getOrUndefined(HttpResponse.getHeader(withEtag, "ETag"))
  const lm = Option.getOrUndefined(HttpResponse.getHeader(withEtag, "Last-Modified"))
  const lastModified = lm ? internal.parseHttpDate(lm) : undefined
  if (!etag && !lastModified) return Effect.succeed(withEtag)
  return Effect.map(
    Cache.getConditionalResponse(request, { etag, lastModified, response: withEtag }),
    Option.getOrElse(() => withEtag)
  )
}

/**
 * `ConditionalGetMiddleware`. Responses that are not this library's pass unchanged.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware: Middleware.Middleware = Middleware.make((request, getResponse) =>
  Effect.flatMap(
    getResponse(request),
    (response) => HttpResponse.isAnyResponse(response) ? processResponse(request, response) : Effect.succeed(response)
  )
)
