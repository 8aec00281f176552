/**
 * Typed errors named after Django's exceptions.
 *
 * Every error carries Django's message, knows the HTTP status Django's handler
 * answers it with (`status`), and is `Respondable` for `@effect/platform`: an
 * unhandled one inside a plain platform app becomes that response instead of
 * a 500 with no body.
 *
 * | Django | status |
 * | --- | --- |
 * | the `SuspiciousOperation` family, `BadRequest`, `MultiPartParserError` | 400 |
 * | `PermissionDenied` | 403 |
 * | `Http404` | 404 |
 * | anything else (`BadHeaderError`, `MultiValueDictKeyError`, ...) | 500 |
 *
 * @since 0.1.0
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { hasProperty } from "effect/Predicate"
import { errorPage } from "./internal/errorPages.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-django-http/Errors")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * What every error of this library shares.
 *
 * @since 0.1.0
 * @category models
 */
export interface DjangoError extends HttpServerRespondable.Respondable {
  readonly [TypeId]: TypeId
  readonly _tag: string
  readonly message: string
  /** The HTTP status Django's handler answers this error with. */
  readonly status: number
  /** `true` for Django's `SuspiciousOperation` family (logged to `django.security.<name>`). */
  readonly suspicious: boolean
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isDjangoError = (u: unknown): u is DjangoError => hasProperty(u, TypeId)

/**
 * @since 0.1.0
 * @category guards
 */
export const isSuspiciousOperation = (u: unknown): u is DjangoError => isDjangoError(u) && u.suspicious

/**
 * The response Django's handler gives for a status when `DEBUG` is off: Django 3.2's short
 * HTML page (`Content-Type: text/html`), which leaks nothing about the error.
 *
 * @since 0.1.0
 * @category conversions
 */
export const errorResponse = (status: number): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(errorPage(status), {
    status,
    contentType: "text/html"
  })

/**
 * The constructor of one error class: `new DisallowedHost({ message })`.
 *
 * @since 0.1.0
 * @category models
 */
export interface DjangoErrorConstructor<Tag extends string> {
  new(args: { readonly message: string }): Cause.YieldableError & DjangoError & { readonly _tag: Tag }
}

const make = <const Tag extends string>(
  tag: Tag,
  status: number,
  suspicious: boolean
): DjangoErrorConstructor<Tag> => {
  class Base extends Data.TaggedError(tag)<{ readonly message: string }> implements DjangoError {
    readonly [TypeId]: TypeId = TypeId
    readonly status: number = status
    readonly suspicious: boolean = suspicious;
    [HttpServerRespondable.symbol]() {
      return Effect.succeed(errorResponse(this.status))
    }
  }
  return Base
}

// ---------------------------------------------------------------------------
// SuspiciousOperation family (400)
// ---------------------------------------------------------------------------

/**
 * The base of Django's `SuspiciousOperation` family, for custom suspicious
 * operations a user raises. Answered with 400.
 *
 * @since 0.1.0
 * @category errors
 */
export class SuspiciousOperation extends make("SuspiciousOperation", 400, true) {}

/**
 * The `Host` (or `X-Forwarded-Host`) header is malformed or not in `ALLOWED_HOSTS`.
 *
 * @since 0.1.0
 * @category errors
 */
export class DisallowedHost extends make("DisallowedHost", 400, true) {}

/**
 * A redirect to a scheme other than http, https and ftp, or to an over-long URL.
 *
 * @since 0.1.0
 * @category errors
 */
export class DisallowedRedirect extends make("DisallowedRedirect", 400, true) {}

/**
 * More GET/POST parameters than `DATA_UPLOAD_MAX_NUMBER_FIELDS`.
 *
 * @since 0.1.0
 * @category errors
 */
export class TooManyFieldsSent extends make("TooManyFieldsSent", 400, true) {}

/**
 * More uploaded files than `DATA_UPLOAD_MAX_NUMBER_FILES`.
 *
 * @since 0.1.0
 * @category errors
 */
export class TooManyFilesSent extends make("TooManyFilesSent", 400, true) {}

/**
 * A request body (files excluded) larger than `DATA_UPLOAD_MAX_MEMORY_SIZE`.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestDataTooBig extends make("RequestDataTooBig", 400, true) {}

/**
 * A multipart body that looks built to keep the parser busy.
 *
 * @since 0.1.0
 * @category errors
 */
export class SuspiciousMultipartForm extends make("SuspiciousMultipartForm", 400, true) {}

/**
 * A file name that would escape its directory or is otherwise unsafe.
 *
 * @since 0.1.0
 * @category errors
 */
export class SuspiciousFileOperation extends make("SuspiciousFileOperation", 400, true) {}

// ---------------------------------------------------------------------------
// Other client errors
// ---------------------------------------------------------------------------

/**
 * A request the view cannot process (Django 3.2's `BadRequest`). Answered with 400.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends make("BadRequest", 400, false) {}

/**
 * A malformed multipart body or Content-Type. Answered with 400.
 *
 * @since 0.1.0
 * @category errors
 */
export class MultiPartParserError extends make("MultiPartParserError", 400, false) {}

/**
 * The client went away, or the body could not be read. Django's `UnreadablePostError`
 * is an `OSError`, so its handler answers 500; the client is gone anyway.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnreadablePostError extends make("UnreadablePostError", 500, false) {}

/**
 * `Http404`: answered with 404.
 *
 * @since 0.1.0
 * @category errors
 */
export class Http404 extends make("Http404", 404, false) {}

/**
 * `PermissionDenied`: answered with 403.
 *
 * @since 0.1.0
 * @category errors
 */
export class PermissionDenied extends make("PermissionDenied", 403, false) {}

// ---------------------------------------------------------------------------
// Programming errors (500)
// ---------------------------------------------------------------------------

/**
 * The body was asked for after the request's data stream was read.
 *
 * @since 0.1.0
 * @category errors
 */
export class RawPostDataException extends make("RawPostDataException", 500, false) {}

/**
 * A missing key in a `MultiValueDict` / `QueryDict` (Django's `KeyError` subclass).
 *
 * @since 0.1.0
 * @category errors
 */
export class MultiValueDictKeyError extends make("MultiValueDictKeyError", 500, false) {}

/**
 * A signature that does not verify.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadSignature extends make("BadSignature", 500, false) {}

/**
 * A timestamped signature older than the allowed age. Django's is a subclass of
 * `BadSignature`; here, handle both with `Effect.catchTags`.
 *
 * @since 0.1.0
 * @category errors
 */
export class SignatureExpired extends make("SignatureExpired", 500, false) {}

/**
 * A header name or value containing CR or LF.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadHeaderError extends make("BadHeaderError", 500, false) {}

/**
 * A setting that is missing or malformed.
 *
 * @since 0.1.0
 * @category errors
 */
export class ImproperlyConfigured extends make("ImproperlyConfigured", 500, false) {}

/**
 * An argument a Django constructor would reject with `TypeError` or `ValueError`
 * (a status outside 100-599, an invalid `samesite`, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidArgument extends make("InvalidArgument", 500, false) {}
