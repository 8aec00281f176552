/**
 * The errors of the sessions layer, built as `Errors` builds Django's (a message, the status
 * Django's handler answers with, `Respondable`).
 *
 * @internal
 */
import { TaggedError } from "../Errors.js"

/** The fields of every sessions error: Django's message and, for a store's failure, its cause. */
export interface Fields {
  readonly message: string
  readonly cause?: unknown
}

/** Python's `KeyError` for a missing session key (500 when unhandled, as in Django). */
export class KeyError extends TaggedError("KeyError", { status: 500 })<Fields> {}

/** Django's `SessionInterrupted` (a `BadRequest`: 400). */
export class SessionInterrupted extends TaggedError("SessionInterrupted", { status: 400 })<Fields> {}

/** Django's `SuspiciousSession` (400, logged on `django.security.SuspiciousSession`). */
export class SuspiciousSession extends TaggedError("SuspiciousSession", { status: 400, suspicious: true })<Fields> {}

/** Django's `UpdateError`: `save()` found no row to update (the session was deleted meanwhile). */
export class UpdateError extends TaggedError("UpdateError", { status: 500 })<Fields> {}

/** Django's `CreateError`: `save(must_create=True)` found the key taken. */
export class CreateError extends TaggedError("CreateError", { status: 500 })<Fields> {}

/** A session store that failed (database down, Redis gone): 500. */
export class SessionStoreError extends TaggedError("SessionStoreError", { status: 500 })<Fields> {}

/** The message of Django's `SessionInterrupted` (V27). */
export const INTERRUPTED_MESSAGE =
  "The request's session was deleted before the request completed. The user may have logged out in a concurrent request, for example."
