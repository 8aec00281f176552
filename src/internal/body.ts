/**
 * The request body: one single-use source shared by `body`, `read`, `readLine`,
 * the line/chunk streams and the raw stream that multipart parsing consumes.
 *
 * Django's rules, kept here in one small state machine per request:
 * - `body` reads everything (after checking `Content-Length` against
 *   `DATA_UPLOAD_MAX_MEMORY_SIZE`, and counting a body without a length as it
 *   arrives) and keeps it; afterwards every read replays the kept bytes.
 * - Any read (`read`, `readLine`, the streams) marks the stream as started;
 *   `body` then fails with `RawPostDataException`, unless it was read before.
 * - Reads never go past `Content-Length` (Django's `LimitedStream`).
 * - A read error (the client went away) is `UnreadablePostError`, and the
 *   body stays failed.
 *
 * The source is pulled lazily, chunk by chunk, in the request's own `Scope`,
 * so streaming a 1 GiB upload never buffers it.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { RawPostDataException, RequestDataTooBig, UnreadablePostError } from "../Errors.js"
import { concat } from "./bytes.js"
import * as InFlight from "./inFlight.js"

/** Everything `body` can fail with. */
export type BodyError = RequestDataTooBig | UnreadablePostError | RawPostDataException

type State =
  | { readonly _tag: "Fresh" }
  | { readonly _tag: "Streaming" }
  | { readonly _tag: "Buffered"; readonly bytes: Uint8Array }
  | { readonly _tag: "Failed"; readonly error: UnreadablePostError | RequestDataTooBig }

const EMPTY = new Uint8Array(0)

/** `body` past `DATA_UPLOAD_MAX_MEMORY_SIZE`. */
const tooBig = () => new RequestDataTooBig({ message: "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE." })

/** A whole-body read interrupted. */
const interrupted = () => new UnreadablePostError({ message: "request data read error: the read was interrupted" })

/** `body` after the stream was read from. */
const streamingStarted = () =>
  new RawPostDataException({ message: "You cannot access body after reading from request's data stream" })

/**
 * A body that `body` can read whole without going through a stream: a stream costs tens of
 * microseconds to set up and pull (a `Scope`, `Stream.toPull`, one effect per chunk), which is
 * most of the first `request.POST` of a small form. The stream stays for every other read
 * (`read`, `readLine`, the chunk and line streams, multipart). A Node `IncomingMessage` has one
 * (`internal/node/adapter.ts`).
 */
export interface DirectBody {
  /** The body as a stream, for reads that do not take it whole. */
  readonly stream: () => Stream.Stream<Uint8Array, UnreadablePostError>
  /**
   * Every byte up to `limit` (Content-Length, or `Infinity`), failing with `tooBig()` as soon as
   * more than `maxMemory` bytes arrived; the rest of the source is then discarded so that the
   * answer can still be written.
   */
  readonly readAll: (
    limit: number,
    maxMemory: number | null,
    tooBig: () => RequestDataTooBig
  ) => Effect.Effect<Uint8Array, UnreadablePostError | RequestDataTooBig>
}

type Source = Stream.Stream<Uint8Array, UnreadablePostError> | Uint8Array | DirectBody

const isDirectBody = (source: Source): source is DirectBody => "readAll" in source

/**
 * A request's scope, as a request value holds it: made on first use when building it costs
 * (a Node request's scope forks the platform's and listens for the connection's end).
 */
export interface ScopeRef {
  readonly scope: Scope.Scope
}

/**
 * The mutable cell behind one request's body. It is shared by every value
 * derived from the request (`withEncoding` keeps it): the connection's body
 * can be read once, whatever the number of request values pointing at it.
 */
const fresh: State = { _tag: "Fresh" }

export class BodyCell {
  private state: State = fresh
  /** Read position within `Buffered` bytes. */
  private pos = 0
  /** Bytes pulled from the source but not handed out yet. */
  private pending: Uint8Array = EMPTY
  /** Bytes pulled from the source so far (for the Content-Length limit). */
  private pulled = 0
  private pull: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<UnreadablePostError>> | undefined
  private sourceDone = false
  private _lock: Effect.Semaphore | undefined
  private get lock(): Effect.Semaphore {
    return (this._lock ??= Effect.unsafeMakeSemaphore(1))
  }
  /**
   * The whole-body read of a `DirectBody` under way without the lock (`bodyDirect`), if any: a
   * semaphore's permits cost more than the read of a small form. Every locked operation waits for
   * its end first, and makes the lock, after which no such read starts.
   */
  private reading: InFlight.InFlight | undefined = undefined

  /** `effect` holding the lock, after the end of a read without it (`bodyDirect`). */
  private locked<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> {
    return Effect.suspend(() => {
      const reading = this.reading
      const held = this.lock.withPermits(1)(effect)
      return reading === undefined ? held : Effect.zipRight(InFlight.awaitEnd(reading), held)
    })
  }

  constructor(
    /**
     * The body (a stream, bytes in memory, or a source that can be read whole directly), or how
     * to make it on first read (nothing is built for a body never read).
     */
    private source: Source | (() => Source),
    /** `Content-Length`, or `null` for a body without one (chunked). */
    readonly contentLength: number | null,
    /** The request's scope, read when the source is first pulled (it may be made then). */
    private readonly scopeRef: ScopeRef
  ) {}

  private resolved(): Source {
    if (typeof this.source === "function") this.source = this.source()
    return this.source
  }

  private sourceStream(): Stream.Stream<Uint8Array, UnreadablePostError> {
    const source = this.resolved()
    return source instanceof Uint8Array ? Stream.make(source) : isDirectBody(source) ? source.stream() : source
  }

  /**
   * `body` without a stream, when nothing was pulled yet and the source can be read whole:
   * bytes in memory (synchronously) or a `DirectBody`. `undefined` otherwise.
   */
  private readWhole(
    maxMemory: number | null,
    tooBig: () => RequestDataTooBig
  ): Effect.Effect<Uint8Array, UnreadablePostError | RequestDataTooBig> | undefined {
    if (this.pull !== undefined || this.pulled > 0 || this.pending.length > 0 || this.sourceDone) return undefined
    const source = this.resolved()
    const limit = this.contentLength ?? Infinity
    if (source instanceof Uint8Array) {
      const bytes = source.length > limit ? source.subarray(0, limit) : source
      this.pulled = bytes.length
      this.sourceDone = true
      return maxMemory !== null && bytes.length > maxMemory ? Effect.fail(tooBig()) : Effect.succeed(bytes)
    }
    if (!isDirectBody(source)) return undefined
    return Effect.map(
      // Interrupted mid-read, the bytes read so far are gone and the rest is discarded: a later
      // read must not take what is left for the whole body.
      Effect.onInterrupt(source.readAll(limit, maxMemory, tooBig), () =>
        Effect.sync(() => {
          this.sourceDone = true
          this.state = { _tag: "Failed", error: interrupted() }
        })),
      (bytes) => {
        this.pulled = bytes.length
        this.sourceDone = true
        return bytes
      }
    )
  }

  /** Whether reading started before `body` was read: `body` is then out of reach. */
  get streamingStarted(): boolean {
    return this.state._tag === "Streaming"
  }

  /** Whether `body` has been read (Django's `hasattr(request, '_body')`). */
  get buffered(): boolean {
    return this.state._tag === "Buffered"
  }

  private limitLeft(): number {
    return this.contentLength === null ? Infinity : this.contentLength - this.pulled
  }

  /** The next raw chunk from the source, limited to Content-Length; `None` at the end. */
  private pullSource(): Effect.Effect<Option.Option<Uint8Array>, UnreadablePostError> {
    return Effect.suspend(() => {
      if (this.pending.length > 0) {
        const p = this.pending
        this.pending = EMPTY
        return Effect.succeed(Option.some(p))
      }
      if (this.sourceDone || this.limitLeft() <= 0) return Effect.succeed(Option.none())
      const getPull = this.pull !== undefined
        ? Effect.succeed(this.pull)
        : Effect.map(Scope.extend(Stream.toPull(this.sourceStream()), this.scopeRef.scope), (p) => (this.pull = p))
      return Effect.flatMap(getPull, (pull) =>
        Effect.matchEffect(pull, {
          onFailure: Option.match({
            onNone: () => {
              this.sourceDone = true
              return Effect.succeed(Option.none())
            },
            onSome: (e) => Effect.fail(e)
          }),
          onSuccess: (chunk) => {
            let total = 0
            for (const c of chunk) total += c.length
            let bytes = concat(Chunk.toReadonlyArray(chunk), total)
            const left = this.limitLeft()
            if (bytes.length > left) bytes = bytes.subarray(0, left)
            this.pulled += bytes.length
            return bytes.length === 0 && left > 0 ? this.pullSource() : Effect.succeed(Option.some(bytes))
          }
        }))
    })
  }

  private fail<E extends UnreadablePostError | RequestDataTooBig>(error: E): Effect.Effect<never, E> {
    return Effect.suspend(() => {
      this.state = { _tag: "Failed", error }
      return Effect.fail(error)
    })
  }

  /**
   * `body`'s outcome when it is known without running an effect: the body was read (or failed)
   * already, reading started without it, or nothing was read yet, no read is under way (the lock
   * was never made) and the bytes are in memory (a request built with its body: `RequestFactory`,
   * the test client). Reading them then is `body`'s first read, done in place (the state moves as
   * `body` moves it). `undefined` when `body` has to run (a stream or a Node request to read).
   */
  bodyNow(maxMemory: number | null): Either.Either<Uint8Array, BodyError> | undefined {
    const s = this.state
    switch (s._tag) {
      case "Buffered":
        return Either.right(s.bytes)
      case "Failed":
        return Either.left(s.error)
      case "Streaming":
        return Either.left(streamingStarted())
    }
    if (this._lock !== undefined) return undefined
    if (this.pull !== undefined || this.pulled > 0 || this.pending.length > 0 || this.sourceDone) return undefined
    // Bytes given as they are (a source made on first read is a stream or a Node request, and is
    // not made here: this may run outside any effect, when `request.POST` is asked for).
    const source = this.source
    if (!(source instanceof Uint8Array)) return undefined
    if (maxMemory !== null && (this.contentLength ?? 0) > maxMemory) return Either.left(tooBig())
    const limit = this.contentLength ?? Infinity
    const bytes = source.length > limit ? source.subarray(0, limit) : source
    this.pulled = bytes.length
    this.sourceDone = true
    if (maxMemory !== null && bytes.length > maxMemory) {
      const error = tooBig()
      this.state = { _tag: "Failed", error }
      return Either.left(error)
    }
    this.state = { _tag: "Buffered", bytes }
    this.pos = 0
    return Either.right(bytes)
  }

  /** Django's `body`. */
  body(maxMemory: number | null): Effect.Effect<Uint8Array, BodyError> {
    return Effect.suspend(() => this.bodyNow(maxMemory) ?? this.bodyDirect(maxMemory) ?? this.bodyLocked(maxMemory))
  }

  /**
   * `body`'s first read of a `DirectBody` (a Node request) without the lock, when nothing was read
   * and no operation ever took the lock: what `bodyLocked` does then (`readWhole`), the state set
   * as it sets it, with the end of the read (`reading`) for any operation that came meanwhile.
   * `undefined` otherwise.
   */
  private bodyDirect(maxMemory: number | null): Effect.Effect<Uint8Array, BodyError> | undefined {
    if (this._lock !== undefined || this.reading !== undefined) return undefined
    if (this.pull !== undefined || this.pulled > 0 || this.pending.length > 0 || this.sourceDone) return undefined
    const source = this.resolved()
    if (!isDirectBody(source)) return undefined
    if (maxMemory !== null && (this.contentLength ?? 0) > maxMemory) return Effect.fail(tooBig())
    const mine = InFlight.make()
    this.reading = mine
    return Effect.onExit(
      source.readAll(this.contentLength ?? Infinity, maxMemory, tooBig),
      (exit) =>
        Effect.sync(() => {
          if (Exit.isSuccess(exit)) {
            this.pulled = exit.value.length
            this.sourceDone = true
            this.state = { _tag: "Buffered", bytes: exit.value }
            this.pos = 0
          } else if (Cause.isInterruptedOnly(exit.cause)) {
            // Interrupted mid-read, the bytes read so far are gone and the rest is discarded: a
            // later read must not take what is left for the whole body.
            this.sourceDone = true
            this.state = { _tag: "Failed", error: interrupted() }
          } else {
            const error = Cause.failureOption(exit.cause)
            if (Option.isSome(error)) this.state = { _tag: "Failed", error: error.value }
          }
          this.reading = undefined
          InFlight.end(mine)
        })
    )
  }

  private bodyLocked(maxMemory: number | null): Effect.Effect<Uint8Array, BodyError> {
    return this.locked(Effect.suspend((): Effect.Effect<Uint8Array, BodyError> => {
      const s = this.state
      switch (s._tag) {
        case "Buffered":
          return Effect.succeed(s.bytes)
        case "Failed":
          return Effect.fail(s.error)
        case "Streaming":
          return Effect.fail(streamingStarted())
      }
      if (maxMemory !== null && (this.contentLength ?? 0) > maxMemory) return Effect.fail(tooBig())
      const whole = this.readWhole(maxMemory, tooBig)
      const parts: Array<Uint8Array> = []
      let total = 0
      const loop: Effect.Effect<Uint8Array, UnreadablePostError | RequestDataTooBig> = Effect.flatMap(
        this.pullSource(),
        Option.match({
          onNone: () => Effect.succeed(concat(parts, total)),
          onSome: (bytes) => {
            total += bytes.length
            if (maxMemory !== null && total > maxMemory) return this.fail(tooBig())
            parts.push(bytes)
            return loop
          }
        })
      )
      return Effect.tap(
        Effect.catchAll(whole ?? loop, (e) => this.fail(e)),
        (bytes) => {
          this.state = { _tag: "Buffered", bytes }
          this.pos = 0
        }
      )
    }))
  }

  /**
   * Up to `max` bytes (any amount when `max` is undefined) from the current
   * position; `None` at the end. Marks the stream as started.
   */
  readChunk(max?: number): Effect.Effect<Option.Option<Uint8Array>, UnreadablePostError> {
    return this.locked(this.readChunkUnlocked(max))
  }

  private readChunkUnlocked(max?: number): Effect.Effect<Option.Option<Uint8Array>, UnreadablePostError> {
    return Effect.suspend((): Effect.Effect<Option.Option<Uint8Array>, UnreadablePostError> => {
      const s = this.state
      if (s._tag === "Failed") {
        return s.error._tag === "UnreadablePostError" ? Effect.fail(s.error) : Effect.succeed(Option.none())
      }
      if (s._tag === "Buffered") {
        if (this.pos >= s.bytes.length || max === 0) return Effect.succeed(Option.none())
        const end = max === undefined ? s.bytes.length : Math.min(s.bytes.length, this.pos + max)
        const out = s.bytes.subarray(this.pos, end)
        this.pos = end
        return Effect.succeed(Option.some(out))
      }
      this.state = { _tag: "Streaming" }
      if (max === 0) return Effect.succeed(Option.none())
      return Effect.map(this.pullSource(), (o) =>
        Option.map(o, (bytes) => {
          if (max !== undefined && bytes.length > max) {
            this.pending = bytes.subarray(max)
            return bytes.subarray(0, max)
          }
          return bytes
        }))
    })
  }

  /** Django's `read(size)`: everything left when `size` is undefined or negative. */
  read(size?: number): Effect.Effect<Uint8Array, UnreadablePostError> {
    return this.readUpTo(size, false)
  }

  /** Django's `readline(size)`: up to and including the next `\n`, at most `size` bytes. */
  readLine(size?: number): Effect.Effect<Uint8Array, UnreadablePostError> {
    return this.readUpTo(size, true)
  }

  /** At most `size` bytes (all when undefined or negative), stopping after a `\n` when `line`. */
  private readUpTo(size: number | undefined, line: boolean): Effect.Effect<Uint8Array, UnreadablePostError> {
    const want = size === undefined || size < 0 ? Infinity : size
    return this.locked(Effect.suspend(() => {
      const parts: Array<Uint8Array> = []
      let total = 0
      const loop: Effect.Effect<Uint8Array, UnreadablePostError> = Effect.suspend(() =>
        total >= want ? Effect.succeed(concat(parts, total)) : Effect.flatMap(
          this.readChunkUnlocked(want === Infinity ? undefined : want - total),
          Option.match({
            onNone: () => Effect.succeed(concat(parts, total)),
            onSome: (b) => {
              const nl = line ? b.indexOf(10) : -1
              if (nl !== -1 && nl < b.length - 1) {
                this.unread(b.subarray(nl + 1))
                b = b.subarray(0, nl + 1)
              }
              parts.push(b)
              total += b.length
              return nl !== -1 ? Effect.succeed(concat(parts, total)) : loop
            }
          })
        )
      )
      return want === 0 ? Effect.as(this.readChunkUnlocked(0), EMPTY) : loop
    }))
  }

  /** Gives back the tail of the last chunk handed out. */
  private unread(tail: Uint8Array): void {
    if (this.state._tag === "Buffered") this.pos -= tail.length
    else {this.pending = this.pending.length === 0
        ? tail
        : concat([tail, this.pending], tail.length + this.pending.length)}
  }

  /** The rest of the body as a stream of chunks, pulled on demand. */
  stream(chunkSize?: number): Stream.Stream<Uint8Array, UnreadablePostError> {
    return Stream.repeatEffectOption(
      Effect.flatMap(
        Effect.mapError(this.readChunk(chunkSize), Option.some),
        Option.match({
          onNone: () => Effect.fail(Option.none()),
          onSome: Effect.succeed
        })
      )
    )
  }

  /** The rest of the body line by line, each line keeping its `\n` (Django's `__iter__`). */
  lines(): Stream.Stream<Uint8Array, UnreadablePostError> {
    return Stream.repeatEffectOption(
      Effect.flatMap(
        Effect.mapError(this.readLine(), Option.some),
        (line) => line.length === 0 ? Effect.fail(Option.none()) : Effect.succeed(line)
      )
    )
  }
}

/** Where a request value keeps its body cell. */
export const BodyCellKey: unique symbol = Symbol.for("effect-django-http/HttpRequest/BodyCell")

/** Anything that carries a body cell (every `HttpRequest` built by this library does). */
export interface HasBodyCell {
  readonly [BodyCellKey]: BodyCell
}

/** The body cell of a request. */
export const bodyCellOf = (request: HasBodyCell): BodyCell => request[BodyCellKey]

/**
 * The raw body as a single-use stream, pulled on demand in the request's scope
 * and never buffered; shares `body`/`read` state (see `BodyCell`).
 */
export const rawBodyStream = (request: HasBodyCell): Stream.Stream<Uint8Array, UnreadablePostError> =>
  request[BodyCellKey].stream()

/**
 * An effect memoised: the first run's outcome (unless interrupted) is kept and returned to
 * every later run; concurrent runs wait for the first. `result` is that outcome once there is
 * one, for callers that can use it without running an effect (the CSRF check reads an already
 * parsed POST that way).
 */
export class Memo<A, E> {
  result: Exit.Exit<A, E> | undefined = undefined
  readonly effect: Effect.Effect<A, E>
  /**
   * The run in flight, if any: completed when it ends, and the runs that came meanwhile then
   * start again (finding the outcome, or running it themselves after an interruption), as a
   * lock's next holder would. Cheaper than a semaphore's permits.
   */
  private running: InFlight.InFlight | undefined = undefined
  constructor(
    self: Effect.Effect<A, E>,
    /**
     * The first run's outcome when it can be had without running `self` (the same outcome, made
     * in place: a form body already in memory), else `undefined`; asked only when no run is in
     * flight.
     */
    private readonly now?: () => Exit.Exit<A, E> | undefined
  ) {
    const again: Effect.Effect<A, E> = Effect.suspend(() => this.effect)
    this.effect = Effect.suspend(() => {
      const known = this.resultNow()
      if (known !== undefined) return known
      const running = this.running
      if (running !== undefined) return Effect.zipRight(InFlight.awaitEnd(running), again)
      const mine = InFlight.make()
      this.running = mine
      return Effect.onExit(self, (exit) =>
        Effect.sync(() => {
          if (!Exit.isInterrupted(exit)) this.result = exit
          this.running = undefined
          InFlight.end(mine)
        }))
    })
  }

  /**
   * The outcome without running an effect: the kept one, or the one `now` makes when no run is
   * in flight (then kept); `undefined` when `effect` has to run.
   */
  resultNow(): Exit.Exit<A, E> | undefined {
    if (this.result === undefined && this.running === undefined && this.now !== undefined) this.result = this.now()
    return this.result
  }
}

/** The memoised effect alone (`new Memo(self).effect`). */
export const memoize = <A, E>(self: Effect.Effect<A, E>): Effect.Effect<A, E> => new Memo(self).effect
