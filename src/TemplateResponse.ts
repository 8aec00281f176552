/**
 * Django's deferred rendering (`django.template.response`): `SimpleTemplateResponse` and
 * `TemplateResponse` as immutable values holding a template name and a context, rendered late,
 * after the middleware's `process_template_response` hooks have had a chance to change them.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResponse, RequestFactory, TemplateResponse, Templates } from "effect-django-http"
 *
 * const request = RequestFactory.get("/posts/1")
 *
 * const program = Effect.gen(function*() {
 *   // In a view: a response that is not rendered yet.
 *   const deferred = yield* TemplateResponse.make(request, "blog/post.html", { title: "Hello" })
 *   // A hook changes the context before rendering (Django's process_template_response).
 *   const changed = TemplateResponse.updateContext(deferred, { title: "Hello, world" })
 *   // The handler renders it: post-render callbacks run, a plain HttpResponse comes out.
 *   const response = yield* TemplateResponse.render(changed)
 *   return HttpResponse.isAnyResponse(response)
 * })
 *
 * export const runnable = program.pipe(Effect.provide(Templates.layer({ dirs: ["templates"] })))
 * ```
 *
 * The engine is taken from the `Templates` service when the response is made (Django's `using`),
 * so rendering needs nothing more from the context: a template response is also `Respondable`
 * and can be returned from a plain `@effect/platform` handler, which renders it.
 *
 * | Django | here |
 * | --- | --- |
 * | `SimpleTemplateResponse(template, context, content_type, status, charset, headers)` | `makeSimple(template, context, options)` |
 * | `TemplateResponse(request, template, context, ...)` | `make(request, template, context, options)` |
 * | `template_name`, `context_data` | `templateName`, `contextData` (`setTemplateName`, `setContextData`, `updateContext`) |
 * | `is_rendered` | `isRendered` |
 * | `rendered_content` | `renderedContent` (renders fresh, changes nothing) |
 * | `render()` | `render`: the final `HttpResponse` (or what a callback replaced it with) |
 * | `add_post_render_callback(cb)` | `addPostRenderCallback` (runs at once on a rendered response) |
 * | `response.content` before rendering | `content` fails with `ContentNotRenderedError` |
 * | `response.content = b"..."` | `setContent`: marks it rendered |
 * | `response['X'] = v`, `set_cookie`, ... | `mapResponse(self, f)` with `HttpResponse`'s functions |
 *
 * @since 0.1.0
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Inspectable from "effect/Inspectable"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Errors from "./Errors.js"
import type * as HttpRequest from "./HttpRequest.js"
import * as HttpResponse from "./HttpResponse.js"
import { type Deferred, DeferredTypeId } from "./internal/middleware.js"
import * as Templates from "./Templates.js"

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * What was attempted on the unrendered response (the end of Django's message).
 *
 * @since 0.1.0
 * @category models
 */
export type ContentOperation = "accessed" | "iterated over" | "pickled"

/**
 * The content of a template response was read before it was rendered. Django's messages:
 * `The response content must be rendered before it can be accessed.` (`iterated over`,
 * `pickled`). Answered with 500.
 *
 * @since 0.1.0
 * @category errors
 */
export class ContentNotRenderedError extends Errors.TaggedError("ContentNotRenderedError", { status: 500 }) {
  /**
   * The error for `operation`, with Django's message.
   *
   * @since 0.1.0
   */
  static of(operation: ContentOperation): ContentNotRenderedError {
    return new ContentNotRenderedError({
      message: `The response content must be rendered before it can be ${operation}.`
    })
  }
}

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-django-http/TemplateResponse")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * Runs after rendering with the rendered response (or what an earlier callback returned); a
 * response it returns replaces it, nothing (`Effect.void`) keeps it.
 *
 * @since 0.1.0
 * @category models
 */
export type PostRenderCallback<E = never> = (
  response: HttpResponse.AnyResponse
) => Effect.Effect<HttpResponse.AnyResponse | void, E>

/**
 * Django's `SimpleTemplateResponse` (and, with `_tag: "TemplateResponse"` and a `request`, its
 * `TemplateResponse`). `E` is what its post-render callbacks can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimpleTemplateResponse<out E = never>
  extends Pipeable, Inspectable.Inspectable, HttpServerRespondable.Respondable
{
  readonly [TypeId]: TypeId
  readonly _tag: "SimpleTemplateResponse" | "TemplateResponse"
  /** A name, names (the first that exists) or a template object. */
  readonly templateName: Templates.TemplateRef
  readonly contextData: Templates.TemplateContext
  /** The request context processors run with (`TemplateResponse` only). */
  readonly request: HttpRequest.HttpRequest | undefined
  /** Status, headers, cookies and charset; its content is the rendered one once `isRendered`. */
  readonly response: HttpResponse.HttpResponse
  readonly isRendered: boolean
  readonly postRenderCallbacks: ReadonlyArray<PostRenderCallback<E>>
  /** The engine that renders it (taken from the `Templates` service when it was made). */
  readonly templates: Templates.Templates
}

/**
 * Django's `TemplateResponse`: a `SimpleTemplateResponse` that knows its request.
 *
 * @since 0.1.0
 * @category models
 */
export interface TemplateResponse<out E = never> extends SimpleTemplateResponse<E> {
  readonly _tag: "TemplateResponse"
  readonly request: HttpRequest.HttpRequest
}

/**
 * The response options (those of `HttpResponse.make` without `content`).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Omit<HttpResponse.Options, "content">

/**
 * Whether `u` is a template response, rendered or not (Django's handler asks whether the
 * response has a `render` method).
 *
 * @since 0.1.0
 * @category guards
 */
export const isTemplateResponse = (u: unknown): u is SimpleTemplateResponse<unknown> => hasProperty(u, TypeId)

// ---------------------------------------------------------------------------
// The value
// ---------------------------------------------------------------------------

const Proto = {
  [TypeId]: TypeId,
  /** What the handler renders after the `processTemplateResponse` hooks (internal/middleware.ts). */
  get [DeferredTypeId](): Deferred[typeof DeferredTypeId] {
    return { render: render(this as unknown as SimpleTemplateResponse<unknown>) }
  },
  pipe() {
    return pipeArguments(this, arguments)
  },
  [HttpServerRespondable.symbol](
    this: SimpleTemplateResponse<unknown>
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, unknown> {
    // A failure that is itself Respondable (every template error is: Django's 500 page) becomes
    // its response here, since `HttpServerRespondable.toResponse` would turn it into a defect.
    return Effect.catchAll(
      Effect.flatMap(render(this), (response) => response[HttpServerRespondable.symbol]()),
      (error) => HttpServerRespondable.isRespondable(error) ? error[HttpServerRespondable.symbol]() : Effect.fail(error)
    )
  },
  ...Inspectable.BaseProto,
  toJSON(this: SimpleTemplateResponse<unknown>) {
    const t = this.templateName
    return {
      _id: "effect-django-http/TemplateResponse",
      _tag: this._tag,
      templateName: typeof t === "string" ? t : Templates.isTemplate(t) ? t.name : [...t],
      contextData: Object.keys(this.contextData),
      isRendered: this.isRendered,
      status: this.response.status,
      postRenderCallbacks: this.postRenderCallbacks.length
    }
  }
}

interface Fields<E> {
  readonly _tag: SimpleTemplateResponse<E>["_tag"]
  readonly templateName: Templates.TemplateRef
  readonly contextData: Templates.TemplateContext
  readonly request: HttpRequest.HttpRequest | undefined
  readonly response: HttpResponse.HttpResponse
  readonly isRendered: boolean
  readonly postRenderCallbacks: ReadonlyArray<PostRenderCallback<E>>
  readonly templates: Templates.Templates
}

// The fields carry the data and the prototype carries `Proto`: together they are the interface.
const unsafeMake = <
  E,
  Tag extends SimpleTemplateResponse["_tag"],
  Request extends HttpRequest.HttpRequest | undefined
>(
  fields: Fields<E> & { readonly _tag: Tag; readonly request: Request }
): SimpleTemplateResponse<E> & { readonly _tag: Tag; readonly request: Request } =>
  Object.assign(Object.create(Proto), fields)

const update = <E>(self: SimpleTemplateResponse<E>, patch: Partial<Fields<E>>): SimpleTemplateResponse<E> =>
  unsafeMake({
    _tag: self._tag,
    templateName: self.templateName,
    contextData: self.contextData,
    request: self.request,
    response: self.response,
    isRendered: self.isRendered,
    postRenderCallbacks: self.postRenderCallbacks,
    templates: self.templates,
    ...patch
  })

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

const makeWith = <
  const Tag extends SimpleTemplateResponse["_tag"],
  Request extends HttpRequest.HttpRequest | undefined
>(
  tag: Tag,
  request: Request,
  templateName: Templates.TemplateRef,
  contextData: Templates.TemplateContext | undefined,
  options: Options | undefined
): Effect.Effect<
  SimpleTemplateResponse & { readonly _tag: Tag; readonly request: Request },
  HttpResponse.MakeError,
  Templates.Templates
> =>
  // One step: the engine read from the context, the response made (a `MakeError` fails it).
  Effect.withFiberRuntime((fiber) => {
    const templates = Context.unsafeGet(
      fiber.currentContext as Context.Context<Templates.Templates>,
      Templates.Templates
    )
    const response = HttpResponse.make(options ?? {})
    if (Either.isLeft(response)) return Effect.fail(response.left)
    return Effect.succeed(unsafeMake<never, Tag, Request>({
      _tag: tag,
      templateName,
      contextData: contextData ?? {},
      request,
      response: response.right,
      isRendered: false,
      postRenderCallbacks: [],
      templates
    }))
  })

/**
 * Django's `SimpleTemplateResponse(template, context, content_type, status, charset, headers)`:
 * not rendered, no request (context processors do not run). Fails as `HttpResponse.make` does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSimple = (
  template: Templates.TemplateRef,
  context?: Templates.TemplateContext,
  options?: Options
): Effect.Effect<SimpleTemplateResponse, HttpResponse.MakeError, Templates.Templates> =>
  makeWith("SimpleTemplateResponse", undefined, template, context, options)

/**
 * Django's `TemplateResponse(request, template, context, ...)`: rendered with the request, so the
 * context processors (`request` and those of the `Templates` layer) add their variables.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  request: HttpRequest.HttpRequest,
  template: Templates.TemplateRef,
  context?: Templates.TemplateContext,
  options?: Options
): Effect.Effect<TemplateResponse, HttpResponse.MakeError, Templates.Templates> =>
  makeWith("TemplateResponse", request, template, context, options)

// ---------------------------------------------------------------------------
// Changing it before rendering (what process_template_response hooks do)
// ---------------------------------------------------------------------------

/**
 * `response.template_name = ...`.
 *
 * @since 0.1.0
 * @category setters
 */
export const setTemplateName: {
  (template: Templates.TemplateRef): <E>(self: SimpleTemplateResponse<E>) => SimpleTemplateResponse<E>
  <E>(self: SimpleTemplateResponse<E>, template: Templates.TemplateRef): SimpleTemplateResponse<E>
} = dual(
  2,
  <E>(self: SimpleTemplateResponse<E>, templateName: Templates.TemplateRef): SimpleTemplateResponse<E> =>
    update(self, { templateName })
)

/**
 * `response.context_data = ...`.
 *
 * @since 0.1.0
 * @category setters
 */
export const setContextData: {
  (context: Templates.TemplateContext): <E>(self: SimpleTemplateResponse<E>) => SimpleTemplateResponse<E>
  <E>(self: SimpleTemplateResponse<E>, context: Templates.TemplateContext): SimpleTemplateResponse<E>
} = dual(
  2,
  <E>(self: SimpleTemplateResponse<E>, contextData: Templates.TemplateContext): SimpleTemplateResponse<E> =>
    update(self, { contextData })
)

/**
 * `response.context_data.update(...)`: the variables given win.
 *
 * @since 0.1.0
 * @category setters
 */
export const updateContext: {
  (context: Templates.TemplateContext): <E>(self: SimpleTemplateResponse<E>) => SimpleTemplateResponse<E>
  <E>(self: SimpleTemplateResponse<E>, context: Templates.TemplateContext): SimpleTemplateResponse<E>
} = dual(
  2,
  <E>(self: SimpleTemplateResponse<E>, context: Templates.TemplateContext): SimpleTemplateResponse<E> =>
    update(self, { contextData: { ...self.contextData, ...context } })
)

/**
 * Changes the underlying response (headers, cookies, status) with `HttpResponse`'s functions,
 * rendered or not: `mapResponse(r, (res) => HttpResponse.setHeader(res, "X-A", "1"))`.
 *
 * @since 0.1.0
 * @category setters
 */
export const mapResponse: {
  <E2>(
    f: (response: HttpResponse.HttpResponse) => Effect.Effect<HttpResponse.HttpResponse, E2>
  ): <E>(self: SimpleTemplateResponse<E>) => Effect.Effect<SimpleTemplateResponse<E>, E2>
  <E, E2>(
    self: SimpleTemplateResponse<E>,
    f: (response: HttpResponse.HttpResponse) => Effect.Effect<HttpResponse.HttpResponse, E2>
  ): Effect.Effect<SimpleTemplateResponse<E>, E2>
} = dual(
  2,
  <E, E2>(
    self: SimpleTemplateResponse<E>,
    f: (response: HttpResponse.HttpResponse) => Effect.Effect<HttpResponse.HttpResponse, E2>
  ): Effect.Effect<SimpleTemplateResponse<E>, E2> =>
    Effect.map(f(self.response), (response) => update(self, { response }))
)

/**
 * `response.content = value`: sets the content and marks the response rendered, so `render`
 * will not render the template (nor run the callbacks). Fails with `InvalidArgument` when the
 * charset cannot encode it.
 *
 * @since 0.1.0
 * @category setters
 */
export const setContent: {
  (content: HttpResponse.Content): <E>(
    self: SimpleTemplateResponse<E>
  ) => Either.Either<SimpleTemplateResponse<E>, Errors.InvalidArgument>
  <E>(
    self: SimpleTemplateResponse<E>,
    content: HttpResponse.Content
  ): Either.Either<SimpleTemplateResponse<E>, Errors.InvalidArgument>
} = dual(
  2,
  <E>(
    self: SimpleTemplateResponse<E>,
    content: HttpResponse.Content
  ): Either.Either<SimpleTemplateResponse<E>, Errors.InvalidArgument> =>
    Either.map(
      HttpResponse.setContent(self.response, content),
      (response) => update(self, { response, isRendered: true })
    )
)

/**
 * Django's `add_post_render_callback`: kept for `render` on a response not rendered yet; run at
 * once (its result ignored, as Django does) on a rendered one.
 *
 * @since 0.1.0
 * @category setters
 */
export const addPostRenderCallback: {
  <E2>(
    callback: PostRenderCallback<E2>
  ): <E>(self: SimpleTemplateResponse<E>) => Effect.Effect<SimpleTemplateResponse<E | E2>, E2>
  <E, E2>(
    self: SimpleTemplateResponse<E>,
    callback: PostRenderCallback<E2>
  ): Effect.Effect<SimpleTemplateResponse<E | E2>, E2>
} = dual(
  2,
  <E, E2>(
    self: SimpleTemplateResponse<E>,
    callback: PostRenderCallback<E2>
  ): Effect.Effect<SimpleTemplateResponse<E | E2>, E2> => {
    // `SimpleTemplateResponse` is covariant in `E`: this widening needs no cast.
    const widened: SimpleTemplateResponse<E | E2> = self
    return self.isRendered
      ? Effect.as(callback(self.response), widened)
      : Effect.succeed(update(widened, { postRenderCallbacks: [...widened.postRenderCallbacks, callback] }))
  }
)

// ---------------------------------------------------------------------------
// Reading and rendering
// ---------------------------------------------------------------------------

/**
 * `response.content`: the rendered bytes, or `ContentNotRenderedError` before rendering.
 *
 * @since 0.1.0
 * @category getters
 */
export const content = <E>(self: SimpleTemplateResponse<E>): Either.Either<Uint8Array, ContentNotRenderedError> =>
  self.isRendered
    ? Either.right(HttpResponse.content(self.response))
    : Either.left(ContentNotRenderedError.of("accessed"))

/**
 * The rendered `HttpResponse` of a rendered template response, without running anything;
 * `ContentNotRenderedError` (`iterated over`, what sending it would do) before rendering.
 *
 * @since 0.1.0
 * @category getters
 */
export const toResponse = <E>(
  self: SimpleTemplateResponse<E>
): Either.Either<HttpResponse.HttpResponse, ContentNotRenderedError> =>
  self.isRendered ? Either.right(self.response) : Either.left(ContentNotRenderedError.of("iterated over"))

/**
 * Django's `rendered_content`: the template rendered with the current context, every time it is
 * asked for; the response is not changed.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderedContent = <E>(self: SimpleTemplateResponse<E>): Effect.Effect<string, Templates.TemplateError> =>
  self.templates.render(
    self.templateName,
    self.contextData,
    self.request === undefined ? undefined : { request: self.request }
  )

/**
 * Django's `render()`: on a response not rendered yet, renders the template into the content,
 * then runs the post-render callbacks in order, each with the response so far (a response a
 * callback returns replaces it). On a rendered response, returns it as it is. Fails with the
 * template's error, `InvalidArgument` when the charset cannot encode the page, or a callback's.
 *
 * @since 0.1.0
 * @category rendering
 */
export const render = <E>(
  self: SimpleTemplateResponse<E>
): Effect.Effect<HttpResponse.AnyResponse, Templates.TemplateError | Errors.InvalidArgument | E> => {
  if (self.isRendered) return Effect.succeed(self.response)
  return Effect.flatMap(renderedContent(self), (
    text
  ): Effect.Effect<HttpResponse.AnyResponse, Errors.InvalidArgument | E> => {
    const rendered = HttpResponse.setContent(self.response, text)
    if (Either.isLeft(rendered)) return Effect.fail(rendered.left)
    if (self.postRenderCallbacks.length === 0) return Effect.succeed(rendered.right)
    return Effect.reduce(
      self.postRenderCallbacks,
      rendered.right as HttpResponse.AnyResponse,
      (response, callback) =>
        Effect.map(callback(response), (next) => (HttpResponse.isAnyResponse(next) ? next : response))
    )
  })
}
