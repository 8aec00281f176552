/**
 * META, headers and Content-Type as Django builds them from a WSGI environ.
 *
 * @internal
 */
import { strip as pyStrip, title as pyTitle } from "./python/str.js"

/** `HTTP_` + the upper-cased name with `-` as `_`. */
export const metaName = (header: string): string => {
  const upper = header.toUpperCase()
  return "HTTP_" + (upper.includes("-") ? upper.replace(/-/g, "_") : upper)
}

/**
 * `HttpHeaders.parse_header_name`: the header name for a META key, or
 * `undefined` for keys that are not headers.
 */
export const headerNameFromMeta = (key: string): string | undefined => {
  let name: string
  if (key.startsWith("HTTP_")) name = key.slice(5)
  else if (key === "CONTENT_TYPE" || key === "CONTENT_LENGTH") name = key
  else return undefined
  return pyTitle(name.replace(/_/g, "-"))
}

/**
 * `cgi.parse_header`: the main value (not lower-cased in 3.2) and its
 * parameters (names lower-cased, quoted values unescaped).
 */
export const parseHeader = (line: string): readonly [string, Record<string, string>] => {
  if (line === "") return ["", Object.create(null)]
  const parts: Array<string> = []
  let s = ";" + line
  while (s.startsWith(";")) {
    s = s.slice(1)
    let end = s.indexOf(";")
    // Skip `;` inside quotes: count `"` minus `\"` before `end` (kept incrementally: linear).
    let quotes = 0
    let escaped = 0
    let counted = 0
    const countTo = (to: number) => {
      for (; counted < to; counted++) {
        if (s.charCodeAt(counted) === 34) {
          quotes++
          if (counted > 0 && s.charCodeAt(counted - 1) === 92) escaped++
        }
      }
    }
    while (end > 0) {
      countTo(end)
      if ((quotes - escaped) % 2 === 0) break
      end = s.indexOf(";", end + 1)
    }
    if (end < 0) end = s.length
    parts.push(pyStrip(s.slice(0, end)))
    s = s.slice(end)
  }
  const key = parts[0] ?? ""
  const params: Record<string, string> = Object.create(null)
  for (const p of parts.slice(1)) {
    const i = p.indexOf("=")
    if (i >= 0) {
      const name = pyStrip(p.slice(0, i)).toLowerCase()
      let value = pyStrip(p.slice(i + 1))
      if (value.length >= 2 && value[0] === "\"" && value[value.length - 1] === "\"") {
        value = value.slice(1, -1).replace(/\\\\/g, "\\").replace(/\\"/g, "\"")
      }
      params[name] = value
    }
  }
  return [key, params]
}

const HEX = "0123456789ABCDEF"

/** `unquote_to_bytes`: `%XX` escapes to bytes, everything else UTF-8 encoded. */
const enc = new TextEncoder()

export const unquoteToBytes = (s: string): Uint8Array => {
  if (!s.includes("%")) return enc.encode(s)
  const out: Array<number> = []
  let i = 0
  while (i < s.length) {
    const pct = s.indexOf("%", i)
    const end = pct === -1 ? s.length : pct
    if (end > i) { for (const b of enc.encode(s.slice(i, end))) out.push(b) }
    if (pct === -1) break
    const hex = s.slice(pct + 1, pct + 3)
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16))
      i = pct + 3
    } else {
      out.push(37)
      i = pct + 1
    }
  }
  return Uint8Array.from(out)
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when invalid. */
const validSequence = (b: Uint8Array, i: number): number => {
  const c = b[i]!
  if (c < 0x80) return 1
  const cont = (j: number, lo = 0x80, hi = 0xbf) => j < b.length && b[j]! >= lo && b[j]! <= hi
  if (c >= 0xc2 && c <= 0xdf) return cont(i + 1) ? 2 : 0
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80
    const hi = c === 0xed ? 0x9f : 0xbf
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80
    const hi = c === 0xf4 ? 0x8f : 0xbf
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0
  }
  return 0
}

const utf8 = new TextDecoder()

/**
 * Django's `repercent_broken_unicode` followed by `.decode()`: valid UTF-8 is
 * decoded, every byte of an invalid sequence becomes `%XX`.
 */
export const decodePathBytes = (bytes: Uint8Array): string => {
  let out = ""
  let start = 0
  let i = 0
  while (i < bytes.length) {
    const n = validSequence(bytes, i)
    if (n > 0) {
      i += n
      continue
    }
    out += utf8.decode(bytes.subarray(start, i))
    const b = bytes[i]!
    out += "%" + HEX[b >> 4] + HEX[b & 15]
    i++
    start = i
  }
  return out + utf8.decode(bytes.subarray(start))
}

/** Python's `bytes.decode()` with `errors='replace'` (U+FFFD per maximal invalid subpart). */
export const decodeUtf8Replace = (bytes: Uint8Array): string => utf8.decode(bytes)

/** A string's bytes as a WSGI server would have them: latin-1, or UTF-8 if a character is beyond it. */
export const wsgiBytes = (s: string): Uint8Array => {
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u00ff]*$/.test(s)) {
    const out = new Uint8Array(s.length)
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
    return out
  }
  return new TextEncoder().encode(s)
}
