/**
 * The implementation of `Templates` (the public module holds its signatures and docs): the
 * template errors, the context processors, the `Templates` service over Nunjucks (`./templates.ts`
 * wraps the engine itself) and its accessors.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import * as path from "node:path"
import type nunjucks from "nunjucks"
import * as Auth from "../Auth.js"
import * as Csrf from "../Csrf.js"
import * as Errors from "../Errors.js"
import * as HttpRequest from "../HttpRequest.js"
import * as Settings from "../Settings.js"
import * as csrfImpl from "./csrfMiddleware.js"
import * as internal from "./templates.js"

import type {
  ContextProcessor,
  DebugInfo,
  Options,
  RenderOptions,
  SafeString,
  Template,
  TemplateContext,
  TemplateError,
  TemplateRef,
  Templates as TemplatesService,
  Tried,
  TypeId as TypeId_
} from "../Templates.js"

type TypeId = TypeId_

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

export class TemplateDoesNotExist extends Errors.TaggedError("TemplateDoesNotExist", { status: 500 })<{
  readonly message: string
  /** The missing names, in the order they were tried. */
  readonly names: ReadonlyArray<string>
  /** Every file looked at, in order. */
  readonly tried: ReadonlyArray<Tried>
  /** The template whose `{% extends %}` or `{% include %}` named the missing one, if any. */
  readonly during: string | undefined
}> {}

/** The fields of a template that failed to compile or to render: where, and why. */
export interface PositionedFields {
  readonly message: string
  /**
   * The template's name (as given to `render`, `{% include %}` or `{% extends %}`); for a render
   * error, the innermost template being rendered when it failed.
   */
  readonly template: string
  /** The file it came from; for `fromString`, the name given. */
  readonly origin: string | undefined
  /** From 1; `undefined` when the engine could not tell (e.g. an unclosed block at the end). */
  readonly line: number | undefined
  readonly column: number | undefined
  /** What is wrong, in the engine's words. */
  readonly reason: string
  /** The template's source, when the engine runs in debug mode. */
  readonly source: string | undefined
  /** The engine's own error. */
  readonly cause: unknown
}

export class TemplateSyntaxError extends Errors.TaggedError("TemplateSyntaxError", { status: 500 })<PositionedFields> {}

export class TemplateRenderError extends Errors.TaggedError("TemplateRenderError", { status: 500 })<PositionedFields> {}

export const isTemplateError = (u: unknown): u is TemplateError =>
  u instanceof TemplateDoesNotExist || u instanceof TemplateSyntaxError || u instanceof TemplateRenderError

const CONTEXT_LINES = 10

export const debugInfo = (error: TemplateSyntaxError | TemplateRenderError): Option.Option<DebugInfo> => {
  if (error.line === undefined || error.source === undefined) return Option.none()
  // Django numbers the lines of `source` from 1, and counts one more: the text after the last newline.
  const lines = error.source.split(/(?<=\n)/)
  if (error.source.endsWith("\n")) lines.push("")
  const total = lines.length + 1
  const top = Math.max(1, error.line - CONTEXT_LINES)
  const bottom = Math.min(total, error.line + 1 + CONTEXT_LINES)
  const sourceLines: Array<readonly [number, string]> = []
  for (let n = top; n < bottom; n++) sourceLines.push([n, lines[n - 1] ?? ""])
  return Option.some({
    name: error.template,
    origin: error.origin,
    message: error.reason,
    line: error.line,
    column: error.column,
    sourceLines,
    top,
    bottom,
    total
  })
}

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

export const TypeId: TypeId_ = Symbol.for("effect-django-http/Templates") as TypeId_

export const requestProcessor: ContextProcessor = Effect.map(HttpRequest.HttpRequest, (request) => ({ request }))

/** The `csrf` processor's variables for the request's CSRF state, if any. */
const csrfVariables = (state: Option.Option<Csrf.CsrfToken>): Record<string, unknown> => {
  if (Option.isNone(state)) return { csrf_token: "NOTPROVIDED", csrf_input: () => markSafe("") }
  // `get_token(request)` each time the template reads it, as Django's lazy `csrf_token`.
  const token = () => csrfImpl.unsafeGetToken(state.value)
  return {
    csrf_token: { toString: token },
    csrf_input: () => markSafe(Csrf.renderHiddenInput(token()))
  }
}

export const csrfProcessor: ContextProcessor = Effect.map(Effect.serviceOption(Csrf.CsrfToken), csrfVariables)

export const userProcessor: ContextProcessor = Effect.flatMap(
  Effect.serviceOption(Auth.User),
  Option.match({
    onNone: () => Effect.succeed({}),
    onSome: (handle) => Effect.map(Effect.orDie(handle.get), (user) => ({ user }))
  })
)

export const isTemplate = (u: unknown): u is Template => hasProperty(u, TypeId) && (u as Template)._tag === "Template"

export const Templates: Context.Tag<TemplatesService, TemplatesService> = Context.GenericTag<TemplatesService>(
  "effect-django-http/Templates"
)

export const markSafe = (s: string): SafeString => new (internal.engine().runtime.SafeString)(s)

// ---------------------------------------------------------------------------
// The implementation
// ---------------------------------------------------------------------------

const STRING_NAME = "<string>"

const missing = (
  names: ReadonlyArray<string>,
  tried: ReadonlyArray<Tried>,
  during: string | undefined
): TemplateDoesNotExist => new TemplateDoesNotExist({ message: names.join(", "), names, tried, during })

export const make = (options: Options = {}): TemplatesService => {
  const debug = options.debug ?? false
  const dirs = [
    ...(options.dirs ?? []).map((d) => path.resolve(d)),
    ...(options.apps ?? []).map((a) => path.resolve(a, "templates"))
  ]
  const loader = internal.makeLoader(dirs, debug)
  const environment = new (internal.engine().Environment)(loader, {
    autoescape: options.autoescape ?? true,
    // Keep Nunjucks' error objects (with their positions and causes) instead of flattened copies.
    dev: true,
    throwOnUndefined: false
  })
  loader.env = environment
  options.configure?.(environment)
  const processors: ReadonlyArray<ContextProcessor> = options.contextProcessors ?? []

  const nameOf = (origin: string | undefined): string =>
    origin === undefined ? STRING_NAME : loader.names.get(origin) ?? origin

  const toError = (error: unknown, current: string): TemplateError => {
    const failure = internal.fromEngineError(error)
    switch (failure._tag) {
      case "Syntax": {
        const f = failure.failure
        const where = f.line === undefined ? "" : `, line ${f.line}`
        return new TemplateSyntaxError({
          message: `${f.reason} (template '${f.template}'${where})`,
          template: f.template,
          origin: f.origin,
          line: f.line,
          column: f.column,
          reason: f.reason,
          source: debug ? f.source : undefined,
          cause: f.engineError
        })
      }
      case "Missing": {
        const located = loader.locate(failure.name)
        return missing(
          [failure.name],
          located._tag === "Missing" ? located.tried : [],
          failure.origin === undefined ? current : nameOf(failure.origin)
        )
      }
      case "Render": {
        const template = failure.origin === undefined ? current : nameOf(failure.origin)
        const where = failure.line === undefined ? "" : `, line ${failure.line}`
        return new TemplateRenderError({
          message: `${failure.reason} (template '${template}'${where})`,
          template,
          origin: failure.origin,
          line: failure.line,
          column: failure.column,
          reason: failure.reason,
          source: debug && failure.origin !== undefined ? loader.sources.get(failure.origin) : undefined,
          cause: failure.cause
        })
      }
    }
  }

  /**
   * The variables of the context processors: the two always on (`requestProcessor`,
   * `csrfProcessor`) read from the fiber's context in one step, then the layer's own in order,
   * with the request provided once around them.
   */
  const runProcessors = (request: HttpRequest.HttpRequest): Effect.Effect<Record<string, unknown>> => {
    const builtIn = Effect.contextWith((context: Context.Context<never>): Record<string, unknown> =>
      Object.assign({ request }, csrfVariables(Context.getOption(context, Csrf.CsrfToken)))
    )
    if (processors.length === 0) return builtIn
    return Effect.flatMap(builtIn, (vars) =>
      Effect.provideService(
        Effect.reduce(processors, vars, (acc, processor) => Effect.map(processor, (more) => Object.assign(acc, more))),
        HttpRequest.HttpRequest,
        request
      ))
  }

  /** The engine's render of `vars`, as an Effect made without a step of its own. */
  const runNow = (
    template: nunjucks.Template,
    name: string,
    vars: TemplateContext
  ): Effect.Effect<string, TemplateError> => {
    try {
      return Effect.succeed(template.render(vars))
    } catch (error) {
      return Effect.fail(toError(error, name))
    }
  }

  /**
   * A template's `render` with the fiber's context at hand: with no context processors of the
   * layer's own, the built-in variables are read from it and the engine runs at once (no step).
   */
  const renderIn = (
    template: nunjucks.Template,
    name: string,
    fiberContext: Context.Context<never>,
    context: TemplateContext = {},
    renderOptions: RenderOptions = {}
  ): Effect.Effect<string, TemplateError> => {
    const request = renderOptions.request
    if (request === undefined) return runNow(template, name, context)
    if (processors.length === 0) {
      const vars = Object.assign({ request }, csrfVariables(Context.getOption(fiberContext, Csrf.CsrfToken)))
      return runNow(template, name, Object.assign(vars, context))
    }
    return Effect.flatMap(runProcessors(request), (vars) => runNow(template, name, Object.assign(vars, context)))
  }

  const wrap = (template: nunjucks.Template, name: string, origin: string | undefined): Template => {
    const render = (context: TemplateContext = {}, renderOptions: RenderOptions = {}) =>
      Effect.withFiberRuntime<string, TemplateError>((fiber) =>
        renderIn(template, name, fiber.currentContext, context, renderOptions)
      )
    return { [TypeId]: TypeId, _tag: "Template", name, origin, render }
  }

  /** The file a Nunjucks template was compiled from. */
  const templatePath = (template: nunjucks.Template): string | undefined => {
    const p: unknown = (template as unknown as { readonly path?: unknown }).path
    return typeof p === "string" && p !== "" ? p : undefined
  }

  /** The template, or the files tried when `name` is not found at the top level (the caller tries the next name). */
  /**
   * The engine's template of `name` with its origin, or the files tried when `name` is not found at
   * the top level (the caller tries the next name), or the failure as an Effect.
   */
  const loadNow = (
    name: string
  ):
    | { readonly _tag: "Loaded"; readonly template: nunjucks.Template; readonly origin: string | undefined }
    | { readonly _tag: "Missing"; readonly tried: ReadonlyArray<Tried> }
    | Effect.Effect<never, TemplateDoesNotExist | TemplateSyntaxError> =>
  {
    const located: internal.Located = loader.isCached(name)
      ? { _tag: "Found", path: "" }
      : loader.locate(name)
    if (located._tag === "Missing") return located
    try {
      // `true`: compile now (a cached template is already compiled), so syntax errors show here.
      const template = environment.getTemplate(name, true)
      return { _tag: "Loaded", template, origin: templatePath(template) ?? located.path }
    } catch (error) {
      const e = toError(error, name)
      return e._tag === "TemplateRenderError"
        ? Effect.die(e) // getting a template renders nothing: Nunjucks failed in an unexpected way
        : Effect.fail(e)
    }
  }

  /** The template, or the files tried when `name` is not found at the top level (the caller tries the next name). */
  const load = (
    name: string
  ): Effect.Effect<Template | ReadonlyArray<Tried>, TemplateDoesNotExist | TemplateSyntaxError> =>
    Effect.suspend((): Effect.Effect<Template | ReadonlyArray<Tried>, TemplateDoesNotExist | TemplateSyntaxError> => {
      const loaded = loadNow(name)
      if (Effect.isEffect(loaded)) return loaded
      if (loaded._tag === "Missing") return Effect.succeed(loaded.tried)
      return Effect.succeed(wrap(loaded.template, name, loaded.origin))
    })

  const selectTemplate = (names: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      if (names.length === 0) {
        return yield* Effect.fail(
          new TemplateDoesNotExist({ message: "No template names provided", names: [], tried: [], during: undefined })
        )
      }
      const tried: Array<Tried> = []
      for (const name of names) {
        const result = yield* load(name)
        if (isTemplate(result)) return result
        tried.push(...result)
      }
      return yield* Effect.fail(missing(names, tried, undefined))
    })

  const getTemplate = (name: string): Effect.Effect<Template, TemplateDoesNotExist | TemplateSyntaxError> =>
    Effect.flatMap(
      load(name),
      (result) => isTemplate(result) ? Effect.succeed(result) : Effect.fail(missing([name], result, undefined))
    )

  const fromString = (source: string): Effect.Effect<Template, TemplateSyntaxError> =>
    Effect.suspend(() => {
      try {
        return Effect.succeed(
          wrap(internal.templateFromSource(environment, source, STRING_NAME), STRING_NAME, undefined)
        )
      } catch (error) {
        const e = toError(error, STRING_NAME)
        return e._tag === "TemplateSyntaxError" ? Effect.fail(e) : Effect.die(e)
      }
    })

  const render = (
    template: TemplateRef,
    context?: TemplateContext,
    renderOptions?: RenderOptions
  ): Effect.Effect<string, TemplateError> =>
    typeof template === "string"
      // One step for the usual render: the template found, the context made and the engine run.
      ? Effect.withFiberRuntime((fiber) => {
        const loaded = loadNow(template)
        if (Effect.isEffect(loaded)) return loaded
        if (loaded._tag === "Missing") return Effect.fail(missing([template], loaded.tried, undefined))
        return renderIn(loaded.template, template, fiber.currentContext, context, renderOptions)
      })
      : Effect.flatMap(
        isTemplate(template) ? Effect.succeed(template) : selectTemplate(template),
        (t): Effect.Effect<string, TemplateError> => t.render(context, renderOptions)
      )

  return { [TypeId]: TypeId, debug, dirs, getTemplate, selectTemplate, fromString, render, environment }
}

export const layer = (options: Options = {}): Layer.Layer<TemplatesService> =>
  Layer.effect(
    Templates,
    Effect.map(Settings.current, (settings) => make({ ...options, debug: options.debug ?? settings.DEBUG }))
  )

// ---------------------------------------------------------------------------
// Accessors
// ---------------------------------------------------------------------------

export const render = (
  template: TemplateRef,
  context?: TemplateContext,
  options?: RenderOptions
): Effect.Effect<string, TemplateError, TemplatesService> =>
  Effect.flatMap(Templates, (templates) => templates.render(template, context, options))

export const getTemplate = (
  name: string
): Effect.Effect<Template, TemplateDoesNotExist | TemplateSyntaxError, TemplatesService> =>
  Effect.flatMap(Templates, (templates) => templates.getTemplate(name))

export const selectTemplate = (
  names: ReadonlyArray<string>
): Effect.Effect<Template, TemplateDoesNotExist | TemplateSyntaxError, TemplatesService> =>
  Effect.flatMap(Templates, (templates) => templates.selectTemplate(names))

export const fromString = (source: string): Effect.Effect<Template, TemplateSyntaxError, TemplatesService> =>
  Effect.flatMap(Templates, (templates) => templates.fromString(source))
