/**
 * Middleware as Django has it: a function from a view to a view. The first middleware listed
 * sees the request first and the response last; a middleware may answer without calling the
 * view.
 *
 * Request-scoped state lives in the Effect context: the current request is provided as
 * `HttpRequest.HttpRequest` to every view, and `provideService` computes a service per request
 * (a session, `request.user`, the resolver match) and provides it to the views below.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResponse, Middleware, type View } from "effect-django-http"
 *
 * // Marks every response it sees; a header with CR/LF would fail with BadHeaderError.
 * const seen = Middleware.make<HttpResponse.MakeError>((request, getResponse) =>
 *   Effect.flatMap(getResponse(request), (response) =>
 *     HttpResponse.isAnyResponse(response) ? HttpResponse.setHeader(response, "X-Seen", "1") : Effect.succeed(response)
 *   )
 * )
 *
 * const view: View.View = () => HttpResponse.make({ content: "hi" })
 *
 * // MIDDLEWARE = [MultipleProxyMiddleware, seen]
 * const app = Middleware.compose(Middleware.multipleProxy, seen)(view)
 * // the same by hand: the last listed wraps the view first
 * const same = Middleware.multipleProxy(seen(view))
 * ```
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { DisallowedHost } from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import type * as View from "./View.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Middleware<E2 = never, R2 = never> {
  <E, R>(view: View.View<E, R>): View.View<E | E2, R | R2>
}

/**
 * A middleware from Django's `__call__(request)`: `f` gets the request and `getResponse`, the
 * rest of the chain; it may change the request it passes on, change the response, or answer by
 * itself. The request passed on is the current `HttpRequest.HttpRequest` of the views below.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <E2 = never, R2 = never>(
  f: <E, R>(
    request: HttpRequest.HttpRequest,
    getResponse: View.View<E, R>
  ) => Effect.Effect<View.Response, E | E2, R | R2>
): Middleware<E2, R2> =>
<E, R>(view: View.View<E, R>): View.View<E | E2, R | R2> =>
(request) => f(request, (next) => Effect.provideService(view(next), HttpRequest.HttpRequest, next))

/**
 * A middleware that changes the request before the view sees it (Django's `process_request`
 * that returns `None`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const mapRequest = (f: (request: HttpRequest.HttpRequest) => HttpRequest.HttpRequest): Middleware =>
  make((request, getResponse) => getResponse(f(request)))

/**
 * Composes middleware in Django's `MIDDLEWARE` order: `compose(a, b, c)(view)` is
 * `a(b(c(view)))`, so `a` sees the request first and the response last. With `pipe` the order
 * reads inside out: `pipe(view, c, b, a)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const compose: {
  <E1, R1>(a: Middleware<E1, R1>): Middleware<E1, R1>
  <E1, R1, E2, R2>(a: Middleware<E1, R1>, b: Middleware<E2, R2>): Middleware<E1 | E2, R1 | R2>
  <E1, R1, E2, R2, E3, R3>(
    a: Middleware<E1, R1>,
    b: Middleware<E2, R2>,
    c: Middleware<E3, R3>
  ): Middleware<E1 | E2 | E3, R1 | R2 | R3>
  <E1, R1, E2, R2, E3, R3, E4, R4>(
    a: Middleware<E1, R1>,
    b: Middleware<E2, R2>,
    c: Middleware<E3, R3>,
    d: Middleware<E4, R4>
  ): Middleware<E1 | E2 | E3 | E4, R1 | R2 | R3 | R4>
  <E1, R1, E2, R2, E3, R3, E4, R4, E5, R5>(
    a: Middleware<E1, R1>,
    b: Middleware<E2, R2>,
    c: Middleware<E3, R3>,
    d: Middleware<E4, R4>,
    e: Middleware<E5, R5>
  ): Middleware<E1 | E2 | E3 | E4 | E5, R1 | R2 | R3 | R4 | R5>
} = (...middleware: ReadonlyArray<Middleware<unknown, unknown>>) => <E, R>(view: View.View<E, R>) =>
  middleware.reduceRight<View.View<unknown, unknown>>((inner, m) => m(inner), view)

/**
 * Computes a service for each request and provides it to the views below: the place for
 * request-scoped state (a session, `request.user`, a resolver match).
 *
 * @since 0.1.0
 * @category constructors
 */
export const provideService = <I, S, E2, R2>(
  tag: Context.Tag<I, S>,
  f: (request: HttpRequest.HttpRequest) => Effect.Effect<S, E2, R2>
) =>
<E, R>(view: View.View<E, R>): View.View<E | E2, Exclude<R, I> | R2> =>
(request) => Effect.flatMap(f(request), (service) => Effect.provideService(view(request), tag, service))

/** Python's `str.strip()` whitespace, for Latin-1 header values. */
const pyStrip = (s: string): string => s.replace(/^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g, "")

/**
 * The META keys `multipleProxy` rewrites.
 *
 * @since 0.1.0
 * @category models
 */
export const FORWARDED_FOR_FIELDS: ReadonlyArray<string> = [
  "HTTP_X_FORWARDED_FOR",
  "HTTP_X_FORWARDED_HOST",
  "HTTP_X_FORWARDED_SERVER"
]

/**
 * The `MultipleProxyMiddleware` of Django's documentation: when a request went through several
 * proxies, `X-Forwarded-For`, `X-Forwarded-Host` and `X-Forwarded-Server` hold
 * `client, proxy1, proxy2`; keep only the last value. List it before anything that reads the
 * host (`getHost`, `buildAbsoluteUri`, CSRF checks).
 *
 * @since 0.1.0
 * @category middleware
 */
export const multipleProxy: Middleware = mapRequest((request) => {
  let meta: Record<string, string> | undefined
  for (const field of FORWARDED_FOR_FIELDS) {
    const value = request.META[field]
    if (value !== undefined && value.includes(",")) {
      meta ??= { ...request.META }
      meta[field] = pyStrip(value.slice(value.lastIndexOf(",") + 1))
    }
  }
  return meta === undefined ? request : HttpRequest.withMeta(request, meta)
})

/**
 * The host check of Django's `CommonMiddleware`: before the view runs, the request's host
 * (`HttpRequest.getHost`: `ALLOWED_HOSTS`, `USE_X_FORWARDED_HOST`, the DEBUG localhost rule)
 * must be allowed, or the request fails with `DisallowedHost`, which answers 400 and is logged
 * as a suspicious operation. List it after `multipleProxy`.
 *
 * @since 0.1.0
 * @category middleware
 */
export const validateHost: Middleware<DisallowedHost> =
  <E, R>(view: View.View<E, R>): View.View<E | DisallowedHost, R> => (request) =>
    Effect.flatMap(HttpRequest.getHost(request), () => view(request))
