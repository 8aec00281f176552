/**
 * Byte-level pieces of Django's `core/signing.py` and `utils/crypto.py`:
 * salted-HMAC key derivation and HMAC (node:crypto), base62, base64.
 *
 * @internal
 */
import * as crypto from "node:crypto"

// ---------------------------------------------------------------------------
// Algorithms
// ---------------------------------------------------------------------------

/** Python `hashlib` name -> [node name, block size in bytes]. */
export const algorithms = {
  md5: ["md5", 64],
  sha1: ["sha1", 64],
  sha224: ["sha224", 64],
  sha256: ["sha256", 64],
  sha384: ["sha384", 128],
  sha512: ["sha512", 128],
  sha3_224: ["sha3-224", 144],
  sha3_256: ["sha3-256", 136],
  sha3_384: ["sha3-384", 104],
  sha3_512: ["sha3-512", 72],
  blake2b: ["blake2b512", 128],
  blake2s: ["blake2s256", 64]
} as const

export type Algorithm = keyof typeof algorithms

export const isAlgorithm = (u: unknown): u is Algorithm =>
  typeof u === "string" && Object.prototype.hasOwnProperty.call(algorithms, u)

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

const loneSurrogate = /\p{Cs}/u
const loneSurrogates = /\p{Cs}/gu

/** `true` when `s` has no lone surrogate, i.e. it has a UTF-8 encoding (Python can encode it). */
export const isWellFormed = (s: string): boolean => !loneSurrogate.test(s)

/** `s` with every lone surrogate replaced by U+FFFD (what UTF-8 encoding does to it anyway). */
export const toWellFormed = (s: string): string => (loneSurrogate.test(s) ? s.replace(loneSurrogates, "\uFFFD") : s)

/** Django's `force_bytes`: strings as UTF-8, bytes as they are. */
export const toBytes = (key: string | Uint8Array): Buffer =>
  typeof key === "string" ? Buffer.from(key, "utf8") : Buffer.from(key.buffer, key.byteOffset, key.byteLength)

// ---------------------------------------------------------------------------
// HMAC with a derived key (salted_hmac), prepared once per (algorithm, salt, secret)
// ---------------------------------------------------------------------------

/** An HMAC key ready to use: the hash's name and the derived key (a `Buffer` is faster here than a `KeyObject`). */
export interface PreparedKey {
  readonly hash: string
  readonly key: Buffer
}

/** Django's `salted_hmac(key_salt, value, secret, algorithm)` key: `H(key_salt + secret)`. */
export const prepare = (algorithm: Algorithm, keySalt: string, secret: Uint8Array): PreparedKey => {
  const [hash] = algorithms[algorithm]
  const derived = crypto.createHash(hash).update(Buffer.from(keySalt, "utf8")).update(secret).digest()
  return { hash, key: derived }
}

const cacheLimit = 512
const cache = new Map<string, PreparedKey>()

/**
 * `prepare`, cached per (algorithm, salt, secret) in a small bounded map (the oldest
 * entry goes first when it is full).
 */
export const preparedKey = (algorithm: Algorithm, keySalt: string, secret: Uint8Array): PreparedKey => {
  const id = `${algorithm}\u0000${keySalt}\u0000${
    Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength).toString("latin1")
  }`
  let key = cache.get(id)
  if (key === undefined) {
    key = prepare(algorithm, keySalt, secret)
    if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!)
    cache.set(id, key)
  }
  return key
}

/** `b64_encode(HMAC(key, value).digest())`: URL-safe base64 without padding (node:crypto's HMAC). */
export const hmacBase64 = (key: PreparedKey, value: string): string =>
  crypto.createHmac(key.hash, key.key).update(value, "utf8").digest("base64url")

/**
 * Django's `constant_time_compare` for a signature we computed (`expected`, base64url,
 * so ASCII) and one we were given. For an ASCII `expected`, comparing UTF-16 code units
 * decides exactly what comparing UTF-8 bytes decides (any non-ASCII unit differs from
 * every unit of `expected`). Every unit is looked at, whatever differs: no early exit.
 */
export const constantTimeCompare = (given: string, expected: string): boolean => {
  const n = expected.length
  if (given.length !== n) return false
  let diff = 0
  for (let i = 0; i < n; i++) diff |= given.charCodeAt(i) ^ expected.charCodeAt(i)
  return diff === 0
}

// ---------------------------------------------------------------------------
// base62 (django.utils.baseconv.base62)
// ---------------------------------------------------------------------------

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

export const b62Encode = (n: number): string => {
  if (n === 0) return "0"
  let x = Math.abs(n)
  let out = ""
  while (x > 0) {
    out = BASE62[x % 62]! + out
    x = Math.floor(x / 62)
  }
  return n < 0 ? "-" + out : out
}

/** The number, or `undefined` for a string Django's decoder rejects. */
export const b62Decode = (s: string): number | undefined => {
  let i = 0
  let sign = 1
  if (s.length > 0 && s[0] === "-") {
    sign = -1
    i = 1
  }
  if (i >= s.length) return undefined
  let x = 0
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 90 ? c - 55 : c >= 97 && c <= 122 ? c - 61 : -1
    if (d < 0) return undefined
    x = x * 62 + d
  }
  return sign * x
}

// ---------------------------------------------------------------------------
// base64 (b64_encode / b64_decode)
// ---------------------------------------------------------------------------

export const b64Encode = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url")

const base64url = /^[A-Za-z0-9_-]*$/

/** URL-safe base64 without padding, or `undefined` where Python's decoder would fail. */
export const b64Decode = (s: string): Buffer | undefined =>
  base64url.test(s) && s.length % 4 !== 1 ? Buffer.from(s, "base64url") : undefined
