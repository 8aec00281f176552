/**
 * Django 3.2's CSRF protection (`django.middleware.csrf`, `django.views.decorators.csrf`),
 * wire-compatible with Django: the same masked 64-character tokens in the `csrftoken` cookie,
 * the `csrfmiddlewaretoken` form field and the `X-CSRFToken` header, the same checks in the
 * same order, the same reason strings.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Csrf, HttpResponse, View } from "effect-django-http"
 *
 * // A form: the token goes in a hidden field; asking for it makes the middleware set the cookie.
 * const form = () =>
 *   Effect.flatMap(Csrf.hiddenInput, (input) =>
 *     HttpResponse.make({ content: `<form method="post">${input}<button>Go</button></form>` }))
 *
 * // Every POST, PUT, PATCH and DELETE below the middleware must carry the token.
 * const app: View.View<unknown> = Csrf.middleware(form)
 *
 * // A webhook that cannot carry a token:
 * const hook = Csrf.csrfExempt(() => HttpResponse.make({ content: "ok" }))
 * ```
 *
 * Request-scoped state (Django's `META["CSRF_COOKIE"]`, `CSRF_COOKIE_USED`,
 * `csrf_cookie_needs_reset`, `csrf_processing_done`) is the `CsrfToken` service that the
 * middleware (or a decorator) provides to the views below; `getToken` and `rotateToken` read
 * and change it. Where the token is kept between requests is a `Store`: the cookie by default,
 * the session with `CSRF_USE_SESSIONS` (plug one in with `sessionStore`).
 *
 * @since 0.1.0
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import * as Errors from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import * as HttpResponse from "./HttpResponse.js"
import * as internal from "./internal/csrf.js"
import { isSameDomain } from "./internal/host.js"
import * as Middleware from "./Middleware.js"
import * as QueryDict from "./QueryDict.js"
import * as Settings from "./Settings.js"
import * as View from "./View.js"

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

/**
 * Django's `CSRF_SECRET_LENGTH`.
 *
 * @since 0.1.0
 * @category constants
 */
export const SECRET_LENGTH: number = internal.SECRET_LENGTH

/**
 * Django's `CSRF_TOKEN_LENGTH`.
 *
 * @since 0.1.0
 * @category constants
 */
export const TOKEN_LENGTH: number = internal.TOKEN_LENGTH

/**
 * Django's `CSRF_ALLOWED_CHARS` (`string.ascii_letters + string.digits`, in that order).
 *
 * @since 0.1.0
 * @category constants
 */
export const ALLOWED_CHARS: string = internal.CHARS

/**
 * Django's `CSRF_SESSION_KEY`: the session key of the token with `CSRF_USE_SESSIONS`.
 *
 * @since 0.1.0
 * @category constants
 */
export const SESSION_KEY = "_csrftoken"

/**
 * The form field the token is read from on POST.
 *
 * @since 0.1.0
 * @category constants
 */
export const FIELD_NAME = "csrfmiddlewaretoken"

/**
 * @since 0.1.0
 * @category reasons
 */
export const REASON_NO_REFERER = "Referer checking failed - no Referer."

/**
 * The message for a Referer that matches neither the host nor `CSRF_TRUSTED_ORIGINS`.
 *
 * @since 0.1.0
 * @category reasons
 */
export const reasonBadReferer = (referer: string): string =>
  `Referer checking failed - ${referer} does not match any trusted origins.`

/**
 * @since 0.1.0
 * @category reasons
 */
export const REASON_NO_CSRF_COOKIE = "CSRF cookie not set."

/**
 * @since 0.1.0
 * @category reasons
 */
export const REASON_BAD_TOKEN = "CSRF token missing or incorrect."

/**
 * @since 0.1.0
 * @category reasons
 */
export const REASON_MALFORMED_REFERER = "Referer checking failed - Referer is malformed."

/**
 * @since 0.1.0
 * @category reasons
 */
export const REASON_INSECURE_REFERER = "Referer checking failed - Referer is insecure while host is secure."

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

/**
 * A fresh 32-character secret (Django's `_get_new_csrf_string`).
 *
 * @since 0.1.0
 * @category tokens
 */
export const newSecret: () => string = internal.newSecret

/**
 * Masks a 32-character secret into a 64-character token, with a fresh random mask, or with
 * `mask` when given (Django's `_mask_cipher_secret`).
 *
 * @since 0.1.0
 * @category tokens
 */
export const maskSecret = (secret: string, mask?: string): string =>
  mask === undefined ? internal.mask(secret) : internal.maskWith(secret, mask)

/**
 * The secret of a 64-character token (Django's `_unmask_cipher_token`).
 *
 * @since 0.1.0
 * @category tokens
 */
export const unmaskToken: (token: string) => string = internal.unmask

/**
 * Django's `_sanitize_token`: a 64-character alphanumeric token is kept, a 32-character one (a
 * legacy secret) is masked, anything else becomes a fresh random token, which matches nothing.
 *
 * @since 0.1.0
 * @category tokens
 */
export const sanitizeToken: (token: string) => string = internal.sanitize

/**
 * Django's `_compare_masked_tokens`: `true` when two sanitized tokens hide the same secret;
 * constant time.
 *
 * @since 0.1.0
 * @category tokens
 */
export const compareTokens: (a: string, b: string) => boolean = internal.compareMasked

/**
 * The hidden form field of Django's `{% csrf_token %}` for a token.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderHiddenInput = (token: string): string =>
  // Tokens are alphanumeric; anything else is escaped as Django's template engine would.
  `<input type="hidden" name="${FIELD_NAME}" value="${escapeHtml(token)}">`

const escapeHtml = (s: string): string =>
  internal.isAlnum(s)
    ? s
    : s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(
      /'/g,
      "&#x27;"
    )

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const CsrfFailureTypeId: unique symbol = Symbol.for("effect-django-http/Csrf/CsrfFailure")

/**
 * A request the CSRF check rejects, with Django's reason. The middleware answers it with
 * the failure view (`FailureView`); left unhandled it is a 403.
 *
 * @since 0.1.0
 * @category errors
 */
export class CsrfFailure extends Errors.TaggedError("CsrfFailure", { status: 403 })<{ readonly reason: string }> {
  /** @since 0.1.0 */
  readonly [CsrfFailureTypeId]: typeof CsrfFailureTypeId = CsrfFailureTypeId
  /** @since 0.1.0 */
  override get message(): string {
    return this.reason
  }
}

/**
 * What the check can fail with besides `CsrfFailure`: reading the POST body (Django lets these
 * through too; only an unreadable body counts as an empty field), and `ImproperlyConfigured`
 * from the store (`CSRF_USE_SESSIONS` without a session store).
 *
 * @since 0.1.0
 * @category errors
 */
export type CheckError = Exclude<HttpRequest.PostError, Errors.UnreadablePostError> | Errors.ImproperlyConfigured

// ---------------------------------------------------------------------------
// Request-scoped state
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-django-http/Csrf")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/** The mutable cells of one request, shared by the middleware and every decorator below it. */
class Cells {
  /** Django's `META["CSRF_COOKIE"]`: the sanitized stored token, or a new one once asked for. */
  cookie: string | undefined = undefined
  /** `META["CSRF_COOKIE_USED"]`. */
  used = false
  /** `csrf_cookie_needs_reset`. */
  needsReset = false
  /** `csrf_processing_done`. */
  processingDone = false
}

/**
 * The CSRF state of the current request, provided by `middleware` (or a decorator) to the
 * views below it: the stored token, whether a token was asked for (then the response stores
 * it), whether it must be replaced, whether the check already ran.
 *
 * @since 0.1.0
 * @category models
 */
export interface CsrfToken {
  readonly [TypeId]: TypeId
  /** `false` for the view of a decorator nested under the middleware: the outer one stores the token. */
  readonly owner: boolean
  /** @internal */
  readonly cells: Cells
}

/**
 * The request's CSRF state.
 *
 * @since 0.1.0
 * @category tags
 */
export const CsrfToken: Context.Tag<CsrfToken, CsrfToken> = Context.GenericTag<CsrfToken>(
  "effect-django-http/Csrf/CsrfToken"
)

const makeToken = (cells: Cells, owner: boolean): CsrfToken => ({ [TypeId]: TypeId, owner, cells })

/**
 * What the request's CSRF state holds now (for tests and for other middleware).
 *
 * @since 0.1.0
 * @category models
 */
export interface Snapshot {
  /** The token the response will store, if any (Django's `META["CSRF_COOKIE"]`). */
  readonly cookie: Option.Option<string>
  /** A token was asked for in this request (Django's `CSRF_COOKIE_USED`). */
  readonly used: boolean
  /** The stored token was invalid or rotated (Django's `csrf_cookie_needs_reset`). */
  readonly needsReset: boolean
  /** The check accepted this request already (Django's `csrf_processing_done`). */
  readonly processingDone: boolean
}

/**
 * The request's CSRF state as plain values.
 *
 * @since 0.1.0
 * @category accessors
 */
export const snapshot: Effect.Effect<Snapshot, never, CsrfToken> = Effect.map(CsrfToken, ({ cells }) => ({
  cookie: Option.fromNullable(cells.cookie),
  used: cells.used,
  needsReset: cells.needsReset,
  processingDone: cells.processingDone
}))

/**
 * Django's `get_token(request)`: the token for a form or an AJAX header, a fresh masking of
 * the request's secret every time (a new secret when the request has none). Asking for it
 * makes the middleware store the token on the response.
 *
 * @since 0.1.0
 * @category tokens
 */
export const getToken: Effect.Effect<string, never, CsrfToken> = Effect.flatMap(
  CsrfToken,
  ({ cells }) =>
    Effect.sync(() => {
      let secret: string
      if (cells.cookie === undefined || !internal.isSanitized(cells.cookie)) {
        // A value from a session store is taken as it is; one we could not unmask is replaced.
        if (cells.cookie !== undefined) cells.needsReset = true
        secret = internal.newSecret()
        cells.cookie = internal.mask(secret)
      } else {
        secret = internal.unmask(cells.cookie)
      }
      cells.used = true
      return internal.mask(secret)
    })
)

/**
 * Django's `rotate_token(request)`: a new secret for this request, stored on the response
 * (Django calls it on login).
 *
 * @since 0.1.0
 * @category tokens
 */
export const rotateToken: Effect.Effect<void, never, CsrfToken> = Effect.flatMap(
  CsrfToken,
  ({ cells }) =>
    Effect.sync(() => {
      cells.cookie = internal.newToken()
      cells.used = true
      cells.needsReset = true
    })
)

/**
 * Django's `{% csrf_token %}`: `<input type="hidden" name="csrfmiddlewaretoken" value="…">`
 * with a token from `getToken`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const hiddenInput: Effect.Effect<string, never, CsrfToken> = Effect.map(getToken, renderHiddenInput)

// ---------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------

/**
 * Where the token is kept between requests: Django's `_get_token` and `_set_token`.
 *
 * @since 0.1.0
 * @category stores
 */
export interface Store {
  /** The stored value, as sent (`None` when there is none). */
  readonly get: (
    request: HttpRequest.HttpRequest,
    settings: Settings.Settings
  ) => Effect.Effect<Option.Option<string>, Errors.ImproperlyConfigured>
  /** Whether a stored value is sanitized (and replaced when that changes it), as for the cookie. */
  readonly sanitizes: boolean
  /** Stores `token` with the response. */
  readonly save: (
    request: HttpRequest.HttpRequest,
    response: View.Response,
    token: string,
    settings: Settings.Settings
  ) => Effect.Effect<View.Response, Errors.ImproperlyConfigured>
  /**
   * The domain the Referer check trusts besides the host: `CSRF_COOKIE_DOMAIN`, or
   * `SESSION_COOKIE_DOMAIN` with `CSRF_USE_SESSIONS`; `null` for the request's host.
   */
  readonly domain: (settings: Settings.Settings) => string | null
}

const cookieOptions = (settings: Settings.Settings): HttpResponse.CookieOptions => ({
  maxAge: settings.CSRF_COOKIE_AGE ?? undefined,
  domain: settings.CSRF_COOKIE_DOMAIN ?? undefined,
  path: settings.CSRF_COOKIE_PATH,
  secure: settings.CSRF_COOKIE_SECURE,
  httpOnly: settings.CSRF_COOKIE_HTTPONLY,
  sameSite: settings.CSRF_COOKIE_SAMESITE ?? undefined
})

const badCookieSetting = (error: { readonly message: string }) =>
  new Errors.ImproperlyConfigured({ message: `The CSRF cookie cannot be set: ${error.message}` })

const platformSameSite = (s: string | null): "lax" | "strict" | "none" | undefined => {
  const v = s?.toLowerCase()
  return v === "lax" || v === "strict" || v === "none" ? v : undefined
}

const setPlatformCookie = (
  response: HttpServerResponse.HttpServerResponse,
  token: string,
  settings: Settings.Settings
): Effect.Effect<HttpServerResponse.HttpServerResponse, Errors.ImproperlyConfigured> =>
  Effect.map(
    Effect.mapError(
      HttpServerResponse.setCookie(response, settings.CSRF_COOKIE_NAME, token, {
        maxAge: settings.CSRF_COOKIE_AGE === null ? undefined : Duration.seconds(settings.CSRF_COOKIE_AGE),
        domain: settings.CSRF_COOKIE_DOMAIN ?? undefined,
        path: settings.CSRF_COOKIE_PATH,
        secure: settings.CSRF_COOKIE_SECURE,
        httpOnly: settings.CSRF_COOKIE_HTTPONLY,
        sameSite: platformSameSite(settings.CSRF_COOKIE_SAMESITE)
      }),
      badCookieSetting
    ),
    (r) => HttpServerResponse.setHeader(r, "vary", internal.patchVary(r.headers["vary"], ["Cookie"]))
  )

/**
 * The cookie store (Django's default): the `CSRF_COOKIE_NAME` cookie with the `CSRF_COOKIE_*`
 * attributes, and `Vary: Cookie`.
 *
 * @since 0.1.0
 * @category stores
 */
export const cookieStore: Store = {
  get: (request, settings) => Effect.succeed(Option.fromNullable(request.COOKIES[settings.CSRF_COOKIE_NAME])),
  sanitizes: true,
  save: (_request, response, token, settings) => {
    if (HttpResponse.isAnyResponse(response)) {
      return Effect.mapError(
        Effect.flatMap(
          HttpResponse.setCookie(response, settings.CSRF_COOKIE_NAME, token, cookieOptions(settings)),
          (r) =>
            HttpResponse.setHeader(
              r,
              "Vary",
              internal.patchVary(Option.getOrUndefined(HttpResponse.getHeader(r, "Vary")), ["Cookie"])
            )
        ),
        badCookieSetting
      )
    }
    // Not a response of this library: its interpretation has no `MakeError`.
    return Effect.flatMap(Effect.orDie(View.toServerResponse(response)), (r) => setPlatformCookie(r, token, settings))
  },
  domain: (settings) => settings.CSRF_COOKIE_DOMAIN
}

const NO_SESSION = "CSRF_USE_SESSIONS is enabled, but request.session is not set. " +
  "SessionMiddleware must appear before CsrfViewMiddleware in MIDDLEWARE."

/**
 * The store when none is provided: the cookie, or, with `CSRF_USE_SESSIONS`, a failure with
 * Django's `ImproperlyConfigured` message (provide `sessionStore` for that setting).
 *
 * @since 0.1.0
 * @category stores
 */
export const defaultStore: Store = {
  get: (request, settings) =>
    settings.CSRF_USE_SESSIONS
      ? Effect.fail(new Errors.ImproperlyConfigured({ message: NO_SESSION }))
      : cookieStore.get(request, settings),
  sanitizes: true,
  save: (request, response, token, settings) =>
    settings.CSRF_USE_SESSIONS
      ? Effect.fail(new Errors.ImproperlyConfigured({ message: NO_SESSION }))
      : cookieStore.save(request, response, token, settings),
  domain: (settings) => settings.CSRF_COOKIE_DOMAIN
}

/**
 * The session as a store (Django's `CSRF_USE_SESSIONS`), given the session operations of the
 * current request: the token under `_csrftoken`, written only when it changed; the Referer
 * check trusts `sessionDomain` (`SESSION_COOKIE_DOMAIN`). A failing session operation is the
 * session's own business: map it to a defect or handle it before.
 *
 * @since 0.1.0
 * @category stores
 */
export const sessionStore = (session: {
  readonly get: (request: HttpRequest.HttpRequest, key: string) => Effect.Effect<Option.Option<unknown>>
  readonly set: (request: HttpRequest.HttpRequest, key: string, value: string) => Effect.Effect<void>
  readonly sessionDomain: (settings: Settings.Settings) => string | null
}): Store => ({
  get: (request) =>
    Effect.map(
      session.get(request, SESSION_KEY),
      Option.flatMap((v) => (typeof v === "string" ? Option.some(v) : Option.none()))
    ),
  sanitizes: false,
  save: (request, response, token) =>
    Effect.flatMap(session.get(request, SESSION_KEY), (current) =>
      Option.isSome(current) && current.value === token
        ? Effect.succeed(response)
        : Effect.as(session.set(request, SESSION_KEY, token), response)),
  domain: session.sessionDomain
})

/**
 * The store the middleware uses: `defaultStore` unless one is provided
 * (`Effect.provideService(Csrf.CsrfStore, store)` or `Layer.succeed(Csrf.CsrfStore, store)`).
 *
 * @since 0.1.0
 * @category stores
 */
export class CsrfStore extends Context.Reference<CsrfStore>()("effect-django-http/Csrf/CsrfStore", {
  defaultValue: (): Store => defaultStore
}) {}

// ---------------------------------------------------------------------------
// Failure view, test switch
// ---------------------------------------------------------------------------

/**
 * A view for rejected requests (Django's `CSRF_FAILURE_VIEW`), given the reason.
 *
 * @since 0.1.0
 * @category failure view
 */
export interface FailureViewFn {
  (request: HttpRequest.HttpRequest, reason: string): Effect.Effect<View.Response>
}

const failurePage = (reason: string | undefined): string =>
  `<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8">
  <meta name="robots" content="NONE,NOARCHIVE">
  <title>403 Forbidden</title>
</head>
<body>
  <h1>Forbidden <span>(403)</span></h1>
  <p>CSRF verification failed. Request aborted.</p>
${
    reason === undefined
      ? "  <p>The form could not be verified. Reload the page that sent it and try again; " +
        "this site needs cookies to accept forms.</p>"
      : `  <p>Reason given for the failure:</p>\n  <pre>${escapeHtml(reason)}</pre>`
  }
</body>
</html>
`

/** The settings in the context, else the request's own (as `HttpRequest`'s accessors read them). */
const settingsIn = (ctx: Context.Context<never>, request: HttpRequest.HttpRequest): Settings.Settings =>
  Option.getOrElse(Context.getOption(ctx, Settings.Settings), () => request.settings)

/**
 * The default failure view: 403 with `Content-Type: text/html`; the reason is shown only
 * with `DEBUG`.
 *
 * @since 0.1.0
 * @category failure view
 */
export const defaultFailureView: FailureViewFn = (request, reason) =>
  Effect.contextWithEffect((ctx: Context.Context<never>) =>
    Effect.orDie(
      HttpResponse.forbidden({
        content: failurePage(settingsIn(ctx, request).DEBUG ? reason : undefined),
        contentType: "text/html"
      })
    )
  )

/**
 * The failure view the middleware answers a rejected request with: `defaultFailureView`
 * unless one is provided (`Effect.provideService(Csrf.FailureView, view)`).
 *
 * @since 0.1.0
 * @category failure view
 */
export class FailureView extends Context.Reference<FailureView>()("effect-django-http/Csrf/FailureView", {
  defaultValue: (): FailureViewFn => defaultFailureView
}) {}

/**
 * Django's `request._dont_enforce_csrf_checks`, which its test client sets: with `true` in the
 * context, the check accepts every request (cookies are still read and set).
 *
 * @since 0.1.0
 * @category testing
 */
export class DontEnforceChecks extends Context.Reference<DontEnforceChecks>()(
  "effect-django-http/Csrf/DontEnforceChecks",
  { defaultValue: () => false }
) {}

// ---------------------------------------------------------------------------
// The check (Django's process_view)
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const ExemptTypeId: unique symbol = Symbol.for("effect-django-http/Csrf/exempt")

/**
 * What the check needs to know of the view the request goes to.
 *
 * @since 0.1.0
 * @category models
 */
export interface ViewInfo {
  /** The view is marked with `csrfExempt`. */
  readonly csrfExempt: boolean
}

/**
 * `true` for a view marked with `csrfExempt`.
 *
 * @since 0.1.0
 * @category decorators
 */
export const isCsrfExempt = (view: unknown): boolean =>
  (typeof view === "function" || typeof view === "object") && view !== null && hasProperty(view, ExemptTypeId) &&
  view[ExemptTypeId] === true

/**
 * What the check needs to know of a view.
 *
 * @since 0.1.0
 * @category decorators
 */
export const viewInfo = (view: unknown): ViewInfo => (isCsrfExempt(view) ? exemptInfo : protectedInfo)

const exemptInfo: ViewInfo = { csrfExempt: true }
const protectedInfo: ViewInfo = { csrfExempt: false }

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"])

/** The Referer check of an HTTPS request: the reason to reject it, or `undefined`. */
const refererReason = (
  request: HttpRequest.HttpRequest,
  settings: Settings.Settings,
  store: Store
): string | undefined => {
  const raw = request.META.HTTP_REFERER
  if (raw === undefined) return REASON_NO_REFERER
  const referer = internal.parseReferer(raw)
  if (referer.scheme === "" || referer.netloc === "") return REASON_MALFORMED_REFERER
  if (referer.scheme !== "https") return REASON_INSECURE_REFERER
  const domain = store.domain(settings)
  let good: string | null
  if (domain !== null) {
    const port = HttpRequest.getPortWith(request, settings)
    good = port === "443" || port === "80" ? domain : `${domain}:${port}`
  } else {
    good = Either.getOrNull(HttpRequest.getHostWith(request, settings))
  }
  for (const host of settings.CSRF_TRUSTED_ORIGINS) {
    if (isSameDomain(referer.netloc, host)) return undefined
  }
  if (good !== null && isSameDomain(referer.netloc, good)) return undefined
  return reasonBadReferer(internal.refererUrl(raw))
}

/** The token the request was sent with, when it is not in a POST body: the header. */
const headerToken = (request: HttpRequest.HttpRequest, settings: Settings.Settings): string =>
  request.META[settings.CSRF_HEADER_NAME] ?? ""

const reject = (reason: string) => Effect.fail(new CsrfFailure({ reason }))

/** Django's `is_secure()` from settings already at hand (`HttpRequest.isSecure` reads them again). */
const isSecureWith = (request: HttpRequest.HttpRequest, settings: Settings.Settings): boolean => {
  const header = settings.SECURE_PROXY_SSL_HEADER
  if (header !== null) {
    const value = request.META[header[0]]
    if (value !== undefined) return value === header[1]
  }
  return request.urlScheme === "https"
}

/** The store's value when it can be read without an Effect (the cookie stores). */
const syncRead = (
  store: Store,
  request: HttpRequest.HttpRequest,
  settings: Settings.Settings
): Option.Option<string> | undefined =>
  store === cookieStore || (store === defaultStore && !settings.CSRF_USE_SESSIONS)
    ? Option.fromNullable(request.COOKIES[settings.CSRF_COOKIE_NAME])
    : undefined

/** The stored value as the check compares it (`_get_token` in process_view). */
const sanitizeStored = (stored: Option.Option<string>, store: Store, cells: Cells | undefined): string | undefined => {
  if (Option.isNone(stored)) return undefined
  if (!store.sanitizes) return stored.value
  const token = internal.sanitize(stored.value)
  if (token !== stored.value && cells !== undefined) cells.needsReset = true
  return token
}

/** The stored token as the check compares it (`_get_token` in process_view). */
const storedToken = (
  request: HttpRequest.HttpRequest,
  settings: Settings.Settings,
  store: Store,
  cells: Cells | undefined
): Effect.Effect<string | undefined, Errors.ImproperlyConfigured> => {
  const sync = syncRead(store, request, settings)
  return sync !== undefined
    ? Effect.succeed(sanitizeStored(sync, store, cells))
    : Effect.map(store.get(request, settings), (stored) => sanitizeStored(stored, store, cells))
}

/** Compares the submitted token with the stored one: accept, or `REASON_BAD_TOKEN`. */
const compare = (
  submitted: string,
  stored: string,
  cells: Cells | undefined
): Effect.Effect<void, CsrfFailure> => {
  if (!internal.compareMasked(internal.sanitize(submitted), stored)) return reject(REASON_BAD_TOKEN)
  if (cells !== undefined) cells.processingDone = true
  return Effect.void
}

/** Steps 5-7 of process_view: the stored token, the submitted one, the comparison. */
const tokenCheck = (
  request: HttpRequest.HttpRequest,
  settings: Settings.Settings,
  stored: string | undefined,
  cells: Cells | undefined
): Effect.Effect<void, CsrfFailure | CheckError> => {
  if (stored === undefined) return reject(REASON_NO_CSRF_COOKIE)
  if (request.method !== "POST") return compare(headerToken(request, settings), stored, cells)
  // Inline callbacks rather than a `{ onFailure, onSuccess }` object: nothing is named per call.
  return Effect.flatMap(Effect.either(request.POST), (post): Effect.Effect<void, CsrfFailure | CheckError> => {
    if (Either.isLeft(post)) {
      return post.left._tag === "UnreadablePostError"
        ? compare(headerToken(request, settings), stored, cells)
        : Effect.fail(post.left)
    }
    const field = Option.getOrElse(QueryDict.get(post.right, FIELD_NAME), () => "")
    return compare(field === "" ? headerToken(request, settings) : field, stored, cells)
  })
}

/** Steps 5-7, with the stored token read synchronously when the store allows it. */
function checkTokens(
  request: HttpRequest.HttpRequest,
  settings: Settings.Settings,
  store: Store,
  cells: Cells | undefined
): Effect.Effect<void, CsrfFailure | CheckError> {
  const sync = syncRead(store, request, settings)
  return sync !== undefined
    ? tokenCheck(request, settings, sanitizeStored(sync, store, cells), cells)
    : Effect.flatMap(
      storedToken(request, settings, store, cells),
      (stored) => tokenCheck(request, settings, stored, cells)
    )
}

/**
 * Django 3.2's `CsrfViewMiddleware.process_view` as a function of the request and the view it
 * goes to: succeeds when the request may reach the view, fails with `CsrfFailure` and Django's
 * reason otherwise. In order: a request already accepted (by an outer middleware) and an
 * exempt view pass; `GET`, `HEAD`, `OPTIONS` and `TRACE` pass; with `DontEnforceChecks` all
 * pass; on HTTPS the Referer must be https and match the host (or the store's domain) or
 * `CSRF_TRUSTED_ORIGINS`; the stored token must exist; the submitted one (POST field
 * `csrfmiddlewaretoken`, else the `CSRF_HEADER_NAME` header; other methods the header only)
 * must hide the same secret. There is no `Origin` check (Django 4.0 added one).
 *
 * @since 0.1.0
 * @category checking
 */
export const check = (
  request: HttpRequest.HttpRequest,
  view: ViewInfo = protectedInfo
): Effect.Effect<void, CsrfFailure | CheckError> =>
  Effect.withFiberRuntime((fiber) => {
    const ctx = fiber.currentContext
    const state = Context.getOption(ctx, CsrfToken)
    const cells = Option.isSome(state) ? state.value.cells : undefined
    if (cells !== undefined && cells.processingDone) return Effect.void
    if (view.csrfExempt) return Effect.void
    if (SAFE_METHODS.has(request.method) || Context.get(ctx, DontEnforceChecks)) {
      if (cells !== undefined) cells.processingDone = true
      return Effect.void
    }
    const settings = settingsIn(ctx, request)
    const store = Context.get(ctx, CsrfStore)
    if (!isSecureWith(request, settings)) return checkTokens(request, settings, store, cells)
    const reason = refererReason(request, settings, store)
    return reason === undefined ? checkTokens(request, settings, store, cells) : reject(reason)
  })

// ---------------------------------------------------------------------------
// Middleware and decorators
// ---------------------------------------------------------------------------

/**
 * What the middleware and the decorators can fail with (see `CheckError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type MiddlewareError = CheckError

type Mode = "protect" | "requires" | "ensure"

/** Django's `process_request`: the request's state, or the outer middleware's. */
const makeState = (request: HttpRequest.HttpRequest): Effect.Effect<CsrfToken, Errors.ImproperlyConfigured> =>
  Effect.contextWithEffect((ctx: Context.Context<never>) => {
    const outer = Context.getOption(ctx, CsrfToken)
    if (Option.isSome(outer)) return Effect.succeed(makeToken(outer.value.cells, false))
    const cells = new Cells()
    return Effect.as(
      Effect.tap(storedToken(request, settingsIn(ctx, request), Context.get(ctx, CsrfStore), cells), (token) => {
        cells.cookie = token
      }),
      makeToken(cells, true)
    )
  })

/** Django's `process_response`: store the token when one was asked for. */
const finish = (
  request: HttpRequest.HttpRequest,
  state: CsrfToken,
  response: View.Response
): Effect.Effect<View.Response, Errors.ImproperlyConfigured> => {
  const { cells } = state
  if (!state.owner || !cells.used || cells.cookie === undefined) return Effect.succeed(response)
  const token = cells.cookie
  return Effect.contextWithEffect((ctx: Context.Context<never>) =>
    Context.get(ctx, CsrfStore).save(request, response, token, settingsIn(ctx, request))
  )
}

const logRejection = (request: HttpRequest.HttpRequest, reason: string) =>
  Effect.annotateLogs(Effect.logWarning(`Forbidden (${reason}): ${request.path}`), {
    logger: "django.security.csrf",
    status_code: 403
  })

const protectWith =
  (mode: Mode) => <E, R>(view: View.View<E, R>): View.View<E | MiddlewareError, Exclude<R, CsrfToken>> => {
    const info = viewInfo(view)
    const inner = Middleware.make<MiddlewareError, CsrfToken>(<E1, R1>(
      request: HttpRequest.HttpRequest,
      getResponse: View.View<E1, R1>
    ): Effect.Effect<View.Response, E1 | MiddlewareError, R1 | CsrfToken> =>
      Effect.flatMap(CsrfToken, (state) => {
        const checked = check(request, info)
        const gate: Effect.Effect<Option.Option<View.Response>, MiddlewareError> = Effect.catchIf(
          Effect.as(checked, Option.none<View.Response>()),
          isCsrfFailure,
          (failure) =>
            mode === "protect"
              ? Effect.zipRight(
                logRejection(request, failure.reason),
                Effect.flatMap(FailureView, (failureView) =>
                  Effect.map(failureView(request, failure.reason), Option.some))
              )
              : Effect.succeed(Option.none())
        )
        const gated = mode === "ensure"
          ? Effect.zipLeft(gate, Effect.provideService(getToken, CsrfToken, state))
          : gate
        return Effect.flatMap(
          Effect.flatMap(gated, (early) =>
            Option.isSome(early) ? Effect.succeed(early.value) : getResponse(request)),
          (response) => finish(request, state, response)
        )
      })
    )(view)
    return Middleware.provideService(CsrfToken, makeState)(inner)
  }

/**
 * Django's `CsrfViewMiddleware`: reads the stored token, runs `check` before the view (a
 * rejected request gets the `FailureView`'s answer, 403 by default, and is logged as a warning
 * on `django.security.csrf`), provides `CsrfToken` to the view, and stores the token on the
 * response when one was asked for in this request (`getToken`, `rotateToken`), with
 * `Vary: Cookie`.
 *
 * The check runs in `processView`, so it sees the view URL resolution chose: a view marked
 * with `csrfExempt` is not checked, in a `Handler` as when the middleware decorates the view
 * itself. Behind a platform router (where the handler does not resolve), the router's dispatch
 * must pass the resolved view's `viewInfo` to `check`.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware: Middleware.Middleware<MiddlewareError, never, CsrfToken> = Middleware.make({
  // process_request and process_response: the request's token state, the cookie on the way out.
  call: (request, getResponse) =>
    Effect.flatMap(makeState(request), (state) =>
      Effect.flatMap(
        Effect.provideService(getResponse(request), CsrfToken, state),
        (response) => finish(request, state, response)
      )),
  // process_view: the check, with the resolved view's `csrfExempt` mark.
  processView: (request, resolved) =>
    Effect.catchIf(
      Effect.as(check(request, viewInfo(resolved.view)), Option.none<View.Response>()),
      isCsrfFailure,
      (failure) =>
        Effect.zipRight(
          logRejection(request, failure.reason),
          Effect.flatMap(FailureView, (failureView) => Effect.map(failureView(request, failure.reason), Option.some))
        )
    ),
  provides: [CsrfToken]
})

/**
 * Django's `csrf_protect`: the middleware's protection for one view. Under the middleware it
 * checks nothing twice and stores nothing twice.
 *
 * @since 0.1.0
 * @category decorators
 */
export const csrfProtect: <E, R>(view: View.View<E, R>) => View.View<E | MiddlewareError, Exclude<R, CsrfToken>> =
  protectWith("protect")

/**
 * Django's `requires_csrf_token`: the view gets a token (`getToken` works, the cookie is
 * stored when asked for) but no request is rejected.
 *
 * @since 0.1.0
 * @category decorators
 */
export const requiresCsrfToken: <E, R>(
  view: View.View<E, R>
) => View.View<E | MiddlewareError, Exclude<R, CsrfToken>> = protectWith("requires")

/**
 * Django's `ensure_csrf_cookie`: like `requiresCsrfToken`, and the response always stores the
 * token (for pages whose forms are built in JavaScript).
 *
 * @since 0.1.0
 * @category decorators
 */
export const ensureCsrfCookie: <E, R>(
  view: View.View<E, R>
) => View.View<E | MiddlewareError, Exclude<R, CsrfToken>> = protectWith("ensure")

/**
 * Django's `csrf_exempt`: a view the check lets through. The mark is on the view returned
 * (`isCsrfExempt`, `viewInfo`); the view itself is unchanged.
 *
 * @since 0.1.0
 * @category decorators
 */
export const csrfExempt = <E, R>(view: View.View<E, R>): View.View<E, R> & { readonly [ExemptTypeId]: true } =>
  Object.assign((request: HttpRequest.HttpRequest) => view(request), { [ExemptTypeId]: true as const })

/**
 * The reason of a `CsrfFailure`, for a failure view or a test.
 *
 * @since 0.1.0
 * @category guards
 */
export const isCsrfFailure = (u: unknown): u is CsrfFailure => hasProperty(u, CsrfFailureTypeId)
