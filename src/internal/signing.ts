/**
 * Byte-level pieces of Django's `core/signing.py` and `utils/crypto.py`:
 * salted-HMAC key derivation, HMAC over one-shot hashes, base62, Python-compatible
 * JSON and number formatting.
 *
 * @internal
 */
import * as crypto from "node:crypto"
import * as sha256 from "./sha256.js"

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

/**
 * An HMAC key ready to use: `K xor ipad` and a buffer holding `K xor opad`
 * followed by room for the inner digest. HMAC is then two one-shot hashes,
 * which is much cheaper in Node than `createHmac` (an object per call).
 */
export interface PreparedKey {
  readonly hash: string
  readonly blockSize: number
  readonly ipad: Buffer
  readonly outer: Buffer
  /** For SHA-256: the pads compressed once, for short messages hashed in JavaScript. */
  readonly midstates: sha256.Midstates | undefined
}

/**
 * Django's `salted_hmac(key_salt, value, secret, algorithm)` key: `H(key_salt + secret)`,
 * padded to the block size and xored with the HMAC pads.
 */
export const prepare = (algorithm: Algorithm, keySalt: string, secret: Uint8Array): PreparedKey => {
  const [hash, blockSize] = algorithms[algorithm]
  const derived = crypto.hash(hash, Buffer.concat([Buffer.from(keySalt, "utf8"), secret]), "buffer")
  const ipad = Buffer.alloc(blockSize, 0x36)
  const outer = Buffer.alloc(blockSize + derived.length, 0)
  outer.fill(0x5c, 0, blockSize)
  for (let i = 0; i < derived.length; i++) {
    ipad[i] = ipad[i]! ^ derived[i]!
    outer[i] = outer[i]! ^ derived[i]!
  }
  const midstates = hash === "sha256" ? sha256.midstates(ipad, outer.subarray(0, blockSize)) : undefined
  return { hash, blockSize, ipad, outer, midstates }
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

const scratch = Buffer.allocUnsafe(16384)

/** `b64_encode(HMAC(key, value).digest())`: URL-safe base64 without padding. */
export const hmacBase64 = (key: PreparedKey, value: string): string => {
  if (key.midstates !== undefined) {
    const short = sha256.hmacBase64url(key.midstates, value)
    if (short !== undefined) return short
  }
  const bs = key.blockSize
  let data: Buffer
  if (value.length * 3 <= scratch.length - bs) {
    key.ipad.copy(scratch, 0)
    const n = scratch.write(value, bs, "utf8")
    data = scratch.subarray(0, bs + n)
  } else {
    data = Buffer.concat([key.ipad, Buffer.from(value, "utf8")])
  }
  const inner = crypto.hash(key.hash, data, "buffer")
  inner.copy(key.outer, bs)
  return crypto.hash(key.hash, key.outer, "base64url")
}

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

// ---------------------------------------------------------------------------
// Python formatting
// ---------------------------------------------------------------------------

/** Python's `repr(float)` / `str(float)`: shortest round-trip digits, `1.0`, `1e+16`, `1e-05`. */
export const pyFloat = (x: number): string => {
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
export const pyNumber = (x: number): string =>
  Number.isInteger(x) && !Object.is(x, -0) ? BigInt(x).toString() : pyFloat(x)

/** Python's `repr(str)`. */
export { reprStr as pyRepr } from "./pyrepr.js"

// ---------------------------------------------------------------------------
// JSON as Python's json.dumps(obj, separators=(",", ":")) writes it
// ---------------------------------------------------------------------------

const nonAscii = /[\u007f-\uffff]/g

const escapeChar = (c: string): string => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")

/** A JSON string literal with everything outside printable ASCII escaped (`ensure_ascii`). */
export const pyJsonString = (s: string): string => JSON.stringify(s).replace(nonAscii, escapeChar)

/** Why a value cannot be written as JSON, with Python's messages. */
export class JsonError {
  constructor(readonly message: string) {}
}

const typeName = (u: unknown): string => {
  if (u === undefined) return "undefined"
  if (typeof u === "function") return "function"
  if (typeof u === "symbol") return "symbol"
  const proto = typeof u === "object" && u !== null ? Object.getPrototypeOf(u) : null
  return proto?.constructor?.name ?? typeof u
}

/**
 * `json.dumps(value, separators=(",", ":"))` for JSON-like JavaScript values:
 * null, booleans, numbers (integral ones as Python ints, the others as Python
 * floats), bigints (Python ints), strings, arrays, plain objects and `Map`s
 * with string keys (a dict in insertion order, index-like keys included). Anything
 * else fails as Python's encoder does.
 */
export const pyJsonDumps = (value: unknown): string => {
  const seen = new Set<object>()
  const go = (v: unknown): string => {
    switch (typeof v) {
      case "string":
        return pyJsonString(v)
      case "boolean":
        return v ? "true" : "false"
      case "bigint":
        return v.toString()
      case "number":
        if (!Number.isFinite(v)) throw new JsonError(`Out of range float values are not JSON compliant: ${pyFloat(v)}`)
        return Number.isSafeInteger(v) && !Object.is(v, -0) ? String(v) : pyFloat(v)
      case "object": {
        if (v === null) return "null"
        if (seen.has(v)) throw new JsonError("Circular reference detected")
        if (Array.isArray(v)) {
          seen.add(v)
          const out = "[" + v.map(go).join(",") + "]"
          seen.delete(v)
          return out
        }
        if (v instanceof Map) {
          seen.add(v)
          const parts: Array<string> = []
          for (const [k, x] of v) {
            if (typeof k !== "string") {
              throw new JsonError(`keys must be str, int, float, bool or None, not ${typeName(k)}`)
            }
            parts.push(pyJsonString(k) + ":" + go(x))
          }
          seen.delete(v)
          return "{" + parts.join(",") + "}"
        }
        const proto = Object.getPrototypeOf(v)
        if (proto === Object.prototype || proto === null) {
          seen.add(v)
          const parts: Array<string> = []
          for (const k of Object.keys(v)) {
            parts.push(pyJsonString(k) + ":" + go((v as Record<string, unknown>)[k]))
          }
          seen.delete(v)
          return "{" + parts.join(",") + "}"
        }
        break
      }
    }
    throw new JsonError(`Object of type ${typeName(v)} is not JSON serializable`)
  }
  return go(value)
}
