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
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import * as Errors from "./Errors.js"
import type * as HttpRequest from "./HttpRequest.js"
import * as internal from "./internal/csrf.js"
import * as impl from "./internal/csrfMiddleware.js"
import type * as Middleware from "./Middleware.js"
import type * as Settings from "./Settings.js"
import type * as View from "./View.js"

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
export const SESSION_KEY: string = impl.SESSION_KEY

/**
 * The form field the token is read from on POST.
 *
 * @since 0.1.0
 * @category constants
 */
export const FIELD_NAME: string = impl.FIELD_NAME

/**
 * @since 0.1.0
 * @category reasons
 */
export const REASON_NO_REFERER: string = impl.REASON_NO_REFERER

/**
 * The message for a Referer that matches neither the host nor `CSRF_TRUSTED_ORIGINS`.
 *
 * @since 0.1.0
 * @category reasons
 */
export const reasonBadReferer: (referer: string) => string = impl.reasonBadReferer

/**
 * @since 0.1.0
 * @category reasons
 */
export const REASON_NO_CSRF_COOKIE: string = impl.REASON_NO_CSRF_COOKIE

/**
 * @since 0.1.0
 * @category reasons
 */
export const REASON_BAD_TOKEN: string = impl.REASON_BAD_TOKEN

/**
 * @since 0.1.0
 * @category reasons
 */
export const REASON_MALFORMED_REFERER: string = impl.REASON_MALFORMED_REFERER

/**
 * @since 0.1.0
 * @category reasons
 */
export const REASON_INSECURE_REFERER: string = impl.REASON_INSECURE_REFERER

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
export const renderHiddenInput: (token: string) => string = impl.renderHiddenInput

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

const checks = impl.make(
  (reason) => new CsrfFailure({ reason }),
  (u): u is CsrfFailure => hasProperty(u, CsrfFailureTypeId)
)

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
export const TypeId: unique symbol = impl.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

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
  readonly cells: impl.Cells
}

/**
 * The request's CSRF state.
 *
 * @since 0.1.0
 * @category tags
 */
export const CsrfToken: Context.Tag<CsrfToken, CsrfToken> = impl.CsrfToken

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
export const snapshot: Effect.Effect<Snapshot, never, CsrfToken> = impl.snapshot

/**
 * Django's `get_token(request)`: the token for a form or an AJAX header, a fresh masking of
 * the request's secret every time (a new secret when the request has none). Asking for it
 * makes the middleware store the token on the response.
 *
 * @since 0.1.0
 * @category tokens
 */
export const getToken: Effect.Effect<string, never, CsrfToken> = impl.getToken

/**
 * Django's `rotate_token(request)`: a new secret for this request, stored on the response
 * (Django calls it on login).
 *
 * @since 0.1.0
 * @category tokens
 */
export const rotateToken: Effect.Effect<void, never, CsrfToken> = impl.rotateToken

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

/**
 * The cookie store (Django's default): the `CSRF_COOKIE_NAME` cookie with the `CSRF_COOKIE_*`
 * attributes, and `Vary: Cookie`.
 *
 * @since 0.1.0
 * @category stores
 */
export const cookieStore: Store = impl.cookieStore

/**
 * The store when none is provided: the cookie, or, with `CSRF_USE_SESSIONS`, a failure with
 * Django's `ImproperlyConfigured` message (provide `sessionStore` for that setting).
 *
 * @since 0.1.0
 * @category stores
 */
export const defaultStore: Store = impl.defaultStore

/**
 * The session as a store (Django's `CSRF_USE_SESSIONS`), given the session operations of the
 * current request: the token under `_csrftoken`, written only when it changed; the Referer
 * check trusts `sessionDomain` (`SESSION_COOKIE_DOMAIN`). A failing session operation is the
 * session's own business: map it to a defect or handle it before.
 *
 * @since 0.1.0
 * @category stores
 */
export const sessionStore: (session: {
  readonly get: (request: HttpRequest.HttpRequest, key: string) => Effect.Effect<Option.Option<unknown>>
  readonly set: (request: HttpRequest.HttpRequest, key: string, value: string) => Effect.Effect<void>
  readonly sessionDomain: (settings: Settings.Settings) => string | null
}) => Store = impl.sessionStore

/**
 * The store the middleware uses: `defaultStore` unless one is provided
 * (`Effect.provideService(Csrf.CsrfStore, store)` or `Layer.succeed(Csrf.CsrfStore, store)`).
 *
 * @since 0.1.0
 * @category stores
 */
export const CsrfStore: typeof impl.CsrfStore = impl.CsrfStore

/**
 * @since 0.1.0
 * @category stores
 */
export type CsrfStore = impl.CsrfStore

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

/**
 * The default failure view: 403 with `Content-Type: text/html`; the reason is shown only
 * with `DEBUG`.
 *
 * @since 0.1.0
 * @category failure view
 */
export const defaultFailureView: FailureViewFn = impl.defaultFailureView

/**
 * The failure view the middleware answers a rejected request with: `defaultFailureView`
 * unless one is provided (`Effect.provideService(Csrf.FailureView, view)`).
 *
 * @since 0.1.0
 * @category failure view
 */
export const FailureView: typeof impl.FailureView = impl.FailureView

/**
 * @since 0.1.0
 * @category failure view
 */
export type FailureView = impl.FailureView

/**
 * Django's `request._dont_enforce_csrf_checks`, which its test client sets: with `true` in the
 * context, the check accepts every request (cookies are still read and set).
 *
 * @since 0.1.0
 * @category testing
 */
export const DontEnforceChecks: typeof impl.DontEnforceChecks = impl.DontEnforceChecks

/**
 * @since 0.1.0
 * @category testing
 */
export type DontEnforceChecks = impl.DontEnforceChecks

// ---------------------------------------------------------------------------
// The check (Django's process_view)
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const ExemptTypeId: unique symbol = impl.ExemptTypeId

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
export const isCsrfExempt: (view: unknown) => boolean = impl.isCsrfExempt

/**
 * What the check needs to know of a view.
 *
 * @since 0.1.0
 * @category decorators
 */
export const viewInfo: (view: unknown) => ViewInfo = impl.viewInfo

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
export const check: (
  request: HttpRequest.HttpRequest,
  view?: ViewInfo
) => Effect.Effect<void, CsrfFailure | CheckError> = checks.check

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
export const middleware: Middleware.Middleware<MiddlewareError, never, CsrfToken> = checks.middleware

/**
 * Django's `csrf_protect`: the middleware's protection for one view. Under the middleware it
 * checks nothing twice and stores nothing twice.
 *
 * @since 0.1.0
 * @category decorators
 */
export const csrfProtect: <E, R>(view: View.View<E, R>) => View.View<E | MiddlewareError, Exclude<R, CsrfToken>> =
  checks.protectWith("protect")

/**
 * Django's `requires_csrf_token`: the view gets a token (`getToken` works, the cookie is
 * stored when asked for) but no request is rejected.
 *
 * @since 0.1.0
 * @category decorators
 */
export const requiresCsrfToken: <E, R>(
  view: View.View<E, R>
) => View.View<E | MiddlewareError, Exclude<R, CsrfToken>> = checks.protectWith("requires")

/**
 * Django's `ensure_csrf_cookie`: like `requiresCsrfToken`, and the response always stores the
 * token (for pages whose forms are built in JavaScript).
 *
 * @since 0.1.0
 * @category decorators
 */
export const ensureCsrfCookie: <E, R>(
  view: View.View<E, R>
) => View.View<E | MiddlewareError, Exclude<R, CsrfToken>> = checks.protectWith("ensure")

/**
 * Django's `csrf_exempt`: a view the check lets through. The mark is on the view returned
 * (`isCsrfExempt`, `viewInfo`); the view itself is unchanged.
 *
 * @since 0.1.0
 * @category decorators
 */
export const csrfExempt: <E, R>(
  view: View.View<E, R>
) => View.View<E, R> & { readonly [ExemptTypeId]: true } = impl.csrfExempt

/**
 * The reason of a `CsrfFailure`, for a failure view or a test.
 *
 * @since 0.1.0
 * @category guards
 */
export const isCsrfFailure = (u: unknown): u is CsrfFailure => hasProperty(u, CsrfFailureTypeId)
