/**
 * `Sqlite`: `@effect/sql`'s `SqlClient` on a SQLite file through better-sqlite3, with
 * `@effect/sql-sqlite-node`'s semantics and less work per statement, and the connection shared
 * with the library's SQLite stores (`SessionStores.layerSqliteClient`, `Auth.layerSqliteClient`).
 * The module doc of `Sqlite.ts` gives the design and where it differs from sqlite-node.
 *
 * @internal
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as Client from "@effect/sql/SqlClient"
import type { Connection, Row } from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import * as Statement from "@effect/sql/Statement"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type * as Sqlite from "../Sqlite.js"

// ---------------------------------------------------------------------------
// The driver
// ---------------------------------------------------------------------------

/** The part of a better-sqlite3 `Statement` used here and by the stores. */
export interface DriverStatement {
  readonly reader: boolean
  readonly get: (...params: Array<unknown>) => unknown
  readonly all: (...params: Array<unknown>) => Array<unknown>
  readonly run: (...params: Array<unknown>) => unknown
  readonly raw: (toggle?: boolean) => unknown
  readonly safeIntegers: (toggle?: boolean) => unknown
}

/** The part of a better-sqlite3 `Database` used here and by the stores. */
export interface DriverDatabase {
  readonly open: boolean
  readonly prepare: (source: string) => DriverStatement
  readonly exec: (source: string) => unknown
  readonly pragma: (source: string) => unknown
  readonly transaction: (fn: () => void) => () => void
  readonly close: () => unknown
}

/** A statement's failure as `@effect/sql-sqlite-node` reports it. */
export const executeError = (cause: unknown): SqlError =>
  new SqlError({ cause, message: "Failed to execute statement" })

/** A statement that does not prepare, as `@effect/sql-sqlite-node` reports it. */
const prepareError = (cause: unknown): SqlError => new SqlError({ cause, message: "Failed to prepare statement " })

/** An error's message, for the layers' own failures. */
export const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/** How long a statement waits for another connection's write lock, in all (better-sqlite3's default). */
export const BUSY_WAIT_MS = 5_000

/** SQLite's `SQLITE_BUSY` (and its extended codes): another connection holds the lock. */
export const isBusy = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string" &&
  cause.code.startsWith("SQLITE_BUSY")

/** The pause before the next try of a busy statement: 1 ms, doubling to 64 ms. */
export const pauseAfter = (waited: number): number => Math.min(64, Math.max(1, waited))

/**
 * Opens `filename` with better-sqlite3 (loaded when first needed: an optional peer dependency),
 * in WAL mode unless `wal` is `false`; closed when the scope closes. SQLite's busy handler
 * (5 s) stays on: callers that wait on the Effect clock turn it off after their set-up.
 */
export const openDriver = (
  filename: string,
  options?: { readonly readonly?: boolean | undefined; readonly wal?: boolean | undefined }
): Effect.Effect<DriverDatabase, SqlError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.flatMap(
      Effect.tryPromise({
        try: () => import("better-sqlite3"),
        catch: (cause) =>
          new SqlError({
            cause,
            message: `better-sqlite3 cannot be loaded (npm install better-sqlite3): ${messageOf(cause)}`
          })
      }),
      (mod) =>
        Effect.try({
          try: (): DriverDatabase => {
            const db = new mod.default(filename, { timeout: BUSY_WAIT_MS, readonly: options?.readonly ?? false })
            try {
              if (options?.wal !== false) db.pragma("journal_mode = WAL")
            } catch (cause) {
              db.close()
              throw cause
            }
            return {
              get open() {
                return db.open
              },
              prepare: (source) => db.prepare<Array<unknown>>(source),
              exec: (source) => db.exec(source),
              pragma: (source) => db.pragma(source),
              transaction: (fn) => db.transaction(fn),
              close: () => db.close()
            }
          },
          catch: (cause) => new SqlError({ cause, message: messageOf(cause) })
        })
    ),
    (db) => Effect.sync(() => void db.close())
  )

// ---------------------------------------------------------------------------
// The gate: who may use the connection now
// ---------------------------------------------------------------------------

interface Waiter {
  /** Called once, synchronously, when the connection is free; `false` when the waiter is gone. */
  readonly wake: () => void
  granted: boolean
}

/**
 * One better-sqlite3 connection and its gate. A transaction (`withTransaction`, `reserve`)
 * holds the connection from its `BEGIN` to its `COMMIT`/`ROLLBACK`; a statement of another fiber
 * (the client's or a store's) that comes meanwhile waits in `waiting` (first come, first served,
 * with the transactions that wait to begin), and runs when the holder lets go. A statement of the
 * fiber in the transaction (its context holds `TransactionConnection` with this connection's
 * `transactional`) runs at once, in the transaction.
 */
export class Shared {
  /** `true` while a transaction holds the connection. */
  held = false
  readonly waiting: Array<Waiter> = []
  /** The prepared statements of the client, least recently used first. */
  readonly cache = new Map<string, { readonly statement: DriverStatement; safe: boolean }>()
  /** The connection handed to a transaction: its statements pass the gate. */
  readonly transactional: Connection
  /** The connection of plain statements: they wait while a transaction of another fiber holds it. */
  readonly plain: Connection

  constructor(readonly db: DriverDatabase, readonly cacheSize: number) {
    this.transactional = makeConnection(this, false)
    this.plain = makeConnection(this, true)
  }

  /** The holder lets go: the waiters run in order until one of them is a transaction. */
  release(): void {
    this.held = false
    while (!this.held && this.waiting.length > 0) {
      const waiter = this.waiting.shift()!
      waiter.granted = true
      waiter.wake()
    }
  }

  /** `true` when `context` is inside this connection's transaction. */
  inTransaction(context: Context.Context<never>): boolean {
    const tx = Context.getOption(context as Context.Context<Client.TransactionConnection>, Client.TransactionConnection)
    return tx._tag === "Some" && tx.value[0] === this.transactional
  }

  /** The prepared statement of `sql` from the bounded cache (least recently used evicted). */
  prepared(sql: string): { readonly statement: DriverStatement; safe: boolean } {
    const found = this.cache.get(sql)
    if (found !== undefined) {
      if (this.cache.size > 1) {
        this.cache.delete(sql)
        this.cache.set(sql, found)
      }
      return found
    }
    let statement: DriverStatement
    try {
      statement = this.db.prepare(sql)
    } catch (cause) {
      throw prepareError(cause)
    }
    const entry = { statement, safe: false }
    if (this.cacheSize > 0) {
      this.cache.set(sql, entry)
      if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!)
    }
    return entry
  }

  /** A transaction takes the connection: at once when free, else in turn. */
  readonly hold: Effect.Effect<void> = Effect.suspend(() => {
    if (!this.held) {
      this.held = true
      return Effect.void
    }
    return Effect.async<void>((resume) => {
      const waiter: Waiter = {
        granted: false,
        wake: () => {
          this.held = true
          resume(Effect.void)
        }
      }
      this.waiting.push(waiter)
      // Interrupted while waiting: out of the queue, or, when it was given the connection in
      // the meantime, the connection given back.
      return Effect.sync(() => (waiter.granted ? this.release() : remove(this.waiting, waiter)))
    })
  })
}

const remove = <A>(array: Array<A>, item: A): void => {
  const i = array.indexOf(item)
  if (i >= 0) array.splice(i, 1)
}

/** SQLITE_BUSY worth waiting for (a snapshot that is out of date stays so). */
const retriable = (cause: unknown): boolean =>
  isBusy(cause) && (cause as { readonly code: string }).code !== "SQLITE_BUSY_SNAPSHOT"

/**
 * `f()` now: its result, or `onError` of what it threw; while it throws `SQLITE_BUSY` (another
 * connection holds the file's lock), tried again through `again` after a pause on the Effect
 * clock, `BUSY_WAIT_MS` in all.
 */
const tryNow = <A, E>(
  f: () => A,
  onError: (cause: unknown) => E,
  waited: number,
  again: (waited: number) => Effect.Effect<A, E>
): Effect.Effect<A, E> => {
  try {
    return Effect.succeed(f())
  } catch (cause) {
    if (!retriable(cause) || waited >= BUSY_WAIT_MS) return Effect.fail(onError(cause))
    const pause = pauseAfter(waited)
    return Effect.zipRight(Effect.sleep(pause), again(waited + pause))
  }
}

/**
 * `f()` through the gate of `shared`: now when no transaction holds the connection or when
 * `context` is in it; else when the holder lets go (run then, synchronously, in turn).
 */
export const gated = <A, E>(
  shared: Shared,
  context: Context.Context<never>,
  f: () => A,
  onError: (cause: unknown) => E,
  waited = 0
): Effect.Effect<A, E> => {
  const again = (w: number) => gatedIn(shared, f, onError, w)
  if (!shared.held || shared.inTransaction(context)) return tryNow(f, onError, waited, again)
  return Effect.async<A, E>((resume) => {
    const waiter: Waiter = { granted: false, wake: () => resume(tryNow(f, onError, waited, again)) }
    shared.waiting.push(waiter)
    return Effect.sync(() => remove(shared.waiting, waiter))
  })
}

/** `gated` in the running fiber's context. */
const gatedIn = <A, E>(shared: Shared, f: () => A, onError: (cause: unknown) => E, waited: number) =>
  Effect.withFiberRuntime<A, E>((fiber) => gated(shared, fiber.currentContext, f, onError, waited))

/** The stores' way to run a statement on the shared connection (the gate honoured). */
export const storeRunner = (shared: Shared) => <A, E>(f: () => A, onError: (cause: unknown) => E) =>
  gatedIn(shared, f, onError, 0)

/** What a statement threw, as a `SqlError` (a prepare failure is one already). */
const toSqlError = (cause: unknown): SqlError => (cause instanceof SqlError ? cause : executeError(cause))

type TransformRows = (<A extends object>(row: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined

/** The rows of a reader, or `[]` (`raw`: better-sqlite3's `RunResult`) for a writer. */
const runEntry = (
  entry: { readonly statement: DriverStatement; safe: boolean },
  params: ReadonlyArray<unknown>,
  safe: boolean,
  raw: boolean
): ReadonlyArray<any> => {
  const statement = entry.statement
  if (entry.safe !== safe) {
    statement.safeIntegers(safe)
    entry.safe = safe
  }
  if (statement.reader) return statement.all(...params)
  const result = statement.run(...params)
  return raw ? (result as ReadonlyArray<any>) : []
}

const makeConnection = (shared: Shared, plain: boolean): Connection => {
  const run = <A>(f: (safe: boolean) => A): Effect.Effect<A, SqlError> =>
    Effect.withFiberRuntime((fiber) => {
      const context = fiber.currentContext
      const safe = Context.get(context, Client.SafeIntegers)
      const g = () => f(safe)
      return plain
        ? gated(shared, context, g, toSqlError)
        : tryNow(g, toSqlError, 0, (w) => retryDirect(g, w))
    })
  const retryDirect = <A>(g: () => A, waited: number): Effect.Effect<A, SqlError> =>
    Effect.suspend(() => tryNow(g, toSqlError, waited, (w) => retryDirect(g, w)))
  const rows = (sql: string, params: ReadonlyArray<unknown>, transformRows: TransformRows) =>
    run((safe) => {
      const result = runEntry(shared.prepared(sql), params, safe, false)
      return transformRows === undefined ? result : transformRows(result)
    })
  return {
    execute: rows,
    executeRaw: (sql, params) => run((safe) => runEntry(shared.prepared(sql), params, safe, true)),
    executeValues: (sql, params) =>
      run((safe) => {
        const entry = shared.prepared(sql)
        const statement = entry.statement
        if (!statement.reader) {
          runEntry(entry, params, safe, false)
          return []
        }
        statement.raw(true)
        try {
          return runEntry(entry, params, safe, false) as ReadonlyArray<ReadonlyArray<unknown>>
        } finally {
          statement.raw(false)
        }
      }),
    executeUnprepared: (sql, params, transformRows) =>
      run((safe) => {
        let statement: DriverStatement
        try {
          statement = shared.db.prepare(sql)
        } catch (cause) {
          throw prepareError(cause)
        }
        const result = runEntry({ statement, safe: false }, params ?? [], safe, false)
        return transformRows === undefined ? result : transformRows(result)
      }),
    executeStream: (sql, params, transformRows) => Stream.fromIterableEffect(rows(sql, params, transformRows))
  }
}

// ---------------------------------------------------------------------------
// The statements
// ---------------------------------------------------------------------------

/** What the client's statements need to run themselves. */
interface Parts {
  readonly shared: Shared
  readonly spanAttributes: ReadonlyArray<readonly [string, unknown]>
  readonly transformRows: TransformRows
  /** The client the statements belong to (given to a `Statement.Transformer`, as `@effect/sql` does). */
  client: Statement.Constructor
}

/** Effect's own tracer: its spans are recorded nowhere. */
const nativeTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * `true` when a span made now would be seen: tracing is on and the tracer is not Effect's own,
 * whose spans nobody reads (no code of the caller runs inside the statement's span).
 */
const traced = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean =>
  fiber.getFiberRef(FiberRef.currentTracerEnabled) && fiber.currentTracer !== nativeTracer

type Run<X> = (connection: Connection, sql: string, params: ReadonlyArray<unknown>) => Effect.Effect<X, SqlError>

/**
 * A statement of the client: `@effect/sql`'s (its segments, its compiler, its `stream`), run the
 * way `@effect/sql` runs it (the `sql.execute` span, a `Statement.withTransformer` in force,
 * compile, the connection of the fiber's transaction or else the client's) without what costs and
 * shows nothing here: the scope around the acquired connection (the client's connections need
 * none), and the span when no tracer would record it and no transformer is given it.
 */
class FastStatement<A> extends Effectable.Class<ReadonlyArray<A>, SqlError> implements Statement.Statement<A> {
  constructor(readonly inner: Statement.Statement<A>, readonly parts: Parts) {
    super()
  }
  get [Statement.FragmentId]() {
    return this.inner[Statement.FragmentId]
  }
  get segments() {
    return this.inner.segments
  }
  compile(withoutTransform?: boolean | undefined) {
    return this.inner.compile(withoutTransform)
  }
  /** `run` on the SQL of this statement (or of the transformer's) and the fiber's connection. */
  private run<X>(operation: string, withoutTransform: boolean, run: Run<X>): Effect.Effect<X, SqlError> {
    return Effect.withFiberRuntime((fiber) => {
      const tx = Context.getOption(fiber.currentContext, Client.TransactionConnection)
      const connection = tx._tag === "Some" ? tx.value[0] : this.parts.shared.plain
      const transform = fiber.getFiberRef(Statement.currentTransformer)
      if (transform._tag === "None" && !traced(fiber)) {
        const [sql, params] = this.compile(withoutTransform)
        return run(connection, sql, params)
      }
      const inSpan = (span: Tracer.Span) => (statement: Statement.Statement<unknown>) => {
        const [sql, params] = statement.compile(withoutTransform)
        for (const [key, value] of this.parts.spanAttributes) span.attribute(key, value)
        span.attribute("db.operation.name", operation)
        span.attribute("db.query.text", sql)
        return run(connection, sql, params)
      }
      return Effect.useSpan(
        "sql.execute",
        { kind: "client", captureStackTrace: false },
        (span) =>
          transform._tag === "None"
            // Suspended: a statement that does not compile ends its span with the defect.
            ? Effect.suspend(() => inSpan(span)(this))
            : Effect.flatMap(transform.value(this, this.parts.client, fiber.getFiberRefs(), span), inSpan(span))
      )
    })
  }
  commit(): Effect.Effect<ReadonlyArray<A>, SqlError> {
    const transformRows = this.parts.transformRows
    return this.run("execute", false, (c, sql, params) => c.execute(sql, params, transformRows))
  }
  get withoutTransform(): Effect.Effect<ReadonlyArray<A>, SqlError> {
    return this.run("executeWithoutTransform", true, (c, sql, params) => c.execute(sql, params, undefined))
  }
  get raw(): Effect.Effect<unknown, SqlError> {
    return this.run("executeRaw", true, (c, sql, params) => c.executeRaw(sql, params))
  }
  get values(): Effect.Effect<ReadonlyArray<ReadonlyArray<unknown>>, SqlError> {
    return this.run("executeValues", false, (c, sql, params) => c.executeValues(sql, params))
  }
  get unprepared(): Effect.Effect<ReadonlyArray<A>, SqlError> {
    const transformRows = this.parts.transformRows
    return this.run("executeUnprepared", false, (c, sql, params) => c.executeUnprepared(sql, params, transformRows))
  }
  get stream(): Stream.Stream<A, SqlError> {
    return this.inner.stream
  }
  toJSON() {
    const [sql, params] = this.compile()
    return { _id: "@effect/sql/Statement", segments: this.segments, sql, params }
  }
  /** Printed as its SQL (`toJSON`), not as its connection and cache. */
  [Inspectable.NodeInspectSymbol]() {
    return this.toJSON()
  }
}

/**
 * `base` (made by `Client.make`) with its statements (`` sql`...` ``, `sql.unsafe`)
 * `FastStatement`s, and the client's own `fields`; so is the client of its `withoutTransforms()`.
 */
const fastClient = (
  base: Client.SqlClient,
  parts: Omit<Parts, "client">,
  fields: Pick<Sqlite.SqliteClient, Sqlite.TypeId | "config">
): Sqlite.SqliteClient => {
  const own: Parts = { ...parts, client: base }
  function sql<A extends object = Row>(strings: TemplateStringsArray, ...args: Array<unknown>): Statement.Statement<A>
  function sql(value: string): Statement.Identifier
  function sql<A extends object>(
    strings: TemplateStringsArray | string,
    ...args: Array<unknown>
  ): Statement.Statement<A> | Statement.Identifier {
    return typeof strings === "string" ? base(strings) : new FastStatement(base<A>(strings, ...args), own)
  }
  const client = Object.assign(sql, base, {
    unsafe: <A extends object>(text: string, params?: ReadonlyArray<unknown>) =>
      new FastStatement(base.unsafe<A>(text, params), own),
    withoutTransforms: () =>
      parts.transformRows === undefined
        ? client
        : fastClient(base.withoutTransforms(), { ...parts, transformRows: undefined }, fields)
  }, fields)
  // `sql.safe` is the client itself, as `Client.make` sets it; a transformer is given it too.
  Object.assign(client, { safe: client })
  own.client = client
  shares.set(client, parts.shared)
  return client
}

// ---------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------

/** @internal */
export const TypeId: Sqlite.TypeId = Symbol.for("effect-django-http/Sqlite") as Sqlite.TypeId

/** @internal */
export const tag = Context.GenericTag<Sqlite.SqliteClient>("effect-django-http/Sqlite/SqliteClient")

/** The shared connection of each client, for the stores made over it. */
const shares = new WeakMap<Sqlite.SqliteClient, Shared>()

/** The connection of `client` (made by `make`). */
export const sharedOf = (client: Sqlite.SqliteClient): Shared => shares.get(client)!

/** @internal */
export const make = (
  config: Sqlite.SqliteClientConfig
): Effect.Effect<Sqlite.SqliteClient, SqlError, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function*() {
    const db = yield* openDriver(config.filename, { readonly: config.readonly, wal: config.disableWAL !== true })
    // From here on a busy file is waited for on the Effect clock, not by blocking the thread.
    yield* Effect.try({
      try: () => db.pragma("busy_timeout = 0"),
      catch: (cause) => new SqlError({ cause, message: messageOf(cause) })
    })
    const shared = new Shared(db, config.prepareCacheSize ?? 200)
    const transactional = shared.transactional
    const spanAttributes: ReadonlyArray<readonly [string, unknown]> = [
      ...(config.spanAttributes ? Object.entries(config.spanAttributes) : []),
      ["db.system.name", "sqlite"]
    ]
    const transformRows = config.transformResultNames
      ? Statement.defaultTransforms(config.transformResultNames).array
      : undefined
    const client = yield* Client.make({
      acquirer: Effect.succeed(shared.plain),
      transactionAcquirer: Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(
          restore(shared.hold),
          Effect.flatMap(Effect.scope, (scope) =>
            Effect.as(
              Scope.addFinalizer(scope, Effect.sync(() => shared.release())),
              transactional
            ))
        )
      ),
      compiler: Statement.makeCompilerSqlite(config.transformQueryNames),
      spanAttributes,
      transformRows
    })
    return fastClient(client, { shared, spanAttributes, transformRows }, { [TypeId]: TypeId, config })
  })

/** @internal */
export const layer = (
  config: Sqlite.SqliteClientConfig
): Layer.Layer<Sqlite.SqliteClient | Client.SqlClient, SqlError> =>
  Layer.scopedContext(
    Effect.map(make(config), (client) => Context.make(tag, client).pipe(Context.add(Client.SqlClient, client)))
  ).pipe(Layer.provide(Reactivity.layer))
