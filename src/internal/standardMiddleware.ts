/**
 * What the standard middleware modules share.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as HttpRequest from "../HttpRequest.js"
import * as Settings from "../Settings.js"

/** The settings in the context, else the request's own (as `HttpRequest` reads them). */
export const settingsFor = (request: HttpRequest.HttpRequest): Effect.Effect<Settings.Settings> =>
  Effect.map(Effect.serviceOption(Settings.Settings), Option.getOrElse(() => request.settings))
