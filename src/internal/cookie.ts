/**
 * `Set-Cookie` formatting as Python's `http.cookies.Morsel.OutputString` does it
 * for Django's `set_cookie`, and `http_date`.
 *
 * @internal
 */

const LEGAL = new Uint8Array(256)
const UNESCAPED = new Uint8Array(256)
{
  const legal = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~:"
  for (const c of legal) LEGAL[c.charCodeAt(0)] = 1
  for (const c of legal + " ()/<=>?@[]{}") UNESCAPED[c.charCodeAt(0)] = 1
}

/** `http.cookies._is_legal_key`: every character is in the legal set (and there is at least one). */
export const isLegalKey = (key: string): boolean => {
  if (key.length === 0) return false
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (c > 255 || LEGAL[c] === 0) return false
  }
  return true
}

/**
 * `http.cookies._quote`: a legal value as is, anything else in double quotes with
 * `"` and `\` backslash-escaped and the other code points below 256 outside the
 * unescaped set as three-digit octal escapes. Code points from 256 up are kept
 * (callers reject them: they cannot go on the wire).
 */
export const quote = (value: string): string => {
  let legal = value.length > 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c > 255 || LEGAL[c] === 0) {
      legal = false
      break
    }
  }
  if (legal) return value
  let out = "\""
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 0x22) out += "\\\""
    else if (c === 0x5c) out += "\\\\"
    else if (c < 256 && UNESCAPED[c] === 0) out += "\\" + c.toString(8).padStart(3, "0")
    else out += value[i]
  }
  return out + "\""
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const pad2 = (n: number): string => (n < 10 ? "0" + n : String(n))

/**
 * Django's `http_date(epoch_seconds)` (`email.utils.formatdate(usegmt=True)`):
 * `Tue, 14 Nov 2023 23:13:20 GMT`; fractions of a second are dropped as `time.gmtime` drops them.
 * `undefined` when the date cannot be represented.
 */
export const httpDate = (epochSeconds: number): string | undefined => {
  const seconds = Math.floor(epochSeconds)
  // The last date written, again (a cookie's expiry is the same for every response in a second).
  if (seconds === lastSeconds) return lastDate
  const date = formatHttpDate(seconds)
  lastSeconds = seconds
  lastDate = date
  return date
}

let lastSeconds: number | undefined = undefined
let lastDate: string | undefined = undefined

/** `httpDate` of whole seconds, without the memo of the last one. */
export const formatHttpDate = (seconds: number): string | undefined => {
  const d = new Date(seconds * 1000)
  const t = d.getTime()
  if (Number.isNaN(t)) return undefined
  const year = d.getUTCFullYear()
  if (year < 1) return undefined
  return `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${String(year).padStart(4, "0")} ${
    pad2(d.getUTCHours())
  }:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} GMT`
}

/** The attributes of one cookie, as Django stores them in its Morsel. */
export interface MorselAttributes {
  readonly expires: string
  readonly maxAge: number | undefined
  readonly path: string | undefined
  readonly domain: string | undefined
  readonly secure: boolean
  readonly httpOnly: boolean
  readonly sameSite: string | undefined
}

/**
 * `Morsel.OutputString()`: `key=coded_value`, then the non-empty attributes in
 * the order of their sorted names (domain, expires, httponly, max-age, path,
 * samesite, secure).
 */
export const output = (key: string, codedValue: string, a: MorselAttributes): string => {
  let out = key + "=" + codedValue
  if (a.domain !== undefined && a.domain !== "") out += "; Domain=" + a.domain
  if (a.expires !== "") out += "; expires=" + a.expires
  if (a.httpOnly) out += "; HttpOnly"
  if (a.maxAge !== undefined) out += "; Max-Age=" + a.maxAge
  if (a.path !== undefined && a.path !== "") out += "; Path=" + a.path
  if (a.sameSite !== undefined && a.sameSite !== "") out += "; SameSite=" + a.sameSite
  if (a.secure) out += "; Secure"
  return out
}
