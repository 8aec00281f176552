/**
 * Django 3.2's CSRF tokens (django/middleware/csrf.py): 32-character secrets over
 * `a-zA-Z0-9`, masked into 64-character tokens, sanitized and compared in constant time;
 * and the pieces of the Referer check (`urlparse(...).geturl()`, `is_same_domain`).
 *
 * @internal
 */
import * as crypto from "node:crypto"
import { urlsplit, urlunsplit } from "./urljoin.js"

/** `string.ascii_letters + string.digits`: the index order is a-z, A-Z, 0-9. */
export const CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
export const SECRET_LENGTH = 32
export const TOKEN_LENGTH = 64

/** Index of each ASCII code in CHARS, -1 elsewhere. */
const INDEX = (() => {
  const table = new Int8Array(128).fill(-1)
  for (let i = 0; i < CHARS.length; i++) table[CHARS.charCodeAt(i)] = i
  return table
})()

const indexOf = (code: number): number => (code < 128 ? INDEX[code]! : -1)

// ---------------------------------------------------------------------------
// Randomness: `get_random_string(n, CHARS)` draws each character uniformly
// (`secrets.choice`). Bytes of 248 and above are dropped so that `% 62` stays uniform.
// ---------------------------------------------------------------------------

const POOL_SIZE = 4096
let pool = crypto.randomBytes(POOL_SIZE)
let poolAt = 0

const randomIndex = (): number => {
  for (;;) {
    if (poolAt === POOL_SIZE) {
      pool = crypto.randomBytes(POOL_SIZE)
      poolAt = 0
    }
    const b = pool[poolAt++]!
    if (b < 248) return b % 62
  }
}

/** Django's `get_random_string(n, allowed_chars)` for an alphabet of up to 256 characters. */
export const randomString = (n: number, alphabet: string = CHARS): string => {
  let out = ""
  if (alphabet === CHARS) {
    for (let i = 0; i < n; i++) out += CHARS[randomIndex()]
    return out
  }
  const limit = 256 - (256 % alphabet.length)
  while (out.length < n) {
    const bytes = crypto.randomBytes(n)
    for (let i = 0; i < bytes.length && out.length < n; i++) {
      if (bytes[i]! < limit) out += alphabet[bytes[i]! % alphabet.length]
    }
  }
  return out
}

/** `_get_new_csrf_string()`: a fresh 32-character secret. */
export const newSecret = (): string => randomString(SECRET_LENGTH)

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

/** `true` when `s` has only ASCII letters and digits (the empty string included). */
export const isAlnum = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    if (indexOf(s.charCodeAt(i)) < 0) return false
  }
  return true
}

/**
 * `_mask_cipher_secret(secret)` with the given mask: `mask + cipher`, where
 * `cipher[i] = CHARS[(idx(secret[i]) + idx(mask[i])) % 62]`. Both must be
 * 32 characters of CHARS.
 */
export const maskWith = (secret: string, mask: string): string => {
  let cipher = ""
  for (let i = 0; i < secret.length; i++) {
    cipher += CHARS[(indexOf(secret.charCodeAt(i)) + indexOf(mask.charCodeAt(i))) % 62]
  }
  return mask + cipher
}

/** `_mask_cipher_secret(secret)`: masked with a fresh random mask. */
export const mask = (secret: string): string => maskWith(secret, newSecret())

/** `_unmask_cipher_token(token)`: the secret of a 64-character token. */
export const unmask = (token: string): string => {
  let secret = ""
  for (let i = 0; i < SECRET_LENGTH; i++) {
    const x = indexOf(token.charCodeAt(SECRET_LENGTH + i))
    const y = indexOf(token.charCodeAt(i))
    secret += CHARS[(x - y + 62) % 62]
  }
  return secret
}

/** `_get_new_csrf_token()`: a fresh secret, masked. */
export const newToken = (): string => mask(newSecret())

const TOKEN_SHAPE = /^[A-Za-z0-9]{64}$/

/**
 * `_sanitize_token(token)`: a 64-character alphanumeric token is kept; a 32-character one (a
 * secret, as Django before 1.10 stored it) is masked; anything else becomes a fresh random
 * token, which matches nothing.
 */
export const sanitize = (token: string): string => {
  if (token.length === TOKEN_LENGTH && TOKEN_SHAPE.test(token)) return token
  if (token.length === SECRET_LENGTH && isAlnum(token)) return mask(token)
  return newToken()
}

/** `true` when `token` is what `sanitize` keeps as it is. */
export const isSanitized = (token: string): boolean => token.length === TOKEN_LENGTH && TOKEN_SHAPE.test(token)

/**
 * `_compare_masked_tokens(a, b)`: the secrets of two sanitized tokens compared in constant
 * time (every character looked at). A malformed token (not 64 characters of CHARS) matches
 * nothing.
 */
export const compareMasked = (a: string, b: string): boolean => {
  if (a.length !== TOKEN_LENGTH || b.length !== TOKEN_LENGTH) return false
  let diff = 0
  let bad = 0
  for (let i = 0; i < SECRET_LENGTH; i++) {
    const am = indexOf(a.charCodeAt(i))
    const ac = indexOf(a.charCodeAt(SECRET_LENGTH + i))
    const bm = indexOf(b.charCodeAt(i))
    const bc = indexOf(b.charCodeAt(SECRET_LENGTH + i))
    bad |= am | ac | bm | bc
    // The secrets' characters are (c - m) mod 62: equal when the differences are 0 or ±62 apart
    // (a product that is zero exactly then; no branch on the tokens).
    const d = (ac - am) - (bc - bm)
    diff |= d * (d - 62) * (d + 62)
  }
  return bad >= 0 && diff === 0
}

// ---------------------------------------------------------------------------
// Referer
// ---------------------------------------------------------------------------

/** What the Referer check needs of Python's `urlparse(referer)`. */
export interface Referer {
  readonly scheme: string
  readonly netloc: string
}

/**
 * The scheme and netloc of Python's `urlparse(referer)`.
 */
export const parseReferer = (referer: string): Referer => {
  // The usual case, "https://host/...", without what urlsplit strips or removes.
  if (referer.startsWith("https://") && !/[\t\r\n]/.test(referer)) {
    let end = referer.length
    for (let i = 8; i < referer.length; i++) {
      const c = referer.charCodeAt(i)
      if (c === 47 || c === 63 || c === 35) { // / ? #
        end = i
        break
      }
    }
    return { scheme: "https", netloc: referer.slice(8, end) }
  }
  const parts = urlsplit(referer)
  return { scheme: parts.scheme, netloc: parts.netloc }
}

/**
 * `urlparse(referer).geturl()`, as Django's message shows the Referer: `urlsplit`, then the
 * parts joined again. `urlparse` also splits `;params` off the last path segment and
 * `urlunparse` drops a `;` whose params are empty, which `urlunsplit` alone would keep.
 */
export const refererUrl = (referer: string): string => {
  const parts = urlsplit(referer)
  let path = parts.path
  if (path.endsWith(";")) {
    const at = path.includes("/") ? path.indexOf(";", path.lastIndexOf("/")) : path.indexOf(";")
    if (at === path.length - 1) path = path.slice(0, -1)
  }
  return urlunsplit({ ...parts, path })
}

// ---------------------------------------------------------------------------
// Vary
// ---------------------------------------------------------------------------

/**
 * `patch_vary_headers(response, newheaders)` on a `Vary` value (`undefined` when absent):
 * the names not yet listed (case-insensitively) are appended; `*` anywhere wins.
 */
export const patchVary = (current: string | undefined, add: ReadonlyArray<string>): string => {
  const headers = current === undefined ? [] : current.split(/\s*,\s*/)
  const existing = new Set(headers.map((h) => h.toLowerCase()))
  for (const h of add) {
    if (!existing.has(h.toLowerCase())) headers.push(h)
  }
  return headers.includes("*") ? "*" : headers.join(", ")
}
