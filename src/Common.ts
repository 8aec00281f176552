/**
 * Django's `CommonMiddleware`: `DISALLOWED_USER_AGENTS`, the host check, `PREPEND_WWW` and
 * `APPEND_SLASH` (a 301 to `/path/` before the view runs when only the slashed path resolves,
 * and again when the view answers 404), and `Content-Length` on plain responses.
 *
 * ```ts
 * import { HttpResponse, Common, Middleware, Urls, View } from "effect-django-http"
 *
 * const view: View.View = () => HttpResponse.make({ content: "hi" })
 * const urls = Urls.make([Urls.path("articles/<int:year>/", view, { name: "year" })])
 *
 * // GET /articles/2024 answers 301 to /articles/2024/
 * const app = Middleware.compose(Common.commonMiddleware(urls))(view)
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import * as Errors from "./Errors.js"
import { type DisallowedHost, ImproperlyConfigured, PermissionDenied } from "./Errors.js"
import * as HttpRequest from "./HttpRequest.js"
import * as HttpResponse from "./HttpResponse.js"
import { respondThen } from "./internal/middleware.js"
import * as py from "./internal/urls/pyregex.js"
import * as Middleware from "./Middleware.js"
import * as Resolver from "./Resolver.js"
import * as Settings from "./Settings.js"
import * as Urls from "./Urls.js"
import type * as View from "./View.js"

/**
 * Django's `RuntimeError` of `APPEND_SLASH` in `DEBUG` for a POST, PUT or PATCH to a URL that
 * needs the slash: the data would be lost in the redirect. Answered with 500.
 *
 * @since 0.1.0
 * @category errors
 */
export class RuntimeError extends Errors.TaggedError("RuntimeError", { status: 500 }) {}

const NO_APPEND_SLASH: unique symbol = Symbol.for("effect-django-http/Common/noAppendSlash")

/**
 * Django's `@no_append_slash`: a view that `APPEND_SLASH` never redirects to.
 *
 * @since 0.1.0
 * @category combinators
 */
export const noAppendSlash = <E, R>(view: View.View<E, R>): View.View<E, R> =>
  Object.assign((request: HttpRequest.HttpRequest) => view(request), { [NO_APPEND_SLASH]: true })

const shouldAppendSlash = (view: unknown): boolean => !(hasProperty(view, NO_APPEND_SLASH) && view[NO_APPEND_SLASH])

const agents = new Map<string, RegExp | ImproperlyConfigured>()

const agentRegex = (python: string): RegExp | ImproperlyConfigured => {
  let re = agents.get(python)
  if (re === undefined) {
    const t = py.translate(python)
    re = "ok" in t ? new RegExp(t.ok.source, "u") : new ImproperlyConfigured({
      message: `DISALLOWED_USER_AGENTS: "${python}" is not a valid regular expression: ${t.error}`
    })
    if (agents.size < 256) agents.set(python, re)
  }
  return re
}

/**
 * The user-agent check: `PermissionDenied('Forbidden user agent')` when a regex of
 * `DISALLOWED_USER_AGENTS` finds the `User-Agent` (Python syntax, searched anywhere).
 *
 * @since 0.1.0
 * @category checks
 */
export const checkUserAgent = (
  request: HttpRequest.HttpRequest,
  settings: Settings.Settings
): Either.Either<void, PermissionDenied | ImproperlyConfigured> => {
  // No patterns (the default): nothing to check, and META is not built for it.
  if (settings.DISALLOWED_USER_AGENTS.length === 0) return Either.void
  const agent = request.META.HTTP_USER_AGENT
  if (agent === undefined) return Either.void
  for (const python of settings.DISALLOWED_USER_AGENTS) {
    const re = agentRegex(python)
    if (!(re instanceof RegExp)) return Either.left(re)
    if (re.test(agent)) return Either.left(new PermissionDenied({ message: "Forbidden user agent" }))
  }
  return Either.void
}

/** The `Resolver.Urlconf` in `context`, else `fallback`. */
const urlconfIn = (context: Context.Context<never>, fallback: Urls.AnyURLconf): Urls.AnyURLconf =>
  Option.getOrElse(Context.getOption(context, Resolver.Urlconf), () => fallback)

/**
 * Django's `should_redirect_with_slash`: `APPEND_SLASH` is on, the path does not end with `/`,
 * does not resolve, and resolves with a `/` to a view that allows it.
 *
 * @since 0.1.0
 * @category checks
 */
export const shouldRedirectWithSlash = (
  request: HttpRequest.HttpRequest,
  urlconf: Urls.AnyURLconf,
  settings: Settings.Settings
): boolean => {
  if (!settings.APPEND_SLASH || request.pathInfo.endsWith("/")) return false
  if (Option.isSome(Resolver.resolveOption(urlconf, request.pathInfo))) return false
  return Option.match(Resolver.resolveOption(urlconf, request.pathInfo + "/"), {
    onNone: () => false,
    onSome: (match) => shouldAppendSlash(match.func)
  })
}

/**
 * Django's `get_full_path_with_slash`: the full path with a `/` appended (a leading `//`
 * escaped), or, in `DEBUG`, Django's `RuntimeError` for a POST, PUT or PATCH.
 *
 * @since 0.1.0
 * @category checks
 */
export const fullPathWithSlash = (
  request: HttpRequest.HttpRequest,
  settings: Settings.Settings
): Effect.Effect<string, RuntimeError | DisallowedHost> => {
  let path = HttpRequest.getFullPath(request, { forceAppendSlash: true })
  if (path.startsWith("//")) path = "/%2F" + path.slice(2)
  const method = request.method
  if (settings.DEBUG && (method === "POST" || method === "PUT" || method === "PATCH")) {
    return Effect.flatMap(HttpRequest.getHost(request), (host) =>
      Effect.fail(
        new RuntimeError({
          message: `You called this URL via ${method}, but the URL doesn't end in a slash and you have ` +
            `APPEND_SLASH set. Django can't redirect to the slash URL while maintaining ${method} data. ` +
            `Change your form to point to ${host}${path} (note the trailing slash), or set ` +
            `APPEND_SLASH=False in your Django settings.`
        })
      ))
  }
  return Effect.succeed(path)
}

const permanent = (url: string) => Effect.orDie(HttpResponse.permanentRedirect(url))

/**
 * Django's `CommonMiddleware.process_request`: the redirect to answer instead of calling the
 * view, if any.
 *
 * @since 0.1.0
 * @category middleware
 */
export const processRequest = (
  request: HttpRequest.HttpRequest,
  urlconf: Urls.AnyURLconf
): Effect.Effect<
  Option.Option<HttpResponse.HttpResponse>,
  PermissionDenied | ImproperlyConfigured | DisallowedHost | RuntimeError
> =>
  Effect.contextWithEffect((context: Context.Context<never>) =>
    processRequestIn(context, request, urlconf) ?? Effect.succeed(Option.none())
  )

type RequestError = PermissionDenied | ImproperlyConfigured | DisallowedHost | RuntimeError

/**
 * `processRequest` in a context at hand: `undefined` for the usual request (nothing to redirect
 * to, nothing to fail with), so that the middleware spends no step on it.
 */
const processRequestIn = (
  context: Context.Context<never>,
  request: HttpRequest.HttpRequest,
  urlconf: Urls.AnyURLconf
): Effect.Effect<Option.Option<HttpResponse.HttpResponse>, RequestError> | undefined => {
  const settings = Settings.fromContext(context)
  const agent = checkUserAgent(request, settings)
  if (Either.isLeft(agent)) return Effect.fail(agent.left)
  // `get_host()` validates with the settings in effect, or the request's own without any.
  const host = HttpRequest.getHostWith(
    request,
    Option.getOrElse(Context.getOption(context, Settings.Settings), () => request.settings)
  )
  if (Either.isLeft(host)) return Effect.fail(host.left)
  const conf = urlconfIn(context, urlconf)
  const slash = shouldRedirectWithSlash(request, conf, settings)
  const www = settings.PREPEND_WWW && host.right !== "" && !host.right.startsWith("www.")
  // The usual request: nothing to redirect to, and no full path to build.
  if (!slash && !www) return undefined
  const fullPath = HttpRequest.getFullPath(request)
  return Effect.flatMap(
    Effect.zip(
      www ? Effect.map(HttpRequest.scheme(request), (scheme) => `${scheme}://www.${host.right}`) : Effect.succeed(""),
      slash ? fullPathWithSlash(request, settings) : Effect.succeed(fullPath)
    ),
    ([redirect, path]) =>
      redirect !== "" || path !== fullPath
        ? Effect.map(permanent(redirect + path), Option.some)
        : Effect.succeed(Option.none())
  )
}

/**
 * Django's `CommonMiddleware.process_response`: a 404 becomes the redirect to the slashed path
 * when that resolves; a plain response gets `Content-Length`.
 *
 * @since 0.1.0
 * @category middleware
 */
export const processResponse = (
  request: HttpRequest.HttpRequest,
  response: View.Response,
  urlconf: Urls.AnyURLconf
): Effect.Effect<View.Response, RuntimeError | DisallowedHost> => {
  if (!HttpResponse.isAnyResponse(response)) return Effect.succeed(response)
  if (response.status === 404) {
    return Effect.contextWithEffect((context: Context.Context<never>) => {
      const settings = Settings.fromContext(context)
      const conf = urlconfIn(context, urlconf)
      return shouldRedirectWithSlash(request, conf, settings)
        ? Effect.flatMap(fullPathWithSlash(request, settings), permanent)
        : Effect.succeed(withContentLength(response))
    })
  }
  return Effect.succeed(withContentLength(response))
}

/** A plain response gets `Content-Length` when it has none. */
const withContentLength = (response: HttpResponse.AnyResponse): View.Response =>
  HttpResponse.isHttpResponse(response) && !HttpResponse.hasHeader(response, "Content-Length")
    ? Either.getOrElse(
      HttpResponse.setHeader(response, "Content-Length", String(HttpResponse.tell(response))),
      () => response
    )
    : response

/**
 * Django's `CommonMiddleware`, resolving with `urlconf` (or with the `Resolver.Urlconf` in effect
 * when there is one). List it after `SecurityMiddleware` and the session middleware, as Django's
 * project template does.
 *
 * @since 0.1.0
 * @category middleware
 */
export const commonMiddleware = (
  urlconf: Urls.AnyURLconf
): Middleware.Middleware<PermissionDenied | ImproperlyConfigured | DisallowedHost | RuntimeError> =>
  Middleware.make<RequestError>((request, getResponse) =>
    Effect.withFiberRuntime((fiber) => {
      const after = (response: View.Response) => processResponse(request, response, urlconf)
      const rest = () => Effect.flatMap(getResponse(request), after)
      const early = processRequestIn(fiber.currentContext, request, urlconf)
      // Nothing to do before the view (the usual case): the layer below runs at once, under this
      // layer's continuation (`respondThen`).
      return early === undefined
        ? respondThen(fiber, getResponse, request, undefined, { onFailure: Effect.failCause, onSuccess: after })
        : Effect.flatMap(
          early,
          Option.match({
            onSome: (redirect): Effect.Effect<View.Response, RuntimeError | DisallowedHost> => Effect.succeed(redirect),
            onNone: rest
          })
        )
    })
  )
