/**
 * Django's template layer (`django.template.loader`, `TEMPLATES`, context processors) as one
 * `Templates` service with a real engine behind it: [Nunjucks](https://mozilla.github.io/nunjucks/).
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Templates } from "effect-django-http"
 *
 * const page = Templates.render("blog/post.html", { title: "<Hello>" })
 *
 * // DIRS first, then each app's `templates` folder; DEBUG (from `Settings`) turns the cache off.
 * const TemplatesLive = Templates.layer({ dirs: ["templates"], apps: ["blog", "shop"] })
 *
 * export const html = page.pipe(Effect.provide(TemplatesLive))
 * ```
 *
 * **Why Nunjucks.** A Django user already writes its syntax: Nunjucks is Mozilla's port of Jinja2,
 * and Jinja2 was modelled on Django's language, so `{% extends %}`, `{% block %}` with
 * `{{ super() }}`, `{% include %}`, `{% for %}`/`{% if %}`, `{{ value|filter }}`, `|safe`,
 * `|escape`, `{% autoescape %}` and `{# comments #}` read the same; it autoescapes, compiles
 * templates to JavaScript once, reports errors with line and column, and is the most used engine of
 * its kind on npm. LiquidJS (Shopify's Liquid, the other serious candidate) is more actively
 * released and typed, but it is further from Django: inheritance is `{% layout %}` instead of
 * `{% extends %}`, there is no `{{ block.super }}`-like call, filters take `: a, b` arguments,
 * escaping is an output option rather than Django's "safe string" model, and a Django template
 * would need more rewriting. Nunjucks' own releases are rare (3.2.4), which is why this module
 * keeps it behind a small service.
 *
 * **What differs from Django's language** (Nunjucks is Jinja2): filter arguments are called,
 * `{{ s|default("x") }}` rather than `{{ s|default:"x" }}`; `{% for %}...{% else %}` instead of
 * `{% empty %}`; `{% url %}`, `{% csrf_token %}` and `{% load %}` are not built in (add globals or
 * filters with `configure`); `None` renders as an empty string; escaping writes `'` as `&#39;`
 * (Django: `&#x27;`) and also escapes `\`.
 *
 * **Django's rules kept**: templates are looked up in `dirs`, then in `<app>/templates` for each
 * app in order, first match wins; a name that would leave a directory is skipped (`safe_join`);
 * `select_template` semantics for a list of names; in production (`DEBUG` off) a template is read
 * and compiled once, with `DEBUG` on it is read again at every render; every failure is typed:
 * `TemplateDoesNotExist` (with the files tried), `TemplateSyntaxError` (template, line, column,
 * reason; unknown filters included, as Django checks them at parse time) and
 * `TemplateRenderError` for an error raised while rendering.
 *
 * @since 0.1.0
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import * as path from "node:path"
import type nunjucks from "nunjucks"
import * as Auth from "./Auth.js"
import * as Csrf from "./Csrf.js"
import * as Errors from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import * as internal from "./internal/templates.js"
import * as Settings from "./Settings.js"

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * One file a loader looked at for a missing template (Django's postmortem entry).
 *
 * @since 0.1.0
 * @category models
 */
export interface Tried {
  /** The file that was looked for. */
  readonly path: string
  /** Django's status, e.g. `Source does not exist`. */
  readonly reason: string
}

/**
 * No template of that name (or of any of those names) exists. The message is the name, or the
 * names joined with `, `, as Django's. Answered with 500.
 *
 * @since 0.1.0
 * @category errors
 */
export class TemplateDoesNotExist extends Data.TaggedError("TemplateDoesNotExist")<{
  readonly message: string
  /** The missing names, in the order they were tried. */
  readonly names: ReadonlyArray<string>
  /** Every file looked at, in order. */
  readonly tried: ReadonlyArray<Tried>
  /** The template whose `{% extends %}` or `{% include %}` named the missing one, if any. */
  readonly during: string | undefined
}> implements Errors.DjangoError {
  /** @since 0.1.0 */
  readonly [Errors.TypeId]: Errors.TypeId = Errors.TypeId
  /** @since 0.1.0 */
  readonly status: number = 500
  /** @since 0.1.0 */
  readonly suspicious: boolean = false;
  /**
   * The error's response: Django's page for its status.
   *
   * @since 0.1.0
   */
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(Errors.errorResponse(500))
  }
}

/**
 * A template that does not parse or compile (an unknown tag or filter, an unclosed block, ...).
 * `template`, `line`, `column` and `reason` are what Django's technical 500 page shows. Answered
 * with 500.
 *
 * @since 0.1.0
 * @category errors
 */
export class TemplateSyntaxError extends Data.TaggedError("TemplateSyntaxError")<{
  readonly message: string
  /** The template's name (as given to `render`, `{% include %}` or `{% extends %}`). */
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
}> implements Errors.DjangoError {
  /** @since 0.1.0 */
  readonly [Errors.TypeId]: Errors.TypeId = Errors.TypeId
  /** @since 0.1.0 */
  readonly status: number = 500
  /** @since 0.1.0 */
  readonly suspicious: boolean = false;
  /**
   * The error's response: Django's page for its status.
   *
   * @since 0.1.0
   */
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(Errors.errorResponse(500))
  }
}

/**
 * An error raised while a template rendered (calling something undefined, a failing filter, ...).
 * Django lets the original exception through with the template's position attached; here it is
 * `cause`, and `template`, `line`, `column` say where. Answered with 500.
 *
 * @since 0.1.0
 * @category errors
 */
export class TemplateRenderError extends Data.TaggedError("TemplateRenderError")<{
  readonly message: string
  /** The template being rendered when it failed (the innermost one, for includes). */
  readonly template: string
  readonly origin: string | undefined
  readonly line: number | undefined
  readonly column: number | undefined
  readonly reason: string
  readonly source: string | undefined
  readonly cause: unknown
}> implements Errors.DjangoError {
  /** @since 0.1.0 */
  readonly [Errors.TypeId]: Errors.TypeId = Errors.TypeId
  /** @since 0.1.0 */
  readonly status: number = 500
  /** @since 0.1.0 */
  readonly suspicious: boolean = false;
  /**
   * The error's response: Django's page for its status.
   *
   * @since 0.1.0
   */
  [HttpServerRespondable.symbol]() {
    return Effect.succeed(Errors.errorResponse(500))
  }
}

/**
 * Every failure of a template lookup or render.
 *
 * @since 0.1.0
 * @category models
 */
export type TemplateError = TemplateDoesNotExist | TemplateSyntaxError | TemplateRenderError

/**
 * @since 0.1.0
 * @category guards
 */
export const isTemplateError = (u: unknown): u is TemplateError =>
  u instanceof TemplateDoesNotExist || u instanceof TemplateSyntaxError || u instanceof TemplateRenderError

/**
 * What Django's technical 500 page shows for a template error (its `template_debug`): the
 * template, the position, the reason, and the source lines around the line (10 on each side),
 * with Django's numbering: lines from 1, `bottom` exclusive, `total` one more than the number of
 * lines. The text is raw (each line with its newline): the page escapes it.
 *
 * @since 0.1.0
 * @category models
 */
export interface DebugInfo {
  readonly name: string
  /** The file, when the template came from one. */
  readonly origin: string | undefined
  readonly message: string
  readonly line: number
  readonly column: number | undefined
  /** `[number, text]` for lines `top` to `bottom - 1`. */
  readonly sourceLines: ReadonlyArray<readonly [number, string]>
  readonly top: number
  readonly bottom: number
  readonly total: number
}

const CONTEXT_LINES = 10

/**
 * Django's `template_debug` for the technical 500 page, when the error knows its line and the
 * source was kept (debug mode); `None` otherwise, and the page shows no template section.
 *
 * @since 0.1.0
 * @category debug
 */
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

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-django-http/Templates")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The variables a template sees.
 *
 * @since 0.1.0
 * @category models
 */
export type TemplateContext = Readonly<Record<string, unknown>>

/**
 * A context processor: variables computed from the current request, added to every render that
 * has a request (Django's `context_processors`). The view's own context wins over them. A
 * processor that needs another request-scoped service (the CSRF token, the user) reads it with
 * `Effect.serviceOption`, so the service stays optional.
 *
 * @since 0.1.0
 * @category models
 */
export type ContextProcessor = Effect.Effect<TemplateContext, never, HttpRequest.HttpRequest>

/**
 * Django's `django.template.context_processors.request`: `{ request }`. Always on.
 *
 * @since 0.1.0
 * @category context processors
 */
export const requestProcessor: ContextProcessor = Effect.map(HttpRequest.HttpRequest, (request) => ({ request }))

/**
 * Django's `csrf` context processor, always on: where `Csrf.middleware` (or a CSRF decorator)
 * runs, `{{ csrf_token }}` is the masked token and `{{ csrf_input() }}` the hidden form field
 * (Django's `{% csrf_token %}`). Both are lazy, as Django's are: only a template that uses one
 * asks for a token, so only then is the CSRF cookie set on the response. Without the CSRF
 * middleware, `csrf_token` is `NOTPROVIDED` and `csrf_input()` empty, as in Django.
 *
 * @since 0.1.0
 * @category context processors
 */
export const csrfProcessor: ContextProcessor = Effect.map(
  Effect.serviceOption(Csrf.CsrfToken),
  Option.match({
    onNone: () => ({ csrf_token: "NOTPROVIDED", csrf_input: () => markSafe("") }),
    onSome: (state) => {
      const token = () => Effect.runSync(Effect.provideService(Csrf.getToken, Csrf.CsrfToken, state))
      return {
        csrf_token: { toString: token },
        csrf_input: () => markSafe(Csrf.renderHiddenInput(token()))
      }
    }
  })
)

/**
 * Django's `auth` context processor: `{{ user }}`, the current user (`Auth.user`), where
 * `Auth.middleware` runs. Not on by default: unlike Django's lazy `user`, it reads the session
 * and the user store when the template renders, whether the template uses it or not; list it in
 * `contextProcessors` for the sites that show the user. A failing user store is a defect (500).
 *
 * @since 0.1.0
 * @category context processors
 */
export const userProcessor: ContextProcessor = Effect.flatMap(
  Effect.serviceOption(Auth.User),
  Option.match({
    onNone: () => Effect.succeed({}),
    onSome: (handle) => Effect.map(Effect.orDie(handle.get), (user) => ({ user }))
  })
)

/**
 * A compiled template (Django's backend `Template`), from `getTemplate`, `selectTemplate` or
 * `fromString`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Template {
  readonly [TypeId]: TypeId
  readonly _tag: "Template"
  /** The name it was loaded under; for `fromString`, `"<string>"`. */
  readonly name: string
  /** The file it was loaded from, if any. */
  readonly origin: string | undefined
  /** Renders with `context`; with a request, the context processors run first. */
  readonly render: (context?: TemplateContext, options?: RenderOptions) => Effect.Effect<string, TemplateError>
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isTemplate = (u: unknown): u is Template => hasProperty(u, TypeId) && (u as Template)._tag === "Template"

/**
 * What `render` accepts as a template: a name, names (the first that exists is used, as Django's
 * `select_template`), or a template object.
 *
 * @since 0.1.0
 * @category models
 */
export type TemplateRef = string | ReadonlyArray<string> | Template

/**
 * @since 0.1.0
 * @category models
 */
export interface RenderOptions {
  /** The request: context processors run with it, and `request` is in the context. */
  readonly request?: HttpRequest.HttpRequest | undefined
}

/**
 * The template engine (Django's `engines['django']` plus `django.template.loader`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Templates {
  readonly [TypeId]: TypeId
  /** Debug mode: no cache, sources kept for error pages. */
  readonly debug: boolean
  /** The directories searched, in order: `dirs`, then each app's `templates`. */
  readonly dirs: ReadonlyArray<string>
  /** Django's `get_template`: loads and compiles. */
  readonly getTemplate: (name: string) => Effect.Effect<Template, TemplateDoesNotExist | TemplateSyntaxError>
  /** Django's `select_template`: the first of `names` that exists; a syntax error stops the search. */
  readonly selectTemplate: (
    names: ReadonlyArray<string>
  ) => Effect.Effect<Template, TemplateDoesNotExist | TemplateSyntaxError>
  /** Django's `Engine.from_string`. */
  readonly fromString: (source: string) => Effect.Effect<Template, TemplateSyntaxError>
  /** Django's `render_to_string`. */
  readonly render: (
    template: TemplateRef,
    context?: TemplateContext,
    options?: RenderOptions
  ) => Effect.Effect<string, TemplateError>
  /** The Nunjucks environment, for what this interface does not cover. */
  readonly environment: nunjucks.Environment
}

/**
 * The service.
 *
 * @since 0.1.0
 * @category tags
 */
export const Templates: Context.Tag<Templates, Templates> = Context.GenericTag<Templates>(
  "effect-django-http/Templates"
)

/**
 * The options of `make` and `layer` (Django's `TEMPLATES` entry).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Django's `DIRS`: searched first, in order. Relative paths are resolved from the working directory. */
  readonly dirs?: ReadonlyArray<string> | undefined
  /**
   * App folders (Django's `APP_DIRS` with `INSTALLED_APPS`): `<app>/templates` is searched after
   * `dirs`, in this order.
   */
  readonly apps?: ReadonlyArray<string> | undefined
  /** Django's `OPTIONS['debug']`: by default `DEBUG` from `Settings`. */
  readonly debug?: boolean | undefined
  /** Django's `OPTIONS['autoescape']`. Default `true`. */
  readonly autoescape?: boolean | undefined
  /** Context processors run (after the built-in `request`) for every render with a request. */
  readonly contextProcessors?: ReadonlyArray<ContextProcessor> | undefined
  /** Adds filters, globals or extensions to the Nunjucks environment (Django's `libraries`/`builtins`). */
  readonly configure?: ((environment: nunjucks.Environment) => void) | undefined
}

/**
 * A value marked safe: autoescaping leaves it as is (Django's `mark_safe`).
 *
 * @since 0.1.0
 * @category models
 */
export type SafeString = nunjucks.runtime.SafeString

/**
 * Django's `mark_safe`.
 *
 * @since 0.1.0
 * @category utils
 */
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

/**
 * A `Templates` service from options; `debug` defaults to `false` here (`layer` reads `DEBUG`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Templates => {
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
  const processors: ReadonlyArray<ContextProcessor> = [
    requestProcessor,
    csrfProcessor,
    ...(options.contextProcessors ?? [])
  ]

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

  const runProcessors = (request: HttpRequest.HttpRequest): Effect.Effect<Record<string, unknown>> =>
    Effect.reduce(processors, {} as Record<string, unknown>, (acc, processor) =>
      Effect.map(
        Effect.provideService(processor, HttpRequest.HttpRequest, request),
        (vars) => Object.assign(acc, vars)
      ))

  const wrap = (template: nunjucks.Template, name: string, origin: string | undefined): Template => {
    const render = (context: TemplateContext = {}, renderOptions: RenderOptions = {}) => {
      const run = (vars: TemplateContext) =>
        Effect.try({
          try: () => template.render(vars),
          catch: (error) => toError(error, name)
        })
      const request = renderOptions.request
      return request === undefined
        ? run(context)
        : Effect.flatMap(runProcessors(request), (vars) => run(Object.assign(vars, context)))
    }
    return { [TypeId]: TypeId, _tag: "Template", name, origin, render }
  }

  /** The file a Nunjucks template was compiled from. */
  const templatePath = (template: nunjucks.Template): string | undefined => {
    const p: unknown = (template as unknown as { readonly path?: unknown }).path
    return typeof p === "string" && p !== "" ? p : undefined
  }

  /** The template, or the files tried when `name` is not found at the top level (the caller tries the next name). */
  const load = (
    name: string
  ): Effect.Effect<Template | ReadonlyArray<Tried>, TemplateDoesNotExist | TemplateSyntaxError> =>
    Effect.suspend((): Effect.Effect<Template | ReadonlyArray<Tried>, TemplateDoesNotExist | TemplateSyntaxError> => {
      const located: internal.Located = loader.isCached(name)
        ? { _tag: "Found", path: "" }
        : loader.locate(name)
      if (located._tag === "Missing") return Effect.succeed(located.tried)
      try {
        // `true`: compile now (a cached template is already compiled), so syntax errors show here.
        const template = environment.getTemplate(name, true)
        return Effect.succeed(wrap(template, name, templatePath(template) ?? located.path))
      } catch (error) {
        const e = toError(error, name)
        return e._tag === "TemplateRenderError"
          ? Effect.die(e) // getting a template renders nothing: Nunjucks failed in an unexpected way
          : Effect.fail(e)
      }
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

  const getTemplate = (name: string) => selectTemplate([name])

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

  const render = (template: TemplateRef, context?: TemplateContext, renderOptions?: RenderOptions) =>
    Effect.flatMap(
      typeof template === "string"
        ? getTemplate(template)
        : isTemplate(template)
        ? Effect.succeed(template)
        : selectTemplate(template),
      (t): Effect.Effect<string, TemplateError> => t.render(context, renderOptions)
    )

  return { [TypeId]: TypeId, debug, dirs, getTemplate, selectTemplate, fromString, render, environment }
}

/**
 * The service as a layer. `debug` defaults to `DEBUG` from the `Settings` service (Django's
 * default, `false`, when none is provided): off, templates are compiled once and cached; on,
 * every render reads the file again.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Templates> =>
  Layer.effect(
    Templates,
    Effect.map(Settings.current, (settings) => make({ ...options, debug: options.debug ?? settings.DEBUG }))
  )

// ---------------------------------------------------------------------------
// Accessors
// ---------------------------------------------------------------------------

/**
 * Django's `render_to_string(template_name, context, request)` with the `Templates` service.
 *
 * @since 0.1.0
 * @category accessors
 */
export const render = (
  template: TemplateRef,
  context?: TemplateContext,
  options?: RenderOptions
): Effect.Effect<string, TemplateError, Templates> =>
  Effect.flatMap(Templates, (templates) => templates.render(template, context, options))

/**
 * Django's `get_template(name)` with the `Templates` service.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getTemplate = (
  name: string
): Effect.Effect<Template, TemplateDoesNotExist | TemplateSyntaxError, Templates> =>
  Effect.flatMap(Templates, (templates) => templates.getTemplate(name))

/**
 * Django's `select_template(names)` with the `Templates` service.
 *
 * @since 0.1.0
 * @category accessors
 */
export const selectTemplate = (
  names: ReadonlyArray<string>
): Effect.Effect<Template, TemplateDoesNotExist | TemplateSyntaxError, Templates> =>
  Effect.flatMap(Templates, (templates) => templates.selectTemplate(names))

/**
 * Django's `engines['django'].from_string(source)` with the `Templates` service.
 *
 * @since 0.1.0
 * @category accessors
 */
export const fromString = (source: string): Effect.Effect<Template, TemplateSyntaxError, Templates> =>
  Effect.flatMap(Templates, (templates) => templates.fromString(source))
