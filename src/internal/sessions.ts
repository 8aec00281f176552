/**
 * Django 3.2's `SessionBase` (contrib/sessions/backends/base.py) as pure state transitions,
 * the backends' algorithms (`db`, `cache`, `signed_cookies`) over a small storage interface,
 * and `SessionMiddleware.process_response`.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { InvalidArgument } from "../Errors.js"
import * as HttpResponse from "../HttpResponse.js"
import * as ResponseCookies from "../ResponseCookies.js"
import type * as Settings from "../Settings.js"
import * as codec from "./sessionCodec.js"
import { CreateError, SessionStoreError, UpdateError } from "./sessionErrors.js"

type Json = codec.Json
type Data = codec.Data

/** What a request's session is between two operations. */
export interface State {
  /** The validated session key (`_session_key`), `null` for none. */
  readonly key: string | null
  /** The loaded data (`_session_cache`), `undefined` until first needed. */
  readonly cache: Data | undefined
  readonly accessed: boolean
  readonly modified: boolean
}

/** The expiry a store writes with a session. */
export interface Expiry {
  /** `get_expiry_date()`. */
  readonly date: Date
  /** `get_expiry_age()`, in seconds. */
  readonly age: number
}

/** Django's backend methods over a session's state. */
export interface Backend {
  /** Django's backend name, e.g. `"db"`. */
  readonly engine: string
  /** `load()`: the state with `cache` set (a miss may clear the key; signed cookies may set `modified`). */
  readonly load: (state: State & { readonly key: string }, settings: Settings.Settings) => Effect.Effect<
    State,
    SessionStoreError
  >
  readonly exists: (key: string) => Effect.Effect<boolean, SessionStoreError>
  readonly create: (state: State, settings: Settings.Settings) => Effect.Effect<State, SessionStoreError>
  readonly save: (
    state: State,
    mustCreate: boolean,
    settings: Settings.Settings
  ) => Effect.Effect<State, SessionStoreError | UpdateError | CreateError>
  readonly delete: (state: State, key: string | null) => Effect.Effect<State, SessionStoreError>
  readonly cycleKey: (state: State, settings: Settings.Settings) => Effect.Effect<State, SessionStoreError>
  readonly clearExpired: Effect.Effect<number, SessionStoreError>
}

/** A key-value store of encoded sessions with an expiry date (`db`, `cache`, memory). */
export interface Storage {
  readonly engine: string
  /** The encoded data of the key when its expiry date is after `now`. */
  readonly load: (key: string, now: Date) => Effect.Effect<Option.Option<string>, SessionStoreError>
  /** Whether any entry (live or expired) has the key. */
  readonly exists: (key: string) => Effect.Effect<boolean, SessionStoreError>
  /** Inserts; `false` when the key is taken. */
  readonly insert: (key: string, value: string, expiry: Expiry) => Effect.Effect<boolean, SessionStoreError>
  /** Updates; `false` when there is no entry with the key. */
  readonly update: (key: string, value: string, expiry: Expiry) => Effect.Effect<boolean, SessionStoreError>
  readonly delete: (key: string) => Effect.Effect<void, SessionStoreError>
  /** Deletes the entries whose expiry date is before `now`; how many (when known). */
  readonly clearExpired: (now: Date) => Effect.Effect<number, SessionStoreError>
}

export const emptyData: Data = new Map()

export const initial = (cookie: string | undefined): State => ({
  key: codec.validKey(cookie),
  cache: undefined,
  accessed: false,
  modified: false
})

// ---------------------------------------------------------------------------
// Python truthiness and expiry (V15)
// ---------------------------------------------------------------------------

export const truthy = (v: Json | undefined): boolean => {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false
  if (Array.isArray(v)) return v.length > 0
  if (typeof v === "object") return Object.keys(v).length > 0
  return true
}

/** `get_expiry_age()`: a falsy `_session_expiry` gives `SESSION_COOKIE_AGE`, a number itself. */
export const expiryAge = (data: Data, settings: Settings.Settings): number => {
  const v = data.get("_session_expiry")
  return truthy(v) && typeof v === "number" ? v : settings.SESSION_COOKIE_AGE
}

/** `get_expiry_date()`: `now + (expiry or SESSION_COOKIE_AGE)`. */
export const expiryDate = (data: Data, settings: Settings.Settings, nowMillis: number): Date =>
  new Date(nowMillis + expiryAge(data, settings) * 1000)

/** `get_expire_at_browser_close()`: the setting when no expiry is stored, else `expiry == 0`. */
export const expireAtBrowserClose = (data: Data, settings: Settings.Settings): boolean => {
  const v = data.get("_session_expiry")
  if (v === undefined || v === null) return settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
  return v === 0 || v === false
}

export const expiryOf = (data: Data, settings: Settings.Settings, nowMillis: number): Expiry => ({
  date: expiryDate(data, settings, nowMillis),
  age: expiryAge(data, settings)
})

// ---------------------------------------------------------------------------
// Encoding, with the clock
// ---------------------------------------------------------------------------

const storeError = (message: string, cause?: unknown) =>
  new SessionStoreError(cause === undefined ? { message } : { message, cause })

/** A value the settings cannot sign is a store failure. */
const encodeFailure = (left: string | { readonly message: string }): SessionStoreError =>
  storeError(`Cannot encode the session: ${typeof left === "string" ? left : left.message}`, left)

/** `encode(data)` at the Clock's time; a value the settings cannot sign is a store failure. */
export const encodeNow = (data: Data, settings: Settings.Settings): Effect.Effect<string, SessionStoreError> =>
  Effect.clockWith((clock) => {
    const encoded = codec.encode(settings, data, clock.unsafeCurrentTimeMillis() / 1000)
    return Either.isRight(encoded) ? Effect.succeed(encoded.right) : Effect.fail(encodeFailure(encoded.left))
  })

/** "Session data corrupted", on `django.security.SuspiciousSession`, as Django logs it. */
export const logCorrupted: Effect.Effect<void> = Effect.logWarning("Session data corrupted").pipe(
  Effect.annotateLogs({ logger: "django.security.SuspiciousSession" })
)

/** `decode(value)` at the Clock's time: `{}` and a warning for anything that does not verify (V9). */
export const decodeNow = (value: string, settings: Settings.Settings): Effect.Effect<Data> =>
  Effect.clockWith((clock) => {
    const data = codec.decode(settings, value, clock.unsafeCurrentTimeMillis() / 1000)
    return data === undefined ? Effect.as(logCorrupted, emptyData) : Effect.succeed(data)
  })

// ---------------------------------------------------------------------------
// Backends
// ---------------------------------------------------------------------------

/** `_get_session(no_load=...)` for a backend's own use: the data, loading it when needed. */
const dataOf = (
  backend: Backend,
  state: State,
  settings: Settings.Settings,
  noLoad: boolean
): Effect.Effect<State & { readonly cache: Data }, SessionStoreError> => {
  if (state.cache !== undefined) return Effect.succeed({ ...state, accessed: true, cache: state.cache })
  if (state.key === null || noLoad) return Effect.succeed({ ...state, accessed: true, cache: emptyData })
  return Effect.map(
    backend.load({ ...state, key: state.key }, settings),
    (s) => ({ ...s, accessed: true, cache: s.cache ?? emptyData })
  )
}

/** How many keys `create()` tries before giving up (Django's cache backend). */
const CREATE_ATTEMPTS = 10000

/**
 * The `db`/`cache` backends' algorithms over a `Storage`: `load` filters expired rows and
 * clears the key on a miss (V20), `create` loops on fresh keys and `save(must_create=True)`
 * (an insert), `save` updates or fails with `UpdateError` (V27), `cycle_key` creates then
 * deletes the old key.
 */
export const fromStorage = (storage: Storage): Backend => {
  const backend: Backend = {
    engine: storage.engine,
    // One clock read for the expiry filter and the signature's age.
    load: (state, settings) =>
      Effect.clockWith((clock) => {
        const now = clock.unsafeCurrentTimeMillis()
        return Effect.flatMap(storage.load(state.key, new Date(now)), (found): Effect.Effect<State> => {
          if (Option.isNone(found)) return Effect.succeed({ ...state, key: null, cache: emptyData })
          const data = codec.decode(settings, found.value, now / 1000)
          return data === undefined
            ? Effect.as(logCorrupted, { ...state, cache: emptyData })
            : Effect.succeed({ ...state, cache: data })
        })
      }),
    exists: storage.exists,
    create: (state, settings) =>
      Effect.gen(function*() {
        for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
          let key = codec.newKey()
          while (yield* storage.exists(key)) key = codec.newKey()
          const saved = yield* Effect.either(backend.save({ ...state, key }, true, settings))
          if (Either.isRight(saved)) return { ...saved.right, modified: true }
          if (saved.left._tag === "SessionStoreError") return yield* Effect.fail(saved.left)
        }
        return yield* Effect.fail(
          storeError("Unable to create a new session key. It is likely that the cache is unavailable.")
        )
      }),
    save: (state, mustCreate, settings) => {
      if (state.key === null) return backend.create(state, settings)
      const key = state.key
      const write = (s: State & { readonly cache: Data }) =>
        Effect.clockWith((clock): Effect.Effect<State, SessionStoreError | UpdateError | CreateError> => {
          const now = clock.unsafeCurrentTimeMillis()
          const encoded = codec.encodeSession(settings, s.cache, now / 1000)
          if (Either.isLeft(encoded)) return Effect.fail(encodeFailure(encoded.left))
          const expiry = expiryOf(s.cache, settings, now)
          return mustCreate
            ? Effect.flatMap(
              storage.insert(key, encoded.right, expiry),
              (inserted) =>
                inserted
                  ? Effect.succeed(s)
                  : Effect.fail(new CreateError({ message: `Session key ${key} is taken` }))
            )
            : Effect.flatMap(
              storage.update(key, encoded.right, expiry),
              (updated) =>
                updated ? Effect.succeed(s) : Effect.fail(
                  new UpdateError({ message: "Forced update did not affect any rows." })
                )
            )
        })
      // Loaded already (the middleware's case): no step to get the data.
      return state.cache !== undefined
        ? write({ ...state, accessed: true, cache: state.cache })
        : Effect.flatMap(dataOf(backend, state, settings, mustCreate), write)
    },
    delete: (state, key) => {
      const k = key ?? state.key
      return k === null ? Effect.succeed(state) : Effect.as(storage.delete(k), state)
    },
    cycleKey: (state, settings) =>
      Effect.gen(function*() {
        const s = yield* dataOf(backend, state, settings, false)
        const created = yield* backend.create(s, settings)
        const out: State = { ...created, cache: s.cache }
        return s.key === null ? out : yield* backend.delete(out, s.key)
      }),
    clearExpired: Effect.flatMap(
      Effect.clockWith((clock) => Effect.succeed(new Date(clock.unsafeCurrentTimeMillis()))),
      storage.clearExpired
    )
  }
  return backend
}

/**
 * Django's `signed_cookies` backend: the cookie is `signing.dumps(data, salt=
 * "django.contrib.sessions.backends.signed_cookies", compress=True)`, read back with
 * `max_age=SESSION_COOKIE_AGE`; nothing is stored (V13).
 */
export const signedCookies: Backend = {
  engine: "signed_cookies",
  load: (state, settings) =>
    Effect.clockWith((clock) => {
      const loaded = codec.loadData(
        settings,
        codec.SIGNED_COOKIES_SALT,
        state.key,
        clock.unsafeCurrentTimeMillis() / 1000,
        settings.SESSION_COOKIE_AGE
      )
      // Any failure: `create()`, which for this backend only marks the session modified.
      return Effect.succeed<State>(
        Either.isRight(loaded) ? { ...state, cache: loaded.right } : { ...state, cache: emptyData, modified: true }
      )
    }),
  exists: () => Effect.succeed(false),
  create: (state) => Effect.succeed({ ...state, modified: true }),
  save: (state, _mustCreate, settings) =>
    Effect.gen(function*() {
      const s = yield* dataOf(signedCookies, state, settings, false)
      const now = yield* Effect.clockWith((clock) => Effect.succeed(clock.unsafeCurrentTimeMillis() / 1000))
      const signed = codec.signSession(settings, codec.SIGNED_COOKIES_SALT, s.cache, now)
      if (Either.isLeft(signed)) {
        return yield* Effect.fail(storeError(`Cannot sign the session: ${signed.left.message}`, signed.left))
      }
      return { ...s, key: codec.validKey(signed.right), modified: true }
    }),
  delete: (state) => Effect.succeed({ ...state, key: null, cache: emptyData, modified: true }),
  cycleKey: (state, settings) =>
    Effect.catchTags(signedCookies.save(state, false, settings), {
      UpdateError: (e) => Effect.die(e),
      CreateError: (e) => Effect.die(e)
    }),
  clearExpired: Effect.succeed(0)
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/** A value as the session stores it, or `InvalidArgument` with Python's message. */
export const storable = (value: unknown): Either.Either<Json, InvalidArgument> =>
  Either.mapLeft(codec.normalize(value), (message) => new InvalidArgument({ message }))

export const withEntry = (data: Data, key: string, value: Json): Data => {
  const out = new Map(data)
  out.set(key, value)
  return out
}

export const withoutEntry = (data: Data, key: string): Data => {
  const out = new Map(data)
  out.delete(key)
  return out
}

// ---------------------------------------------------------------------------
// SessionMiddleware.process_response (V21-V27)
// ---------------------------------------------------------------------------

/** `patch_vary_headers(response, newheaders)`. */
export const patchVary = (current: string | undefined, add: ReadonlyArray<string>): string => {
  const vary = current === undefined ? [] : current.split(/\s*,\s*/)
  const existing = new Set(vary.map((h) => h.toLowerCase()))
  for (const h of add) if (!existing.has(h.toLowerCase())) vary.push(h)
  return vary.includes("*") ? "*" : vary.join(", ")
}

/** What `process_response` does to the response, decided from the session's state. */
export type Outcome =
  | { readonly _tag: "None"; readonly vary: boolean }
  | { readonly _tag: "Delete" }
  | { readonly _tag: "Save"; readonly vary: boolean }

/** Steps 1-3 of `process_response` (V21-V26): what to do, before saving. */
export const decide = (
  state: State,
  cookieSent: boolean,
  status: number,
  settings: Settings.Settings
): Outcome => {
  const empty = state.key === null && (state.cache === undefined || state.cache.size === 0)
  if (cookieSent && empty) return { _tag: "Delete" }
  if ((state.modified || settings.SESSION_SAVE_EVERY_REQUEST) && !empty && status !== 500) {
    return { _tag: "Save", vary: state.accessed }
  }
  return { _tag: "None", vary: state.accessed }
}

/** A response of any kind the middleware can change. */
export type AnyResponse = HttpResponse.AnyResponse | HttpServerResponse.HttpServerResponse

export const statusOf = (response: AnyResponse): number => response.status

export const varyCookie = <A extends AnyResponse>(response: A): A => {
  if (HttpResponse.isAnyResponse(response)) {
    const vary = patchVary(Option.getOrUndefined(HttpResponse.getHeader(response, "Vary")), ["Cookie"])
    return Either.getOrThrow(HttpResponse.setHeader(response, "Vary", vary)) as A
  }
  const server = response as HttpServerResponse.HttpServerResponse
  return HttpServerResponse.setHeader(server, "vary", patchVary(server.headers["vary"], ["Cookie"])) as A
}

const sameSiteOf = (s: string | null): "lax" | "strict" | "none" | undefined => {
  const v = s?.toLowerCase()
  return v === "lax" || v === "strict" || v === "none" ? v : undefined
}

/** `response.delete_cookie(SESSION_COOKIE_NAME, path, domain, samesite)` (V23). */
export const deleteSessionCookie = <A extends AnyResponse>(
  response: A,
  settings: Settings.Settings
): Effect.Effect<A, HttpResponse.MakeError> => {
  if (HttpResponse.isAnyResponse(response)) {
    return ResponseCookies.deleteCookie(response, settings.SESSION_COOKIE_NAME, {
      path: settings.SESSION_COOKIE_PATH,
      ...(settings.SESSION_COOKIE_DOMAIN === null ? {} : { domain: settings.SESSION_COOKIE_DOMAIN }),
      ...(settings.SESSION_COOKIE_SAMESITE === null ? {} : { sameSite: settings.SESSION_COOKIE_SAMESITE })
    }) as Either.Either<A, HttpResponse.MakeError>
  }
  const sameSite = sameSiteOf(settings.SESSION_COOKIE_SAMESITE)
  return Effect.succeed(
    HttpServerResponse.expireCookie(response as HttpServerResponse.HttpServerResponse, settings.SESSION_COOKIE_NAME, {
      path: settings.SESSION_COOKIE_PATH,
      ...(settings.SESSION_COOKIE_DOMAIN === null ? {} : { domain: settings.SESSION_COOKIE_DOMAIN }),
      ...(sameSite === undefined ? {} : { sameSite })
    }) as A
  )
}

/** `response.set_cookie(SESSION_COOKIE_NAME, key, max_age, expires, ...)` (V21-V22). */
export const setSessionCookie = <A extends AnyResponse>(
  response: A,
  key: string,
  maxAge: number | null,
  settings: Settings.Settings
): Effect.Effect<A, HttpResponse.MakeError> => {
  const common = {
    path: settings.SESSION_COOKIE_PATH,
    ...(settings.SESSION_COOKIE_DOMAIN === null ? {} : { domain: settings.SESSION_COOKIE_DOMAIN }),
    ...(settings.SESSION_COOKIE_SECURE ? { secure: true } : {}),
    ...(settings.SESSION_COOKIE_HTTPONLY ? { httpOnly: true } : {})
  }
  if (HttpResponse.isAnyResponse(response)) {
    return ResponseCookies.setCookie(response, settings.SESSION_COOKIE_NAME, key, {
      ...common,
      ...(maxAge === null ? {} : { maxAge }),
      ...(settings.SESSION_COOKIE_SAMESITE === null ? {} : { sameSite: settings.SESSION_COOKIE_SAMESITE })
    }) as Effect.Effect<A, HttpResponse.MakeError>
  }
  const sameSite = sameSiteOf(settings.SESSION_COOKIE_SAMESITE)
  return Effect.clockWith((clock) =>
    Effect.mapError(
      HttpServerResponse.setCookie(
        response as HttpServerResponse.HttpServerResponse,
        settings.SESSION_COOKIE_NAME,
        key,
        {
          ...common,
          ...(maxAge === null
            ? {}
            : { maxAge: `${maxAge} seconds`, expires: new Date(clock.unsafeCurrentTimeMillis() + maxAge * 1000) }),
          ...(sameSite === undefined ? {} : { sameSite })
        }
      ),
      (e) => new InvalidArgument({ message: e.message })
    ) as Effect.Effect<A, InvalidArgument>
  )
}
