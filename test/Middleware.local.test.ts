/**
 * The middleware chain provides services to the layers below it (Django's request attributes
 * set by a middleware, seen by the view) without `Effect.provideService`'s per-call cost: the
 * fiber's context is changed in place and put back when the layers below end, whether they
 * answer, fail or die, so that a middleware's service is never seen by the layers above it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Option } from "effect"
import { provideLocally, provideServiceLocally, provideServiceThen } from "../src/internal/middleware.js"

class Marker extends Context.Tag("test/Marker")<Marker, { readonly n: number }>() {}
const seen = Effect.map(Effect.serviceOption(Marker), Option.map((m) => m.n))

describe("provideServiceLocally", () => {
  it.effect("the service is seen inside, and not after a success", () =>
    Effect.gen(function*() {
      expect(yield* provideServiceLocally(seen, Marker, { n: 1 })).toEqual(Option.some(1))
      expect(yield* seen).toEqual(Option.none())
    }))

  it.effect("nested: the inner service wins inside, the outer one is back after", () =>
    Effect.gen(function*() {
      const inner = provideServiceLocally(seen, Marker, { n: 2 })
      const both = provideServiceLocally(Effect.zip(inner, seen), Marker, { n: 1 })
      expect(yield* both).toEqual([Option.some(2), Option.some(1)])
      expect(yield* seen).toEqual(Option.none())
    }))

  it.effect("the context is put back after a failure and after a defect", () =>
    Effect.gen(function*() {
      const failed = yield* Effect.exit(
        provideServiceLocally(Effect.zipRight(seen, Effect.fail("no")), Marker, { n: 1 })
      )
      expect(failed).toEqual(Exit.fail("no"))
      expect(yield* seen).toEqual(Option.none())
      const died = yield* Effect.exit(provideServiceLocally(Effect.dieMessage("boom"), Marker, { n: 1 }))
      expect(Exit.isFailure(died) && Cause.isDie(died.cause)).toBe(true)
      expect(yield* seen).toEqual(Option.none())
    }))

  it.effect("provideLocally merges a context, and puts the old one back", () =>
    Effect.gen(function*() {
      const added = Context.make(Marker, { n: 3 })
      expect(yield* provideLocally(seen, (c) => Context.merge(c, added))).toEqual(Option.some(3))
      expect(yield* seen).toEqual(Option.none())
    }))

  it.effect("an effect that suspends (async) still sees the service and the context is put back", () =>
    Effect.gen(function*() {
      const later = Effect.zipRight(
        Effect.async<void>((resume) => {
          setTimeout(() => resume(Effect.void), 1)
        }),
        seen
      )
      expect(yield* provideServiceLocally(later, Marker, { n: 4 })).toEqual(Option.some(4))
      expect(yield* seen).toEqual(Option.none())
    }))
})

describe("provideServiceThen (a middleware's after-step fused with the put-back)", () => {
  const then = <A, E>(effect: Effect.Effect<A, E>) =>
    Effect.withFiberRuntime((fiber) =>
      provideServiceThen(fiber, effect, Marker, { n: 1 }, {
        onFailure: (cause) => Effect.map(seen, (outside) => ({ failed: Cause.squash(cause), outside })),
        onSuccess: (a) => Effect.map(seen, (outside) => ({ a, outside }))
      })
    )

  it.effect("inside sees the service; each continuation runs with the context put back", () =>
    Effect.gen(function*() {
      expect(yield* then(seen)).toEqual({ a: Option.some(1), outside: Option.none() })
      expect(yield* then(Effect.zipRight(seen, Effect.fail("no")))).toEqual({ failed: "no", outside: Option.none() })
      expect(yield* seen).toEqual(Option.none())
    }))

  it.effect("a failure of the success continuation is not handed to the failure one", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Effect.withFiberRuntime<string, string>((fiber) =>
          provideServiceThen(fiber, Effect.succeed(1), Marker, { n: 1 }, {
            onFailure: () => Effect.succeed("caught"),
            onSuccess: () => Effect.fail("after")
          })
        )
      )
      expect(exit).toEqual(Exit.fail("after"))
      expect(yield* seen).toEqual(Option.none())
    }))

  it.effect("nested under an outer service: the outer one is seen by the continuation", () =>
    Effect.gen(function*() {
      const inner = Effect.withFiberRuntime((fiber) =>
        provideServiceThen(fiber, seen, Marker, { n: 2 }, {
          onFailure: Effect.failCause,
          onSuccess: (inside) => Effect.map(seen, (after) => [inside, after] as const)
        })
      )
      expect(yield* provideServiceLocally(inner, Marker, { n: 1 })).toEqual([Option.some(2), Option.some(1)])
    }))
})
