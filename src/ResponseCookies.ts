/**
 * Django's cookies on a response (`HttpResponse.set_cookie`, `set_signed_cookie`,
 * `delete_cookie`): each returns a new response with the cookie's `Set-Cookie` line written by
 * Django's rules (Python's `http.cookies` formatting, attributes in Django's order). Reading a
 * request's cookies is `HttpRequest`'s (`COOKIES`, `getSignedCookie`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpResponse, ResponseCookies } from "effect-django-http"
 *
 * const view = Effect.gen(function*() {
 *   const res = yield* HttpResponse.make({ content: "<h1>Hello</h1>" })
 *   const seen = yield* ResponseCookies.setCookie(res, "seen", "1", { maxAge: 3600, httpOnly: true })
 *   return yield* ResponseCookies.deleteCookie(seen, "old")
 * })
 * ```
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type { ImproperlyConfigured } from "./Errors.js"
import type { AnyResponse, MakeError } from "./HttpResponse.js"
import type * as internal from "./internal/response.js"
import * as combinators from "./internal/response/combinators.js"

/**
 * A cookie as set on a response, with its `Set-Cookie` value in `header`.
 *
 * @since 0.2.0
 * @category models
 */
export type Cookie = internal.Cookie

/**
 * The options of `setCookie` (Django's `set_cookie` arguments, camelCased).
 *
 * @since 0.2.0
 * @category models
 */
export type CookieOptions = internal.CookieOptions

/**
 * Django's `set_cookie(key, value, max_age, expires, path, domain, secure,
 * httponly, samesite)`, with Python's `Set-Cookie` formatting (attributes in
 * Django's order, values quoted with octal escapes when needed). `maxAge` also
 * sets `expires` from the `Clock`; a `Date` `expires` becomes `maxAge`. An
 * invalid `sameSite`, an illegal or reserved name, or a non-finite `maxAge` is
 * `InvalidArgument`; control characters or characters beyond Latin-1 (which
 * cannot go on the wire) are `BadHeaderError`.
 *
 * Unlike Django, whose cookies are keyed by name only, one name can be set for
 * several paths and domains; the same name, path and domain replaces the cookie
 * (with fresh attributes: Django would keep the old ones it is not given).
 *
 * @since 0.2.0
 * @category cookies
 */
export const setCookie: {
  (
    key: string,
    value?: string,
    options?: CookieOptions
  ): <A extends AnyResponse>(self: A) => Effect.Effect<A, MakeError>
  <A extends AnyResponse>(self: A, key: string, value?: string, options?: CookieOptions): Effect.Effect<A, MakeError>
} = combinators.setCookie

/**
 * `setCookie` at a given time (milliseconds since the epoch), without the `Clock`.
 *
 * @since 0.2.0
 * @category cookies
 */
export const setCookieAt: <A extends AnyResponse>(
  self: A,
  key: string,
  value: string,
  options: CookieOptions,
  nowMillis: number
) => Either.Either<A, MakeError> = combinators.setCookieAt

/**
 * The options of `setSignedCookie`: `setCookie`'s, plus the salt (added to the cookie name
 * to make the signer's salt, Django's `salt`; default `""`).
 *
 * @since 0.2.0
 * @category models
 */
export type SignedCookieOptions = combinators.SignedCookieOptions

/**
 * Django's `set_signed_cookie(key, value, salt, **kwargs)`: `setCookie` with the value
 * signed as Django's cookie signer does (`TimestampSigner`, key `"django.http.cookies"
 * + SECRET_KEY`, salt `key + salt`), at the time of Effect's `Clock`, with the current
 * `Settings`. Without `SECRET_KEY` it fails with `ImproperlyConfigured`.
 *
 * @since 0.2.0
 * @category cookies
 */
export const setSignedCookie: {
  (
    key: string,
    value: string,
    options?: SignedCookieOptions
  ): <A extends AnyResponse>(self: A) => Effect.Effect<A, MakeError | ImproperlyConfigured>
  <A extends AnyResponse>(
    self: A,
    key: string,
    value: string,
    options?: SignedCookieOptions
  ): Effect.Effect<A, MakeError | ImproperlyConfigured>
} = combinators.setSignedCookie

/**
 * The options of `deleteCookie`.
 *
 * @since 0.2.0
 * @category models
 */
export interface DeleteCookieOptions extends combinators.DeleteCookieOptions {}

/**
 * Django's `delete_cookie(key, path, domain, samesite)`: the cookie with an
 * empty value, `Max-Age=0` and `expires=Thu, 01 Jan 1970 00:00:00 GMT`;
 * `Secure` for `__Secure-` and `__Host-` names and for `SameSite=None`.
 *
 * @since 0.2.0
 * @category cookies
 */
export const deleteCookie: {
  (key: string, options?: DeleteCookieOptions): <A extends AnyResponse>(self: A) => Either.Either<A, MakeError>
  <A extends AnyResponse>(self: A, key: string, options?: DeleteCookieOptions): Either.Either<A, MakeError>
} = combinators.deleteCookie

/**
 * The `Set-Cookie` header values, in the order the cookies were first set.
 *
 * @since 0.2.0
 * @category cookies
 */
export const setCookieHeaders: (self: AnyResponse) => ReadonlyArray<string> = combinators.setCookieHeaders
