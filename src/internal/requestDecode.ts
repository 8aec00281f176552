/**
 * Typed access to a request: its query, form, files, cookies, headers and JSON body through a
 * `Schema`, and Django's `get_signed_cookie`: the implementation of those functions of
 * `HttpRequest`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import {
  type BadSignature,
  type ImproperlyConfigured,
  MultiValueDictKeyError,
  type SignatureExpired,
  type TooManyFieldsSent
} from "../Errors.js"
import type { BodyError, GetSignedCookieOptions, HttpRequest, PostError } from "../HttpRequest.js"
import * as Signing from "../Signing.js"
import { effectDecoder } from "./decode.js"
import { isHttpRequest, settingsOf } from "./httpRequest.js"
import { reprStr as pyRepr } from "./python/repr.js"
import * as QD from "./querydict.js"

// ---------------------------------------------------------------------------
// Typed decoders
// ---------------------------------------------------------------------------

/** A form is checked whole: a failure lists every field's problem, as Django's forms do. */
const ALL_ERRORS = { errors: "all" } as const

export const schemaQuery = <A, I, R>(schema: Schema.Schema<A, I, R>) =>
(
  self: HttpRequest
): Effect.Effect<A, TooManyFieldsSent | ParseResult.ParseError, R> => {
  // `GET` is an `Either` already: decoded in place rather than through `flatMap` (two runtime steps).
  const get = self.GET
  return Either.isLeft(get) ? Either.left(get.left) : QD.decode(schema, ALL_ERRORS)(get.right)
}

export const schemaForm =
  <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  (self: HttpRequest): Effect.Effect<A, PostError | ParseResult.ParseError, R> =>
    Effect.flatMap(self.POST, QD.decode(schema, ALL_ERRORS))

export const schemaFiles =
  <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  (self: HttpRequest): Effect.Effect<A, PostError | ParseResult.ParseError, R> =>
    Effect.flatMap(self.FILES, QD.decode(schema, ALL_ERRORS))

export const schemaCookies =
  <A, I, R>(schema: Schema.Schema<A, I, R>) => (self: HttpRequest): Effect.Effect<A, ParseResult.ParseError, R> =>
    effectDecoder(schema, ALL_ERRORS)(self.COOKIES)

export const schemaHeaders =
  <A, I, R>(schema: Schema.Schema<A, I, R>) => (self: HttpRequest): Effect.Effect<A, ParseResult.ParseError, R> => {
    const out: Record<string, string> = Object.create(null)
    for (const [name, value] of self.headers) out[name.toLowerCase()] = value
    return effectDecoder(schema, ALL_ERRORS)(out)
  }

export const schemaBodyJson =
  <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  (self: HttpRequest): Effect.Effect<A, BodyError | ParseResult.ParseError, R> =>
    Effect.flatMap(
      self.body,
      (bytes) => Schema.decodeUnknown(Schema.parseJson(schema))(new TextDecoder().decode(bytes))
    )

// ---------------------------------------------------------------------------
// Signed cookies
// ---------------------------------------------------------------------------

export const getSignedCookie: {
  <D = never>(
    key: string,
    options?: GetSignedCookieOptions<D>
  ): (
    self: HttpRequest
  ) => Effect.Effect<string | D, MultiValueDictKeyError | BadSignature | SignatureExpired | ImproperlyConfigured>
  <D = never>(
    self: HttpRequest,
    key: string,
    options?: GetSignedCookieOptions<D>
  ): Effect.Effect<string | D, MultiValueDictKeyError | BadSignature | SignatureExpired | ImproperlyConfigured>
} = dual(
  (args) => isHttpRequest(args[0]),
  <D>(
    self: HttpRequest,
    key: string,
    options: GetSignedCookieOptions<D> = {}
  ): Effect.Effect<string | D, MultiValueDictKeyError | BadSignature | SignatureExpired | ImproperlyConfigured> => {
    const hasDefault = Object.prototype.hasOwnProperty.call(options, "default")
    const value = Object.prototype.hasOwnProperty.call(self.COOKIES, key) ? self.COOKIES[key] : undefined
    if (value === undefined) {
      return hasDefault
        ? Effect.succeed(options.default as D)
        : Effect.fail(new MultiValueDictKeyError({ message: pyRepr(key) }))
    }
    const read = Effect.flatMap(
      settingsOf(self),
      (settings) => Signing.unsignCookie(settings, key, value, { salt: options.salt ?? "", maxAge: options.maxAge })
    )
    return hasDefault
      ? Effect.catchTags(read, {
        BadSignature: () => Effect.succeed(options.default as D),
        SignatureExpired: () => Effect.succeed(options.default as D)
      })
      : read
  }
)
