/**
 * The first, plain writing of `src/internal/python/json.ts` (Python's `json.dumps`: regular
 * expressions for the escapes, arrays of entries and parts): kept as the reference that the
 * library's faster one is compared with (test/responseProperties.test.ts).
 * The helpers and types the rewrite did not change (plain objects, a dict's entries, dates, type
 * names, floats, the options and the error) are the library's own.
 *
 * Python's `json.dumps`, byte for byte for the JSON-like values a TypeScript
 * program has: the one writer behind `JsonResponse` (with Django's
 * `DjangoJSONEncoder`) and the signing payloads (plain `json.dumps` with
 * compact separators).
 */
import {
  dictEntries,
  type DumpsConfig,
  DumpsError,
  encodeDate,
  isPlainObject,
  jsonFloat,
  typeName
} from "../../src/internal/python/json.js"
import { floatRepr } from "../../src/internal/python/repr.js"

const ESCAPES: Record<string, string> = {
  "\"": "\\\"",
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f"
}

const hex4 = (n: number): string => n.toString(16).padStart(4, "0")

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE_ASCII = /["\\\u0000-\u001f\u007f-\uffff]/
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/
// The same classes, global: each UTF-16 code unit that needs it is replaced on its own.
// eslint-disable-next-line no-control-regex
const ESCAPE_ASCII_ALL = /["\\\u0000-\u001f\u007f-\uffff]/g
// eslint-disable-next-line no-control-regex
const ESCAPE_ALL = /["\\\u0000-\u001f]/g

const escapeUnit = (ch: string): string => ESCAPES[ch] ?? "\\u" + hex4(ch.charCodeAt(0))

/**
 * `json.encoder.py_encode_basestring_ascii` / `py_encode_basestring`: `"` and `\\` and the short
 * escapes Python writes, every other control character (and with `ensureAscii` every code unit
 * above `~`) as `\\uXXXX`. One `replace` over the units that need it: the text between them is
 * copied by the engine, not character by character.
 */
export const encodeString = (s: string, ensureAscii: boolean): string => {
  if (!(ensureAscii ? NEEDS_ESCAPE_ASCII : NEEDS_ESCAPE).test(s)) return "\"" + s + "\""
  return "\"" + s.replace(ensureAscii ? ESCAPE_ASCII_ALL : ESCAPE_ALL, escapeUnit) + "\""
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
  const seen = new Set<unknown>()
  const encodeNumber = (n: number): string | DumpsError => {
    if (!Number.isFinite(n) && !allowNan) {
      return new DumpsError(`Out of range float values are not JSON compliant: ${floatRepr(n)}`)
    }
    return Number.isSafeInteger(n) && !Object.is(n, -0) ? String(n) : jsonFloat(n)
  }
  const go = (u: unknown, level: number): string | DumpsError => {
    if (u === null) return "null"
    if (u === true) return "true"
    if (u === false) return "false"
    if (typeof u === "string") return encodeString(u, ensureAscii)
    if (typeof u === "number") return encodeNumber(u)
    if (typeof u === "bigint") return u.toString()
    if (options.django && u instanceof Date) {
      const s = encodeDate(u)
      return s === undefined ? new DumpsError("Invalid Date is not JSON serializable") : encodeString(s, ensureAscii)
    }
    const isArray = Array.isArray(u)
    const isMap = options.maps === true && u instanceof Map
    if (!isArray && !isMap && !isPlainObject(u)) {
      return new DumpsError(`Object of type ${typeName(u)} is not JSON serializable`)
    }
    if (seen.has(u)) return new DumpsError("Circular reference detected")
    seen.add(u)
    const inner = indent === undefined ? "" : "\n" + indent.repeat(level + 1)
    const sep = indent === undefined ? itemSep : itemSep + inner
    const close = indent === undefined ? "" : "\n" + indent.repeat(level)
    const parts: Array<string> = []
    if (isArray) {
      for (const item of u) {
        const r = go(item, level + 1)
        if (r instanceof DumpsError) return r
        parts.push(r)
      }
      seen.delete(u)
      return parts.length === 0 ? "[]" : "[" + inner + parts.join(sep) + close + "]"
    }
    const entries = dictEntries(u, options.sortKeys === true)
    if (entries instanceof DumpsError) return entries
    for (const [key, v] of entries) {
      if (v === undefined && options.skipUndefined) continue
      const r = go(v, level + 1)
      if (r instanceof DumpsError) return r
      parts.push(encodeString(key, ensureAscii) + keySep + r)
    }
    seen.delete(u)
    return parts.length === 0 ? "{}" : "{" + inner + parts.join(sep) + close + "}"
  }
  return go(value, 0)
}
