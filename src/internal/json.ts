/**
 * Python's `json.dumps` with Django's `DjangoJSONEncoder`, byte for byte for
 * the JSON-like values a TypeScript program has.
 *
 * @internal
 */

/** Options of `json.dumps` that `JsonResponse(json_dumps_params=...)` users reach for. */
export interface DumpsOptions {
  readonly ensureAscii?: boolean | undefined
  readonly sortKeys?: boolean | undefined
  readonly indent?: number | string | undefined
  readonly separators?: readonly [item: string, key: string] | undefined
  readonly allowNan?: boolean | undefined
}

/** A `TypeError`/`ValueError` that `json.dumps` raises, with Python's message. */
export class DumpsError {
  constructor(readonly message: string) {}
}

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

/** `json.encoder.py_encode_basestring_ascii` / `py_encode_basestring`. */
export const encodeString = (s: string, ensureAscii: boolean): string => {
  if (!(ensureAscii ? NEEDS_ESCAPE_ASCII : NEEDS_ESCAPE).test(s)) return "\"" + s + "\""
  let out = "\""
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    const c = s.charCodeAt(i)
    const esc = ESCAPES[ch]
    if (esc !== undefined) out += esc
    else if (c < 0x20 || (ensureAscii && c > 0x7e)) out += "\\u" + hex4(c)
    else out += ch
  }
  return out + "\""
}

/** Python's `float.__repr__`: shortest round trip, exponent outside [1e-4, 1e16). */
export const floatRepr = (n: number): string => {
  if (Number.isNaN(n)) return "NaN"
  if (n === Infinity) return "Infinity"
  if (n === -Infinity) return "-Infinity"
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0"
  const [mantissa, expPart] = n.toExponential().split("e") as [string, string]
  const exp = Number(expPart)
  const negative = mantissa.startsWith("-")
  const digits = mantissa.replace("-", "").replace(".", "")
  const sign = negative ? "-" : ""
  if (exp >= -5 + 1 && exp < 16) {
    // fixed notation
    if (exp >= 0) {
      const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, "0")
      const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : "0"
      return sign + intPart + "." + frac
    }
    return sign + "0." + "0".repeat(-exp - 1) + digits
  }
  const m = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits
  const e = Math.abs(exp)
  return sign + m + "e" + (exp < 0 ? "-" : "+") + (e < 10 ? "0" + e : String(e))
}

const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

/** `DjangoJSONEncoder` for a `Date` (always aware, in UTC): ISO 8601, milliseconds kept when non-zero, `Z`. */
const encodeDate = (d: Date): string | undefined => {
  if (Number.isNaN(d.getTime())) return undefined
  const iso = d.toISOString()
  return d.getUTCMilliseconds() === 0 ? iso.slice(0, -5) + "Z" : iso
}

const typeName = (u: unknown): string => {
  if (u === undefined) return "undefined"
  if (typeof u === "function") return "function"
  if (typeof u === "symbol") return "symbol"
  if (typeof u === "object" && u !== null) {
    const ctor = (u as { constructor?: { name?: unknown } }).constructor
    return typeof ctor?.name === "string" ? ctor.name : "object"
  }
  return typeof u
}

/**
 * `json.dumps(value, cls=DjangoJSONEncoder, **options)`. Numbers that are
 * integers print as Python ints, others as Python floats; `bigint` as an int;
 * a `Date` as Django's encoder prints an aware datetime. Object keys keep
 * their (JavaScript) order unless `sortKeys`.
 */
export const dumps = (value: unknown, options: DumpsOptions = {}): string | DumpsError => {
  const ensureAscii = options.ensureAscii ?? true
  const allowNan = options.allowNan ?? true
  const indent = typeof options.indent === "number" ? " ".repeat(Math.max(0, options.indent)) : options.indent
  const [itemSep, keySep] = options.separators ?? (indent !== undefined ? [",", ": "] : [", ", ": "])
  const seen = new Set<unknown>()
  const encodeNumber = (n: number): string | DumpsError => {
    if (!Number.isFinite(n) && !allowNan) {
      return new DumpsError(`Out of range float values are not JSON compliant`)
    }
    // Safe integers print as Python ints; anything else is a float (1e16 -> 1e+16, 0.5 -> 0.5).
    return Number.isSafeInteger(n) ? String(n) : floatRepr(n)
  }
  const go = (u: unknown, level: number): string | DumpsError => {
    if (u === null) return "null"
    if (u === true) return "true"
    if (u === false) return "false"
    if (typeof u === "string") return encodeString(u, ensureAscii)
    if (typeof u === "number") return encodeNumber(u)
    if (typeof u === "bigint") return u.toString()
    if (u instanceof Date) {
      const s = encodeDate(u)
      return s === undefined ? new DumpsError("Invalid Date is not JSON serializable") : encodeString(s, ensureAscii)
    }
    const isArray = Array.isArray(u)
    if (!isArray && !isPlainObject(u)) {
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
    const keys = Object.keys(u)
    if (options.sortKeys) keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    for (const key of keys) {
      const v = u[key]
      if (v === undefined) continue
      const r = go(v, level + 1)
      if (r instanceof DumpsError) return r
      parts.push(encodeString(key, ensureAscii) + keySep + r)
    }
    seen.delete(u)
    return parts.length === 0 ? "{}" : "{" + inner + parts.join(sep) + close + "}"
  }
  return go(value, 0)
}
