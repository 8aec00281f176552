/**
 * Python's `str` and `bytes` methods whose semantics Django's outputs depend on.
 *
 * @internal
 */

/** `str.isspace()` for one UTF-16 code unit (all Python whitespace is in the BMP). */
export const isSpace = (c: number): boolean =>
  (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20) || c === 0x85 || c === 0xa0 || c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000

/** `bytes.isspace()` for one byte: ASCII whitespace only. */
export const isBytesSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

const stripWith = (isWs: (c: number) => boolean) => (s: string): string => {
  let i = 0
  let j = s.length
  while (i < j && isWs(s.charCodeAt(i))) i++
  while (j > i && isWs(s.charCodeAt(j - 1))) j--
  return i === 0 && j === s.length ? s : s.slice(i, j)
}

/** `str.strip()` with no argument. */
export const strip = stripWith(isSpace)

/** `bytes.strip()` with no argument, on bytes held as a latin-1 string. */
export const bytesStrip = stripWith(isBytesSpace)

/** `str.split()` with no argument: runs of whitespace separate, none at the ends. */
export const split = (s: string): Array<string> => {
  const out: Array<string> = []
  let start = -1
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || isSpace(s.charCodeAt(i))) {
      if (start !== -1) out.push(s.slice(start, i))
      start = -1
    } else if (start === -1) start = i
  }
  return out
}

/** `str.title()` for header names (ASCII letters are what HTTP allows). */
export const title = (s: string): string => {
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

/** `str.isascii()`. */
export const isAscii = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

/** `len(s)`: code points (a surrogate pair is one character). */
export const len = (s: string): number => {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) n--
  }
  return n
}
