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
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type nunjucks from "nunjucks"
import * as HttpRequest from "./HttpRequest.js"

import * as impl from "./internal/templateEngine.js"

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
export const TemplateDoesNotExist: typeof impl.TemplateDoesNotExist = impl.TemplateDoesNotExist

/**
 * @since 0.1.0
 * @category errors
 */
export type TemplateDoesNotExist = impl.TemplateDoesNotExist

/**
 * A template that does not parse or compile (an unknown tag or filter, an unclosed block, ...).
 * `template`, `line`, `column` and `reason` are what Django's technical 500 page shows. Answered
 * with 500.
 *
 * @since 0.1.0
 * @category errors
 */
export const TemplateSyntaxError: typeof impl.TemplateSyntaxError = impl.TemplateSyntaxError

/**
 * @since 0.1.0
 * @category errors
 */
export type TemplateSyntaxError = impl.TemplateSyntaxError

/**
 * An error raised while a template rendered (calling something undefined, a failing filter, ...).
 * Django lets the original exception through with the template's position attached; here it is
 * `cause`, and `template`, `line`, `column` say where. Answered with 500.
 *
 * @since 0.1.0
 * @category errors
 */
export const TemplateRenderError: typeof impl.TemplateRenderError = impl.TemplateRenderError

/**
 * @since 0.1.0
 * @category errors
 */
export type TemplateRenderError = impl.TemplateRenderError

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
export const isTemplateError: (u: unknown) => u is TemplateError = impl.isTemplateError

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

/**
 * Django's `template_debug` for the technical 500 page, when the error knows its line and the
 * source was kept (debug mode); `None` otherwise, and the page shows no template section.
 *
 * @since 0.1.0
 * @category debug
 */
export const debugInfo: (error: TemplateSyntaxError | TemplateRenderError) => Option.Option<DebugInfo> = impl.debugInfo

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = impl.TypeId

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
export const requestProcessor: ContextProcessor = impl.requestProcessor

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
export const csrfProcessor: ContextProcessor = impl.csrfProcessor

/**
 * Django's `auth` context processor: `{{ user }}`, the current user (`Auth.user`), where
 * `Auth.middleware` runs. Not on by default: unlike Django's lazy `user`, it reads the session
 * and the user store when the template renders, whether the template uses it or not; list it in
 * `contextProcessors` for the sites that show the user. A failing user store is a defect (500).
 *
 * @since 0.1.0
 * @category context processors
 */
export const userProcessor: ContextProcessor = impl.userProcessor

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
export const isTemplate: (u: unknown) => u is Template = impl.isTemplate

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
export const Templates: Context.Tag<Templates, Templates> = impl.Templates

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
export const markSafe: (s: string) => SafeString = impl.markSafe

/**
 * A `Templates` service from options; `debug` defaults to `false` here (`layer` reads `DEBUG`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Templates = impl.make

/**
 * The service as a layer. `debug` defaults to `DEBUG` from the `Settings` service (Django's
 * default, `false`, when none is provided): off, templates are compiled once and cached; on,
 * every render reads the file again.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options?: Options) => Layer.Layer<Templates> = impl.layer

/**
 * Django's `render_to_string(template_name, context, request)` with the `Templates` service.
 *
 * @since 0.1.0
 * @category accessors
 */
export const render: (
  template: TemplateRef,
  context?: TemplateContext,
  options?: RenderOptions
) => Effect.Effect<string, TemplateError, Templates> = impl.render

/**
 * Django's `get_template(name)` with the `Templates` service.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getTemplate: (
  name: string
) => Effect.Effect<Template, TemplateDoesNotExist | TemplateSyntaxError, Templates> = impl.getTemplate

/**
 * Django's `select_template(names)` with the `Templates` service.
 *
 * @since 0.1.0
 * @category accessors
 */
export const selectTemplate: (
  names: ReadonlyArray<string>
) => Effect.Effect<Template, TemplateDoesNotExist | TemplateSyntaxError, Templates> = impl.selectTemplate

/**
 * Django's `engines['django'].from_string(source)` with the `Templates` service.
 *
 * @since 0.1.0
 * @category accessors
 */
export const fromString: (source: string) => Effect.Effect<Template, TemplateSyntaxError, Templates> = impl.fromString
