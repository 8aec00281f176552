/**
 * The patterns of the URL resolver: their models, the built-in converters, Django's
 * `_route_to_regex`, and one pattern compiled and matched against a path.
 *
 * @internal
 */
import * as Option from "effect/Option"
import { reprStr } from "../python/repr.js"
import * as py from "./pyregex.js"
import { pyStr } from "./python.js"

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

export interface Compiled {
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

/**
 * `compute(key)` once per key: its value, or the `ConfigError` it returned or threw (other
 * errors are thrown on).
 */
export const cached = <K extends object, A>(
  cache: WeakMap<K, A | ConfigError>,
  key: K,
  compute: (key: K) => A | ConfigError
): A | ConfigError => {
  let value = cache.get(key)
  if (value === undefined) {
    try {
      value = compute(key)
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      value = e
    }
    cache.set(key, value)
  }
  return value
}

const compiledCache = new WeakMap<AnyPattern, Compiled | ConfigError>()

export const compile = (p: AnyPattern): Compiled | ConfigError => cached(compiledCache, p, compileUncached)

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

export interface PatternMatch {
  readonly rest: string
  readonly args: ReadonlyArray<unknown>
  readonly kwargs: Record<string, unknown>
}

export const EMPTY_ARGS: ReadonlyArray<unknown> = []
export const EMPTY_KWARGS: Readonly<Record<string, unknown>> = Object.freeze({})

/** `pattern.match(path)`: what is left of the path, the positional and the keyword arguments. */
export const matchCompiled = (c: Compiled, path: string): PatternMatch | undefined => {
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

/** Whether an object has no enumerable key. */
export const isEmpty = (o: object): boolean => {
  for (const _ in o) return false
  return true
}
