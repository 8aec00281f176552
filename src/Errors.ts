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
 * Every error of the library that a Django exception answers with a status, in this module and
 * in others (`Csrf.CsrfFailure`, `Resolver.Resolver404`, the template and session errors, ...), is
 * built on `TaggedError`, which a user's own errors can extend too.
 *
 * @since 0.1.0
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { hasProperty } from "effect/Predicate"
import type * as Types from "effect/Types"
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

/**
 * How Django's handler answers an error made with `TaggedError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaggedErrorOptions {
  /** The HTTP status Django's handler answers the error with. */
  readonly status: number
  /** `true` for Django's `SuspiciousOperation` family (default `false`). */
  readonly suspicious?: boolean | undefined
}

/**
 * The class `TaggedError` returns: its type parameter is the error's fields, by default
 * `{ readonly message: string }` (Django's message).
 *
 * @since 0.1.0
 * @category models
 */
export interface TaggedErrorConstructor<Tag extends string> {
  new<A extends object = { readonly message: string }>(
    args: Types.VoidIfEmpty<{ readonly [P in keyof A as P extends "_tag" ? never : P]: A[P] }>
  ): Cause.YieldableError & DjangoError & { readonly _tag: Tag } & Readonly<A>
}

/**
 * The base class of an error of this library, as `Data.TaggedError` is of a tagged error: the
 * class takes the error's fields as its type parameter, and its instances carry `TypeId`,
 * `status` and `suspicious` and are `Respondable` (Django's page for `status`). Every
 * `DjangoError` of this library is built with it; so can a user's own.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-django-http"
 * import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
 * import { Effect } from "effect"
 *
 * // an `Http404` that says which path was not found
 * class PageNotFound extends Errors.TaggedError("PageNotFound", { status: 404 })<{
 *   readonly message: string
 *   readonly path: string
 * }> {}
 *
 * const error = new PageNotFound({ message: "No page here", path: "/missing/" })
 * console.log(error._tag, error.path, error.status, error.suspicious, Errors.isDjangoError(error))
 * // PageNotFound /missing/ 404 false true
 *
 * // unhandled, it is answered with Django's 404 page
 * const response = Effect.runSync(HttpServerRespondable.toResponse(error))
 * console.log(response.status) // 404
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const TaggedError = <const Tag extends string>(
  tag: Tag,
  options: TaggedErrorOptions
): TaggedErrorConstructor<Tag> => {
  const status = options.status
  const suspicious = options.suspicious ?? false
  class Base extends Data.TaggedError(tag)<{ readonly message?: string }> implements DjangoError {
    readonly [TypeId]: TypeId = TypeId
    readonly status: number = status
    readonly suspicious: boolean = suspicious;
    [HttpServerRespondable.symbol]() {
      return Effect.succeed(errorResponse(this.status))
    }
  }
  // The fields are the caller's type parameter, as in `Data.TaggedError`.
  return Base as unknown as TaggedErrorConstructor<Tag>
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
export class SuspiciousOperation extends TaggedError("SuspiciousOperation", { status: 400, suspicious: true }) {}

/**
 * The `Host` (or `X-Forwarded-Host`) header is malformed or not in `ALLOWED_HOSTS`.
 *
 * @since 0.1.0
 * @category errors
 */
export class DisallowedHost extends TaggedError("DisallowedHost", { status: 400, suspicious: true }) {}

/**
 * A redirect to a scheme other than http, https and ftp, or to an over-long URL.
 *
 * @since 0.1.0
 * @category errors
 */
export class DisallowedRedirect extends TaggedError("DisallowedRedirect", { status: 400, suspicious: true }) {}

/**
 * More GET/POST parameters than `DATA_UPLOAD_MAX_NUMBER_FIELDS`.
 *
 * @since 0.1.0
 * @category errors
 */
export class TooManyFieldsSent extends TaggedError("TooManyFieldsSent", { status: 400, suspicious: true }) {}

/**
 * More uploaded files than `DATA_UPLOAD_MAX_NUMBER_FILES`.
 *
 * @since 0.1.0
 * @category errors
 */
export class TooManyFilesSent extends TaggedError("TooManyFilesSent", { status: 400, suspicious: true }) {}

/**
 * A request body (files excluded) larger than `DATA_UPLOAD_MAX_MEMORY_SIZE`.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestDataTooBig extends TaggedError("RequestDataTooBig", { status: 400, suspicious: true }) {}

/**
 * A multipart body that looks built to keep the parser busy.
 *
 * @since 0.1.0
 * @category errors
 */
export class SuspiciousMultipartForm
  extends TaggedError("SuspiciousMultipartForm", { status: 400, suspicious: true })
{}

/**
 * A file name that would escape its directory or is otherwise unsafe.
 *
 * @since 0.1.0
 * @category errors
 */
export class SuspiciousFileOperation
  extends TaggedError("SuspiciousFileOperation", { status: 400, suspicious: true })
{}

// ---------------------------------------------------------------------------
// Other client errors
// ---------------------------------------------------------------------------

/**
 * A request the view cannot process (Django 3.2's `BadRequest`). Answered with 400.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends TaggedError("BadRequest", { status: 400 }) {}

/**
 * A malformed multipart body or Content-Type. Answered with 400.
 *
 * @since 0.1.0
 * @category errors
 */
export class MultiPartParserError extends TaggedError("MultiPartParserError", { status: 400 }) {}

/**
 * The client went away, or the body could not be read. Django's `UnreadablePostError`
 * is an `OSError`, so its handler answers 500; the client is gone anyway.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnreadablePostError extends TaggedError("UnreadablePostError", { status: 500 }) {}

/**
 * `Http404`: answered with 404.
 *
 * @since 0.1.0
 * @category errors
 */
export class Http404 extends TaggedError("Http404", { status: 404 }) {}

/**
 * `PermissionDenied`: answered with 403.
 *
 * @since 0.1.0
 * @category errors
 */
export class PermissionDenied extends TaggedError("PermissionDenied", { status: 403 }) {}

// ---------------------------------------------------------------------------
// Programming errors (500)
// ---------------------------------------------------------------------------

/**
 * The body was asked for after the request's data stream was read.
 *
 * @since 0.1.0
 * @category errors
 */
export class RawPostDataException extends TaggedError("RawPostDataException", { status: 500 }) {}

/**
 * A missing key in a `MultiValueDict` / `QueryDict` (Django's `KeyError` subclass).
 *
 * @since 0.1.0
 * @category errors
 */
export class MultiValueDictKeyError extends TaggedError("MultiValueDictKeyError", { status: 500 }) {}

/**
 * A signature that does not verify.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadSignature extends TaggedError("BadSignature", { status: 500 }) {}

/**
 * A timestamped signature older than the allowed age. Django's is a subclass of
 * `BadSignature`; here, handle both with `Effect.catchTags`.
 *
 * @since 0.1.0
 * @category errors
 */
export class SignatureExpired extends TaggedError("SignatureExpired", { status: 500 }) {}

/**
 * A header name or value containing CR or LF.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadHeaderError extends TaggedError("BadHeaderError", { status: 500 }) {}

/**
 * A setting that is missing or malformed.
 *
 * @since 0.1.0
 * @category errors
 */
export class ImproperlyConfigured extends TaggedError("ImproperlyConfigured", { status: 500 }) {}

/**
 * An argument a Django constructor would reject with `TypeError` or `ValueError`
 * (a status outside 100-599, an invalid `samesite`, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidArgument extends TaggedError("InvalidArgument", { status: 500 }) {}
