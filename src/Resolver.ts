/**
 * Django's URL functions over a URLconf (`django.urls.base` and `ResolverMatch`): `resolve`
 * with Django's first-match rules, `reverse` checked by the type checker when the URLconf is
 * written as a literal, the URLconf and script prefix of the current request, and `dispatch`,
 * a view that routes. The URLconf itself (`path`, `rePath`, `include`, converters) is `Urls`.
 *
 * ```ts
 * import { Effect, Either } from "effect"
 * import { HttpResponse, Resolver, Urls, View } from "effect-django-http"
 *
 * const view: View.View = (request) => HttpResponse.make({ content: request.path })
 *
 * const urls = Urls.make([
 *   Urls.path("", view, { name: "home" }),
 *   Urls.path("articles/<int:year>/<slug:slug>/", view, { name: "detail" })
 * ])
 *
 * const match = Either.getOrThrow(Resolver.resolve(urls, "/articles/2024/hello/"))
 * match.viewName // "detail"
 * match.kwargs // { year: 2024, slug: "hello" }
 *
 * // checked at compile time: the name exists and `year` is a number
 * const url = Resolver.reverse(urls, "detail", { year: 2024, slug: "hello" })
 * Effect.runSync(url) // "/articles/2024/hello/"
 * ```
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Equal from "effect/Equal"
import type * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Errors from "./Errors.js"
import { ImproperlyConfigured, InvalidArgument } from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import * as routes from "./internal/urls/patterns.js"
import * as resolver from "./internal/urls/resolve.js"
import * as reverser from "./internal/urls/reverse.js"
import * as internal from "./internal/urls/urlconf.js"
import * as Middleware from "./Middleware.js"
import type { AnyURLconf, AnyURLPattern, Entry, ParamsFor, TypeId, URLconf } from "./Urls.js"
import type * as View from "./View.js"

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * No pattern matches the path (Django's `Resolver404`, an `Http404`): answered with 404.
 * `path` is what was left of the path where matching stopped and `tried` the patterns tried,
 * each as the chain of patterns from the root (absent when the root itself did not match,
 * i.e. a path without a leading `/`).
 *
 * @since 0.2.0
 * @category errors
 */
export class Resolver404 extends Errors.TaggedError("Resolver404", { status: 404 })<{
  readonly message: string
  readonly path: string
  readonly tried: ReadonlyArray<ReadonlyArray<AnyURLPattern<unknown>>> | undefined
}> {}

/**
 * `reverse` found no URL (Django's `NoReverseMatch`, with its message): answered with 500.
 *
 * @since 0.2.0
 * @category errors
 */
export class NoReverseMatch extends Errors.TaggedError("NoReverseMatch", { status: 500 }) {}

// ---------------------------------------------------------------------------
// ResolverMatch
// ---------------------------------------------------------------------------

/**
 * Django's `ResolverMatch`: the view a path resolved to and how.
 *
 * @since 0.2.0
 * @category models
 */
export interface ResolverMatch<V = unknown> extends Equal.Equal, Inspectable.Inspectable {
  readonly [TypeId]: TypeId
  readonly func: V
  /** Positional arguments: the unnamed groups of a `rePath` without named groups. */
  readonly args: ReadonlyArray<unknown>
  readonly kwargs: Readonly<Record<string, unknown>>
  readonly urlName: string | null
  /** The routes and regexes of the chain joined (`"articles/<int:year>/"`). */
  readonly route: string
  readonly appNames: ReadonlyArray<string>
  readonly appName: string
  readonly namespaces: ReadonlyArray<string>
  readonly namespace: string
  /** `namespace:urlName`, or the namespaces and the view's function name when unnamed. */
  readonly viewName: string
  /** The view's name (Django's `_func_path`): the function's `name`, or `"view"`. */
  readonly funcPath: string
  /** The patterns tried, up to and including the match (computed on first access). */
  readonly tried: ReadonlyArray<ReadonlyArray<AnyURLPattern<V>>>
}

/**
 * @since 0.2.0
 * @category guards
 */
export const isResolverMatch: (u: unknown) => u is ResolverMatch = internal.isResolverMatch

/**
 * The match of the current request, for views (Django's `request.resolver_match`); the
 * handler provides it.
 *
 * @since 0.2.0
 * @category tags
 */
export const ResolverMatch: Context.Tag<ResolverMatch, ResolverMatch> = internal.ResolverMatch

// ---------------------------------------------------------------------------
// resolve
// ---------------------------------------------------------------------------

const configError = (e: routes.ConfigError) => new ImproperlyConfigured({ message: e.message })

/**
 * Django's `resolve(path)`: the first pattern, in order, that matches the percent-decoded path
 * (a request's `pathInfo`), with its arguments converted. Fails with `Resolver404` when none
 * does (or the path does not start with `/`).
 *
 * @since 0.2.0
 * @category resolving
 */
export const resolve = <V, E extends Entry>(
  urlconf: URLconf<V, E>,
  path: string
): Either.Either<ResolverMatch<V>, Resolver404 | ImproperlyConfigured> => {
  const hit = resolver.resolveFast(urlconf.root, path)
  if (hit instanceof routes.ConfigError) return Either.left(configError(hit))
  if (hit !== undefined) return Either.right(internal.makeMatch(hit, urlconf.root, path))
  const o = resolver.resolveExact(urlconf.root, path)
  if (o._tag === "Error") return Either.left(configError(o.error))
  if (o._tag === "Hit") return Either.right(internal.makeMatch(o.hit, urlconf.root, path))
  return Either.left(
    new Resolver404({
      message: `The current path, ${o.path}, didn't match any of these.`,
      path: o.path,
      tried: o.tried as ReadonlyArray<ReadonlyArray<AnyURLPattern<unknown>>> | undefined
    })
  )
}

/**
 * `resolve` without the error: `None` when nothing matches (or the URLconf is misconfigured;
 * see `Urls.check`). The fast path for a handler and for `APPEND_SLASH`.
 *
 * @since 0.2.0
 * @category resolving
 */
export const resolveOption = <V, E extends Entry>(
  urlconf: URLconf<V, E>,
  path: string
): Option.Option<ResolverMatch<V>> => {
  const hit = resolver.resolveFast(urlconf.root, path)
  return hit === undefined || hit instanceof routes.ConfigError
    ? Option.none()
    : Option.some(internal.makeMatch(hit, urlconf.root, path))
}

// ---------------------------------------------------------------------------
// reverse
// ---------------------------------------------------------------------------

/**
 * Options of `reverse`: Django's `current_app`, and the script prefix (`"/"` unless the site is
 * mounted under a `SCRIPT_NAME`; it must end in `/`).
 *
 * @since 0.2.0
 * @category models
 */
export interface ReverseOptions {
  readonly currentApp?: string | null | undefined
  readonly scriptPrefix?: string | undefined
}

/**
 * Options of `reverseDynamic`: Django's `args` or `kwargs` (not both), `current_app`, and the
 * script prefix.
 *
 * @since 0.2.0
 * @category models
 */
export interface ReverseDynamicOptions extends ReverseOptions {
  readonly args?: ReadonlyArray<unknown> | undefined
  readonly kwargs?: Readonly<Record<string, unknown>> | undefined
}

/**
 * The errors of `reverse`: `NoReverseMatch`; `InvalidArgument` (Django's `ValueError`) for args
 * and kwargs together; `ImproperlyConfigured` for a bad URLconf.
 *
 * @since 0.2.0
 * @category models
 */
export type ReverseError = NoReverseMatch | InvalidArgument | ImproperlyConfigured

const reverseOutcome = (o: reverser.ReverseOutcome): Either.Either<string, ReverseError> => {
  switch (o._tag) {
    case "Ok":
      return Either.right(o.url)
    case "NoReverseMatch":
      return Either.left(new NoReverseMatch({ message: o.message }))
    case "Mixed":
      return Either.left(new InvalidArgument({ message: "Don't mix *args and **kwargs in call to reverse()!" }))
    case "Error":
      return Either.left(configError(o.error))
  }
}

/**
 * Django's `reverse(viewname, args=..., kwargs=..., current_app=...)` for names built at run
 * time, or a view value: `"namespace:name"` or the view itself; the last declared pattern for
 * a name wins; values go through the converters' `toUrl` and are percent-encoded (keeping
 * `/~:@!$&'()*+,;=`); a leading `//` becomes `/%2F`.
 *
 * @since 0.2.0
 * @category reversing
 */
export const reverseDynamic = <V, E extends Entry>(
  urlconf: URLconf<V, E>,
  viewname: string | V,
  options?: ReverseDynamicOptions
): Either.Either<string, ReverseError> =>
  reverseOutcome(reverser.reverse(urlconf.root as routes.URLResolverData<V>, viewname, options ?? {}))

/**
 * The arguments after the name in `reverse`: the parameters (optional when there are none),
 * then the options.
 *
 * @since 0.2.0
 * @category type-level
 */
export type ReverseArgs<P> = [P] extends [never] ? [params?: never, options?: ReverseOptions]
  : {} extends P ? [params?: P, options?: ReverseOptions]
  : [params: P, options?: ReverseOptions]

/**
 * `reverse` checked by the type checker: the name must be one of the URLconf's (with its
 * namespaces) and the parameters those of its route, typed by the converters
 * (`{ year: number }` for `<int:year>`). A list of values reverses a `rePath` with unnamed
 * groups. For a name built at run time, use `reverseDynamic`.
 *
 * @since 0.2.0
 * @category reversing
 */
export const reverse = <V, E extends Entry, const N extends E["name"]>(
  urlconf: URLconf<V, E>,
  name: N,
  ...rest: ReverseArgs<ParamsFor<E, N>>
): Either.Either<string, ReverseError> => {
  const [params, options] = rest as [unknown, ReverseOptions | undefined]
  const input: reverser.ReverseInput = Array.isArray(params)
    ? { ...options, args: params }
    : { ...options, kwargs: (params ?? {}) as Record<string, unknown> }
  return reverseOutcome(reverser.reverse(urlconf.root as routes.URLResolverData<V>, name, input))
}

// ---------------------------------------------------------------------------
// Per-request URLconf
// ---------------------------------------------------------------------------

/**
 * The URLconf in effect: the site's root URLconf, which a middleware may replace for the rest
 * of a request (Django's `request.urlconf`, see `setUrlconf`). The handler resolves with it,
 * and `resolveCurrent` / `reverseCurrent` read it.
 *
 * @since 0.2.0
 * @category tags
 */
export class Urlconf extends Context.Tag("effect-django-http/Urls/Urlconf")<Urlconf, AnyURLconf>() {}

/**
 * A middleware that sets the URLconf for the rest of the request (Django's
 * `request.urlconf = ...`).
 *
 * @since 0.2.0
 * @category middleware
 */
export const setUrlconf = (urlconf: AnyURLconf): Middleware.Middleware =>
  Middleware.make((request, getResponse) => Effect.provideService(getResponse(request), Urlconf, urlconf))

/**
 * `resolve` with the URLconf in effect.
 *
 * @since 0.2.0
 * @category resolving
 */
export const resolveCurrent = (
  path: string
): Effect.Effect<ResolverMatch, Resolver404 | ImproperlyConfigured, Urlconf> =>
  Effect.flatMap(Urlconf, (urlconf) => resolve(urlconf, path))

/**
 * The script prefix of the current request (`SCRIPT_NAME` or `FORCE_SCRIPT_NAME` plus `/`), or
 * `/` outside a request: Django's `get_script_prefix()`.
 *
 * @since 0.2.0
 * @category reversing
 */
export const scriptPrefix: Effect.Effect<string> = Effect.map(
  Effect.serviceOption(HttpRequest.HttpRequest),
  Option.match({
    onNone: () => "/",
    onSome: (request) => (request.scriptName.endsWith("/") ? request.scriptName : request.scriptName + "/")
  })
)

/**
 * `reverseDynamic` with the URLconf in effect and the current request's script prefix (unless
 * given): Django's `reverse` inside a view.
 *
 * @since 0.2.0
 * @category reversing
 */
export const reverseCurrent = (
  viewname: string | ((...args: ReadonlyArray<any>) => unknown),
  options?: ReverseDynamicOptions
): Effect.Effect<string, ReverseError, Urlconf> =>
  Effect.flatMap(
    Effect.all([Urlconf, scriptPrefix]),
    ([urlconf, prefix]) => reverseDynamic(urlconf, viewname, { scriptPrefix: prefix, ...options })
  )

/**
 * A view that routes: it resolves the request's `pathInfo` with the URLconf in effect
 * (`Urlconf`, else `urlconf`), provides the match as `ResolverMatch`, and calls the matched view
 * with the request (Django's `BaseHandler._get_response` resolution step). A miss fails with
 * `Resolver404` (a 404).
 *
 * @since 0.2.0
 * @category dispatching
 */
export const dispatch = <E, R, En extends Entry>(
  urlconf: URLconf<View.View<E, R>, En>
): View.View<E | Resolver404 | ImproperlyConfigured, Exclude<R, ResolverMatch>> =>
(request) =>
  Effect.flatMap(Effect.serviceOption(Urlconf), (current) => {
    const conf: AnyURLconf = Option.getOrElse(current, () => urlconf as AnyURLconf)
    return Effect.flatMap(resolve(conf, request.pathInfo), (match) => {
      const view = match.func
      if (typeof view !== "function") return Effect.dieMessage(`The URLconf's view for ${match.route} is not a view`)
      return Effect.provideService((view as View.View<E, R>)(request), ResolverMatch, match)
    })
  }) as Effect.Effect<View.Response, E | Resolver404 | ImproperlyConfigured, Exclude<R, ResolverMatch>>
