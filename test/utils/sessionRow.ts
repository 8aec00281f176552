/**
 * The `django_session` row Django 3.2 writes (V18), as one check for every store that writes the
 * table over SQLite (`layerSql` over `@effect/sql-sqlite-node` in `Sessions.stores.test.ts`,
 * `layerSqlite` in `SqliteStores.test.ts`): `{"user_pref": "dark"}` saved at `T0` under the
 * secret `SECRET`, then saved again 1.5 s later (the naive UTC `expire_date` with microseconds).
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { expect } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { Sessions } from "../../src/index.js"

/** The secret the row below was signed with (`SECRET_KEY`). */
export const SECRET = "wave2-test-secret-key"

/** The instant the row is first saved at. */
export const T0 = 1700000000000

/**
 * Saves `{"user_pref": "dark"}` through `save` (one request through SessionMiddleware whose view
 * runs the ops) at `T0`, checks the table holds exactly Django's row, saves again 1.5 s later and
 * checks the new `expire_date`. The clock is the test clock; the table is read through `SqlClient`.
 */
export const expectDjangoRow = <E, R>(
  save: (
    cookie: string | undefined,
    ops: ReturnType<typeof Sessions.set>
  ) => Effect.Effect<{ readonly cookie: string | undefined }, E, R>
) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(T0)
    const r = yield* save(undefined, Sessions.set("user_pref", "dark"))
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<
      { session_key: string; session_data: string; expire_date: string }
    >`SELECT * FROM django_session`
    expect(rows).toEqual([{
      session_key: r.cookie,
      session_data: "eyJ1c2VyX3ByZWYiOiJkYXJrIn0:1r31eq:b3FJdNlSe13babimSa_rZ8fxs9FWsE93ykOczkyvFWw",
      expire_date: "2023-11-28 22:13:20"
    }])
    yield* TestClock.setTime(T0 + 1500)
    yield* save(r.cookie, Sessions.set("x", 1))
    const [row] = yield* sql<{ expire_date: string }>`SELECT expire_date FROM django_session`
    expect(row!.expire_date).toBe("2023-11-28 22:13:21.500000")
  })
