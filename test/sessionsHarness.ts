/**
 * Replays the operations of scripts/django/sessions.py on this library's sessions, so that a
 * test compares what Django 3.2 recorded with what happens here.
 */
import { Effect, Layer, Option, TestClock } from "effect"
import { readFileSync } from "node:fs"
import { HttpResponse, RequestFactory, Sessions, Settings, type View } from "../src/index.js"

export type Op = ReadonlyArray<unknown> & { readonly 0: string }
type Pairs = ReadonlyArray<readonly [string, unknown]>

export interface Fixtures {
  readonly secret: string
  readonly t0: number
  readonly stored: Pairs
  readonly encodings: ReadonlyArray<{
    data: Pairs
    encoded: string
    legacy: string
    sha1Signed: string
    signedCookie: string
  }>
  readonly decodes: ReadonlyArray<{ value: string; data: Pairs }>
  readonly keys: ReadonlyArray<{ cookie: string; key: string | null }>
  readonly ops: ReadonlyArray<{
    start: Start
    backend: Backend
    ops: ReadonlyArray<Op>
    results: ReadonlyArray<unknown>
    accessed: boolean
    modified: boolean
    isEmpty: boolean
    loaded: boolean
    data: Pairs | null
    sessionKey: string | null
    row: { data: Pairs; expire: number } | null
    storedRowLeft: boolean
  }>
  readonly middleware: ReadonlyArray<{
    backend: Backend
    settings: Settings.Input
    start: Start
    ops: ReadonlyArray<Op>
    responseStatus: number
    status: number
    setCookies: ReadonlyArray<string>
    vary: string | null
    error?: string
    message?: string
    row: { data: Pairs; expire: number } | null
    storedRowLeft: boolean
  }>
  readonly signedAge: ReadonlyArray<{ after: number; value: string; data: Pairs; modified: boolean }>
  readonly dbExpiry: ReadonlyArray<{ after: number; data: Pairs; keyKept: boolean }>
}

export type Start = "fresh" | "stored" | "short-cookie" | "unknown-cookie" | "garbage-cookie"
export type Backend = "db" | "signed_cookies"

export const fixtures: Fixtures = JSON.parse(
  readFileSync(new URL("./fixtures/sessions.json", import.meta.url), "utf8")
)

export const T0 = fixtures.t0 * 1000

export const toMap = (pairs: Pairs): Sessions.Data => new Map(pairs as ReadonlyArray<[string, Sessions.Json]>)
export const toPairs = (data: Sessions.Data): Pairs => Array.from(data.entries())

/** A world: settings, a backend, and (for `db`) the memory storage under it. */
export const world = (backend: Backend, settings: Settings.Input = {}) => {
  const storage = Sessions.memoryStorage()
  const layer = Layer.mergeAll(
    Settings.layer({ SECRET_KEY: fixtures.secret, ...settings }),
    backend === "db" ? Sessions.layerStorage(storage) : Sessions.layerSignedCookies
  )
  return { storage, layer }
}

/** One operation of the script's little language, with Django's results. */
export const runOp = (
  op: Op,
  storage: Sessions.Storage
): Effect.Effect<unknown, Sessions.SessionStoreError | Error, Sessions.Session> => {
  const [name, a, b] = op as unknown as [string, string, unknown]
  const keyError = <A>(e: Effect.Effect<A, Sessions.KeyError | Sessions.SessionStoreError, Sessions.Session>) =>
    Effect.catchTag(e, "KeyError", (err) => Effect.succeed({ KeyError: err.message }))
  switch (name) {
    case "get":
      return Effect.map(Sessions.get(a), Option.getOrNull)
    case "getitem":
      return keyError(Sessions.getOrFail(a))
    case "set":
      return Effect.as(Sessions.set(a, b), null)
    case "del":
      return keyError(Effect.as(Sessions.remove(a), null))
    case "pop":
      return Effect.map(Sessions.pop(a), Option.getOrNull)
    case "setdefault":
      return Sessions.setDefault(a, b)
    case "update":
      return Effect.as(Sessions.update(a as unknown as Pairs), null)
    case "has":
      return Sessions.has(a)
    case "keys":
      return Sessions.keys
    case "values":
      return Sessions.values
    case "items":
      return Effect.map(Sessions.items, (items) => items.map(([k, v]) => [k, v]))
    case "clear":
      return Effect.as(Sessions.clear, null)
    case "flush":
      return Effect.as(Sessions.flush, null)
    case "cycle_key":
      return Effect.as(Sessions.cycleKey, null)
    case "is_empty":
      return Sessions.isEmpty
    case "set_expiry":
      return Effect.as(Sessions.setExpiry(a as unknown as number | null), null)
    case "get_expiry_age":
      return Sessions.getExpiryAge
    case "get_expiry_date":
      return Effect.map(Sessions.getExpiryDate, (d) => d.getTime() / 1000)
    case "get_expire_at_browser_close":
      return Sessions.getExpireAtBrowserClose
    case "set_test_cookie":
      return Effect.as(Sessions.setTestCookie, null)
    case "test_cookie_worked":
      return Sessions.testCookieWorked
    case "delete_test_cookie":
      return keyError(Effect.as(Sessions.deleteTestCookie, null))
    case "save":
      return Effect.catchIf(
        Effect.as(Sessions.save, null),
        (e): e is Sessions.UpdateError => e._tag === "UpdateError",
        () => Effect.succeed({ UpdateError: true })
      )
    case "delete_row":
      return Effect.flatMap(
        Sessions.sessionKey,
        (key) => Option.isSome(key) ? Effect.as(storage.delete(key.value), null) : Effect.succeed(null)
      )
    default:
      return Effect.fail(new Error(`unknown op ${name}`))
  }
}

/** The session Django's script stored before the request: its cookie value. */
export const storeSession: Effect.Effect<string, unknown, Sessions.SessionStore | Settings.Settings> = Effect.gen(
  function*() {
    const session = yield* Sessions.make()
    yield* Effect.provideService(
      Effect.gen(function*() {
        yield* Sessions.update(fixtures.stored)
        yield* Sessions.save
      }),
      Sessions.Session,
      session
    )
    const state = yield* Effect.provideService(Sessions.state, Sessions.Session, session)
    return state.key!
  }
)

export const cookieFor = (start: Start, stored: string | undefined): string | undefined => {
  switch (start) {
    case "fresh":
      return undefined
    case "stored":
      return stored
    case "short-cookie":
      return "abc"
    case "unknown-cookie":
      return "u".repeat(32)
    case "garbage-cookie":
      return "garbage-but-long-enough"
  }
}

/** Generated keys as the script writes them: `<stored>`, then `<key1>`, `<key2>` in order of appearance. */
export const placeholders = (texts: ReadonlyArray<string>, stored: string | undefined): ReadonlyArray<string> => {
  const names = new Map<string, string>()
  if (stored !== undefined) names.set(stored, "<stored>")
  let n = 0
  return texts.map((text) => {
    let out = text
    if (stored !== undefined) out = out.split(stored).join("<stored>")
    for (const key of out.match(/(?<![A-Za-z0-9_-])[a-z0-9]{32}(?![A-Za-z0-9_-])/g) ?? []) {
      if (key === "u".repeat(32) || names.has(key)) continue
      names.set(key, `<key${++n}>`)
    }
    for (const [key, name] of names) if (name !== "<stored>") out = out.split(key).join(name)
    return out
  })
}

/** A row of the memory storage as the script prints a `django_session` row. */
export const rowOf = (
  storage: ReturnType<typeof Sessions.memoryStorage>,
  key: string | null
): Effect.Effect<{ data: Pairs; expire: number } | null, never, Settings.Settings> => {
  if (key === null) return Effect.succeed(null)
  const row = storage.rows.get(key)
  if (row === undefined) return Effect.succeed(null)
  return Effect.map(Sessions.decodeData(row.value), (data) => ({ data: toPairs(data), expire: row.expire / 1000 }))
}

export const atT0 = TestClock.setTime(T0)

/** The view of a middleware scenario: runs the ops, answers with the status. */
export const scenarioView = (
  ops: ReadonlyArray<Op>,
  status: number,
  storage: Sessions.Storage,
  seen: { session?: Sessions.Session } = {}
): View.View<unknown, Sessions.Session> =>
() =>
  Effect.gen(function*() {
    seen.session = yield* Sessions.Session
    for (const op of ops) yield* runOp(op, storage)
    return yield* HttpResponse.make({ status })
  })

export const requestWith = (name: string, cookie: string | undefined) =>
  RequestFactory.get("/", cookie === undefined ? {} : { cookies: { [name]: cookie } })
