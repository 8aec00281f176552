/**
 * Python's `str()`, `repr()` and `==` for the values a URL is reversed with, as Django's
 * messages and comparisons apply them.
 *
 * @internal
 */
import { floatRepr, reprStr } from "../python/repr.js"

/** A number as Python prints it: an integer below 1e16 as an `int`, anything else as a `float`. */
const numberStr = (n: number): string => Number.isInteger(n) && Math.abs(n) < 1e16 ? String(n) : floatRepr(n)

/** `str(value)`: numbers print as Python ints when they are integers. */
export const pyStr = (value: unknown): string => {
  if (typeof value === "string") return value
  if (typeof value === "number") return numberStr(value)
  if (typeof value === "bigint") return value.toString()
  if (typeof value === "boolean") return value ? "True" : "False"
  if (value === null || value === undefined) return "None"
  if (Array.isArray(value) || isPlainObject(value)) return pyRepr(value)
  return String(value)
}

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && Object.getPrototypeOf(u) === Object.prototype

/** `repr(value)`; a JavaScript array is shown as a Python list. */
export const pyRepr = (value: unknown): string => {
  if (typeof value === "string") return reprStr(value)
  if (Array.isArray(value)) return "[" + value.map(pyRepr).join(", ") + "]"
  if (isPlainObject(value)) {
    return "{" + Object.entries(value).map(([k, v]) => reprStr(k) + ": " + pyRepr(v)).join(", ") + "}"
  }
  return pyStr(value)
}

/** `repr(tuple(values))`. */
export const pyTupleRepr = (values: ReadonlyArray<unknown>): string =>
  values.length === 1 ? "(" + pyRepr(values[0]) + ",)" : "(" + values.map(pyRepr).join(", ") + ")"

const numeric = (u: unknown): number | bigint | undefined =>
  typeof u === "number" || typeof u === "bigint" ? u : typeof u === "boolean" ? (u ? 1 : 0) : undefined

/** `a == b` for the plain values a URLconf's extra kwargs hold. */
export const pyEq = (a: unknown, b: unknown): boolean => {
  const x = numeric(a)
  const y = numeric(b)
  if (x !== undefined && y !== undefined) return x == y // eslint-disable-line eqeqeq
  if (x !== undefined || y !== undefined) return false
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => pyEq(v, b[i]))
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && pyEq(a[k], b[k]))
  }
  if (a === undefined) return b === undefined || b === null
  if (a === null) return b === undefined || b === null
  return a === b
}
