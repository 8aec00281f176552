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
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Inspectable from "effect/Inspectable"
import type { Pipeable } from "effect/Pipeable"
import * as Redacted from "effect/Redacted"
import { BadSignature, ImproperlyConfigured, InvalidArgument, SignatureExpired } from "./Errors.js"
import * as internal from "./internal/signing.js"
import * as Settings from "./Settings.js"

import * as impl from "./internal/signer.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = impl.TypeId

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
export const isSigner: (u: unknown) => u is Signer | TimestampSigner = impl.isSigner

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

/**
 * Django's `Signer(key, sep, salt, algorithm)`, plus `fallbackKeys` (Django 4.1).
 * Fails with `InvalidArgument` for an unsafe separator or an unknown algorithm
 * (Django's `ValueError` messages) and with `ImproperlyConfigured` for an empty key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSigner: (options: SignerOptions) => Either.Either<Signer, InvalidArgument | ImproperlyConfigured> =
  impl.makeSigner

/**
 * Django's `TimestampSigner(key, sep, salt, algorithm)`, plus `fallbackKeys`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeTimestampSigner: (
  options: SignerOptions
) => Either.Either<TimestampSigner, InvalidArgument | ImproperlyConfigured> = impl.makeTimestampSigner

/**
 * Options for the settings-based constructors: as `SignerOptions`, with every
 * field optional.
 *
 * @since 0.1.0
 * @category models
 */
export type SettingsSignerOptions = Partial<SignerOptions>

/**
 * A `Signer` as Django builds one without a key: `SECRET_KEY` (an empty or missing
 * `key` falls back to it), `SECRET_KEY_FALLBACKS` unless `fallbackKeys` is given,
 * and `DEFAULT_HASHING_ALGORITHM`. Fails with `ImproperlyConfigured` without a key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const signerFromSettings: (
  settings: Settings.Settings,
  options?: SettingsSignerOptions
) => Either.Either<Signer, InvalidArgument | ImproperlyConfigured> = impl.signerFromSettings

/**
 * A `TimestampSigner` from the settings; see `signerFromSettings`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const timestampSignerFromSettings: (
  settings: Settings.Settings,
  options?: SettingsSignerOptions
) => Either.Either<TimestampSigner, InvalidArgument | ImproperlyConfigured> = impl.timestampSignerFromSettings

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
} = impl.signature

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
} = impl.sign

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
} = impl.unsign

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
} = impl.timestampSignAt

/**
 * Django's `TimestampSigner.sign(value)`, at the time of Effect's `Clock`.
 *
 * @since 0.1.0
 * @category timestamps
 */
export const timestampSign: {
  (value: string): (self: TimestampSigner) => Effect.Effect<string>
  (self: TimestampSigner, value: string): Effect.Effect<string>
} = impl.timestampSign

/**
 * @since 0.1.0
 * @category models
 */
export interface UnsignOptions {
  /** Reject signatures older than this (seconds, or a `Duration`). Default: no limit. */
  readonly maxAge?: MaxAge | undefined
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
} = impl.timestampUnsignAt

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
} = impl.timestampUnsign

/**
 * @since 0.1.0
 * @category models
 */
export interface SignObjectOptions {
  /** zlib-compress the JSON when that saves more than one byte (marked by a leading `.`). Default `false`. */
  readonly compress?: boolean | undefined
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
} = impl.signObject

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
} = impl.unsignObject

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
} = impl.timestampSignObjectAt

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
} = impl.timestampUnsignObjectAt

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

/**
 * Django's `signing.dumps(obj, key, salt, compress)`: a `TimestampSigner` over the
 * object's JSON, at the time of Effect's `Clock`, with the key of the current
 * `Settings` unless one is given.
 *
 * @since 0.1.0
 * @category objects
 */
export const dumps: (
  obj: unknown,
  options?: DumpsOptions
) => Effect.Effect<string, InvalidArgument | ImproperlyConfigured> = impl.dumps

/**
 * Django's `signing.loads(signed, key, salt, max_age)`.
 *
 * @since 0.1.0
 * @category objects
 */
export const loads: (
  signed: string,
  options?: LoadsOptions
) => Effect.Effect<Json, BadSignature | SignatureExpired | ImproperlyConfigured | InvalidArgument> = impl.loads

/**
 * Django's `get_cookie_signer(salt)`: a `TimestampSigner` keyed with
 * `"django.http.cookies" + SECRET_KEY` (and the same for each of
 * `SECRET_KEY_FALLBACKS`). Cached per settings and salt.
 *
 * @since 0.1.0
 * @category cookies
 */
export const cookieSigner: (
  settings: Settings.Settings,
  salt?: string
) => Either.Either<TimestampSigner, ImproperlyConfigured> = impl.cookieSigner

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
export const signCookieAt: (
  settings: Settings.Settings,
  name: string,
  value: string,
  now: number,
  options?: CookieOptions
) => Either.Either<string, ImproperlyConfigured> = impl.signCookieAt

/**
 * The value Django's `request.get_signed_cookie(name, salt=salt, max_age=maxAge)`
 * reads from a cookie's signed value, at `now` (seconds since the epoch).
 *
 * @since 0.1.0
 * @category cookies
 */
export const unsignCookieAt: (
  settings: Settings.Settings,
  name: string,
  signed: string,
  now: number,
  options?: UnsignCookieOptions
) => Either.Either<string, BadSignature | SignatureExpired | ImproperlyConfigured> = impl.unsignCookieAt

/**
 * The signed value Django's `response.set_signed_cookie(name, value, salt)` stores,
 * at the time of Effect's `Clock`.
 *
 * @since 0.1.0
 * @category cookies
 */
export const signCookie: (
  settings: Settings.Settings,
  name: string,
  value: string,
  options?: CookieOptions
) => Effect.Effect<string, ImproperlyConfigured> = impl.signCookie

/**
 * The value Django's `request.get_signed_cookie(name, salt=salt, max_age=maxAge)`
 * reads from a cookie's signed value, at the time of Effect's `Clock`.
 *
 * @since 0.1.0
 * @category cookies
 */
export const unsignCookie: (
  settings: Settings.Settings,
  name: string,
  signed: string,
  options?: UnsignCookieOptions
) => Effect.Effect<string, BadSignature | SignatureExpired | ImproperlyConfigured> = impl.unsignCookie

/**
 * Django's `salted_hmac(key_salt, value, secret, algorithm).digest()`:
 * HMAC keyed with `H(key_salt + secret)`.
 *
 * @since 0.1.0
 * @category primitives
 */
export const saltedHmac: (
  keySalt: string,
  value: string | Uint8Array,
  secret: Key,
  algorithm?: Algorithm
) => Uint8Array = impl.saltedHmac

/**
 * Django's `constant_time_compare(a, b)` (`secrets.compare_digest` over UTF-8 bytes).
 *
 * @since 0.1.0
 * @category primitives
 */
export const constantTimeCompare: (a: string, b: string) => boolean = impl.constantTimeCompare

/**
 * Django's `b64_encode`: URL-safe base64 without `=` padding.
 *
 * @since 0.1.0
 * @category primitives
 */
export const b64Encode: (bytes: Uint8Array) => string = impl.b64Encode

/**
 * Django's `b64_decode`; `undefined` for text that is not URL-safe base64.
 *
 * @since 0.1.0
 * @category primitives
 */
export const b64Decode: (text: string) => Uint8Array | undefined = impl.b64Decode

/**
 * Django's base62 (`baseconv.base62.encode`), the timestamp format.
 *
 * @since 0.1.0
 * @category primitives
 */
export const b62Encode: (n: number) => string = impl.b62Encode

/**
 * Django's base62 (`baseconv.base62.decode`); `undefined` for text it rejects.
 *
 * @since 0.1.0
 * @category primitives
 */
export const b62Decode: (text: string) => number | undefined = impl.b62Decode
