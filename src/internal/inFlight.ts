/**
 * A run in flight that other fibers may wait on, for the memos that serialise their first run
 * (`request.POST`'s, the lazy `request.user`'s): cheaper than a semaphore's permits, and its
 * `Deferred` (a large object to make) is made only by the first fiber that has to wait, which
 * most runs never have.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"

/** A run in flight. */
export interface InFlight {
  done: Deferred.Deferred<void> | undefined
}

/** A new run in flight, with no one waiting yet. */
export const make = (): InFlight => ({ done: undefined })

/**
 * Waits for the end of `run`, however it ends (made waitable on first use). To be called in the
 * same synchronous step that found `run` in flight: the Deferred is made at once, so that an end
 * coming before the wait begins still completes it.
 */
export const awaitEnd = (run: InFlight): Effect.Effect<void> =>
  Deferred.await(run.done ??= Deferred.unsafeMake<void>(FiberId.none))

/** Ends `run`: its waiters, if any, go on. */
export const end = (run: InFlight): void => {
  if (run.done !== undefined) Deferred.unsafeDone(run.done, Exit.void)
}
