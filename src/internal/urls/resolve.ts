/**
 * Resolution: Django's exact walk (with the `tried` lists), the indexed first-match search the
 * handler uses, and the check of a whole URLconf.
 *
 * @internal
 */
import type { ResolverMatch } from "../../Resolver.js"
import {
  cached,
  compile,
  type Compiled,
  ConfigError,
  describe,
  EMPTY_KWARGS,
  isEmpty,
  matchCompiled,
  type PatternData,
  type PatternMatch,
  type URLPatternData,
  type URLResolverData
} from "./patterns.js"
import { populate } from "./reverse.js"

// ---------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------

/** What a match found: the fields of `ResolverMatch` that are not computed from others. */
export type Hit<V> = Pick<
  ResolverMatch<V>,
  "func" | "args" | "kwargs" | "urlName" | "route" | "appNames" | "namespaces"
>

export type Tried<V> = ReadonlyArray<ReadonlyArray<PatternData<V>>>

export type Outcome<V> =
  | { readonly _tag: "Hit"; readonly hit: Hit<V>; readonly tried: Tried<V> | undefined }
  | { readonly _tag: "Miss"; readonly path: string; readonly tried: Tried<V> | undefined }
  | { readonly _tag: "Error"; readonly error: ConfigError }

const joinRoute = (a: string, b: string): string => (a === "" ? b : a + (b.startsWith("^") ? b.slice(1) : b))

const combine = <V>(
  r: URLResolverData<V>,
  child: PatternData<V>,
  outer: PatternMatch,
  sub: Hit<V>
): Hit<V> => {
  const kwargs = isEmpty(outer.kwargs) && isEmpty(r.defaultKwargs)
    ? sub.kwargs
    : { ...outer.kwargs, ...r.defaultKwargs, ...sub.kwargs }
  let args = sub.args
  if (isEmpty(kwargs) && outer.args.length > 0) args = [...outer.args, ...sub.args]
  const appNames = r.appName ? [r.appName, ...sub.appNames] : sub.appNames
  const namespaces = r.namespace ? [r.namespace, ...sub.namespaces] : sub.namespaces
  const current = child._tag === "URLPattern" ? "" : describe(child.pattern)
  return {
    func: sub.func,
    args,
    kwargs,
    urlName: sub.urlName,
    route: joinRoute(current, sub.route),
    appNames,
    namespaces
  }
}

const endpointHit = <V>(p: URLPatternData<V>, m: PatternMatch): Hit<V> => ({
  func: p.callback,
  args: m.args,
  kwargs: isEmpty(p.defaultArgs) ? (m.kwargs === EMPTY_KWARGS ? {} : m.kwargs) : { ...m.kwargs, ...p.defaultArgs },
  urlName: p.name,
  route: describe(p.pattern),
  appNames: [],
  namespaces: []
})

/** Django's `URLResolver.resolve`, with the `tried` lists. */
export const resolveExact = <V>(r: URLResolverData<V>, path: string): Outcome<V> => {
  if (r.error !== null) return { _tag: "Error", error: new ConfigError(r.error) }
  const own = compile(r.pattern)
  if (own instanceof ConfigError) return { _tag: "Error", error: own }
  const m = matchCompiled(own, path)
  if (m === undefined) return { _tag: "Miss", path, tried: undefined }
  const tried: Array<ReadonlyArray<PatternData<V>>> = []
  for (const child of r.urlPatterns) {
    if (child._tag === "URLPattern") {
      const c = compile(child.pattern)
      if (c instanceof ConfigError) return { _tag: "Error", error: c }
      const sub = matchCompiled(c, m.rest)
      tried.push([child])
      if (sub !== undefined) {
        return { _tag: "Hit", hit: combine(r, child, m, endpointHit(child, sub)), tried }
      }
      continue
    }
    const sub = resolveExact(child, m.rest)
    if (sub._tag === "Error") return sub
    if (sub.tried === undefined) tried.push([child])
    else for (const t of sub.tried) tried.push([child, ...t])
    if (sub._tag === "Hit") return { _tag: "Hit", hit: combine(r, child, m, sub.hit), tried }
  }
  return { _tag: "Miss", path: m.rest, tried }
}

interface Index<V> {
  readonly own: Compiled
  /** No app name, namespace or extra kwargs: a match below passes through unchanged. */
  readonly plain: boolean
  readonly children: ReadonlyArray<PatternData<V>>
  readonly compiled: ReadonlyArray<Compiled>
  readonly buckets: Map<string, ReadonlyArray<number>>
  readonly wild: ReadonlyArray<number>
}

const indexCache = new WeakMap<URLResolverData<any>, Index<any> | ConfigError>()

const keyOf = (path: string): string => {
  const i = path.indexOf("/")
  return i < 0 ? path : path.slice(0, i + 1)
}

const buildIndex = <V>(r: URLResolverData<V>): Index<V> | ConfigError => {
  if (r.error !== null) return new ConfigError(r.error)
  const ownCompiled = compile(r.pattern)
  if (ownCompiled instanceof ConfigError) return ownCompiled
  const compiled: Array<Compiled> = []
  const own = new Map<string, Array<number>>()
  const wild: Array<number> = []
  r.urlPatterns.forEach((child, i) => {
    const c = compile(child.pattern)
    if (c instanceof ConfigError) throw c
    compiled.push(c)
    const slash = c.prefix.indexOf("/")
    const key = slash >= 0 ? c.prefix.slice(0, slash + 1) : c.exact ? c.prefix : undefined
    if (key === undefined) wild.push(i)
    else {
      const list = own.get(key)
      if (list === undefined) own.set(key, [i])
      else list.push(i)
    }
  })
  const buckets = new Map<string, ReadonlyArray<number>>()
  for (const [key, list] of own) buckets.set(key, [...list, ...wild].sort((a, b) => a - b))
  const plain = !r.appName && !r.namespace && isEmpty(r.defaultKwargs)
  return { own: ownCompiled, plain, children: r.urlPatterns, compiled, buckets, wild }
}

const indexOf = <V>(r: URLResolverData<V>): Index<V> | ConfigError => cached(indexCache, r, buildIndex)

/** The first match, found through a per-level index on the first path segment; no `tried`. */
export const resolveFast = <V>(r: URLResolverData<V>, path: string): Hit<V> | undefined | ConfigError => {
  const ix = indexOf(r)
  if (ix instanceof ConfigError) return ix
  const m = matchCompiled(ix.own, path)
  if (m === undefined) return undefined
  const rest = m.rest
  const candidates = ix.buckets.get(keyOf(rest)) ?? ix.wild
  for (let k = 0; k < candidates.length; k++) {
    const i = candidates[k]!
    const child = ix.children[i]!
    if (child._tag === "URLPattern") {
      const sub = matchCompiled(ix.compiled[i]!, rest)
      if (sub === undefined) continue
      const hit = endpointHit(child, sub)
      // Through a plain level that captured nothing (the root's `^/`), the match is unchanged.
      return ix.plain && m.args.length === 0 && m.kwargs === EMPTY_KWARGS ? hit : combine(r, child, m, hit)
    }
    const sub = resolveFast(child, rest)
    if (sub instanceof ConfigError) return sub
    if (sub !== undefined) return combine(r, child, m, sub)
  }
  return undefined
}

/** Every configuration error of a URLconf, found by compiling all of it. */
export const check = <V>(r: URLResolverData<V>): ConfigError | undefined => {
  if (r.error !== null) return new ConfigError(r.error)
  const own = compile(r.pattern)
  if (own instanceof ConfigError) return own
  const ix = indexOf(r)
  if (ix instanceof ConfigError) return ix
  for (const child of r.urlPatterns) {
    if (child._tag === "URLResolver") {
      const e = check(child)
      if (e !== undefined) return e
    }
  }
  const p = populate(r)
  return p instanceof ConfigError ? p : undefined
}
