/**
 * Django 3.2's password hashing (`django.contrib.auth.hashers`), wire-compatible with the
 * `password` column of Django's `auth_user`: `pbkdf2_sha256` (260,000 iterations, Django 3.2's
 * default) and `pbkdf2_sha1`, unusable passwords, the upgrade of outdated hashes on login; and
 * the session auth hash that ties a login session to the password (`get_session_auth_hash`).
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Passwords } from "effect-django-http"
 *
 * const program = Effect.gen(function*() {
 *   const encoded = yield* Passwords.makePassword("correct horse battery staple")
 *   // "pbkdf2_sha256$260000$<22-character salt>$<base64 hash>"
 *   const ok = yield* Passwords.checkPassword("correct horse battery staple", encoded, {
 *     // called with the raw password when the hash should be re-made (old iterations, short salt)
 *     setter: (raw) => Effect.log(`would store a new hash for ${raw.length} characters`)
 *   })
 *   return ok
 * })
 * ```
 *
 * PBKDF2 runs on libuv's thread pool (`crypto.pbkdf2`), never on the event loop: a login does
 * not stall the requests served beside it. Node's pool has 4 threads unless
 * `UV_THREADPOOL_SIZE` says otherwise, which bounds the logins computed at once.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { InvalidArgument } from "./Errors.js"
import { randomString } from "./internal/csrf.js"
import * as internal from "./internal/passwords.js"
import { strip as pyStrip } from "./internal/python/str.js"
import * as Signing from "./Signing.js"

/**
 * Django's `UNUSABLE_PASSWORD_PREFIX`.
 *
 * @since 0.1.0
 * @category constants
 */
export const UNUSABLE_PASSWORD_PREFIX = "!"

/**
 * Django's `UNUSABLE_PASSWORD_SUFFIX_LENGTH`.
 *
 * @since 0.1.0
 * @category constants
 */
export const UNUSABLE_PASSWORD_SUFFIX_LENGTH = 40

/**
 * Django's `RANDOM_STRING_CHARS`: the alphabet of salts.
 *
 * @since 0.1.0
 * @category constants
 */
export const RANDOM_STRING_CHARS: string = internal.RANDOM_STRING_CHARS

/**
 * A PBKDF2 hasher as Django defines one: its algorithm name (the hash's first field), its
 * HMAC digest, its iteration count and the salt entropy it wants, in bits.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hasher {
  readonly algorithm: string
  readonly digest: "sha256" | "sha1"
  readonly iterations: number
  readonly saltEntropy: number
}

/**
 * A PBKDF2 hasher with another name or work factor (Django: a subclass of
 * `PBKDF2PasswordHasher` with `iterations` set).
 *
 * @since 0.1.0
 * @category constructors
 */
export const pbkdf2Hasher = (options: {
  readonly algorithm: string
  readonly digest: "sha256" | "sha1"
  readonly iterations?: number
  readonly saltEntropy?: number
}): Hasher => ({
  algorithm: options.algorithm,
  digest: options.digest,
  iterations: options.iterations ?? 260000,
  saltEntropy: options.saltEntropy ?? 128
})

/**
 * Django 3.2's `PBKDF2PasswordHasher`: `pbkdf2_sha256`, 260,000 iterations.
 *
 * @since 0.1.0
 * @category hashers
 */
export const pbkdf2Sha256: Hasher = pbkdf2Hasher({ algorithm: "pbkdf2_sha256", digest: "sha256" })

/**
 * Django 3.2's `PBKDF2SHA1PasswordHasher`: `pbkdf2_sha1`, 260,000 iterations.
 *
 * @since 0.1.0
 * @category hashers
 */
export const pbkdf2Sha1: Hasher = pbkdf2Hasher({ algorithm: "pbkdf2_sha1", digest: "sha1" })

/**
 * The hashers used when none are given, preferred first (Django's `PASSWORD_HASHERS`, without
 * the Argon2 and bcrypt hashers, which need libraries Django does not ship either).
 *
 * @since 0.1.0
 * @category hashers
 */
export const defaultHashers: ReadonlyArray<Hasher> = [pbkdf2Sha256, pbkdf2Sha1]

/**
 * A hash whose algorithm is not among the hashers (Django's `ValueError` from
 * `identify_hasher` and `get_hasher`, with its message).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownPasswordHasher extends Data.TaggedError("UnknownPasswordHasher")<{
  readonly algorithm: string
}> {
  /** @since 0.1.0 */
  override get message(): string {
    return `Unknown password hashing algorithm '${this.algorithm}'. ` +
      "Did you specify it in the PASSWORD_HASHERS setting?"
  }
}

/**
 * Where the hashers come from: `defaultHashers` unless given; the first is the preferred one.
 *
 * @since 0.1.0
 * @category models
 */
export interface HashersOption {
  readonly hashers?: ReadonlyArray<Hasher> | undefined
}

const hashersOf = (options: HashersOption | undefined): ReadonlyArray<Hasher> => options?.hashers ?? defaultHashers
const preferredOf = (options: HashersOption | undefined): Hasher => hashersOf(options)[0] ?? pbkdf2Sha256

/**
 * Django's `get_hasher(algorithm)`: the hasher of that name.
 *
 * @since 0.1.0
 * @category hashers
 */
export const getHasher = (
  algorithm: string,
  options?: HashersOption
): Either.Either<Hasher, UnknownPasswordHasher> => {
  const hasher = hashersOf(options).find((h) => h.algorithm === algorithm)
  return hasher === undefined ? Either.left(new UnknownPasswordHasher({ algorithm })) : Either.right(hasher)
}

/**
 * Django's `identify_hasher(encoded)`: the hasher named by the hash's first field (the
 * unsalted MD5 and SHA-1 shapes of ancient Django count as `unsalted_md5` and
 * `unsalted_sha1`, which are not supported).
 *
 * @since 0.1.0
 * @category hashers
 */
export const identifyHasher = (
  encoded: string,
  options?: HashersOption
): Either.Either<Hasher, UnknownPasswordHasher> => {
  const algorithm = (encoded.length === 32 && !encoded.includes("$")) ||
      (encoded.length === 37 && encoded.startsWith("md5$$"))
    ? "unsalted_md5"
    : encoded.length === 46 && encoded.startsWith("sha1$$")
    ? "unsalted_sha1"
    : encoded.split("$", 1)[0]!
  return getHasher(algorithm, options)
}

/**
 * Django's `is_password_usable(encoded)`: `false` for a hash made by `makePassword(null)`.
 * As in Django, `null` counts as usable.
 *
 * @since 0.1.0
 * @category checking
 */
export const isPasswordUsable = (encoded: string | null): boolean =>
  encoded === null || !encoded.startsWith(UNUSABLE_PASSWORD_PREFIX)

/**
 * A fresh salt with the hasher's entropy (Django's `hasher.salt()`): 22 characters of
 * `RANDOM_STRING_CHARS` for 128 bits.
 *
 * @since 0.1.0
 * @category hashing
 */
export const salt = (hasher: Hasher = pbkdf2Sha256): string =>
  randomString(Math.ceil(hasher.saltEntropy / Math.log2(RANDOM_STRING_CHARS.length)), RANDOM_STRING_CHARS)

/**
 * Django's `hasher.encode(password, salt, iterations)`: `algorithm$iterations$salt$base64hash`.
 * A salt that is empty or holds `$` is `InvalidArgument` (Django asserts).
 *
 * @since 0.1.0
 * @category hashing
 */
export const encode = (
  hasher: Hasher,
  password: string,
  salt: string,
  iterations?: number
): Effect.Effect<string, InvalidArgument> => {
  if (salt === "" || salt.includes("$")) {
    return Effect.fail(new InvalidArgument({ message: "A password salt must be non-empty and must not contain '$'." }))
  }
  const n = iterations === undefined || iterations === 0 ? hasher.iterations : iterations
  return Effect.map(
    internal.pbkdf2(password, salt, n, hasher.digest),
    (key) => `${hasher.algorithm}$${n}$${salt}$${key.toString("base64")}`
  )
}

/**
 * Django's `hasher.verify(password, encoded)`: re-encodes with the hash's salt and iterations
 * and compares in constant time. A hash of another algorithm or of a malformed shape is
 * `false` (Django fails with an error there).
 *
 * @since 0.1.0
 * @category checking
 */
export const verify = (hasher: Hasher, password: string, encoded: string): Effect.Effect<boolean> => {
  const decoded = internal.decode(encoded)
  if (decoded === undefined || decoded.algorithm !== hasher.algorithm || decoded.iterations < 0) {
    return Effect.succeed(false)
  }
  return Effect.match(encode(hasher, password, decoded.salt, decoded.iterations), {
    onFailure: () => false,
    onSuccess: (again) => Signing.constantTimeCompare(encoded, again)
  })
}

/**
 * Django's `must_update_salt(salt, expected_entropy)`: the salt is too short for the entropy.
 *
 * @since 0.1.0
 * @category checking
 */
export const mustUpdateSalt = (salt: string, expectedEntropy: number): boolean =>
  salt.length * Math.log2(RANDOM_STRING_CHARS.length) < expectedEntropy

/**
 * Django's `hasher.must_update(encoded)`: another iteration count, or a salt with less entropy
 * than the hasher wants.
 *
 * @since 0.1.0
 * @category checking
 */
export const hasherMustUpdate = (hasher: Hasher, encoded: string): boolean => {
  const decoded = internal.decode(encoded)
  if (decoded === undefined) return false
  return decoded.iterations !== hasher.iterations || mustUpdateSalt(decoded.salt, hasher.saltEntropy)
}

/**
 * Whether a correct password's hash should be made again, as `check_password` decides: its
 * hasher is not the preferred one, or the preferred one's `must_update` says so. `false` for
 * an unusable or unknown hash.
 *
 * @since 0.1.0
 * @category checking
 */
export const mustUpdate = (encoded: string, options?: HashersOption): boolean => {
  const hasher = identifyHasher(encoded, options)
  if (Either.isLeft(hasher)) return false
  const preferred = preferredOf(options)
  return hasher.right.algorithm !== preferred.algorithm || hasherMustUpdate(preferred, encoded)
}

/**
 * The options of `makePassword`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions extends HashersOption {
  /** A fixed salt; empty or absent means a fresh one. */
  readonly salt?: string | undefined
  /** The hasher, or its algorithm name; the preferred one when absent. */
  readonly hasher?: Hasher | string | undefined
}

/**
 * Django's `make_password(password, salt, hasher)`: the hash to store. `null` gives an
 * unusable password: `!` and 40 random characters.
 *
 * @since 0.1.0
 * @category hashing
 */
export const makePassword = (
  password: string | null,
  options?: MakeOptions
): Effect.Effect<string, InvalidArgument | UnknownPasswordHasher> => {
  if (password === null) {
    return Effect.sync(() => UNUSABLE_PASSWORD_PREFIX + randomString(UNUSABLE_PASSWORD_SUFFIX_LENGTH))
  }
  const chosen = options?.hasher
  const hasher = chosen === undefined
    ? Either.right(preferredOf(options))
    : typeof chosen === "string"
    ? getHasher(chosen, options)
    : Either.right(chosen)
  if (Either.isLeft(hasher)) return Effect.fail(hasher.left)
  const given = options?.salt
  return encode(hasher.right, password, given === undefined || given === "" ? salt(hasher.right) : given)
}

/**
 * Django's `harden_runtime`: for a wrong password against a hash with fewer iterations than
 * the hasher's, the missing iterations are run anyway, so that a failure takes as long as it
 * would against an up-to-date hash.
 *
 * @since 0.1.0
 * @category checking
 */
export const hardenRuntime = (hasher: Hasher, password: string, encoded: string): Effect.Effect<void> => {
  const decoded = internal.decode(encoded)
  if (decoded === undefined) return Effect.void
  const extra = hasher.iterations - decoded.iterations
  return extra > 0 ? Effect.asVoid(Effect.ignore(encode(hasher, password, decoded.salt, extra))) : Effect.void
}

/**
 * The options of `checkPassword`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CheckOptions<E, R> extends HashersOption {
  /**
   * Called with the raw password when it is correct and its hash should be made again
   * (`mustUpdate`): store `makePassword(raw)` there (Django's `user.set_password` + `save`).
   */
  readonly setter?: ((raw: string) => Effect.Effect<void, E, R>) | undefined
}

/**
 * Django 3.2's `check_password(password, encoded, setter)`: `true` when the password matches
 * the hash. A missing password, an unusable or unknown hash is `false` after hashing a random
 * password once (so that it takes as long as a real check); a wrong password against an
 * outdated hash runs the missing iterations (`hardenRuntime`); a correct one whose hash is
 * outdated calls `setter`.
 *
 * @since 0.1.0
 * @category checking
 */
export const checkPassword = <E = never, R = never>(
  password: string | null,
  encoded: string | null,
  options?: CheckOptions<E, R>
): Effect.Effect<boolean, E, R> => {
  const preferred = preferredOf(options)
  const hasher = encoded === null ? undefined : identifyHasher(encoded, options)
  if (
    password === null || encoded === null || !isPasswordUsable(encoded) || hasher === undefined || Either.isLeft(hasher)
  ) {
    return Effect.as(runHasherOnce(options), false)
  }
  const changed = hasher.right.algorithm !== preferred.algorithm
  const update = changed || hasherMustUpdate(preferred, encoded)
  return Effect.flatMap(verify(hasher.right, password, encoded), (correct): Effect.Effect<boolean, E, R> => {
    if (!correct) {
      return !changed && update
        ? Effect.as(hardenRuntime(hasher.right, password, encoded), false)
        : Effect.succeed(false)
    }
    const setter = options?.setter
    return setter !== undefined && update ? Effect.as(setter(password), true) : Effect.succeed(true)
  })
}

/**
 * Hashes a random password with the preferred hasher and discards it: the work a login with an
 * unknown username should do so that it takes as long as one with a known username (Django's
 * `ModelBackend` sets a password on a throwaway user for that).
 *
 * @since 0.1.0
 * @category checking
 */
export const runHasherOnce = (options?: HashersOption): Effect.Effect<void> =>
  Effect.ignore(makePassword(randomString(UNUSABLE_PASSWORD_SUFFIX_LENGTH), options))

// ---------------------------------------------------------------------------
// Session auth hash
// ---------------------------------------------------------------------------

/**
 * The salt of `getSessionAuthHash`.
 *
 * @since 0.1.0
 * @category session auth hash
 */
export const SESSION_AUTH_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")

/**
 * Django 3.2's `user.get_session_auth_hash()`: the salted HMAC (sha256 by default, Django's
 * `DEFAULT_HASHING_ALGORITHM`) of the user's encoded password, keyed with `SECRET_KEY`, as
 * hex. Stored in the session at login; a password change makes it differ, which ends the
 * user's other sessions.
 *
 * @since 0.1.0
 * @category session auth hash
 */
export const getSessionAuthHash = (
  encodedPassword: string,
  secretKey: Signing.Key,
  algorithm: "sha256" | "sha1" = "sha256"
): string => hex(Signing.saltedHmac(SESSION_AUTH_HASH_SALT, encodedPassword, secretKey, algorithm))

/**
 * Django 3.2's `_legacy_get_session_auth_hash()`: the sha1 form, which `get_user` still
 * accepts from sessions made before Django 3.1.
 *
 * @since 0.1.0
 * @category session auth hash
 */
export const getLegacySessionAuthHash = (encodedPassword: string, secretKey: Signing.Key): string =>
  getSessionAuthHash(encodedPassword, secretKey, "sha1")

/**
 * The check `get_user` runs on the session's hash: equal (in constant time) to the current or
 * the legacy session auth hash. An empty stored hash never verifies.
 *
 * @since 0.1.0
 * @category session auth hash
 */
export const verifySessionAuthHash = (
  stored: string,
  encodedPassword: string,
  secretKey: Signing.Key,
  algorithm: "sha256" | "sha1" = "sha256"
): boolean =>
  stored !== "" &&
  (Signing.constantTimeCompare(stored, getSessionAuthHash(encodedPassword, secretKey, algorithm)) ||
    Signing.constantTimeCompare(stored, getLegacySessionAuthHash(encodedPassword, secretKey)))

// ---------------------------------------------------------------------------
// Safe redirects after login
// ---------------------------------------------------------------------------

/**
 * Django 3.2's `url_has_allowed_host_and_scheme(url, allowed_hosts, require_https)`: whether a
 * `next` target is safe to redirect to after login or logout: a relative URL, or one whose host
 * is in `allowedHosts` (exact `host[:port]` strings) with an http or https scheme (https only
 * with `requireHttps`). Tricks browsers read as another host (`///evil.com`, `\\evil.com`,
 * `http:///evil.com`, a leading control character) are refused.
 *
 * @since 0.1.0
 * @category redirects
 */
export const urlHasAllowedHostAndScheme = (
  url: string | null | undefined,
  allowedHosts: Iterable<string> | string | null,
  requireHttps = false
): boolean => {
  if (url === null || url === undefined) return false
  const hosts = new Set(allowedHosts === null ? [] : typeof allowedHosts === "string" ? [allowedHosts] : allowedHosts)
  return internal.urlHasAllowedHostAndScheme(pyStrip(url), hosts, requireHttps)
}
