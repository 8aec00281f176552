/**
 * Python's `repr()` of a `str` (for error messages that quote a value with `%r`
 * exactly as Django's do) and of a `float`.
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

/** `repr(x)` / `str(x)` of a Python `float`: shortest round-trip digits, `1.0`, `1e+16`, `1e-05`, `nan`, `inf`. */
export const floatRepr = (x: number): string => {
  if (Number.isNaN(x)) return "nan"
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf"
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0"
  const [mantissa, exponent] = x.toExponential().split("e") as [string, string]
  const exp = Number(exponent)
  const sign = mantissa.startsWith("-") ? "-" : ""
  const digits = mantissa.replace("-", "").replace(".", "")
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`
  }
  if (exp >= 0) {
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0")
    const frac = digits.slice(exp + 1)
    return `${sign}${int}.${frac === "" ? "0" : frac}`
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`
}

/** A number as Python prints it when it is an `int` (integral) or a `float` (otherwise). */
export const numberRepr = (x: number): string =>
  Number.isInteger(x) && !Object.is(x, -0) ? BigInt(x).toString() : floatRepr(x)
