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
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import * as HttpRequest from "../HttpRequest.js"
import type { Hooks, Resolved } from "../Middleware.js"
import type * as View from "../View.js"

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
  /** Turns a failure into a response at the layer where it happens. */
  readonly convert?: ((request: HttpRequest.HttpRequest, cause: Cause.Cause<unknown>) => AnyEffect) | undefined
}

/** Runs `f(request)` with `request` as the current request, turning a throw into a defect. */
export const runWith = (f: Step, request: HttpRequest.HttpRequest): AnyEffect => {
  let result: AnyEffect
  try {
    result = f(request)
  } catch (defect) {
    result = Effect.die(defect)
  }
  return Effect.provideService(result, HttpRequest.HttpRequest, request)
}

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

/** `process_view` hooks, top-down: the first that answers wins. */
const processView = (
  stack: ReadonlyArray<Hooks>,
  request: HttpRequest.HttpRequest,
  resolved: Resolved
): Effect.Effect<Option.Option<View.Response>, unknown, unknown> => {
  let i = 0
  const next = (): Effect.Effect<Option.Option<View.Response>, unknown, unknown> => {
    while (i < stack.length) {
      const hook = stack[i++]!.processView
      if (hook !== undefined) {
        return Effect.flatMap(
          hook(request, resolved),
          (answer) => Option.isSome(answer) ? Effect.succeed(answer) : next()
        )
      }
    }
    return Effect.succeed(Option.none())
  }
  return next()
}

/** `process_template_response` hooks bottom-up, then the render; failures go to `process_exception`. */
const renderDeferred = (
  stack: ReadonlyArray<Hooks>,
  request: HttpRequest.HttpRequest,
  response: View.Response
): AnyEffect => {
  let effect: AnyEffect = Effect.succeed(response)
  for (let i = stack.length - 1; i >= 0; i--) {
    const hook = stack[i]!.processTemplateResponse
    if (hook !== undefined) {
      effect = Effect.flatMap(effect, (r) => isDeferred(r) ? hook(request, r) : Effect.succeed(r))
    }
  }
  return Effect.catchAllCause(
    Effect.flatMap(effect, (r) => isDeferred(r) ? r[DeferredTypeId].render : Effect.succeed(r)),
    (cause) => processException(stack, request, cause)
  )
}

/** Django's `_get_response`: resolve, `process_view`, the view, `process_exception`, render. */
const core = (engine: Engine): Step => (request) =>
  Effect.flatMap(engine.resolve(request), (resolved) =>
    Effect.flatMap(
      processView(engine.stack, request, resolved),
      (answer): AnyEffect => {
        const response = Option.isSome(answer)
          ? Effect.succeed(answer.value)
          : Effect.catchAllCause(
            runWith(resolved.view, request),
            (cause) => processException(engine.stack, request, cause)
          )
        return Effect.flatMap(
          response,
          (r) => isDeferred(r) ? renderDeferred(engine.stack, request, r) : Effect.succeed(r)
        )
      }
    ))

/** The whole chain: every middleware's `call` around the core, each layer guarded. */
export const chain = (engine: Engine): Step => {
  let step = guard(core(engine), engine.convert)
  for (let i = engine.stack.length - 1; i >= 0; i--) {
    const call = engine.stack[i]!.call
    if (call === undefined) continue
    const inner = step
    const getResponse = (request: HttpRequest.HttpRequest) => runWith(inner, request)
    step = guard(
      (request) => call(request, getResponse as (r: HttpRequest.HttpRequest) => Effect.Effect<View.Response>),
      engine.convert
    )
  }
  const outer = step
  return (request) => runWith(outer, request)
}

/** Django's `decorator_from_middleware`: the stack around one view, failures passed through. */
export const decorate = (stack: ReadonlyArray<Hooks>, view: View.View<unknown, unknown>): Step =>
  chain({ stack, resolve: () => Effect.succeed({ view, args: [], kwargs: {} }) })
