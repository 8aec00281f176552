/**
 * Django 3.2's session encoding (`SessionBase.encode`/`decode`, contrib/sessions/backends/base.py)
 * and the JSON a Python `dict` round-trips through, with its key order kept.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"
import * as zlib from "node:zlib"
import { type ImproperlyConfigured, InvalidArgument } from "../Errors.js"
import type * as Settings from "../Settings.js"
import * as Signing from "../Signing.js"
import * as Json_ from "./python/json.js"

/** A JSON value as a session holds it. */
export type Json = Signing.Json

/** A session's data: a Python dict, in insertion order. */
export type Data = ReadonlyMap<string, Json>

/** The salt of `encode()` for every built-in backend (V10). */
export const SESSION_SALT = "django.contrib.sessions.SessionStore"

/** The salt of the signed-cookies backend (V13). */
export const SIGNED_COOKIES_SALT = "django.contrib.sessions.backends.signed_cookies"

/** The pre-3.1 format's HMAC key salt: `"django.contrib.sessions" + "SessionStore"`, no dot (V11). */
export const LEGACY_SALT = "django.contrib.sessionsSessionStore"

// ---------------------------------------------------------------------------
// JSON, parsed as Python's json.loads does, the top-level object in its order
// ---------------------------------------------------------------------------

class ParseFailure {
  constructor(readonly at: number) {}
}

const WS = /[ \t\n\r]*/y
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y

/**
 * `json.loads(text)` where the document is an object: its members in document order (a
 * repeated key keeps its first place and its last value, as a dict built from the pairs).
 * Nested objects are plain objects. `undefined` for anything Python would reject or that is
 * not an object.
 */
export const parseObject = (text: string): Map<string, Json> | undefined => {
  let i = 0
  const ws = () => {
    WS.lastIndex = i
    WS.exec(text)
    i = WS.lastIndex
  }
  const string = (): string => {
    STRING.lastIndex = i
    const m = STRING.exec(text)
    if (m === null) throw new ParseFailure(i)
    i = STRING.lastIndex
    return JSON.parse(m[0]) as string
  }
  const value = (): Json => {
    ws()
    const c = text[i]
    if (c === "{") {
      const out: Record<string, Json> = {}
      members((k, v) => {
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
      })
      return out
    }
    if (c === "[") {
      i++
      const out: Array<Json> = []
      ws()
      if (text[i] === "]") {
        i++
        return out
      }
      for (;;) {
        out.push(value())
        ws()
        if (text[i] === ",") {
          i++
          continue
        }
        if (text[i] === "]") {
          i++
          return out
        }
        throw new ParseFailure(i)
      }
    }
    if (c === "\"") return string()
    if (text.startsWith("true", i)) {
      i += 4
      return true
    }
    if (text.startsWith("false", i)) {
      i += 5
      return false
    }
    if (text.startsWith("null", i)) {
      i += 4
      return null
    }
    NUMBER.lastIndex = i
    const m = NUMBER.exec(text)
    if (m === null) throw new ParseFailure(i)
    i = NUMBER.lastIndex
    return Number(m[0])
  }
  const members = (put: (k: string, v: Json) => void) => {
    i++
    ws()
    if (text[i] === "}") {
      i++
      return
    }
    for (;;) {
      ws()
      const k = string()
      ws()
      if (text[i] !== ":") throw new ParseFailure(i)
      i++
      put(k, value())
      ws()
      if (text[i] === ",") {
        i++
        continue
      }
      if (text[i] === "}") {
        i++
        return
      }
      throw new ParseFailure(i)
    }
  }
  try {
    ws()
    if (text[i] !== "{") return undefined
    const out = new Map<string, Json>()
    members((k, v) => out.set(k, v))
    ws()
    return i === text.length ? out : undefined
  } catch (e) {
    if (e instanceof ParseFailure || e instanceof RangeError) return undefined
    throw e
  }
}

/**
 * A value as the session will hold it after a round trip through Django's `JSONSerializer`
 * (tuples and Maps become lists and objects, as Python's lists and dicts), or Python's
 * `TypeError`/`ValueError` message when `json.dumps` would refuse it.
 */
export const normalize = (value: unknown): Either.Either<Json, string> => {
  let text: string | Json_.DumpsError
  try {
    text = Json_.dumps(value, COMPACT)
  } catch (e) {
    // A stack overflow on a very deep value.
    return Either.left(`Cannot serialize the value: ${String(e)}`)
  }
  if (typeof text !== "string") return Either.left(text.message)
  // JSON.parse keeps a `__proto__` member as data, as a dict would.
  return Either.right(JSON.parse(text) as Json)
}

/** `json.dumps(dict, separators=(",", ":"))` of session data, as Django's `JSONSerializer` writes it. */
export const dumps = (data: Data): string => {
  const text = Json_.dumps(data, COMPACT)
  if (typeof text !== "string") throw new Error(text.message)
  return text
}

/** Django's `JSONSerializer`: compact separators, ASCII only, NaN and infinities refused. */
const COMPACT: Json_.DumpsConfig = { separators: [",", ":"], allowNan: false, maps: true }

// ---------------------------------------------------------------------------
// encode / decode
// ---------------------------------------------------------------------------

const signers = new WeakMap<Settings.Settings, Map<string, Signing.TimestampSigner>>()

/**
 * Signers by what they are made of (salt, algorithm, keys), for settings objects met for the
 * first time: a copy of the settings per request (the test client adds `testserver` to
 * `ALLOWED_HOSTS` that way) would otherwise derive the keys again on every request. Bounded.
 */
const signersByValue = new Map<string, Signing.TimestampSigner>()
const SIGNERS_BY_VALUE_MAX = 64

const signerKey = (settings: Settings.Settings, salt: string): string | undefined =>
  Option.match(settings.SECRET_KEY, {
    onNone: () => undefined,
    onSome: (key) =>
      [
        salt,
        settings.DEFAULT_HASHING_ALGORITHM,
        Redacted.value(key),
        ...settings.SECRET_KEY_FALLBACKS.map(Redacted.value)
      ]
        .join("\u0000")
  })

/** `TimestampSigner(key=SECRET_KEY, salt=salt)` with the settings' algorithm and fallbacks, cached. */
export const signer = (
  settings: Settings.Settings,
  salt: string
): Either.Either<Signing.TimestampSigner, InvalidArgument | ImproperlyConfigured> => {
  let bySalt = signers.get(settings)
  const cached = bySalt?.get(salt)
  if (cached !== undefined) return Either.right(cached)
  const remember = (made: Signing.TimestampSigner) => {
    if (bySalt === undefined) {
      bySalt = new Map()
      signers.set(settings, bySalt)
    }
    bySalt.set(salt, made)
    return made
  }
  const byValue = signerKey(settings, salt)
  const known = byValue === undefined ? undefined : signersByValue.get(byValue)
  if (known !== undefined) return Either.right(remember(known))
  return Either.map(Signing.timestampSignerFromSettings(settings, { salt }), (made) => {
    if (byValue !== undefined) {
      if (signersByValue.size >= SIGNERS_BY_VALUE_MAX) signersByValue.clear()
      signersByValue.set(byValue, made)
    }
    return remember(made)
  })
}

// ---------------------------------------------------------------------------
// zlib only where it can pay
// ---------------------------------------------------------------------------

/** Beyond this many characters `incompressible` does not try: its bound cannot prove anything there. */
const INCOMPRESSIBLE_MAX = 40

/** Literal counts and 3-byte runs for `incompressible` (one call at a time: it runs to the end synchronously). */
const counts = new Uint16Array(256)
const trigrams = new Int32Array(INCOMPRESSIBLE_MAX)

/**
 * `true` only when no zlib stream of `text` (latin1 bytes, `L` of them) can be shorter than `L - 1`
 * bytes, the test of `signing.dumps(compress=True)`, so that zlib need not run. Proof:
 *
 * - a deflate match copies at least 3 bytes from earlier in the output, so when no 3 bytes occur
 *   twice in `text` (overlapping occurrences included) every byte is a literal;
 * - zlib writes one block for an input this short (it ends a block only when its symbol buffer of
 *   16383 entries is full, or at the end), and any block costs at least: stored, 3 header bits +
 *   32 bits of lengths + 8 per byte; fixed Huffman, 3 + 8 per literal + 7 for the end of block;
 *   dynamic Huffman, 3 + 14 bits of counts + at least 4 code length codes of 3 bits (29 bits), then
 *   the literals and the end-of-block symbol coded with a prefix code, which (Kraft's inequality,
 *   Gibbs' inequality) costs at least their empirical entropy `sum n_s * log2(N / n_s)`, `N = L + 1`;
 * - zlib's wrapper adds 2 header bytes and the 4 bytes of the Adler-32.
 *
 * So the stream has at least `6 + ceil(min(8L + 10, 29 + H) / 8)` bytes; compression wins only
 * when that is at most `L - 2`. (Checked against node:zlib by a property test.)
 */
export const incompressible = (text: string): boolean => {
  const n = text.length
  // The smallest zlib stream has 7 bytes (header, one byte of block, Adler-32).
  if (n <= 8) return true
  if (n > INCOMPRESSIBLE_MAX) return false
  counts.fill(0)
  let a = text.charCodeAt(0)
  let b = text.charCodeAt(1)
  if (a > 0xff || b > 0xff) return false
  counts[a] = 1
  counts[b] = counts[b]! + 1
  for (let i = 2; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c > 0xff) return false
    const t = (a << 16) | (b << 8) | c
    for (let j = 0; j < i - 2; j++) if (trigrams[j] === t) return false
    trigrams[i - 2] = t
    counts[c] = counts[c]! + 1
    a = b
    b = c
  }
  const symbols = n + 1
  // The end-of-block symbol, once.
  let bits = Math.log2(symbols)
  for (let i = 0; i < 256; i++) {
    const k = counts[i]!
    if (k > 0) bits += k * Math.log2(symbols / k)
  }
  // A margin for the rounding of the logarithms.
  const smallest = 6 + Math.ceil((Math.min(8 * n + 10, 29 + bits) - 1e-6) / 8)
  return smallest >= n - 1
}

/**
 * The payload of `signing.dumps(data, compress=True)`: compact ASCII JSON, zlib (node:zlib at
 * its default level 6) when that is shorter by more than a byte, URL-safe base64; zlib is not
 * run where it provably cannot pay (`incompressible`).
 */
export const payloadOf = (data: Data): Either.Either<string, InvalidArgument> => {
  let json: string
  try {
    json = dumps(data)
  } catch (e) {
    return Either.left(new InvalidArgument({ message: `Cannot serialize the value: ${String(e)}` }))
  }
  const bytes = Buffer.from(json, "latin1")
  if (!incompressible(json)) {
    const compressed = zlib.deflateSync(bytes)
    if (compressed.length < bytes.length - 1) return Either.right("." + Signing.b64Encode(compressed))
  }
  return Either.right(Signing.b64Encode(bytes))
}

/** `signing.dumps` of `data`, the signed string remembered as decoded when `keep` says so. */
const sign = (
  settings: Settings.Settings,
  salt: string,
  data: Data,
  now: number,
  keep: boolean
): Either.Either<string, InvalidArgument | ImproperlyConfigured> =>
  Either.flatMap(
    signer(settings, salt),
    (s) =>
      Either.map(payloadOf(data), (payload) => {
        const signed = Signing.timestampSignAt(s, payload, now)
        if (keep) remember(signed, s, copyData(data), Math.trunc(now))
        return signed
      })
  )

/**
 * `signing.dumps(data, salt=salt, compress=True)` at `now` (seconds), byte for byte
 * Django's: compact ASCII JSON in insertion order, zlib only when it saves more than a byte.
 */
export const signData = (
  settings: Settings.Settings,
  salt: string,
  data: Data,
  now: number
): Either.Either<string, InvalidArgument | ImproperlyConfigured> => sign(settings, salt, data, now, false)

/**
 * `signData` for a session's own data (values already as they read back: the session only
 * holds what `normalize` or the parser gave), remembered as decoded: the next load of the value
 * skips the signature check and the parse.
 */
export const signSession = (
  settings: Settings.Settings,
  salt: string,
  data: Data,
  now: number
): Either.Either<string, InvalidArgument | ImproperlyConfigured> => sign(settings, salt, data, now, true)

// ---------------------------------------------------------------------------
// Decoded values, remembered
// ---------------------------------------------------------------------------

/**
 * A stored string already verified and parsed: the signer that verified it (which stands for
 * the salt, the algorithm and every key: another secret is another signer), the data, and
 * the signature's timestamp (for `max_age`, checked on every use).
 */
interface Decoded {
  readonly signer: Signing.TimestampSigner
  readonly data: Map<string, Json>
  readonly stamp: number
}

/** At most how many decoded values are kept. */
export const DECODED_MAX = 4096

/**
 * Decoded values by their exact stored string, in two generations: new and recently used
 * values go to `young`; when it holds half of `DECODED_MAX`, it becomes `old` and the previous
 * `old` is dropped. A value not used for that long is forgotten, and no step costs more than a
 * `Map` lookup and insert (an exact LRU on one `Map` deletes from its front, which V8 makes slow).
 */
let young = new Map<string, Decoded>()
let old = new Map<string, Decoded>()

const keep = (value: string, entry: Decoded): void => {
  young.set(value, entry)
  if (young.size >= DECODED_MAX / 2) {
    old = young
    young = new Map()
  }
}

const remember = (value: string, s: Signing.TimestampSigner, data: Map<string, Json>, stamp: number): void =>
  keep(value, { signer: s, data, stamp })

const recall = (value: string, s: Signing.TimestampSigner): Decoded | undefined => {
  let hit = young.get(value)
  if (hit === undefined) {
    hit = old.get(value)
    if (hit === undefined) return undefined
    if (hit.signer === s) keep(value, hit)
  }
  return hit.signer === s ? hit : undefined
}

/** Forgets every decoded value (tests). */
export const forgetDecoded = (): void => {
  young = new Map()
  old = new Map()
}

/** How many decoded values are remembered, at most (tests). */
export const decodedSize = (): number => young.size + old.size

/** Whether `value` is remembered as decoded (tests). */
export const isRemembered = (value: string): boolean => young.has(value) || old.has(value)

const copyJson = (value: Json): Json => {
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map(copyJson)
  const out: Record<string, Json> = {}
  const from = value as { readonly [key: string]: Json }
  for (const k of Object.keys(from)) {
    const v = copyJson(from[k]!)
    // `__proto__` is data here, as in a dict.
    if (k === "__proto__") {
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
    } else out[k] = v
  }
  return out
}

/** A deep copy of session data: no two sessions share a mutable value. */
export const copyData = (data: Data): Map<string, Json> => {
  const out = new Map<string, Json>()
  for (const [k, v] of data) out.set(k, copyJson(v))
  return out
}

/** The JSON text of a verified `signing.dumps` payload (`.`-prefixed when zlib-compressed). */
const payloadText = (payload: string): string | undefined => {
  const compressed = payload.startsWith(".")
  let bytes: Uint8Array | undefined = Signing.b64Decode(compressed ? payload.slice(1) : payload)
  if (bytes === undefined) return undefined
  if (compressed) {
    try {
      bytes = zlib.inflateSync(bytes)
    } catch {
      return undefined
    }
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")
}

/** Why `loadData` failed: the signature (Django's `BadSignature`/`SignatureExpired`), or the payload. */
export type LoadFailure = "bad-signature" | "expired" | "bad-payload"

/**
 * `signing.loads(value, salt=salt, max_age=maxAge)` where the object is a dict, at `now`
 * (seconds); sha1 (pre-3.1) signatures verify too.
 */
export const loadData = (
  settings: Settings.Settings,
  salt: string,
  value: string,
  now: number,
  maxAge?: number
): Either.Either<Map<string, Json>, LoadFailure | ImproperlyConfigured | InvalidArgument> =>
  Either.flatMap(signer(settings, salt), (s) => {
    const hit = recall(value, s)
    if (hit !== undefined) {
      // Verified once; its age is not: `max_age` as `TimestampSigner.unsign` checks it.
      return maxAge !== undefined && now - hit.stamp > maxAge
        ? Either.left<LoadFailure>("expired")
        : Either.right(copyData(hit.data))
    }
    const unsigned = Signing.timestampUnsignAt(s, value, now, maxAge === undefined ? undefined : { maxAge })
    if (Either.isLeft(unsigned)) {
      return Either.left<LoadFailure>(unsigned.left._tag === "SignatureExpired" ? "expired" : "bad-signature")
    }
    const text = payloadText(unsigned.right)
    const data = text === undefined ? undefined : parseObject(text)
    if (data === undefined) return Either.left<LoadFailure>("bad-payload")
    // `payload:timestamp:signature`; the timestamp verified with the rest.
    const stamp = Signing.b62Decode(value.slice(unsigned.right.length + s.sep.length, value.lastIndexOf(s.sep)))
    if (stamp !== undefined) remember(value, s, data, stamp)
    return Either.right(copyData(data))
  })

const keys = (settings: Settings.Settings): ReadonlyArray<Uint8Array> =>
  Option.match(settings.SECRET_KEY, {
    onNone: () => [],
    onSome: (k) => [k, ...settings.SECRET_KEY_FALLBACKS].map((r) => Buffer.from(Redacted.value(r), "utf8"))
  })

const legacyHash = (serialized: Uint8Array, key: Uint8Array): string =>
  Buffer.from(Signing.saltedHmac(LEGACY_SALT, serialized, key, "sha1")).toString("hex")

/**
 * `SessionBase._legacy_encode(data)` (Django < 3.1, and 3.2 with `DEFAULT_HASHING_ALGORITHM =
 * "sha1"`): standard padded base64 of `hexdigest + ":" + json` (V11-V12).
 */
export const legacyEncode = (settings: Settings.Settings, data: Data): Either.Either<string, string> => {
  const [key] = keys(settings)
  if (key === undefined) return Either.left("The SECRET_KEY setting must not be empty.")
  const serialized = Buffer.from(dumps(data), "latin1")
  return Either.right(
    Buffer.concat([Buffer.from(legacyHash(serialized, key) + ":", "latin1"), serialized]).toString("base64")
  )
}

/** Python's non-validating `base64.b64decode`: characters outside the alphabet are dropped. */
const b64decodeLoose = (text: string): Buffer | undefined => {
  const kept = text.replace(/[^A-Za-z0-9+/=]/g, "")
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(kept) || kept.length % 4 !== 0) return undefined
  return Buffer.from(kept, "base64")
}

/** `SessionBase._legacy_decode`: the data when the sha1 hex HMAC verifies, else `undefined`. */
export const legacyDecode = (settings: Settings.Settings, value: string): Map<string, Json> | undefined => {
  const bytes = b64decodeLoose(value)
  if (bytes === undefined) return undefined
  const colon = bytes.indexOf(0x3a)
  if (colon < 0) return undefined
  const hash = bytes.subarray(0, colon).toString("latin1")
  const serialized = bytes.subarray(colon + 1)
  for (const key of keys(settings)) {
    const expected = legacyHash(serialized, key)
    if (
      hash.length === expected.length && crypto.timingSafeEqual(Buffer.from(hash), Buffer.from(expected))
    ) {
      return parseObject(serialized.toString("utf8"))
    }
  }
  return undefined
}

const encodeWith = (
  settings: Settings.Settings,
  data: Data,
  now: number,
  keep: boolean
): Either.Either<string, InvalidArgument | ImproperlyConfigured | string> =>
  settings.DEFAULT_HASHING_ALGORITHM === "sha1"
    ? legacyEncode(settings, data)
    : sign(settings, SESSION_SALT, data, now, keep)

/**
 * `SessionBase.encode(data)` at `now` (seconds): `signing.dumps` with the
 * `django.contrib.sessions.SessionStore` salt and compression, or the legacy format when
 * `DEFAULT_HASHING_ALGORITHM` is `"sha1"`.
 */
export const encode = (
  settings: Settings.Settings,
  data: Data,
  now: number
): Either.Either<string, InvalidArgument | ImproperlyConfigured | string> => encodeWith(settings, data, now, false)

/** `encode` of a session's own data (see `signSession`): remembered as decoded. */
export const encodeSession = (
  settings: Settings.Settings,
  data: Data,
  now: number
): Either.Either<string, InvalidArgument | ImproperlyConfigured | string> => encodeWith(settings, data, now, true)

/**
 * `SessionBase.decode(value)`: the data, or `undefined` when Django would log "Session data
 * corrupted" and answer `{}`.
 */
export const decode = (settings: Settings.Settings, value: string, now: number): Map<string, Json> | undefined => {
  const loaded = loadData(settings, SESSION_SALT, value, now)
  if (Either.isRight(loaded)) return loaded.right
  return legacyDecode(settings, value)
}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

/** `VALID_KEY_CHARS` (V14). */
export const VALID_KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"

/** `get_random_string(32, VALID_KEY_CHARS)`, from the system's secure random source. */
export const newKey = (): string => {
  let out = ""
  for (let i = 0; i < 32; i++) out += VALID_KEY_CHARS[crypto.randomInt(VALID_KEY_CHARS.length)]
  return out
}

/** `_validate_session_key`: truthy and at least 8 characters, else `None` (V14). */
export const validKey = (key: string | null | undefined): string | null =>
  key !== null && key !== undefined && key.length >= 8 ? key : null
