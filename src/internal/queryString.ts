/**
 * Python's `urllib.parse.parse_qsl(keep_blank_values=True, errors='replace')`
 * as Django's `QueryDict` calls it, and Django's `QueryDict.urlencode`.
 *
 * Parsing is one pass over char codes: only `&` separates, the first `=`
 * splits, empty segments are skipped, `+` is a space. A name or value with no
 * `%` is a slice (plus a `+` replacement); one with `%` goes, for UTF-8, through
 * `decodeURIComponent` (which agrees with Python whenever it succeeds) and
 * otherwise through Python's algorithm: runs of ASCII characters are
 * percent-decoded to bytes (invalid escapes kept as they are) and decoded with
 * the encoding, replacing invalid bytes; other characters are kept.
 *
 * @internal
 */
import type { Codec } from "./codec.js"
import { quoteBytes, safeTable } from "./url.js"

const AMP = 38
const EQ = 61
const PLUS = 43
const PERCENT = 37

const HAS_PLUS = 1
const HAS_PERCENT = 2

const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1

/** Python's `unquote(part, encoding, 'replace')` for a part already free of `+`. */
export const unquoteSlow = (part: string, codec: Codec): string => {
  let out = ""
  const len = part.length
  let i = 0
  const bytes = new Uint8Array(len)
  while (i < len) {
    // A run of non-ASCII characters is kept as it is.
    let j = i
    while (j < len && part.charCodeAt(j) >= 128) j++
    if (j > i) {
      out += part.slice(i, j)
      i = j
      continue
    }
    // A run of ASCII characters: percent-decode to bytes, then decode.
    let n = 0
    while (j < len) {
      const c = part.charCodeAt(j)
      if (c >= 128) break
      if (c === PERCENT && j + 2 < len) {
        const h = hexValue(part.charCodeAt(j + 1))
        const l = hexValue(part.charCodeAt(j + 2))
        if (h >= 0 && l >= 0) {
          bytes[n++] = h * 16 + l
          j += 3
          continue
        }
      }
      bytes[n++] = c
      j++
    }
    out += codec.decode(bytes.subarray(0, n))
    i = j
  }
  return out
}

const decodePart = (s: string, start: number, end: number, flags: number, codec: Codec): string => {
  let part = s.slice(start, end)
  if (flags === 0) return part
  if ((flags & HAS_PLUS) !== 0) part = part.replace(/\+/g, " ")
  if ((flags & HAS_PERCENT) === 0) return part
  if (codec.utf8) {
    try {
      return decodeURIComponent(part)
    } catch {
      // an invalid escape or invalid UTF-8: Python's slow path
    }
  }
  return unquoteSlow(part, codec)
}

/** The sink the parser appends to. */
export type Append = (key: string, value: string) => void

/**
 * Parses `s` into `append`. Returns `false`, having appended nothing useful,
 * when the field count `1 + count('&')` (0 for the empty string) exceeds
 * `maxNumFields`; the check stops at the first `&` too many.
 */
export const parseInto = (s: string, codec: Codec, maxNumFields: number | null, append: Append): boolean => {
  const len = s.length
  if (len === 0) return maxNumFields === null || maxNumFields >= 0
  const max = maxNumFields === null ? Infinity : maxNumFields
  if (max < 1) return false
  let fields = 1
  let start = 0
  while (true) {
    let eq = -1
    let keyFlags = 0
    let flags = 0
    let i = start
    for (; i < len; i++) {
      const c = s.charCodeAt(i)
      if (c === AMP) break
      if (c === EQ) {
        if (eq < 0) {
          eq = i
          keyFlags = flags
          flags = 0
        }
      } else if (c === PLUS) flags |= HAS_PLUS
      else if (c === PERCENT) flags |= HAS_PERCENT
    }
    if (i > start) {
      if (eq < 0) {
        append(decodePart(s, start, i, flags, codec), "")
      } else {
        append(decodePart(s, start, eq, keyFlags, codec), decodePart(s, eq + 1, i, flags, codec))
      }
    }
    if (i >= len) return true
    if (++fields > max) return false
    start = i + 1
  }
}

const PLUS_TABLE = safeTable(" ")

const quotePlus = (bytes: Uint8Array): string => quoteBytes(bytes, PLUS_TABLE).replace(/ /g, "+")

/** Django's `QueryDict.urlencode(safe)`. */
export const urlencode = (
  lists: Iterable<readonly [string, ReadonlyArray<string>]>,
  codec: Codec,
  safe: string | undefined
): string => {
  const out: Array<string> = []
  if (safe !== undefined && safe.length > 0) {
    const table = safeTable(safe)
    for (const [key, values] of lists) {
      const k = quoteBytes(codec.encode(key), table)
      for (const value of values) out.push(k + "=" + quoteBytes(codec.encode(value), table))
    }
  } else {
    for (const [key, values] of lists) {
      const k = quotePlus(codec.encode(key))
      for (const value of values) out.push(k + "=" + quotePlus(codec.encode(value)))
    }
  }
  return out.join("&")
}
