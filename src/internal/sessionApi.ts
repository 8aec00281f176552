/**
 * The implementation of `Sessions`: the `Session` service, its operations on the request's
 * state, `SessionMiddleware` and the store layers. The error classes and `TypeId` are the public
 * module's (read inside functions only, so that the import cycle is harmless).
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { ParseError } from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { Redis, RedisOptions } from "ioredis"
import type { ImproperlyConfigured, InvalidArgument } from "../Errors.js"
import * as HttpRequest from "../HttpRequest.js"
import * as HttpResponse from "../HttpResponse.js"
import * as Middleware from "../Middleware.js"
import type * as Sessions from "../Sessions.js"
import * as Settings from "../Settings.js"
import * as View from "../View.js"
import { responseForCause } from "./handler.js"
import { respondServiceThen } from "./middleware.js"
import * as codec from "./sessionCodec.js"
import {
  INTERRUPTED_MESSAGE,
  KeyError,
  SessionInterrupted,
  SessionStoreError,
  type UpdateError
} from "./sessionErrors.js"
import * as internal from "./sessions.js"
import * as stores from "./sessionStores.js"

/** The public `Sessions.TypeId` (one symbol through the registry; the public module re-exports it). */
const TypeId: Sessions.TypeId = Symbol.for("effect-django-http/Sessions") as Sessions.TypeId

type Data = Sessions.Data
type Json = Sessions.Json
type State = Sessions.State

/** The service types, under the names of their tags. */
export type SessionStore = Sessions.SessionStore
export type Session = Sessions.Session

export const SessionStore: Context.Tag<SessionStore, SessionStore> = Context.GenericTag<SessionStore>(
  "effect-django-http/Sessions/SessionStore"
)

export const Session: Context.Tag<Session, Session> = Context.GenericTag<Session>("effect-django-http/Sessions/Session")

export const make = (cookie?: string | undefined): Effect.Effect<Session, never, SessionStore> =>
  Effect.withFiberRuntime((fiber) => Effect.succeed(makeIn(fiber.currentContext, cookie)))

export const makeIn = (context: Context.Context<never>, cookie: string | undefined): Session => ({
  [TypeId]: TypeId,
  store: Context.unsafeGet(context, SessionStore),
  settings: Settings.fromContext(context),
  cookieSent: cookie !== undefined,
  state: { current: internal.initial(cookie) }
})

export const fromRequest = (request: HttpRequest.HttpRequest): Effect.Effect<Session, never, SessionStore> =>
  Effect.withFiberRuntime((fiber) => Effect.succeed(fromRequestIn(fiber.currentContext, request)))

export const fromRequestIn = (context: Context.Context<never>, request: HttpRequest.HttpRequest): Session =>
  makeIn(context, request.COOKIES[Settings.fromContext(context).SESSION_COOKIE_NAME])

export type Loaded = State & { readonly cache: Data }

/** The state with its data, when that needs no load (loaded already, or no key): `_get_session()`. */
const loadedNow = (state: State): Loaded | undefined =>
  state.cache !== undefined
    ? (state.accessed ? state as Loaded : { ...state, accessed: true, cache: state.cache })
    : state.key === null
    ? { ...state, accessed: true, cache: internal.emptyData }
    : undefined

/**
 * An operation on the session's data: `f` gets the state with the data loaded (the first
 * operation of a request loads it from the store) and gives its result (an `Either`: its
 * failure is the operation's) and the next state. Once the data is loaded, the whole operation
 * is one Effect step: the cell is read and written synchronously.
 */
export const modify = <A, E = never>(
  f: (state: Loaded, session: Session, before: State) => readonly [Either.Either<A, E>, State]
): Effect.Effect<A, E | SessionStoreError, Session> =>
  Effect.withFiberRuntime((fiber): Effect.Effect<A, E | SessionStoreError> =>
    modifyIn(Context.unsafeGet(fiber.currentContext as Context.Context<Session>, Session), f)
  )

/**
 * `modify` on a given session (not the context's): to be called when the step runs, as it reads
 * the cell at once (the lazy `request.user` reads its layer's session this way).
 */
export const modifyIn = <A, E = never>(
  session: Session,
  f: (state: Loaded, session: Session, before: State) => readonly [Either.Either<A, E>, State]
): Effect.Effect<A, E | SessionStoreError> => {
  const before = session.state.current
  const loaded = loadedNow(before)
  if (loaded !== undefined) {
    const [result, next] = f(loaded, session, before)
    session.state.current = next
    return result
  }
  return Effect.flatMap(session.store.load({ ...before, key: before.key! }, session.settings), (s) => {
    const [result, next] = f({ ...s, accessed: true, cache: s.cache ?? internal.emptyData }, session, before)
    session.state.current = next
    return result
  })
}

export const loadState = (session: Session, state: State): Effect.Effect<Loaded, SessionStoreError> => {
  const loaded = loadedNow(state)
  if (loaded !== undefined) return Effect.succeed(loaded)
  return Effect.map(
    session.store.load({ ...state, key: state.key! }, session.settings),
    (s) => ({ ...s, accessed: true, cache: s.cache ?? internal.emptyData })
  )
}

export const read = <A>(f: (data: Data, session: Session) => A): Effect.Effect<A, SessionStoreError, Session> =>
  modify((s, session) => [Either.right(f(s.cache, session)), s])

export const snapshot: Effect.Effect<State, never, Session> = Effect.map(Session, (session) => session.state.current)

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

export const nullValue = (data: Data, key: string): Option.Option<Json> =>
  data.has(key) ? Option.some(null) : Option.none()

export const getOrFail = (key: string): Effect.Effect<Json, KeyError | SessionStoreError, Session> =>
  modify((s) => [s.cache.has(key) ? Either.right(s.cache.get(key)!) : Either.left(new KeyError({ message: key })), s])

export const set = (key: string, value: unknown): Effect.Effect<void, InvalidArgument | SessionStoreError, Session> =>
  Either.match(internal.storable(value), {
    onLeft: (e) => Effect.fail(e),
    onRight: (json) =>
      modify((s) => [Either.void, { ...s, cache: internal.withEntry(s.cache, key, json), modified: true }])
  })

export const remove = (key: string): Effect.Effect<void, KeyError | SessionStoreError, Session> =>
  modify((s) =>
    s.cache.has(key)
      ? [Either.void, { ...s, cache: internal.withoutEntry(s.cache, key), modified: true }]
      : [Either.left(new KeyError({ message: key })), s]
  )

export const pop = (key: string): Effect.Effect<Option.Option<Json>, SessionStoreError, Session> =>
  modify((s, _, before) =>
    s.cache.has(key)
      ? [Either.right(Option.some(s.cache.get(key)!)), {
        ...s,
        cache: internal.withoutEntry(s.cache, key),
        modified: true
      }]
      // `self.modified = self.modified or key in self._session`: the flag read before the load
      // (which may set it, for a bad signed cookie) is what is written back.
      : [Either.right(Option.none()), { ...s, modified: before.modified }]
  )

export const setDefault = (
  key: string,
  value: unknown
): Effect.Effect<Json, InvalidArgument | SessionStoreError, Session> =>
  modify((s): readonly [Either.Either<Json, InvalidArgument>, State] => {
    if (s.cache.has(key)) return [Either.right(s.cache.get(key)!), s]
    const json = internal.storable(value)
    if (Either.isLeft(json)) return [json, s]
    return [json, { ...s, cache: internal.withEntry(s.cache, key, json.right), modified: true }]
  })

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
    return [Either.void, { ...s, cache, modified: true }]
  })
}

export const decode = <A, I, R>(
  schema: Schema.Schema<A, I, R>
): Effect.Effect<A, SessionStoreError | ParseError, Session | R> =>
  Effect.flatMap(read((data) => toObject(data)), Schema.decodeUnknown(schema))

export const toObject = (data: Data): Record<string, Json> => {
  const out: Record<string, Json> = {}
  for (const [k, v] of data) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true })
  return out
}

export const clear: Effect.Effect<void, never, Session> = Effect.map(Session, (session) => {
  session.state.current = { ...session.state.current, cache: internal.emptyData, accessed: true, modified: true }
})

export const markModified: Effect.Effect<void, never, Session> = Effect.map(Session, (session) => {
  session.state.current = { ...session.state.current, modified: true }
})

export const backendStep = <E>(
  f: (s: State, session: Session) => Effect.Effect<State, E>
): Effect.Effect<void, E, Session> =>
  Effect.flatMap(Session, (session) => updateEffect(session.state, (s) => f(s, session)))

/** `f` of the cell's state, its result written back; to be called when the step runs (it reads the cell then). */
export const updateEffect = <S extends State, E>(
  cell: Sessions.StateCell,
  f: (s: State) => Effect.Effect<S, E>
): Effect.Effect<S, E> =>
  Effect.map(f(cell.current), (next) => {
    cell.current = next
    return next
  })

const flushStep = (s: State, session: Session): Effect.Effect<State, SessionStoreError> =>
  Effect.map(
    session.store.delete({ ...s, cache: internal.emptyData, accessed: true, modified: true }, null),
    (after): State => ({ ...after, key: null })
  )

export const flush: Effect.Effect<void, SessionStoreError, Session> = backendStep(flushStep)

/** `flush` of a given session (not the context's), to be called when the step runs (see `modifyIn`). */
export const flushIn = (session: Session): Effect.Effect<void, SessionStoreError> =>
  updateEffect(session.state, (s) => flushStep(s, session))

export const cycleKey: Effect.Effect<void, SessionStoreError, Session> = backendStep((s, session) =>
  session.store.cycleKey(s, session.settings)
)

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

export const freshKey = (store: SessionStore): Effect.Effect<string, SessionStoreError> =>
  Effect.flatMap(
    Effect.sync(codec.newKey),
    (key) => Effect.flatMap(store.exists(key), (taken) => (taken ? freshKey(store) : Effect.succeed(key)))
  )

export const setExpiry = (value: number | null): Effect.Effect<void, InvalidArgument | SessionStoreError, Session> =>
  value === null
    ? Effect.catchTag(remove("_session_expiry"), "KeyError", () => Effect.void)
    : set("_session_expiry", value)

export const getExpiryDate: Effect.Effect<Date, SessionStoreError, Session> = Effect.clockWith((clock) =>
  read((data, session) => internal.expiryDate(data, session.settings, clock.unsafeCurrentTimeMillis()))
)

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

export const decodeData = (value: string): Effect.Effect<Data> =>
  Effect.flatMap(Settings.current, (settings) => internal.decodeNow(value, settings))

export const signCookieData = (data: Data): Effect.Effect<string, InvalidArgument | ImproperlyConfigured> =>
  Effect.flatMap(
    Settings.current,
    (settings) =>
      Effect.clockWith((clock) =>
        codec.signData(settings, codec.SIGNED_COOKIES_SALT, data, clock.unsafeCurrentTimeMillis() / 1000)
      )
  )

export const migrate: Effect.Effect<boolean, SqlError, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  stores.migrate
)

export const layerPg = (
  options: { readonly url: string | Redacted.Redacted<string>; readonly maxConnections?: number | undefined }
): Layer.Layer<SessionStore, SessionStoreError> =>
  Layer.unwrapScoped(
    Effect.map(
      Effect.promise(() => Promise.all([import("@effect/sql-pg/PgClient"), import("pg")])),
      ([PgClient, Pg]) => {
        // One node-postgres pool: `@effect/sql-pg`'s client runs on it (migrate, clearExpired),
        // and the store's per-request statements run on it directly (`stores.pg`).
        const pool = new Pg.default.Pool({
          connectionString: Redacted.isRedacted(options.url) ? Redacted.value(options.url) : options.url,
          application_name: "effect-django-http",
          // As `PgClient.layer` does: a database that does not answer fails the layer in 5 s.
          connectionTimeoutMillis: 5_000,
          ...(options.maxConnections === undefined ? {} : { max: options.maxConnections })
        })
        // A connection's failure reaches the query that used it; an idle one's is not a request's.
        pool.on("error", () => {})
        const client = PgClient.layerFromPool({
          acquire: Effect.tap(
            // The pool's end waits for its checked-out clients: bounded, as `PgClient.layer`'s.
            Effect.acquireRelease(
              Effect.succeed(pool),
              () => Effect.timeoutOption(Effect.interruptible(Effect.promise(() => pool.end())), 1_000)
            ),
            () =>
              Effect.timeoutFail(
                Effect.tryPromise({
                  try: () => pool.query("SELECT 1"),
                  catch: (cause) => new SqlError({ cause, message: "PgClient: Failed to connect" })
                }),
                {
                  duration: 5_000,
                  onTimeout: () => new SqlError({ message: "PgClient: Connection timed out", cause: undefined })
                }
              )
          )
        })
        return Layer.effect(
          SessionStore,
          Effect.flatMap(
            Effect.mapError(
              migrate,
              (e) => new SessionStoreError({ message: `Cannot create django_session: ${e.message}`, cause: e })
            ),
            () => Effect.map(SqlClient.SqlClient, (sql) => internal.fromStorage(stores.pg(pool, sql)))
          )
        ).pipe(
          Layer.provide(
            Layer.mapError(
              client,
              (e) => new SessionStoreError({ message: `Cannot connect to PostgreSQL: ${e.message}`, cause: e })
            )
          )
        )
      }
    )
  )

export const layerRedis = (
  options: Sessions.RedisStoreOptions & { readonly url: string; readonly redis?: RedisOptions | undefined }
): Layer.Layer<SessionStore, SessionStoreError> =>
  Layer.scoped(
    SessionStore,
    Effect.map(connectRedis(options.url, options.redis), (client) =>
      internal.fromStorage(stores.redis(client, redisKeyPrefix(options))))
  )

export const connectRedis = (
  url: string,
  options?: RedisOptions
): Effect.Effect<Redis, SessionStoreError, Scope.Scope> =>
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

export const processResponse: {
  (
    session: Session
  ): (response: View.Response) => Effect.Effect<View.Response, SessionInterrupted | SessionStoreError>
  (session: Session, response: View.Response): Effect.Effect<View.Response, SessionInterrupted | SessionStoreError>
} = dual(
  2,
  (session: Session, response: View.Response): Effect.Effect<View.Response, SessionInterrupted | SessionStoreError> =>
    isServerResponseLike(response)
      ? respond(session, response)
      : Effect.flatMap(Effect.orDie(View.toServerResponse(response)), (res) => respond(session, res)) // not ours: no `MakeError`
)

export const cookieFailure = (e: HttpResponse.MakeError) =>
  new SessionStoreError({ message: `Cannot set the session cookie: ${e.message}`, cause: e })

export const interrupted = () => Effect.fail(new SessionInterrupted({ message: INTERRUPTED_MESSAGE }))

/**
 * Django's `process_response` of the session middleware for a response of this library or of the
 * platform, decided now (the session's state as it is when called): what `respond` runs, called
 * straight from the middleware's continuation, where it runs at once.
 */
export const respondNow = (
  session: Session,
  res: internal.AnyResponse
): Effect.Effect<View.Response, SessionInterrupted | SessionStoreError> => {
  const state = session.state.current
  const settings = session.settings
  const outcome = internal.decide(state, session.cookieSent, internal.statusOf(res), settings)
  switch (outcome._tag) {
    case "Delete":
      return Effect.mapBoth(internal.deleteSessionCookie(res, settings), {
        onFailure: cookieFailure,
        onSuccess: internal.varyCookie
      })
    case "None":
      return Effect.succeed(outcome.vary ? internal.varyCookie(res) : res)
    case "Save": {
      const withVary = outcome.vary ? internal.varyCookie(res) : res
      // `get_expire_at_browser_close()` / `get_expiry_age()` load the data before the save
      // (a row gone meanwhile drops the key, so that the save creates a new session).
      const saveWith = (loaded: Loaded) => {
        const maxAge = internal.expireAtBrowserClose(loaded.cache, settings)
          ? null
          : internal.expiryAge(loaded.cache, settings)
        return Effect.flatMap(
          updateEffect(
            session.state,
            (s) =>
              session.store.save(s, false, settings).pipe(
                Effect.catchTags({ UpdateError: interrupted, CreateError: (e) => Effect.die(e) })
              )
          ),
          (saved) =>
            Effect.mapError(internal.setSessionCookie(withVary, saved.key ?? "", maxAge, settings), cookieFailure)
        )
      }
      // Loaded already (the usual case): no step for it.
      const now = loadedNow(state)
      if (now !== undefined) {
        session.state.current = now
        return saveWith(now)
      }
      return Effect.flatMap(updateEffect(session.state, (s) => loadState(session, s)), saveWith)
    }
  }
}

export const respond = (
  session: Session,
  res: internal.AnyResponse
): Effect.Effect<View.Response, SessionInterrupted | SessionStoreError> =>
  Effect.suspend(() => respondNow(session, res))

export const isServerResponseLike = (u: View.Response): u is internal.AnyResponse =>
  HttpResponse.isAnyResponse(u) || HttpServerResponse.isServerResponse(u)

export const middleware: Middleware.Middleware<SessionInterrupted | SessionStoreError, SessionStore, Session> =
  Middleware.make({
    // One step makes the session; the views below get it as a service.
    call: (request, getResponse) =>
      Effect.withFiberRuntime((fiber) => {
        const session = fromRequestIn(fiber.currentContext, request)
        // The view's failure becomes its response here (then saved as any other); the session is
        // provided in place (`Effect.provideService` costs a dozen steps), the layer below run
        // under this layer's continuation (`respondServiceThen`).
        return respondServiceThen(fiber, getResponse, request, Session, session, {
          onFailure: (cause) =>
            Cause.isInterruptedOnly(cause) ?
              Effect.failCause(cause as Cause.Cause<never>) :
              Effect.withFiberRuntime<View.Response, SessionInterrupted | SessionStoreError>((fiber) =>
                Effect.flatMap(
                  responseForCause(
                    cause,
                    { method: request.method, path: request.path, meta: request.META },
                    Settings.fromContext(fiber.currentContext)
                  ),
                  (response) => processResponse(session, response)
                )
              ),
          // Decided in this continuation (no step of its own), as `processResponse` would decide it.
          onSuccess: (response) =>
            isServerResponseLike(response) ? respondNow(session, response) : processResponse(session, response)
        })
      }),
    provides: [Session]
  })

/** Django's cache key prefix for sessions: `KEY_PREFIX:VERSION:django.contrib.sessions.cache`. */
export const redisKeyPrefix = (options: Sessions.RedisStoreOptions = {}): string =>
  `${options.keyPrefix ?? ""}:${options.version ?? 1}:django.contrib.sessions.cache`
