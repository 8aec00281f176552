/**
 * What the standard middleware modules share.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as HttpRequest from "../HttpRequest.js"
import * as Settings from "../Settings.js"

/** The settings in the context, else the request's own (as `HttpRequest` reads them). */
export const settingsFor = (request: HttpRequest.HttpRequest): Effect.Effect<Settings.Settings> =>
  Effect.withFiberRuntime((fiber) => Effect.succeed(settingsIn(fiber.currentContext, request)))

/** `settingsFor` in a context at hand (no step). */
export const settingsIn = (context: Context.Context<never>, request: HttpRequest.HttpRequest): Settings.Settings =>
  (context.unsafeMap.get(Settings.Settings.key) as Settings.Settings | undefined) ?? request.settings

/** Django's `is_secure()` with the settings at hand (`HttpRequest.isSecure` reads them in a step of its own). */
export const isSecureWith = (request: HttpRequest.HttpRequest, settings: Settings.Settings): boolean => {
  const header = settings.SECURE_PROXY_SSL_HEADER
  if (header !== null) {
    const value = request.META[header[0]]
    if (value !== undefined) return value === header[1]
  }
  return request.urlScheme === "https"
}
