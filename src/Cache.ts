/**
 * Django's `django.utils.cache` and the caching view decorators: `Vary` and `Cache-Control`
 * patching, never-cache headers, ETags, and conditional responses (304 and 412) with Django's
 * precedence of `If-Match`, `If-Unmodified-Since`, `If-None-Match` and `If-Modified-Since`.
 *
 * Every helper is a pure function over this library's response values (a new response is
 * returned; nothing is mutated). The decorators are functions from view to view.
 *
 * ```ts
 * import { Effect, Either, pipe } from "effect"
 * import { Cache, HttpResponse, View } from "effect-django-http"
 *
 * const page: View.View = () => HttpResponse.make({ content: "<h1>hi</h1>" })
 *
 * // @vary_on_cookie @cache_control(max_age=3600, public=True)
 * const cached = pipe(page, Cache.cacheControl({ max_age: 3600, public: true }), Cache.varyOnCookie)
 *
 * // The helpers themselves, on a response value:
 * const patched = Effect.map(HttpResponse.make({ content: "x" }), (r) =>
 *   Cache.patchVaryHeaders(r, ["Accept-Language"]).pipe(Either.flatMap(Cache.patchCacheControl({ private: true })))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import { InvalidArgument } from "./Errors.js"
import type * as HttpRequest from "./HttpRequest.js"
import * as HttpResponse from "./HttpResponse.js"
import * as internal from "./internal/cache.js"
import { httpDate } from "./internal/cookie.js"
import * as response from "./internal/response.js"
import * as TemplateResponse from "./TemplateResponse.js"
import type * as View from "./View.js"

type AnyResponse = HttpResponse.AnyResponse

// ---------------------------------------------------------------------------
// ETags
// ---------------------------------------------------------------------------

/**
 * Django's `quote_etag`: a value that is already a quoted ETag (`"abc"`, `W/"abc"`) is kept,
 * anything else is wrapped in double quotes (a strong ETag).
 *
 * @since 0.1.0
 * @category etags
 */
export const quoteEtag: (etag: string) => string = internal.quoteEtag

/**
 * Django's `parse_etags`: `["*"]` for `*`, else the well-formed quoted ETags of a comma-separated
 * `If-Match`/`If-None-Match` value (malformed ones are dropped).
 *
 * @since 0.1.0
 * @category etags
 */
export const parseEtags: (header: string) => Array<string> = internal.parseEtags

/**
 * The ETag Django's `set_response_etag` computes: the quoted md5 hex digest of the body.
 *
 * @since 0.1.0
 * @category etags
 */
export const etagOf: (body: Uint8Array) => string = internal.etagOf

/**
 * Django's `set_response_etag`: sets `ETag` to the md5 of the content, unless the response is
 * streaming or its content is empty. The content is the response's bytes as they are now: for
 * text still waiting for `DEFAULT_CHARSET`, its utf-8 bytes, so under another default charset
 * give it a settled response (`HttpResponse.settle`). The middleware chain settles responses
 * before any middleware sees them.
 *
 * @since 0.1.0
 * @category etags
 */
export const setResponseEtag = <A extends AnyResponse>(self: A): A => {
  if (self._tag !== "HttpResponse" || response.tell(self) === 0) return self
  return putTrusted(self, "ETag", internal.etagOf(HttpResponse.content(self)))
}

/**
 * Django's `parse_http_date_safe`: the seconds since the epoch of an RFC 7231 date (RFC 1123,
 * RFC 850 or asctime), or `None`.
 *
 * @since 0.1.0
 * @category dates
 */
export const parseHttpDate = (date: string): Option.Option<number> => Option.fromNullable(internal.parseHttpDate(date))

/**
 * Django's `http_date`: an RFC 1123 date in GMT for seconds since the epoch.
 *
 * @since 0.1.0
 * @category dates
 */
export const httpDateOf = (epochSeconds: number): Option.Option<string> => Option.fromNullable(httpDate(epochSeconds))

/** Sets a header whose value is known to be valid (built here from valid parts). */
const putTrusted = <A extends AnyResponse>(self: A, name: string, value: string): A =>
  response.withHeaders(self, response.putHeader(self.headers, { name, value, key: name.toLowerCase() }))

const header = (self: AnyResponse, name: string): string | undefined => response.getHeader(self.headers, name)

// ---------------------------------------------------------------------------
// Vary
// ---------------------------------------------------------------------------

/**
 * Django's `patch_vary_headers`: appends the names not yet in `Vary` (compared case-insensitively,
 * the existing order kept, joined with `", "`); with `*` among them, `Vary` becomes `*`. A name
 * with a newline fails with `BadHeaderError`.
 *
 * @since 0.1.0
 * @category vary
 */
export const patchVaryHeaders: {
  (headers: Iterable<string>): <A extends AnyResponse>(self: A) => Either.Either<A, HttpResponse.MakeError>
  <A extends AnyResponse>(self: A, headers: Iterable<string>): Either.Either<A, HttpResponse.MakeError>
} = dual(
  2,
  <A extends AnyResponse>(self: A, headers: Iterable<string>): Either.Either<A, HttpResponse.MakeError> =>
    HttpResponse.setHeader(self, "Vary", internal.patchVary(header(self, "Vary"), [...headers]))
)

/**
 * Django's `has_vary_header`: whether `Vary` names the header (case-insensitive).
 *
 * @since 0.1.0
 * @category vary
 */
export const hasVaryHeader: {
  (name: string): (self: AnyResponse) => boolean
  (self: AnyResponse, name: string): boolean
} = dual(2, (self: AnyResponse, name: string): boolean => internal.varyHas(header(self, "Vary"), name))

// ---------------------------------------------------------------------------
// Cache-Control
// ---------------------------------------------------------------------------

/**
 * Cache-Control directives, by Django's keyword names (`max_age`, `no_cache`, `s_maxage`) or by
 * directive names (`"max-age"`): `true` gives a bare directive, a string or number `name=value`
 * (`false` is written `False`, as Python's `str()` writes it).
 *
 * @since 0.1.0
 * @category models
 */
export type CacheControl = Readonly<Record<string, internal.DirectiveInput>>

/**
 * Django's `patch_cache_control`: merges directives into `Cache-Control`. Underscores become
 * hyphens; `max_age` keeps the smaller of the old and new values; `public` and `private` replace
 * each other; `no-cache` values accumulate (and a bare `no-cache` absorbs them). A `max-age` in
 * the header that is not an integer, when a new one is given, fails with `InvalidArgument`
 * (Django's `ValueError`).
 *
 * @since 0.1.0
 * @category cache control
 */
export const patchCacheControl: {
  (directives: CacheControl): <A extends AnyResponse>(self: A) => Either.Either<A, HttpResponse.MakeError>
  <A extends AnyResponse>(self: A, directives: CacheControl): Either.Either<A, HttpResponse.MakeError>
} = dual(2, <A extends AnyResponse>(self: A, directives: CacheControl): Either.Either<A, HttpResponse.MakeError> => {
  const value = internal.patchCacheControl(header(self, "Cache-Control"), Object.entries(directives))
  if (value === undefined) {
    return Either.left(
      new InvalidArgument({
        message: `invalid literal for int() with base 10 in Cache-Control max-age (got ${
          JSON.stringify(header(self, "Cache-Control"))
        })`
      })
    )
  }
  return HttpResponse.setHeader(self, "Cache-Control", value)
})

/**
 * Django's `get_max_age`: the integer `max-age` of `Cache-Control`, if any.
 *
 * @since 0.1.0
 * @category cache control
 */
export const getMaxAge = (self: AnyResponse): Option.Option<number> => {
  const cc = header(self, "Cache-Control")
  return cc === undefined ? Option.none() : Option.fromNullable(internal.maxAgeOf(cc))
}

/**
 * `patchResponseHeaders` at a given time (milliseconds since the epoch).
 *
 * @since 0.1.0
 * @category cache control
 */
export const patchResponseHeadersAt = <A extends AnyResponse>(
  self: A,
  cacheTimeout: number,
  nowMillis: number
): Either.Either<A, HttpResponse.MakeError> => {
  const timeout = Math.max(0, cacheTimeout)
  let next = self
  if (header(self, "Expires") === undefined) {
    const expires = httpDate(nowMillis / 1000 + timeout)
    if (expires !== undefined) next = putTrusted(next, "Expires", expires)
  }
  return patchCacheControl(next, { max_age: timeout })
}

/**
 * Django's `patch_response_headers(response, cache_timeout)`: `Expires` (now + timeout, if not
 * set) and `max-age` (the smaller one wins). A negative timeout counts as 0. The time is read
 * from Effect's `Clock`.
 *
 * @since 0.1.0
 * @category cache control
 */
export const patchResponseHeaders: {
  (cacheTimeout: number): <A extends AnyResponse>(self: A) => Effect.Effect<A, HttpResponse.MakeError>
  <A extends AnyResponse>(self: A, cacheTimeout: number): Effect.Effect<A, HttpResponse.MakeError>
} = dual(
  2,
  <A extends AnyResponse>(self: A, cacheTimeout: number): Effect.Effect<A, HttpResponse.MakeError> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => patchResponseHeadersAt(self, cacheTimeout, now))
)

/**
 * `addNeverCacheHeaders` at a given time (milliseconds since the epoch).
 *
 * @since 0.1.0
 * @category cache control
 */
export const addNeverCacheHeadersAt = <A extends AnyResponse>(
  self: A,
  nowMillis: number
): Either.Either<A, HttpResponse.MakeError> =>
  Either.flatMap(
    patchResponseHeadersAt(self, -1, nowMillis),
    patchCacheControl({ no_cache: true, no_store: true, must_revalidate: true, private: true })
  )

/**
 * Django's `add_never_cache_headers`: `Expires` now (if not set) and
 * `max-age=0, no-cache, no-store, must-revalidate, private`. The time is read from Effect's
 * `Clock`.
 *
 * @since 0.1.0
 * @category cache control
 */
export const addNeverCacheHeaders = <A extends AnyResponse>(self: A): Effect.Effect<A, HttpResponse.MakeError> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => addNeverCacheHeadersAt(self, now))

// ---------------------------------------------------------------------------
// Conditional responses
// ---------------------------------------------------------------------------

/**
 * What the request's preconditions decide for a resource.
 *
 * @since 0.1.0
 * @category conditional
 */
export type ConditionalOutcome = internal.Outcome

/**
 * The resource's validators: its ETag (quoted) and its modification time in seconds since the
 * epoch.
 *
 * @since 0.1.0
 * @category conditional
 */
export interface Validators {
  readonly etag?: string | undefined
  readonly lastModified?: number | undefined
}

/**
 * The decision of Django's `get_conditional_response`, without building a response: `If-Match`
 * (strong comparison; `*` matches any ETag), then `If-Unmodified-Since` (only without
 * `If-Match`), then `If-None-Match` (weak comparison: a match is `NotModified` for GET and HEAD,
 * `PreconditionFailed` otherwise), then `If-Modified-Since` (only without `If-None-Match`, GET
 * and HEAD only). Unparsable dates are ignored.
 *
 * @since 0.1.0
 * @category conditional
 */
export const conditionalOutcome = (request: HttpRequest.HttpRequest, validators: Validators): ConditionalOutcome =>
  internal.evaluate(
    {
      method: request.method,
      ifMatch: request.META.HTTP_IF_MATCH,
      ifUnmodifiedSince: request.META.HTTP_IF_UNMODIFIED_SINCE,
      ifNoneMatch: request.META.HTTP_IF_NONE_MATCH,
      ifModifiedSince: request.META.HTTP_IF_MODIFIED_SINCE
    },
    validators.etag,
    validators.lastModified
  )

/**
 * Django's `HttpResponseNotModified` built from a response: only `Cache-Control`,
 * `Content-Location`, `Date`, `ETag`, `Expires`, `Last-Modified` and `Vary` are kept, with the
 * cookies.
 *
 * @since 0.1.0
 * @category conditional
 */
export const notModifiedFrom = (self: AnyResponse | undefined, defaultCharset = "utf-8"): HttpResponse.HttpResponse => {
  const headers: Array<HttpResponse.Header> = []
  if (self !== undefined) {
    for (const name of internal.NOT_MODIFIED_HEADERS) {
      const i = response.findHeader(self.headers, name)
      // Django assigns `new[name] = old[name]`: the name as spelled in its list.
      if (i !== -1) headers.push({ name, value: self.headers[i]!.value, key: name.toLowerCase() })
    }
  }
  return response.unsafeMake<response.Plain>({
    _tag: "HttpResponse",
    streaming: false,
    status: 304,
    customReason: undefined,
    explicitCharset: undefined,
    defaultCharset: self?.defaultCharset ?? defaultCharset,
    headers,
    cookies: self?.cookies ?? [],
    chunks: []
  }) as HttpResponse.HttpResponse
}

/** `HttpResponse(status=412)`. */
const preconditionFailed = (defaultCharset: string): HttpResponse.HttpResponse =>
  response.unsafeMake<response.Plain>({
    _tag: "HttpResponse",
    streaming: false,
    status: 412,
    customReason: undefined,
    explicitCharset: undefined,
    defaultCharset,
    headers: [{
      name: "Content-Type",
      value: `text/html; charset=${defaultCharset}`,
      key: "content-type"
    }],
    cookies: [],
    chunks: []
  }) as HttpResponse.HttpResponse

/**
 * Django's `get_conditional_response(request, etag, last_modified, response)`: a 304 (keeping the
 * headers `notModifiedFrom` keeps) or a 412 (logged as a warning on `django.request`, as Django's
 * `log_response` does) when the preconditions say so; otherwise `response` (`None` when none was
 * given). A response that is not 2xx is returned as it is.
 *
 * @since 0.1.0
 * @category conditional
 */
export const getConditionalResponse = (
  request: HttpRequest.HttpRequest,
  validators: Validators & { readonly response?: AnyResponse | undefined }
): Effect.Effect<Option.Option<AnyResponse>> => {
  const res = validators.response
  if (res !== undefined && !(res.status >= 200 && res.status < 300)) return Effect.succeed(Option.some(res))
  const charset = res?.defaultCharset ?? request.settings.DEFAULT_CHARSET
  switch (conditionalOutcome(request, validators)) {
    case "NotModified":
      return Effect.succeed(Option.some(notModifiedFrom(res, charset)))
    case "PreconditionFailed":
      return Effect.logWarning(`Precondition Failed: ${request.path}`).pipe(
        Effect.annotateLogs({ logger: "django.request", status_code: 412 }),
        Effect.as(Option.some<AnyResponse>(preconditionFailed(charset)))
      )
    case "Proceed":
      return Effect.succeed(Option.fromNullable(res))
  }
}

// ---------------------------------------------------------------------------
// View decorators
// ---------------------------------------------------------------------------

/**
 * A view whose responses of this library go through `f`, template responses too (their headers
 * are patched before they are rendered, as Django patches a `TemplateResponse`); other answers
 * (platform responses, `Respondable`s) pass unchanged.
 */
const mapResponse =
  <E2>(f: <A extends AnyResponse>(response: A) => Effect.Effect<A, E2>) =>
  <E, R>(view: View.View<E, R>): View.View<E | E2, R> =>
  (request) =>
    Effect.flatMap(
      view(request),
      (res): Effect.Effect<View.Response, E2> =>
        HttpResponse.isAnyResponse(res)
          ? f(res)
          : TemplateResponse.isTemplateResponse(res)
          ? TemplateResponse.mapResponse(res, f)
          : Effect.succeed(res)
    )

/**
 * Django's `@never_cache`: `addNeverCacheHeaders` on the view's responses.
 *
 * @since 0.1.0
 * @category decorators
 */
export const neverCache: <E, R>(view: View.View<E, R>) => View.View<E | HttpResponse.MakeError, R> = mapResponse(
  addNeverCacheHeaders
)

/**
 * Django's `@cache_control(**kwargs)`: `patchCacheControl` on the view's responses.
 *
 * @since 0.1.0
 * @category decorators
 */
export const cacheControl = (
  directives: CacheControl
): <E, R>(view: View.View<E, R>) => View.View<E | HttpResponse.MakeError, R> =>
  mapResponse((res) => patchCacheControl(res, directives))

/**
 * Django's `@vary_on_headers(*headers)`: `patchVaryHeaders` on the view's responses.
 *
 * @since 0.1.0
 * @category decorators
 */
export const varyOnHeaders = (
  ...headers: ReadonlyArray<string>
): <E, R>(view: View.View<E, R>) => View.View<E | HttpResponse.MakeError, R> =>
  mapResponse((res) => patchVaryHeaders(res, headers))

/**
 * Django's `@vary_on_cookie`: `Vary: Cookie`.
 *
 * @since 0.1.0
 * @category decorators
 */
export const varyOnCookie: <E, R>(view: View.View<E, R>) => View.View<E | HttpResponse.MakeError, R> = varyOnHeaders(
  "Cookie"
)

/**
 * A validator function of `condition`: computed from the request before the view runs, as a
 * plain value or an Effect; `undefined`/`null` means the resource has none.
 *
 * @since 0.1.0
 * @category models
 */
export type ValidatorFunction<A, E = never, R = never> = (
  request: HttpRequest.HttpRequest
) => A | null | undefined | Effect.Effect<A | null | undefined, E, R>

const run = <A, E, R>(
  f: ValidatorFunction<A, E, R> | undefined,
  request: HttpRequest.HttpRequest
): Effect.Effect<A | undefined, E, R> => {
  if (f === undefined) return Effect.succeed(undefined)
  const out = f(request)
  return Effect.isEffect(out)
    ? Effect.map(out as Effect.Effect<A | null | undefined, E, R>, (a) => a ?? undefined)
    : Effect.succeed((out as A | null | undefined) ?? undefined)
}

/**
 * Options of `condition`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConditionOptions<E1 = never, R1 = never, E2 = never, R2 = never> {
  /** The resource's ETag, quoted or not (`quoteEtag` is applied). */
  readonly etag?: ValidatorFunction<string, E1, R1> | undefined
  /** The resource's modification time (seconds are kept, fractions dropped). */
  readonly lastModified?: ValidatorFunction<Date, E2, R2> | undefined
}

/**
 * Django's `@condition(etag_func, last_modified_func)`: computes the validators from the request,
 * answers 304 or 412 without running the view when the preconditions say so, and otherwise runs
 * the view and, for GET and HEAD, adds `Last-Modified` (if absent) and `ETag` (if absent).
 *
 * @since 0.1.0
 * @category decorators
 */
export const condition = <E1 = never, R1 = never, E2 = never, R2 = never>(
  options: ConditionOptions<E1, R1, E2, R2>
) =>
<E, R>(view: View.View<E, R>): View.View<E | E1 | E2, R | R1 | R2> =>
(request) =>
  Effect.gen(function*() {
    const rawEtag = yield* run(options.etag, request)
    const etag = rawEtag !== undefined ? internal.quoteEtag(rawEtag) : undefined
    const modified = yield* run(options.lastModified, request)
    const time = modified !== undefined ? Math.floor(modified.getTime() / 1000) : undefined
    const lastModified = time !== undefined && !Number.isNaN(time) && time !== 0 ? time : undefined
    const early = yield* getConditionalResponse(request, { etag, lastModified })
    if (Option.isSome(early)) return early.value
    const res = yield* view(request)
    if (!HttpResponse.isAnyResponse(res) || (request.method !== "GET" && request.method !== "HEAD")) return res
    let next = res
    if (lastModified !== undefined && header(next, "Last-Modified") === undefined) {
      const date = httpDate(lastModified)
      if (date !== undefined) next = putTrusted(next, "Last-Modified", date)
    }
    if (etag && header(next, "ETag") === undefined) {
      const set = HttpResponse.setHeader(next, "ETag", etag)
      // An ETag with a newline cannot be sent; Django would fail while writing it. Leave it out.
      if (Either.isRight(set)) next = set.right
    }
    return next
  })

/**
 * Django's `@etag(etag_func)`: `condition({ etag })`.
 *
 * @since 0.1.0
 * @category decorators
 */
export const etag = <E1 = never, R1 = never>(
  f: ValidatorFunction<string, E1, R1>
): <E, R>(view: View.View<E, R>) => View.View<E | E1, R | R1> => condition({ etag: f })

/**
 * Django's `@last_modified(last_modified_func)`: `condition({ lastModified })`.
 *
 * @since 0.1.0
 * @category decorators
 */
export const lastModified = <E2 = never, R2 = never>(
  f: ValidatorFunction<Date, E2, R2>
): <E, R>(view: View.View<E, R>) => View.View<E | E2, R | R2> => condition({ lastModified: f })
