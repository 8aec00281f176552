/**
 * Small pieces of Python's string semantics that Django's outputs depend on.
 *
 * @internal
 */

/** `str.isspace()` for one UTF-16 code unit (all Python whitespace is in the BMP). */
export const isPySpace = (c: number): boolean =>
  (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20) || c === 0x85 || c === 0xa0 || c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000

/** `str.strip()` with no argument. */
export const pyStrip = (s: string): string => {
  let i = 0
  let j = s.length
  while (i < j && isPySpace(s.charCodeAt(i))) i++
  while (j > i && isPySpace(s.charCodeAt(j - 1))) j--
  return i === 0 && j === s.length ? s : s.slice(i, j)
}

/** `repr(s)` of a Python `str` (one implementation for the whole library). */
export { reprStr as pyRepr } from "./pyrepr.js"

/** `str.title()` for header names (ASCII letters are what HTTP allows). */
export const pyTitle = (s: string): string => {
  let out = ""
  let prevCased = false
  for (const ch of s) {
    const lower = ch.toLowerCase()
    const upper = ch.toUpperCase()
    const cased = lower !== upper
    out += cased ? (prevCased ? lower : upper) : ch
    prevCased = cased
  }
  return out
}

const PY_CODECS: Record<string, string> = {
  // Python codec names and aliases that WHATWG labels miss or map differently.
  "latin-1": "latin1",
  latin_1: "latin1",
  latin1: "latin1",
  "iso-8859-1": "latin1",
  iso8859_1: "latin1",
  "iso8859-1": "latin1",
  l1: "latin1",
  "utf-8": "utf-8",
  utf_8: "utf-8",
  utf8: "utf-8",
  u8: "utf-8",
  ascii: "ascii",
  "us-ascii": "ascii",
  cp1252: "windows-1252",
  "windows-1252": "windows-1252"
}

/**
 * Whether Python's `codecs.lookup(label)` would accept the label. Python's codec
 * names are matched first; other labels are accepted when the platform's
 * `TextDecoder` knows them, which covers the common codecs.
 */
export const isKnownEncoding = (label: string): boolean => {
  const key = label.trim().toLowerCase()
  if (key in PY_CODECS) return true
  if (key === "" || label !== label.trim()) return false
  try {
    new TextDecoder(key)
    return true
  } catch {
    return false
  }
}
