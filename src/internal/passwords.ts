/**
 * Django 3.2's PBKDF2 password hashers (django/contrib/auth/hashers.py) over Node's
 * `crypto.pbkdf2`, which runs on libuv's thread pool.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as crypto from "node:crypto"

/** `RANDOM_STRING_CHARS`, the alphabet of salts and unusable-password suffixes. */
export const RANDOM_STRING_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/** PBKDF2-HMAC of `password` and `salt` (UTF-8), with the digest's own length, off the event loop. */
export const pbkdf2 = (
  password: string,
  salt: string,
  iterations: number,
  digest: "sha256" | "sha1"
): Effect.Effect<Buffer> =>
  Effect.async<Buffer>((resume) => {
    crypto.pbkdf2(
      Buffer.from(password, "utf8"),
      Buffer.from(salt, "utf8"),
      iterations,
      digest === "sha256" ? 32 : 20,
      digest,
      (error, key) => resume(error === null ? Effect.succeed(key) : Effect.die(error))
    )
  })

/** The four `$`-separated parts of a PBKDF2 hash (Django's `decode`), or `undefined`. */
export interface Decoded {
  readonly algorithm: string
  readonly iterations: number
  readonly salt: string
  readonly hash: string
}

/**
 * Python's `int(text)` for the iteration count: optional surrounding whitespace, an optional
 * sign, ASCII digits with single underscores between them. `undefined` where Python raises.
 */
export const pyInt = (text: string): number | undefined => {
  const m = /^[\s]*([+-]?)(\d(?:_?\d)*)[\s]*$/.exec(text)
  if (m === null) return undefined
  const n = Number(m[2]!.replace(/_/g, ""))
  return m[1] === "-" ? -n : n
}

/** `encoded.split('$', 3)` unpacked into four parts, as Django's `decode` does. */
export const decode = (encoded: string): Decoded | undefined => {
  const a = encoded.indexOf("$")
  if (a === -1) return undefined
  const b = encoded.indexOf("$", a + 1)
  if (b === -1) return undefined
  const c = encoded.indexOf("$", b + 1)
  if (c === -1) return undefined
  const iterations = pyInt(encoded.slice(a + 1, b))
  if (iterations === undefined) return undefined
  return { algorithm: encoded.slice(0, a), iterations, salt: encoded.slice(b + 1, c), hash: encoded.slice(c + 1) }
}

/** Python's `unicodedata.category(c)[0] == 'C'` for the first character of a string. */
export const startsWithOther = (s: string): boolean => /^\p{C}/u.test(s)

/** What `url_has_allowed_host_and_scheme` needs of Django's `_urlparse`; `undefined` for its ValueError. */
const splitForSafety = (url: string): { scheme: string; netloc: string } | undefined => {
  let scheme = ""
  let rest = url
  const i = url.indexOf(":")
  if (i > 0 && /^[A-Za-z0-9+\-.]+$/.test(url.slice(0, i))) {
    scheme = url.slice(0, i).toLowerCase()
    rest = url.slice(i + 1)
  }
  let netloc = ""
  if (rest.startsWith("//")) {
    let end = rest.length
    for (const c of "/?#") {
      const at = rest.indexOf(c, 2)
      if (at !== -1 && at < end) end = at
    }
    netloc = rest.slice(2, end)
    if (netloc.includes("[") !== netloc.includes("]")) return undefined
  }
  return { scheme, netloc }
}

const hasAllowedHostAndScheme = (
  url: string,
  allowedHosts: ReadonlySet<string>,
  requireHttps: boolean
): boolean => {
  if (url.startsWith("///")) return false
  const info = splitForSafety(url)
  if (info === undefined) return false
  if (info.netloc === "" && info.scheme !== "") return false
  if (startsWithOther(url)) return false
  const scheme = info.scheme === "" && info.netloc !== "" ? "http" : info.scheme
  return (info.netloc === "" || allowedHosts.has(info.netloc)) &&
    (scheme === "" || scheme === "https" || (!requireHttps && scheme === "http"))
}

/** Django 3.2's `url_has_allowed_host_and_scheme(url, allowed_hosts, require_https)` after `strip()`. */
export const urlHasAllowedHostAndScheme = (
  stripped: string,
  allowedHosts: ReadonlySet<string>,
  requireHttps: boolean
): boolean =>
  stripped !== "" &&
  hasAllowedHostAndScheme(stripped, allowedHosts, requireHttps) &&
  hasAllowedHostAndScheme(stripped.replace(/\\/g, "/"), allowedHosts, requireHttps)
