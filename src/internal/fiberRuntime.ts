/**
 * The one reach into Effect's runtime: setting a fiber ref on the running fiber in place.
 *
 * Missing public API: `Fiber.RuntimeFiber` lists `getFiberRef` and `currentContext` but not
 * `setFiberRef` (what `FiberRef.set` calls), so setting a fiber ref from inside
 * `Effect.withFiberRuntime` without one more runtime step has no public form. Used by the request
 * adapter (`withContextIn`, for `View.respond`/`toHttpApp`) and by the middleware chain and the
 * standard middleware (`provideLocally` and its forms in `internal/middleware.ts`); both fall back
 * to the public form when the runtime lacks it.
 * `test/adapter.test.ts` fails the day Effect's runtime loses it.
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"

/** A fiber runtime that has `setFiberRef` (Effect 3's `FiberRuntime` does). */
export type SettableFiber = Fiber.RuntimeFiber<unknown, unknown> & {
  setFiberRef<A>(fiberRef: FiberRef.FiberRef<A>, value: A): void
}

/** Whether `fiber` has `setFiberRef`. */
export const canSetFiberRef = (fiber: Fiber.RuntimeFiber<unknown, unknown>): fiber is SettableFiber =>
  typeof (fiber as { readonly setFiberRef?: unknown }).setFiberRef === "function"

/**
 * `effect` with `context` as the fiber's context, set in place when the runtime allows it (what
 * `FiberRef.set(FiberRef.currentContext, context)` does, without its own runtime step: we are in
 * the fiber already), else through `FiberRef.set`.
 */
export const withContextIn = <A, E, R>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  context: Context.Context<never>,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  if (canSetFiberRef(fiber)) {
    fiber.setFiberRef(FiberRef.currentContext, context)
    return effect
  }
  return Effect.zipRight(FiberRef.set(FiberRef.currentContext, context), effect)
}
