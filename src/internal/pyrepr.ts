/**
 * Python's `repr()` of a `str`, for error messages that quote a value with `%r`
 * exactly as Django's do.
 *
 * @internal
 */

// Python's str.isprintable(): false for Other (Cc, Cf, Cs, Co, Cn) and Separator (Zl, Zp, Zs) except the space.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0")

/** `repr(s)` for a Python `str`. */
export const reprStr = (s: string): string => {
  const quote = s.includes("'") && !s.includes("\"") ? "\"" : "'"
  let out = quote
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if (ch === quote || ch === "\\") out += "\\" + ch
    else if (ch === "\t") out += "\\t"
    else if (ch === "\n") out += "\\n"
    else if (ch === "\r") out += "\\r"
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2)
    else if (cp < 0x7f) out += ch
    else if (ch !== " " && NOT_PRINTABLE.test(ch)) {
      out += cp <= 0xff ? "\\x" + hex(cp, 2) : cp <= 0xffff ? "\\u" + hex(cp, 4) : "\\U" + hex(cp, 8)
    } else out += ch
  }
  return out + quote
}
