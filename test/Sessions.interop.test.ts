/**
 * Live interop with the real Django 3.2 under /usr/bin/python3 (scripts/django/sessions_interop.py,
 * settings in scripts/django/sessions_site/): Django writes a session into a shared SQLite file
 * (and a shared PostgreSQL database), this library reads it, changes it, and Django reads the
 * change; signed-cookie sessions go both ways. Skipped (and says so) where Django is not
 * importable; .ci/run installs python3-django so that CI runs it.
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { HttpResponse, RequestFactory, Sessions, Settings } from "../src/index.js"
import { pgDatabaseUrl, pgSkip } from "./utils/services.js"

const python = "/usr/bin/python3"
const djangoMissing = !existsSync(python) || spawnSync(python, ["-c", "import django"]).status !== 0
const psycopgMissing = djangoMissing || spawnSync(python, ["-c", "import psycopg2"]).status !== 0
const skipReason = djangoMissing ? ` [SKIPPED: ${python} cannot import django]` : ""
if (djangoMissing) console.warn(`Sessions interop with Django skipped: ${python} cannot import django`)
if (!djangoMissing && psycopgMissing) {
  console.warn("Sessions interop on PostgreSQL skipped: python3-psycopg2 is missing (.ci/run installs it)")
}

const SECRET = "interop-s3cret-\u00e9"
const settings = Settings.layer({ SECRET_KEY: SECRET })
const dir = mkdtempSync(join(tmpdir(), "sessions-interop-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Step =
  | { readonly do: "migrate" }
  | { readonly do: "write"; readonly data: ReadonlyArray<readonly [string, unknown]> }
  | { readonly do: "read"; readonly key: string }
  | { readonly do: "update"; readonly key: string; readonly data: ReadonlyArray<readonly [string, unknown]> }

/** Runs Django's steps with the given database/engine environment; each step's result. */
const django = (env: Record<string, string>, steps: ReadonlyArray<Step>): ReadonlyArray<unknown> => {
  const run = spawnSync(python, ["scripts/django/sessions_interop.py"], {
    input: JSON.stringify(steps),
    encoding: "utf8",
    env: { ...process.env, SESSIONS_SECRET_KEY: SECRET, ...env }
  })
  if (run.status !== 0) throw new Error(`Django failed: ${run.stderr}`)
  return JSON.parse(run.stdout)
}

/** One request through SessionMiddleware with the session cookie; the new cookie value, if any. */
const request = <E, R>(cookie: string | undefined, ops: Effect.Effect<unknown, E, R>) =>
  Effect.gen(function*() {
    const view = Sessions.middleware(() => Effect.zipRight(ops, HttpResponse.make({})))
    const result = yield* Effect.either(
      view(RequestFactory.get("/", cookie === undefined ? {} : { cookies: { sessionid: cookie } }))
    )
    if (Either.isLeft(result)) throw new Error(`request failed: ${String(result.left)}`)
    const response = result.right
    if (!HttpResponse.isAnyResponse(response)) throw new Error("expected an HttpResponse")
    return response.cookies.find((c) => c.name === "sessionid")?.value
  })

const djangoData: ReadonlyArray<readonly [string, unknown]> = [
  ["user", "ada"],
  ["cart", [1, 2]],
  ["name", "Jos\u00e9 \ud83d\ude00"],
  ["big", "x".repeat(400)]
]

/** Django writes, we read and change, Django reads the change; we write, Django reads. */
const sharedDatabase = (env: Record<string, string>, store: Layer.Layer<Sessions.SessionStore, unknown>) =>
  Effect.gen(function*() {
    const [, key] = django(env, [{ do: "migrate" }, { do: "write", data: djangoData }]) as [null, string]
    const ours = yield* request(
      key,
      Effect.gen(function*() {
        expect(yield* Sessions.items).toEqual(djangoData)
        yield* Sessions.set("cart", [1, 2, 3])
        yield* Sessions.set("seen", true)
      })
    ).pipe(Effect.provide(store))
    expect(ours).toBe(key)
    const fresh = yield* request(undefined, Sessions.update({ from: "effect", n: 1.5 })).pipe(Effect.provide(store))
    const [changed, written] = django(env, [{ do: "read", key }, { do: "read", key: fresh! }])
    // The change in place (a dict keeps a key's position), the new key last.
    expect(changed).toEqual([djangoData[0], ["cart", [1, 2, 3]], djangoData[2], djangoData[3], ["seen", true]])
    expect(written).toEqual([["from", "effect"], ["n", 1.5]])
    // Django changes ours; we read Django's change.
    django(env, [{ do: "update", key: fresh!, data: [["n", 2]] }])
    yield* request(fresh, Effect.map(Sessions.items, (items) => expect(items).toEqual([["from", "effect"], ["n", 2]])))
      .pipe(Effect.provide(store))
  }).pipe(Effect.provide(settings))

describe(`Sessions: live interop with Django 3.2${skipReason}`, () => {
  it.live.skipIf(djangoMissing)("db sessions shared through one SQLite file, both ways (layerSqlite)", () => {
    const filename = join(dir, "shared.sqlite3")
    return sharedDatabase({ SESSIONS_SQLITE: filename }, Sessions.layerSqlite({ filename }))
  })

  it.live.skipIf(djangoMissing)("db sessions shared through one SQLite file, both ways (layerSql)", () => {
    const filename = join(dir, "shared-sql.sqlite3")
    return sharedDatabase(
      { SESSIONS_SQLITE: filename },
      Layer.provide(Sessions.layerSql, SqliteClient.layer({ filename }))
    )
  })

  it.live.skipIf(djangoMissing || psycopgMissing || pgSkip)(
    "db sessions shared through one PostgreSQL database",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const url = yield* pgDatabaseUrl
        yield* sharedDatabase({ DATABASE_URL: url }, Sessions.layerPg({ url }))
      }))
  )

  it.live.skipIf(djangoMissing)(
    "signed-cookie sessions: Django's cookie read and changed here, ours read by Django",
    () =>
      Effect.gen(function*() {
        const env = { SESSIONS_ENGINE: "signed_cookies" }
        const [cookie] = django(env, [{ do: "write", data: djangoData }]) as [string]
        const ours = yield* request(
          cookie,
          Effect.gen(function*() {
            expect(yield* Sessions.items).toEqual(djangoData)
            yield* Sessions.set("cart", [])
          })
        )
        expect(ours).not.toBe(cookie)
        const [read] = django(env, [{ do: "read", key: ours! }])
        expect(read).toEqual([djangoData[0], ["cart", []], ...djangoData.slice(2)])
        // A cookie Django would not accept (wrong salt: a db encoding) is an empty session here too.
        const encoded = yield* Sessions.encode(new Map(djangoData as ReadonlyArray<[string, Sessions.Json]>))
        const [foreign] = django(env, [{ do: "read", key: encoded }])
        expect(foreign).toEqual([])
        yield* request(encoded, Effect.map(Sessions.items, (items) => expect(items).toEqual([])))
      }).pipe(Effect.provide(Layer.merge(settings, Sessions.layerSignedCookies)))
  )
})
