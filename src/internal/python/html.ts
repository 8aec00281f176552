/**
 * Python's `html.escape` and `html.unescape`.
 *
 * @internal
 */
import * as Entities from "./htmlEntities.js"

/** `html.escape(s, quote=True)` (Django's `escape` writes the same). */
export const escape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;")

/** Python's `html.unescape`. */
export const unescape = (s: string): string => {
  if (!s.includes("&")) return s
  return s.replace(/&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu, (_, ref: string) => {
    if (ref[0] === "#") {
      const hex = ref[1] === "x" || ref[1] === "X"
      const digits = (hex ? ref.slice(2) : ref.slice(1)).replace(/;$/, "")
      const big = BigInt(hex ? "0x" + digits : digits)
      const num = big > 0x10ffffn ? 0x110000 : Number(big)
      const fixed = Entities.invalidCharrefs.get(num)
      if (fixed !== undefined) return fixed
      if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return "\ufffd"
      if (Entities.invalidCodepoints.has(num)) return ""
      return String.fromCodePoint(num)
    }
    const named = Entities.named[ref]
    if (named !== undefined) return named
    const cps = Array.from(ref)
    for (let x = cps.length - 1; x > 1; x--) {
      const prefix = cps.slice(0, x).join("")
      const hit = Entities.named[prefix]
      if (hit !== undefined) return hit + cps.slice(x).join("")
    }
    return "&" + ref
  })
}
