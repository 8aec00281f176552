/**
 * Python's codecs: `codecs.lookup` with every name and alias Python 3.11 accepts
 * (the tables in `codecTables.ts` are generated from Python's `encodings`
 * package), and `bytes.decode` / `str.encode` with Python's semantics where they
 * differ from WHATWG's.
 *
 * - `utf_8` (and `utf_8_sig`): `TextDecoder`, keeping a BOM as Python does
 *   (`utf_8_sig` drops one). CPython's `errors='replace'` replaces the same
 *   maximal subparts as WHATWG.
 * - `latin_1`: byte = code point (WHATWG maps the `latin1` label to windows-1252).
 * - `ascii`: bytes >= 0x80 are errors (WHATWG maps `ascii` to windows-1252).
 * - every single-byte codec (`cp1252`, `iso8859_15`, `koi8_r`, `mac_roman`, the
 *   EBCDIC pages, ...): Python's own decoding table, so that undefined bytes
 *   (e.g. 0x81 in cp1252) are errors exactly where Python's are.
 * - the common multi-byte codecs (`shift_jis`, `cp932`, `euc_jp`, `gbk`,
 *   `gb2312`, `gb18030`, `big5`, `cp950`, `euc_kr`, `cp949`, `iso2022_jp`,
 *   `utf_16*`): the platform's `TextDecoder` for the nearest WHATWG encoding,
 *   with Python's one-byte-at-a-time replacement of invalid sequences. These
 *   agree with Python on valid text; on some invalid or vendor-specific byte
 *   sequences they may not (e.g. `cp949`'s Hangul beyond KS X 1001, which the
 *   platform's `euc-kr` does not decode).
 * - any other codec Python knows (`hz`, `johab`, `utf_7`, `utf_32`, ... and the
 *   non-text codecs such as `base64`): `lookup` finds it (so a request's
 *   `encoding` is what Django's would be), but text is decoded as UTF-8.
 *
 * Encoding (`str.encode(encoding, 'replace')`): characters the codec cannot
 * represent become `?`.
 *
 * @internal
 */
import * as Tables from "./codecTables.js"

/** @internal */
export interface Codec {
  /** Python's canonical name (`codecs.lookup(label).name`). */
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
  /** `str.encode(encoding)`: the bytes, or where and why Python raises `UnicodeEncodeError`. */
  readonly encodeStrict: (s: string) => Uint8Array | EncodeError
}

/** @internal What Python's `UnicodeEncodeError` says: the codec's name in it, the code unit index, the reason. */
export interface EncodeError {
  readonly _tag: "EncodeError"
  readonly codec: string
  readonly index: number
  readonly reason: string
}

const encodeError = (codec: string, index: number, reason: string): EncodeError => ({
  _tag: "EncodeError",
  codec,
  index,
  reason
})

/** `encodeStrict` from `encode`: the first character `encode` writes as `?` without being one fails. */
const strictFrom =
  (codec: string, reason: string, encodable: (c: number) => boolean, encode: (s: string) => Uint8Array) =>
  (s: string): Uint8Array | EncodeError => {
    for (let i = 0; i < s.length; i++) {
      const c = s.codePointAt(i)!
      if (!encodable(c)) return encodeError(codec, i, reason)
      if (c > 0xffff) i++
    }
    return encode(s)
  }

const ALNUM = /[\p{L}\p{N}]/u

/**
 * What Python's lookup matches names on: `codecs.c`'s ASCII lower-casing, then
 * `encodings.normalize_encoding` (runs of other characters become one `_`,
 * none at the ends; non-ASCII letters and digits are dropped).
 */
export const normalize = (label: string): string => {
  let out = ""
  let punct = false
  for (const ch of label) {
    if (ch === "." || ALNUM.test(ch)) {
      if (punct && out.length > 0) out += "_"
      if (ch.charCodeAt(0) < 0x80) out += ch >= "A" && ch <= "Z" ? ch.toLowerCase() : ch
      punct = false
    } else punct = true
  }
  return out
}

/** `encodings.search_function`: the codec module a label names, if any. */
const moduleOf = (label: string): string | undefined => {
  const norm = normalize(label)
  const aliased = Tables.aliases[norm] ?? Tables.aliases[norm.replace(/\./g, "_")]
  for (const candidate of aliased !== undefined ? [aliased, norm] : [norm]) {
    if (candidate !== "" && !candidate.includes(".") && Object.hasOwn(Tables.modules, candidate)) return candidate
  }
  return undefined
}

const textEncoder = new TextEncoder()
const QUESTION = 0x3f

const latin1Decode = (bytes: Uint8Array): string => {
  if (bytes.length <= 128) return String.fromCharCode.apply(null, bytes as unknown as Array<number>)
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1")
}

/** A string's code units as bytes (each must be <= 0xFF): the inverse of latin-1 decoding. */
export const latin1Bytes = (s: string): Uint8Array => Buffer.from(s, "latin1")

/** Short ASCII byte runs convert faster in JS than through a native decoder. */
const asciiFast = (bytes: Uint8Array): string | undefined => {
  if (bytes.length > 128) return undefined
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return undefined
  return String.fromCharCode.apply(null, bytes as unknown as Array<number>)
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

const utf8Strict = (bytes: Uint8Array): string | undefined => {
  try {
    return utf8Fatal.decode(bytes)
  } catch {
    return undefined
  }
}

/** @internal */
export const UTF8_CODEC: Codec = {
  name: "utf-8",
  utf8: true,
  asciiCompatible: true,
  decode: (bytes) => asciiFast(bytes) ?? utf8Decoder.decode(bytes),
  decodeStrict: utf8Strict,
  // A lone surrogate cannot be encoded: `?`, as Python's `errors='replace'` (TextEncoder would give U+FFFD).
  encode: (s) => textEncoder.encode(LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE_G, "?") : s),
  encodeStrict: (s) => {
    const m = LONE_SURROGATE.exec(s)
    return m === null ? textEncoder.encode(s) : encodeError("utf-8", m.index, "surrogates not allowed")
  }
}

const hasBom = (b: Uint8Array) => b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf
const UTF8_SIG_CODEC: Codec = {
  ...UTF8_CODEC,
  name: "utf-8-sig",
  decode: (bytes) => UTF8_CODEC.decode(hasBom(bytes) ? bytes.subarray(3) : bytes),
  decodeStrict: (bytes) => utf8Strict(hasBom(bytes) ? bytes.subarray(3) : bytes),
  encode: (s) => {
    const body = UTF8_CODEC.encode(s)
    const out = new Uint8Array(body.length + 3)
    out.set([0xef, 0xbb, 0xbf])
    out.set(body, 3)
    return out
  },
  encodeStrict: (s) => {
    const body = UTF8_CODEC.encodeStrict(s)
    if (!(body instanceof Uint8Array)) return body
    const out = new Uint8Array(body.length + 3)
    out.set([0xef, 0xbb, 0xbf])
    out.set(body, 3)
    return out
  }
}

/** @internal */
export const LATIN1_CODEC: Codec = {
  name: "iso8859-1",
  utf8: false,
  asciiCompatible: true,
  decode: latin1Decode,
  decodeStrict: latin1Decode,
  encode: singleByteEncode(0xff),
  encodeStrict: strictFrom("latin-1", "ordinal not in range(256)", (c) => c < 0x100, singleByteEncode(0xff))
}

const asciiDecode = (bytes: Uint8Array): string => {
  const fast = asciiFast(bytes)
  if (fast !== undefined) return fast
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
  encode: singleByteEncode(0x7f),
  encodeStrict: strictFrom("ascii", "ordinal not in range(128)", (c) => c < 0x80, singleByteEncode(0x7f))
}

const UNDEFINED = 0xfffe

/** A single-byte codec from Python's decoding table (U+FFFE: the byte is undefined). */
const charmapCodec = (name: string, table: string): Codec => {
  const full = table.length === 128 ? latin1Decode(Uint8Array.from({ length: 128 }, (_, i) => i)) + table : table
  const chars = Array.from({ length: 256 }, (_, b) => full.charCodeAt(b))
  // Python's encoding map: where two bytes decode to one character, the later byte is its encoding.
  const reverse = new Map<number, number>()
  chars.forEach((c, b) => {
    if (c !== UNDEFINED) reverse.set(c, b)
  })
  // `errors='replace'` writes `?` in the codec itself (0x6F in the EBCDIC pages).
  const question = reverse.get(QUESTION) ?? QUESTION
  const encode = (s: string): Uint8Array => {
    const out: Array<number> = []
    for (const ch of s) out.push(reverse.get(ch.codePointAt(0)!) ?? question)
    return Uint8Array.from(out)
  }
  return {
    name,
    utf8: false,
    asciiCompatible: table.length === 128,
    encode,
    encodeStrict: strictFrom("charmap", "character maps to <undefined>", (c) => reverse.has(c), encode),
    decode: (bytes) => {
      let out = ""
      for (let i = 0; i < bytes.length; i++) {
        const c = chars[bytes[i]!]!
        out += c === UNDEFINED ? "\ufffd" : String.fromCharCode(c)
      }
      return out
    },
    decodeStrict: (bytes) => {
      let out = ""
      for (let i = 0; i < bytes.length; i++) {
        const c = chars[bytes[i]!]!
        if (c === UNDEFINED) return undefined
        out += String.fromCharCode(c)
      }
      return out
    }
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

/** A multi-byte codec through the platform's decoder for the nearest WHATWG encoding. */
const whatwgCodec = (name: string, label: string): Codec => {
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
  const eucJp = fatal.encoding === "euc-jp"
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
  const probe = new TextDecoder(label, { ignoreBOM: true })
  const encode = (s: string): Uint8Array => {
    table ??= reverseTable(label)
    const out: Array<number> = []
    for (const ch of s) {
      const bytes = table.get(ch)
      if (bytes === undefined) out.push(QUESTION)
      else for (const b of bytes) out.push(b)
    }
    return Uint8Array.from(out)
  }
  const encodable = (c: number): boolean => {
    table ??= reverseTable(label)
    return table.has(String.fromCodePoint(c))
  }
  return {
    name,
    utf8: false,
    asciiCompatible: probe.decode(Uint8Array.of(0x41, 0x3d, 0x26, 0x25)) === "A=&%",
    decode,
    decodeStrict: (bytes) => {
      if (bytes.some(invalid)) return undefined
      try {
        return fatal.decode(bytes)
      } catch {
        return undefined
      }
    },
    encode,
    encodeStrict: strictFrom(name, "illegal multibyte sequence", encodable, encode)
  }
}

const utf16Units = (s: string, bigEndian: boolean): Uint8Array => {
  const clean = LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE_G, "?") : s
  const out = new Uint8Array(clean.length * 2)
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i)
    out[2 * i + (bigEndian ? 1 : 0)] = c & 0xff
    out[2 * i + (bigEndian ? 0 : 1)] = c >> 8
  }
  return out
}

/** UTF-16 in one byte order: the platform's decoder, code units written directly. */
const utf16Fixed = (name: string, bigEndian: boolean): Codec => {
  const base = whatwgCodec(name, bigEndian ? "utf-16be" : "utf-16le")
  const encode = (s: string) => utf16Units(s, bigEndian)
  return {
    ...base,
    encode,
    encodeStrict: (s) => {
      const m = LONE_SURROGATE.exec(s)
      return m === null ? encode(s) : encodeError(name, m.index, "surrogates not allowed")
    }
  }
}

/** Python's UTF-16 with a byte-order mark read (and written) as Python does: little-endian without one. */
const utf16Codec = (): Codec => {
  const le = utf16Fixed("utf-16-le", false)
  const be = utf16Fixed("utf-16-be", true)
  const pick = (b: Uint8Array): [Codec, Uint8Array] =>
    b.length >= 2 && b[0] === 0xfe && b[1] === 0xff
      ? [be, b.subarray(2)]
      : [le, b.length >= 2 && b[0] === 0xff && b[1] === 0xfe ? b.subarray(2) : b]
  const withBom = (body: Uint8Array): Uint8Array => {
    const out = new Uint8Array(body.length + 2)
    out.set([0xff, 0xfe])
    out.set(body, 2)
    return out
  }
  return {
    name: "utf-16",
    utf8: false,
    asciiCompatible: false,
    decode: (bytes) => {
      const [c, b] = pick(bytes)
      return c.decode(b)
    },
    decodeStrict: (bytes) => {
      const [c, b] = pick(bytes)
      return c.decodeStrict(b)
    },
    encode: (s) => withBom(le.encode(s)),
    encodeStrict: (s) => {
      const body = le.encodeStrict(s)
      return body instanceof Uint8Array ? withBom(body) : { ...body, codec: "utf-16" }
    }
  }
}

/** Python's multi-byte codecs and the WHATWG encoding nearest to each. */
const WHATWG: Readonly<Record<string, string>> = {
  shift_jis: "shift_jis",
  cp932: "shift_jis",
  euc_jp: "euc-jp",
  gbk: "gbk",
  gb2312: "gbk",
  gb18030: "gb18030",
  big5: "big5",
  cp950: "big5",
  euc_kr: "euc-kr",
  cp949: "euc-kr",
  iso2022_jp: "iso-2022-jp"
}

const byModule = new Map<string, Codec>()

const codecOfModule = (module: string): Codec | undefined => {
  let codec = byModule.get(module)
  if (codec !== undefined) return codec
  const name = Tables.modules[module]![0]
  if (module === "utf_8") codec = UTF8_CODEC
  else if (module === "utf_8_sig") codec = UTF8_SIG_CODEC
  else if (module === "latin_1") codec = LATIN1_CODEC
  else if (module === "ascii") codec = ASCII_CODEC
  else if (module === "utf_16") codec = utf16Codec()
  else if (module === "utf_16_le") codec = utf16Fixed(name, false)
  else if (module === "utf_16_be") codec = utf16Fixed(name, true)
  else if (Object.hasOwn(Tables.charmaps, module)) codec = charmapCodec(name, Tables.charmaps[module]!)
  else if (Object.hasOwn(WHATWG, module)) codec = whatwgCodec(name, WHATWG[module]!)
  if (codec !== undefined) byModule.set(module, codec)
  return codec
}

/** Python's `codecs.lookup(label)`: the codec's canonical name and whether it is a text encoding. */
export const pythonLookup = (label: string): { readonly name: string; readonly text: boolean } | undefined => {
  const module = moduleOf(label)
  if (module === undefined) return undefined
  const [name, text] = Tables.modules[module]!
  return { name, text }
}

/** Whether Python's `codecs.lookup(label)` succeeds (Django then takes the label as the request's encoding). */
export const isKnownEncoding = (label: string): boolean => moduleOf(label) !== undefined

/**
 * The codec for a label Python accepts, if the library decodes it (see the
 * module comment); `undefined` for an unknown label or another codec.
 */
export const supported = (label: string): Codec | undefined => {
  const module = moduleOf(label)
  return module === undefined ? undefined : codecOfModule(module)
}

const cache = new Map<string, Codec>()

/** The codec for an encoding label; UTF-8 for a label Python does not know or the library does not decode. */
export const lookup = (label: string): Codec => {
  let codec = cache.get(label)
  if (codec !== undefined) return codec
  codec = supported(label) ?? UTF8_CODEC
  if (cache.size < 64) cache.set(label, codec)
  return codec
}
