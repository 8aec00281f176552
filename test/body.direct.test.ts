// `body` of a Node request (`DirectBody`: read whole from the request's own events) on its first
// read takes no lock (a semaphore's permits cost more than reading a small form): Django's rules
// for `request.body` must not change with it. Content-Length cuts the body (LimitedStream),
// DATA_UPLOAD_MAX_MEMORY_SIZE refuses it (RequestDataTooBig), a body read once is replayed to
// every later read (`read`, `readline`, the chunks), and reads that come while it is under way
// wait for it: the same as the general path (the same bytes streamed, under the lock).
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, FastCheck as fc, Fiber, Scope, Stream } from "effect"
import { Readable } from "node:stream"
import { BodyCell, type DirectBody } from "../src/internal/body.js"
import { nodeBody } from "../src/internal/node/adapter.js"

// The general path pulls its stream in the request's scope.
const scopeRef = { scope: Effect.runSync(Scope.make()) }

const cuts = (body: Uint8Array, points: ReadonlyArray<number>): Array<Buffer> => {
  const at = [...new Set(points.map((p) => p % (body.length + 1)))].sort((a, b) => a - b)
  const chunks: Array<Buffer> = []
  let prev = 0
  for (const p of [...at, body.length]) {
    chunks.push(Buffer.from(body.subarray(prev, p)))
    prev = p
  }
  return chunks
}

/** A Node readable of `chunks` (as an `IncomingMessage` delivers them) read as a `DirectBody`. */
const direct = (chunks: ReadonlyArray<Buffer>): DirectBody => nodeBody(Readable.from(chunks, { objectMode: false }))
const streamed = (chunks: ReadonlyArray<Buffer>) => Stream.fromIterable(chunks.map((c) => new Uint8Array(c)))

type Shown = { readonly bytes: ReadonlyArray<number> } | { readonly error: string; readonly message: string }
const shown = (e: Either.Either<Uint8Array, { readonly _tag: string; readonly message: string }>): Shown =>
  Either.match(e, {
    onLeft: (error) => ({ error: error._tag, message: error.message }),
    onRight: (bytes) => ({ bytes: [...bytes] })
  })

describe("body of a DirectBody, read without the lock (property)", () => {
  it.effect("body, then body and reads, equal the same of the same bytes streamed, limits included", () =>
    Effect.gen(function*() {
      const samples = fc.sample(
        fc.tuple(
          fc.uint8Array({ maxLength: 120 }),
          fc.array(fc.nat(), { maxLength: 5 }),
          fc.option(fc.nat({ max: 150 }), { nil: null }),
          fc.option(fc.nat({ max: 150 }), { nil: null }),
          fc.nat({ max: 40 })
        ),
        { numRuns: 150, seed: 20261206 }
      )
      for (const [body, points, length, maxMemory, size] of samples) {
        const chunks = cuts(body, points)
        const outcome = (cell: BodyCell) =>
          Effect.gen(function*() {
            const first = shown(yield* Effect.either(cell.body(maxMemory)))
            const again = shown(yield* Effect.either(cell.body(maxMemory)))
            const read = shown(yield* Effect.either(cell.read(size)))
            const line = shown(yield* Effect.either(cell.readLine()))
            const rest = shown(yield* Effect.either(cell.read()))
            return { first, again, read, line, rest }
          })
        const general = yield* outcome(new BodyCell(streamed(chunks), length, scopeRef))
        const fast = yield* outcome(new BodyCell(direct(chunks), length, scopeRef))
        expect(fast).toEqual(general)
      }
    }))

  it.effect("reads that come while body is under way wait for it, and get what they get after it", () =>
    Effect.gen(function*() {
      const samples = fc.sample(
        fc.tuple(fc.uint8Array({ maxLength: 80 }), fc.array(fc.nat(), { maxLength: 4 }), fc.nat({ max: 30 })),
        { numRuns: 60, seed: 6122026 }
      )
      for (const [body, points, size] of samples) {
        const chunks = cuts(body, points)
        const together = (cell: BodyCell) =>
          Effect.gen(function*() {
            const first = yield* Effect.fork(Effect.either(cell.body(null)))
            const second = yield* Effect.fork(Effect.either(cell.body(null)))
            const read = yield* Effect.fork(Effect.either(cell.read(size)))
            return {
              first: shown(yield* Fiber.join(first)),
              second: shown(yield* Fiber.join(second)),
              read: shown(yield* Fiber.join(read))
            }
          })
        const general = yield* together(new BodyCell(streamed(chunks), null, scopeRef))
        const fast = yield* together(new BodyCell(direct(chunks), null, scopeRef))
        expect(fast).toEqual(general)
        expect(fast.first).toEqual({ bytes: [...body] })
      }
    }))

  it.effect("a read interrupted leaves the body failed, as under the lock", () =>
    Effect.gen(function*() {
      // A source that never ends (the client stopped sending).
      const source = new Readable({ read() {} })
      source.push(Buffer.from("a=1"))
      const cell = new BodyCell(nodeBody(source), null, scopeRef)
      const reader = yield* Effect.fork(cell.body(null))
      yield* Effect.yieldNow()
      expect(Exit.isInterrupted(yield* Fiber.interrupt(reader))).toBe(true)
      const after = yield* Effect.flip(cell.body(null))
      expect([after._tag, after.message]).toEqual([
        "UnreadablePostError",
        "request data read error: the read was interrupted"
      ])
      expect(yield* Effect.flip(cell.read())).toEqual(after)
    }))
})
