/**
 * Django's request handler (`BaseHandler`): one value runs a site. A request goes through the
 * middleware in `MIDDLEWARE` order, then URL resolution, the `processView` hooks, the view, and
 * back out. Every failure, in a view, a middleware or resolution, becomes a response at the
 * layer where it happens (Django's `convert_exception_to_response`), so each middleware sees the
 * error response of the layers inside it, and no request leaves without passing through the
 * whole chain.
 *
 * Failures map as in Django: the `SuspiciousOperation` family, `BadRequest`,
 * `MultiPartParserError` and Schema `ParseError`s 400, `PermissionDenied` 403, `Http404` (and a
 * URL no route matches) 404, anything else and any defect 500. `handler400`, `handler403`,
 * `handler404` and `handler500` replace the pages; as in Django, with `DEBUG` on a 404, a
 * suspicious operation, a bad request and a 500 show the technical page instead. The default
 * pages are Django's; a client whose `Accept` prefers JSON to HTML gets a JSON body, and a
 * Schema failure lists each field's problem.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Handler, HttpResponse, Middleware, Server, View } from "effect-django-http"
 *
 * const hello: View.View = (request) => HttpResponse.make({ content: `Hello from ${request.path}` })
 *
 * const site = Handler.make({
 *   middleware: Middleware.compose(Middleware.multipleProxy, Middleware.validateHost),
 *   urls: hello,
 *   handler404: (request) => HttpResponse.notFound({ content: `Nothing at ${request.path}` })
 * })
 *
 * // Server.run(site, { settings: ... })
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Scope from "effect/Scope"
import { Http404, type ImproperlyConfigured } from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import * as handler from "./internal/handler.js"
import { serverRequestOf } from "./internal/httpRequest.js"
import * as internal from "./internal/middleware.js"
import type * as Middleware from "./Middleware.js"
import * as Resolver_ from "./Resolver.js"
import * as Settings from "./Settings.js"
import * as Urls_ from "./Urls.js"
import * as View from "./View.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-django-http/Handler")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * What an error view receives besides the request: the status Django's mapping chose, the
 * failure, and for a Schema failure each field's problem.
 *
 * @since 0.1.0
 * @category models
 */
export interface Failure {
  readonly status: number
  /** The error's tag (`Http404`, `DisallowedHost`, ...), else its class name (`Error` for a thrown `Error`). */
  readonly name: string
  readonly message: string
  readonly cause: Cause.Cause<unknown>
  /** A Schema `ParseError`'s problems, one per field. */
  readonly issues: ReadonlyArray<Failure.Issue> | undefined
}

/**
 * @since 0.1.0
 */
export declare namespace Failure {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Issue {
    readonly path: string
    readonly message: string
  }
}

/**
 * Django's `handler400` ... `handler500`: an ordinary view that also receives the failure.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorView<E = unknown, R = never> {
  (request: HttpRequest.HttpRequest, failure: Failure): Effect.Effect<View.Response, E, R>
}

/**
 * URL resolution as the handler runs it: from the request to the view and its arguments, or a
 * failure (`Http404` when nothing matches). It runs before the `processView` hooks, so a URL
 * that does not resolve reaches no `processView` and no `processException`, as in Django.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resolver<E = unknown, R = never> {
  readonly [ResolverTypeId]: ResolverTypeId
  readonly resolve: (request: HttpRequest.HttpRequest) => Effect.Effect<Middleware.Resolved, E, R>
}

/**
 * @since 0.1.0
 * @category type ids
 */
export const ResolverTypeId: unique symbol = Symbol.for("effect-django-http/Handler/Resolver")

/**
 * @since 0.1.0
 * @category type ids
 */
export type ResolverTypeId = typeof ResolverTypeId

/**
 * A resolver from a function. `R` is what the resolved views need.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolver = <E = never, R = never>(
  resolve: (request: HttpRequest.HttpRequest) => Effect.Effect<Middleware.Resolved, E, never>
): Resolver<E, R> => ({ [ResolverTypeId]: ResolverTypeId, resolve })

/**
 * What a site's URLs can be: a URLconf (`Urls.make`, Django's `ROOT_URLCONF`), a `Resolver`, a
 * root view that routes by itself (failing with `Http404` for what it does not serve), or any
 * `@effect/platform` app, such as an `HttpRouter` (a route not found is a 404 through the
 * handler). For a root view or an app, resolution always chooses that view, so `processView`
 * sees it for every request.
 *
 * With a URLconf, resolution is Django's: `pathInfo` is resolved with the URLconf in effect (one
 * a middleware set with `Resolver.setUrlconf`, Django's `request.urlconf`, else the site's), a miss
 * is `Resolver404` (404, after no `processView`), and the `processView` hooks and the view find
 * the match as `Resolver.ResolverMatch` and the URLconf in effect as `Resolver.Urlconf` in the context.
 *
 * @since 0.1.0
 * @category models
 */
export type Urls<E, R> =
  | Urls_.URLconf<View.View<E, R>, any>
  | Resolver<E, R>
  | View.View<E, R>
  | HttpApp.Default<E, R>

/**
 * What the views of some URLs need.
 *
 * @since 0.1.0
 * @category type-level
 */
export type UrlsContext<U> = U extends Urls_.URLconf<infer V, any> ? V extends View.View<any, infer R> ? R : never
  : U extends Resolver<any, infer R> ? R
  : U extends HttpApp.Default<any, infer R> ? R
  : U extends View.View<any, infer R> ? R
  : never

/**
 * What the handler provides to the views of some URLs: with a URLconf, the match
 * (`Resolver.ResolverMatch`) and the URLconf in effect (`Resolver.Urlconf`).
 *
 * @since 0.1.0
 * @category type-level
 */
export type UrlsProvided<U> = U extends Urls_.URLconf<any, any> ? Resolver_.ResolverMatch | Resolver_.Urlconf : never

/**
 * A site: its middleware, its URLs and its error views.
 *
 * @since 0.1.0
 * @category models
 */
export interface Handler<out R = never> extends Pipeable {
  readonly [TypeId]: { readonly _R: (_: never) => R }
  readonly middleware: ReadonlyArray<Middleware.Hooks>
  readonly resolve: (request: HttpRequest.HttpRequest) => Effect.Effect<Middleware.Resolved, unknown, unknown>
  readonly handler400: ErrorView<unknown, unknown> | undefined
  readonly handler403: ErrorView<unknown, unknown> | undefined
  readonly handler404: ErrorView<unknown, unknown> | undefined
  readonly handler500: ErrorView<unknown, unknown> | undefined
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isHandler = (u: unknown): u is Handler<unknown> => hasProperty(u, TypeId)

/**
 * The services a platform request runs with, which a handler never needs from its user.
 *
 * @since 0.1.0
 * @category models
 */
export type Provided = HttpRequest.HttpRequest | HttpServerRequest.HttpServerRequest | Scope.Scope

/**
 * @since 0.1.0
 * @category models
 */
export interface Options<EM, RM, PM, U extends Urls<any, any>, R4> {
  /** Django's `MIDDLEWARE`: one middleware or a `Middleware.compose` of several. */
  readonly middleware?: Middleware.Middleware<EM, RM, PM>
  /** Django's `ROOT_URLCONF`. */
  readonly urls: U
  readonly handler400?: ErrorView<unknown, R4>
  readonly handler403?: ErrorView<unknown, R4>
  readonly handler404?: ErrorView<unknown, R4>
  readonly handler500?: ErrorView<unknown, R4>
}

const proto = {
  pipe() {
    return pipeArguments(this, arguments)
  }
}

/**
 * A platform app (an `HttpRouter`, for instance) as a view: it runs on the request's platform
 * request, and a route it does not have is `Http404`, so the site's middleware and error views
 * answer it. Mount one under a path of a URLconf (`Urls.rePath("^api/", Handler.fromHttpApp(router))`,
 * its routes written with the full path), or serve it as the whole site (`Handler.make({ urls:
 * router })`).
 *
 * @since 0.1.0
 * @category conversions
 */
export const fromHttpApp = <E, R>(
  app: HttpApp.Default<E, R>
): View.View<E | Http404, Exclude<R, HttpServerRequest.HttpServerRequest>> =>
(request) => {
  const server = serverRequestOf(request)
  if (server === undefined) {
    return Effect.fail(new Http404({ message: `No route for ${request.path}: the request has no platform request` }))
  }
  return Effect.catchAll(
    Effect.provideService(app, HttpServerRequest.HttpServerRequest, server),
    (e: E | Http404) =>
      Effect.fail(
        HttpServerError.isServerError(e) && e._tag === "RouteNotFound"
          ? new Http404({ message: `No route for ${request.method} ${request.path}` })
          : e
      )
  )
}

/**
 * A URLconf's resolution in a context at hand: the `Resolved` itself, or the effect that fails
 * (`Resolver404`, `ImproperlyConfigured`, a view that is not a function).
 */
const resolveIn = (root: Urls_.AnyURLconf): internal.ResolveNow => (context, request) => {
  const current = context.unsafeMap.get(Resolver_.Urlconf.key) as Urls_.AnyURLconf | undefined
  const urlconf = current ?? root
  return Either.match(Resolver_.resolve(urlconf, request.pathInfo), {
    onLeft: (error): Effect.Effect<Middleware.Resolved, Resolver_.Resolver404 | ImproperlyConfigured> =>
      Effect.fail(error),
    onRight: (match): Middleware.Resolved | Effect.Effect<never> =>
      typeof match.func === "function"
        ? {
          view: match.func as View.View<unknown, unknown>,
          args: match.args,
          kwargs: match.kwargs,
          match,
          // The two services in one map (`Context.make(...).pipe(Context.add(...))` makes two).
          context: Context.unsafeMake(
            new Map<string, unknown>().set(Resolver_.ResolverMatch.key, match).set(Resolver_.Urlconf.key, urlconf)
          )
        }
        : Effect.dieMessage(`The URLconf's view for ${match.route} is not a view`)
  })
}

/** The URLconf's `resolve`, carrying its `resolveIn` for the chain (`internal.ResolveNowTypeId`). */
const fromURLconf = (root: Urls_.AnyURLconf) => {
  const now = resolveIn(root)
  const resolve = (request: HttpRequest.HttpRequest) =>
    Effect.withFiberRuntime<Middleware.Resolved, Resolver_.Resolver404 | ImproperlyConfigured>((fiber) => {
      const resolved = now(fiber.currentContext, request)
      return (Effect.isEffect(resolved) ? resolved : Effect.succeed(resolved)) as Effect.Effect<
        Middleware.Resolved,
        Resolver_.Resolver404 | ImproperlyConfigured
      >
    })
  return Object.assign(resolve, { [internal.ResolveNowTypeId]: now })
}

/**
 * A site from its middleware, URLs and error views. Requirements are inferred: those of the
 * views and error views, less what the middleware provides, plus what the middleware needs.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <U extends Urls<any, any>, EM = never, RM = never, PM = never, R4 = never>(
  options: Options<EM, RM, PM, U, R4>
): Handler<Exclude<UrlsContext<U>, PM | Provided | UrlsProvided<U>> | Exclude<RM | R4, Provided>> => {
  const urls = options.urls
  let resolve: Handler<unknown>["resolve"]
  if (Urls_.isURLconf(urls)) {
    resolve = fromURLconf(urls)
  } else if (hasProperty(urls, ResolverTypeId)) {
    resolve = urls.resolve
  } else {
    const view: View.View<unknown, unknown> = Effect.isEffect(urls) ? fromHttpApp(urls) : urls
    const resolved: Middleware.Resolved = { view, args: [], kwargs: {} }
    resolve = () => Effect.succeed(resolved)
  }
  const self = Object.create(proto)
  return Object.assign(self, {
    [TypeId]: { _R: (_: never) => _ },
    middleware: options.middleware?.stack ?? [],
    resolve,
    handler400: options.handler400,
    handler403: options.handler403,
    handler404: options.handler404,
    handler500: options.handler500
  })
}

/**
 * The error view Django would use for a failure of this class, or `undefined` for the default
 * page (the technical page with `DEBUG`).
 */
const errorViewFor = (
  self: Handler<unknown>,
  classified: handler.Classified,
  debug: boolean
): ErrorView<unknown, unknown> | undefined => {
  switch (classified.status) {
    case 404:
      return debug ? undefined : self.handler404
    case 403:
      return self.handler403
    case 400:
      // Django answers a multipart parser error with handler400 even in DEBUG.
      return classified.name === "MultiPartParserError" || !debug ? self.handler400 : undefined
    default:
      return debug ? undefined : self.handler500
  }
}

const convert = (self: Handler<unknown>) =>
(
  request: HttpRequest.HttpRequest,
  cause: Cause.Cause<unknown>
): Effect.Effect<View.Response, unknown, unknown> =>
  Effect.withFiberRuntime((fiber) => {
    const settings = Settings.fromContext(fiber.currentContext)
    const classified = handler.classify(cause)
    const info = { method: request.method, path: request.path, meta: request.META }
    const issues = handler.issuesOf(cause)
    const input: handler.PageInput = { classified, cause, info, issues }
    const fallback = Effect.sync(() => handler.defaultErrorResponse(input, settings, request.META.HTTP_ACCEPT))
    const errorView = errorViewFor(self, classified, settings.DEBUG)
    const failure: Failure = {
      status: classified.status,
      name: classified.name,
      message: classified.message,
      cause,
      issues
    }
    const answer = errorView === undefined
      ? fallback
      : Effect.catchAllCause(
        internal.runWith((r) => errorView(r, failure), request),
        (inner) => {
          // An error view that fails: log it, and answer with the default page of a 500.
          const broken = handler.classify(inner)
          const brokenInput = { ...input, classified: { ...broken, status: 500 }, cause: inner, issues: undefined }
          return Effect.as(
            handler.logFailure(broken, inner, info),
            handler.defaultErrorResponse(brokenInput, settings, request.META.HTTP_ACCEPT)
          )
        }
      )
    return Effect.zipRight(handler.logFailure(classified, cause, info), answer)
  })

/**
 * The site as one view that always answers: every failure has become a response on the way.
 * Only an interruption (the client went away) is passed on.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toView = <R>(self: Handler<R>): View.View<never, R> => {
  const step = internal.chain({
    stack: self.middleware,
    resolve: self.resolve,
    convert: convert(self)
  })
  return step as View.View<never, R>
}

/**
 * The site as an `@effect/platform` app: serve it with `Server.run(site)` or
 * `HttpServer.serve(Handler.toHttpApp(site))`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toHttpApp = <R>(self: Handler<R>): HttpApp.Default<never, R | Scope.Scope> => View.toHttpApp(toView(self))
