/**
 * Django's `BaseHandler` chain (`django/core/handlers/base.py`), for Effects: middleware `call`s
 * around the core, the core resolving the view, running `processView` hooks top-down, the view,
 * `processException` hooks bottom-up, and `processTemplateResponse` hooks bottom-up before a
 * deferred response is rendered. With `convert`, every layer turns its failures into responses
 * (`convert_exception_to_response`); without it (a middleware used as a view decorator) failures
 * pass through.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import * as HttpRequest from "../HttpRequest.js"
import type { Hooks, Resolved } from "../Middleware.js"
import * as Settings from "../Settings.js"
import type * as View from "../View.js"
import { canSetFiberRef } from "./fiberRuntime.js"
import { settle } from "./response/make.js"
import { isResponse, settleWith } from "./response/value.js"

type AnyEffect = Effect.Effect<View.Response, unknown, unknown>
type Step = (request: HttpRequest.HttpRequest) => AnyEffect

/** The protocol of a response whose content is rendered late (a template response). */
export const DeferredTypeId: unique symbol = Symbol.for("effect-django-http/DeferredResponse")

/** A response rendered after the `processTemplateResponse` hooks. */
export interface Deferred {
  readonly [DeferredTypeId]: {
    /** The rendered response; runs the post-render callbacks. */
    readonly render: Effect.Effect<View.Response, unknown, unknown>
  }
}

/** A response that still has to be rendered. */
export const isDeferred = (u: unknown): u is Deferred => hasProperty(u, DeferredTypeId)

/** What the chain needs besides the middleware. */
export interface Engine {
  readonly stack: ReadonlyArray<Hooks>
  readonly resolve: (request: HttpRequest.HttpRequest) => Effect.Effect<Resolved, unknown, unknown>
  /**
   * `resolve` in a context at hand, from inside `Effect.withFiberRuntime`: the resolution itself
   * when it needs no effect, else the effect `resolve` runs (see `ResolveNowTypeId`).
   */
  readonly resolveNow?: ResolveNow | undefined
  /** Turns a failure into a response at the layer where it happens. */
  readonly convert?: ((request: HttpRequest.HttpRequest, cause: Cause.Cause<unknown>) => AnyEffect) | undefined
}

/** `Engine["resolveNow"]`. */
export type ResolveNow = (
  context: Context.Context<never>,
  request: HttpRequest.HttpRequest
) => Resolved | Effect.Effect<Resolved, unknown, unknown>

/**
 * Where a `resolve` function carries its `ResolveNow`, when it has one: on the function itself, so
 * that whatever holds the function holds both, and they never disagree.
 */
export const ResolveNowTypeId: unique symbol = Symbol.for("effect-django-http/Middleware/ResolveNow")

/**
 * A `processView` hook in a context at hand, from inside `Effect.withFiberRuntime`: its answer
 * itself when it needs no effect (`None`: the next hook or the view), else the effect the hook
 * runs. Carried by the hook function (`ViewNowTypeId`), as `ResolveNow`.
 */
export type ViewNow = (
  context: Context.Context<never>,
  request: HttpRequest.HttpRequest,
  resolved: Resolved
) => Option.Option<View.Response> | Effect.Effect<Option.Option<View.Response>, unknown, unknown>

/** Where a `processView` hook carries its `ViewNow`, when it has one. */
export const ViewNowTypeId: unique symbol = Symbol.for("effect-django-http/Middleware/ViewNow")

/** The `ResolveNow` a `resolve` function carries, if any. */
export const resolveNowOf = (resolve: unknown): ResolveNow | undefined =>
  typeof resolve === "function"
    ? (resolve as { readonly [ResolveNowTypeId]?: ResolveNow })[ResolveNowTypeId]
    : undefined

const call = (f: Step, request: HttpRequest.HttpRequest): AnyEffect => {
  try {
    return f(request)
  } catch (defect) {
    return Effect.die(defect)
  }
}

/**
 * Runs `f(request)` with `request` as the current request, turning a throw into a defect. When
 * the request is the current one already (most middleware pass on what they got), the context
 * is left as it is: `provideService` costs a dozen runtime steps per layer.
 */
export const runWith = (f: Step, request: HttpRequest.HttpRequest): AnyEffect =>
  Effect.withFiberRuntime((fiber) =>
    fiber.currentContext.unsafeMap.get(HttpRequest.HttpRequest.key) === request
      ? call(f, request)
      : provideServiceLocally(call(f, request), HttpRequest.HttpRequest, request)
  )

/**
 * `effect` run with the fiber's context changed by `f`, and the context as it was once it
 * ends, succeeding or failing: what `Effect.provide`/`provideService` do, without their
 * `acquireUseRelease` (a dozen runtime steps each, paid per middleware per request). On
 * interruption the context is not restored: the fiber then only runs finalizers, which keep
 * their own context.
 */
export const provideLocally = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  f: (context: Context.Context<never>) => Context.Context<never>
): Effect.Effect<A, E, any> =>
  Effect.withFiberRuntime((fiber) => provideLocallyIn(fiber, effect, f(fiber.currentContext)))

/**
 * `provideLocally` from inside `Effect.withFiberRuntime` (no step of its own): `effect` with
 * `context` as the running fiber's context, the context as it was once it ends.
 */
export const provideLocallyIn = <A, E, R>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  effect: Effect.Effect<A, E, R>,
  context: Context.Context<never>
): Effect.Effect<A, E, any> =>
  provideLocallyThen(fiber, effect, context, { onFailure: Effect.failCause, onSuccess: Effect.succeed })

/**
 * `Effect.matchCauseEffect(provideLocallyIn(fiber, effect, context), then)` in one step: the
 * continuation runs once the context is restored.
 */
export const provideLocallyThen = <A, E, R, B, E2, R2, B3, E3, R3>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  effect: Effect.Effect<A, E, R>,
  context: Context.Context<never>,
  then: {
    readonly onFailure: (cause: Cause.Cause<E>) => Effect.Effect<B, E2, R2>
    readonly onSuccess: (a: A) => Effect.Effect<B3, E3, R3>
  }
): Effect.Effect<B | B3, E2 | E3, any> => {
  if (!canSetFiberRef(fiber)) {
    return Effect.matchCauseEffect(Effect.provide(effect, context as Context.Context<R>), then)
  }
  const before = fiber.currentContext
  fiber.setFiberRef(FiberRef.currentContext, context)
  return Effect.matchCauseEffect(effect, {
    onFailure: (cause) => {
      fiber.setFiberRef(FiberRef.currentContext, before)
      return then.onFailure(cause)
    },
    onSuccess: (a) => {
      fiber.setFiberRef(FiberRef.currentContext, before)
      return then.onSuccess(a)
    }
  })
}

/** `Effect.provideService(effect, tag, service)` from inside `Effect.withFiberRuntime` (see `provideLocallyIn`). */
export const provideServiceIn = <A, E, R, I, S>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  effect: Effect.Effect<A, E, R>,
  tag: Context.Tag<I, S>,
  service: S
): Effect.Effect<A, E, Exclude<R, I>> =>
  provideLocallyIn(fiber, effect, Context.add(fiber.currentContext, tag, service))

/** `provideServiceIn` then `then`'s continuations, in one step (see `provideLocallyThen`). */
export const provideServiceThen = <A, E, R, I, S, B, E2, R2, B3, E3, R3>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  effect: Effect.Effect<A, E, R>,
  tag: Context.Tag<I, S>,
  service: S,
  then: {
    readonly onFailure: (cause: Cause.Cause<E>) => Effect.Effect<B, E2, R2>
    readonly onSuccess: (a: A) => Effect.Effect<B3, E3, R3>
  }
): Effect.Effect<B | B3, E2 | E3, Exclude<R, I> | R2 | R3> =>
  provideLocallyThen(fiber, effect, Context.add(fiber.currentContext, tag, service), then)

/** `Effect.provideService(effect, tag, service)` through `provideLocally`. */
export const provideServiceLocally = <A, E, R, I, S>(
  effect: Effect.Effect<A, E, R>,
  tag: Context.Tag<I, S>,
  service: S
): Effect.Effect<A, E, Exclude<R, I>> => provideLocally(effect, (context) => Context.add(context, tag, service))

const guard = (step: Step, convert: Engine["convert"]): Step =>
  convert === undefined ? step : (request) =>
    Effect.catchAllCause(
      step(request),
      (cause) => Cause.isInterruptedOnly(cause) ? Effect.failCause(cause) : convert(request, cause)
    )

/** `process_exception` hooks, bottom-up: the first that answers wins; else the failure goes on. */
const processException = (
  stack: ReadonlyArray<Hooks>,
  request: HttpRequest.HttpRequest,
  cause: Cause.Cause<unknown>
): AnyEffect => {
  if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
  let i = stack.length - 1
  const next = (): AnyEffect => {
    while (i >= 0) {
      const hook = stack[i--]!.processException
      if (hook !== undefined) {
        return Effect.flatMap(
          hook(request, cause),
          Option.match({ onNone: next, onSome: Effect.succeed })
        )
      }
    }
    return Effect.failCause(cause)
  }
  return next()
}

/**
 * `process_view` hooks, top-down: the first that answers wins (its answer rendered if deferred);
 * when none answers, `orElse` (the view). Each hook's answer goes straight to the next hook or to
 * the view: no `Option` passed back up through a continuation per hook. With `context` (the
 * context the hooks and the view are about to run in, the effect built here being run at once in
 * it), the hooks that can answer without an effect (`ViewNow`) are asked in place, as long as
 * every hook before them did too.
 */
const processViewThen = (
  stack: ReadonlyArray<Hooks>,
  request: HttpRequest.HttpRequest,
  resolved: Resolved,
  orElse: () => AnyEffect,
  context: Context.Context<never> | undefined
): AnyEffect => {
  let i = 0
  const onAnswer = (answer: Option.Option<View.Response>): AnyEffect =>
    Option.isSome(answer) ? renderIfDeferred(stack, request)(answer.value) : next(undefined)
  const next = (now: Context.Context<never> | undefined): AnyEffect => {
    while (i < stack.length) {
      const hook = stack[i++]!.processView
      if (hook === undefined) continue
      const viewNow = now === undefined ? undefined : (hook as { readonly [ViewNowTypeId]?: ViewNow })[ViewNowTypeId]
      if (viewNow === undefined) return Effect.flatMap(hook(request, resolved), onAnswer)
      const answer = viewNow(now!, request, resolved)
      // (An `Option` is an Effect too: told apart first.)
      if (!Option.isOption(answer)) return Effect.flatMap(answer, onAnswer)
      if (Option.isSome(answer)) return renderIfDeferred(stack, request)(answer.value)
    }
    return orElse()
  }
  return next(context)
}

/** `process_template_response` hooks bottom-up, then the render; failures go to `process_exception`. */
const renderDeferred = (
  stack: ReadonlyArray<Hooks>,
  request: HttpRequest.HttpRequest,
  response: View.Response & Deferred
): AnyEffect => {
  const initial: AnyEffect = Effect.succeed(response)
  let effect = initial
  for (let i = stack.length - 1; i >= 0; i--) {
    const hook = stack[i]!.processTemplateResponse
    if (hook !== undefined) {
      effect = Effect.flatMap(effect, (r) => isDeferred(r) ? hook(request, r) : Effect.succeed(r))
    }
  }
  // Without `process_template_response` hooks the render runs at once; without
  // `process_exception` hooks a failure goes on as it is (what `processException` gives then).
  const rendered = effect === initial
    ? response[DeferredTypeId].render
    : Effect.flatMap(effect, (r) => isDeferred(r) ? r[DeferredTypeId].render : Effect.succeed(r))
  return stack.some((h) => h.processException !== undefined)
    ? Effect.catchAllCause(rendered, (cause) => processException(stack, request, cause))
    : rendered
}

const renderIfDeferred = (stack: ReadonlyArray<Hooks>, request: HttpRequest.HttpRequest) => (r: View.Response) =>
  isDeferred(r) ? renderDeferred(stack, request, r) : Effect.succeed(r)

const mergeWith = (added: Context.Context<never>) => (context: Context.Context<never>) => Context.merge(context, added)

/**
 * Django's `_get_response`: resolve, `process_view`, the view, `process_exception`, render. The
 * steps for hooks no middleware has are left out.
 */
const core = (engine: Engine): Step => {
  const stack = engine.stack
  const hasViewHooks = stack.some((h) => h.processView !== undefined)
  const hasExceptionHooks = stack.some((h) => h.processException !== undefined)
  const runView = (request: HttpRequest.HttpRequest, resolved: Resolved): AnyEffect => {
    const ran = call(resolved.view, request)
    const rescued = hasExceptionHooks
      ? Effect.catchAllCause(ran, (cause) => processException(stack, request, cause))
      : ran
    return Effect.flatMap(rescued, renderIfDeferred(stack, request))
  }
  const afterResolve = (
    request: HttpRequest.HttpRequest,
    resolved: Resolved,
    context?: Context.Context<never>
  ): AnyEffect =>
    hasViewHooks
      ? processViewThen(stack, request, resolved, () => runView(request, resolved), context)
      : runView(request, resolved)
  const afterResolved = (request: HttpRequest.HttpRequest) => (resolved: Resolved): AnyEffect =>
    resolved.context === undefined
      ? afterResolve(request, resolved)
      : provideLocally(afterResolve(request, resolved), mergeWith(resolved.context))
  const resolveNow = engine.resolveNow ?? resolveNowOf(engine.resolve)
  if (resolveNow === undefined) return (request) => Effect.flatMap(engine.resolve(request), afterResolved(request))
  // The resolution and its services provided in one step (the effect's three more otherwise).
  return (request) =>
    Effect.withFiberRuntime((fiber) => {
      const resolved = resolveNow(fiber.currentContext, request)
      if (Effect.isEffect(resolved)) return Effect.flatMap(resolved, afterResolved(request))
      if (resolved.context === undefined) return afterResolve(request, resolved, fiber.currentContext)
      const context = Context.merge(fiber.currentContext, resolved.context)
      return provideLocallyIn(fiber, afterResolve(request, resolved, context), context)
    })
}

/**
 * A response of this library settled with the request's `DEFAULT_CHARSET` (see
 * `HttpResponse.settle`), so that a middleware reads its content and Content-Type as they
 * will be sent; failing as Django's constructor would, at the layer that made it.
 */
const settled = (response: View.Response): AnyEffect =>
  isResponse(response) && response.defaultCharset === undefined ? settle(response) : Effect.succeed(response)

/**
 * The whole chain: every middleware's `call` around the core, each layer guarded; each
 * `call` gets the response of the layers inside it settled.
 */
export const chain = (engine: Engine): Step => {
  const convert = engine.convert
  // `unguarded` is the layer as written; what an outer layer's `getResponse` runs is that layer
  // guarded and its response settled, in one step (`guardSettled`). The layer below and the
  // conversion go with `getResponse` too (`InnerTypeId`), for `respondThen`.
  let unguarded: Step = core(engine)
  for (let i = engine.stack.length - 1; i >= 0; i--) {
    const call = engine.stack[i]!.call
    if (call === undefined) continue
    const below: Inner = { step: unguarded, convert }
    const inner = guardSettled(unguarded, convert)
    const getResponse = Object.assign((request: HttpRequest.HttpRequest) => runWith(inner, request), {
      [InnerTypeId]: below
    })
    unguarded = (request) =>
      call(request, getResponse as unknown as (r: HttpRequest.HttpRequest) => Effect.Effect<View.Response>)
  }
  const outer = guard(unguarded, convert)
  return (request) => runWith(outer, request)
}

/**
 * `(request) => Effect.flatMap(guard(step, convert)(request), settled)` with one continuation
 * for both outcomes (a converted failure is settled too; a failure to settle is not converted
 * here, as it was not).
 */
const guardSettled = (step: Step, convert: Engine["convert"]): Step =>
  convert === undefined
    ? (request) => Effect.flatMap(step(request), settled)
    : (request) =>
      Effect.matchCauseEffect(step(request), {
        onFailure: (cause) =>
          Cause.isInterruptedOnly(cause) ? Effect.failCause(cause) : Effect.flatMap(convert(request, cause), settled),
        onSuccess: settled
      })

/** Where the chain puts, on the `getResponse` it hands a middleware, the layer below it. */
const InnerTypeId: unique symbol = Symbol.for("effect-django-http/Middleware/Inner")

/** The layer below a middleware, as written (unguarded), and how the chain converts its failures. */
interface Inner {
  readonly step: Step
  readonly convert: Engine["convert"]
}

type Then<E, B, E2, R2, B3, E3, R3> = {
  readonly onFailure: (cause: Cause.Cause<E>) => Effect.Effect<B, E2, R2>
  readonly onSuccess: (response: View.Response) => Effect.Effect<B3, E3, R3>
}

/**
 * `Effect.matchCauseEffect(getResponse(request), then)` run with `context` as the fiber's
 * context (the context as it was again before `then`; the current context when `context` is
 * `undefined`), from inside `Effect.withFiberRuntime`, where the effect runs at once.
 *
 * When `getResponse` is the chain's and `request` is the request of that context, the layer
 * below runs under one continuation that does what the chain's two do (`runWith`, which then
 * has nothing to provide, and `guardSettled`: a failure converted and settled in the inner
 * context, a response settled) before `then`: two runtime steps and a continuation fewer per
 * middleware. Anything else (a `getResponse` of another kind, another request, a runtime
 * without `setFiberRef`) takes the general path, which gives the same outcome.
 */
export const respondThen = <E, R, B, E2, R2, B3, E3, R3>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  getResponse: (request: HttpRequest.HttpRequest) => Effect.Effect<View.Response, E, R>,
  request: HttpRequest.HttpRequest,
  context: Context.Context<never> | undefined,
  then: Then<E, B, E2, R2, B3, E3, R3>
): Effect.Effect<B | B3, E2 | E3, R | R2 | R3> => {
  const inner = (getResponse as { readonly [InnerTypeId]?: Inner })[InnerTypeId]
  if (
    inner === undefined || !canSetFiberRef(fiber) ||
    (context ?? fiber.currentContext).unsafeMap.get(HttpRequest.HttpRequest.key) !== request
  ) {
    return context === undefined
      ? Effect.matchCauseEffect(getResponse(request), then)
      : provideLocallyThen(fiber, getResponse(request), context, then) as Effect.Effect<B | B3, E2 | E3, R | R2 | R3>
  }
  let restored: Then<unknown, B, E2, R2, B3, E3, R3> = then as Then<unknown, B, E2, R2, B3, E3, R3>
  if (context !== undefined) {
    const before = fiber.currentContext
    fiber.setFiberRef(FiberRef.currentContext, context)
    restored = {
      onFailure: (cause) => {
        fiber.setFiberRef(FiberRef.currentContext, before)
        return then.onFailure(cause as Cause.Cause<E>)
      },
      onSuccess: (response) => {
        fiber.setFiberRef(FiberRef.currentContext, before)
        return then.onSuccess(response)
      }
    }
  }
  let effect: AnyEffect
  try {
    effect = inner.step(request)
  } catch (defect) {
    // As `runWith`: a throw of the layer below is a defect of `getResponse`, not converted there.
    return Effect.matchCauseEffect(Effect.die(defect), restored)
  }
  const convert = inner.convert
  // The layer below is typed as the chain types it (`AnyEffect`); it is `getResponse`'s effect.
  return Effect.matchCauseEffect(effect as Effect.Effect<View.Response, unknown, R>, {
    onFailure: (cause): Effect.Effect<B | B3, E2 | E3, unknown> =>
      convert === undefined || Cause.isInterruptedOnly(cause)
        ? restored.onFailure(cause)
        : Effect.matchCauseEffect(Effect.flatMap(convert(request, cause), settled), restored),
    onSuccess: (response): Effect.Effect<B | B3, E2 | E3, unknown> => {
      if (!isResponse(response) || response.defaultCharset !== undefined) return restored.onSuccess(response)
      // `settle` in place: the charset of the context the layer below ran in (the fiber's now).
      const settledNow = settleWith(response, Settings.fromContext(fiber.currentContext).DEFAULT_CHARSET)
      return Either.isRight(settledNow)
        ? restored.onSuccess(settledNow.right)
        : restored.onFailure(Cause.fail(settledNow.left))
    }
  }) as Effect.Effect<B | B3, E2 | E3, R | R2 | R3>
}

/** `respondThen` with `tag` provided as `service` (one copy of the context, as `provideServiceThen`). */
export const respondServiceThen = <E, R, I, S, B, E2, R2, B3, E3, R3>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  getResponse: (request: HttpRequest.HttpRequest) => Effect.Effect<View.Response, E, R>,
  request: HttpRequest.HttpRequest,
  tag: Context.Tag<I, S>,
  service: S,
  then: Then<E, B, E2, R2, B3, E3, R3>
): Effect.Effect<B | B3, E2 | E3, Exclude<R, I> | R2 | R3> =>
  respondThen(fiber, getResponse, request, Context.add(fiber.currentContext, tag, service), then) as Effect.Effect<
    B | B3,
    E2 | E3,
    Exclude<R, I> | R2 | R3
  >

/** Django's `decorator_from_middleware`: the stack around one view, failures passed through. */
export const decorate = (stack: ReadonlyArray<Hooks>, view: View.View<unknown, unknown>): Step =>
  chain({ stack, resolve: () => Effect.succeed({ view, args: [], kwargs: {} }) })
