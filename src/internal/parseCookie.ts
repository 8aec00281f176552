/**
 * Django's `parse_cookie` (django/http/cookie.py), not the platform's:
 * split on every `;`, a chunk without `=` gets the key `""`, key and value are
 * stripped of Python whitespace, values are unquoted like `http.cookies._unquote`
 * (in one linear pass, see CPython CVE-2024-7592), and the last duplicate wins.
 *
 * @internal
 */
import { strip as pyStrip } from "./python/str.js"

const UNQUOTE = /\\(?:([0-3][0-7][0-7])|([^\n]))/g

/** `http.cookies._unquote`: linear (a single regex pass over the string). */
export const unquote = (value: string): string => {
  if (value.length < 2 || value.charCodeAt(0) !== 34 || value.charCodeAt(value.length - 1) !== 34) return value
  const inner = value.slice(1, -1)
  if (inner.indexOf("\\") === -1) return inner
  return inner.replace(
    UNQUOTE,
    (_m, octal: string | undefined, other: string | undefined) =>
      octal !== undefined ? String.fromCharCode(parseInt(octal, 8)) : other!
  )
}

/** Calls `f` with each cookie's name and value, in the header's order (Django's split and strip). */
const eachCookie = (header: string, f: (key: string, value: string) => void): void => {
  if (header === "") return
  let start = 0
  const len = header.length
  while (start <= len) {
    let end = header.indexOf(";", start)
    if (end === -1) end = len
    const eq = header.indexOf("=", start)
    let key: string
    let value: string
    if (eq !== -1 && eq < end) {
      key = pyStrip(header.slice(start, eq))
      value = pyStrip(header.slice(eq + 1, end))
    } else {
      key = ""
      value = pyStrip(header.slice(start, end))
    }
    if (key !== "" || value !== "") f(key, unquote(value))
    start = end + 1
  }
}

/** Cookie name to value, in first-seen order, the last duplicate's value kept. */
export const parseCookieMap = (header: string): Map<string, string> => {
  const out = new Map<string, string>()
  eachCookie(header, (key, value) => {
    out.set(key, value)
  })
  return out
}

/**
 * `parseCookieMap` as a record (null prototype, so `__proto__` is a plain
 * name), built in the same pass: a name seen again keeps its first place and takes the later
 * value, as in the map. JavaScript lists integer-like keys first; use the map for Django's order.
 */
export const parseCookie = (header: string): Record<string, string> => {
  const out: Record<string, string> = Object.create(null)
  eachCookie(header, (key, value) => {
    out[key] = value
  })
  return out
}
