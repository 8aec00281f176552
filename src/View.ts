/**
 * Views: functions from an `HttpRequest` to an Effect of a response, and their interpretation
 * as `@effect/platform` apps with Django's error handling.
 *
 * A failure becomes the response Django's handler gives: the `SuspiciousOperation` family,
 * `BadRequest`, `MultiPartParserError` and Schema `ParseError`s 400, `PermissionDenied` 403,
 * `Http404` 404, anything else (and any defect) 500. Suspicious operations are logged as
 * warnings on `django.security.<Name>`, other 4xx as warnings and 500s as errors on
 * `django.request`. With `DEBUG` a technical page shows the error, its cause and the request;
 * without it the page is Django's short one and nothing internal leaks.
 *
 * @example
 * ```ts
 * import { HttpRouter } from "@effect/platform"
 * import { Effect } from "effect"
 * import { HttpResponse, View } from "effect-django-http"
 *
 * const hello: View.View = (request) => HttpResponse.make({ content: `Hello from ${request.path}` })
 *
 * // An @effect/platform app ...
 * const app = View.toHttpApp(hello)
 * // ... or a route of a platform router.
 * const router = HttpRouter.empty.pipe(HttpRouter.get("/hello", View.toHttpApp(hello)))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import type * as Scope from "effect/Scope"
import { BadHeaderError } from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import * as HttpResponse from "./HttpResponse.js"
import { responseForCause } from "./internal/handler.js"
import { markViewApp, unsafeFromServerRequest, withContextIn } from "./internal/node/adapter.js"
import * as Settings from "./Settings.js"

/**
 * What a view may answer with: any response of this library (`HttpResponse`,
 * `StreamingHttpResponse`, `FileResponse`), a platform `HttpServerResponse`, or anything
 * `Respondable`.
 *
 * @since 0.1.0
 * @category models
 */
export type Response =
  | HttpResponse.AnyResponse
  | HttpServerResponse.HttpServerResponse
  | HttpServerRespondable.Respondable

/**
 * Django's view: a function from the request to a response. The current request is also in
 * the context as `HttpRequest.HttpRequest`.
 *
 * @since 0.1.0
 * @category models
 */
export interface View<E = unknown, R = never> {
  (request: HttpRequest.HttpRequest): Effect.Effect<Response, E, R>
}

/**
 * The platform response for a view's answer.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toServerResponse = (
  response: Response
): Effect.Effect<HttpServerResponse.HttpServerResponse, HttpResponse.MakeError> =>
  HttpResponse.isAnyResponse(response)
    ? HttpResponse.toServerResponse(response)
    : HttpServerResponse.isServerResponse(response)
    ? Effect.succeed(response)
    : HttpServerRespondable.toResponse(response)

const requestInfo = (request: HttpRequest.HttpRequest) => ({
  method: request.method,
  path: request.path,
  meta: request.META
})

/**
 * The view's answer as a platform response, in one step for this library's own responses,
 * settled with the `DEFAULT_CHARSET` of the request's settings.
 */
const answerWith = (defaultCharset: string) =>
(
  response: Response
): Effect.Effect<HttpServerResponse.HttpServerResponse, HttpResponse.MakeError> =>
  HttpResponse.isAnyResponse(response)
    ? HttpResponse.toServerResponseWith(response, defaultCharset)
    : toServerResponse(response)

/** The response for a view's failure or defect; an interruption is passed on. */
const failed = <E>(
  cause: Cause.Cause<E>,
  request: HttpRequest.HttpRequest,
  outer: Context.Context<never>
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Cause.isInterruptedOnly(cause)
    ? Effect.failCause(cause as Cause.Cause<never>)
    : responseForCause(cause, requestInfo(request), Settings.fromContext(outer))

/**
 * The answer for a view's response, its failure (or a defect in interpreting it) answered as
 * `failed` does: `catchAllCause` over `flatMap(result, answer)` with one continuation less for
 * this library's responses, whose interpretation is an `Either`.
 */
const answerOrFail = (
  response: Response,
  defaultCharset: string,
  request: HttpRequest.HttpRequest,
  outer: Context.Context<never>
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  if (!HttpResponse.isAnyResponse(response)) {
    return Effect.catchAllCause(toServerResponse(response), (cause) => failed(cause, request, outer))
  }
  let answered: Either.Either<HttpServerResponse.HttpServerResponse, HttpResponse.MakeError>
  try {
    answered = HttpResponse.toServerResponseWith(response, defaultCharset)
  } catch (defect) {
    return failed(Cause.die(defect), request, outer)
  }
  return Either.isRight(answered)
    ? Effect.succeed(answered.right)
    : failed(Cause.fail(answered.left), request, outer)
}

/**
 * `respond` in the fiber that runs it. The request is put in the fiber's context for the
 * view, as `Effect.provideService` does, without its `acquireUseRelease` (a dozen runtime steps
 * per request). With `restore` the outer context is put back afterwards; `toHttpApp` does not
 * (its fiber is the platform request's own, and the request may stay in its context: one
 * fiber-ref map copy less per request). The handler below runs for every failure and defect;
 * only an interruption of an interruptible view skips it, and then the fiber is ending anyway
 * (its finalizers see the request in the context).
 */
const respondIn = <E, R>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  view: View<E, R>,
  request: HttpRequest.HttpRequest,
  restore: boolean
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, Exclude<R, HttpRequest.HttpRequest>> => {
  const outer = fiber.currentContext
  let result: Effect.Effect<Response, E, R>
  try {
    result = view(request)
  } catch (defect) {
    result = Effect.die(defect)
  }
  const defaultCharset = Settings.fromContext(outer).DEFAULT_CHARSET
  const answered = restore
    ? Effect.matchCauseEffect(Effect.flatMap(result, answerWith(defaultCharset)), {
      onFailure: (cause) =>
        Effect.zipRight(FiberRef.set(FiberRef.currentContext, outer), failed(cause, request, outer)),
      onSuccess: (response) => Effect.as(FiberRef.set(FiberRef.currentContext, outer), response)
    })
    : Effect.matchCauseEffect(result, {
      onFailure: (cause) => failed(cause, request, outer),
      onSuccess: (response) => answerOrFail(response, defaultCharset, request, outer)
    })
  const typed = answered as Effect.Effect<
    HttpServerResponse.HttpServerResponse,
    never,
    Exclude<R, HttpRequest.HttpRequest>
  >
  // Already there when the lean adapter built the request with the request's scope.
  if (outer.unsafeMap.get(HttpRequest.HttpRequest.key) === request) return typed
  return withContextIn(fiber, Context.add(outer, HttpRequest.HttpRequest, request), typed)
}

/**
 * Runs a view on a request and always answers: a failure or a defect becomes the response
 * Django's handler gives (see the module's documentation), and is logged. Only an
 * interruption (the client went away) is passed on.
 *
 * @since 0.1.0
 * @category running
 */
export const respond = <E, R>(
  view: View<E, R>,
  request: HttpRequest.HttpRequest
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, Exclude<R, HttpRequest.HttpRequest>> =>
  Effect.withFiberRuntime((fiber) => respondIn(fiber, view, request, true))

/**
 * The `@effect/platform` app of a view: builds the `HttpRequest` from the platform's
 * `HttpServerRequest` (with the `Settings` in the context, or Django's defaults), runs the
 * view, and interprets its answer or its failure. Mount it on a server
 * (`HttpServer.serve(View.toHttpApp(view))`, or `Server.run(view)`) or on a route of a
 * platform `HttpRouter`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toHttpApp = <E, R>(
  view: View<E, R>
): HttpApp.Default<never, Exclude<R, HttpRequest.HttpRequest> | Scope.Scope> =>
  // One runtime step to read the context and build the request (HttpRequest.fromServerRequest).
  markViewApp(Effect.withFiberRuntime((fiber) =>
    respondIn(
      fiber,
      view,
      unsafeFromServerRequest(
        Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest),
        fiber.currentContext
      ),
      false
    )
  ))

/**
 * The status of any response a view may answer with.
 *
 * @since 0.1.0
 * @category accessors
 */
export const status = (response: Response): Effect.Effect<number> =>
  HttpResponse.isAnyResponse(response) || HttpServerResponse.isServerResponse(response)
    ? Effect.succeed(response.status)
    : Effect.map(HttpServerRespondable.toResponse(response), (r) => r.status)

/**
 * Sets a header on any response a view may answer with (this library's, a platform
 * `HttpServerResponse`, or a `Respondable`, which is converted first). A name or value with CR
 * or LF fails with `BadHeaderError`, as `HttpResponse.setHeader` does.
 *
 * @since 0.1.0
 * @category combinators
 */
export const setHeader: {
  (name: string, value: string): (self: Response) => Effect.Effect<Response, HttpResponse.MakeError>
  (self: Response, name: string, value: string): Effect.Effect<Response, HttpResponse.MakeError>
} = dual(3, (self: Response, name: string, value: string): Effect.Effect<Response, HttpResponse.MakeError> => {
  if (HttpResponse.isAnyResponse(self)) return HttpResponse.setHeader(self, name, value)
  return Effect.flatMap(
    HttpServerResponse.isServerResponse(self) ? Effect.succeed(self) : HttpServerRespondable.toResponse(self),
    (platform) =>
      /[\r\n]/.test(name) || /[\r\n]/.test(value)
        ? Effect.fail(
          new BadHeaderError({ message: `Header values can't contain newlines (got ${JSON.stringify(value)})` })
        )
        : Effect.succeed(HttpServerResponse.setHeader(platform, name, value))
  )
})

/**
 * Django's `require_http_methods(methods)`: a request with another method gets 405 with an
 * `Allow` header listing `methods` (logged as a warning on `django.request`), and the view
 * does not run. Methods are compared in upper case.
 *
 * @since 0.1.0
 * @category decorators
 */
export const requireHttpMethods = (methods: ReadonlyArray<string>) => {
  const allowed = methods.map((m) => m.toUpperCase())
  return <E, R>(view: View<E, R>): View<E | HttpResponse.MakeError, R> => (request) =>
    allowed.includes(request.method)
      ? view(request)
      : Effect.zipRight(
        Effect.logWarning(`Method Not Allowed (${request.method}): ${request.path}`).pipe(
          Effect.annotateLogs({ logger: "django.request", status_code: 405 })
        ),
        HttpResponse.notAllowed(allowed)
      )
}

/**
 * Django's `require_GET`.
 *
 * @since 0.1.0
 * @category decorators
 */
export const requireGET: <E, R>(view: View<E, R>) => View<E | HttpResponse.MakeError, R> = requireHttpMethods(["GET"])

/**
 * Django's `require_POST`.
 *
 * @since 0.1.0
 * @category decorators
 */
export const requirePOST: <E, R>(view: View<E, R>) => View<E | HttpResponse.MakeError, R> = requireHttpMethods([
  "POST"
])

/**
 * Django's `require_safe`: GET and HEAD only.
 *
 * @since 0.1.0
 * @category decorators
 */
export const requireSafe: <E, R>(view: View<E, R>) => View<E | HttpResponse.MakeError, R> = requireHttpMethods([
  "GET",
  "HEAD"
])
