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
 * What Django does, this does:
 * - the `accessed` and `modified` flags per method (V16), the lazy load, `is_empty`;
 * - `encode`/`decode` byte for byte (salt `django.contrib.sessions.SessionStore`, zlib when it
 *   saves more than a byte, compact ASCII JSON in insertion order), the pre-3.1 format and sha1
 *   signatures read, corrupt data read as an empty session with a warning on
 *   `django.security.SuspiciousSession`;
 * - keys of 32 characters `a-z0-9`, a cookie key shorter than 8 characters ignored (V14);
 * - expiry (`setExpiry`, `getExpiryAge`, `getExpiryDate`, `getExpireAtBrowserClose`) read
 *   from Effect's `Clock`;
 * - the middleware's cookie rules (V21-V27).
 *
 * Values are what Django's `JSONSerializer` stores: `set` fails with `InvalidArgument` (Python's
 * `TypeError` message) for anything else, where Django would fail later, at save. A value is kept
 * as it reads back after a save (a `Map` becomes an object, a tuple-like array stays an array).
 * Django's `set_expiry(datetime | timedelta)` cannot be saved by its JSON serializer, so only
 * seconds are accepted here.
 *
 * @since 0.1.0
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { ParseError } from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { Redis, RedisOptions } from "ioredis"
import type { ImproperlyConfigured, InvalidArgument } from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import * as HttpResponse from "./HttpResponse.js"
import { responseForCause } from "./internal/handler.js"
import * as codec from "./internal/sessionCodec.js"
import * as errors from "./internal/sessionErrors.js"
import * as internal from "./internal/sessions.js"
import * as stores from "./internal/sessionStores.js"
import * as Middleware from "./Middleware.js"
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
export class KeyError extends errors.KeyError {}

/**
 * Django's `SessionInterrupted`: the session was deleted (a logout in a concurrent request)
 * before this request saved it. A `BadRequest`: answered with 400 (V27).
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionInterrupted extends errors.SessionInterrupted {}

/**
 * Django's `UpdateError`: `save()` found no row to update. The middleware turns it into
 * `SessionInterrupted`.
 *
 * @since 0.1.0
 * @category errors
 */
export class UpdateError extends errors.UpdateError {}

/**
 * Django's `CreateError`: `save(mustCreate)` found the key taken (`create()` retries on it).
 *
 * @since 0.1.0
 * @category errors
 */
export class CreateError extends errors.CreateError {}

/**
 * A session store failure (database down, Redis gone, no `SECRET_KEY` to sign with). Answered
 * with 500 and logged; what was stored before stays as it was.
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionStoreError extends errors.SessionStoreError {}

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
 * The expiry a store writes with a session: `getExpiryDate()` and `getExpiryAge()`.
 *
 * @since 0.1.0
 * @category models
 */
export type Expiry = internal.Expiry

/**
 * A key-value store of encoded sessions (the `db` and `cache` backends' shape); turn one into a
 * `SessionStore` with `layerStorage`.
 *
 * @since 0.1.0
 * @category models
 */
export type Storage = internal.Storage

/**
 * A backend: Django's `SessionStore` methods (`load`, `exists`, `create`, `save(must_create)`,
 * `delete`, `cycle_key`, `clear_expired`) over a session's state.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionStore extends internal.Backend {}

/**
 * The backend sessions are kept in: provide one of the `layer...` layers.
 *
 * @since 0.1.0
 * @category tags
 */
export const SessionStore: Context.Tag<SessionStore, SessionStore> = Context.GenericTag<SessionStore>(
  "effect-django-http/Sessions/SessionStore"
)

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
  readonly state: Ref.Ref<State>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const Session: Context.Tag<Session, Session> = Context.GenericTag<Session>("effect-django-http/Sessions/Session")

/**
 * A session as `SessionStore(session_key)` makes one: `cookie` is the session cookie's value
 * (validated as Django does: shorter than 8 characters is no key), nothing is loaded yet.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (cookie?: string | undefined): Effect.Effect<Session, never, SessionStore> =>
  Effect.flatMap(
    SessionStore,
    (store) =>
      Effect.flatMap(Settings.current, (settings) =>
        Effect.map(Ref.make(internal.initial(cookie)), (state): Session => ({
          [TypeId]: TypeId,
          store,
          settings,
          cookieSent: cookie !== undefined,
          state
        })))
  )

/**
 * The session of a request: the value of its `SESSION_COOKIE_NAME` cookie.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromRequest = (request: HttpRequest.HttpRequest): Effect.Effect<Session, never, SessionStore> =>
  Effect.flatMap(Settings.current, (settings) => make(request.COOKIES[settings.SESSION_COOKIE_NAME]))

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

type Loaded = State & { readonly cache: Data }

/**
 * Runs `f` on the state once the data is loaded (and `accessed` set); `f` also sees the state
 * before. A session belongs to one request: its operations follow one another, so a plain `Ref`
 * is enough (two fibers of one view loading it at once would both read the same row).
 */
const modify = <A, E>(
  f: (state: Loaded, session: Session, before: State) => Effect.Effect<readonly [A, State], E>
): Effect.Effect<A, E | SessionStoreError, Session> =>
  Effect.flatMap(Session, (session) =>
    Effect.flatMap(Ref.get(session.state), (before) =>
      Effect.flatMap(
        Effect.flatMap(loadState(session, before), (loaded) => f(loaded, session, before)),
        ([a, next]) => Effect.as(Ref.set(session.state, next), a)
      )))

const loadState = (session: Session, state: State): Effect.Effect<Loaded, SessionStoreError> => {
  if (state.cache !== undefined) return Effect.succeed({ ...state, accessed: true, cache: state.cache })
  if (state.key === null) return Effect.succeed({ ...state, accessed: true, cache: internal.emptyData })
  return Effect.map(
    session.store.load({ ...state, key: state.key }, session.settings),
    (s) => ({ ...s, accessed: true, cache: s.cache ?? internal.emptyData })
  )
}

const read = <A>(f: (data: Data, session: Session) => A): Effect.Effect<A, SessionStoreError, Session> =>
  modify((s, session) => Effect.succeed([f(s.cache, session), s] as const))

const snapshot: Effect.Effect<State, never, Session> = Effect.flatMap(
  Session,
  (session) => Ref.get(session.state)
)

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
} = <A, I, R>(key: string, schema?: Schema.Schema<A, I, R>): Effect.Effect<any, any, any> => {
  const value = read((data) => Option.fromNullable(data.get(key)).pipe(Option.orElse(() => nullValue(data, key))))
  return schema === undefined
    ? value
    : Effect.flatMap(value, (v) =>
      Option.match(v, {
        onNone: () => Effect.succeed(Option.none()),
        onSome: (x) => Effect.map(Schema.decodeUnknown(schema)(x), Option.some)
      }))
}

/** A key whose value is JSON `null` is present: `Option.some(null)`. */
const nullValue = (data: Data, key: string): Option.Option<Json> => data.has(key) ? Option.some(null) : Option.none()

/**
 * `request.session[key]`: the value, or `KeyError`. Sets `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const getOrFail = (key: string): Effect.Effect<Json, KeyError | SessionStoreError, Session> =>
  Effect.flatMap(
    read((data) => (data.has(key) ? Either.right(data.get(key)!) : Either.left(new KeyError({ message: key })))),
    (e) => e
  )

/**
 * `request.session[key] = value`: sets `accessed` and `modified`. A value Django's JSON
 * serializer cannot store fails with `InvalidArgument` (Python's message) and changes nothing.
 *
 * @since 0.1.0
 * @category setters
 */
export const set = (key: string, value: unknown): Effect.Effect<void, InvalidArgument | SessionStoreError, Session> =>
  Either.match(internal.storable(value), {
    onLeft: (e) => Effect.fail(e),
    onRight: (json) =>
      modify((s) =>
        Effect.succeed([undefined, { ...s, cache: internal.withEntry(s.cache, key, json), modified: true }] as const)
      )
  })

/**
 * `del request.session[key]`: `KeyError` when missing (then only `accessed` is set), else
 * `modified` too.
 *
 * @since 0.1.0
 * @category setters
 */
export const remove = (key: string): Effect.Effect<void, KeyError | SessionStoreError, Session> =>
  modify((s) =>
    s.cache.has(key)
      ? Effect.succeed([undefined, { ...s, cache: internal.withoutEntry(s.cache, key), modified: true }] as const)
      : Effect.succeed([Either.left(new KeyError({ message: key })), s] as const)
  ).pipe(Effect.flatMap((r) => (r === undefined ? Effect.void : r)))

/**
 * `request.session.pop(key, None)`: the value if the key was there; `modified` only then (V16).
 *
 * @since 0.1.0
 * @category setters
 */
export const pop = (key: string): Effect.Effect<Option.Option<Json>, SessionStoreError, Session> =>
  modify((s, _, before) =>
    s.cache.has(key)
      ? Effect.succeed(
        [Option.some(s.cache.get(key)!), {
          ...s,
          cache: internal.withoutEntry(s.cache, key),
          modified: true
        }] as const
      )
      // `self.modified = self.modified or key in self._session`: the flag read before the load
      // (which may set it, for a bad signed cookie) is what is written back.
      : Effect.succeed([Option.none(), { ...s, modified: before.modified }] as const)
  )

/**
 * `request.session.setdefault(key, value)`: the present value, or `value` inserted (then
 * `modified`).
 *
 * @since 0.1.0
 * @category setters
 */
export const setDefault = (
  key: string,
  value: unknown
): Effect.Effect<Json, InvalidArgument | SessionStoreError, Session> =>
  Effect.flatMap(
    modify((s): Effect.Effect<readonly [Either.Either<Json, InvalidArgument>, State]> => {
      if (s.cache.has(key)) return Effect.succeed([Either.right(s.cache.get(key)!), s] as const)
      const json = internal.storable(value)
      if (Either.isLeft(json)) return Effect.succeed([json, s] as const)
      return Effect.succeed(
        [json, { ...s, cache: internal.withEntry(s.cache, key, json.right), modified: true }] as const
      )
    }),
    (e) => e
  )

/**
 * `request.session.update(entries)`: always `modified`, even with nothing to add (V16).
 *
 * @since 0.1.0
 * @category setters
 */
export const update = (
  entries: Iterable<readonly [string, unknown]> | Readonly<Record<string, unknown>>
): Effect.Effect<void, InvalidArgument | SessionStoreError, Session> => {
  const pairs: Array<readonly [string, Json]> = []
  const list: Iterable<readonly [string, unknown]> = Symbol.iterator in entries
    ? entries as Iterable<readonly [string, unknown]>
    : Object.entries(entries)
  for (const [k, v] of list) {
    const json = internal.storable(v)
    if (Either.isLeft(json)) return Effect.fail(json.left)
    pairs.push([k, json.right])
  }
  return modify((s) => {
    const cache = new Map(s.cache)
    for (const [k, v] of pairs) cache.set(k, v)
    return Effect.succeed([undefined, { ...s, cache, modified: true }] as const)
  })
}

/**
 * `key in request.session`. Sets `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const has = (key: string): Effect.Effect<boolean, SessionStoreError, Session> => read((data) => data.has(key))

/**
 * `request.session.keys()`, in insertion order. Sets `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const keys: Effect.Effect<ReadonlyArray<string>, SessionStoreError, Session> = read((data) =>
  Array.from(data.keys())
)

/**
 * `request.session.values()`. Sets `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const values: Effect.Effect<ReadonlyArray<Json>, SessionStoreError, Session> = read((data) =>
  Array.from(data.values())
)

/**
 * `request.session.items()`. Sets `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const items: Effect.Effect<ReadonlyArray<readonly [string, Json]>, SessionStoreError, Session> = read((
  data
) => Array.from(data.entries()))

/**
 * The whole session decoded by a schema (Django's `dict(request.session)`, typed). Sets
 * `accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const decode = <A, I, R>(
  schema: Schema.Schema<A, I, R>
): Effect.Effect<A, SessionStoreError | ParseError, Session | R> =>
  Effect.flatMap(read((data) => toObject(data)), Schema.decodeUnknown(schema))

const toObject = (data: Data): Record<string, Json> => {
  const out: Record<string, Json> = {}
  for (const [k, v] of data) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true })
  return out
}

/**
 * `request.session.clear()`: empties the session without loading it; `accessed` and
 * `modified`.
 *
 * @since 0.1.0
 * @category setters
 */
export const clear: Effect.Effect<void, never, Session> = Effect.flatMap(
  Session,
  (session) => Ref.update(session.state, (s) => ({ ...s, cache: internal.emptyData, accessed: true, modified: true }))
)

/**
 * `request.session.is_empty()`: no key and no data; never loads (V16).
 *
 * @since 0.1.0
 * @category getters
 */
export const isEmpty: Effect.Effect<boolean, never, Session> = Effect.map(
  snapshot,
  (s) => s.key === null && (s.cache === undefined || s.cache.size === 0)
)

/**
 * `request.session.session_key`.
 *
 * @since 0.1.0
 * @category getters
 */
export const sessionKey: Effect.Effect<Option.Option<string>, never, Session> = Effect.map(
  snapshot,
  (s) => Option.fromNullable(s.key)
)

/**
 * `request.session.accessed`.
 *
 * @since 0.1.0
 * @category getters
 */
export const accessed: Effect.Effect<boolean, never, Session> = Effect.map(snapshot, (s) => s.accessed)

/**
 * `request.session.modified`.
 *
 * @since 0.1.0
 * @category getters
 */
export const modified: Effect.Effect<boolean, never, Session> = Effect.map(snapshot, (s) => s.modified)

/**
 * `request.session.modified = True`: save at the end of the request even though only nested
 * data changed.
 *
 * @since 0.1.0
 * @category setters
 */
export const markModified: Effect.Effect<void, never, Session> = Effect.flatMap(
  Session,
  (session) => Ref.update(session.state, (s) => ({ ...s, modified: true }))
)

/**
 * The session's state (key, data when loaded, flags), for the middleware and tests.
 *
 * @since 0.1.0
 * @category getters
 */
export const state: Effect.Effect<State, never, Session> = snapshot

const backendStep = <E>(
  f: (s: State, session: Session) => Effect.Effect<State, E>
): Effect.Effect<void, E, Session> =>
  Effect.flatMap(Session, (session) => updateEffect(session.state, (s) => f(s, session)))

const updateEffect = <E>(ref: Ref.Ref<State>, f: (s: State) => Effect.Effect<State, E>): Effect.Effect<State, E> =>
  Effect.flatMap(Ref.get(ref), (s) => Effect.tap(f(s), (next) => Ref.set(ref, next)))

/**
 * `request.session.flush()` (logout): `clear()`, `delete()` from the store, no key.
 *
 * @since 0.1.0
 * @category resetting
 */
export const flush: Effect.Effect<void, SessionStoreError, Session> = backendStep((s, session) =>
  Effect.map(
    session.store.delete({ ...s, cache: internal.emptyData, accessed: true, modified: true }, null),
    (after): State => ({ ...after, key: null })
  )
)

/**
 * `request.session.cycle_key()` (login): the same data under a new key; the old row goes.
 *
 * @since 0.1.0
 * @category resetting
 */
export const cycleKey: Effect.Effect<void, SessionStoreError, Session> = backendStep((s, session) =>
  session.store.cycleKey(s, session.settings)
)

/**
 * `request.session.save()`: writes the session now (a new key when it has none). Fails with
 * `UpdateError` when its row was deleted meanwhile.
 *
 * @since 0.1.0
 * @category resetting
 */
export const save: Effect.Effect<void, SessionStoreError | UpdateError, Session> = Effect.zipRight(
  // Django's `save()` loads the data first; a row that is gone drops the key, and
  // `_get_or_create_session_key()` then draws a new one, which the forced UPDATE cannot find.
  backendStep((s, session) =>
    s.key === null || s.cache !== undefined ? Effect.succeed(s) : Effect.flatMap(
      loadState(session, s),
      (loaded): Effect.Effect<State, SessionStoreError> =>
        loaded.key === null && session.store.engine !== "signed_cookies"
          ? Effect.map(freshKey(session.store), (key) => ({ ...loaded, key }))
          : Effect.succeed(loaded)
    )
  ),
  backendStep((s, session) =>
    Effect.catchTag(session.store.save(s, false, session.settings), "CreateError", (e) => Effect.die(e))
  )
)

/** `_get_new_session_key()`: a key no row has. */
const freshKey = (store: SessionStore): Effect.Effect<string, SessionStoreError> =>
  Effect.flatMap(
    Effect.sync(codec.newKey),
    (key) => Effect.flatMap(store.exists(key), (taken) => (taken ? freshKey(store) : Effect.succeed(key)))
  )

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
export const setExpiry = (value: number | null): Effect.Effect<void, InvalidArgument | SessionStoreError, Session> =>
  value === null
    ? Effect.catchTag(remove("_session_expiry"), "KeyError", () => Effect.void)
    : set("_session_expiry", value)

/**
 * `request.session.get_expiry_age()`, in seconds.
 *
 * @since 0.1.0
 * @category expiry
 */
export const getExpiryAge: Effect.Effect<number, SessionStoreError, Session> = read((data, session) =>
  internal.expiryAge(data, session.settings)
)

/**
 * `request.session.get_expiry_date()`, from the `Clock`.
 *
 * @since 0.1.0
 * @category expiry
 */
export const getExpiryDate: Effect.Effect<Date, SessionStoreError, Session> = Effect.clockWith((clock) =>
  read((data, session) => internal.expiryDate(data, session.settings, clock.unsafeCurrentTimeMillis()))
)

/**
 * `request.session.get_expire_at_browser_close()`.
 *
 * @since 0.1.0
 * @category expiry
 */
export const getExpireAtBrowserClose: Effect.Effect<boolean, SessionStoreError, Session> = read((data, session) =>
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
  set(TEST_COOKIE.name, TEST_COOKIE.value),
  "InvalidArgument",
  (e) => Effect.die(e)
)

/**
 * `request.session.test_cookie_worked()`.
 *
 * @since 0.1.0
 * @category test cookie
 */
export const testCookieWorked: Effect.Effect<boolean, SessionStoreError, Session> = read((data) =>
  data.get(TEST_COOKIE.name) === TEST_COOKIE.value
)

/**
 * `request.session.delete_test_cookie()`: `KeyError` when it is not set.
 *
 * @since 0.1.0
 * @category test cookie
 */
export const deleteTestCookie: Effect.Effect<void, KeyError | SessionStoreError, Session> = remove(TEST_COOKIE.name)

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
export const encode = (
  data: Data | Readonly<Record<string, unknown>>
): Effect.Effect<string, InvalidArgument | ImproperlyConfigured | SessionStoreError> =>
  Effect.flatMap(Settings.current, (settings): Effect.Effect<string, InvalidArgument | SessionStoreError> => {
    const map = data instanceof Map ? data as Data : undefined
    const entries = map ?? new Map(Object.entries(data))
    for (const [, v] of entries) {
      const json = internal.storable(v)
      if (Either.isLeft(json)) return Effect.fail(json.left)
    }
    return internal.encodeNow(entries as Data, settings)
  })

/**
 * `SessionStore().decode(value)`: the data, or an empty session (and a warning on
 * `django.security.SuspiciousSession`) for anything that does not verify (V9).
 *
 * @since 0.1.0
 * @category encoding
 */
export const decodeData = (value: string): Effect.Effect<Data> =>
  Effect.flatMap(Settings.current, (settings) => internal.decodeNow(value, settings))

/**
 * The signed-cookies backend's cookie value for `data` (`signing.dumps` with the
 * `django.contrib.sessions.backends.signed_cookies` salt, compressed), at the `Clock`'s time.
 *
 * @since 0.1.0
 * @category encoding
 */
export const signCookieData = (data: Data): Effect.Effect<string, InvalidArgument | ImproperlyConfigured> =>
  Effect.flatMap(
    Settings.current,
    (settings) =>
      Effect.clockWith((clock) =>
        codec.signData(settings, codec.SIGNED_COOKIES_SALT, data, clock.unsafeCurrentTimeMillis() / 1000)
      )
  )

// ---------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------

/**
 * A `SessionStore` over a key-value `Storage`, with the `db` backend's algorithms.
 *
 * @since 0.1.0
 * @category stores
 */
export const fromStorage = (storage: Storage): SessionStore => internal.fromStorage(storage)

/**
 * A `SessionStore` layer over a `Storage`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStorage = (storage: Storage): Layer.Layer<SessionStore> =>
  Layer.succeed(SessionStore, fromStorage(storage))

/**
 * A storage in memory, with the `db` backend's behaviour and encoding; `rows` shows what it
 * holds (encoded data and expiry, in milliseconds since the epoch), for tests.
 *
 * @since 0.1.0
 * @category stores
 */
export const memoryStorage = (): Storage & {
  readonly rows: ReadonlyMap<string, { readonly value: string; readonly expire: number }>
} => stores.memory()

/**
 * Sessions in memory (one process; lost on restart), with the `db` backend's behaviour and
 * encoding: for tests and development.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<SessionStore> = Layer.sync(SessionStore, () => fromStorage(stores.memory()))

/**
 * Django's `signed_cookies` backend: the cookie is the signed session (its own salt), read
 * back only within `SESSION_COOKIE_AGE`; no storage. As in Django, a logout cannot revoke a
 * copy of the cookie, and the session is limited by the cookie's size.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSignedCookies: Layer.Layer<SessionStore> = Layer.succeed(SessionStore, internal.signedCookies)

/**
 * The `db` backend over the `SqlClient` in the context: Django's `django_session` table (run
 * `migrate` once to create it), so that a Django app and this library can share sessions.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSql: Layer.Layer<SessionStore, never, SqlClient.SqlClient> = Layer.effect(
  SessionStore,
  Effect.map(SqlClient.SqlClient, (sql) => fromStorage(stores.sql(sql)))
)

/**
 * Creates Django's `django_session` table (the DDL of its migration `sessions.0001_initial`
 * for SQLite, PostgreSQL or MySQL) when it does not exist; `true` when it created it. A Django
 * project that later runs `migrate` on the same database needs `--fake-initial` for it.
 *
 * @since 0.1.0
 * @category sql
 */
export const migrate: Effect.Effect<boolean, SqlError, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  stores.migrate
)

/**
 * Django's DDL for `django_session`, per dialect (V19).
 *
 * @since 0.1.0
 * @category sql
 */
export const DDL: typeof stores.ddl = stores.ddl

/**
 * The `db` backend on a SQLite file (`@effect/sql-sqlite-node`), the table created when
 * missing: the embedded default.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (options: { readonly filename: string }): Layer.Layer<SessionStore, SessionStoreError> =>
  Layer.unwrapScoped(
    Effect.map(
      Effect.promise(() => import("@effect/sql-sqlite-node/SqliteClient")),
      (SqliteClient) =>
        layerMigrated.pipe(
          Layer.provide(
            Layer.mapError(
              SqliteClient.layer({ filename: options.filename }),
              (e) => new SessionStoreError({ message: `Cannot open SQLite: ${e.message}`, cause: e })
            )
          )
        )
    )
  )

/**
 * The `db` backend on PostgreSQL (`@effect/sql-pg`), the table created when missing: for sites
 * served by several machines.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPg = (
  options: { readonly url: string | Redacted.Redacted<string>; readonly maxConnections?: number | undefined }
): Layer.Layer<SessionStore, SessionStoreError> =>
  Layer.unwrapScoped(
    Effect.map(
      Effect.promise(() => import("@effect/sql-pg/PgClient")),
      (PgClient) =>
        layerMigrated.pipe(
          Layer.provide(
            Layer.mapError(
              PgClient.layer({
                url: Redacted.isRedacted(options.url) ? options.url : Redacted.make(options.url),
                ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections })
              }),
              (e) => new SessionStoreError({ message: `Cannot connect to PostgreSQL: ${e.message}`, cause: e })
            )
          )
        )
    )
  )

const layerMigrated: Layer.Layer<SessionStore, SessionStoreError, SqlClient.SqlClient> = Layer.effect(
  SessionStore,
  Effect.flatMap(
    Effect.mapError(
      migrate,
      (e) => new SessionStoreError({ message: `Cannot create django_session: ${e.message}`, cause: e })
    ),
    () => Effect.map(SqlClient.SqlClient, (sql) => fromStorage(stores.sql(sql)))
  )
)

/**
 * Options of the Redis store.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisStoreOptions {
  /** Django's cache `KEY_PREFIX`. Default `""`. */
  readonly keyPrefix?: string | undefined
  /** Django's cache `VERSION`. Default `1`. */
  readonly version?: number | undefined
}

/**
 * The Redis key of a session: Django's cache key for its cache backend,
 * `KEY_PREFIX:VERSION:django.contrib.sessions.cache<key>`.
 *
 * @since 0.1.0
 * @category redis
 */
export const redisKeyPrefix = (options: RedisStoreOptions = {}): string =>
  `${options.keyPrefix ?? ""}:${options.version ?? 1}:django.contrib.sessions.cache`

/**
 * A Redis storage over an `ioredis` client.
 *
 * Django's own `cache` sessions are pickled dicts, which nothing but Python reads: a Django app
 * cannot share these sessions through its cache. Here the value is the `db` backend's encoding
 * (signed JSON) under Django's cache key, with the session's expiry age as Redis TTL; Redis
 * expires entries itself, so `clearExpired` has nothing to do. Share sessions with Django through
 * the `db` backend (SQLite or PostgreSQL) instead.
 *
 * @since 0.1.0
 * @category redis
 */
export const redisStorage = (client: Redis, options: RedisStoreOptions = {}): Storage =>
  stores.redis(client, redisKeyPrefix(options))

/**
 * The cache backend on Redis (`ioredis`), connected to `url` for the layer's lifetime; see
 * `redisStorage`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRedis = (
  options: RedisStoreOptions & { readonly url: string; readonly redis?: RedisOptions | undefined }
): Layer.Layer<SessionStore, SessionStoreError> =>
  Layer.scoped(
    SessionStore,
    Effect.map(connectRedis(options.url, options.redis), (client) => fromStorage(redisStorage(client, options)))
  )

const connectRedis = (url: string, options?: RedisOptions): Effect.Effect<Redis, SessionStoreError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.flatMap(
      Effect.promise(() => import("ioredis")),
      (mod) =>
        Effect.tryPromise({
          try: async () => {
            const client = new mod.Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, ...options })
            // Failures reach the caller through each command's rejection (a typed error); the
            // client's own "error" events would otherwise be printed as unhandled.
            client.on("error", () => {})
            await client.connect()
            return client
          },
          catch: (cause) =>
            new SessionStoreError({
              message: `Cannot connect to Redis: ${cause instanceof Error ? cause.message : String(cause)}`,
              cause
            })
        })
    ),
    (client) => Effect.promise(() => client.quit().catch(() => client.disconnect()))
  )

/**
 * Django's `clearsessions`: deletes the expired sessions of the store; how many (0 where the
 * store expires them itself).
 *
 * @since 0.1.0
 * @category stores
 */
export const clearExpired: Effect.Effect<number, SessionStoreError, SessionStore> = Effect.flatMap(
  SessionStore,
  (store) => store.clearExpired
)

// ---------------------------------------------------------------------------
// Middleware
// ---------------------------------------------------------------------------

/** The session the outer half of the middleware made for the current request. */
const current = FiberRef.unsafeMake<Option.Option<Session>>(Option.none())

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
} = dual(
  2,
  (session: Session, response: View.Response): Effect.Effect<View.Response, SessionInterrupted | SessionStoreError> =>
    Effect.gen(function*() {
      const res: internal.AnyResponse = isServerResponseLike(response)
        ? response
        : yield* Effect.orDie(View.toServerResponse(response)) // not ours: no `MakeError`
      const settings = session.settings
      const state = yield* Ref.get(session.state)
      const outcome = internal.decide(state, session.cookieSent, internal.statusOf(res), settings)
      const cookieFailure = (e: HttpResponse.MakeError) =>
        new SessionStoreError({ message: `Cannot set the session cookie: ${e.message}`, cause: e })
      switch (outcome._tag) {
        case "Delete":
          return internal.varyCookie(yield* Effect.mapError(internal.deleteSessionCookie(res, settings), cookieFailure))
        case "None":
          return outcome.vary ? internal.varyCookie(res) : res
        case "Save": {
          const withVary = outcome.vary ? internal.varyCookie(res) : res
          // `get_expire_at_browser_close()` / `get_expiry_age()` load the data before the save
          // (a row gone meanwhile drops the key, so that the save creates a new session).
          const loaded = yield* updateEffect(session.state, (s) => loadState(session, s))
          const maxAge = internal.expireAtBrowserClose(loaded.cache ?? internal.emptyData, settings)
            ? null
            : internal.expiryAge(loaded.cache ?? internal.emptyData, settings)
          const saved = yield* updateEffect(
            session.state,
            (s) =>
              session.store.save(s, false, settings).pipe(
                Effect.catchTags({
                  UpdateError: () => Effect.fail(new SessionInterrupted({ message: INTERRUPTED_MESSAGE })),
                  CreateError: (e) => Effect.die(e)
                })
              )
          )
          return yield* Effect.mapError(
            internal.setSessionCookie(withVary, saved.key ?? "", maxAge, settings),
            cookieFailure
          )
        }
      }
    })
)

const isServerResponseLike = (u: View.Response): u is internal.AnyResponse =>
  HttpResponse.isAnyResponse(u) || HttpServerResponse.isServerResponse(u)

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
  Middleware.compose(
    Middleware.make((request, getResponse) =>
      Effect.gen(function*() {
        const session = yield* fromRequest(request)
        const response = yield* getResponse(request).pipe(
          Effect.locally(current, Option.some(session)),
          Effect.catchAllCause((cause) =>
            Cause.isInterruptedOnly(cause) ?
              Effect.failCause(cause as Cause.Cause<never>) :
              Effect.withFiberRuntime<View.Response>((fiber) =>
                responseForCause(
                  cause,
                  { method: request.method, path: request.path, meta: request.META },
                  Settings.fromContext(fiber.currentContext)
                )
              )
          )
        )
        return yield* processResponse(session, response)
      })
    ),
    // The views below get the session the outer half made.
    Middleware.provideService(Session, (request) =>
      Effect.flatMap(
        FiberRef.get(current),
        (made) => Option.match(made, { onNone: () => fromRequest(request), onSome: Effect.succeed })
      ))
  )
