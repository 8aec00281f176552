/**
 * The parsers and rules behind `Cache` (Django's `utils.cache` and the ETag and date helpers of
 * `utils.http`), on plain strings.
 *
 * @internal
 */
import * as crypto from "node:crypto"
import { strip as pyStrip } from "./python/str.js"

/** `\s*,\s*` with Python's `\s` (ASCII whitespace and the Unicode spaces a Latin-1 value can hold). */
const CC_DELIM = /[\s\x1c-\x1f\x85]*,[\s\x1c-\x1f\x85]*/

/** Django's `cc_delim_re.split(value)`. */
export const splitDirectives = (value: string): Array<string> => value.split(CC_DELIM)

/** Django's `ETAG_MATCH`: an optional `W/`, then a quoted string without inner quotes, and nothing else. */
const ETAG_MATCH = /^((?:W\/)?"[^"]*")$/

/** Python's `\Z` is the very end; JavaScript's `$` without the `m` flag is too, so no newline slips through. */
export const isQuotedEtag = (s: string): boolean => ETAG_MATCH.test(s)

/** Django's `quote_etag`. */
export const quoteEtag = (s: string): string => (isQuotedEtag(s) ? s : `"${s}"`)

/** Django's `parse_etags`: `["*"]`, or the valid quoted ETags of a comma-separated list. */
export const parseEtags = (s: string): Array<string> => {
  if (pyStrip(s) === "*") return ["*"]
  const out: Array<string> = []
  for (const part of s.split(",")) {
    const tag = pyStrip(part)
    if (isQuotedEtag(tag)) out.push(tag)
  }
  return out
}

/** The quoted md5 hex of a body, as `set_response_etag` computes it. */
export const etagOf = (body: Uint8Array): string => `"${crypto.createHash("md5").update(body).digest("hex")}"`

// ---------------------------------------------------------------------------
// HTTP dates (utils.http.parse_http_date)
// ---------------------------------------------------------------------------

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
// Python's `\w` on str is Unicode-aware: letters, digits and the underscore of any script.
const W = String.raw`[\p{L}\p{N}_]`
const T = String.raw`(\d{2}):(\d{2}):(\d{2})`
const RFC1123 = new RegExp(String.raw`^${W}{3}, (\d{2}) (${W}{3}) (\d{4}) ${T} GMT$`, "u")
const RFC850 = new RegExp(String.raw`^${W}{6,9}, (\d{2})-(${W}{3})-(\d{2}) ${T} GMT$`, "u")
const ASCTIME = new RegExp(String.raw`^${W}{3} (${W}{3}) ([ \d]\d) ${T} (\d{4})$`, "u")

const daysIn = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28)
    : [4, 6, 9, 11].includes(month)
    ? 30
    : 31

/**
 * Django's `parse_http_date_safe`: seconds since the epoch for the three date formats of RFC 7231,
 * `undefined` for anything else. A two-digit year is read against `nowYear` as Django reads it
 * against the current year (more than 50 years ahead means the previous century).
 */
export const parseHttpDate = (date: string, nowYear: number = new Date().getUTCFullYear()): number | undefined => {
  const fields = dateFields(date)
  if (fields === undefined) return undefined
  const { day, hh, mm, mon, ss, year } = fields
  let y = Number(year)
  if (y < 100) {
    const century = nowYear - (nowYear % 100)
    y += y - (nowYear % 100) > 50 ? century - 100 : century
  }
  const month = MONTHS.indexOf(mon.toLowerCase()) + 1
  const d = Number(day.trim())
  const [h, mi, s] = [Number(hh), Number(mm), Number(ss)]
  if (month === 0 || y < 1 || d < 1 || d > daysIn(y, month) || h > 23 || mi > 59 || s > 59) return undefined
  // `setUTCFullYear`, not `Date.UTC`, which reads years 0-99 as 1900-1999.
  const t = new Date(0)
  t.setUTCFullYear(y, month - 1, d)
  t.setUTCHours(h, mi, s, 0)
  return t.getTime() / 1000
}

interface DateFields {
  readonly day: string
  readonly mon: string
  readonly year: string
  readonly hh: string
  readonly mm: string
  readonly ss: string
}

const dateFields = (date: string): DateFields | undefined => {
  let m = RFC1123.exec(date) ?? RFC850.exec(date)
  if (m !== null) return { day: m[1]!, mon: m[2]!, year: m[3]!, hh: m[4]!, mm: m[5]!, ss: m[6]! }
  m = ASCTIME.exec(date)
  if (m !== null) return { mon: m[1]!, day: m[2]!, hh: m[3]!, mm: m[4]!, ss: m[5]!, year: m[6]! }
  return undefined
}

// ---------------------------------------------------------------------------
// Cache-Control (utils.cache.patch_cache_control)
// ---------------------------------------------------------------------------

/** A directive's value: `true` for a bare directive, else the text after `=`. */
export type DirectiveValue = true | string

/** What `patchCacheControl` accepts per directive: `true` is bare, anything else goes through `str()`. */
export type DirectiveInput = boolean | string | number

const pyStr = (v: DirectiveInput): string => (v === false ? "False" : String(v))

const directiveText = (name: string, value: DirectiveValue): string => (value === true ? name : `${name}=${value}`)

/**
 * Django's `patch_cache_control` on the header's current value (`undefined` or `""` when absent);
 * `directives` are given with Django's keyword names (`max_age`) or directive names (`max-age`),
 * in order. `undefined` when `max_age` cannot be compared (a malformed `max-age` already in the
 * header, where Django raises `ValueError`).
 */
export const patchCacheControl = (
  current: string | undefined,
  directives: ReadonlyArray<readonly [string, DirectiveInput]>
): string | undefined => {
  // Python dicts keep insertion order; a Map does too. `no-cache` holds a set of values.
  const cc = new Map<string, DirectiveValue | Array<DirectiveValue>>()
  const addNoCache = (value: DirectiveValue) => {
    const existing = cc.get("no-cache")
    const set = Array.isArray(existing) ? existing : []
    if (!set.includes(value)) set.push(value)
    cc.set("no-cache", set)
  }
  if (current !== undefined && current !== "") {
    for (const field of splitDirectives(current)) {
      const i = field.indexOf("=")
      const name = (i === -1 ? field : field.slice(0, i)).toLowerCase()
      const value: DirectiveValue = i === -1 ? true : field.slice(i + 1)
      if (name === "no-cache") addNoCache(value)
      else cc.set(name, value)
    }
  }
  const kwargs = directives.map(([k, v]) => [k.replace(/_/g, "-"), v] as const)
  const maxAgeIndex = kwargs.findIndex(([k]) => k === "max-age")
  if (cc.has("max-age") && maxAgeIndex !== -1) {
    const existing = cc.get("max-age")
    const given = kwargs[maxAgeIndex]![1]
    const parsed = typeof existing === "string" ? pyInt(existing) : undefined
    if (parsed === undefined || typeof given !== "number") return undefined
    kwargs[maxAgeIndex] = ["max-age", Math.min(parsed, given)]
  }
  if (cc.has("private") && kwargs.some(([k]) => k === "public")) cc.delete("private")
  else if (cc.has("public") && kwargs.some(([k]) => k === "private")) cc.delete("public")
  for (const [k, v] of kwargs) {
    const value: DirectiveValue = v === true ? true : pyStr(v)
    if (k === "no-cache") addNoCache(value)
    else cc.set(k, value)
  }
  const out: Array<string> = []
  for (const [name, values] of cc) {
    if (Array.isArray(values)) {
      if (values.includes(true)) out.push(name)
      else for (const v of values) out.push(directiveText(name, v))
    } else out.push(directiveText(name, values))
  }
  return out.join(", ")
}

/** Python's `int(s)` for a decimal string (surrounding whitespace, a sign and underscores between digits allowed). */
export const pyInt = (s: string): number | undefined => {
  const t = pyStrip(s)
  if (!/^[+-]?\d+(?:_\d+)*$/.test(t)) return undefined
  return Number(t.replace(/_/g, ""))
}

/** Django's `get_max_age` on a Cache-Control value. */
export const maxAgeOf = (cacheControl: string): number | undefined => {
  let value: DirectiveValue | undefined
  for (const field of splitDirectives(cacheControl)) {
    const i = field.indexOf("=")
    if ((i === -1 ? field : field.slice(0, i)).toLowerCase() === "max-age") value = i === -1 ? true : field.slice(i + 1)
  }
  return typeof value === "string" ? pyInt(value) : undefined
}

// ---------------------------------------------------------------------------
// Vary (utils.cache.patch_vary_headers)
// ---------------------------------------------------------------------------

/** Django's `patch_vary_headers` on the header's current value. */
export const patchVary = (current: string | undefined, add: ReadonlyArray<string>): string => {
  const names = current !== undefined ? splitDirectives(current) : []
  const existing = new Set(names.map((n) => n.toLowerCase()))
  for (const name of add) if (!existing.has(name.toLowerCase())) names.push(name)
  return names.includes("*") ? "*" : names.join(", ")
}

/** Django's `has_vary_header`. */
export const varyHas = (current: string | undefined, name: string): boolean =>
  current !== undefined && splitDirectives(current).some((n) => n.toLowerCase() === name.toLowerCase())

// ---------------------------------------------------------------------------
// Conditional requests (utils.cache.get_conditional_response)
// ---------------------------------------------------------------------------

/** What the preconditions decide. */
export type Outcome = "Proceed" | "NotModified" | "PreconditionFailed"

/** The request's side of the conditions: the raw header values, as META holds them. */
export interface Conditions {
  readonly method: string
  readonly ifMatch?: string | undefined
  readonly ifUnmodifiedSince?: string | undefined
  readonly ifNoneMatch?: string | undefined
  readonly ifModifiedSince?: string | undefined
}

const ifMatchPasses = (target: string | undefined, etags: ReadonlyArray<string>): boolean => {
  if (!target) return false
  if (etags.length === 1 && etags[0] === "*") return true
  if (target.startsWith("W/")) return false
  return etags.includes(target)
}

/** Python's `str.strip("W/")`: strips any run of `W` and `/` from both ends. */
const stripWeak = (s: string): string => s.replace(/^[W/]+|[W/]+$/g, "")

const ifNoneMatchPasses = (target: string | undefined, etags: ReadonlyArray<string>): boolean => {
  if (!target) return true
  if (etags.length === 1 && etags[0] === "*") return false
  const t = stripWeak(target)
  return !etags.some((e) => stripWeak(e) === t)
}

/**
 * Django's precedence: If-Match, then If-Unmodified-Since (only without If-Match), then
 * If-None-Match (304 for GET/HEAD, else 412), then If-Modified-Since (only without
 * If-None-Match, GET/HEAD only). Bad dates count as absent, as does the epoch itself (Python's
 * `0` is false). `lastModified` is in seconds since the epoch.
 */
export const evaluate = (
  conditions: Conditions,
  etag: string | undefined,
  lastModified: number | undefined,
  nowYear?: number
): Outcome => {
  const ifMatch = parseEtags(conditions.ifMatch ?? "")
  const ius = conditions.ifUnmodifiedSince ? parseHttpDate(conditions.ifUnmodifiedSince, nowYear) : undefined
  const ifNoneMatch = parseEtags(conditions.ifNoneMatch ?? "")
  const ims = conditions.ifModifiedSince ? parseHttpDate(conditions.ifModifiedSince, nowYear) : undefined
  const safe = conditions.method === "GET" || conditions.method === "HEAD"
  if (ifMatch.length > 0 && !ifMatchPasses(etag, ifMatch)) return "PreconditionFailed"
  if (ifMatch.length === 0 && ius && !(lastModified && lastModified <= ius)) return "PreconditionFailed"
  if (ifNoneMatch.length > 0 && !ifNoneMatchPasses(etag, ifNoneMatch)) {
    return safe ? "NotModified" : "PreconditionFailed"
  }
  if (ifNoneMatch.length === 0 && ims && !(!lastModified || lastModified > ims) && safe) return "NotModified"
  return "Proceed"
}

/** The headers a 304 built from a response keeps (besides its cookies). */
export const NOT_MODIFIED_HEADERS: ReadonlyArray<string> = [
  "Cache-Control",
  "Content-Location",
  "Date",
  "ETag",
  "Expires",
  "Last-Modified",
  "Vary"
]
