/**
 * Django's default `MIDDLEWARE` (the project template's list, without the messages framework) in
 * one value, in Django's order:
 *
 * 1. `SecurityMiddleware` (`Security.middleware`)
 * 2. `SessionMiddleware` (`Sessions.middleware`)
 * 3. `CommonMiddleware` (`Common.commonMiddleware(urls)`)
 * 4. `CsrfViewMiddleware` (`Csrf.middleware`)
 * 5. `AuthenticationMiddleware` (`Auth.middleware`)
 * 6. `XFrameOptionsMiddleware` (`Clickjacking.middleware`)
 *
 * It provides the `Session`, `CsrfToken` and `request.user` services to the views, and needs a
 * session store (`Sessions.layerSqlite`, `layerSql`, `layerRedis`, `layerSignedCookies`, ...) and
 * a user store (`Auth.layerSql`, `Auth.layerMemory`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Csrf, Defaults, Handler, HttpResponse, Urls } from "effect-django-http"
 *
 * const urls = Urls.make([
 *   Urls.path("form/", () => Effect.flatMap(Csrf.getToken, (token) => HttpResponse.make({ content: token })))
 * ])
 *
 * // MIDDLEWARE = Django's default list
 * const site = Handler.make({ middleware: Defaults.middleware(urls), urls })
 * ```
 *
 * @since 0.1.0
 */
import * as Auth from "./Auth.js"
import * as Clickjacking from "./Clickjacking.js"
import * as Common from "./Common.js"
import * as Csrf from "./Csrf.js"
import * as Middleware from "./Middleware.js"
import * as Security from "./Security.js"
import * as Sessions from "./Sessions.js"
import type * as Urls from "./Urls.js"

/**
 * Django's default `MIDDLEWARE` for a site whose URLconf is `urls` (`CommonMiddleware`'s
 * `APPEND_SLASH` resolves with it, or with the URLconf a middleware set for the request).
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware = (urls: Urls.AnyURLconf) =>
  Middleware.compose(
    Security.middleware,
    Sessions.middleware,
    Common.commonMiddleware(urls),
    Csrf.middleware,
    Auth.middleware,
    Clickjacking.middleware
  )
