/**
 * The header side of Django 3.2's multipart parsing: part headers (`parse_header`
 * with RFC 2231 parameters), the Content-Type's boundary, file names, base64
 * payloads, and the fast path for a plain field's header.
 *
 * @internal
 */
import { MultiPartParserError } from "../../Errors.js"
import * as Codecs from "../python/codecs.js"
import { LATIN1_CODEC, latin1Bytes } from "../python/codecs.js"
import { unescape as htmlUnescape } from "../python/html.js"
import { bytesStrip, isAscii } from "../python/str.js"

export const utf8Fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
export const latin1 = (bytes: Uint8Array): string => LATIN1_CODEC.decode(bytes)
export const fromLatin1 = latin1Bytes

/** Python's `bytes.decode(encoding, errors="replace")`; an encoding the library does not decode falls back to UTF-8. */
export const decode = (bytes: Uint8Array, encoding: string): string => Codecs.lookup(encoding).decode(bytes)

export const decodeLatin1String = (s: string, encoding: string): string => {
  // An all-ASCII string decodes to itself in every ASCII-compatible encoding.
  if (isAscii(s) && Codecs.lookup(encoding).asciiCompatible) return s
  return decode(fromLatin1(s), encoding)
}

/** Lower-cases an ASCII string (callers check `isAscii` first). */
export const asciiLower = (s: string): string => s.toLowerCase()

/** Python's `urllib.parse.unquote(string, encoding)`; `undefined` where Python raises `LookupError`. */
export const unquote = (s: string, encoding: string): string | undefined => {
  if (!s.includes("%")) return s
  if (!Codecs.isKnownEncoding(encoding)) return undefined
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x7f]+/g, (run) => {
    if (!run.includes("%")) return run
    const bytes: Array<number> = []
    for (let i = 0; i < run.length; i++) {
      const c = run.charCodeAt(i)
      if (c === 37 && /^[0-9a-fA-F]{2}$/.test(run.slice(i + 1, i + 3))) {
        bytes.push(parseInt(run.slice(i + 1, i + 3), 16))
        i += 2
      } else bytes.push(c)
    }
    return decode(Uint8Array.from(bytes), encoding)
  })
}

export const countChar = (s: string, c: string): number => {
  let n = 0
  for (let i = s.indexOf(c); i !== -1; i = s.indexOf(c, i + 1)) n++
  return n
}

/** A header parameter: raw bytes (a latin-1 string), or text decoded from RFC 2231. */
export interface Param {
  readonly text: boolean
  readonly value: string
}

/**
 * Django's `_parse_header_params(b";" + line)`: splits on `;` outside an odd
 * number of quotes (counted from the start of each piece), in one pass.
 */
export const splitParams = (line: string): Array<string> => {
  const out: Array<string> = []
  let start = 0
  let quotes = 0
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (c === 34) quotes++
    else if (c === 59 && (i === start || quotes % 2 === 0)) {
      out.push(bytesStrip(line.slice(start, i)))
      start = i + 1
      quotes = 0
    }
  }
  out.push(bytesStrip(line.slice(start)))
  return out
}

/**
 * Django's `parse_header(line)` on a latin-1 string: the lower-cased main value
 * and the parameters; `undefined` where Django raises `ValueError` (the line is
 * then ignored).
 */
export const parseHeader = (
  line: string
): { readonly key: string; readonly params: Map<string, Param> } | undefined => {
  const plist = splitParams(line)
  const first = plist.shift() ?? ""
  if (!isAscii(first)) return undefined
  const key = asciiLower(first)
  const params = new Map<string, Param>()
  for (const p of plist) {
    const i = p.indexOf("=")
    if (i < 0) continue
    let name = bytesStrip(p.slice(0, i))
    if (!isAscii(name)) return undefined
    name = asciiLower(name)
    let hasEncoding = false
    if (name.endsWith("*")) {
      name = name.slice(0, -1)
      if (countChar(p, "'") === 2) hasEncoding = true
    }
    let value = bytesStrip(p.slice(i + 1))
    if (value.length >= 2 && value[0] === "\"" && value[value.length - 1] === "\"") {
      value = value.slice(1, -1)
      if (value.includes("\\")) value = value.split("\\\\").join("\\").split("\\\"").join("\"")
    }
    if (hasEncoding) {
      const parts = value.split("'")
      if (parts.length !== 3) return undefined
      let text: string
      let charset: string
      try {
        text = utf8Fatal.decode(fromLatin1(parts[2]!))
        charset = utf8Fatal.decode(fromLatin1(parts[0]!))
      } catch {
        return undefined
      }
      // Django raises LookupError (a 500) for an unknown charset here; the line is ignored instead.
      const decoded = unquote(text, charset)
      if (decoded === undefined) return undefined
      params.set(name, { text: true, value: decoded })
    } else {
      params.set(name, { text: false, value })
    }
  }
  return { key, params }
}

/**
 * Django's `MultiPartParser.sanitize_file_name`: html-unescape, keep what follows
 * the last `/` and `\`; `undefined` for `''`, `.` and `..`.
 */
export const sanitizeFileName = (name: string): string | undefined => {
  let n = htmlUnescape(name)
  n = n.slice(n.lastIndexOf("/") + 1)
  n = n.slice(n.lastIndexOf("\\") + 1)
  return n === "" || n === "." || n === ".." ? undefined : n
}

/** Python's `os.path.splitext` on a name without separators. */
export const splitExt = (name: string): readonly [string, string] => {
  const dot = name.lastIndexOf(".")
  if (dot <= 0) return [name, ""]
  for (let i = 0; i < dot; i++) if (name[i] !== ".") return [name.slice(0, dot), name.slice(dot)]
  return [name, ""]
}

/** `UploadedFile.name`'s setter: cut to 255 characters keeping (up to 255 characters of) the extension. */
export const truncateFileName = (name: string): string => {
  const cps = Array.from(name)
  if (cps.length <= 255) return name
  const [root, ext] = splitExt(name)
  const extCps = Array.from(ext).slice(0, 255)
  return Array.from(root).slice(0, 255 - extCps.length).join("") + extCps.join("")
}

/** Python's non-strict `base64.b64decode`; `undefined` where it raises `binascii.Error`. */
export const b64decode = (input: Uint8Array): Uint8Array | undefined => {
  const out = new Uint8Array(Math.floor(input.length / 4) * 3 + 3)
  let o = 0
  let quad = 0
  let left = 0
  let pads = 0
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!
    if (c === 61) {
      if (quad >= 2 && quad + ++pads >= 4) return out.subarray(0, o)
      continue
    }
    const v = B64[c]!
    if (v === 255) continue
    pads = 0
    switch (quad) {
      case 0:
        quad = 1
        left = v
        break
      case 1:
        quad = 2
        out[o++] = (left << 2) | (v >> 4)
        left = v & 0x0f
        break
      case 2:
        quad = 3
        out[o++] = ((left << 4) | (v >> 2)) & 0xff
        left = v & 0x03
        break
      default:
        quad = 0
        out[o++] = ((left << 6) | v) & 0xff
        left = 0
    }
  }
  return quad === 0 ? out.subarray(0, o) : undefined
}
export const B64 = (() => {
  const t = new Uint8Array(256).fill(255)
  const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  for (let i = 0; i < a.length; i++) t[a.charCodeAt(i)] = i
  return t
})()

// ---------------------------------------------------------------------------
// Content-Type checks (MultiPartParser.__init__)
// ---------------------------------------------------------------------------

/** Django's `cgi.valid_boundary` (Python's `$` also matches before a final newline). */
export const validBoundary = (b: string): boolean => /^[ -~]{0,200}[!-~]\n?$/.test(b)

/** The boundary of a multipart Content-Type, or Django's `MultiPartParserError`. */
export const boundaryOf = (contentType: string): string | MultiPartParserError => {
  if (!contentType.startsWith("multipart/")) {
    return new MultiPartParserError({ message: `Invalid Content-Type: ${contentType}` })
  }
  if (!isAscii(contentType)) {
    return new MultiPartParserError({ message: `Invalid non-ASCII Content-Type in multipart: ${contentType}` })
  }
  const header = parseHeader(contentType)
  const boundary = header?.params.get("boundary")?.value
  if (boundary === undefined || boundary === "" || !validBoundary(boundary)) {
    return new MultiPartParserError({ message: `Invalid boundary in multipart: ${boundary ?? "None"}` })
  }
  return boundary
}

/** The most a part's header block may hold (Django's `MAX_TOTAL_HEADER_SIZE`). */
export const MAX_HEADER_SIZE = 1024

export const SIMPLE_FIELD = Array.from("\r\ncontent-disposition: form-data; name=\"", (c) => c.charCodeAt(0))

/** Printable ASCII other than `"`, `;` and `\\`: a name Django's header parsing keeps as it is. */
export const isPlainNameByte = (c: number): boolean => c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x3b && c !== 0x5c

/**
 * The header block nearly every field has, in bytes at the start of its segment:
 * `\r\nContent-Disposition: form-data; name="<plain name>"\r\n\r\n` (header name and
 * value in any case). Gives the name's end (its start is fixed) when `bytes` starts
 * with such a block ending within `MAX_HEADER_SIZE`, else -1. For these blocks the
 * general path (`parseHeaderBlock`) finds one field header with just that name, so
 * the part can start without it; a test checks both paths agree.
 */
export const simpleFieldNameEnd = (bytes: Uint8Array): number => {
  const n = SIMPLE_FIELD.length
  if (bytes.length < n + 5) return -1
  for (let i = 0; i < n; i++) {
    const p = SIMPLE_FIELD[i]!
    const c = bytes[i]!
    // Letters match in either case; everything else exactly.
    if (c !== p && !(p >= 0x61 && p <= 0x7a && (c | 0x20) === p)) return -1
  }
  const limit = Math.min(bytes.length, MAX_HEADER_SIZE) - 5
  for (let i = n; i <= limit; i++) {
    const c = bytes[i]!
    if (c === 0x22) {
      return bytes[i + 1] === 13 && bytes[i + 2] === 10 && bytes[i + 3] === 13 && bytes[i + 4] === 10 ? i : -1
    }
    if (!isPlainNameByte(c)) return -1
  }
  return -1
}

/** Where a simple field's name starts in its segment. */
export const SIMPLE_FIELD_NAME_START = SIMPLE_FIELD.length

export type Headers = Map<string, { readonly value: string; readonly params: Map<string, Param> }>

/** Django's `parse_boundary_stream` on a header block (the part's bytes before CRLFCRLF). */
export const parseHeaderBlock = (
  block: string
): { readonly type: "field" | "file" | "raw"; readonly headers: Headers } => {
  let type: "field" | "file" | "raw" = "raw"
  const headers: Headers = new Map()
  for (const line of block.split("\r\n")) {
    const parsed = parseHeader(line)
    if (parsed === undefined) continue
    const colon = parsed.key.indexOf(":")
    if (colon < 0) continue
    const name = parsed.key.slice(0, colon)
    if (name === "content-disposition") {
      type = "field"
      const filename = parsed.params.get("filename")
      if (filename !== undefined && filename.value !== "") type = "file"
    }
    headers.set(name, { value: parsed.key.slice(colon + 1), params: parsed.params })
  }
  return { type, headers }
}
