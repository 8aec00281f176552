/**
 * The implementation of `Signing` (the public module holds its signatures and docs): the
 * signer values and their keys, `Signer` and `TimestampSigner` (sign, unsign, max age), signed
 * objects (Django's `signing.dumps` / `loads`, JSON and zlib) and signed cookies. The primitives
 * under them (salted HMAC, base62, base64) are `./signing.ts`.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"
import * as zlib from "node:zlib"
import { BadSignature, ImproperlyConfigured, InvalidArgument, SignatureExpired } from "../Errors.js"
import * as Settings from "../Settings.js"
import * as Json_ from "./python/json.js"
import * as Repr from "./python/repr.js"
import * as internal from "./signing.js"

import type {
  Algorithm,
  CookieOptions,
  DumpsOptions,
  Json,
  Key,
  LoadsOptions,
  MaxAge,
  SettingsSignerOptions,
  Signer,
  SignerBase,
  SignerOptions,
  SignObjectOptions,
  TimestampSigner,
  TypeId as TypeId_,
  UnsignCookieOptions,
  UnsignOptions
} from "../Signing.js"

type TypeId = TypeId_

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

export const TypeId: TypeId_ = Symbol.for("effect-django-http/Signing") as TypeId_

export const isSigner = (u: unknown): u is Signer | TimestampSigner => hasProperty(u, TypeId)

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

export const makeSigner = (options: SignerOptions): Either.Either<Signer, InvalidArgument | ImproperlyConfigured> =>
  make<Signer>("Signer", options)

export const makeTimestampSigner = (
  options: SignerOptions
): Either.Either<TimestampSigner, InvalidArgument | ImproperlyConfigured> =>
  make<TimestampSigner>("TimestampSigner", options)

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

export const signerFromSettings = (
  settings: Settings.Settings,
  options: SettingsSignerOptions = {}
): Either.Either<Signer, InvalidArgument | ImproperlyConfigured> =>
  Either.flatMap(fromSettingsOptions(settings, options), makeSigner)

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

export const sign: {
  (value: string): (self: Signer) => string
  (self: Signer, value: string): string
} = dual(2, (self: Signer, value: string): string => signBase(self, value))

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

export const timestampSignAt: {
  (value: string, now: number): (self: TimestampSigner) => string
  (self: TimestampSigner, value: string, now: number): string
} = dual(
  3,
  (self: TimestampSigner, value: string, now: number): string =>
    signRaw(self, internal.toWellFormed(value) + self.sep + internal.b62Encode(Math.trunc(now)))
)

export const timestampSign: {
  (value: string): (self: TimestampSigner) => Effect.Effect<string>
  (self: TimestampSigner, value: string): Effect.Effect<string>
} = dual(
  2,
  (self: TimestampSigner, value: string): Effect.Effect<string> =>
    atNow((now) => Either.right(timestampSignAt(self, value, now)))
)

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

export const signObject: {
  (obj: unknown, options?: SignObjectOptions): (self: Signer) => Either.Either<string, InvalidArgument>
  (self: Signer, obj: unknown, options?: SignObjectOptions): Either.Either<string, InvalidArgument>
} = dual(
  (args) => isSigner(args[0]),
  (self: Signer, obj: unknown, options?: SignObjectOptions): Either.Either<string, InvalidArgument> =>
    Either.map(encodeObject(obj, options?.compress === true), (payload) => signBase(self, payload))
)

export const unsignObject: {
  (signed: string): (self: Signer) => Either.Either<Json, BadSignature>
  (self: Signer, signed: string): Either.Either<Json, BadSignature>
} = dual(
  2,
  (self: Signer, signed: string): Either.Either<Json, BadSignature> =>
    Either.flatMap(unsignBase(self, signed), decodeObject)
)

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

const dumpsSigner = (options: { readonly key?: Key | undefined; readonly salt?: string | undefined }) =>
  Effect.flatMap(Settings.current, (settings) =>
    timestampSignerFromSettings(settings, {
      ...(options.key === undefined ? {} : { key: options.key }),
      salt: options.salt ?? "django.core.signing"
    }))

export const dumps = (
  obj: unknown,
  options: DumpsOptions = {}
): Effect.Effect<string, InvalidArgument | ImproperlyConfigured> =>
  Effect.flatMap(
    dumpsSigner(options),
    (signer) => Effect.flatMap(nowSeconds, (now) => timestampSignObjectAt(signer, obj, now, options))
  )

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

export const signCookieAt = (
  settings: Settings.Settings,
  name: string,
  value: string,
  now: number,
  options?: CookieOptions
): Either.Either<string, ImproperlyConfigured> =>
  Either.map(cookieSigner(settings, name + (options?.salt ?? "")), (signer) => timestampSignAt(signer, value, now))

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

export const signCookie = (
  settings: Settings.Settings,
  name: string,
  value: string,
  options?: CookieOptions
): Effect.Effect<string, ImproperlyConfigured> => atNow((now) => signCookieAt(settings, name, value, now, options))

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

export const constantTimeCompare = (a: string, b: string): boolean => {
  const x = Buffer.from(a, "utf8")
  const y = Buffer.from(b, "utf8")
  return x.length === y.length && crypto.timingSafeEqual(x, y)
}

export const b64Encode = (bytes: Uint8Array): string => internal.b64Encode(bytes)

export const b64Decode = (text: string): Uint8Array | undefined => internal.b64Decode(text)

export const b62Encode = (n: number): string => internal.b62Encode(Math.trunc(n))

export const b62Decode = (text: string): number | undefined => internal.b62Decode(text)
