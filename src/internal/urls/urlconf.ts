/**
 * The implementation of `Urls` (the public module holds its signatures and docs): the pattern
 * constructors, the URLconf and `ResolverMatch` values.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Inspectable from "effect/Inspectable"
import { hasProperty } from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Types from "effect/Types"
import type { ResolverMatch as ResolverMatch_ } from "../../Resolver.js"
import type {
  AnyURLPattern,
  Converter,
  Entry,
  Include,
  PatternOptions,
  TypeId as TypeId_,
  URLconf,
  URLResolver
} from "../../Urls.js"
import {
  type AnyConverter,
  type AnyPattern,
  describe,
  type PatternData,
  regexPattern,
  routePattern,
  type URLResolverData
} from "./patterns.js"
import { type Hit, resolveExact } from "./resolve.js"

type TypeId = TypeId_

export const TypeId: TypeId = Symbol.for("effect-django-http/Urls") as TypeId

// ---------------------------------------------------------------------------
// Converters
// ---------------------------------------------------------------------------

export const converter = <A>(options: Converter<A>): Converter<A> => ({
  regex: options.regex,
  toPython: options.toPython,
  toUrl: options.toUrl
})

export const fromSchema = <A>(regex: string, schema: Schema.Schema<A, string>): Converter<A> => ({
  regex,
  toPython: Schema.decodeOption(schema),
  toUrl: Schema.encodeUnknownOption(schema)
})

// ---------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------

const isInclude = (u: unknown): u is Include<unknown, Entry> => hasProperty(u, "_tag") && u._tag === "Include"

const fromInclude = <V>(
  pattern: AnyPattern,
  inc: Include<V, Entry>,
  kwargs: Readonly<Record<string, unknown>> | undefined
): URLResolverData<V> => ({
  _tag: "URLResolver",
  pattern,
  urlPatterns: inc.urlPatterns,
  defaultKwargs: kwargs ?? {},
  appName: inc.appName,
  namespace: inc.namespace,
  error: inc.error
})

/** An endpoint, or an include under `pattern` (built by `makePattern` for either). */
const endpointOrInclude = (
  makePattern: (isEndpoint: boolean) => AnyPattern,
  view: unknown,
  options: PatternOptions<string> | undefined
): PatternData<unknown> =>
  isInclude(view) ? fromInclude(makePattern(false), view, options?.kwargs) : {
    _tag: "URLPattern",
    pattern: makePattern(true),
    callback: view,
    defaultArgs: options?.kwargs ?? {},
    name: options?.name ?? null
  }

/**
 * `path()` over a registry of converters. Its type is the public `PathFunction`'s overloads, which
 * track the route's parameters and the include's names at the type level only.
 */
export const makePath = (registry: Readonly<Record<string, AnyConverter>>) =>
(
  route: string,
  view: unknown,
  options?: PatternOptions<string>
): PatternData<unknown> => endpointOrInclude((isEndpoint) => routePattern(route, isEndpoint, registry), view, options)

export const rePath = (regex: string, view: unknown, options?: PatternOptions<string>): PatternData<unknown> =>
  endpointOrInclude((isEndpoint) => regexPattern(regex, isEndpoint), view, options)

export const include = <V, E extends Entry>(
  patterns: ReadonlyArray<AnyURLPattern<V>>,
  options?: { readonly appName?: string | undefined; readonly namespace?: string | undefined }
): Include<V, E> => {
  const appName = options?.appName ?? null
  const namespace = options?.namespace ?? appName
  return {
    _tag: "Include",
    urlPatterns: patterns,
    appName,
    namespace,
    error: namespace !== null && appName === null
      ? "Specifying a namespace in include() without providing an app_name is not supported. Set the app_name " +
        "attribute in the included module, or pass a 2-tuple containing the list of patterns and app_name instead."
      : null
  }
}

// ---------------------------------------------------------------------------
// URLconf
// ---------------------------------------------------------------------------

const ROOT_PATTERN = regexPattern("^/", false)

class URLconfImpl<V, E extends Entry> implements URLconf<V, E> {
  readonly [TypeId]: TypeId = TypeId
  readonly root: URLResolver<V, E>
  constructor(readonly urlpatterns: ReadonlyArray<AnyURLPattern<V>>) {
    this.root = {
      _tag: "URLResolver",
      pattern: ROOT_PATTERN,
      urlPatterns: urlpatterns,
      defaultKwargs: {},
      appName: null,
      namespace: null,
      error: null
    }
  }
  toJSON() {
    return { _id: "URLconf", urlpatterns: this.urlpatterns.map((p) => describe(p.pattern)) }
  }
  toString() {
    return Inspectable.format(this.toJSON())
  }
  [Inspectable.NodeInspectSymbol]() {
    return this.toJSON()
  }
}

export const make = <V, E extends Entry>(urlpatterns: ReadonlyArray<AnyURLPattern<V>>): URLconf<V, E> =>
  new URLconfImpl(urlpatterns)

// ---------------------------------------------------------------------------
// ResolverMatch
// ---------------------------------------------------------------------------

// The match's own fields are the hit's, copied in the constructor.
interface ResolverMatchImpl<V> extends Hit<V> {}

class ResolverMatchImpl<V> implements ResolverMatch_<V> {
  readonly [TypeId]: TypeId = TypeId
  private triedCache: ReadonlyArray<ReadonlyArray<AnyURLPattern<V>>> | undefined
  constructor(hit: Hit<V>, private readonly root: URLResolverData<V>, private readonly path: string) {
    const self: Types.Mutable<Hit<V>> = this
    self.func = hit.func
    self.args = hit.args
    self.kwargs = hit.kwargs
    self.urlName = hit.urlName
    self.route = hit.route
    self.appNames = hit.appNames
    self.namespaces = hit.namespaces
  }
  get appName() {
    return this.appNames.join(":")
  }
  get namespace() {
    return this.namespaces.join(":")
  }
  get funcPath() {
    return typeof this.func === "function" && this.func.name !== "" ? this.func.name : "view"
  }
  get viewName() {
    return [...this.namespaces, this.urlName ?? this.funcPath].join(":")
  }
  get tried() {
    if (this.triedCache === undefined) {
      const o = resolveExact(this.root, this.path)
      this.triedCache = (o._tag === "Error" ? [] : o.tried ?? []) as ReadonlyArray<ReadonlyArray<AnyURLPattern<V>>>
    }
    return this.triedCache
  }
  [Equal.symbol](that: unknown): boolean {
    return isResolverMatch(that) && this.func === that.func && this.route === that.route &&
      this.urlName === that.urlName && Equal.equals(Data.array([...this.args]), Data.array([...that.args])) &&
      Equal.equals(Data.struct({ ...this.kwargs }), Data.struct({ ...that.kwargs })) &&
      this.namespace === that.namespace && this.appName === that.appName
  }
  [Hash.symbol](): number {
    return Hash.cached(this, Hash.combine(Hash.string(this.route))(Hash.string(this.viewName)))
  }
  toJSON() {
    return {
      _id: "ResolverMatch",
      func: this.funcPath,
      args: this.args,
      kwargs: this.kwargs,
      urlName: this.urlName,
      appNames: this.appNames,
      namespaces: this.namespaces,
      route: this.route
    }
  }
  toString() {
    return Inspectable.format(this.toJSON())
  }
  [Inspectable.NodeInspectSymbol]() {
    return this.toJSON()
  }
}

/** The match of `path` found by `hit` under the URLconf's `root` (its `tried` list computed on first use). */
export const makeMatch = <V>(hit: Hit<V>, root: URLResolverData<V>, path: string): ResolverMatch_<V> =>
  new ResolverMatchImpl(hit, root, path)

export const isResolverMatch = (u: unknown): u is ResolverMatch_ => hasProperty(u, TypeId) && hasProperty(u, "route")

export const ResolverMatch: Context.Tag<ResolverMatch_, ResolverMatch_> = Context.GenericTag<ResolverMatch_>(
  "effect-django-http/Urls/ResolverMatch"
)
