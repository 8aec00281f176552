/**
 * The operations on any response's status, headers and cookies (Django's `status_code`,
 * `__setitem__`, `setdefault`, `__delitem__`, `get`, `set_cookie`, `set_signed_cookie`,
 * `delete_cookie`).
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type { ImproperlyConfigured, InvalidArgument } from "../../Errors.js"
import * as Settings from "../../Settings.js"
import * as Signing from "../../Signing.js"
import * as make from "./make.js"
import type { MakeError } from "./make.js"
import type { Any, Plain } from "./model.js"
import * as rules from "./rules.js"
import { isResponse, settleWith as settleWith_, update, withCookies, withHeaders } from "./value.js"

export const setStatus: {
  (status: number, reason?: string): <A extends Any>(self: A) => Either.Either<A, InvalidArgument>
  <A extends Any>(self: A, status: number, reason?: string): Either.Either<A, InvalidArgument>
} = dual(
  (args) => isResponse(args[0]),
  <A extends Any>(self: A, status: number, reason?: string): Either.Either<A, InvalidArgument> =>
    Either.map(
      rules.checkStatus(status),
      (s) => update<Any>(self, { status: s, customReason: reason ?? self.customReason }) as A
    )
)

export const setHeader: {
  (name: string, value: rules.HeaderValue): <A extends Any>(self: A) => Either.Either<A, MakeError>
  <A extends Any>(self: A, name: string, value: rules.HeaderValue): Either.Either<A, MakeError>
} = dual(3, <A extends Any>(self: A, name: string, value: rules.HeaderValue): Either.Either<A, MakeError> => {
  const h = rules.validateHeader(name, typeof value === "string" ? value : String(value))
  if (Either.isLeft(h)) return Either.left(h.left)
  return Either.right(withHeaders(self, rules.putHeader(self.headers, h.right)))
})

export const setDefaultHeader: {
  (name: string, value: rules.HeaderValue): <A extends Any>(self: A) => Either.Either<A, MakeError>
  <A extends Any>(self: A, name: string, value: rules.HeaderValue): Either.Either<A, MakeError>
} = dual(
  3,
  <A extends Any>(self: A, name: string, value: rules.HeaderValue): Either.Either<A, MakeError> =>
    rules.findHeader(self.headers, name) === -1 ? setHeader(self, name, value) : Either.right(self)
)

export const removeHeader: {
  (name: string): <A extends Any>(self: A) => A
  <A extends Any>(self: A, name: string): A
} = dual(2, <A extends Any>(self: A, name: string): A => {
  const headers = rules.removeHeader(self.headers, name)
  return headers === self.headers ? self : withHeaders(self, headers)
})

export const getHeader: {
  (name: string): (self: Any) => Option.Option<string>
  (self: Any, name: string): Option.Option<string>
} = dual(2, (self: Any, name: string) => Option.fromNullable(rules.getHeader(self.headers, name)))

export const hasHeader: {
  (name: string): (self: Any) => boolean
  (self: Any, name: string): boolean
} = dual(2, (self: Any, name: string) => rules.findHeader(self.headers, name) !== -1)

// ---------------------------------------------------------------------------
// Cookies
// ---------------------------------------------------------------------------

const needsClock = (options: rules.CookieOptions): boolean =>
  options.maxAge !== undefined || options.expires instanceof Date

export const setCookieAt = <A extends Any>(
  self: A,
  key: string,
  value: string,
  options: rules.CookieOptions,
  nowMillis: number
): Either.Either<A, MakeError> => {
  const c = rules.makeCookie(key, value, options, () => nowMillis)
  if (Either.isLeft(c)) return Either.left(c.left)
  return Either.right(withCookies(self, rules.putCookie(self.cookies, c.right)))
}

export const setCookie: {
  (
    key: string,
    value?: string,
    options?: rules.CookieOptions
  ): <A extends Any>(self: A) => Effect.Effect<A, MakeError>
  <A extends Any>(self: A, key: string, value?: string, options?: rules.CookieOptions): Effect.Effect<A, MakeError>
} = dual(
  (args) => isResponse(args[0]),
  <A extends Any>(self: A, key: string, value = "", options: rules.CookieOptions = {}): Effect.Effect<A, MakeError> =>
    needsClock(options)
      ? Effect.flatMap(Clock.currentTimeMillis, (now) => setCookieAt(self, key, value, options, now))
      : setCookieAt(self, key, value, options, 0)
)

/** The options of `setSignedCookie`: `setCookie`'s, plus the salt. */
export type SignedCookieOptions = rules.CookieOptions & {
  /** Added to the cookie name to make the signer's salt (Django's `salt`). Default `""`. */
  readonly salt?: string | undefined
}

export const setSignedCookie: {
  (
    key: string,
    value: string,
    options?: SignedCookieOptions
  ): <A extends Any>(self: A) => Effect.Effect<A, MakeError | ImproperlyConfigured>
  <A extends Any>(
    self: A,
    key: string,
    value: string,
    options?: SignedCookieOptions
  ): Effect.Effect<A, MakeError | ImproperlyConfigured>
} = dual(
  (args) => isResponse(args[0]),
  <A extends Any>(
    self: A,
    key: string,
    value: string,
    options: SignedCookieOptions = {}
  ): Effect.Effect<A, MakeError | ImproperlyConfigured> => {
    const { salt, ...cookie } = options
    return Effect.flatMap(
      Settings.current,
      (settings) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Either.flatMap(
            Signing.signCookieAt(settings, key, value, now / 1000, { salt: salt ?? "" }),
            (signed): Either.Either<A, MakeError | ImproperlyConfigured> => setCookieAt(self, key, signed, cookie, now)
          ))
    )
  }
)

/** The options of `deleteCookie`. */
export interface DeleteCookieOptions {
  readonly path?: string | null | undefined
  readonly domain?: string | undefined
  readonly sameSite?: string | undefined
}

export const deleteCookie: {
  (key: string, options?: DeleteCookieOptions): <A extends Any>(self: A) => Either.Either<A, MakeError>
  <A extends Any>(self: A, key: string, options?: DeleteCookieOptions): Either.Either<A, MakeError>
} = dual(
  (args) => isResponse(args[0]),
  <A extends Any>(self: A, key: string, options: DeleteCookieOptions = {}): Either.Either<A, MakeError> => {
    const secure = key.startsWith("__Secure-") || key.startsWith("__Host-") ||
      (options.sameSite !== undefined && options.sameSite.toLowerCase() === "none")
    return setCookieAt(self, key, "", {
      maxAge: 0,
      expires: "Thu, 01 Jan 1970 00:00:00 GMT",
      secure,
      ...(options.path !== undefined ? { path: options.path } : {}),
      ...(options.domain !== undefined ? { domain: options.domain } : {}),
      ...(options.sameSite !== undefined ? { sameSite: options.sameSite } : {})
    }, 0)
  }
)

export const setCookieHeaders = (self: Any): ReadonlyArray<string> => self.cookies.map((c) => c.header)

// ---------------------------------------------------------------------------
// Content and settling (pipeable forms of `make.ts`' and `value.ts`' functions)
// ---------------------------------------------------------------------------

export const isPlain = (u: unknown): u is Plain => isResponse(u) && u._tag === "HttpResponse"

export const isSettled = (self: Any): boolean => self.defaultCharset !== undefined

export const setContent: {
  (content: make.Content): (self: Plain) => Either.Either<Plain, InvalidArgument>
  (self: Plain, content: make.Content): Either.Either<Plain, InvalidArgument>
} = dual(2, make.setContent)

export const write: {
  (chunk: rules.Chunk): (self: Plain) => Either.Either<Plain, InvalidArgument>
  (self: Plain, chunk: rules.Chunk): Either.Either<Plain, InvalidArgument>
} = dual(2, make.write)

export const writeLines: {
  (lines: Iterable<rules.Chunk>): (self: Plain) => Either.Either<Plain, InvalidArgument>
  (self: Plain, lines: Iterable<rules.Chunk>): Either.Either<Plain, InvalidArgument>
} = dual(2, make.writeLines)

export const settleWith: {
  (defaultCharset: string): <A extends Any>(self: A) => Either.Either<A, MakeError>
  <A extends Any>(self: A, defaultCharset: string): Either.Either<A, MakeError>
} = dual(2, settleWith_)
