/**
 * Django 3.2's sessions (`django.contrib.sessions`): `request.session` as a `Session` service
 * with `SessionBase`'s API as Effects, Django's wire format, its backends as layers, and
 * `SessionMiddleware`.
 *
 * ```ts
 * import { Effect, Option } from "effect"
 * import { HttpResponse, Sessions, View } from "effect-django-http"
 *
 * // A view counting its visits in the session.
 * const visits: View.View<unknown, Sessions.Session> = () =>
 *   Effect.gen(function*() {
 *     const seen = yield* Sessions.get("visits")
 *     const n = Option.match(seen, { onNone: () => 0, onSome: (v) => (typeof v === "number" ? v : 0) }) + 1
 *     yield* Sessions.set("visits", n)
 *     return yield* HttpResponse.make({ content: `visit ${n}` })
 *   })
 *
 * // MIDDLEWARE = [SessionMiddleware], with sessions in a SQLite file (Django's db backend).
 * const app = Sessions.middleware(visits)
 * const layer = Sessions.layerSqlite({ filename: "db.sqlite3" })
 * ```
 *
 * Django's behaviour it keeps (the flags per method, the wire format byte for byte, keys and
 * expiry, the middleware's cookie rules, JSON-only values) and where it differs are in
 * `docs/Sessions.md`; the stores (Django's backends) are the module `SessionStores`, re-exported
 * here.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { ParseError } from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { ImproperlyConfigured, InvalidArgument } from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import * as api from "./internal/sessionApi.js"
import * as codec from "./internal/sessionCodec.js"
import * as errors from "./internal/sessionErrors.js"
import * as internal from "./internal/sessions.js"
import * as Middleware from "./Middleware.js"
import type { SessionStore } from "./SessionStores.js"
import * as Settings from "./Settings.js"
import * as View from "./View.js"

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * Python's `KeyError`: `getOrFail`, `remove` or `deleteTestCookie` of a missing key. Answered
 * with 500 when unhandled, as in Django.
 *
 * @since 0.1.0
 * @category errors
 */
export const KeyError: typeof errors.KeyError = errors.KeyError

/**
 * @since 0.1.0
 * @category errors
 */
export type KeyError = errors.KeyError

/**
 * Django's `SessionInterrupted`: the session was deleted (a logout in a concurrent request)
 * before this request saved it. A `BadRequest`: answered with 400 (V27).
 *
 * @since 0.1.0
 * @category errors
 */
export const SessionInterrupted: typeof errors.SessionInterrupted = errors.SessionInterrupted

/**
 * @since 0.1.0
 * @category errors
 */
export type SessionInterrupted = errors.SessionInterrupted

/**
 * Django's `UpdateError`: `save()` found no row to update. The middleware turns it into
 * `SessionInterrupted`.
 *
 * @since 0.1.0
 * @category errors
 */
export const UpdateError: typeof errors.UpdateError = errors.UpdateError

/**
 * @since 0.1.0
 * @category errors
 */
export type UpdateError = errors.UpdateError

/**
 * Django's `CreateError`: `save(mustCreate)` found the key taken (`create()` retries on it).
 *
 * @since 0.1.0
 * @category errors
 */
export const CreateError: typeof errors.CreateError = errors.CreateError

/**
 * @since 0.1.0
 * @category errors
 */
export type CreateError = errors.CreateError

/**
 * A session store failure (database down, Redis gone, no `SECRET_KEY` to sign with). Answered
 * with 500 and logged; what was stored before stays as it was.
 *
 * @since 0.1.0
 * @category errors
 */
export const SessionStoreError: typeof errors.SessionStoreError = errors.SessionStoreError

/**
 * @since 0.1.0
 * @category errors
 */
export type SessionStoreError = errors.SessionStoreError

/**
 * Django's message for `SessionInterrupted`.
 *
 * @since 0.1.0
 * @category errors
 */
export const INTERRUPTED_MESSAGE: string = errors.INTERRUPTED_MESSAGE

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-django-http/Sessions")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A JSON value, what a session holds.
 *
 * @since 0.1.0
 * @category models
 */
export type Json = codec.Json

/**
 * A session's data: a Python dict, in insertion order.
 *
 * @since 0.1.0
 * @category models
 */
export type Data = codec.Data

/**
 * The state of a request's session between two operations: the key, the data once loaded,
 * and Django's `accessed`/`modified` flags.
 *
 * @since 0.1.0
 * @category models
 */
export type State = internal.State

/**
 * `request.session`: one request's session, in the context of the views below
 * `middleware`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Session {
  readonly [TypeId]: TypeId
  readonly store: SessionStore
  readonly settings: Settings.Settings
  /** Whether the request carried the session cookie (`SESSION_COOKIE_NAME in request.COOKIES`). */
  readonly cookieSent: boolean
  /** The session's state, read and written by the operations (`state`, `modified`, ... read it). */
  readonly state: StateCell
}

/**
 * The cell a request's session state lives in: the operations read and write `current`
 * synchronously, so that an operation on loaded data is one Effect step. (A `Ref<State>`
 * before 0.2.0.)
 *
 * @since 0.2.0
 * @category models
 */
export interface StateCell {
  current: State
}

/**
 * @since 0.1.0
 * @category tags
 */
export const Session: Context.Tag<Session, Session> = api.Session

/**
 * A session as `SessionStore(session_key)` makes one: `cookie` is the session cookie's value
 * (validated as Django does: shorter than 8 characters is no key), nothing is loaded yet.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (cookie?: string | undefined) => Effect.Effect<Session, never, SessionStore> = api.make

/**
 * The session of a request: the value of its `SESSION_COOKIE_NAME` cookie.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromRequest: (request: HttpRequest.HttpRequest) => Effect.Effect<Session, never, SessionStore> =
  api.fromRequest

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

/**
 * `request.session.get(key)`; with a schema, the value decoded by it. Sets `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const get: {
  (key: string): Effect.Effect<Option.Option<Json>, SessionStoreError, Session>
  <A, I, R>(
    key: string,
    schema: Schema.Schema<A, I, R>
  ): Effect.Effect<Option.Option<A>, SessionStoreError | ParseError, Session | R>
} = api.get

/**
 * `request.session[key]`: the value, or `KeyError`. Sets `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const getOrFail: (key: string) => Effect.Effect<Json, KeyError | SessionStoreError, Session> = api.getOrFail

/**
 * `request.session[key] = value`: sets `accessed` and `modified`. A value Django's JSON
 * serializer cannot store fails with `InvalidArgument` (Python's message) and changes nothing.
 *
 * @since 0.1.0
 * @category setters
 */
export const set: (key: string, value: unknown) => Effect.Effect<void, InvalidArgument | SessionStoreError, Session> =
  api.set

/**
 * `del request.session[key]`: `KeyError` when missing (then only `accessed` is set), else
 * `modified` too.
 *
 * @since 0.1.0
 * @category setters
 */
export const remove: (key: string) => Effect.Effect<void, KeyError | SessionStoreError, Session> = api.remove

/**
 * `request.session.pop(key, None)`: the value if the key was there; `modified` only then (V16).
 *
 * @since 0.1.0
 * @category setters
 */
export const pop: (key: string) => Effect.Effect<Option.Option<Json>, SessionStoreError, Session> = api.pop

/**
 * `request.session.setdefault(key, value)`: the present value, or `value` inserted (then
 * `modified`).
 *
 * @since 0.1.0
 * @category setters
 */
export const setDefault: (
  key: string,
  value: unknown
) => Effect.Effect<Json, InvalidArgument | SessionStoreError, Session> = api.setDefault

/**
 * `request.session.update(entries)`: always `modified`, even with nothing to add (V16).
 *
 * @since 0.1.0
 * @category setters
 */
export const update: (
  entries: Iterable<readonly [string, unknown]> | Readonly<Record<string, unknown>>
) => Effect.Effect<void, InvalidArgument | SessionStoreError, Session> = api.update

/**
 * `key in request.session`. Sets `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const has = (key: string): Effect.Effect<boolean, SessionStoreError, Session> =>
  api.read((data) => data.has(key))

/**
 * `request.session.keys()`, in insertion order. Sets `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const keys: Effect.Effect<ReadonlyArray<string>, SessionStoreError, Session> = api.read((data) =>
  Array.from(data.keys())
)

/**
 * `request.session.values()`. Sets `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const values: Effect.Effect<ReadonlyArray<Json>, SessionStoreError, Session> = api.read((data) =>
  Array.from(data.values())
)

/**
 * `request.session.items()`. Sets `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const items: Effect.Effect<ReadonlyArray<readonly [string, Json]>, SessionStoreError, Session> = api.read((
  data
) => Array.from(data.entries()))

/**
 * The whole session decoded by a schema (Django's `dict(request.session)`, typed). Sets
 * `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const decode: <A, I, R>(
  schema: Schema.Schema<A, I, R>
) => Effect.Effect<A, SessionStoreError | ParseError, Session | R> = api.decode

/**
 * `request.session.clear()`: empties the session without loading it; `accessed` and
 * `modified`.
 *
 * @since 0.1.0
 * @category setters
 */
export const clear: Effect.Effect<void, never, Session> = api.clear

/**
 * `request.session.is_empty()`: no key and no data; never loads (V16).
 *
 * @since 0.1.0
 * @category getters
 */
export const isEmpty: Effect.Effect<boolean, never, Session> = Effect.map(
  api.snapshot,
  (s) => s.key === null && (s.cache === undefined || s.cache.size === 0)
)

/**
 * `request.session.session_key`.
 *
 * @since 0.1.0
 * @category getters
 */
export const sessionKey: Effect.Effect<Option.Option<string>, never, Session> = Effect.map(
  api.snapshot,
  (s) => Option.fromNullable(s.key)
)

/**
 * `request.session.accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const accessed: Effect.Effect<boolean, never, Session> = Effect.map(api.snapshot, (s) => s.accessed)

/**
 * `request.session.modified`.
 *
 * @since 0.1.0
 * @category getters
 */
export const modified: Effect.Effect<boolean, never, Session> = Effect.map(api.snapshot, (s) => s.modified)

/**
 * `request.session.modified = True`: save at the end of the request even though only nested
 * data changed.
 *
 * @since 0.1.0
 * @category setters
 */
export const markModified: Effect.Effect<void, never, Session> = api.markModified

/**
 * The session's state (key, data when loaded, flags), for the middleware and tests.
 *
 * @since 0.1.0
 * @category getters
 */
export const state: Effect.Effect<State, never, Session> = api.snapshot

/**
 * `request.session.flush()` (logout): `clear()`, `delete()` from the store, no key.
 *
 * @since 0.1.0
 * @category resetting
 */
export const flush: Effect.Effect<void, SessionStoreError, Session> = api.flush

/**
 * `request.session.cycle_key()` (login): the same data under a new key; the old row goes.
 *
 * @since 0.1.0
 * @category resetting
 */
export const cycleKey: Effect.Effect<void, SessionStoreError, Session> = api.cycleKey

/**
 * `request.session.save()`: writes the session now (a new key when it has none). Fails with
 * `UpdateError` when its row was deleted meanwhile.
 *
 * @since 0.1.0
 * @category resetting
 */
export const save: Effect.Effect<void, SessionStoreError | UpdateError, Session> = api.save

// ---------------------------------------------------------------------------
// Expiry
// ---------------------------------------------------------------------------

/**
 * `request.session.set_expiry(value)`: seconds (`0`: at browser close), or `null` to go back
 * to the settings (V15).
 *
 * @since 0.1.0
 * @category expiry
 */
export const setExpiry: (value: number | null) => Effect.Effect<void, InvalidArgument | SessionStoreError, Session> =
  api.setExpiry

/**
 * `request.session.get_expiry_age()`, in seconds.
 *
 * @since 0.1.0
 * @category expiry
 */
export const getExpiryAge: Effect.Effect<number, SessionStoreError, Session> = api.read((data, session) =>
  internal.expiryAge(data, session.settings)
)

/**
 * `request.session.get_expiry_date()`, from the `Clock`.
 *
 * @since 0.1.0
 * @category expiry
 */
export const getExpiryDate: Effect.Effect<Date, SessionStoreError, Session> = api.getExpiryDate

/**
 * `request.session.get_expire_at_browser_close()`.
 *
 * @since 0.1.0
 * @category expiry
 */
export const getExpireAtBrowserClose: Effect.Effect<boolean, SessionStoreError, Session> = api.read((data, session) =>
  internal.expireAtBrowserClose(data, session.settings)
)

// ---------------------------------------------------------------------------
// Test cookie
// ---------------------------------------------------------------------------

/**
 * `TEST_COOKIE_NAME` and `TEST_COOKIE_VALUE`.
 *
 * @since 0.1.0
 * @category test cookie
 */
export const TEST_COOKIE = { name: "testcookie", value: "worked" } as const

/**
 * `request.session.set_test_cookie()` (V17).
 *
 * @since 0.1.0
 * @category test cookie
 */
export const setTestCookie: Effect.Effect<void, SessionStoreError, Session> = Effect.catchTag(
  api.set(TEST_COOKIE.name, TEST_COOKIE.value),
  "InvalidArgument",
  (e) => Effect.die(e)
)

/**
 * `request.session.test_cookie_worked()`.
 *
 * @since 0.1.0
 * @category test cookie
 */
export const testCookieWorked: Effect.Effect<boolean, SessionStoreError, Session> = api.read((data) =>
  data.get(TEST_COOKIE.name) === TEST_COOKIE.value
)

/**
 * `request.session.delete_test_cookie()`: `KeyError` when it is not set.
 *
 * @since 0.1.0
 * @category test cookie
 */
export const deleteTestCookie: Effect.Effect<void, KeyError | SessionStoreError, Session> = api.remove(TEST_COOKIE.name)

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

/**
 * `SessionStore().encode(data)` at the `Clock`'s time with the current settings (the legacy
 * format when `DEFAULT_HASHING_ALGORITHM` is `"sha1"`), byte for byte Django's (V3-V7, V11-V12).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode: (
  data: Data | Readonly<Record<string, unknown>>
) => Effect.Effect<string, InvalidArgument | ImproperlyConfigured | SessionStoreError> = api.encode

/**
 * `SessionStore().decode(value)`: the data, or an empty session (and a warning on
 * `django.security.SuspiciousSession`) for anything that does not verify (V9).
 *
 * @since 0.1.0
 * @category encoding
 */
export const decodeData: (value: string) => Effect.Effect<Data> = api.decodeData

/**
 * The signed-cookies backend's cookie value for `data` (`signing.dumps` with the
 * `django.contrib.sessions.backends.signed_cookies` salt, compressed), at the `Clock`'s time.
 *
 * @since 0.1.0
 * @category encoding
 */
export const signCookieData: (data: Data) => Effect.Effect<string, InvalidArgument | ImproperlyConfigured> =
  api.signCookieData

/**
 * The stores, Django's session backends as layers: see the module `SessionStores`.
 *
 * @since 0.1.0
 * @category layers
 */
export * from "./SessionStores.js"

// ---------------------------------------------------------------------------
// Middleware
// ---------------------------------------------------------------------------

/**
 * `SessionMiddleware.process_response` on a response, after the view: the session cookie set,
 * refreshed or deleted, `Vary: Cookie`, the session saved unless the status is 500 (V21-V27).
 * An `UpdateError` from the save is `SessionInterrupted` (400).
 *
 * @since 0.1.0
 * @category middleware
 */
export const processResponse: {
  (
    session: Session
  ): (response: View.Response) => Effect.Effect<View.Response, SessionInterrupted | SessionStoreError>
  (session: Session, response: View.Response): Effect.Effect<View.Response, SessionInterrupted | SessionStoreError>
} = api.processResponse

/**
 * Django's `SessionMiddleware`: each request gets a `Session` from its cookie (views below
 * reach it as the `Session` service), and its response gets Django's session cookie rules
 * (`processResponse`). A failure of the view is first turned into the response Django's
 * handler would give (as Django converts it before `process_response`), so that a 404 still
 * saves the session and a 500 does not. List it in a `Handler`'s middleware, or call it on a
 * view to decorate that view.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware: Middleware.Middleware<SessionInterrupted | SessionStoreError, SessionStore, Session> =
  api.middleware
