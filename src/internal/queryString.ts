/**
 * Python's `urllib.parse.parse_qsl(keep_blank_values=True, errors='replace')`
 * as Django's `QueryDict` calls it, and Django's `QueryDict.urlencode`.
 *
 * Parsing is one pass over char codes: only `&` separates, the first `=`
 * splits, empty segments are skipped, `+` is a space. A name or value with no
 * `%` is a slice (plus a `+` replacement); one with `%` goes, for UTF-8, through
 * a strict inline decoder (which agrees with Python whenever it succeeds) and
 * otherwise through Python's algorithm: runs of ASCII characters are
 * percent-decoded to bytes (invalid escapes kept as they are) and decoded with
 * the encoding, replacing invalid bytes; other characters are kept.
 *
 * @internal
 */
import type { Codec } from "./python/codecs.js"
import { quoteBytes, safeTable } from "./url.js"

const AMP = 38
const EQ = 61
const PLUS = 43
const PERCENT = 37

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

/** `s.slice(start, end)` with every `+` a space; `plus` is the first `+` in the range. */
const replacePlus = (s: string, start: number, end: number, plus: number): string => {
  let out = ""
  let from = start
  while (plus !== -1 && plus < end) {
    out += s.slice(from, plus) + " "
    from = plus + 1
    plus = s.indexOf("+", from)
  }
  return out + s.slice(from, end)
}

const byteAt = (p: string, i: number): number => {
  if (i + 2 >= p.length || p.charCodeAt(i) !== PERCENT) return -1
  const h = hexValue(p.charCodeAt(i + 1))
  const l = hexValue(p.charCodeAt(i + 2))
  return h < 0 || l < 0 ? -1 : h * 16 + l
}

/**
 * Percent-decoding for UTF-8 with a strict, inline UTF-8 decoder; `undefined`
 * on any invalid escape or byte sequence (then Python's slow path decides).
 * When it succeeds it gives what `decodeURIComponent` gives, twice as fast.
 */
export const unquoteUtf8 = (p: string): string | undefined => {
  let out = ""
  let from = 0
  let i = p.indexOf("%")
  while (i !== -1) {
    out += p.slice(from, i)
    const b1 = byteAt(p, i)
    if (b1 < 0) return undefined
    i += 3
    if (b1 < 0x80) {
      out += String.fromCharCode(b1)
    } else {
      let n: number
      let cp: number
      let lo = 0x80
      let hi = 0xbf
      if (b1 >= 0xc2 && b1 <= 0xdf) {
        n = 1
        cp = b1 & 0x1f
      } else if (b1 >= 0xe0 && b1 <= 0xef) {
        n = 2
        cp = b1 & 0x0f
        if (b1 === 0xe0) lo = 0xa0
        else if (b1 === 0xed) hi = 0x9f
      } else if (b1 >= 0xf0 && b1 <= 0xf4) {
        n = 3
        cp = b1 & 0x07
        if (b1 === 0xf0) lo = 0x90
        else if (b1 === 0xf4) hi = 0x8f
      } else {
        return undefined
      }
      for (let k = 0; k < n; k++) {
        const b = byteAt(p, i)
        if (b < lo || b > hi) return undefined
        lo = 0x80
        hi = 0xbf
        cp = (cp << 6) | (b & 0x3f)
        i += 3
      }
      out += String.fromCodePoint(cp)
    }
    from = i
    i = p.indexOf("%", i)
  }
  return out + p.slice(from)
}

/** Decodes `s[start:end]`: `plus` is its first `+` (or -1), `percent` whether it has a `%`. */
const decodePart = (s: string, start: number, end: number, plus: number, percent: boolean, codec: Codec): string => {
  const part = plus === -1 ? s.slice(start, end) : replacePlus(s, start, end, plus)
  if (!percent) return part
  if (codec.utf8) {
    const decoded = unquoteUtf8(part)
    if (decoded !== undefined) return decoded
  }
  return unquoteSlow(part, codec)
}

/**
 * Parses `s` into `map` (appending). Returns `false`, with `map` to be dropped,
 * when the field count `1 + count('&')` (0 for the empty string) exceeds
 * `maxNumFields`; the check stops at the first `&` too many.
 */
export const parseInto = (
  s: string,
  codec: Codec,
  maxNumFields: number | null,
  map: Map<string, Array<string>>
): boolean => {
  const len = s.length
  if (len === 0) return maxNumFields === null || maxNumFields >= 0
  const max = maxNumFields === null ? Infinity : maxNumFields
  if (max < 1) return false
  // One loop over char codes (cheaper than native searches on the short segments of real
  // queries), noting the first `=`, and the first `+` and whether a `%` occurs on each side of it.
  let fields = 1
  let start = 0
  while (true) {
    let eq = -1
    let keyPlus = -1
    let keyPercent = false
    let plus = -1
    let percent = false
    let i = start
    for (; i < len; i++) {
      const c = s.charCodeAt(i)
      if (c === AMP) break
      if (c === EQ) {
        if (eq < 0) {
          eq = i
          keyPlus = plus
          keyPercent = percent
          plus = -1
          percent = false
        }
      } else if (c === PLUS) {
        if (plus < 0) plus = i
      } else if (c === PERCENT) percent = true
    }
    if (i > start) {
      let key: string
      let value: string
      if (eq < 0) {
        key = decodePart(s, start, i, plus, percent, codec)
        value = ""
      } else {
        key = decodePart(s, start, eq, keyPlus, keyPercent, codec)
        value = eq + 1 === i ? "" : decodePart(s, eq + 1, i, plus, percent, codec)
      }
      const list = map.get(key)
      if (list === undefined) map.set(key, [value])
      else list.push(value)
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
