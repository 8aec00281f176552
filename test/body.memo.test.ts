// The memo behind `request.POST`/`FILES` (Django parses the body once per request: `_load_post_and_files`
// sets `_post` and `_files`, and every later read returns them): one run for concurrent first reads,
// an outcome kept (a failure too, as Django keeps raising the same error), an interrupted run not kept.
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { Memo } from "../src/internal/body.js"

describe("Memo (request.POST parsed once)", () => {
  it.effect("concurrent first runs run the effect once, and all get its value", () =>
    Effect.gen(function*() {
      let runs = 0
      const gate = yield* Deferred.make<void>()
      const memo = new Memo(Effect.zipRight(Deferred.await(gate), Effect.sync(() => ++runs)))
      const readers = yield* Effect.forkAll([memo.effect, memo.effect, memo.effect])
      yield* Effect.yieldNow()
      expect(memo.result).toBeUndefined()
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(readers)).toEqual([1, 1, 1])
      expect(runs).toBe(1)
      expect(memo.result).toEqual(Exit.succeed(1))
      expect(yield* memo.effect).toBe(1)
      expect(runs).toBe(1)
    }))

  it.effect("a failure is kept: later runs fail alike without running again", () =>
    Effect.gen(function*() {
      let runs = 0
      const memo = new Memo<number, string>(Effect.suspend(() => (runs++, Effect.fail("bad"))))
      expect(yield* Effect.flip(memo.effect)).toBe("bad")
      expect(yield* Effect.flip(memo.effect)).toBe("bad")
      expect(runs).toBe(1)
      expect(memo.result).toEqual(Exit.fail("bad"))
    }))

  it.effect("a first run interrupted is not kept: the run that waited on it runs the effect itself", () =>
    Effect.gen(function*() {
      let runs = 0
      const never = yield* Deferred.make<void>()
      const memo = new Memo(
        Effect.suspend(() => ++runs === 1 ? Effect.as(Deferred.await(never), 0) : Effect.succeed(runs))
      )
      const first = yield* Effect.fork(memo.effect)
      yield* Effect.yieldNow()
      const second = yield* Effect.fork(memo.effect)
      yield* Effect.yieldNow()
      expect(runs).toBe(1)
      yield* Fiber.interrupt(first)
      expect(yield* Fiber.join(second)).toBe(2)
      expect(runs).toBe(2)
      expect(memo.result).toEqual(Exit.succeed(2))
    }))

  it.effect("a waiting run that is interrupted leaves the first run and the memo as they were", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const memo = new Memo(Effect.as(Deferred.await(gate), "v"))
      const first = yield* Effect.fork(memo.effect)
      yield* Effect.yieldNow()
      const waiter = yield* Effect.fork(memo.effect)
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(waiter)
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(first)).toBe("v")
      expect(yield* memo.effect).toBe("v")
    }))

  // `now` (a form body in memory parsed in place): the outcome without running the effect, kept as
  // a run's would be; asked only when no run is in flight (a run's outcome is then awaited).
  it.effect("an outcome known now is kept without running the effect; unknown, the effect runs", () =>
    Effect.gen(function*() {
      let runs = 0
      let asked = 0
      const known = new Memo(Effect.sync(() => ++runs), () => (asked++, Exit.succeed(7)))
      expect(known.resultNow()).toEqual(Exit.succeed(7))
      expect(yield* known.effect).toBe(7)
      expect(yield* known.effect).toBe(7)
      expect([runs, asked]).toEqual([0, 1])
      const failed = new Memo<number, string>(Effect.sync(() => ++runs), () => Exit.fail("bad"))
      expect(yield* Effect.flip(failed.effect)).toBe("bad")
      expect(failed.result).toEqual(Exit.fail("bad"))
      const unknown = new Memo(Effect.sync(() => ++runs), () => (asked++, undefined))
      expect(unknown.resultNow()).toBeUndefined()
      expect(yield* unknown.effect).toBe(1)
      expect(unknown.resultNow()).toEqual(Exit.succeed(1))
      expect([runs, asked]).toEqual([1, 3])
    }))

  it.effect("while a run is in flight, now is not asked: the outcome is the run's", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      let asked = 0
      let allow = false
      const memo = new Memo(
        Effect.as(Deferred.await(gate), "run"),
        () => (asked++, allow ? Exit.succeed("now") : undefined)
      )
      const first = yield* Effect.fork(memo.effect)
      yield* Effect.yieldNow()
      expect(asked).toBe(1)
      allow = true
      expect(memo.resultNow()).toBeUndefined()
      const second = yield* Effect.fork(memo.effect)
      yield* Effect.yieldNow()
      expect(asked).toBe(1)
      yield* Deferred.succeed(gate, undefined)
      expect([yield* Fiber.join(first), yield* Fiber.join(second)]).toEqual(["run", "run"])
      expect(memo.resultNow()).toEqual(Exit.succeed("run"))
      expect(asked).toBe(1)
    }))
})
