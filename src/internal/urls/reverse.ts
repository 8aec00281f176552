/**
 * Reversal: Django's `reverse()` over the lookups of a URLconf (populated once per resolver and
 * cached), namespaces and `current_app` included.
 *
 * @internal
 */
import * as Option from "effect/Option"
import { reprStr } from "../python/repr.js"
import { quoteWith, safeTable } from "../url.js"
import { type AnyConverter, cached, ConfigError, isEmpty, type URLResolverData } from "./patterns.js"
import * as py from "./pyregex.js"
import { pyEq, pyRepr, pyStr, pyTupleRepr } from "./python.js"

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

export const populate = <V>(r: URLResolverData<V>): Populated<V> | ConfigError => cached(populated, r, populateUncached)

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
