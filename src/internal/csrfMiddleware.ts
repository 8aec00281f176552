/**
 * The implementation of `Csrf`: the request's token state, the stores, the check (Django 3.2's
 * `CsrfViewMiddleware.process_view`), the middleware and the decorators. The failure type is
 * the public module's (`Csrf.CsrfFailure`), handed in by `make`.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import type * as Csrf from "../Csrf.js"
import * as Errors from "../Errors.js"
import * as HttpRequest from "../HttpRequest.js"
import * as HttpResponse from "../HttpResponse.js"
import * as Middleware from "../Middleware.js"
import * as QueryDict from "../QueryDict.js"
import * as ResponseCookies from "../ResponseCookies.js"
import * as Settings from "../Settings.js"
import * as View from "../View.js"
import * as internal from "./csrf.js"
import { isSameDomain } from "./host.js"
import { matchPost, postIfParsed } from "./httpRequest.js"
import { respondServiceThen, ViewNowTypeId } from "./middleware.js"
import { escape } from "./python/html.js"

export const SESSION_KEY = "_csrftoken"
export const FIELD_NAME = "csrfmiddlewaretoken"
export const REASON_NO_REFERER = "Referer checking failed - no Referer."
export const reasonBadReferer = (referer: string): string =>
  `Referer checking failed - ${referer} does not match any trusted origins.`
export const REASON_NO_CSRF_COOKIE = "CSRF cookie not set."
export const REASON_BAD_TOKEN = "CSRF token missing or incorrect."
export const REASON_MALFORMED_REFERER = "Referer checking failed - Referer is malformed."
export const REASON_INSECURE_REFERER = "Referer checking failed - Referer is insecure while host is secure."

export const escapeHtml = (s: string): string => internal.isAlnum(s) ? s : escape(s)

export const renderHiddenInput = (token: string): string =>
  // Tokens are alphanumeric; anything else is escaped as Django's template engine would.
  `<input type="hidden" name="${FIELD_NAME}" value="${escapeHtml(token)}">`

// ---------------------------------------------------------------------------
// Request-scoped state
// ---------------------------------------------------------------------------

export const TypeId: Csrf.TypeId = Symbol.for("effect-django-http/Csrf") as Csrf.TypeId

/** The mutable cells of one request, shared by the middleware and every decorator below it. */
export class Cells {
  /** Django's `META["CSRF_COOKIE"]`: the sanitized stored token, or a new one once asked for. */
  cookie: string | undefined = undefined
  /** `META["CSRF_COOKIE_USED"]`. */
  used = false
  /** `csrf_cookie_needs_reset`. */
  needsReset = false
  /** `csrf_processing_done`. */
  processingDone = false
}

export const CsrfToken: Context.Tag<Csrf.CsrfToken, Csrf.CsrfToken> = Context.GenericTag<Csrf.CsrfToken>(
  "effect-django-http/Csrf/CsrfToken"
)

const makeToken = (cells: Cells, owner: boolean): Csrf.CsrfToken => ({ [TypeId]: TypeId, owner, cells })

export const snapshot: Effect.Effect<Csrf.Snapshot, never, Csrf.CsrfToken> = Effect.map(CsrfToken, ({ cells }) => ({
  cookie: Option.fromNullable(cells.cookie),
  used: cells.used,
  needsReset: cells.needsReset,
  processingDone: cells.processingDone
}))

/** `get_token(request)` on the request's state (what `getToken` runs; templates call it synchronously). */
export const unsafeGetToken = ({ cells }: Csrf.CsrfToken): string => {
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
}

export const getToken: Effect.Effect<string, never, Csrf.CsrfToken> = Effect.flatMap(
  CsrfToken,
  (state) => Effect.sync(() => unsafeGetToken(state))
)

export const rotateToken: Effect.Effect<void, never, Csrf.CsrfToken> = Effect.flatMap(
  CsrfToken,
  ({ cells }) =>
    Effect.sync(() => {
      cells.cookie = internal.newToken()
      cells.used = true
      cells.needsReset = true
    })
)

// ---------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------

const cookieOptions = (settings: Settings.Settings): ResponseCookies.CookieOptions => ({
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

export const cookieStore: Csrf.Store = {
  get: (request, settings) => Effect.succeed(Option.fromNullable(request.COOKIES[settings.CSRF_COOKIE_NAME])),
  sanitizes: true,
  save: (_request, response, token, settings) => {
    if (HttpResponse.isAnyResponse(response)) {
      // `setCookie` then `Vary: Cookie`, in one step: the Clock read as `setCookie` reads it.
      return Effect.clockWith((clock) => {
        const withCookie = ResponseCookies.setCookieAt(
          response,
          settings.CSRF_COOKIE_NAME,
          token,
          cookieOptions(settings),
          clock.unsafeCurrentTimeMillis()
        )
        if (Either.isLeft(withCookie)) return Effect.fail(badCookieSetting(withCookie.left))
        const r = withCookie.right
        const varied = HttpResponse.setHeader(
          r,
          "Vary",
          internal.patchVary(Option.getOrUndefined(HttpResponse.getHeader(r, "Vary")), ["Cookie"])
        )
        return Either.isLeft(varied) ? Effect.fail(badCookieSetting(varied.left)) : Effect.succeed(varied.right)
      })
    }
    // Not a response of this library: its interpretation has no `MakeError`.
    return Effect.flatMap(Effect.orDie(View.toServerResponse(response)), (r) => setPlatformCookie(r, token, settings))
  },
  domain: (settings) => settings.CSRF_COOKIE_DOMAIN
}

const NO_SESSION = "CSRF_USE_SESSIONS is enabled, but request.session is not set. " +
  "SessionMiddleware must appear before CsrfViewMiddleware in MIDDLEWARE."

export const defaultStore: Csrf.Store = {
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

export const sessionStore = (session: {
  readonly get: (request: HttpRequest.HttpRequest, key: string) => Effect.Effect<Option.Option<unknown>>
  readonly set: (request: HttpRequest.HttpRequest, key: string, value: string) => Effect.Effect<void>
  readonly sessionDomain: (settings: Settings.Settings) => string | null
}): Csrf.Store => ({
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

export class CsrfStore extends Context.Reference<CsrfStore>()("effect-django-http/Csrf/CsrfStore", {
  defaultValue: (): Csrf.Store => defaultStore
}) {}

// ---------------------------------------------------------------------------
// Failure view, test switch
// ---------------------------------------------------------------------------

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

export const defaultFailureView: Csrf.FailureViewFn = (request, reason) =>
  Effect.contextWithEffect((ctx: Context.Context<never>) =>
    Effect.orDie(
      HttpResponse.forbidden({
        content: failurePage(settingsIn(ctx, request).DEBUG ? reason : undefined),
        contentType: "text/html"
      })
    )
  )

export class FailureView extends Context.Reference<FailureView>()("effect-django-http/Csrf/FailureView", {
  defaultValue: (): Csrf.FailureViewFn => defaultFailureView
}) {}

export class DontEnforceChecks extends Context.Reference<DontEnforceChecks>()(
  "effect-django-http/Csrf/DontEnforceChecks",
  { defaultValue: () => false }
) {}

// ---------------------------------------------------------------------------
// The check (Django's process_view)
// ---------------------------------------------------------------------------

export const ExemptTypeId: typeof Csrf.ExemptTypeId = Symbol.for(
  "effect-django-http/Csrf/exempt"
) as typeof Csrf.ExemptTypeId

export const isCsrfExempt = (view: unknown): boolean =>
  (typeof view === "function" || typeof view === "object") && view !== null && hasProperty(view, ExemptTypeId) &&
  view[ExemptTypeId] === true

const exemptInfo: Csrf.ViewInfo = { csrfExempt: true }
export const protectedInfo: Csrf.ViewInfo = { csrfExempt: false }

export const viewInfo = (view: unknown): Csrf.ViewInfo => (isCsrfExempt(view) ? exemptInfo : protectedInfo)

export const csrfExempt = <E, R>(
  view: View.View<E, R>
): View.View<E, R> & { readonly [Csrf.ExemptTypeId]: true } =>
  Object.assign((request: HttpRequest.HttpRequest) => view(request), { [ExemptTypeId]: true as const })

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"])

/** The Referer check of an HTTPS request: the reason to reject it, or `undefined`. */
const refererReason = (
  request: HttpRequest.HttpRequest,
  settings: Settings.Settings,
  store: Csrf.Store
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
  store: Csrf.Store,
  request: HttpRequest.HttpRequest,
  settings: Settings.Settings
): Option.Option<string> | undefined =>
  store === cookieStore || (store === defaultStore && !settings.CSRF_USE_SESSIONS)
    ? Option.fromNullable(request.COOKIES[settings.CSRF_COOKIE_NAME])
    : undefined

/** The stored value as the check compares it (`_get_token` in process_view). */
const sanitizeStored = (
  stored: Option.Option<string>,
  store: Csrf.Store,
  cells: Cells | undefined
): string | undefined => {
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
  store: Csrf.Store,
  cells: Cells | undefined
): Effect.Effect<string | undefined, Errors.ImproperlyConfigured> => {
  const sync = syncRead(store, request, settings)
  return sync !== undefined
    ? Effect.succeed(sanitizeStored(sync, store, cells))
    : Effect.map(store.get(request, settings), (stored) => sanitizeStored(stored, store, cells))
}

/**
 * Django's `process_request` in `ctx`: the request's state, or the outer middleware's; made
 * without an Effect when the stored token reads synchronously (the cookie stores), else
 * `undefined` (see `makeState`).
 */
const makeStateNow = (ctx: Context.Context<never>, request: HttpRequest.HttpRequest): Csrf.CsrfToken | undefined => {
  const outer = ctx.unsafeMap.get(CsrfToken.key) as Csrf.CsrfToken | undefined
  if (outer !== undefined) return makeToken(outer.cells, false)
  const settings = settingsIn(ctx, request)
  const store = Context.get(ctx, CsrfStore)
  const sync = syncRead(store, request, settings)
  if (sync === undefined) return undefined
  const cells = new Cells()
  cells.cookie = sanitizeStored(sync, store, cells)
  return makeToken(cells, true)
}

/** Django's `process_request`: the request's state, or the outer middleware's. */
const makeState = (request: HttpRequest.HttpRequest): Effect.Effect<Csrf.CsrfToken, Errors.ImproperlyConfigured> =>
  Effect.withFiberRuntime((fiber) => {
    const ctx = fiber.currentContext
    const now = makeStateNow(ctx, request)
    if (now !== undefined) return Effect.succeed(now)
    const cells = new Cells()
    return Effect.map(storedToken(request, settingsIn(ctx, request), Context.get(ctx, CsrfStore), cells), (token) => {
      cells.cookie = token
      return makeToken(cells, true)
    })
  })

/** The token `process_response` stores: when this middleware made it and it was asked for. */
const toStore = (state: Csrf.CsrfToken) => state.owner && state.cells.used ? state.cells.cookie : undefined

/** Django's `process_response`: store the token when one was asked for. */
const finish = (
  request: HttpRequest.HttpRequest,
  state: Csrf.CsrfToken,
  response: View.Response
): Effect.Effect<View.Response, Errors.ImproperlyConfigured> =>
  toStore(state) === undefined
    ? Effect.succeed(response)
    : Effect.withFiberRuntime((fiber) => finishIn(fiber.currentContext, request, state, response))

/**
 * `finish` in a context at hand: called from the middleware's continuation (which runs in the
 * context `finish` would read), without a step of its own.
 */
const finishIn = (
  ctx: Context.Context<never>,
  request: HttpRequest.HttpRequest,
  state: Csrf.CsrfToken,
  response: View.Response
): Effect.Effect<View.Response, Errors.ImproperlyConfigured> => {
  const cookie = toStore(state)
  if (cookie === undefined) return Effect.succeed(response)
  return Context.get(ctx, CsrfStore).save(request, response, cookie, settingsIn(ctx, request))
}

/** `process_view`'s `None`: the view is called. */
const noAnswer: Effect.Effect<Option.Option<View.Response>> = Effect.succeed(Option.none())

const logRejection = (request: HttpRequest.HttpRequest, reason: string) =>
  Effect.annotateLogs(Effect.logWarning(`Forbidden (${reason}): ${request.path}`), {
    logger: "django.security.csrf",
    status_code: 403
  })

type Mode = "protect" | "requires" | "ensure"

/**
 * The check, the middleware and the decorators, failing with the public module's `CsrfFailure`
 * (built by `fail`, recognised by `isFailure`).
 */
export const make = <F extends { readonly reason: string }>(
  fail: (reason: string) => F,
  isFailure: (u: unknown) => u is F
) => {
  const reject = (reason: string) => Effect.fail(fail(reason))

  /** Compares the submitted token with the stored one: accept, or `REASON_BAD_TOKEN`. */
  const compare = (
    submitted: string,
    stored: string,
    cells: Cells | undefined
  ): Effect.Effect<void, F> => {
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
  ): Effect.Effect<void, F | Csrf.CheckError> => {
    if (stored === undefined) return reject(REASON_NO_CSRF_COOKIE)
    if (request.method !== "POST") return compare(headerToken(request, settings), stored, cells)
    // `request.POST` read without an effect when it is known already (an earlier middleware or
    // the view parsed it, or the body is not a form); else read (and parsed) here, as Django's
    // `process_view` does when it is the first reader.
    const parsed = postIfParsed(request)
    if (parsed !== undefined) return withPost(request, settings, stored, cells, parsed)
    return matchPost(
      request,
      (post): Effect.Effect<void, F | Csrf.CheckError> => withPost(request, settings, stored, cells, post)
    )
  }

  /** Step 6 once POST is known: the form field, else the header (also when the body was unreadable). */
  const withPost = (
    request: HttpRequest.HttpRequest,
    settings: Settings.Settings,
    stored: string,
    cells: Cells | undefined,
    post: Either.Either<QueryDict.QueryDict, HttpRequest.PostError>
  ): Effect.Effect<void, F | Csrf.CheckError> => {
    if (Either.isLeft(post)) {
      return post.left._tag === "UnreadablePostError"
        ? compare(headerToken(request, settings), stored, cells)
        : Effect.fail(post.left)
    }
    const field = Option.getOrElse(QueryDict.get(post.right, FIELD_NAME), () => "")
    return compare(field === "" ? headerToken(request, settings) : field, stored, cells)
  }

  /** Steps 5-7, with the stored token read synchronously when the store allows it. */
  function checkTokens(
    request: HttpRequest.HttpRequest,
    settings: Settings.Settings,
    store: Csrf.Store,
    cells: Cells | undefined
  ): Effect.Effect<void, F | Csrf.CheckError> {
    const sync = syncRead(store, request, settings)
    return sync !== undefined
      ? tokenCheck(request, settings, sanitizeStored(sync, store, cells), cells)
      : Effect.flatMap(
        storedToken(request, settings, store, cells),
        (stored) => tokenCheck(request, settings, stored, cells)
      )
  }

  const check = (
    request: HttpRequest.HttpRequest,
    view: Csrf.ViewInfo = protectedInfo
  ): Effect.Effect<void, F | Csrf.CheckError> =>
    Effect.withFiberRuntime((fiber) => checkIn(fiber.currentContext, request, view))

  /** `check` in a context at hand: `Effect.void` itself when the request passes without an Effect. */
  const checkIn = (
    ctx: Context.Context<never>,
    request: HttpRequest.HttpRequest,
    view: Csrf.ViewInfo
  ): Effect.Effect<void, F | Csrf.CheckError> => {
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
  }

  const rejected = (request: HttpRequest.HttpRequest) => (failure: F) =>
    Effect.zipRight(
      logRejection(request, failure.reason),
      Effect.flatMap(FailureView, (failureView) => Effect.map(failureView(request, failure.reason), Option.some))
    )

  const protectWith =
    (mode: Mode) => <E, R>(view: View.View<E, R>): View.View<E | Csrf.MiddlewareError, Exclude<R, Csrf.CsrfToken>> => {
      const info = viewInfo(view)
      const inner = Middleware.make<Csrf.MiddlewareError, Csrf.CsrfToken>(<E1, R1>(
        request: HttpRequest.HttpRequest,
        getResponse: View.View<E1, R1>
      ): Effect.Effect<View.Response, E1 | Csrf.MiddlewareError, R1 | Csrf.CsrfToken> =>
        Effect.flatMap(CsrfToken, (state) => {
          const checked = check(request, info)
          const gate: Effect.Effect<Option.Option<View.Response>, Csrf.MiddlewareError> = Effect.catchIf(
            Effect.as(checked, Option.none<View.Response>()),
            isFailure,
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
            Effect.flatMap(gated, (early) => Option.isSome(early) ? Effect.succeed(early.value) : getResponse(request)),
            (response) => finish(request, state, response)
          )
        })
      )(view)
      return Middleware.provideService(CsrfToken, makeState)(inner)
    }

  /** `process_view` in a context at hand: `None` itself when the request passes without an Effect. */
  const viewNow = (
    ctx: Context.Context<never>,
    request: HttpRequest.HttpRequest,
    resolved: Middleware.Resolved
  ): Option.Option<View.Response> | Effect.Effect<Option.Option<View.Response>, Csrf.MiddlewareError> => {
    const checked = checkIn(ctx, request, viewInfo(resolved.view))
    return checked === Effect.void
      ? Option.none()
      : Effect.catchIf(Effect.as(checked, Option.none<View.Response>()), isFailure, rejected(request))
  }

  // In the chain's core, where the context is at hand, the check is asked in place (`viewNow`).
  const processView = Object.assign(
    (
      request: HttpRequest.HttpRequest,
      resolved: Middleware.Resolved
    ): Effect.Effect<Option.Option<View.Response>, Csrf.MiddlewareError> =>
      Effect.withFiberRuntime((fiber) => {
        const answer = viewNow(fiber.currentContext, request, resolved)
        // (An `Option` is an Effect too: told apart first.)
        return Option.isOption(answer) ? noAnswer : answer
      }),
    { [ViewNowTypeId]: viewNow }
  )

  const middleware: Middleware.Middleware<Csrf.MiddlewareError, never, Csrf.CsrfToken> = Middleware.make({
    // process_request and process_response: the request's token state, the cookie on the way out.
    // The state is made without a step of its own when the store reads synchronously.
    call: (request, getResponse) =>
      Effect.withFiberRuntime((fiber) => {
        const now = makeStateNow(fiber.currentContext, request)
        const around = (state: Csrf.CsrfToken) =>
          respondServiceThen(fiber, getResponse, request, CsrfToken, state, {
            onFailure: Effect.failCause,
            // The context is restored when this runs: `finish`'s own.
            onSuccess: (response) => finishIn(fiber.currentContext, request, state, response)
          })
        return now !== undefined ? around(now) : Effect.flatMap(makeState(request), around)
      }),
    // process_view: the check, with the resolved view's `csrfExempt` mark.
    // A request that passes without an Effect (a safe method, a checked form already parsed)
    // costs one step.
    processView,
    provides: [CsrfToken]
  })

  return { check, protectWith, middleware }
}
