import { COUNT, FRONT_CODED } from "./commonPasswords.js"

/** Python's `len`: code points. */
export const pyLen = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

/** `difflib.SequenceMatcher(a=a, b=b).quick_ratio()`: twice the multiset intersection over the total length. */
export const quickRatio = (a: string, b: string): number => {
  const counts = new Map<string, number>()
  let lengthB = 0
  for (const c of b) {
    counts.set(c, (counts.get(c) ?? 0) + 1)
    lengthB++
  }
  let lengthA = 0
  let matches = 0
  for (const c of a) {
    lengthA++
    const left = counts.get(c) ?? 0
    if (left > 0) {
      matches++
      counts.set(c, left - 1)
    }
  }
  const total = lengthA + lengthB
  return total === 0 ? 1 : (2 * matches) / total
}

/** Python's `re.split(r"\W+", s)` on a str: splits on runs of what is not a letter, a number or `_`. */
export const splitNonWord = (s: string): ReadonlyArray<string> => s.split(/[^\p{L}\p{N}_]+/u)

/**
 * Python's `str.isdigit()`: not empty, every character a decimal digit or a digit of Unicode's
 * `Numeric_Type=Digit` (superscripts, subscripts, circled and parenthesised digits, Ethiopic
 * digits, ...). JavaScript has no `Numeric_Type` property: the second class lists the 128
 * characters for which Python 3.11 says `c.isdigit() and not c.isdecimal()`.
 */
export const isDigit = (s: string): boolean =>
  /^[\p{Nd}\u00B2-\u00B3\u00B9\u1369-\u1371\u19DA\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247C\u2488-\u2490\u24EA\u24F5-\u24FD\u24FF\u2776-\u277E\u2780-\u2788\u278A-\u2792\u{10A40}-\u{10A43}\u{10E60}-\u{10E68}\u{11052}-\u{1105A}\u{1F100}-\u{1F10A}]+$/u
    .test(s)

let common: ReadonlySet<string> | undefined

/** Django's common-password list, decoded from its front-coded form on first use. */
export const commonPasswords = (): ReadonlySet<string> => {
  if (common === undefined) {
    const words = new Set<string>()
    let previous: ReadonlyArray<string> = []
    for (const line of FRONT_CODED.split("\n")) {
      const word = [...previous.slice(0, Number(line[0])), ...line.slice(1)]
      words.add(word.join(""))
      previous = word
    }
    if (words.size !== COUNT) throw new Error(`common passwords: ${words.size} decoded, ${COUNT} expected`)
    common = words
  }
  return common
}
