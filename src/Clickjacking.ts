/**
 * Django's clickjacking protection: `XFrameOptionsMiddleware` sets `X-Frame-Options` (the
 * `X_FRAME_OPTIONS` setting, upper-cased; Django's default `DENY`) on every response that has
 * none, unless the view was decorated with `xframeOptionsExempt`. `xframeOptionsDeny` and
 * `xframeOptionsSameorigin` set the header on a view's responses.
 *
 * ```ts
 * import { Clickjacking, HttpResponse, Middleware, View } from "effect-django-http"
 *
 * const embeddable: View.View = Clickjacking.xframeOptionsExempt(() => HttpResponse.make({ content: "widget" }))
 * const app = View.toHttpApp(Clickjacking.middleware(embeddable))
 * ```
 *
 * The exemption travels in the request's context, not on the response value: the middleware
 * gives the views below it a per-request marker, which the decorator sets. A response can be
 * rebuilt or copied any number of times on its way out without losing it.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as HttpResponse from "./HttpResponse.js"
import { respondServiceThen } from "./internal/middleware.js"
import { settingsIn } from "./internal/standardMiddleware.js"
import * as Middleware from "./Middleware.js"
import type * as Settings from "./Settings.js"
import type * as View from "./View.js"

/**
 * The per-request marker `xframeOptionsExempt` sets.
 *
 * @since 0.1.0
 * @category models
 */
export interface Exemption {
  exempt: boolean
}

/**
 * The marker in the context of the views below `middleware`.
 *
 * @since 0.1.0
 * @category tags
 */
export const Exemption: Context.Tag<Exemption, Exemption> = Context.GenericTag<Exemption>(
  "effect-django-http/Clickjacking/Exemption"
)

/**
 * The header value the settings give: `X_FRAME_OPTIONS` upper-cased.
 *
 * @since 0.1.0
 * @category headers
 */
export const headerValue = (settings: Settings.Settings): string => settings.X_FRAME_OPTIONS.toUpperCase()

/**
 * Django's `process_response`: sets `X-Frame-Options` unless the response has it or is exempt.
 *
 * @since 0.1.0
 * @category headers
 */
export const processResponse = <A extends HttpResponse.AnyResponse>(
  response: A,
  settings: Settings.Settings,
  exempt: boolean
): Either.Either<A, HttpResponse.MakeError> =>
  exempt || HttpResponse.hasHeader(response, "X-Frame-Options")
    ? Either.right(response)
    : HttpResponse.setHeader(response, "X-Frame-Options", headerValue(settings))

/**
 * `XFrameOptionsMiddleware`. Responses that are not this library's pass unchanged.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware: Middleware.Middleware<HttpResponse.MakeError> = Middleware.make<HttpResponse.MakeError>((
  request,
  getResponse
) => {
  const marker: Exemption = { exempt: false }
  return Effect.withFiberRuntime((fiber) =>
    respondServiceThen(fiber, getResponse, request, Exemption, marker, {
      onFailure: Effect.failCause,
      // The context is restored here: the settings are the ones this layer was called with.
      onSuccess: (response) =>
        HttpResponse.isAnyResponse(response)
          ? processResponse(response, settingsIn(fiber.currentContext, request), marker.exempt)
          : Effect.succeed(response)
    })
  )
})

/**
 * Django's `@xframe_options_exempt`: `middleware` leaves this view's responses without
 * `X-Frame-Options`.
 *
 * @since 0.1.0
 * @category decorators
 */
export const xframeOptionsExempt = <E, R>(view: View.View<E, R>): View.View<E, R> => (request) =>
  Effect.flatMap(view(request), (response) =>
    Effect.map(Effect.serviceOption(Exemption), (marker) => {
      if (Option.isSome(marker)) marker.value.exempt = true
      return response
    }))

const withHeader =
  (value: string) => <E, R>(view: View.View<E, R>): View.View<E | HttpResponse.MakeError, R> => (request) =>
    Effect.flatMap(view(request), (response) =>
      HttpResponse.isAnyResponse(response)
        ? HttpResponse.setHeader(response, "X-Frame-Options", value)
        : Effect.succeed(response))

/**
 * Django's `@xframe_options_deny`: `X-Frame-Options: DENY` on this view's responses.
 *
 * @since 0.1.0
 * @category decorators
 */
export const xframeOptionsDeny: <E, R>(view: View.View<E, R>) => View.View<E | HttpResponse.MakeError, R> = withHeader(
  "DENY"
)

/**
 * Django's `@xframe_options_sameorigin`: `X-Frame-Options: SAMEORIGIN` on this view's responses.
 *
 * @since 0.1.0
 * @category decorators
 */
export const xframeOptionsSameorigin: <E, R>(view: View.View<E, R>) => View.View<E | HttpResponse.MakeError, R> =
  withHeader("SAMEORIGIN")
