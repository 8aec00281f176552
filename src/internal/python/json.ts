/**
 * Python's `json.dumps`, byte for byte for the JSON-like values a TypeScript
 * program has: the one writer behind `JsonResponse` (with Django's
 * `DjangoJSONEncoder`) and the signing payloads (plain `json.dumps` with
 * compact separators).
 *
 * @internal
 */
import { floatRepr } from "./repr.js"

/** Options of `json.dumps` that `JsonResponse(json_dumps_params=...)` users reach for. */
export interface DumpsOptions {
  readonly ensureAscii?: boolean | undefined
  readonly sortKeys?: boolean | undefined
  readonly indent?: number | string | undefined
  readonly separators?: readonly [item: string, key: string] | undefined
  readonly allowNan?: boolean | undefined
}

/** `DumpsOptions` and what the library's callers set: the encoder, and how `undefined` properties go. */
export interface DumpsConfig extends DumpsOptions {
  /** `cls=DjangoJSONEncoder`: a `Date` is written as an ISO 8601 string (else it is not serializable). */
  readonly django?: boolean | undefined
  /** A `Map` with string keys is written as a dict (else it is not serializable). */
  readonly maps?: boolean | undefined
  /** Object properties whose value is `undefined` are left out, as `JSON.stringify` does (else not serializable). */
  readonly skipUndefined?: boolean | undefined
}

/** A `TypeError`/`ValueError` that `json.dumps` raises, with Python's message. */
export class DumpsError {
  constructor(readonly message: string) {}
}

/** The short escapes Python writes, by code unit; the other escaped units are `\\uXXXX`. */
const SHORT: ReadonlyArray<string | undefined> = (() => {
  const table: Array<string | undefined> = []
  table[0x22] = "\\\""
  table[0x5c] = "\\\\"
  table[0x0a] = "\\n"
  table[0x0d] = "\\r"
  table[0x09] = "\\t"
  table[0x08] = "\\b"
  table[0x0c] = "\\f"
  return table
})()

const escapeCode = (c: number): string => SHORT[c] ?? "\\u" + c.toString(16).padStart(4, "0")

/**
 * `json.encoder.py_encode_basestring_ascii` / `py_encode_basestring`: `"` and `\\` and the short
 * escapes Python writes, every other control character (and with `ensureAscii` every code unit
 * above `~`) as `\\uXXXX`. One pass over the code units; the runs between escapes are copied
 * as slices.
 */
export const encodeString = (s: string, ensureAscii: boolean): string => {
  let out = "\""
  let from = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && (c < 0x7f || !ensureAscii)) continue
    out += s.slice(from, i) + escapeCode(c)
    from = i + 1
  }
  return from === 0 ? "\"" + s + "\"" : out + s.slice(from) + "\""
}

export const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

/** `DjangoJSONEncoder` for a `Date` (always aware, in UTC): ISO 8601, milliseconds kept when non-zero, `Z`. */
export const encodeDate = (d: Date): string | undefined => {
  if (Number.isNaN(d.getTime())) return undefined
  const iso = d.toISOString()
  return d.getUTCMilliseconds() === 0 ? iso.slice(0, -5) + "Z" : iso
}

export const typeName = (u: unknown): string => {
  if (u === undefined) return "undefined"
  if (typeof u === "function") return "function"
  if (typeof u === "symbol") return "symbol"
  if (typeof u === "object" && u !== null) {
    const ctor = (Object.getPrototypeOf(u) as { constructor?: { name?: unknown } } | null)?.constructor
    return typeof ctor?.name === "string" ? ctor.name : "object"
  }
  return typeof u
}

/** `float.__repr__` as `json` writes a float: `NaN`, `Infinity` and `-Infinity` for the non-finite ones. */
export const jsonFloat = (n: number): string =>
  Number.isNaN(n) ? "NaN" : n === Infinity ? "Infinity" : n === -Infinity ? "-Infinity" : floatRepr(n)

/**
 * Containers nested this deep or deeper are checked for cycles (`check_circular`); shallower
 * ones need no check of their own: a cycle goes on past this depth, so it is still found (one
 * turn of the cycle later, with the same error, and no other error met meanwhile: the values
 * before the cycle's edge were written at the shallower turn already).
 */
const SEEN_FROM = 32

/** Object keys written already, by `ensureAscii` (keys repeat across a list of records). */
const keyCaches = { ascii: new Map<string, string>(), raw: new Map<string, string>() }

const encodeKey = (key: string, ensureAscii: boolean): string => {
  const cache = ensureAscii ? keyCaches.ascii : keyCaches.raw
  let encoded = cache.get(key)
  if (encoded === undefined) {
    encoded = encodeString(key, ensureAscii)
    if (key.length <= 64 && cache.size < 1024) cache.set(key, encoded)
  }
  return encoded
}

/**
 * A dict's entries: a `Map`'s (its keys must be strings, as Python's `json` requires) or a plain
 * object's, in their order, sorted by key with `sortKeys`.
 */
export const dictEntries = (u: unknown, sortKeys: boolean): Array<readonly [string, unknown]> | DumpsError => {
  const entries: Array<readonly [string, unknown]> = []
  if (u instanceof Map) {
    for (const [k, v] of u) {
      if (typeof k !== "string") return new DumpsError(`keys must be str, int, float, bool or None, not ${typeName(k)}`)
      entries.push([k, v])
    }
  } else if (isPlainObject(u)) {
    for (const k of Object.keys(u)) entries.push([k, u[k]])
  }
  if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return entries
}

/**
 * `json.dumps(value, **options)`. Numbers that are integers print as Python
 * ints (but `-0`, a float), others as Python floats; `bigint` as an int; plain
 * objects and `Map`s with string keys as dicts (keys in their JavaScript order
 * unless `sortKeys`); with `django`, a `Date` as `DjangoJSONEncoder` prints an
 * aware datetime. Anything else fails with Python's message.
 */
export const dumps = (value: unknown, options: DumpsConfig = {}): string | DumpsError => {
  const ensureAscii = options.ensureAscii ?? true
  const allowNan = options.allowNan ?? true
  const indent = typeof options.indent === "number" ? " ".repeat(Math.max(0, options.indent)) : options.indent
  const [itemSep, keySep] = options.separators ?? (indent !== undefined ? [",", ": "] : [", ", ": "])
  const sortKeys = options.sortKeys === true
  const skipUndefined = options.skipUndefined === true
  const django = options.django === true
  const maps = options.maps === true
  let seen: Set<unknown> | undefined
  const encodeNumber = (n: number): string | DumpsError => {
    if (!Number.isFinite(n) && !allowNan) {
      return new DumpsError(`Out of range float values are not JSON compliant: ${floatRepr(n)}`)
    }
    return Number.isSafeInteger(n) && !Object.is(n, -0) ? String(n) : jsonFloat(n)
  }
  // The separators and closing of a container at `level` (only indented output has per-level ones).
  const inner = (level: number) => indent === undefined ? "" : "\n" + indent.repeat(level + 1)
  const close = (level: number) => indent === undefined ? "" : "\n" + indent.repeat(level)
  const go = (u: unknown, level: number): string | DumpsError => {
    // The common leaves first.
    if (typeof u === "string") return encodeString(u, ensureAscii)
    if (typeof u === "number") return encodeNumber(u)
    if (u === null) return "null"
    if (u === true) return "true"
    if (u === false) return "false"
    if (typeof u === "bigint") return u.toString()
    if (django && u instanceof Date) {
      const s = encodeDate(u)
      return s === undefined ? new DumpsError("Invalid Date is not JSON serializable") : encodeString(s, ensureAscii)
    }
    const isArray = Array.isArray(u)
    const isMap = maps && u instanceof Map
    if (!isArray && !isMap && !isPlainObject(u)) {
      return new DumpsError(`Object of type ${typeName(u)} is not JSON serializable`)
    }
    const tracked = level >= SEEN_FROM
    if (tracked) {
      seen ??= new Set()
      if (seen.has(u)) return new DumpsError("Circular reference detected")
      seen.add(u)
    }
    const sep = indent === undefined ? itemSep : itemSep + inner(level)
    let out = ""
    if (isArray) {
      for (let i = 0; i < u.length; i++) {
        const r = go(u[i], level + 1)
        if (typeof r !== "string") return r
        out += i === 0 ? r : sep + r
      }
      if (tracked) seen!.delete(u)
      return u.length === 0 ? "[]" : "[" + inner(level) + out + close(level) + "]"
    }
    let first = true
    if (isMap || sortKeys) {
      const entries = dictEntries(u, sortKeys)
      if (entries instanceof DumpsError) return entries
      for (const [key, v] of entries) {
        if (v === undefined && skipUndefined) continue
        const r = go(v, level + 1)
        if (typeof r !== "string") return r
        out += (first ? "" : sep) + encodeKey(key, ensureAscii) + keySep + r
        first = false
      }
    } else {
      // A plain object in key order: no array of entries.
      const object = u as Record<string, unknown>
      for (const key of Object.keys(object)) {
        const v = object[key]
        if (v === undefined && skipUndefined) continue
        const r = go(v, level + 1)
        if (typeof r !== "string") return r
        out += (first ? "" : sep) + encodeKey(key, ensureAscii) + keySep + r
        first = false
      }
    }
    if (tracked) seen!.delete(u)
    return first ? "{}" : "{" + inner(level) + out + close(level) + "}"
  }
  return go(value, 0)
}
