/**
 * Middleware as Django has it: a value with up to four hooks, listed in Django's `MIDDLEWARE`
 * order. The first middleware listed sees the request first and the response last.
 *
 * - `call` is Django's `__call__(request)`: it gets the request and `getResponse`, the rest of
 *   the chain; it may change the request it passes on, change the response, or answer by itself.
 * - `processView` sees the resolved view before it runs (top-down) and may answer instead.
 * - `processException` sees a view's failure (bottom-up) and may answer instead of the error page.
 * - `processTemplateResponse` sees a deferred-render response before it is rendered (bottom-up).
 *
 * Inside a `Handler`, every failure becomes a response at the layer where it happens (Django's
 * `convert_exception_to_response`), so `getResponse` never fails: each middleware sees the 400,
 * 403, 404 or 500 of the layers inside it. A middleware is also a view decorator (Django's
 * `decorator_from_middleware`): `timing(view)` runs the hooks around one view, and there
 * failures pass through as typed errors.
 *
 * Request-scoped state lives in the Effect context: the current request is provided as
 * `HttpRequest.HttpRequest` to every layer below, and a middleware may provide a service to the
 * layers below it (`provideService`, or `provides` in `make`), which removes that service from
 * the requirements of the whole stack.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Handler, HttpResponse, Middleware, View } from "effect-django-http"
 *
 * // Marks every response it sees, error pages included; a header with CR/LF would fail with BadHeaderError.
 * const timing = Middleware.make((request, getResponse) =>
 *   Effect.flatMap(getResponse(request), (response) => View.setHeader(response, "X-Seen", "1"))
 * )
 *
 * const view: View.View = () => HttpResponse.make({ content: "hi" })
 *
 * // MIDDLEWARE = [MultipleProxyMiddleware, CommonMiddleware (host check), timing]
 * const site = Handler.make({
 *   middleware: Middleware.compose(Middleware.multipleProxy, Middleware.validateHost, timing),
 *   urls: view
 * })
 *
 * // One middleware as a decorator of one view (Django's decorator_from_middleware)
 * const decorated = timing(view)
 * ```
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import type { DisallowedHost } from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import * as internal from "./internal/middleware.js"
import { strip as pyStrip } from "./internal/python/str.js"
import type { ResolverMatch } from "./Resolver.js"
import type * as View from "./View.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-django-http/Middleware")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The rest of the chain, as a middleware's `call` sees it. Inside a `Handler` it never fails:
 * failures below have become responses already.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetResponse {
  (request: HttpRequest.HttpRequest): Effect.Effect<View.Response>
}

/**
 * The view URL resolution chose, as `processView` sees it: Django's `view_func`, `view_args`
 * and `view_kwargs`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resolved {
  readonly view: View.View<unknown, unknown>
  readonly args: ReadonlyArray<unknown>
  readonly kwargs: Readonly<Record<string, unknown>>
  /** With a URLconf, the match (Django's `request.resolver_match`, set before `process_view`). */
  readonly match?: ResolverMatch | undefined
  /**
   * Services resolution adds for the `processView` hooks and the view: the `ResolverMatch`
   * (Django's `request.resolver_match`) and the URLconf in effect.
   */
  readonly context?: Context.Context<never> | undefined
}

/**
 * One middleware's hooks, each optional, with their errors and requirements erased: what a
 * stack holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hooks {
  readonly call?:
    | ((request: HttpRequest.HttpRequest, getResponse: GetResponse) => Effect.Effect<
      View.Response,
      unknown,
      unknown
    >)
    | undefined
  readonly processView?:
    | ((request: HttpRequest.HttpRequest, resolved: Resolved) => Effect.Effect<
      Option.Option<View.Response>,
      unknown,
      unknown
    >)
    | undefined
  readonly processException?:
    | ((request: HttpRequest.HttpRequest, cause: Cause.Cause<unknown>) => Effect.Effect<
      Option.Option<View.Response>,
      unknown,
      unknown
    >)
    | undefined
  readonly processTemplateResponse?:
    | ((request: HttpRequest.HttpRequest, response: View.Response) => Effect.Effect<
      View.Response,
      unknown,
      unknown
    >)
    | undefined
  /** The services this middleware provides to the layers below it. */
  readonly provides?: ReadonlyArray<Context.Tag<unknown, unknown>> | undefined
}

/**
 * A middleware, or a stack of them in `MIDDLEWARE` order. `E` is what its hooks may fail with,
 * `R` what they need, `P` the services it provides to the layers below it. Called on a view, it
 * decorates that view (Django's `decorator_from_middleware`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Middleware<out E = never, out R = never, out P = never> extends Pipeable {
  readonly [TypeId]: {
    readonly _E: (_: never) => E
    readonly _R: (_: never) => R
    readonly _P: (_: never) => P
  }
  /** The hooks of each middleware, in `MIDDLEWARE` order. */
  readonly stack: ReadonlyArray<Hooks>
  <E1, R1>(view: View.View<E1, R1>): View.View<E1 | E, Exclude<R1, P> | R>
}

/**
 * The errors a middleware's hooks may fail with.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Error<M> = M extends Middleware<infer E, infer _R, infer _P> ? E : never

/**
 * What a middleware's hooks need.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Requirements<M> = M extends Middleware<infer _E, infer R, infer _P> ? R : never

/**
 * The services a middleware provides to the layers below it.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Provides<M> = M extends Middleware<infer _E, infer _R, infer P> ? P : never

/**
 * @since 0.1.0
 * @category guards
 */
export const isMiddleware = (u: unknown): u is Middleware<unknown, unknown, unknown> =>
  typeof u === "function" && TypeId in u

const variance = { _E: (_: never) => _, _R: (_: never) => _, _P: (_: never) => _ }

/**
 * A middleware from a stack of hooks: the low-level constructor under `make` and `compose`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStack = <E = never, R = never, P = never>(stack: ReadonlyArray<Hooks>): Middleware<E, R, P> => {
  const self = <E1, R1>(view: View.View<E1, R1>): View.View<E1 | E, Exclude<R1, P> | R> =>
    internal.decorate(stack, view) as View.View<E1 | E, Exclude<R1, P> | R>
  return Object.assign(self, {
    [TypeId]: variance,
    stack,
    pipe() {
      return pipeArguments(this, arguments)
    }
  }) as Middleware<E, R, P>
}

/**
 * The hooks `make` accepts. Each is optional; `provides` lists the services the middleware puts
 * in the context of the layers below it, so that they leave the stack's requirements.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<E1, R1, E2, R2, E3, R3, E4, R4, T extends ReadonlyArray<Context.Tag<any, any>>> {
  readonly call?: (request: HttpRequest.HttpRequest, getResponse: GetResponse) => Effect.Effect<View.Response, E1, R1>
  readonly processView?: (
    request: HttpRequest.HttpRequest,
    resolved: Resolved
  ) => Effect.Effect<Option.Option<View.Response>, E2, R2>
  readonly processException?: (
    request: HttpRequest.HttpRequest,
    cause: Cause.Cause<unknown>
  ) => Effect.Effect<Option.Option<View.Response>, E3, R3>
  readonly processTemplateResponse?: (
    request: HttpRequest.HttpRequest,
    response: View.Response
  ) => Effect.Effect<View.Response, E4, R4>
  readonly provides?: T
}

/**
 * A middleware from Django's `__call__(request)` (a function of the request and `getResponse`),
 * or from an object of hooks. Errors and requirements are inferred from the hooks.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { HttpResponse, Middleware, View } from "effect-django-http"
 *
 * // __call__: change the response of everything below
 * const poweredBy = Middleware.make((request, getResponse) =>
 *   Effect.flatMap(getResponse(request), (response) => View.setHeader(response, "X-Powered-By", "Effect"))
 * )
 *
 * // process_view: answer before a view runs
 * const closed = Middleware.make({
 *   processView: (request) =>
 *     request.path.startsWith("/admin/")
 *       ? Effect.map(HttpResponse.make({ content: "closed", status: 503 }), Option.some)
 *       : Effect.succeed(Option.none())
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  <E1 = never, R1 = never>(
    call: (request: HttpRequest.HttpRequest, getResponse: GetResponse) => Effect.Effect<View.Response, E1, R1>
  ): Middleware<E1, R1>
  <
    E1 = never,
    R1 = never,
    E2 = never,
    R2 = never,
    E3 = never,
    R3 = never,
    E4 = never,
    R4 = never,
    const T extends ReadonlyArray<Context.Tag<any, any>> = readonly []
  >(
    options: Options<E1, R1, E2, R2, E3, R3, E4, R4, T>
  ): Middleware<E1 | E2 | E3 | E4, R1 | R2 | R3 | R4, Context.Tag.Identifier<T[number]>>
} = (
  hooks: ((request: HttpRequest.HttpRequest, getResponse: GetResponse) => Effect.Effect<View.Response, any, any>) | {
    readonly call?: Hooks["call"]
    readonly processView?: Hooks["processView"]
    readonly processException?: Hooks["processException"]
    readonly processTemplateResponse?: Hooks["processTemplateResponse"]
    readonly provides?: ReadonlyArray<Context.Tag<any, any>>
  }
): Middleware => fromStack([typeof hooks === "function" ? { call: hooks } : hooks])

/**
 * A middleware that changes the request before the layers below see it (Django's
 * `process_request` that returns `None`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const mapRequest = (f: (request: HttpRequest.HttpRequest) => HttpRequest.HttpRequest): Middleware =>
  make((request, getResponse) => getResponse(f(request)))

/**
 * Composes middleware in Django's `MIDDLEWARE` order: `compose(a, b, c)` lists `a` first, so `a`
 * sees the request first and the response last. The result is one middleware whose errors and
 * requirements are those of its parts, less the services the parts provide. With `pipe` on a
 * view the order reads inside out: `pipe(view, c, b, a)` is `compose(a, b, c)(view)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const compose = <const M extends ReadonlyArray<Middleware<any, any, any>>>(
  ...middleware: M
): Middleware<Error<M[number]>, Exclude<Requirements<M[number]>, Provides<M[number]>>, Provides<M[number]>> =>
  fromStack(middleware.flatMap((m) => m.stack))

/**
 * Computes a service for each request and provides it to the layers below: the place for
 * request-scoped state (a session, `request.user`, a resolver match).
 *
 * @since 0.1.0
 * @category constructors
 */
export const provideService = <I, S, E2 = never, R2 = never>(
  tag: Context.Tag<I, S>,
  f: (request: HttpRequest.HttpRequest) => Effect.Effect<S, E2, R2>
): Middleware<E2, R2, I> =>
  make({
    call: (request, getResponse) =>
      Effect.flatMap(f(request), (service) => internal.provideServiceLocally(getResponse(request), tag, service)),
    provides: [tag]
  }) as Middleware<E2, R2, I>

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
 * The host check of Django's `CommonMiddleware`: before the layers below run, the request's host
 * (`HttpRequest.getHost`: `ALLOWED_HOSTS`, `USE_X_FORWARDED_HOST`, the DEBUG localhost rule)
 * must be allowed, or the request fails with `DisallowedHost`, which answers 400 and is logged
 * as a suspicious operation. List it after `multipleProxy`.
 *
 * @since 0.1.0
 * @category middleware
 */
export const validateHost: Middleware<DisallowedHost> = make((request, getResponse) =>
  Effect.flatMap(HttpRequest.getHost(request), () => getResponse(request))
)
