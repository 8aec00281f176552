/**
 * Django 3.2's `django.core.signing`, byte for byte (but compressed payloads, which
 * hold the same JSON in another zlib stream): `Signer`, `TimestampSigner`,
 * `sign_object`/`unsign_object`, `dumps`/`loads`, and the cookie signer behind
 * `set_signed_cookie`/`get_signed_cookie`. Key rotation follows Django 4.1's
 * `SECRET_KEY_FALLBACKS`: sign with the current key, verify with any.
 *
 * Time: functions that read the time come in two forms, an `Effect` that reads
 * Effect's `Clock` (so tests can use `TestClock`) and an `...At` function taking
 * `now` explicitly, in seconds since the epoch like Python's `time.time()`.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Signing } from "effect-django-http"
 *
 * const signer = Either.getOrThrow(Signing.makeSigner({ key: "secret" }))
 * Signing.sign(signer, "hello") // "hello:FRBs_KKrjaVe9zJEdlQdiuJ2n9jBEsFOL1Capquoa18"
 * Signing.unsign(signer, "hello:FRBs_KKrjaVe9zJEdlQdiuJ2n9jBEsFOL1Capquoa18") // Either.right("hello")
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Inspectable from "effect/Inspectable"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"
import * as zlib from "node:zlib"
import { BadSignature, ImproperlyConfigured, InvalidArgument, SignatureExpired } from "./Errors.js"
import * as Json_ from "./internal/python/json.js"
import * as Repr from "./internal/python/repr.js"
import * as internal from "./internal/signing.js"
import * as Settings from "./Settings.js"

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-django-http/Signing")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A hash Django's `Signer` accepts (the names of Python's `hashlib`).
 *
 * @since 0.1.0
 * @category models
 */
export type Algorithm = internal.Algorithm

/**
 * A signing key: text (encoded as UTF-8, like Django's `force_bytes`), bytes, or
 * either of them `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export type Key = string | Uint8Array | Redacted.Redacted<string> | Redacted.Redacted<Uint8Array>

/**
 * What both signers share.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignerBase extends Pipeable, Inspectable.Inspectable {
  readonly [TypeId]: TypeId
  /** The separator between value, timestamp and signature. */
  readonly sep: string
  /** The namespace of the signatures (Django's class path when none is given). */
  readonly salt: string
  readonly algorithm: Algorithm
  /** The key signatures are made with. */
  readonly key: Redacted.Redacted<Uint8Array>
  /** Older keys that still verify (Django 4.1's `fallback_keys`), tried in order. */
  readonly fallbackKeys: ReadonlyArray<Redacted.Redacted<Uint8Array>>
}

/**
 * Django's `Signer`: `value + sep + signature`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Signer extends SignerBase {
  readonly _tag: "Signer"
}

/**
 * Django's `TimestampSigner`: `value + sep + base62(time) + sep + signature`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TimestampSigner extends SignerBase {
  readonly _tag: "TimestampSigner"
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isSigner = (u: unknown): u is Signer | TimestampSigner => hasProperty(u, TypeId)

/**
 * A JSON value, what `loads`/`unsignObject` give back.
 *
 * @since 0.1.0
 * @category models
 */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/**
 * @since 0.1.0
 * @category models
 */
export interface SignerOptions {
  /** Required: Django falls back to `SECRET_KEY`; use `fromSettings` for that. */
  readonly key: Key
  /** Default: none. */
  readonly fallbackKeys?: ReadonlyArray<Key> | undefined
  /** Default `":"`. Must not be empty or made only of `A-z0-9-_=` (Django's check). */
  readonly sep?: string | undefined
  /** Default (also for `""`, as in Django): `"django.core.signing.Signer"` / `"...TimestampSigner"`. */
  readonly salt?: string | undefined
  /** Default `"sha256"`. */
  readonly algorithm?: Algorithm | undefined
}

/**
 * `maxAge` for timestamped values: a number of seconds (as in Django) or a `Duration`
 * (Django's `timedelta`).
 *
 * @since 0.1.0
 * @category models
 */
export type MaxAge = number | Duration.Duration

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

interface Internal {
  readonly keys: ReadonlyArray<Uint8Array>
  /** Prepared keys per algorithm, made on first use. */
  readonly prepared: Map<Algorithm, ReadonlyArray<internal.PreparedKey>>
}

const internals = new WeakMap<SignerBase, Internal>()

const Proto = {
  [TypeId]: TypeId,
  pipe() {
    return pipeArguments(this, arguments)
  },
  toJSON(this: SignerBase & { readonly _tag: string }) {
    return {
      _id: "Signing",
      _tag: this._tag,
      sep: this.sep,
      salt: this.salt,
      algorithm: this.algorithm,
      key: "<redacted>",
      fallbackKeys: this.fallbackKeys.length
    }
  },
  toString(this: Inspectable.Inspectable) {
    return Inspectable.format(this.toJSON())
  },
  [Inspectable.NodeInspectSymbol](this: Inspectable.Inspectable) {
    return this.toJSON()
  }
}

const unsafeSeparator = /^[A-z0-9\-_=]*\n?$/

const keyBytes = (key: Key): Uint8Array => {
  const raw: string | Uint8Array = Redacted.isRedacted(key) ? Redacted.value<string | Uint8Array>(key) : key
  return typeof raw === "string" ? Buffer.from(raw, "utf8") : raw
}

const emptyKey = () => new ImproperlyConfigured({ message: "The SECRET_KEY setting must not be empty." })

const make = <S extends Signer | TimestampSigner>(
  tag: S["_tag"],
  options: SignerOptions
): Either.Either<S, InvalidArgument | ImproperlyConfigured> => {
  const sep = options.sep ?? ":"
  if (unsafeSeparator.test(sep)) {
    return Either.left(
      new InvalidArgument({
        message: `Unsafe Signer separator: ${Repr.reprStr(sep)} (cannot be empty or consist of only A-z0-9-_=)`
      })
    )
  }
  const algorithm = options.algorithm ?? "sha256"
  if (!internal.isAlgorithm(algorithm)) {
    return Either.left(
      new InvalidArgument({
        message: `${Repr.reprStr(String(algorithm))} is not an algorithm accepted by the hashlib module.`
      })
    )
  }
  if (!internal.isWellFormed(sep) || (options.salt !== undefined && !internal.isWellFormed(options.salt))) {
    return Either.left(new InvalidArgument({ message: "The separator and the salt must be valid Unicode text." }))
  }
  const keys = [options.key, ...(options.fallbackKeys ?? [])].map(keyBytes)
  if (keys[0]!.length === 0) return Either.left(emptyKey())
  const signer = Object.create(Proto)
  signer._tag = tag
  signer.sep = sep
  signer.salt = options.salt || `django.core.signing.${tag}`
  signer.algorithm = algorithm
  signer.key = Redacted.make(keys[0]!)
  signer.fallbackKeys = keys.slice(1).map((k) => Redacted.make(k))
  internals.set(signer, { keys, prepared: new Map() })
  return Either.right(signer)
}

/**
 * Django's `Signer(key, sep, salt, algorithm)`, plus `fallbackKeys` (Django 4.1).
 * Fails with `InvalidArgument` for an unsafe separator or an unknown algorithm
 * (Django's `ValueError` messages) and with `ImproperlyConfigured` for an empty key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSigner = (options: SignerOptions): Either.Either<Signer, InvalidArgument | ImproperlyConfigured> =>
  make<Signer>("Signer", options)

/**
 * Django's `TimestampSigner(key, sep, salt, algorithm)`, plus `fallbackKeys`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeTimestampSigner = (
  options: SignerOptions
): Either.Either<TimestampSigner, InvalidArgument | ImproperlyConfigured> =>
  make<TimestampSigner>("TimestampSigner", options)

/**
 * Options for the settings-based constructors: as `SignerOptions`, with every
 * field optional.
 *
 * @since 0.1.0
 * @category models
 */
export type SettingsSignerOptions = Partial<SignerOptions>

const fromSettingsOptions = (
  settings: Settings.Settings,
  options: SettingsSignerOptions
): Either.Either<SignerOptions, ImproperlyConfigured> => {
  const given = options.key === undefined ? undefined : keyBytes(options.key)
  const key: Either.Either<Key, ImproperlyConfigured> = given !== undefined && given.length > 0
    ? Either.right(given)
    : Settings.secretKey(settings)
  return Either.map(key, (key) => ({
    ...options,
    key,
    fallbackKeys: options.fallbackKeys ?? settings.SECRET_KEY_FALLBACKS,
    algorithm: options.algorithm ?? settings.DEFAULT_HASHING_ALGORITHM
  }))
}

/**
 * A `Signer` as Django builds one without a key: `SECRET_KEY` (an empty or missing
 * `key` falls back to it), `SECRET_KEY_FALLBACKS` unless `fallbackKeys` is given,
 * and `DEFAULT_HASHING_ALGORITHM`. Fails with `ImproperlyConfigured` without a key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const signerFromSettings = (
  settings: Settings.Settings,
  options: SettingsSignerOptions = {}
): Either.Either<Signer, InvalidArgument | ImproperlyConfigured> =>
  Either.flatMap(fromSettingsOptions(settings, options), makeSigner)

/**
 * A `TimestampSigner` from the settings; see `signerFromSettings`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const timestampSignerFromSettings = (
  settings: Settings.Settings,
  options: SettingsSignerOptions = {}
): Either.Either<TimestampSigner, InvalidArgument | ImproperlyConfigured> =>
  Either.flatMap(fromSettingsOptions(settings, options), makeTimestampSigner)

// ---------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------

const preparedKeys = (signer: SignerBase, algorithm: Algorithm): ReadonlyArray<internal.PreparedKey> => {
  const state = internals.get(signer)!
  let keys = state.prepared.get(algorithm)
  if (keys === undefined) {
    keys = state.keys.map((k) => internal.preparedKey(algorithm, signer.salt + "signer", k))
    state.prepared.set(algorithm, keys)
  }
  return keys
}

/**
 * Django's `Signer.signature(value)`: the salted HMAC of `value` with the current
 * key, URL-safe base64 without padding.
 *
 * @since 0.1.0
 * @category signatures
 */
export const signature: {
  (value: string): (self: SignerBase) => string
  (self: SignerBase, value: string): string
} = dual(
  2,
  (self: SignerBase, value: string): string => internal.hmacBase64(preparedKeys(self, self.algorithm)[0]!, value)
)

const verifies = (self: SignerBase, value: string, sig: string): boolean => {
  for (const key of preparedKeys(self, self.algorithm)) {
    if (internal.constantTimeCompare(sig, internal.hmacBase64(key, value))) return true
  }
  // Django 3.2 still accepts the signatures of Django < 3.1 (sha1); 4.0 dropped them.
  for (const key of preparedKeys(self, "sha1")) {
    if (internal.constantTimeCompare(sig, internal.hmacBase64(key, value))) return true
  }
  return false
}

/**
 * `unsign` in Django's base `Signer`: the value before the last separator, when the
 * signature after it verifies with the key, a fallback key, or (Django 3.2) the
 * same keys with the legacy sha1 algorithm.
 */
const unsignBase = (self: SignerBase, signed: string): Either.Either<string, BadSignature> => {
  const at = signed.lastIndexOf(self.sep)
  if (at < 0) return Either.left(new BadSignature({ message: `No "${self.sep}" found in value` }))
  const value = signed.slice(0, at)
  const sig = signed.slice(at + self.sep.length)
  // A lone surrogate would be signed as U+FFFD: never accept one in place of it.
  if (internal.isWellFormed(value) && verifies(self, value, sig)) return Either.right(value)
  return Either.left(new BadSignature({ message: `Signature "${sig}" does not match` }))
}

/** `value + sep + signature`, for a value already well-formed. */
const signRaw = (self: SignerBase, v: string): string =>
  v + self.sep + internal.hmacBase64(preparedKeys(self, self.algorithm)[0]!, v)

const signBase = (self: SignerBase, value: string): string => signRaw(self, internal.toWellFormed(value))

/**
 * Django's `Signer.sign(value)`: `value + sep + signature`. A lone surrogate in
 * `value` (text Python cannot encode) is replaced by U+FFFD first.
 *
 * @since 0.1.0
 * @category signing
 */
export const sign: {
  (value: string): (self: Signer) => string
  (self: Signer, value: string): string
} = dual(2, (self: Signer, value: string): string => signBase(self, value))

/**
 * Django's `Signer.unsign(signed)`, failing with `BadSignature` and Django's
 * messages (`No ":" found in value`, `Signature "..." does not match`).
 *
 * @since 0.1.0
 * @category signing
 */
export const unsign: {
  (signed: string): (self: Signer) => Either.Either<string, BadSignature>
  (self: Signer, signed: string): Either.Either<string, BadSignature>
} = dual(2, (self: Signer, signed: string): Either.Either<string, BadSignature> => unsignBase(self, signed))

// ---------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------

const nowSeconds: Effect.Effect<number> = Effect.map(Clock.currentTimeMillis, (ms) => ms / 1000)

/** `f` at the time of Effect's `Clock`, in one step. */
const atNow = <A, E>(f: (now: number) => Either.Either<A, E>): Effect.Effect<A, E> =>
  Effect.clockWith((clock) => f(clock.unsafeCurrentTimeMillis() / 1000))

/**
 * Django's `TimestampSigner.sign(value)` at `now` (seconds since the epoch, as
 * Python's `time.time()`): `value + sep + base62(int(now)) + sep + signature`.
 *
 * @since 0.1.0
 * @category timestamps
 */
export const timestampSignAt: {
  (value: string, now: number): (self: TimestampSigner) => string
  (self: TimestampSigner, value: string, now: number): string
} = dual(
  3,
  (self: TimestampSigner, value: string, now: number): string =>
    signRaw(self, internal.toWellFormed(value) + self.sep + internal.b62Encode(Math.trunc(now)))
)

/**
 * Django's `TimestampSigner.sign(value)`, at the time of Effect's `Clock`.
 *
 * @since 0.1.0
 * @category timestamps
 */
export const timestampSign: {
  (value: string): (self: TimestampSigner) => Effect.Effect<string>
  (self: TimestampSigner, value: string): Effect.Effect<string>
} = dual(
  2,
  (self: TimestampSigner, value: string): Effect.Effect<string> =>
    atNow((now) => Either.right(timestampSignAt(self, value, now)))
)

/**
 * @since 0.1.0
 * @category models
 */
export interface UnsignOptions {
  /** Reject signatures older than this (seconds, or a `Duration`). Default: no limit. */
  readonly maxAge?: MaxAge | undefined
}

const maxAgeSeconds = (maxAge: MaxAge): number => typeof maxAge === "number" ? maxAge : Duration.toMillis(maxAge) / 1000

/** `maxAge` as Python prints it in the expiry message (a timedelta's total_seconds() is a float). */
const maxAgeText = (maxAge: MaxAge): string =>
  typeof maxAge === "number" ? Repr.numberRepr(maxAge) : Repr.floatRepr(maxAgeSeconds(maxAge))

const checkAge = (
  value: string,
  sep: string,
  now: number,
  maxAge: MaxAge | undefined
): Either.Either<string, BadSignature | SignatureExpired> => {
  const at = value.lastIndexOf(sep)
  const stamp = at < 0 ? undefined : internal.b62Decode(value.slice(at + sep.length))
  if (stamp === undefined) {
    // Only a value signed with this key and salt but without a timestamp gets here.
    return Either.left(new BadSignature({ message: "Signed value has no valid timestamp" }))
  }
  if (maxAge !== undefined) {
    const age = now - stamp
    if (age > maxAgeSeconds(maxAge)) {
      return Either.left(
        new SignatureExpired({ message: `Signature age ${Repr.floatRepr(age)} > ${maxAgeText(maxAge)} seconds` })
      )
    }
  }
  return Either.right(value.slice(0, at))
}

/**
 * Django's `TimestampSigner.unsign(signed, max_age)` at `now` (seconds since the
 * epoch). Fails with `BadSignature`, or `SignatureExpired` with Django's message
 * (`Signature age 12.5 > 10 seconds`, the age formatted as Python prints a float).
 *
 * @since 0.1.0
 * @category timestamps
 */
export const timestampUnsignAt: {
  (
    signed: string,
    now: number,
    options?: UnsignOptions
  ): (self: TimestampSigner) => Either.Either<string, BadSignature | SignatureExpired>
  (
    self: TimestampSigner,
    signed: string,
    now: number,
    options?: UnsignOptions
  ): Either.Either<string, BadSignature | SignatureExpired>
} = dual(
  (args) => isSigner(args[0]),
  (
    self: TimestampSigner,
    signed: string,
    now: number,
    options?: UnsignOptions
  ): Either.Either<string, BadSignature | SignatureExpired> =>
    Either.flatMap(unsignBase(self, signed), (value) => checkAge(value, self.sep, now, options?.maxAge))
)

/**
 * Django's `TimestampSigner.unsign(signed, max_age)`, at the time of Effect's `Clock`.
 *
 * @since 0.1.0
 * @category timestamps
 */
export const timestampUnsign: {
  (
    signed: string,
    options?: UnsignOptions
  ): (self: TimestampSigner) => Effect.Effect<string, BadSignature | SignatureExpired>
  (
    self: TimestampSigner,
    signed: string,
    options?: UnsignOptions
  ): Effect.Effect<string, BadSignature | SignatureExpired>
} = dual(
  (args) => isSigner(args[0]),
  (self: TimestampSigner, signed: string, options?: UnsignOptions) =>
    atNow((now) => timestampUnsignAt(self, signed, now, options))
)

// ---------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface SignObjectOptions {
  /** zlib-compress the JSON when that saves more than one byte (marked by a leading `.`). Default `false`. */
  readonly compress?: boolean | undefined
}

/** Django's `JSONSerializer`: `json.dumps(obj, separators=(",", ":"))`; NaN and infinities refused (no JSON reader takes them back). */
const COMPACT: Json_.DumpsConfig = { separators: [",", ":"], allowNan: false, maps: true }

/**
 * The payload of `sign_object`: compact JSON as Python's `json.dumps` writes it
 * (ASCII only), optionally zlib-compressed, URL-safe base64.
 */
const encodeObject = (obj: unknown, compress: boolean): Either.Either<string, InvalidArgument> => {
  let json: string | Json_.DumpsError
  try {
    json = Json_.dumps(obj, COMPACT)
  } catch (e) {
    // A stack overflow on a very deep value: still the caller's argument.
    return Either.left(new InvalidArgument({ message: `Cannot serialize the value: ${String(e)}` }))
  }
  if (typeof json !== "string") return Either.left(new InvalidArgument({ message: json.message }))
  const data = Buffer.from(json, "latin1")
  if (compress) {
    // Node's zlib at its default level (6, Python's too). Its bytes may differ from Python's
    // (Node bundles Chromium's zlib); any zlib stream is what Django's loads reads.
    const compressed = zlib.deflateSync(data)
    if (compressed.length < data.length - 1) return Either.right("." + internal.b64Encode(compressed))
  }
  return Either.right(internal.b64Encode(data))
}

const payloadError = (what: string) => new BadSignature({ message: `Signed payload is not valid ${what}` })

const decodeObject = (payload: string): Either.Either<Json, BadSignature> => {
  const compressed = payload.startsWith(".")
  let data = internal.b64Decode(compressed ? payload.slice(1) : payload)
  if (data === undefined) return Either.left(payloadError("base64"))
  if (compressed) {
    try {
      data = zlib.inflateSync(data)
    } catch {
      return Either.left(payloadError("zlib data"))
    }
  }
  try {
    return Either.right(JSON.parse(data.toString("latin1")) as Json)
  } catch {
    return Either.left(payloadError("JSON"))
  }
}

/**
 * Django's `Signer.sign_object(obj, compress)`. `obj` is a JSON-like value (null,
 * booleans, numbers, bigints, strings, arrays, plain objects, `Map`s with string
 * keys); anything else fails with `InvalidArgument` and Python's message (`Object of
 * type Date is not JSON serializable`). Integral numbers are written as Python ints,
 * the others as Python floats (`1e-07`, `1e+16`). Plain objects list index-like keys
 * (`"1"`) first, as JavaScript orders them; use a `Map` to keep a dict's order.
 *
 * Compression goes through `node:zlib` at Python's default level; its bytes can
 * differ from Python's `zlib.compress` (Node bundles Chromium's zlib) while holding
 * the same JSON: each side reads the other's.
 *
 * @since 0.1.0
 * @category objects
 */
export const signObject: {
  (obj: unknown, options?: SignObjectOptions): (self: Signer) => Either.Either<string, InvalidArgument>
  (self: Signer, obj: unknown, options?: SignObjectOptions): Either.Either<string, InvalidArgument>
} = dual(
  (args) => isSigner(args[0]),
  (self: Signer, obj: unknown, options?: SignObjectOptions): Either.Either<string, InvalidArgument> =>
    Either.map(encodeObject(obj, options?.compress === true), (payload) => signBase(self, payload))
)

/**
 * Django's `Signer.unsign_object(signed)`. A payload that verifies but does not
 * decode (only possible with the key) is a `BadSignature` too.
 *
 * @since 0.1.0
 * @category objects
 */
export const unsignObject: {
  (signed: string): (self: Signer) => Either.Either<Json, BadSignature>
  (self: Signer, signed: string): Either.Either<Json, BadSignature>
} = dual(
  2,
  (self: Signer, signed: string): Either.Either<Json, BadSignature> =>
    Either.flatMap(unsignBase(self, signed), decodeObject)
)

/**
 * `TimestampSigner.sign_object(obj, compress)` at `now` (seconds since the epoch).
 *
 * @since 0.1.0
 * @category objects
 */
export const timestampSignObjectAt: {
  (
    obj: unknown,
    now: number,
    options?: SignObjectOptions
  ): (self: TimestampSigner) => Either.Either<string, InvalidArgument>
  (
    self: TimestampSigner,
    obj: unknown,
    now: number,
    options?: SignObjectOptions
  ): Either.Either<string, InvalidArgument>
} = dual(
  (args) => isSigner(args[0]),
  (self: TimestampSigner, obj: unknown, now: number, options?: SignObjectOptions) =>
    Either.map(encodeObject(obj, options?.compress === true), (payload) => timestampSignAt(self, payload, now))
)

/**
 * `TimestampSigner.unsign_object(signed, max_age)` at `now` (seconds since the epoch).
 *
 * @since 0.1.0
 * @category objects
 */
export const timestampUnsignObjectAt: {
  (
    signed: string,
    now: number,
    options?: UnsignOptions
  ): (self: TimestampSigner) => Either.Either<Json, BadSignature | SignatureExpired>
  (
    self: TimestampSigner,
    signed: string,
    now: number,
    options?: UnsignOptions
  ): Either.Either<Json, BadSignature | SignatureExpired>
} = dual(
  (args) => isSigner(args[0]),
  (self: TimestampSigner, signed: string, now: number, options?: UnsignOptions) =>
    Either.flatMap(timestampUnsignAt(self, signed, now, options), decodeObject)
)

/**
 * @since 0.1.0
 * @category models
 */
export interface DumpsOptions extends SignObjectOptions {
  /** Default: `SECRET_KEY` from the current settings. */
  readonly key?: Key | undefined
  /** Default `"django.core.signing"`. */
  readonly salt?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LoadsOptions extends UnsignOptions {
  /** Default: `SECRET_KEY` (and `SECRET_KEY_FALLBACKS`) from the current settings. */
  readonly key?: Key | undefined
  /** Default `"django.core.signing"`. */
  readonly salt?: string | undefined
}

const dumpsSigner = (options: { readonly key?: Key | undefined; readonly salt?: string | undefined }) =>
  Effect.flatMap(Settings.current, (settings) =>
    timestampSignerFromSettings(settings, {
      ...(options.key === undefined ? {} : { key: options.key }),
      salt: options.salt ?? "django.core.signing"
    }))

/**
 * Django's `signing.dumps(obj, key, salt, compress)`: a `TimestampSigner` over the
 * object's JSON, at the time of Effect's `Clock`, with the key of the current
 * `Settings` unless one is given.
 *
 * @since 0.1.0
 * @category objects
 */
export const dumps = (
  obj: unknown,
  options: DumpsOptions = {}
): Effect.Effect<string, InvalidArgument | ImproperlyConfigured> =>
  Effect.flatMap(
    dumpsSigner(options),
    (signer) => Effect.flatMap(nowSeconds, (now) => timestampSignObjectAt(signer, obj, now, options))
  )

/**
 * Django's `signing.loads(signed, key, salt, max_age)`.
 *
 * @since 0.1.0
 * @category objects
 */
export const loads = (
  signed: string,
  options: LoadsOptions = {}
): Effect.Effect<Json, BadSignature | SignatureExpired | ImproperlyConfigured | InvalidArgument> =>
  Effect.flatMap(
    dumpsSigner(options),
    (signer) => Effect.flatMap(nowSeconds, (now) => timestampUnsignObjectAt(signer, signed, now, options))
  )

// ---------------------------------------------------------------------------
// Cookies
// ---------------------------------------------------------------------------

const cookiePrefix = Buffer.from("django.http.cookies", "utf8")
const cookieKey = (key: Redacted.Redacted<string>): Uint8Array =>
  Buffer.concat([cookiePrefix, Buffer.from(Redacted.value(key), "utf8")])

const cookieSigners = new WeakMap<Settings.Settings, Map<string, TimestampSigner>>()
const cookieSignersLimit = 256

/**
 * Django's `get_cookie_signer(salt)`: a `TimestampSigner` keyed with
 * `"django.http.cookies" + SECRET_KEY` (and the same for each of
 * `SECRET_KEY_FALLBACKS`). Cached per settings and salt.
 *
 * @since 0.1.0
 * @category cookies
 */
export const cookieSigner = (
  settings: Settings.Settings,
  salt: string = "django.core.signing.get_cookie_signer"
): Either.Either<TimestampSigner, ImproperlyConfigured> => {
  let signers = cookieSigners.get(settings)
  const cached = signers?.get(salt)
  if (cached !== undefined) return Either.right(cached)
  return Either.flatMap(Settings.secretKey(settings), (secret) => {
    const made = makeTimestampSigner({
      key: cookieKey(secret),
      fallbackKeys: settings.SECRET_KEY_FALLBACKS.map(cookieKey),
      salt,
      algorithm: settings.DEFAULT_HASHING_ALGORITHM
    })
    // A cookie signer has Django's separator and a known algorithm: only the key can be wrong.
    if (Either.isLeft(made)) return Either.left(emptyKey())
    if (signers === undefined) {
      signers = new Map()
      cookieSigners.set(settings, signers)
    }
    if (signers.size >= cookieSignersLimit) signers.delete(signers.keys().next().value!)
    signers.set(salt, made.right)
    return Either.right(made.right)
  })
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CookieOptions {
  /** Added to the cookie name to make the signer's salt. Default `""`. */
  readonly salt?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface UnsignCookieOptions extends CookieOptions, UnsignOptions {}

/**
 * The signed value Django's `response.set_signed_cookie(name, value, salt)` stores,
 * at `now` (seconds since the epoch).
 *
 * @since 0.1.0
 * @category cookies
 */
export const signCookieAt = (
  settings: Settings.Settings,
  name: string,
  value: string,
  now: number,
  options?: CookieOptions
): Either.Either<string, ImproperlyConfigured> =>
  Either.map(cookieSigner(settings, name + (options?.salt ?? "")), (signer) => timestampSignAt(signer, value, now))

/**
 * The value Django's `request.get_signed_cookie(name, salt=salt, max_age=maxAge)`
 * reads from a cookie's signed value, at `now` (seconds since the epoch).
 *
 * @since 0.1.0
 * @category cookies
 */
export const unsignCookieAt = (
  settings: Settings.Settings,
  name: string,
  signed: string,
  now: number,
  options?: UnsignCookieOptions
): Either.Either<string, BadSignature | SignatureExpired | ImproperlyConfigured> =>
  Either.flatMap(
    cookieSigner(settings, name + (options?.salt ?? "")),
    (signer): Either.Either<string, BadSignature | SignatureExpired> => timestampUnsignAt(signer, signed, now, options)
  )

/**
 * The signed value Django's `response.set_signed_cookie(name, value, salt)` stores,
 * at the time of Effect's `Clock`.
 *
 * @since 0.1.0
 * @category cookies
 */
export const signCookie = (
  settings: Settings.Settings,
  name: string,
  value: string,
  options?: CookieOptions
): Effect.Effect<string, ImproperlyConfigured> => atNow((now) => signCookieAt(settings, name, value, now, options))

/**
 * The value Django's `request.get_signed_cookie(name, salt=salt, max_age=maxAge)`
 * reads from a cookie's signed value, at the time of Effect's `Clock`.
 *
 * @since 0.1.0
 * @category cookies
 */
export const unsignCookie = (
  settings: Settings.Settings,
  name: string,
  signed: string,
  options?: UnsignCookieOptions
): Effect.Effect<string, BadSignature | SignatureExpired | ImproperlyConfigured> =>
  atNow((now) => unsignCookieAt(settings, name, signed, now, options))

// ---------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------

/**
 * Django's `salted_hmac(key_salt, value, secret, algorithm).digest()`:
 * HMAC keyed with `H(key_salt + secret)`.
 *
 * @since 0.1.0
 * @category primitives
 */
export const saltedHmac = (
  keySalt: string,
  value: string | Uint8Array,
  secret: Key,
  algorithm: Algorithm = "sha1"
): Uint8Array => {
  const [hash] = internal.algorithms[algorithm]
  const derived = crypto.hash(hash, Buffer.concat([Buffer.from(keySalt, "utf8"), keyBytes(secret)]), "buffer")
  return crypto.createHmac(hash, derived).update(typeof value === "string" ? Buffer.from(value, "utf8") : value)
    .digest()
}

/**
 * Django's `constant_time_compare(a, b)` (`secrets.compare_digest` over UTF-8 bytes).
 *
 * @since 0.1.0
 * @category primitives
 */
export const constantTimeCompare = (a: string, b: string): boolean => {
  const x = Buffer.from(a, "utf8")
  const y = Buffer.from(b, "utf8")
  return x.length === y.length && crypto.timingSafeEqual(x, y)
}

/**
 * Django's `b64_encode`: URL-safe base64 without `=` padding.
 *
 * @since 0.1.0
 * @category primitives
 */
export const b64Encode = (bytes: Uint8Array): string => internal.b64Encode(bytes)

/**
 * Django's `b64_decode`; `undefined` for text that is not URL-safe base64.
 *
 * @since 0.1.0
 * @category primitives
 */
export const b64Decode = (text: string): Uint8Array | undefined => internal.b64Decode(text)

/**
 * Django's base62 (`baseconv.base62.encode`), the timestamp format.
 *
 * @since 0.1.0
 * @category primitives
 */
export const b62Encode = (n: number): string => internal.b62Encode(Math.trunc(n))

/**
 * Django's base62 (`baseconv.base62.decode`); `undefined` for text it rejects.
 *
 * @since 0.1.0
 * @category primitives
 */
export const b62Decode = (text: string): number | undefined => internal.b62Decode(text)
