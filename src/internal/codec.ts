/**
 * Text codecs with Python's semantics where they differ from WHATWG's.
 *
 * - `utf-8` (and Python's aliases): `TextDecoder`, keeping a BOM as Python does.
 *   CPython's `errors='replace'` replaces the same maximal subparts as WHATWG
 *   (checked on random byte strings, and by the Django fixtures).
 * - `latin-1` / `iso-8859-1` and their Python aliases: true ISO-8859-1, byte =
 *   code point. WHATWG maps these labels to windows-1252, which differs on
 *   0x80-0x9F; Python does not.
 * - `ascii`: bytes >= 0x80 are errors (WHATWG maps `ascii` to windows-1252).
 * - `cp1252` / `windows-1252`: a table (Node 20's `TextDecoder` drops 0x80-0x9F
 *   for it); the five bytes Python leaves undefined (0x81, 0x8D, 0x8F, 0x90,
 *   0x9D) are errors.
 * - any other WHATWG label (`shift_jis`, `euc-jp`, `gb18030`, ...): `TextDecoder`,
 *   with Python's one-byte-at-a-time replacement of invalid sequences.
 * - an unknown label falls back to UTF-8.
 *
 * Encoding (for `urlencode`) is UTF-8 with `TextEncoder`, the identity for
 * latin-1 / ASCII, and for other encodings a reverse table built once from the
 * decoder. Characters the encoding cannot represent become `?`, Python's
 * `errors='replace'` (Django would raise `UnicodeEncodeError`).
 *
 * @internal
 */

/** @internal */
export interface Codec {
  readonly name: string
  readonly utf8: boolean
  /** Bytes 0x00-0x7F decode to themselves. */
  readonly asciiCompatible: boolean
  /** `bytes.decode(encoding, 'replace')`. */
  readonly decode: (bytes: Uint8Array) => string
  /** `bytes.decode(encoding)`, or `undefined` where Python raises `UnicodeDecodeError`. */
  readonly decodeStrict: (bytes: Uint8Array) => string | undefined
  /** `str.encode(encoding, 'replace')`. */
  readonly encode: (s: string) => Uint8Array
}

/** Python's `encodings.normalize_encoding` plus lower case. */
const normalize = (label: string): string =>
  label.trim().toLowerCase().replace(/[^a-z0-9.]+/g, "_").replace(/^_+|_+$/g, "")

const LATIN1 = new Set([
  "latin_1",
  "latin1",
  "latin",
  "l1",
  "iso_8859_1",
  "iso8859_1",
  "iso88591",
  "8859",
  "cp819",
  "ibm819",
  "iso_ir_100",
  "csisolatin1",
  "iso_8859_1_1987"
])
const ASCII = new Set([
  "ascii",
  "us_ascii",
  "646",
  "ansi_x3.4_1968",
  "ansi_x3_4_1968",
  "ansi_x3.4_1986",
  "cp367",
  "csascii",
  "ibm367",
  "iso646_us",
  "iso_646.irv_1991",
  "iso_ir_6",
  "us"
])
const UTF8 = new Set(["utf_8", "utf8", "u8", "utf", "utf8_ucs2", "utf8_ucs4", "cp65001"])
const CP1252 = new Set(["cp1252", "windows_1252", "x_cp1252"])

const textEncoder = new TextEncoder()
const QUESTION = 0x3f

const latin1Decode = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 8192)))
  }
  return out
}

const singleByteEncode = (max: number) => (s: string): Uint8Array => {
  const out = new Uint8Array(s.length)
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    // A surrogate pair is one character: one `?`.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
    out[n++] = c <= max ? c : QUESTION
  }
  return out.subarray(0, n)
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const LONE_SURROGATE_G = new RegExp(LONE_SURROGATE.source, "g")

const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true })
const utf8Fatal = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true })

/** @internal */
export const UTF8_CODEC: Codec = {
  name: "utf-8",
  utf8: true,
  asciiCompatible: true,
  decode: (bytes) => utf8Decoder.decode(bytes),
  decodeStrict: (bytes) => {
    try {
      return utf8Fatal.decode(bytes)
    } catch {
      return undefined
    }
  },
  // A lone surrogate cannot be encoded: `?`, as Python's `errors='replace'` (TextEncoder would give U+FFFD).
  encode: (s) => textEncoder.encode(LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE_G, "?") : s)
}

/** @internal */
export const LATIN1_CODEC: Codec = {
  name: "latin-1",
  utf8: false,
  asciiCompatible: true,
  decode: latin1Decode,
  decodeStrict: latin1Decode,
  encode: singleByteEncode(0xff)
}

const asciiDecode = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i++) out += bytes[i]! < 0x80 ? String.fromCharCode(bytes[i]!) : "\ufffd"
  return out
}

const ASCII_CODEC: Codec = {
  name: "ascii",
  utf8: false,
  asciiCompatible: true,
  decode: asciiDecode,
  decodeStrict: (bytes) => bytes.every((b) => b < 0x80) ? asciiDecode(bytes) : undefined,
  encode: singleByteEncode(0x7f)
}

// windows-1252 0x80-0x9F as Python's cp1252 has them (0 = undefined). Written out because
// Node 20's TextDecoder drops these bytes for windows-1252.
const CP1252_HIGH = [
  0x20ac,
  0,
  0x201a,
  0x0192,
  0x201e,
  0x2026,
  0x2020,
  0x2021,
  0x02c6,
  0x2030,
  0x0160,
  0x2039,
  0x0152,
  0,
  0x017d,
  0,
  0,
  0x2018,
  0x2019,
  0x201c,
  0x201d,
  0x2022,
  0x2013,
  0x2014,
  0x02dc,
  0x2122,
  0x0161,
  0x203a,
  0x0153,
  0,
  0x017e,
  0x0178
]
const cp1252Char = (b: number): number => b < 0x80 || b >= 0xa0 ? b : CP1252_HIGH[b - 0x80]!
const CP1252_REVERSE = new Map<number, number>(
  CP1252_HIGH.flatMap((c, i) => c === 0 ? [] : [[c, 0x80 + i] as [number, number]])
)

const CP1252_CODEC: Codec = {
  name: "cp1252",
  utf8: false,
  asciiCompatible: true,
  decode: (bytes) => {
    let out = ""
    for (let i = 0; i < bytes.length; i++) {
      const c = cp1252Char(bytes[i]!)
      out += c === 0 && bytes[i] !== 0 ? "\ufffd" : String.fromCharCode(c)
    }
    return out
  },
  decodeStrict: (bytes) => {
    let out = ""
    for (let i = 0; i < bytes.length; i++) {
      const c = cp1252Char(bytes[i]!)
      if (c === 0 && bytes[i] !== 0) return undefined
      out += String.fromCharCode(c)
    }
    return out
  },
  encode: (s) => {
    const out: Array<number> = []
    for (const ch of s) {
      const c = ch.codePointAt(0)!
      out.push(c < 0x80 || (c >= 0xa0 && c <= 0xff) ? c : CP1252_REVERSE.get(c) ?? QUESTION)
    }
    return Uint8Array.from(out)
  }
}

/** A reverse table for a WHATWG decoder: every 1- and 2-byte sequence that decodes to one character. */
const reverseTable = (label: string): Map<string, Uint8Array> => {
  const decoder = new TextDecoder(label, { ignoreBOM: true })
  const table = new Map<string, Uint8Array>()
  const add = (bytes: Uint8Array, text: string) => {
    if (text.length > 0 && text !== "\ufffd" && [...text].length === 1 && !table.has(text)) table.set(text, bytes)
  }
  for (let b = 0; b < 256; b++) add(Uint8Array.of(b), decoder.decode(Uint8Array.of(b)))
  // Every pair (trail bytes from 0x40, where no CJK encoding has ASCII control bytes), one row per
  // lead byte, each pair followed by a newline so that an invalid pair cannot swallow the next.
  for (let a = 0x80; a < 256; a++) {
    const row = new Uint8Array(192 * 3)
    for (let b = 0x40; b < 256; b++) {
      const i = (b - 0x40) * 3
      row[i] = a
      row[i + 1] = b
      row[i + 2] = 0x0a
    }
    const lines = decoder.decode(row).split("\n")
    if (lines.length !== 193) continue
    for (let b = 0x40; b < 256; b++) add(Uint8Array.of(a, b), lines[b - 0x40]!)
  }
  return table
}

const whatwgCodec = (label: string, decoder: InstanceType<typeof TextDecoder>): Codec => {
  const fatal = new TextDecoder(label, { ignoreBOM: true, fatal: true })
  let table: Map<string, Uint8Array> | undefined
  // Python's CJK codecs replace an invalid or truncated sequence one byte at a time; WHATWG
  // decoders sometimes swallow the byte after a lead byte. Decode strictly, and on failure walk
  // the bytes: the shortest prefix (1 to 4 bytes) that decodes is one character, else U+FFFD.
  const decodeRun = (bytes: Uint8Array): string => {
    try {
      return fatal.decode(bytes)
    } catch {
      let out = ""
      let i = 0
      outer: while (i < bytes.length) {
        for (let n = 1; n <= 4 && i + n <= bytes.length; n++) {
          try {
            out += fatal.decode(bytes.subarray(i, i + n))
            i += n
            continue outer
          } catch {
            // try one byte more
          }
        }
        out += "\ufffd"
        i++
      }
      return out
    }
  }
  // ICU's euc-jp decodes 0x80-0x9F (but 0x8E, 0x8F) as C1 controls; Python's (and WHATWG's) reject them.
  const eucJp = decoder.encoding === "euc-jp"
  const invalid = (b: number) => eucJp && b >= 0x80 && b <= 0x9f && b !== 0x8e && b !== 0x8f
  const decode = (bytes: Uint8Array): string => {
    if (!eucJp) return decodeRun(bytes)
    let out = ""
    let start = 0
    for (let i = 0; i < bytes.length; i++) {
      if (invalid(bytes[i]!)) {
        out += decodeRun(bytes.subarray(start, i)) + "\ufffd"
        start = i + 1
      }
    }
    return out + decodeRun(bytes.subarray(start))
  }
  const asciiCompatible = decoder.decode(Uint8Array.of(0x41, 0x3d, 0x26, 0x25)) === "A=&%"
  return {
    name: decoder.encoding,
    utf8: false,
    asciiCompatible,
    decode,
    decodeStrict: (bytes) => {
      if (bytes.some(invalid)) return undefined
      try {
        return fatal.decode(bytes)
      } catch {
        return undefined
      }
    },
    encode: (s) => {
      table ??= reverseTable(label)
      const out: Array<number> = []
      for (const ch of s) {
        const bytes = table.get(ch)
        if (bytes === undefined) out.push(QUESTION)
        else for (const b of bytes) out.push(b)
      }
      return Uint8Array.from(out)
    }
  }
}

const cache = new Map<string, Codec>()

/** The codec for an encoding label, Python's name rules first, then WHATWG's. */
export const lookup = (label: string): Codec => {
  let codec = cache.get(label)
  if (codec !== undefined) return codec
  const name = normalize(label)
  if (UTF8.has(name)) codec = UTF8_CODEC
  else if (LATIN1.has(name)) codec = LATIN1_CODEC
  else if (ASCII.has(name)) codec = ASCII_CODEC
  else if (CP1252.has(name)) codec = CP1252_CODEC
  else {
    for (const candidate of [label.trim(), name, name.replace(/_/g, "-")]) {
      try {
        const decoder = new TextDecoder(candidate, { ignoreBOM: true })
        codec = decoder.encoding === "utf-8" ? UTF8_CODEC : whatwgCodec(candidate, decoder)
        break
      } catch {
        // not a WHATWG label
      }
    }
    codec ??= UTF8_CODEC
  }
  if (cache.size < 64) cache.set(label, codec)
  return codec
}
