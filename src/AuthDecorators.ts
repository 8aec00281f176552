/**
 * Django's view decorators of `django.contrib.auth.decorators`: `loginRequired`,
 * `userPassesTest` and `permissionRequired`, and `redirectToLogin`. A decorated view reads
 * `request.user` (`Auth.RequestUser`, which `Auth.middleware` provides).
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, AuthDecorators, HttpResponse, Sessions, View } from "effect-django-http"
 *
 * const whoami: View.View<unknown, Auth.RequestUser> = () =>
 *   Effect.flatMap(Auth.user, (user) => HttpResponse.make({ content: Auth.userString(user) }))
 *
 * // anonymous users are sent to LOGIN_URL?next=<this URL>
 * const app = Sessions.middleware(Auth.middleware(AuthDecorators.loginRequired(whoami)))
 * ```
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type { AnyUser, AuthError, RequestUser } from "./Auth.js"
import type { DisallowedHost, DisallowedRedirect, PermissionDenied } from "./Errors.js"
import type * as HttpResponse from "./HttpResponse.js"
import * as api from "./internal/authApi.js"
import type * as View from "./View.js"

/**
 * Django's `redirect_to_login(next, login_url, redirect_field_name)`: a 302 to the login URL
 * with `next` added to its query string (quoted as `QueryDict.urlencode(safe="/")` does); an
 * empty field name adds nothing.
 *
 * @since 0.2.0
 * @category decorators
 */
export const redirectToLogin: (
  next: string,
  options?: { readonly loginUrl?: string | undefined; readonly redirectFieldName?: string | null | undefined }
) => Effect.Effect<HttpResponse.HttpResponse, HttpResponse.MakeError | DisallowedRedirect> = api.redirectToLogin

/**
 * The options of `userPassesTest` and `loginRequired`.
 *
 * @since 0.2.0
 * @category decorators
 */
export interface TestOptions {
  /** Django's `login_url`: `LOGIN_URL` when absent. */
  readonly loginUrl?: string | undefined
  /** Django's `redirect_field_name`: `"next"` when absent; `null` or `""` adds none. */
  readonly redirectFieldName?: string | null | undefined
}

/**
 * What a decorated view may fail with besides the view's own errors.
 *
 * @since 0.2.0
 * @category decorators
 */
export type DecoratorError = AuthError | DisallowedHost | DisallowedRedirect | HttpResponse.MakeError

/**
 * Django's `user_passes_test(test)`: the view runs when `test(request.user)` holds; otherwise
 * a redirect to the login URL with `next` set to the current URL (only its path and query when
 * the login URL is on the same scheme and host).
 *
 * @since 0.2.0
 * @category decorators
 */
export const userPassesTest: <E2 = never, R2 = never>(
  test: (user: AnyUser) => boolean | Effect.Effect<boolean, E2, R2>,
  options?: TestOptions
) => <E, R>(view: View.View<E, R>) => View.View<E | E2 | DecoratorError, R | R2 | RequestUser> = api.userPassesTest

/**
 * Django's `login_required`: anonymous users are sent to `LOGIN_URL?next=<this URL>`.
 *
 * @since 0.2.0
 * @category decorators
 */
export const loginRequired = <E, R>(
  view: View.View<E, R>,
  options?: TestOptions
): View.View<E | DecoratorError, R | RequestUser> => api.userPassesTest((u) => u.is_authenticated, options)(view)

/**
 * Django's `permission_required(perm, raise_exception=False)`: the view runs when the user has
 * the permission(s); otherwise a redirect to login, or with `raiseException` a
 * `PermissionDenied` (403), even for an anonymous user, as in Django.
 *
 * @since 0.2.0
 * @category decorators
 */
export const permissionRequired: (
  perm: string | ReadonlyArray<string>,
  options?: TestOptions & { readonly raiseException?: boolean | undefined }
) => <E, R>(view: View.View<E, R>) => View.View<E | DecoratorError | PermissionDenied, R | RequestUser> =
  api.permissionRequired
