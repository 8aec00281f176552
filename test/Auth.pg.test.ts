/**
 * Auth.layerSql on PostgreSQL (DATABASE_URL, started by .ci/run): Django 3.2's auth_user DDL
 * (with the `_like` index of a varchar unique column), booleans and timestamptz columns.
 * Skipped (with a message) outside CI when DATABASE_URL is not set.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { Auth, Settings } from "../src/index.js"
import { pgDatabase, pgSkip } from "./utils/services.js"

if (pgSkip) console.warn("Auth on PostgreSQL skipped: DATABASE_URL is not set (bash .ci/run starts PostgreSQL)")

describe.skipIf(pgSkip)("Auth.layerSql on PostgreSQL: Django's auth_user", () => {
  it.scoped("migrate creates Django's table and index once; rows round-trip", () =>
    Effect.gen(function*() {
      expect(yield* Auth.migrate).toBe(true)
      expect(yield* Auth.migrate).toBe(false)
      const sql = yield* SqlClient.SqlClient
      const indexes = yield* sql<{ indexname: string }>`
        SELECT indexname FROM pg_indexes WHERE tablename = 'auth_user' ORDER BY indexname`
      expect(indexes.map((r) => r.indexname)).toEqual([
        "auth_user_pkey",
        "auth_user_username_6821ab7c_like",
        "auth_user_username_key"
      ])
      const columns = yield* sql<{ column_name: string; data_type: string }>`
        SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'auth_user'
        ORDER BY ordinal_position`
      expect(columns.map((c) => c.column_name)).toEqual([
        "id",
        "password",
        "last_login",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined"
      ])
      const users = yield* Auth.Users
      const joined = new Date(Date.UTC(2021, 5, 6, 7, 8, 9, 123))
      const carol = yield* users.create({ username: "carol", password: "!x", is_superuser: true, date_joined: joined })
      expect(Option.getOrThrow(yield* users.findByUsername("carol"))).toEqual(carol)
      expect(carol).toMatchObject({ is_superuser: true, is_staff: false, is_active: true, date_joined: joined })
      yield* users.setLastLogin(carol.id, joined)
      yield* users.setPassword(carol.id, "!y")
      expect(Option.getOrThrow(yield* users.findById(carol.id))).toMatchObject({ last_login: joined, password: "!y" })
    }).pipe(Effect.provide(Auth.layerSql.pipe(Layer.provideMerge(pgDatabase), Layer.merge(Settings.layer())))))
})
