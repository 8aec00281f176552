/**
 * Live interop with the real Django 3.2 under /usr/bin/python3 (scripts/django/auth_interop.py,
 * settings in scripts/django/sessions_site/): one SQLite file holds Django's auth_user and
 * django_session for both. A superuser made by Django's `createsuperuser` logs in here; a session
 * logged in here is Django's `get_user`'s user, and one logged in by Django is `request.user`
 * here; a user made here authenticates in Django; a password changed by Django ends our session.
 * Skipped (and says so) where Django is not importable; .ci/run installs python3-django.
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { Auth, HttpResponse, Passwords, RequestFactory, Sessions, Settings } from "../src/index.js"

const python = "/usr/bin/python3"
const djangoMissing = !existsSync(python) || spawnSync(python, ["-c", "import django"]).status !== 0
const skipReason = djangoMissing ? ` [SKIPPED: ${python} cannot import django]` : ""
if (djangoMissing) console.warn(`Auth interop with Django skipped: ${python} cannot import django`)

const SECRET = "auth-interop-s3cret-\u00e9"
const dir = mkdtempSync(join(tmpdir(), "auth-interop-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Step = Record<string, unknown> & { readonly do: string }
const django = (filename: string, steps: ReadonlyArray<Step>): ReadonlyArray<any> => {
  const run = spawnSync(python, ["scripts/django/auth_interop.py"], {
    input: JSON.stringify(steps),
    encoding: "utf8",
    env: { ...process.env, SESSIONS_SECRET_KEY: SECRET, SESSIONS_SQLITE: filename }
  })
  if (run.status !== 0) throw new Error(`Django failed: ${run.stderr}`)
  return JSON.parse(run.stdout)
}

/** One request through SessionMiddleware and AuthenticationMiddleware; the session cookie set. */
const request = <E, R>(cookie: string | undefined, body: Effect.Effect<unknown, E, R>) =>
  Effect.gen(function*() {
    const view = Sessions.middleware(Auth.middleware(() => Effect.zipRight(body, HttpResponse.make({ content: "" }))))
    const response = yield* view(
      RequestFactory.get("/", cookie === undefined ? {} : { cookies: { sessionid: cookie } })
    )
    if (!HttpResponse.isAnyResponse(response)) throw new Error("expected an HttpResponse")
    return response.cookies.find((c) => c.name === "sessionid")?.value
  })

/** The stores on the file: `layerSql` over `@effect/sql-sqlite-node`, or `layerSqlite` (better-sqlite3). */
const stores: ReadonlyArray<
  readonly [string, (filename: string) => Layer.Layer<Auth.Users | Sessions.SessionStore, unknown>]
> = [
  [
    "layerSql",
    (filename) =>
      Layer.mergeAll(Auth.layerSql, Sessions.layerSql).pipe(Layer.provideMerge(SqliteClient.layer({ filename })))
  ],
  ["layerSqlite", (filename) => Layer.mergeAll(Auth.layerSqlite({ filename }), Sessions.layerSqlite({ filename }))]
]

describe(`Auth: live interop with Django 3.2${skipReason}`, () => {
  for (const [name, store] of stores) {
    it.live.skipIf(djangoMissing)(
      `users and login sessions shared through one SQLite file, both ways (${name})`,
      () => {
        const filename = join(dir, `shared-${name}.sqlite3`)
        const layer = Layer.merge(store(filename), Settings.layer({ SECRET_KEY: SECRET }))
        // Django's migrate first (the layers then find its tables), before the layer is built.
        const [, aliceId, djangoKey] = django(filename, [
          { do: "migrate" },
          { do: "createsuperuser", username: "alice", email: "alice@example.com", password: "wonder-land 42" },
          { do: "login", username: "alice", password: "wonder-land 42" }
        ])
        return Effect.gen(function*() {
          // Django's row as read here.
          const users = yield* Auth.Users
          const alice = Option.getOrThrow(yield* users.findByUsername("alice"))
          const [djangoRow] = django(filename, [{ do: "user", username: "alice" }])
          expect({ ...alice, last_login: alice.last_login?.getTime(), date_joined: alice.date_joined.getTime() })
            .toMatchObject({
              ...djangoRow,
              last_login: Date.parse(djangoRow.last_login),
              date_joined: Date.parse(djangoRow.date_joined)
            })
          expect(alice).toMatchObject({ id: aliceId, is_superuser: true, is_staff: true, is_active: true })

          // Django's login session is request.user here.
          const seen: Array<number | null> = []
          yield* request(djangoKey, Effect.map(Auth.user, (u) => seen.push(u.pk)))
          expect(seen).toEqual([aliceId])

          // Django's createsuperuser hash logs in here; Django's get_user knows our session.
          const ours = yield* request(
            undefined,
            Effect.flatMap(Auth.authenticate("alice", "wonder-land 42"), (u) => Auth.login(Option.getOrThrow(u)))
          )
          expect(ours).toBeDefined()
          const [mine] = django(filename, [{ do: "get_user", key: ours }])
          expect(mine.user).toBe(aliceId)
          expect(mine.items.map((kv: [string, unknown]) => kv[0])).toEqual([
            "_auth_user_id",
            "_auth_user_backend",
            "_auth_user_hash"
          ])
          const [afterLogin] = django(filename, [{ do: "user", username: "alice" }])
          expect(afterLogin.last_login).not.toBe(djangoRow.last_login)

          // A user made here authenticates in Django.
          const bob = yield* users.create({ username: "bob", password: yield* Passwords.makePassword("b0b's pass") })
          expect(django(filename, [{ do: "check", username: "bob", password: "b0b's pass" }, {
            do: "check",
            username: "bob",
            password: "wrong"
          }])).toEqual([bob.id, null])

          // Django changes alice's password: our session's hash no longer matches; both sides flush.
          django(filename, [{ do: "set_password", username: "alice", password: "new pass" }])
          const [djangoSide] = django(filename, [{ do: "get_user", key: djangoKey }])
          expect(djangoSide).toEqual({ user: null, items: [], exists: false })
          yield* request(ours, Effect.map(Auth.user, (u) => seen.push(u.pk)))
          expect(seen).toEqual([aliceId, null])
          const [gone] = django(filename, [{ do: "get_user", key: ours }])
          expect(gone.exists).toBe(false)
        }).pipe(Effect.provide(layer))
      },
      60000
    )
  }
})
