/**
 * The URL resolver: patterns, resolution (an indexed first-match search and Django's exact
 * walk for the `tried` lists) and reversal.
 *
 * @internal
 */
import * as Option from "effect/Option"
import { reprStr } from "../python/repr.js"
import { quoteWith, safeTable } from "../url.js"
import * as py from "./pyregex.js"
import { pyEq, pyRepr, pyStr, pyTupleRepr } from "./python.js"

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

export interface Converter<A> {
  readonly regex: string
  readonly toPython: (value: string) => Option.Option<A>
  readonly toUrl: (value: A) => Option.Option<string>
}

export type AnyConverter = Converter<any>

export interface RoutePattern {
  readonly _tag: "RoutePattern"
  readonly route: string
  /** The Python regex Django builds from the route (`_route_to_regex`). */
  readonly regex: string
  readonly converters: Readonly<Record<string, AnyConverter>>
  readonly isEndpoint: boolean
  /** Why the route is invalid (`ImproperlyConfigured`), or `null`. */
  readonly error: string | null
}

export interface RegexPattern {
  readonly _tag: "RegexPattern"
  readonly regex: string
  readonly converters: Readonly<Record<string, AnyConverter>>
  readonly isEndpoint: boolean
  readonly error: string | null
}

export type AnyPattern = RoutePattern | RegexPattern

export interface URLPatternData<V> {
  readonly _tag: "URLPattern"
  readonly pattern: AnyPattern
  readonly callback: V
  readonly defaultArgs: Readonly<Record<string, unknown>>
  readonly name: string | null
}

export interface URLResolverData<V> {
  readonly _tag: "URLResolver"
  readonly pattern: AnyPattern
  readonly urlPatterns: ReadonlyArray<PatternData<V>>
  readonly defaultKwargs: Readonly<Record<string, unknown>>
  readonly appName: string | null
  readonly namespace: string | null
  readonly error: string | null
}

export type PatternData<V> = URLPatternData<V> | URLResolverData<V>

/** `str(pattern)`: the route or the regex as written. */
export const describe = (p: AnyPattern): string => (p._tag === "RoutePattern" ? p.route : p.regex)

// ---------------------------------------------------------------------------
// Built-in converters and routes
// ---------------------------------------------------------------------------

const same = (s: string) => Option.some(s)
const asText = (value: unknown) => Option.some(pyStr(value))

/** A conversion that cannot fail, used instead of `toPython` by the built-in converters. */
const TOTAL: unique symbol = Symbol.for("effect-django-http/Urls/total")

const total = <A>(c: Converter<A>, f: (s: string) => A): Converter<A> => Object.assign(c, { [TOTAL]: f })

const totalOf = (c: AnyConverter): ((s: string) => unknown) | undefined =>
  (c as { readonly [TOTAL]?: (s: string) => unknown })[TOTAL]

const identity = (s: string) => s

export const builtins: Readonly<Record<"int" | "str" | "slug" | "uuid" | "path", AnyConverter>> = {
  int: total({ regex: "[0-9]+", toPython: (s) => Option.some(Number(s)), toUrl: asText }, Number),
  str: total({ regex: "[^/]+", toPython: same, toUrl: asText }, identity),
  slug: total({ regex: "[-a-zA-Z0-9_]+", toPython: same, toUrl: asText }, identity),
  uuid: total(
    { regex: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", toPython: same, toUrl: asText },
    identity
  ),
  path: total({ regex: ".+", toPython: same, toUrl: asText }, identity)
}

const PY_SPECIAL = new Set(Array.from("()[]{}?*+-|^$\\.&~# \t\n\r\v\f"))

/** Python's `re.escape` (3.7+). */
export const reEscape = (s: string): string => {
  let out = ""
  for (const c of s) out += PY_SPECIAL.has(c) ? "\\" + c : c
  return out
}

const PARAM = /<(?:([^>:]+):)?([^>]+)>/
const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u

/** Django's `_route_to_regex`. */
export const routePattern = (
  route: string,
  isEndpoint: boolean,
  registry: Readonly<Record<string, AnyConverter>>
): RoutePattern => {
  let rest = route
  let regex = "^"
  const converters: Record<string, AnyConverter> = {}
  let error: string | null = null
  for (;;) {
    const m = PARAM.exec(rest)
    if (m === null) {
      regex += reEscape(rest)
      break
    }
    if (/[ \t\n\r\v\f]/.test(m[0])) {
      error = `URL route '${route}' cannot contain whitespace in angle brackets <\u2026>.`
      break
    }
    regex += reEscape(rest.slice(0, m.index))
    rest = rest.slice(m.index + m[0].length)
    const parameter = m[2]!
    if (!IDENTIFIER.test(parameter)) {
      error = `URL route '${route}' uses parameter name ${reprStr(parameter)} which isn't a valid Python identifier.`
      break
    }
    const name = m[1] ?? "str"
    const converter = Object.hasOwn(registry, name) ? registry[name] : undefined
    if (converter === undefined) {
      error = `URL route ${reprStr(route)} uses invalid converter ${reprStr(name)}.`
      break
    }
    converters[parameter] = converter
    regex += `(?P<${parameter}>${converter.regex})`
  }
  if (isEndpoint) regex += "\\Z"
  return { _tag: "RoutePattern", route, regex, converters, isEndpoint, error }
}

export const regexPattern = (regex: string, isEndpoint: boolean): RegexPattern => ({
  _tag: "RegexPattern",
  regex,
  converters: {},
  isEndpoint,
  error: null
})

// ---------------------------------------------------------------------------
// Compiled patterns
// ---------------------------------------------------------------------------

interface Compiled {
  readonly re: RegExp
  readonly groups: ReadonlyArray<string | null>
  readonly named: boolean
  readonly route: boolean
  readonly prefix: string
  /** The pattern matches exactly `prefix`. */
  readonly exact: boolean
  /** The pattern matches whatever starts with `prefix`, and captures nothing. */
  readonly literal: boolean
  /** Per group: the converter's conversion (route patterns). */
  readonly convert: ReadonlyArray<AnyConverter | undefined>
}

export class ConfigError {
  constructor(readonly message: string) {}
}

const compiledCache = new WeakMap<AnyPattern, Compiled | ConfigError>()

export const compile = (p: AnyPattern): Compiled | ConfigError => {
  let c = compiledCache.get(p)
  if (c === undefined) {
    c = compileUncached(p)
    compiledCache.set(p, c)
  }
  return c
}

const compileUncached = (p: AnyPattern): Compiled | ConfigError => {
  if (p.error !== null) return new ConfigError(p.error)
  // Matching uses a copy without group names (groups are read by index; V8 then builds no
  // `groups` object per match).
  const t = py.translate(p.regex, { unnamed: true })
  if ("error" in t) return new ConfigError(`"${p.regex}" is not a valid regular expression: ${t.error}`)
  const fullmatch = p._tag === "RegexPattern" && p.isEndpoint && p.regex.endsWith("$")
  const source = fullmatch ? `^(?:${t.ok.source})$` : t.ok.source
  const { exact, literal, prefix } = py.literalPrefix(p.regex, fullmatch)
  const groups = t.ok.groups
  return {
    re: new RegExp(source, "u"),
    groups,
    named: groups.some((g) => g !== null),
    route: p._tag === "RoutePattern",
    prefix,
    exact: exact && groups.length === 0,
    literal: literal && groups.length === 0,
    convert: groups.map((g) => (g !== null && Object.hasOwn(p.converters, g) ? p.converters[g] : undefined))
  }
}

interface PatternMatch {
  readonly rest: string
  readonly args: ReadonlyArray<unknown>
  readonly kwargs: Record<string, unknown>
}

const EMPTY_ARGS: ReadonlyArray<unknown> = []
const EMPTY_KWARGS: Readonly<Record<string, unknown>> = Object.freeze({})

/** `pattern.match(path)`: what is left of the path, the positional and the keyword arguments. */
const matchCompiled = (c: Compiled, path: string): PatternMatch | undefined => {
  if (c.exact) return path === c.prefix ? { rest: "", args: EMPTY_ARGS, kwargs: EMPTY_KWARGS } : undefined
  if (c.prefix !== "" && !path.startsWith(c.prefix)) return undefined
  if (c.literal) return { rest: path.slice(c.prefix.length), args: EMPTY_ARGS, kwargs: EMPTY_KWARGS }
  const m = c.re.exec(path)
  if (m === null) return undefined
  const rest = path.slice(m.index + m[0].length)
  const groups = c.groups
  if (c.route) {
    const kwargs: Record<string, unknown> = {}
    for (let i = 0; i < groups.length; i++) {
      const name = groups[i]
      const converter = c.convert[i]
      const raw = m[i + 1]
      if (name === null || name === undefined || converter === undefined || raw === undefined) continue
      const f = totalOf(converter)
      if (f !== undefined) kwargs[name] = f(raw)
      else {
        const value = converter.toPython(raw)
        if (Option.isNone(value)) return undefined
        kwargs[name] = value.value
      }
    }
    return { rest, args: EMPTY_ARGS, kwargs }
  }
  if (!c.named) {
    if (groups.length === 0) return { rest, args: EMPTY_ARGS, kwargs: EMPTY_KWARGS }
    const args: Array<unknown> = []
    for (let i = 1; i <= groups.length; i++) args.push(m[i] ?? null)
    return { rest, args, kwargs: EMPTY_KWARGS }
  }
  const kwargs: Record<string, unknown> = {}
  for (let i = 0; i < groups.length; i++) {
    const name = groups[i]
    const raw = m[i + 1]
    if (name !== null && name !== undefined && raw !== undefined) kwargs[name] = raw
  }
  return { rest, args: EMPTY_ARGS, kwargs }
}

// ---------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------

export interface Hit<V> {
  readonly func: V
  readonly args: ReadonlyArray<unknown>
  readonly kwargs: Readonly<Record<string, unknown>>
  readonly urlName: string | null
  readonly route: string
  readonly appNames: ReadonlyArray<string>
  readonly namespaces: ReadonlyArray<string>
}

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

const isEmpty = (o: object): boolean => {
  for (const _ in o) return false
  return true
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

const indexOf = <V>(r: URLResolverData<V>): Index<V> | ConfigError => {
  let ix = indexCache.get(r)
  if (ix === undefined) {
    try {
      ix = buildIndex(r)
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      ix = e
    }
    indexCache.set(r, ix)
  }
  return ix
}

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

// ---------------------------------------------------------------------------
// Reversal
// ---------------------------------------------------------------------------

interface Possibility {
  readonly forms: ReadonlyArray<py.Form>
  /** The joined Python pattern, without its leading `^`. */
  readonly pattern: string
  readonly defaults: Readonly<Record<string, unknown>>
  readonly converters: Readonly<Record<string, AnyConverter>>
  readonly checks: Map<string, RegExp>
}

interface Namespace<V> {
  readonly prefix: string
  readonly resolver: URLResolverData<V>
  readonly converters: Readonly<Record<string, AnyConverter>>
}

interface Populated<V> {
  readonly lookups: Map<unknown, Array<Possibility>>
  readonly namespaces: Map<string, Namespace<V>>
  readonly apps: Map<string, Array<string>>
}

const populated = new WeakMap<URLResolverData<any>, Populated<any> | ConfigError>()

const stripCaret = (s: string): string => (s.startsWith("^") ? s.slice(1) : s)

const possibility = (
  regex: string,
  pattern: string,
  defaults: Readonly<Record<string, unknown>>,
  converters: Readonly<Record<string, AnyConverter>>
): Possibility => {
  const forms = py.reverseForms(regex)
  if ("error" in forms) throw new ConfigError(forms.error)
  return { forms: forms.ok, pattern, defaults, converters, checks: new Map() }
}

const append = <K, A>(map: Map<K, Array<A>>, key: K, value: A) => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

const populateUncached = <V>(r: URLResolverData<V>): Populated<V> => {
  const lookups = new Map<unknown, Array<Possibility>>()
  const namespaces = new Map<string, Namespace<V>>()
  const apps = new Map<string, Array<string>>()
  for (let i = r.urlPatterns.length - 1; i >= 0; i--) {
    const child = r.urlPatterns[i]!
    if (child.pattern.error !== null) throw new ConfigError(child.pattern.error)
    const p = stripCaret(child.pattern.regex)
    if (child._tag === "URLPattern") {
      const entry = possibility(child.pattern.regex, p, child.defaultArgs, child.pattern.converters)
      append(lookups, child.callback, entry)
      if (child.name !== null) append(lookups, child.name, entry)
      continue
    }
    if (child.error !== null) throw new ConfigError(child.error)
    const sub = populate(child)
    if (sub instanceof ConfigError) throw sub
    if (child.appName) {
      append(apps, child.appName, child.namespace ?? child.appName)
      namespaces.set(child.namespace ?? child.appName, {
        prefix: p,
        resolver: child,
        converters: child.pattern.converters
      })
      continue
    }
    for (const [key, list] of sub.lookups) {
      for (const e of list) {
        append(
          lookups,
          key,
          possibility(p + e.pattern, p + e.pattern, { ...e.defaults, ...child.defaultKwargs }, {
            ...r.pattern.converters,
            ...child.pattern.converters,
            ...e.converters
          })
        )
      }
    }
    for (const [ns, entry] of sub.namespaces) {
      namespaces.set(ns, {
        prefix: p + entry.prefix,
        resolver: entry.resolver,
        converters: { ...child.pattern.converters, ...entry.converters }
      })
    }
    for (const [app, list] of sub.apps) for (const ns of list) append(apps, app, ns)
  }
  return { lookups, namespaces, apps }
}

export const populate = <V>(r: URLResolverData<V>): Populated<V> | ConfigError => {
  let p = populated.get(r)
  if (p === undefined) {
    try {
      p = populateUncached(r)
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      p = e
    }
    populated.set(r, p)
  }
  return p
}

// The lookups of a namespace reached through `prefix` (Django's `get_ns_resolver`).
const nsLookups = new WeakMap<URLResolverData<any>, Map<string, Map<unknown, Array<Possibility>>>>()

const namespacedLookups = <V>(
  r: URLResolverData<V>,
  prefix: string,
  converters: Readonly<Record<string, AnyConverter>>
): Map<unknown, Array<Possibility>> => {
  let byPrefix = nsLookups.get(r)
  if (byPrefix === undefined) {
    byPrefix = new Map()
    nsLookups.set(r, byPrefix)
  }
  const cacheKey = prefix + "\u0000" + Object.keys(converters).join(",")
  const cached = byPrefix.get(cacheKey)
  if (cached !== undefined) return cached
  const sub = populate(r)
  if (sub instanceof ConfigError) throw sub
  const p = stripCaret(prefix)
  const lookups = new Map<unknown, Array<Possibility>>()
  for (const [key, list] of sub.lookups) {
    for (const e of list) {
      append(lookups, key, possibility(p + e.pattern, p + e.pattern, e.defaults, { ...converters, ...e.converters }))
    }
  }
  byPrefix.set(cacheKey, lookups)
  return lookups
}

export interface ReverseInput {
  readonly args?: ReadonlyArray<unknown> | undefined
  readonly kwargs?: Readonly<Record<string, unknown>> | undefined
  readonly currentApp?: string | null | undefined
  readonly scriptPrefix?: string | undefined
}

export type ReverseOutcome =
  | { readonly _tag: "Ok"; readonly url: string }
  | { readonly _tag: "NoReverseMatch"; readonly message: string }
  | { readonly _tag: "Mixed" }
  | { readonly _tag: "Error"; readonly error: ConfigError }

const QUOTE_SAFE = safeTable("!$&'()*+,;=/~:@")

const checkRegex = (e: Possibility, prefix: string): RegExp => {
  let re = e.checks.get(prefix)
  if (re === undefined) {
    const t = py.translate(e.pattern)
    if ("error" in t) throw new ConfigError(`"${e.pattern}" is not a valid regular expression: ${t.error}`)
    re = new RegExp("^" + py.escapeJs(prefix) + t.ok.source, "u")
    e.checks.set(prefix, re)
  }
  return re
}

/** The name Django's messages give a view: the name, or the function's name. */
export const viewLabel = (view: unknown): string =>
  typeof view === "string" ? view : typeof view === "function" && view.name !== "" ? view.name : String(view)

const reverseWithPrefix = (
  lookups: Map<unknown, Array<Possibility>>,
  view: unknown,
  prefix: string,
  args: ReadonlyArray<unknown>,
  kwargs: Readonly<Record<string, unknown>>
): ReverseOutcome => {
  const possibilities = lookups.get(view) ?? []
  const kwKeys = Object.keys(kwargs)
  for (const e of possibilities) {
    for (const form of e.forms) {
      let subs: Record<string, unknown>
      if (args.length > 0) {
        if (args.length !== form.params.length) continue
        subs = {}
        form.params.forEach((p, i) => (subs[p] = args[i]))
      } else {
        const params = new Set(form.params)
        const keys = new Set(kwKeys)
        let ok = true
        for (const k of keys) if (!params.has(k) && !Object.hasOwn(e.defaults, k)) ok = false
        for (const k of params) if (!keys.has(k) && !Object.hasOwn(e.defaults, k)) ok = false
        if (!ok) continue
        for (const k in e.defaults) {
          if (Object.hasOwn(kwargs, k) && !pyEq(kwargs[k], e.defaults[k])) ok = false
        }
        if (!ok) continue
        subs = kwargs as Record<string, unknown>
      }
      const text: Record<string, string> = {}
      let ok = true
      for (const k in subs) {
        const converter = Object.hasOwn(e.converters, k) ? e.converters[k] : undefined
        if (converter === undefined) text[k] = pyStr(subs[k])
        else {
          const url = converter.toUrl(subs[k])
          if (Option.isNone(url)) {
            ok = false
            break
          }
          text[k] = url.value
        }
      }
      if (!ok) continue
      let candidate = prefix
      for (const part of form.parts) {
        if (typeof part === "string") candidate += part
        else {
          const v = text[part.key]
          if (v === undefined) {
            ok = false
            break
          }
          candidate += v
        }
      }
      if (!ok) continue
      if (checkRegex(e, prefix).test(candidate)) {
        const url = quoteWith(candidate, QUOTE_SAFE)
        return { _tag: "Ok", url: url.startsWith("//") ? "/%2F" + url.slice(2) : url }
      }
    }
  }
  const label = viewLabel(view)
  if (possibilities.length > 0) {
    const argMsg = args.length > 0
      ? `arguments '${pyTupleRepr(args)}'`
      : kwKeys.length > 0
      ? `keyword arguments '${pyRepr(kwargs)}'`
      : "no arguments"
    const patterns = "[" + possibilities.map((e) => reprStr(e.pattern)).join(", ") + "]"
    return {
      _tag: "NoReverseMatch",
      message: `Reverse for '${label}' with ${argMsg} not found. ${possibilities.length} pattern(s) tried: ${patterns}`
    }
  }
  return {
    _tag: "NoReverseMatch",
    message: `Reverse for '${label}' not found. '${label}' is not a valid view function or pattern name.`
  }
}

/** Django's `reverse()`. */
export const reverse = <V>(root: URLResolverData<V>, viewname: unknown, input: ReverseInput): ReverseOutcome => {
  const args = input.args ?? []
  const kwargs = input.kwargs ?? {}
  if (args.length > 0 && !isEmpty(kwargs)) return { _tag: "Mixed" }
  try {
    let view: unknown = viewname
    let path: Array<string> = []
    if (typeof viewname === "string") {
      path = viewname.split(":")
      view = path.pop()!
    }
    let currentPath: Array<string> | null = input.currentApp ? input.currentApp.split(":").reverse() : null
    let resolver: URLResolverData<V> = root
    const resolvedPath: Array<string> = []
    let nsPattern = ""
    let nsConverters: Record<string, AnyConverter> = {}
    for (let ns of path) {
      const currentNs = currentPath !== null && currentPath.length > 0 ? currentPath.pop()! : null
      const here = populate(resolver)
      if (here instanceof ConfigError) return { _tag: "Error", error: here }
      const appList = here.apps.get(ns)
      if (appList !== undefined) {
        if (currentNs && appList.includes(currentNs)) ns = currentNs
        else if (!appList.includes(ns)) ns = appList[0]!
      }
      if (ns !== currentNs) currentPath = null
      const entry = here.namespaces.get(ns)
      if (entry === undefined) {
        return {
          _tag: "NoReverseMatch",
          message: resolvedPath.length > 0
            ? `${reprStr(ns)} is not a registered namespace inside '${resolvedPath.join(":")}'`
            : `${reprStr(ns)} is not a registered namespace`
        }
      }
      resolvedPath.push(ns)
      nsPattern += entry.prefix
      nsConverters = { ...nsConverters, ...entry.converters }
      resolver = entry.resolver
    }
    let lookups: Map<unknown, Array<Possibility>>
    if (nsPattern !== "") lookups = namespacedLookups(resolver, nsPattern, nsConverters)
    else {
      const here = populate(resolver)
      if (here instanceof ConfigError) return { _tag: "Error", error: here }
      lookups = here.lookups
    }
    return reverseWithPrefix(lookups, view, input.scriptPrefix ?? "/", args, kwargs)
  } catch (e) {
    if (e instanceof ConfigError) return { _tag: "Error", error: e }
    throw e
  }
}
