/**
 * `Sqlite`, the library's `SqlClient` on better-sqlite3, on real SQLite files in a temp directory:
 * statements and parameters (`sql.insert`, `sql.in`, `values`, `raw`, `unprepared`, `stream`),
 * the name transforms, transactions (commit, rollback on failure and on interruption, nested
 * savepoints), the gate (a plain statement of another fiber waits while a transaction holds the
 * connection, and is not part of it), `SafeIntegers`, errors as `SqlError` with the driver's
 * cause, the bounded prepare cache, WAL, the file closed with the layer; the same results as
 * `@effect/sql-sqlite-node`, and the same spans under a tracer, for random sequences of statements
 * and transactions, with the statements' `@effect/sql` semantics (transformers, fragments); and
 * the session and user stores on the client's connection (`layerSqliteClient`): inside the view's
 * transaction their writes commit and roll back with it (Django's one connection,
 * `ATOMIC_REQUESTS`), outside it they wait for it, never deadlocking.
 */
import * as SqliteNode from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Statement from "@effect/sql/Statement"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import {
  Deferred,
  Effect,
  Either,
  Exit,
  FastCheck as fc,
  Fiber,
  Layer,
  Option,
  Scope,
  Stream,
  TestClock,
  Tracer
} from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { inspect } from "node:util"
import { afterAll } from "vitest"
import { Auth, Sessions, Settings, Sqlite } from "../src/index.js"
import { sharedOf } from "../src/internal/sqliteClient.js"

const dir = mkdtempSync(join(tmpdir(), "sqlite-client-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const sqliteFile = () => join(dir, `db-${++files}.sqlite3`)

/** `f` with a fresh client on a fresh file, and a table `t (id, n, s)`. */
const withClient = <A, E>(
  f: (sql: Sqlite.SqliteClient) => Effect.Effect<A, E>,
  config: Partial<Sqlite.SqliteClientConfig> = {}
) =>
  Effect.gen(function*() {
    const sql = yield* Sqlite.SqliteClient
    yield* sql`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT)`
    return yield* f(sql)
  }).pipe(Effect.provide(Sqlite.layer({ filename: sqliteFile(), ...config })))

const all = (sql: SqlClient.SqlClient) => sql<{ readonly n: number }>`SELECT n FROM t ORDER BY id`

/** Lets every other ready fiber run until it waits. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

describe("Sqlite statements", () => {
  it.effect("run with their parameters, sql.insert, sql.in, values, raw, unprepared and stream", () =>
    withClient((sql) =>
      Effect.gen(function*() {
        yield* sql`INSERT INTO t ${sql.insert([{ n: 1, s: "a" }, { n: 2, s: "b" }, { n: 3, s: "c'; --" }])}`
        expect(yield* sql`SELECT n, s FROM t WHERE n >= ${2} ORDER BY id`).toEqual([
          { n: 2, s: "b" },
          { n: 3, s: "c'; --" }
        ])
        expect(yield* sql`SELECT s FROM t WHERE ${sql.in("n", [1, 3])} ORDER BY id`).toEqual([
          { s: "a" },
          { s: "c'; --" }
        ])
        expect(yield* sql`SELECT n, s FROM t ORDER BY id`.values).toEqual([[1, "a"], [2, "b"], [3, "c'; --"]])
        // `values` leaves the statement as it was: the next run gives objects again.
        expect(yield* sql`SELECT n, s FROM t ORDER BY id`).toHaveLength(3)
        const raw = yield* sql`UPDATE t SET s = ${"z"} WHERE n > ${1}`.raw
        expect(raw).toEqual({ changes: 2, lastInsertRowid: 3 })
        expect(yield* sql`SELECT count(*) AS c FROM t WHERE s = ${"z"}`.unprepared).toEqual([{ c: 2 }])
        expect(yield* sql`INSERT INTO t (n) VALUES (${4})`).toEqual([])
        const streamed = yield* Stream.runCollect(sql<{ readonly n: number }>`SELECT n FROM t ORDER BY id`.stream)
        expect(Array.from(streamed, (r) => r.n)).toEqual([1, 2, 3, 4])
        expect(yield* sql.unsafe("SELECT n FROM t WHERE n = ?", [4])).toEqual([{ n: 4 }])
      })
    ))

  it.effect("sql.reactive runs the query through Reactivity, as sqlite-node's client does", () =>
    withClient((sql) =>
      Effect.gen(function*() {
        yield* sql`INSERT INTO t (n) VALUES (${1})`
        const first = yield* Stream.runHead(sql.reactive(["t"], all(sql)))
        expect(first).toEqual(Option.some([{ n: 1 }]))
      })
    ))

  it.effect("transformResultNames and transformQueryNames apply to rows and identifiers", () =>
    withClient(
      (sql) =>
        Effect.gen(function*() {
          yield* sql`CREATE TABLE note_row (note_id INTEGER, created_by TEXT)`
          yield* sql`INSERT INTO ${sql("noteRow")} ${sql.insert({ noteId: 7, createdBy: "ann" })}`
          expect(yield* sql`SELECT note_id, created_by FROM note_row`).toEqual([{ noteId: 7, createdBy: "ann" }])
          // withoutTransforms: the names as the database has them.
          expect(yield* sql.withoutTransforms()`SELECT note_id FROM note_row`).toEqual([{ note_id: 7 }])
        }),
      {
        transformQueryNames: (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
        transformResultNames: (s) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
      }
    ))

  it.effect("SafeIntegers gives bigints to the statement it is set around, and no other", () =>
    withClient((sql) =>
      Effect.gen(function*() {
        const big = sql<{ readonly v: unknown }>`SELECT 9007199254740993 AS v`
        expect(yield* Effect.provideService(big, SqlClient.SafeIntegers, true)).toEqual([{ v: 9007199254740993n }])
        expect(yield* big).toEqual([{ v: 9007199254740992 }])
      })
    ))

  it.effect("a failing statement is a SqlError whose cause is better-sqlite3's error", () =>
    withClient((sql) =>
      Effect.gen(function*() {
        const prepare = yield* Effect.flip(sql`SELECT nope FROM missing`)
        expect(prepare).toBeInstanceOf(SqlError)
        expect(prepare.message).toBe("Failed to prepare statement ")
        expect(String(prepare.cause)).toContain("no such table: missing")
        yield* sql`CREATE UNIQUE INDEX t_n ON t (n)`
        yield* sql`INSERT INTO t (n) VALUES (${1})`
        const execute = yield* Effect.flip(sql`INSERT INTO t (n) VALUES (${1})`)
        expect(execute.message).toBe("Failed to execute statement")
        expect((execute.cause as { readonly code: string }).code).toBe("SQLITE_CONSTRAINT_UNIQUE")
        const unprepared = yield* Effect.flip(sql`SELEC 1`.unprepared)
        expect(unprepared.message).toBe("Failed to prepare statement ")
        // The connection goes on.
        expect(yield* all(sql)).toEqual([{ n: 1 }])
      })
    ))

  it.effect("the prepare cache keeps prepareCacheSize statements, the least recently used evicted", () =>
    withClient(
      (sql) =>
        Effect.gen(function*() {
          const cache = sharedOf(sql).cache
          cache.clear()
          for (const i of [1, 2, 3]) yield* sql`SELECT ${i} AS v, ${sql.literal(String(i))} AS k`
          expect(cache.size).toBe(3)
          yield* sql`SELECT ${9} AS v, ${sql.literal("1")} AS k` // 1 used again
          yield* sql`SELECT ${4} AS v, ${sql.literal("4")} AS k` // 2 evicted
          expect([...cache.keys()]).toEqual([
            "SELECT ? AS v, 3 AS k",
            "SELECT ? AS v, 1 AS k",
            "SELECT ? AS v, 4 AS k"
          ])
          for (let i = 5; i < 40; i++) yield* sql`SELECT ${i} AS v, ${sql.literal(String(i))} AS k`
          expect(cache.size).toBe(3)
        }),
      { prepareCacheSize: 3 }
    ))

  it.effect("the file is in WAL mode unless disableWAL", () =>
    Effect.gen(function*() {
      const mode = (sql: SqlClient.SqlClient) => sql<{ readonly journal_mode: string }>`PRAGMA journal_mode`
      expect(yield* withClient(mode)).toEqual([{ journal_mode: "wal" }])
      expect(yield* withClient(mode, { disableWAL: true })).toEqual([{ journal_mode: "delete" }])
    }))

  it.effect("the connection is closed when the layer's scope closes", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(Sqlite.layer({ filename: sqliteFile() }), scope)
      const sql = yield* Effect.provide(Sqlite.SqliteClient, context)
      expect(yield* sql`SELECT 1 AS one`).toEqual([{ one: 1 }])
      expect(sharedOf(sql).db.open).toBe(true)
      yield* Scope.close(scope, Exit.void)
      expect(sharedOf(sql).db.open).toBe(false)
      const after = yield* Effect.flip(sql`SELECT 1 AS one`)
      expect(after).toBeInstanceOf(SqlError)
    }))
})

describe("Sqlite and other connections", () => {
  it.effect("a statement waits on the Effect clock while another connection holds the write lock, then runs", () =>
    Effect.gen(function*() {
      const filename = sqliteFile()
      yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT)`
        const other = new Database(filename)
        other.exec("BEGIN IMMEDIATE")
        other.exec("INSERT INTO t (n) VALUES (1)")
        const insert = yield* Effect.fork(sql`INSERT INTO t (n) VALUES (${2})`)
        yield* settle
        yield* TestClock.adjust(100)
        expect(Option.isNone(yield* Fiber.poll(insert))).toBe(true)
        other.exec("COMMIT")
        other.close()
        yield* TestClock.adjust(100)
        yield* Fiber.join(insert)
        expect(yield* all(sql)).toEqual([{ n: 1 }, { n: 2 }])
      }).pipe(Effect.provide(Sqlite.layer({ filename })))
    }))

  it.effect("a lock held 5 s and more fails the statement with SQLITE_BUSY as its cause", () =>
    Effect.gen(function*() {
      const filename = sqliteFile()
      yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT)`
        const other = new Database(filename)
        other.exec("BEGIN IMMEDIATE")
        const insert = yield* Effect.fork(Effect.flip(sql`INSERT INTO t (n) VALUES (${2})`))
        yield* settle
        yield* TestClock.adjust(4_900)
        expect(Option.isNone(yield* Fiber.poll(insert))).toBe(true)
        yield* TestClock.adjust(200)
        const error = yield* Fiber.join(insert)
        expect(error.message).toBe("Failed to execute statement")
        expect((error.cause as { readonly code: string }).code).toBe("SQLITE_BUSY")
        other.exec("ROLLBACK")
        other.close()
      }).pipe(Effect.provide(Sqlite.layer({ filename })))
    }))

  it.effect("readonly: a write fails with SQLITE_READONLY; a file that cannot be opened fails the layer", () =>
    Effect.gen(function*() {
      const filename = sqliteFile()
      const created = new Database(filename)
      created.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1)")
      created.close()
      const error = yield* Effect.flip(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => Effect.zipRight(sql`SELECT n FROM t`, sql`INSERT INTO t VALUES (2)`)
        )
          .pipe(Effect.provide(Sqlite.layer({ filename, readonly: true })))
      )
      expect((error.cause as { readonly code: string }).code).toBe("SQLITE_READONLY")
      const missing = yield* Effect.flip(
        Effect.provide(SqlClient.SqlClient, Sqlite.layer({ filename: join(dir, "no-such-dir", "db.sqlite3") }))
      )
      expect(missing).toBeInstanceOf(SqlError)
    }))
})

describe("Sqlite transactions", () => {
  it.effect("commit; roll back on failure; nested transactions are savepoints", () =>
    withClient((sql) =>
      Effect.gen(function*() {
        const insert = (n: number) => sql`INSERT INTO t (n) VALUES (${n})`
        yield* sql.withTransaction(Effect.zipRight(insert(1), insert(2)))
        const failed = yield* Effect.either(sql.withTransaction(Effect.zipRight(insert(3), Effect.fail("boom"))))
        expect(failed).toEqual(Either.left("boom"))
        expect(yield* all(sql)).toEqual([{ n: 1 }, { n: 2 }])
        // The inner transaction fails and rolls back to its savepoint; the outer one commits.
        yield* sql.withTransaction(
          Effect.gen(function*() {
            yield* insert(4)
            yield* Effect.either(sql.withTransaction(Effect.zipRight(insert(5), Effect.fail("inner"))))
            yield* sql.withTransaction(insert(6))
            expect(yield* all(sql)).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }, { n: 6 }])
          })
        )
        expect(yield* all(sql)).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }, { n: 6 }])
        // A failure after a committed savepoint rolls the whole transaction back.
        yield* Effect.either(sql.withTransaction(Effect.zipRight(sql.withTransaction(insert(7)), Effect.fail("x"))))
        expect(yield* all(sql)).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }, { n: 6 }])
      })
    ))

  it.effect("an interrupted transaction rolls back and lets the connection go", () =>
    withClient((sql) =>
      Effect.gen(function*() {
        const started = yield* Deferred.make<void>()
        const fiber = yield* Effect.fork(
          sql.withTransaction(
            Effect.zipRight(
              sql`INSERT INTO t (n) VALUES (${1})`,
              Effect.zipRight(Deferred.succeed(started, void 0), Effect.never)
            )
          )
        )
        yield* Deferred.await(started)
        yield* Fiber.interrupt(fiber)
        expect(yield* all(sql)).toEqual([])
        yield* sql.withTransaction(sql`INSERT INTO t (n) VALUES (${2})`)
        expect(yield* all(sql)).toEqual([{ n: 2 }])
      })
    ))

  it.effect("a plain statement of another fiber waits while a transaction holds the connection, outside it", () =>
    withClient((sql) =>
      Effect.gen(function*() {
        const inserted = yield* Deferred.make<void>()
        const go = yield* Deferred.make<void>()
        const tx = yield* Effect.fork(Effect.either(sql.withTransaction(Effect.gen(function*() {
          yield* sql`INSERT INTO t (n) VALUES (${1})`
          yield* Deferred.succeed(inserted, void 0)
          yield* Deferred.await(go)
          // The other fiber's insert has not run: it is not in this transaction.
          expect(yield* all(sql)).toEqual([{ n: 1 }])
          return yield* Effect.fail("roll back")
        }))))
        yield* Deferred.await(inserted)
        const plain = yield* Effect.fork(sql`INSERT INTO t (n) VALUES (${2})`)
        yield* settle
        expect(Option.isNone(yield* Fiber.poll(plain))).toBe(true)
        // A second transaction waits its turn too, behind the plain statement.
        const second = yield* Effect.fork(sql.withTransaction(sql`INSERT INTO t (n) VALUES (${3})`))
        yield* settle
        expect(sharedOf(sql).waiting).toHaveLength(2)
        yield* Deferred.succeed(go, void 0)
        expect(yield* Fiber.join(tx)).toEqual(Either.left("roll back"))
        // It ran after the rollback, so its row stays; the second transaction after it.
        yield* Fiber.join(plain)
        yield* Fiber.join(second)
        expect(yield* all(sql)).toEqual([{ n: 2 }, { n: 3 }])
        expect(sharedOf(sql).held).toBe(false)
      })
    ))

  it.effect("sql.reserve holds the connection for its scope: another fiber's statement runs after it", () =>
    withClient((sql) =>
      Effect.gen(function*() {
        const go = yield* Deferred.make<void>()
        const reserved = yield* Deferred.make<void>()
        const holder = yield* Effect.fork(Effect.scoped(Effect.gen(function*() {
          const connection = yield* sql.reserve
          yield* connection.execute("INSERT INTO t (n) VALUES (?)", [1], undefined)
          yield* Deferred.succeed(reserved, void 0)
          yield* Deferred.await(go)
          return yield* connection.executeValues("SELECT n FROM t ORDER BY id", [])
        })))
        yield* Deferred.await(reserved)
        const other = yield* Effect.fork(sql`INSERT INTO t (n) VALUES (${2})`)
        yield* settle
        expect(Option.isNone(yield* Fiber.poll(other))).toBe(true)
        yield* Deferred.succeed(go, void 0)
        expect(yield* Fiber.join(holder)).toEqual([[1]])
        yield* Fiber.join(other)
        expect(yield* all(sql)).toEqual([{ n: 1 }, { n: 2 }])
        expect(
          yield* Effect.provideService(sql`SELECT n FROM t ORDER BY id`.values, SqlClient.SafeIntegers, true)
        ).toEqual([[1n], [2n]])
      })
    ))

  it.effect("a statement interrupted while it waits leaves the queue", () =>
    withClient((sql) =>
      Effect.gen(function*() {
        const held = yield* Deferred.make<void>()
        const go = yield* Deferred.make<void>()
        const tx = yield* Effect.fork(
          sql.withTransaction(Effect.zipRight(Deferred.succeed(held, void 0), Deferred.await(go)))
        )
        yield* Deferred.await(held)
        const waiting = yield* Effect.fork(sql`INSERT INTO t (n) VALUES (${1})`)
        // (`withTransaction` waits for the connection uninterruptibly, as sqlite-node's does;
        // `reserve` waits as interruptibly as its caller.)
        const waitingTx = yield* Effect.fork(Effect.scoped(sql.reserve))
        yield* settle
        expect(sharedOf(sql).waiting).toHaveLength(2)
        yield* Fiber.interrupt(waiting)
        yield* Fiber.interrupt(waitingTx)
        expect(sharedOf(sql).waiting).toHaveLength(0)
        yield* Deferred.succeed(go, void 0)
        yield* Fiber.join(tx)
        expect(yield* all(sql)).toEqual([])
        expect(sharedOf(sql).held).toBe(false)
      })
    ))
})

// ---------------------------------------------------------------------------
// The same results as @effect/sql-sqlite-node
// ---------------------------------------------------------------------------

/** A tracer that hands every span to Effect's own and keeps it in `spans`. */
const recording = (spans: Array<Tracer.Span>): Tracer.Tracer => {
  const native = Effect.runSync(Effect.tracer)
  return Tracer.make({
    span: (...args) => {
      const span = native.span(...args)
      spans.push(span)
      return span
    },
    context: (f, fiber) => native.context(f, fiber)
  })
}

/** A span as a test compares it: name, kind, attributes, and how it ended. */
const seen = (span: Tracer.Span) => ({
  name: span.name,
  kind: span.kind,
  attributes: Object.fromEntries(span.attributes),
  ended: span.status._tag === "Ended" ? span.status.exit._tag : "open"
})

type Op =
  | { readonly _tag: "insert"; readonly n: number; readonly s: string }
  | { readonly _tag: "select"; readonly min: number }
  | { readonly _tag: "in"; readonly ns: ReadonlyArray<number> }
  | { readonly _tag: "values" }
  | { readonly _tag: "update"; readonly n: number; readonly s: string }
  | { readonly _tag: "tx"; readonly ops: ReadonlyArray<Op>; readonly fail: boolean }

const leaf: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ _tag: fc.constant("insert" as const), n: fc.integer({ min: -5, max: 20 }), s: fc.string() }),
  fc.record({ _tag: fc.constant("select" as const), min: fc.integer({ min: -5, max: 20 }) }),
  fc.record({ _tag: fc.constant("in" as const), ns: fc.array(fc.integer({ min: -5, max: 20 }), { minLength: 1 }) }),
  fc.record({ _tag: fc.constant("values" as const) }),
  fc.record({ _tag: fc.constant("update" as const), n: fc.integer({ min: -5, max: 20 }), s: fc.string() })
)
const tx = (inner: fc.Arbitrary<Op>): fc.Arbitrary<Op> =>
  fc.record({ _tag: fc.constant("tx" as const), ops: fc.array(inner, { maxLength: 5 }), fail: fc.boolean() })
const program = fc.array(fc.oneof(leaf, tx(fc.oneof(leaf, tx(leaf)))), { maxLength: 12 })

const interpret = (sql: SqlClient.SqlClient, ops: ReadonlyArray<Op>): Effect.Effect<Array<unknown>, SqlError> =>
  Effect.forEach(ops, (op): Effect.Effect<unknown, SqlError> => {
    switch (op._tag) {
      case "insert":
        return sql`INSERT INTO t ${sql.insert({ n: op.n, s: op.s })}`
      case "select":
        return sql`SELECT id, n, s FROM t WHERE n >= ${op.min} ORDER BY id`
      case "in":
        return sql`SELECT id FROM t WHERE ${sql.in("n", op.ns)} ORDER BY id`
      case "values":
        return sql`SELECT n, s FROM t ORDER BY id`.values
      case "update":
        return sql`UPDATE t SET s = ${op.s} WHERE n = ${op.n}`.raw
      case "tx":
        return Effect.either(
          sql.withTransaction(
            Effect.flatMap(interpret(sql, op.ops), (out) => op.fail ? Effect.fail("boom") : Effect.succeed(out))
          )
        )
    }
  })

/** The results, the rows, and the spans of a recording tracer (none with Effect's own). */
const runOn = (layer: Layer.Layer<SqlClient.SqlClient, unknown>, ops: ReadonlyArray<Op>, traced: boolean) => {
  const spans: Array<Tracer.Span> = []
  return Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT)`
    const out = yield* interpret(sql, ops)
    return { out, rows: yield* sql`SELECT id, n, s FROM t ORDER BY id`, spans: spans.map(seen) }
  }).pipe(traced ? Effect.withTracer(recording(spans)) : (effect) => effect, Effect.provide(layer))
}

describe("Sqlite against @effect/sql-sqlite-node", () => {
  it.effect("random statements and transactions give the same results, rows and spans", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(program, fc.boolean(), (ops, traced) =>
          Effect.runPromise(Effect.gen(function*() {
            const ours = yield* runOn(Sqlite.layer({ filename: sqliteFile() }), ops, traced)
            const theirs = yield* runOn(SqliteNode.layer({ filename: sqliteFile() }), ops, traced)
            expect(ours).toEqual(theirs)
          }))),
        { numRuns: 40 }
      )
    ))
})

/** Statements of every kind, a transaction and a failure, as an app would run them. */
const everyKind = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT)`
  yield* sql`INSERT INTO t ${sql.insert([{ n: 1, s: "a" }, { n: 2, s: "b" }])}`
  yield* sql`SELECT n FROM t WHERE n IN ${sql.in([1, 2])}`.values
  yield* sql`UPDATE t SET s = ${"c"} WHERE n = ${2}`.raw
  yield* sql`SELECT count(*) AS c FROM t`.unprepared
  yield* sql`SELECT ${sql("s")} FROM t`.withoutTransform
  yield* sql.unsafe("SELECT n FROM t WHERE n > ?", [0])
  yield* sql.withTransaction(sql`INSERT INTO t (n, s) VALUES (${3}, ${"d"})`)
  yield* Effect.either(sql`SELECT nope FROM t`)
  // A statement that does not compile (an empty insert): a defect, its span ended with it.
  yield* Effect.exit(sql`INSERT INTO t ${sql.insert([])}`)
  return yield* sql`SELECT id, n, s FROM t ORDER BY id`
})

describe("Sqlite statements run as @effect/sql runs them", () => {
  it.effect("with a tracer, every statement has sqlite-node's sql.execute span, attributes and end", () =>
    Effect.gen(function*() {
      const run = (layer: Layer.Layer<SqlClient.SqlClient, unknown>) =>
        Effect.gen(function*() {
          const spans: Array<Tracer.Span> = []
          const rows = yield* everyKind.pipe(Effect.withTracer(recording(spans)), Effect.provide(layer))
          return { rows, spans: spans.map(seen) }
        })
      const spanAttributes = { "service.name": "notes" }
      const ours = yield* run(Sqlite.layer({ filename: sqliteFile(), spanAttributes }))
      const theirs = yield* run(SqliteNode.layer({ filename: sqliteFile(), spanAttributes }))
      expect(ours.spans.filter((span) => span.name === "sql.execute")).toHaveLength(11)
      expect(ours.spans).toContainEqual({
        name: "sql.execute",
        kind: "client",
        attributes: {
          "service.name": "notes",
          "db.system.name": "sqlite",
          "db.operation.name": "executeValues",
          "db.query.text": "SELECT n FROM t WHERE n IN (?,?)"
        },
        ended: "Success"
      })
      expect(ours).toEqual(theirs)
    }))

  it.effect("a Statement.withTransformer rewrites the statement before it runs, as with sqlite-node", () =>
    Effect.gen(function*() {
      const run = (layer: Layer.Layer<SqlClient.SqlClient, unknown>) =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          yield* sql`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT)`
          yield* sql`INSERT INTO t (n, s) VALUES (1, 'a'), (2, 'b'), (3, 'c')`
          const texts: Array<string> = []
          const given: Array<{ readonly self: unknown; readonly make: unknown }> = []
          // The transformer sees the statement as written, and its own statement runs instead.
          const onlyAbove = (self: Statement.Statement<unknown>, make: Statement.Constructor) => {
            const [text, params] = self.compile()
            texts.push(text)
            given.push({ self, make })
            return Effect.succeed(make.unsafe(`SELECT * FROM (${text}) WHERE n > 1`, params))
          }
          const statement = sql`SELECT n FROM t WHERE s <> ${"z"} ORDER BY n`
          const rewritten = yield* statement.pipe(Statement.withTransformer(onlyAbove))
          // It is given the statement that runs, and the client.
          expect(given[0]?.self).toBe(statement)
          expect(given[0]?.make).toBe(sql)
          const values = yield* sql`SELECT n FROM t ORDER BY n`.values.pipe(Statement.withTransformer(onlyAbove))
          // Switched off again inside: the statement as written.
          const plain = yield* sql`SELECT n FROM t ORDER BY n`.pipe(
            Statement.withTransformerDisabled,
            Statement.withTransformer(onlyAbove)
          )
          return { rewritten, values, plain, texts }
        }).pipe(Effect.provide(layer))
      const ours = yield* run(Sqlite.layer({ filename: sqliteFile() }))
      expect(ours.rewritten).toEqual([{ n: 2 }, { n: 3 }])
      expect(ours.values).toEqual([[2], [3]])
      expect(ours.plain).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
      expect(ours).toEqual(yield* run(SqliteNode.layer({ filename: sqliteFile() })))
    }))

  it.effect("a statement nests in another as a fragment, compiles and prints as sqlite-node's", () =>
    Effect.gen(function*() {
      const run = (layer: Layer.Layer<SqlClient.SqlClient, unknown>) =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          yield* sql`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT)`
          yield* sql`INSERT INTO t (n, s) VALUES (1, 'a'), (2, 'b')`
          const inner = sql`SELECT n, s FROM t WHERE n > ${0}`
          const outer = sql`SELECT ${sql("s")} FROM (${inner}) WHERE n < ${2}`
          expect(Statement.isFragment(inner)).toBe(true)
          const unsafe = sql.unsafe<{ readonly n: number }>("SELECT n FROM t WHERE s = ?", ["b"])
          return {
            compiled: outer.compile(),
            json: JSON.parse(JSON.stringify(outer)),
            rows: yield* outer,
            unsafe: yield* unsafe,
            withoutTransforms: yield* sql.withoutTransforms()`SELECT n FROM t ORDER BY n`
          }
        }).pipe(Effect.provide(layer))
      const ours = yield* run(Sqlite.layer({ filename: sqliteFile() }))
      expect(ours.compiled).toEqual(["SELECT \"s\" FROM (SELECT n, s FROM t WHERE n > ?) WHERE n < ?", [0, 2]])
      expect(ours.rows).toEqual([{ s: "a" }])
      expect(ours.unsafe).toEqual([{ n: 2 }])
      expect(ours).toEqual(yield* run(SqliteNode.layer({ filename: sqliteFile() })))
    }))

  it.effect("the client's statements, those of withoutTransforms() and sql.safe are all the client's", () =>
    Effect.gen(function*() {
      const sql = yield* Sqlite.SqliteClient
      yield* sql`CREATE TABLE note_row (note_id INTEGER)`
      yield* sql`INSERT INTO note_row (note_id) VALUES (7)`
      // Each statement runs on this client's connection: in its transaction, a row written
      // through any of them is seen by the others before the commit.
      const seen = yield* sql.withTransaction(Effect.gen(function*() {
        yield* sql.safe`INSERT INTO note_row (note_id) VALUES (8)`
        const untransformed = yield* sql.withoutTransforms()`SELECT note_id FROM note_row ORDER BY note_id`
        const transformed = yield* sql`SELECT note_id FROM note_row ORDER BY note_id`
        return { untransformed, transformed }
      }))
      expect(seen).toEqual({
        untransformed: [{ note_id: 7 }, { note_id: 8 }],
        transformed: [{ noteId: 7 }, { noteId: 8 }]
      })
      expect(sql.safe).toBe(sql)
      const bare = sql.withoutTransforms()
      expect(bare.withoutTransforms()).toBe(bare)
      // Still this library's client, on the same connection, with its config.
      expect(bare.config).toBe(sql.config)
      expect(bare[Sqlite.TypeId]).toBe(Sqlite.TypeId)
      expect(sharedOf(bare)).toBe(sharedOf(sql))
      // Printed as its SQL, not as its connection.
      const printed = inspect(sql`SELECT note_id FROM note_row WHERE note_id = ${7}`)
      expect(printed).toContain("SELECT note_id FROM note_row WHERE note_id = ?")
      expect(printed).not.toContain("shared")
    }).pipe(
      Effect.provide(Sqlite.layer({
        filename: sqliteFile(),
        transformResultNames: (s) => s.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())
      }))
    ))
})

describe("Sqlite under concurrent fibers", () => {
  type Step =
    | { readonly _tag: "plain"; readonly label: string }
    | { readonly _tag: "tx"; readonly labels: ReadonlyArray<string>; readonly fail: boolean }
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ _tag: fc.constant("plain" as const), label: fc.string({ maxLength: 3 }) }),
    fc.record({
      _tag: fc.constant("tx" as const),
      labels: fc.array(fc.string({ maxLength: 3 }), { maxLength: 4 }),
      fail: fc.boolean()
    })
  )
  const fibers = fc.array(fc.array(step, { maxLength: 5 }), { minLength: 2, maxLength: 5 })

  it.effect("every plain row stays, every committed transaction's rows stay, no rolled-back row does", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fibers, (programs) =>
          Effect.runPromise(
            withClient((sql) =>
              Effect.gen(function*() {
                const expected: Array<string> = []
                const insert = (label: string) =>
                  Effect.zipRight(sql`INSERT INTO t (s) VALUES (${label})`, Effect.yieldNow())
                yield* Effect.forEach(programs, (steps, i) =>
                  Effect.forEach(steps, (s, j) => {
                    if (s._tag === "plain") {
                      return Effect.tap(insert(`${i}.${j}:${s.label}`), () => expected.push(`${i}.${j}:${s.label}`))
                    }
                    const labels = s.labels.map((l, k) => `${i}.${j}.${k}:${l}`)
                    return sql.withTransaction(Effect.gen(function*() {
                      for (const label of labels) yield* insert(label)
                      // Inside, this transaction's rows are there, and no other fiber's row came in.
                      const mine = yield* sql<{ readonly s: string }>`SELECT s FROM t WHERE s LIKE ${`${i}.${j}.%`}`
                      expect(mine.map((r) => r.s).sort()).toEqual([...labels].sort())
                      if (s.fail) return yield* Effect.fail("rolled back")
                      expected.push(...labels)
                    })).pipe(Effect.ignore)
                  }), { concurrency: "unbounded", discard: true })
                const rows = yield* sql<{ readonly s: string }>`SELECT s FROM t`
                expect(rows.map((r) => r.s).sort()).toEqual(expected.sort())
                expect(sharedOf(sql).held).toBe(false)
                expect(sharedOf(sql).waiting).toHaveLength(0)
              })
            )
          )),
        { numRuns: 30 }
      )
    ))
})

// ---------------------------------------------------------------------------
// The stores on the client's connection
// ---------------------------------------------------------------------------

const SECRET = "sqlite-client-test-secret"
const settings = Settings.make({ SECRET_KEY: SECRET })

const onClient = (filename: string) =>
  Layer.mergeAll(Sessions.layerSqliteClient, Auth.layerSqliteClient).pipe(
    Layer.provideMerge(Sqlite.layer({ filename }))
  )

/** A new session's state holding `data`. */
const newState = (data: ReadonlyArray<readonly [string, Sessions.Json]>) =>
  Effect.gen(function*() {
    const session = yield* Sessions.make(undefined)
    const state = yield* Sessions.state.pipe(Effect.provideService(Sessions.Session, session))
    return { ...state, key: null, cache: new Map(data) }
  }).pipe(Effect.provide(Settings.layer({ SECRET_KEY: SECRET })))

describe("Sqlite with the stores on its connection", () => {
  it.effect("the stores work outside a transaction, and inside one they run in it (no deadlock)", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const store = yield* Sessions.SessionStore
      const users = yield* Auth.Users
      const ann = yield* users.create({ username: "ann", password: "pw-ann-1" })
      expect(Option.map(yield* users.findByUsername("ann"), (u) => u.id)).toEqual(Option.some(ann.id))
      const created = yield* store.create(yield* newState([["a", 1]]), settings)
      expect(yield* store.exists(created.key!)).toBe(true)
      // Inside the view's transaction the stores use the held connection and see its writes.
      const inside = yield* sql.withTransaction(Effect.gen(function*() {
        const bob = yield* users.create({ username: "bob", password: "pw-bob-1" })
        const again = yield* users.findById(bob.id)
        const session = yield* store.create(yield* newState([["b", 2]]), settings)
        const [row] = yield* sql<{ readonly c: number }>`SELECT count(*) AS c FROM auth_user`
        return { again: Option.isSome(again), exists: yield* store.exists(session.key!), count: row!.c }
      }))
      expect(inside).toEqual({ again: true, exists: true, count: 2 })
    }).pipe(Effect.provide(onClient(sqliteFile()))))

  it.effect("a session and a user written in a transaction that fails are rolled back with it", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const store = yield* Sessions.SessionStore
      const users = yield* Auth.Users
      let key: string | null = null
      const result = yield* Effect.either(sql.withTransaction(Effect.gen(function*() {
        yield* sql`CREATE TABLE note (title TEXT)`
        yield* sql`INSERT INTO note (title) VALUES (${"x"})`
        key = (yield* store.create(yield* newState([["user", 1]]), settings)).key
        yield* users.create({ username: "carol", password: "pw-carol-1" })
        return yield* Effect.fail("the view failed")
      })))
      expect(result).toEqual(Either.left("the view failed"))
      expect(key).not.toBeNull()
      expect(yield* store.exists(key!)).toBe(false)
      expect(yield* users.findByUsername("carol")).toEqual(Option.none())
      expect(yield* sql`SELECT name FROM sqlite_master WHERE name = 'note'`).toEqual([])
    }).pipe(Effect.provide(onClient(sqliteFile()))))

  it.effect("a store operation of another fiber waits for the transaction and sees its commit", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const users = yield* Auth.Users
      const store = yield* Sessions.SessionStore
      const created = yield* Deferred.make<number>()
      const go = yield* Deferred.make<void>()
      const tx = yield* Effect.fork(sql.withTransaction(Effect.gen(function*() {
        const dan = yield* users.create({ username: "dan", password: "pw-dan-1" })
        yield* Deferred.succeed(created, dan.id)
        yield* Deferred.await(go)
      })))
      const id = yield* Deferred.await(created)
      const lookup = yield* Effect.fork(users.findById(id))
      const session = yield* Effect.fork(store.create(yield* newState([["k", "v"]]), settings))
      yield* settle
      expect(Option.isNone(yield* Fiber.poll(lookup))).toBe(true)
      expect(Option.isNone(yield* Fiber.poll(session))).toBe(true)
      yield* Deferred.succeed(go, void 0)
      yield* Fiber.join(tx)
      expect(Option.map(yield* Fiber.join(lookup), (u) => u.username)).toEqual(Option.some("dan"))
      expect(yield* store.exists((yield* Fiber.join(session)).key!)).toBe(true)
    }).pipe(Effect.provide(onClient(sqliteFile()))))
})
