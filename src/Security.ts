/**
 * Django's `SecurityMiddleware`: the HTTPS redirect (`SECURE_SSL_REDIRECT`, `SECURE_SSL_HOST`,
 * `SECURE_REDIRECT_EXEMPT`), `Strict-Transport-Security` on secure requests
 * (`SECURE_HSTS_SECONDS`, `SECURE_HSTS_INCLUDE_SUBDOMAINS`, `SECURE_HSTS_PRELOAD`), and, unless the
 * response has them already, `X-Content-Type-Options: nosniff`
 * (`SECURE_CONTENT_TYPE_NOSNIFF`), `X-XSS-Protection: 1; mode=block` (`SECURE_BROWSER_XSS_FILTER`)
 * and `Referrer-Policy` (`SECURE_REFERRER_POLICY`).
 *
 * ```ts
 * import { HttpResponse, Security, Settings, View } from "effect-django-http"
 * import { Effect } from "effect"
 *
 * const view: View.View = () => HttpResponse.make({ content: "hi" })
 * const app = View.toHttpApp(Security.middleware(view))
 * const settings = Settings.layer({ SECURE_HSTS_SECONDS: 31536000, SECURE_SSL_REDIRECT: true })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { DisallowedHost, DisallowedRedirect } from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import * as HttpResponse from "./HttpResponse.js"
import { respondThen } from "./internal/middleware.js"
import { isSecureWith, settingsIn } from "./internal/standardMiddleware.js"
import * as Middleware from "./Middleware.js"
import type * as Settings from "./Settings.js"
import type * as View from "./View.js"

const exemptCache = new WeakMap<ReadonlyArray<string>, ReadonlyArray<RegExp>>()

/** The compiled `SECURE_REDIRECT_EXEMPT` patterns (JavaScript regular expressions), once per list. */
const exemptPatterns = (patterns: ReadonlyArray<string>): ReadonlyArray<RegExp> => {
  let compiled = exemptCache.get(patterns)
  if (compiled === undefined) {
    compiled = patterns.map((p) => new RegExp(p))
    exemptCache.set(patterns, compiled)
  }
  return compiled
}

/**
 * Whether `SECURE_REDIRECT_EXEMPT` exempts a path: a pattern found anywhere (Python's
 * `re.search`) in the path without its leading slashes.
 *
 * @since 0.1.0
 * @category redirect
 */
export const isRedirectExempt = (settings: Settings.Settings, path: string): boolean => {
  const p = path.replace(/^\/+/, "")
  return exemptPatterns(settings.SECURE_REDIRECT_EXEMPT).some((re) => re.test(p))
}

/**
 * Django's `process_request`: with `SECURE_SSL_REDIRECT`, a request that is not secure and not
 * exempt gets a 301 to `https://` + (`SECURE_SSL_HOST` or the validated host) + the full path.
 *
 * @since 0.1.0
 * @category redirect
 */
export const processRequest = (
  request: HttpRequest.HttpRequest,
  settings: Settings.Settings
): Effect.Effect<
  Option.Option<HttpResponse.HttpResponse>,
  DisallowedHost | HttpResponse.MakeError | DisallowedRedirect
> => {
  if (!settings.SECURE_SSL_REDIRECT) return Effect.succeed(Option.none())
  return Effect.flatMap(HttpRequest.isSecure(request), (secure) => {
    if (secure || isRedirectExempt(settings, request.path)) return Effect.succeed(Option.none())
    const host = settings.SECURE_SSL_HOST ? Effect.succeed(settings.SECURE_SSL_HOST) : HttpRequest.getHost(request)
    return Effect.flatMap(
      host,
      (h) => Effect.map(HttpResponse.permanentRedirect(`https://${h}${HttpRequest.getFullPath(request)}`), Option.some)
    )
  })
}

/**
 * The `Strict-Transport-Security` value the settings give, if HSTS is on.
 *
 * @since 0.1.0
 * @category headers
 */
export const hstsHeader = (settings: Settings.Settings): Option.Option<string> => {
  if (!settings.SECURE_HSTS_SECONDS) return Option.none()
  let value = `max-age=${settings.SECURE_HSTS_SECONDS}`
  if (settings.SECURE_HSTS_INCLUDE_SUBDOMAINS) value += "; includeSubDomains"
  if (settings.SECURE_HSTS_PRELOAD) value += "; preload"
  return Option.some(value)
}

/**
 * The `Referrer-Policy` value: a comma-separated string has its parts stripped and rejoined with
 * `,`; a list is joined with `,`.
 *
 * @since 0.1.0
 * @category headers
 */
export const referrerPolicy = (settings: Settings.Settings): Option.Option<string> => {
  const policy = settings.SECURE_REFERRER_POLICY
  if (policy === null || policy.length === 0) return Option.none()
  return Option.some(
    typeof policy === "string" ? policy.split(",").map((v) => v.trim()).join(",") : policy.join(",")
  )
}

/**
 * Django's `process_response`: HSTS on secure requests when absent, then the `setdefault`
 * headers.
 *
 * @since 0.1.0
 * @category headers
 */
export const processResponse = <A extends HttpResponse.AnyResponse>(
  response: A,
  settings: Settings.Settings,
  secure: boolean
): Either.Either<A, HttpResponse.MakeError> => {
  let out: Either.Either<A, HttpResponse.MakeError> = Either.right(response)
  const hsts = hstsHeader(settings)
  if (Option.isSome(hsts) && secure && !HttpResponse.hasHeader(response, "Strict-Transport-Security")) {
    out = HttpResponse.setHeader(response, "Strict-Transport-Security", hsts.value)
  }
  if (settings.SECURE_CONTENT_TYPE_NOSNIFF) {
    out = Either.flatMap(out, HttpResponse.setDefaultHeader("X-Content-Type-Options", "nosniff"))
  }
  if (settings.SECURE_BROWSER_XSS_FILTER) {
    out = Either.flatMap(out, HttpResponse.setDefaultHeader("X-XSS-Protection", "1; mode=block"))
  }
  const referrer = referrerPolicy(settings)
  if (Option.isSome(referrer)) {
    out = Either.flatMap(out, HttpResponse.setDefaultHeader("Referrer-Policy", referrer.value))
  }
  return out
}

/**
 * `SecurityMiddleware`, reading the `Settings` in the context (else the request's). Responses
 * that are not this library's pass unchanged.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware: Middleware.Middleware<DisallowedHost | DisallowedRedirect | HttpResponse.MakeError> =
  Middleware.make<DisallowedHost | DisallowedRedirect | HttpResponse.MakeError>((request, getResponse) =>
    Effect.withFiberRuntime((fiber) => {
      // The settings read once (the context is the same again when the response comes back).
      const settings = settingsIn(fiber.currentContext, request)
      const after = (response: View.Response) =>
        HttpResponse.isAnyResponse(response)
          ? processResponse(response, settings, isSecureWith(request, settings))
          : Effect.succeed(response)
      // Without SECURE_SSL_REDIRECT, process_request has nothing to do: no step for it.
      return settings.SECURE_SSL_REDIRECT
        ? Effect.flatMap(
          processRequest(request, settings),
          (redirect) => Option.isSome(redirect) ? after(redirect.value) : Effect.flatMap(getResponse(request), after)
        )
        : respondThen(fiber, getResponse, request, undefined, { onFailure: Effect.failCause, onSuccess: after })
    })
  )
