/**
 * The errors of the sessions layer, built as `Errors` builds Django's (a message, the status
 * Django's handler answers with, `Respondable`).
 *
 * @internal
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { type DjangoError, errorResponse, TypeId } from "../Errors.js"

/** The constructor of one error class (as `Errors.DjangoErrorConstructor`, with an optional cause). */
export interface SessionErrorConstructor<Tag extends string> {
  new(
    args: { readonly message: string; readonly cause?: unknown }
  ): Cause.YieldableError & DjangoError & { readonly _tag: Tag }
}

const make = <const Tag extends string>(
  tag: Tag,
  status: number,
  suspicious: boolean
): SessionErrorConstructor<Tag> => {
  class Base extends Data.TaggedError(tag)<{ readonly message: string; readonly cause?: unknown }>
    implements DjangoError
  {
    readonly [TypeId]: typeof TypeId = TypeId
    readonly status: number = status
    readonly suspicious: boolean = suspicious;
    [HttpServerRespondable.symbol]() {
      return Effect.succeed(errorResponse(this.status))
    }
  }
  return Base
}

/** Python's `KeyError` for a missing session key (500 when unhandled, as in Django). */
export class KeyError extends make("KeyError", 500, false) {}

/** Django's `SessionInterrupted` (a `BadRequest`: 400). */
export class SessionInterrupted extends make("SessionInterrupted", 400, false) {}

/** Django's `SuspiciousSession` (400, logged on `django.security.SuspiciousSession`). */
export class SuspiciousSession extends make("SuspiciousSession", 400, true) {}

/** Django's `UpdateError`: `save()` found no row to update (the session was deleted meanwhile). */
export class UpdateError extends make("UpdateError", 500, false) {}

/** Django's `CreateError`: `save(must_create=True)` found the key taken. */
export class CreateError extends make("CreateError", 500, false) {}

/** A session store that failed (database down, Redis gone): 500. */
export class SessionStoreError extends make("SessionStoreError", 500, false) {}

/** The message of Django's `SessionInterrupted` (V27). */
export const INTERRUPTED_MESSAGE =
  "The request's session was deleted before the request completed. The user may have logged out in a concurrent request, for example."
