/**
 * What the standard middleware modules share.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as HttpRequest from "../HttpRequest.js"
import * as Settings from "../Settings.js"

/** The settings in the context, else the request's own (as `HttpRequest` reads them). */
export const settingsFor = (request: HttpRequest.HttpRequest): Effect.Effect<Settings.Settings> =>
  Effect.withFiberRuntime((fiber) =>
    Effect.succeed(Option.getOrElse(Context.getOption(fiber.currentContext, Settings.Settings), () => request.settings))
  )
