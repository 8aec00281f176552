/**
 * Django's URLconfs (`django.urls.path`, `re_path`, `include`, converters) as typed, immutable
 * values. Resolving a path and reversing a name are `Resolver`'s; a URLconf written as a literal
 * carries its names and parameters in its type, so that `Resolver.reverse` is checked by the type
 * checker.
 *
 * ```ts
 * import { Effect, Either } from "effect"
 * import { HttpResponse, Resolver, Urls, View } from "effect-django-http"
 *
 * const view: View.View = (request) => HttpResponse.make({ content: request.path })
 *
 * const articles = [
 *   Urls.path("", view, { name: "index" }),
 *   Urls.path("<int:year>/<slug:slug>/", view, { name: "detail" })
 * ]
 *
 * const urls = Urls.make([
 *   Urls.path("", view, { name: "home" }),
 *   Urls.path("articles/", Urls.include(articles, { appName: "articles" }))
 * ])
 *
 * const match = Either.getOrThrow(Resolver.resolve(urls, "/articles/2024/hello/"))
 * match.viewName // "articles:detail"
 * match.kwargs // { year: 2024, slug: "hello" }
 *
 * // checked at compile time: the name exists and `year` is a number
 * const url = Resolver.reverse(urls, "articles:detail", { year: 2024, slug: "hello" })
 * Effect.runSync(url) // "/articles/2024/hello/"
 * ```
 *
 * Differences from Django, by design: a view is any value (typically a `View.View`); a bad route
 * or an untranslatable `re_path` regex is reported as `ImproperlyConfigured` by `Resolver.resolve`,
 * `Resolver.reverse` and `check` rather than at import; converters are values passed to
 * `withConverters`, not a global registry; `int` gives a JavaScript `number` and `uuid` the
 * lower-case string. The Python regex syntax `rePath` accepts is listed in
 * `src/internal/urls/pyregex.ts`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import type * as Schema from "effect/Schema"
import type * as Types from "effect/Types"
import { ImproperlyConfigured } from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import * as routes from "./internal/urls/patterns.js"
import * as resolver from "./internal/urls/resolve.js"
import type * as types from "./internal/urls/types.js"
import * as internal from "./internal/urls/urlconf.js"
import type { ResolverMatch } from "./Resolver.js"
import type * as View from "./View.js"

// ---------------------------------------------------------------------------
// Converters
// ---------------------------------------------------------------------------

/**
 * A path converter (Django's `register_converter` class): the regex a parameter must match,
 * `toPython` to turn the text into a value (`None` means "no match", as Django's
 * `ValueError`), and `toUrl` for `Resolver.reverse` (`None` skips the pattern, as Django's
 * `ValueError`). `Resolver.reverseDynamic` may hand `toUrl` a value of any type.
 *
 * @since 0.1.0
 * @category models
 */
export interface Converter<A> {
  readonly regex: string
  readonly toPython: (value: string) => Option.Option<A>
  readonly toUrl: (value: A) => Option.Option<string>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const converter: <A>(options: Converter<A>) => Converter<A> = internal.converter

/**
 * A converter from a Schema whose encoded side is the URL text: a route parameter decodes to
 * the Schema's type, and `Resolver.reverse` encodes it back; a decoding failure means "no match".
 *
 * ```ts
 * import { Schema } from "effect"
 * import { Urls } from "effect-django-http"
 *
 * const year = Urls.fromSchema("[0-9]{4}", Schema.NumberFromString)
 * const { path } = Urls.withConverters({ yyyy: year })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSchema: <A>(regex: string, schema: Schema.Schema<A, string>) => Converter<A> = internal.fromSchema

/**
 * Django's five built-in converters: `int` (`[0-9]+`, a number), `str` (`[^/]+`, the default),
 * `slug` (`[-a-zA-Z0-9_]+`), `uuid` (lower-case, a string) and `path` (`.+`).
 *
 * @since 0.1.0
 * @category converters
 */
export const builtinConverters: {
  readonly int: Converter<number>
  readonly str: Converter<string>
  readonly slug: Converter<string>
  readonly uuid: Converter<string>
  readonly path: Converter<string>
} = routes.builtins

/**
 * The types the built-in converters give.
 *
 * @since 0.1.0
 * @category type-level
 */
export interface BuiltinTypes {
  readonly int: number
  readonly str: string
  readonly slug: string
  readonly uuid: string
  readonly path: string
}

// ---------------------------------------------------------------------------
// Type-level routes
// ---------------------------------------------------------------------------

/**
 * One reversible name of a URLconf and the parameters `Resolver.reverse` takes for it: an object of
 * keyword arguments, or a list for a `rePath` with unnamed groups.
 *
 * @since 0.1.0
 * @category type-level
 */
export interface Entry {
  readonly name: string
  readonly params: unknown
}

/**
 * The parameters of a `path` route: `RouteParams<"a/<int:x>/<y>", BuiltinTypes>` is
 * `{ x: number; y: string }`.
 *
 * @since 0.1.0
 * @category type-level
 */
export type RouteParams<R extends string, C> = string extends R ? Readonly<Record<string, unknown>>
  : types.Simplify<types.RouteParams<R, C>>

/**
 * The parameters of a `rePath` regex: its named groups (strings or numbers), or a list of
 * positional values when it has none.
 *
 * @since 0.1.0
 * @category type-level
 */
export type RegexParams<R extends string> = string extends R ? Readonly<Record<string, unknown>>
  : R extends `${string}(?P<${string}` ? types.Simplify<types.NamedGroups<R>>
  : ReadonlyArray<string | number>

/**
 * The views of a list of patterns.
 *
 * @since 0.1.0
 * @category type-level
 */
export type ViewOf<X> = X extends URLPattern<infer V, any> ? V : X extends URLResolver<infer V, any> ? V : never

/**
 * The reversible names of a list of patterns.
 *
 * @since 0.1.0
 * @category type-level
 */
export type EntriesOf<X> = X extends { readonly "~entries"?: Types.Covariant<infer E> | undefined } ? E : never

/**
 * The parameters `Resolver.reverse` takes for `N`.
 *
 * @since 0.1.0
 * @category type-level
 */
export type ParamsFor<E, N> = E extends Entry ? N extends E["name"] ? E["params"] : never : never

// ---------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * How a pattern matches: a `path` route or a `rePath` regex (`str()` of it is `describe`).
 *
 * @since 0.1.0
 * @category models
 */
export type Pattern = routes.AnyPattern

/**
 * An endpoint: `path(route, view)` or `rePath(regex, view)`.
 *
 * @since 0.1.0
 * @category models
 */
export interface URLPattern<V, E extends Entry = never> extends routes.URLPatternData<V> {
  readonly "~entries"?: Types.Covariant<E> | undefined
}

/**
 * An included list of patterns under a prefix: `path(route, include(...))`.
 *
 * @since 0.1.0
 * @category models
 */
export interface URLResolver<V, E extends Entry = never> extends routes.URLResolverData<V> {
  readonly "~entries"?: Types.Covariant<E> | undefined
}

/**
 * An element of a URLconf.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyURLPattern<V> = URLPattern<V, any> | URLResolver<V, any>

/**
 * What `include` returns, to be placed under a route with `path` or `rePath`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Include<V, E extends Entry = never> {
  readonly _tag: "Include"
  readonly urlPatterns: ReadonlyArray<AnyURLPattern<V>>
  readonly appName: string | null
  readonly namespace: string | null
  readonly error: string | null
  readonly "~entries"?: Types.Covariant<E> | undefined
}

/**
 * Options of an endpoint: its name (for `Resolver.reverse`) and the extra keyword arguments it passes to
 * the view (they override captured values).
 *
 * @since 0.1.0
 * @category models
 */
export interface PatternOptions<Name extends string> {
  readonly name?: Name | undefined
  readonly kwargs?: Readonly<Record<string, unknown>> | undefined
}

/**
 * `path()` for a set of converters (see `withConverters`).
 *
 * @since 0.1.0
 * @category models
 */
export interface PathFunction<C> {
  <const Route extends string, V, E extends Entry>(
    route: Route,
    include: Include<V, E>,
    options?: { readonly kwargs?: Readonly<Record<string, unknown>> | undefined }
  ): URLResolver<V, types.AddParams<E, RouteParams<Route, C>>>
  <const Route extends string, V, const Name extends string = never>(
    route: Route,
    view: V,
    options?: PatternOptions<Name>
  ): URLPattern<V, types.Named<Name, RouteParams<Route, C>>>
}

/**
 * Django's `path(route, view, kwargs, name)` with the built-in converters: `<int:year>`,
 * `<slug:slug>`, `<name>` (a `str`), ... With `include(...)` in place of the view, the
 * included patterns are matched against what the route leaves of the path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const path: PathFunction<BuiltinTypes> = internal.makePath(routes.builtins) as PathFunction<BuiltinTypes>

/**
 * Django's `path(route, view, name=...)` for a view that takes the route's values as Django
 * passes keyword arguments, typed by the route's converters:
 * `pathWith("articles/<int:year>/<slug:slug>/", (request, { year, slug }) => ...)` gives `year` a
 * `number` and `slug` a `string`. The values come from the match the handler provides
 * (`Resolver.ResolverMatch`), converted by the converters the route names (the built-in ones; with custom
 * converters, read `Resolver.ResolverMatch` yourself).
 *
 * @example
 * ```ts
 * import { HttpResponse, Urls } from "effect-django-http"
 *
 * export const urls = Urls.make([
 *   Urls.pathWith("articles/<int:year>/", (_request, { year }) =>
 *     HttpResponse.make({ content: `Articles of ${year + 1 - 1}` }), { name: "year" })
 * ])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const pathWith = <const Route extends string, E, R, const Name extends string = never>(
  route: Route,
  view: (
    request: HttpRequest.HttpRequest,
    kwargs: RouteParams<Route, BuiltinTypes>
  ) => Effect.Effect<View.Response, E, R>,
  options?: PatternOptions<Name>
) =>
  path(
    route,
    (request: HttpRequest.HttpRequest): Effect.Effect<View.Response, E, R | ResolverMatch> =>
      // The match's kwargs are what the route's converters made of the path: the route's types.
      Effect.flatMap(
        internal.ResolverMatch,
        (match) => view(request, match.kwargs as RouteParams<Route, BuiltinTypes>)
      ),
    options
  )

/**
 * `path()` with more converters (Django's `register_converter`), next to the built-in ones
 * (which they may replace).
 *
 * ```ts
 * import { Option } from "effect"
 * import { Urls } from "effect-django-http"
 *
 * const hex = Urls.converter({
 *   regex: "[0-9a-f]+",
 *   toPython: (s) => Option.some(parseInt(s, 16)),
 *   toUrl: (n: number) => Option.some(n.toString(16))
 * })
 * const { path } = Urls.withConverters({ hex })
 * const route = path("colour/<hex:value>/", () => "view", { name: "colour" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const withConverters = <const C extends Readonly<Record<string, Converter<any>>>>(
  converters: C
): {
  readonly path: PathFunction<
    types.Simplify<
      Omit<BuiltinTypes, keyof C> & { readonly [K in keyof C]: C[K] extends Converter<infer A> ? A : never }
    >
  >
} => ({ path: internal.makePath({ ...routes.builtins, ...converters }) as PathFunction<any> })

/**
 * `re_path()` options.
 *
 * @since 0.1.0
 * @category models
 */
export interface RePathFunction {
  <const Regex extends string, V, E extends Entry>(
    regex: Regex,
    include: Include<V, E>,
    options?: { readonly kwargs?: Readonly<Record<string, unknown>> | undefined }
  ): URLResolver<V, types.AddParams<E, RegexParams<Regex> extends ReadonlyArray<unknown> ? {} : RegexParams<Regex>>>
  <const Regex extends string, V, const Name extends string = never>(
    regex: Regex,
    view: V,
    options?: PatternOptions<Name>
  ): URLPattern<V, types.Named<Name, RegexParams<Regex>>>
}

/**
 * Django's `re_path(regex, view, kwargs, name)`: a Python regular expression. Named groups
 * give keyword arguments (strings); without named groups the unnamed ones give positional
 * arguments. An endpoint regex ending in `$` must match the whole remaining path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rePath: RePathFunction = internal.rePath as RePathFunction

/**
 * Django's `include((patterns, app_name), namespace)`. With an `appName`, the names inside are
 * reversed as `namespace:name` (the namespace defaults to the app name) and `appName:name`
 * (the default instance, or `currentApp`'s). A namespace without an app name is
 * `ImproperlyConfigured`, as in Django.
 *
 * @since 0.1.0
 * @category constructors
 */
export const include = <
  const P extends ReadonlyArray<AnyURLPattern<any>>,
  const App extends string = never,
  const Ns extends string = App
>(
  patterns: P,
  options?: { readonly appName?: App | undefined; readonly namespace?: Ns | undefined }
): Include<ViewOf<P[number]>, types.Namespaced<EntriesOf<P[number]>, App, Ns>> => internal.include(patterns, options)

// ---------------------------------------------------------------------------
// URLconf
// ---------------------------------------------------------------------------

/**
 * A URLconf: the root list of patterns (Django's `urlpatterns`), matched under `^/`.
 *
 * @since 0.1.0
 * @category models
 */
export interface URLconf<V, E extends Entry = never> extends Inspectable.Inspectable {
  readonly [TypeId]: TypeId
  readonly urlpatterns: ReadonlyArray<AnyURLPattern<V>>
  readonly root: URLResolver<V, E>
}

/**
 * Any URLconf, for code that only resolves.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyURLconf = URLconf<unknown, any>

/**
 * A URLconf from its `urlpatterns`. Write the list inline (or `as const`-free in a variable) so
 * that `Resolver.reverse` knows its names and parameters.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const P extends ReadonlyArray<AnyURLPattern<any>>>(
  urlpatterns: P
): URLconf<ViewOf<P[number]>, EntriesOf<P[number]>> => internal.make(urlpatterns)

/**
 * @since 0.1.0
 * @category guards
 */
export const isURLconf = (u: unknown): u is AnyURLconf => hasProperty(u, TypeId)

/**
 * `str(pattern)`: the route of a `path`, the regex of a `rePath`.
 *
 * @since 0.1.0
 * @category getters
 */
export const describe = (pattern: AnyURLPattern<unknown> | Pattern): string =>
  routes.describe("pattern" in pattern ? pattern.pattern : pattern)

/**
 * Compiles all of a URLconf, reporting the first bad route, regex or include as
 * `ImproperlyConfigured` (Django reports these at import or on first use).
 *
 * @since 0.1.0
 * @category validation
 */
export const check = <V, E extends Entry>(urlconf: URLconf<V, E>): Either.Either<void, ImproperlyConfigured> => {
  const e = resolver.check(urlconf.root)
  return e === undefined ? Either.void : Either.left(new ImproperlyConfigured({ message: e.message }))
}
