/**
 * The implementation of `Auth` (`get_user`, the lazy `request.user`,
 * `authenticate`, `login`, `logout`, the decorators); the user stores are in `Auth.ts` and
 * `internal/auth.ts`.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import type * as Auth from "../Auth.js"
import type * as AuthDecorators from "../AuthDecorators.js"
import * as Csrf from "../Csrf.js"
import type { DisallowedRedirect, ImproperlyConfigured, InvalidArgument } from "../Errors.js"
import { PermissionDenied } from "../Errors.js"
import * as HttpRequest from "../HttpRequest.js"
import * as HttpResponse from "../HttpResponse.js"
import * as Middleware from "../Middleware.js"
import * as Passwords from "../Passwords.js"
import * as QueryDict from "../QueryDict.js"
import * as Sessions from "../Sessions.js"
import * as Settings from "../Settings.js"
import * as Signing from "../Signing.js"
import type * as View from "../View.js"
import * as InFlight from "./inFlight.js"
import { respondServiceThen } from "./middleware.js"
import * as sessionApi from "./sessionApi.js"
import { urlsplit, urlunsplit } from "./urljoin.js"

export const SESSION_KEY = "_auth_user_id"
export const BACKEND_SESSION_KEY = "_auth_user_backend"
export const HASH_SESSION_KEY = "_auth_user_hash"
export const MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
export const REDIRECT_FIELD_NAME = "next"

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

export const TypeId: Auth.TypeId = Symbol.for("effect-django-http/Auth") as Auth.TypeId

export const makeUser = (fields: Auth.UserFields): Auth.AuthUser => ({
  [TypeId]: TypeId,
  _tag: "User",
  ...fields,
  pk: fields.id,
  is_anonymous: false,
  is_authenticated: true
})

export const anonymousUser: Auth.AnonymousUser = {
  [TypeId]: TypeId,
  _tag: "AnonymousUser",
  id: null,
  pk: null,
  username: "",
  is_active: false,
  is_staff: false,
  is_superuser: false,
  is_anonymous: true,
  is_authenticated: false
}

export const isUser = (u: unknown): u is Auth.AnyUser => hasProperty(u, TypeId)

// ---------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------

export const Users: Context.Tag<Auth.Users, Auth.Users> = Context.GenericTag<Auth.Users>(
  "effect-django-http/Auth/Users"
)

// ---------------------------------------------------------------------------
// Session keys
// ---------------------------------------------------------------------------

/** `User._meta.pk.to_python(value)`: an integer, or a string of one. */
const toPk = (value: Sessions.Json | undefined): number | undefined => {
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined
  if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10)
  return undefined
}

const secretOf = (settings: Settings.Settings): Either.Either<Signing.Key, ImproperlyConfigured> =>
  Settings.secretKey(settings)

// ---------------------------------------------------------------------------
// The session auth hash, memoised
// ---------------------------------------------------------------------------

/** A user's session auth hashes: the sha256 one, and the legacy sha1 one once asked for. */
interface AuthHashes {
  readonly sha256: string
  sha1: string | undefined
}

/**
 * The session auth hashes per secret, then per encoded password (a salted HMAC each, which
 * `request.user` would otherwise compute on every request). Keyed by the values themselves: a
 * changed password hash or a rotated `SECRET_KEY` is another key, never a stale hit. Bounded:
 * a full table is emptied.
 */
const hashCache = new Map<string, Map<string, AuthHashes>>()
const MAX_SECRETS = 8
const MAX_PASSWORDS = 4096

/** The secret as a string key, or `undefined` for a key in bytes (not memoised). */
const secretString = (secret: Signing.Key): string | undefined => {
  if (typeof secret === "string") return secret
  if (!Redacted.isRedacted(secret)) return undefined
  const value: unknown = Redacted.value<unknown>(secret)
  return typeof value === "string" ? value : undefined
}

const hashesOf = (encodedPassword: string, secret: Signing.Key): AuthHashes => {
  const key = secretString(secret)
  if (key === undefined) return { sha256: Passwords.getSessionAuthHash(encodedPassword, secret), sha1: undefined }
  let perSecret = hashCache.get(key)
  if (perSecret === undefined) {
    if (hashCache.size >= MAX_SECRETS) hashCache.clear()
    perSecret = new Map()
    hashCache.set(key, perSecret)
  }
  let hashes = perSecret.get(encodedPassword)
  if (hashes === undefined) {
    if (perSecret.size >= MAX_PASSWORDS) perSecret.clear()
    hashes = { sha256: Passwords.getSessionAuthHash(encodedPassword, secret), sha1: undefined }
    perSecret.set(encodedPassword, hashes)
  }
  return hashes
}

/** `Passwords.getSessionAuthHash(encodedPassword, secret)`, memoised. */
export const sessionAuthHash = (encodedPassword: string, secret: Signing.Key): string =>
  hashesOf(encodedPassword, secret).sha256

/** `Passwords.verifySessionAuthHash(stored, encodedPassword, secret)`, memoised. */
export const verifySessionAuthHash = (stored: string, encodedPassword: string, secret: Signing.Key): boolean => {
  if (stored === "") return false
  const hashes = hashesOf(encodedPassword, secret)
  if (Signing.constantTimeCompare(stored, hashes.sha256)) return true
  hashes.sha1 ??= Passwords.getLegacySessionAuthHash(encodedPassword, secret)
  return Signing.constantTimeCompare(stored, hashes.sha1)
}

/** Empties the memo (for tests). */
export const clearSessionAuthHashes = (): void => hashCache.clear()

const sessionHashOf = (user: Auth.AuthUser, settings: Settings.Settings) =>
  Either.map(secretOf(settings), (secret) => sessionAuthHash(user.password, secret))

// ---------------------------------------------------------------------------
// get_user, request.user
// ---------------------------------------------------------------------------

/** The user of a session whose user row was found: checked against the stored hash. */
const checkedUser = (
  session: Sessions.Session,
  found: Option.Option<Auth.AuthUser>,
  hash: Sessions.Json | undefined,
  settings: Settings.Settings
): Effect.Effect<Auth.AnyUser, Auth.AuthError> => {
  if (Option.isNone(found) || !found.value.is_active) return Effect.succeed(anonymousUser)
  const secret = secretOf(settings)
  if (Either.isLeft(secret)) return Effect.fail(secret.left)
  return typeof hash === "string" && verifySessionAuthHash(hash, found.value.password, secret.right)
    ? Effect.succeed(found.value)
    : Effect.as(sessionApi.flushIn(session), anonymousUser)
}

/**
 * `getUser` with the session, the user store and the settings of `context` (not the fiber's):
 * what the lazy `request.user` runs, with the services of the layer that made it, and no context
 * to provide around the load. To be called when the step runs (the session is read at once).
 */
const getUserIn = (context: Context.Context<never>): Effect.Effect<Auth.AnyUser, Auth.AuthError> => {
  const session = Context.unsafeGet(context as Context.Context<Sessions.Session>, sessionApi.Session)
  // One read of the session (as `request.session.items()`, it marks the session accessed) for
  // its three keys.
  return Effect.flatMap(
    sessionApi.modifyIn(session, (s) => [Either.right(s.cache), s]),
    (data): Effect.Effect<Auth.AnyUser, Auth.AuthError> => {
      const id = data.get(SESSION_KEY)
      const backend = data.get(BACKEND_SESSION_KEY)
      const hash = data.get(HASH_SESSION_KEY)
      if (id === undefined) return Effect.succeed(anonymousUser)
      const settings = Settings.fromContext(context)
      if (typeof backend !== "string" || !settings.AUTHENTICATION_BACKENDS.includes(backend)) {
        return Effect.succeed(anonymousUser)
      }
      const pk = toPk(id)
      if (pk === undefined) return Effect.succeed(anonymousUser)
      return Effect.flatMap(
        Context.unsafeGet(context as Context.Context<Auth.Users>, Users).findById(pk),
        (found) => checkedUser(session, found, hash, settings)
      )
    }
  )
}

export const getUser: Effect.Effect<Auth.AnyUser, Auth.AuthError, Sessions.Session | Auth.Users> = Effect
  .withFiberRuntime((fiber) => getUserIn(fiber.currentContext))

export const User: Context.Tag<Auth.RequestUser, Auth.RequestUser> = Context.GenericTag<Auth.RequestUser>(
  "effect-django-http/Auth/User"
)

/**
 * Where a lazy user of this module keeps `get` without its `Effect.suspend`: what `get` runs, for
 * a reader already inside a step (`user`), so that a read costs no step of its own.
 */
const GetNowTypeId: unique symbol = Symbol.for("effect-django-http/Auth/RequestUser/getNow")

/**
 * A lazy `request.user` without an Effect to make it: the user once loaded or set is kept in a
 * cell; loads are serialised (one load for concurrent first reads), and a user `set` during a
 * load wins over the loaded one.
 */
const unsafeMakeRequestUser = (load: Effect.Effect<Auth.AnyUser, Auth.AuthError>): Auth.RequestUser => {
  let current: Auth.AnyUser | undefined
  // The load in flight, if any: completed when it ends (succeeding, failing or interrupted), and
  // readers that came meanwhile then read again (a failed or interrupted load is tried again by
  // the next reader, as a lock's next holder would). Cheaper than a semaphore's permits.
  // (The Deferred is made by the first reader that has to wait: most loads have none.)
  let loading: InFlight.InFlight | undefined
  const get: Effect.Effect<Auth.AnyUser, Auth.AuthError> = Effect.suspend(() => getNow())
  const getNow = (): Effect.Effect<Auth.AnyUser, Auth.AuthError> => {
    if (current !== undefined) return Effect.succeed(current)
    if (loading !== undefined) return Effect.zipRight(InFlight.awaitEnd(loading), get)
    const mine = InFlight.make()
    loading = mine
    // `Effect.ensuring(Effect.map(load, keep), end)` in one continuation: uninterruptible but for
    // the load itself, so that the end runs however the load ends (interrupted too).
    return Effect.uninterruptibleMask((restore) =>
      Effect.matchCauseEffect(restore(load), {
        onFailure: (cause) => {
          loading = undefined
          InFlight.end(mine)
          return Effect.failCause(cause)
        },
        onSuccess: (user) => {
          current ??= user
          loading = undefined
          InFlight.end(mine)
          return Effect.succeed(current)
        }
      })
    )
  }
  const requestUser: Auth.RequestUser & { readonly [GetNowTypeId]: typeof getNow } = {
    [TypeId]: TypeId,
    [GetNowTypeId]: getNow,
    get,
    set: (user) =>
      Effect.sync(() => {
        current = user
      }),
    loaded: Effect.sync(() => current !== undefined)
  }
  return requestUser
}

export const makeRequestUser = (
  load: Effect.Effect<Auth.AnyUser, Auth.AuthError>
): Effect.Effect<Auth.RequestUser> => Effect.sync(() => unsafeMakeRequestUser(load))

export const user: Effect.Effect<Auth.AnyUser, Auth.AuthError, Auth.RequestUser> = Effect.withFiberRuntime((fiber) => {
  const requestUser = Context.unsafeGet(fiber.currentContext as Context.Context<Auth.RequestUser>, User)
  const getNow = (requestUser as {
    readonly [GetNowTypeId]?: () => Effect.Effect<Auth.AnyUser, Auth.AuthError>
  })[GetNowTypeId]
  return getNow === undefined ? requestUser.get : getNow()
})

export const middleware: Middleware.Middleware<never, Sessions.Session | Auth.Users, Auth.RequestUser> = Middleware
  .make({
    // One step: the lazy user made and provided in place (as `Middleware.provideService(User, ...)`).
    call: (request, getResponse) =>
      Effect.withFiberRuntime((fiber) => {
        // The user loads with this layer's services (the session, the user store, the settings),
        // read from this context when the load runs: no context provided around the load.
        const context = fiber.currentContext
        const user = unsafeMakeRequestUser(Effect.withFiberRuntime(() => getUserIn(context)))
        return respondServiceThen(fiber, getResponse, request, User, user, {
          onFailure: Effect.failCause,
          onSuccess: Effect.succeed
        })
      }),
    provides: [User]
  })

// ---------------------------------------------------------------------------
// authenticate, login, logout
// ---------------------------------------------------------------------------

export const authenticate = (
  username: string | null | undefined,
  password: string | null | undefined,
  options?: Passwords.HashersOption
): Effect.Effect<Option.Option<Auth.AuthUser>, Auth.UsersError, Auth.Users> =>
  Effect.gen(function*() {
    if (username === null || username === undefined || password === null || password === undefined) {
      return Option.none()
    }
    const users = yield* Users
    const found = yield* users.findByUsername(username)
    if (Option.isNone(found)) {
      yield* Passwords.runHasherOnce(options)
      return Option.none()
    }
    let current = found.value
    const correct = yield* Passwords.checkPassword(password, current.password, {
      hashers: options?.hashers,
      setter: (raw) =>
        Effect.flatMap(
          Effect.orDie(Passwords.makePassword(raw, { hashers: options?.hashers })),
          (encoded) =>
            Effect.map(users.setPassword(current.id, encoded), () => {
              current = makeUser({ ...current, password: encoded })
            })
        )
    })
    return correct && current.is_active ? Option.some(current) : Option.none()
  })

export const login = (
  user: Auth.AuthUser,
  options?: Auth.LoginOptions
): Effect.Effect<
  Auth.AuthUser,
  Auth.AuthError | Sessions.SessionStoreError | InvalidArgument,
  Sessions.Session | Auth.Users
> =>
  Effect.gen(function*() {
    const settings = yield* Settings.current
    const hash = yield* sessionHashOf(user, settings)
    if (yield* Sessions.has(SESSION_KEY)) {
      const stored = toPk(Option.getOrUndefined(yield* Sessions.get(SESSION_KEY)))
      const storedHash = Option.getOrElse(yield* Sessions.get(HASH_SESSION_KEY), () => "")
      if (
        stored !== user.id || typeof storedHash !== "string" || !Signing.constantTimeCompare(storedHash, hash)
      ) {
        yield* Sessions.flush
      }
    } else {
      yield* Sessions.cycleKey
    }
    yield* Sessions.set(SESSION_KEY, String(user.id))
    yield* Sessions.set(BACKEND_SESSION_KEY, options?.backend ?? MODEL_BACKEND)
    yield* Sessions.set(HASH_SESSION_KEY, hash)
    const csrf = yield* Effect.serviceOption(Csrf.CsrfToken)
    if (Option.isSome(csrf)) yield* Effect.provideService(Csrf.rotateToken, Csrf.CsrfToken, csrf.value)
    const now = new Date(yield* Clock.currentTimeMillis)
    const users = yield* Users
    yield* users.setLastLogin(user.id, now)
    const loggedIn = makeUser({ ...user, last_login: now })
    const requestUser = yield* Effect.serviceOption(User)
    if (Option.isSome(requestUser)) yield* requestUser.value.set(loggedIn)
    return loggedIn
  })

export const logout: Effect.Effect<void, Sessions.SessionStoreError, Sessions.Session> = Effect.gen(function*() {
  yield* Sessions.flush
  const requestUser = yield* Effect.serviceOption(User)
  if (Option.isSome(requestUser)) yield* requestUser.value.set(anonymousUser)
})

// ---------------------------------------------------------------------------
// Decorators
// ---------------------------------------------------------------------------

export const redirectToLogin = (
  next: string,
  options?: { readonly loginUrl?: string | undefined; readonly redirectFieldName?: string | null | undefined }
): Effect.Effect<HttpResponse.HttpResponse, HttpResponse.MakeError | DisallowedRedirect> =>
  Effect.flatMap(Settings.current, (settings) => {
    const resolved = options?.loginUrl ?? settings.LOGIN_URL
    const field = options?.redirectFieldName === undefined ? REDIRECT_FIELD_NAME : options.redirectFieldName
    if (field === null || field === "") return HttpResponse.redirect(resolved)
    const parts = urlsplit(resolved)
    const query = Either.match(QueryDict.parse(parts.query, { maxNumFields: null }), {
      onLeft: () => QueryDict.empty(),
      onRight: (q) => q
    })
    const url = urlunsplit({
      ...parts,
      query: QueryDict.urlencode(QueryDict.set(query, field, next), { safe: "/" })
    })
    return HttpResponse.redirect(url)
  })

export const userPassesTest = <E2 = never, R2 = never>(
  test: (user: Auth.AnyUser) => boolean | Effect.Effect<boolean, E2, R2>,
  options?: AuthDecorators.TestOptions
) =>
<E, R>(view: View.View<E, R>): View.View<E | E2 | AuthDecorators.DecoratorError, R | R2 | Auth.RequestUser> =>
(request) =>
  // The usual case in two steps: the user read, the test passed, the view called.
  Effect.flatMap(user, (current): Effect.Effect<View.Response, E | E2 | AuthDecorators.DecoratorError, R | R2> => {
    const verdict = test(current)
    if (verdict === true) return view(request)
    if (verdict === false) return toLogin(request, options)
    return Effect.flatMap(
      verdict,
      (passes): Effect.Effect<View.Response, E | AuthDecorators.DecoratorError, R> =>
        passes ? view(request) : toLogin(request, options)
    )
  })

/** `user_passes_test`'s answer to a user who fails the test: the redirect to the login page. */
const toLogin = (
  request: HttpRequest.HttpRequest,
  options: AuthDecorators.TestOptions | undefined
): Effect.Effect<HttpResponse.HttpResponse, AuthDecorators.DecoratorError> =>
  Effect.gen(function*() {
    const settings = yield* Settings.current
    const loginUrl = options?.loginUrl ?? settings.LOGIN_URL
    let path = yield* HttpRequest.buildAbsoluteUri(request)
    const login = urlsplit(loginUrl)
    const here = urlsplit(path)
    if (
      (login.scheme === "" || login.scheme === here.scheme) && (login.netloc === "" || login.netloc === here.netloc)
    ) {
      path = HttpRequest.getFullPath(request)
    }
    return yield* redirectToLogin(path, { loginUrl, redirectFieldName: options?.redirectFieldName })
  })

// ---------------------------------------------------------------------------
// Permissions
// ---------------------------------------------------------------------------

export class Permissions extends Context.Reference<Permissions>()("effect-django-http/Auth/Permissions", {
  defaultValue: (): {
    readonly hasPerm: (user: Auth.AnyUser, perm: string) => Effect.Effect<boolean, Auth.AuthError>
  } => ({ hasPerm: (u) => Effect.succeed(u.is_active && u.is_superuser) })
}) {}

export const hasPerms = (
  user: Auth.AnyUser,
  perms: ReadonlyArray<string>
): Effect.Effect<boolean, Auth.AuthError> =>
  user.is_active && user.is_superuser ? Effect.succeed(true) : !user.is_active ? Effect.succeed(false) : Effect.flatMap(
    Permissions,
    (p) => Effect.reduce(perms, true as boolean, (ok, perm) => (ok ? p.hasPerm(user, perm) : Effect.succeed(false)))
  )

export const permissionRequired = (
  perm: string | ReadonlyArray<string>,
  options?: AuthDecorators.TestOptions & { readonly raiseException?: boolean | undefined }
) =>
<E, R>(view: View.View<E, R>): View.View<E | AuthDecorators.DecoratorError | PermissionDenied, R | Auth.RequestUser> =>
  userPassesTest(
    (u) =>
      Effect.flatMap(
        hasPerms(u, typeof perm === "string" ? [perm] : perm),
        (ok): Effect.Effect<boolean, PermissionDenied> =>
          ok || options?.raiseException !== true
            ? Effect.succeed(ok)
            : Effect.fail(new PermissionDenied({ message: "" }))
      ),
    options
  )(view)
