/**
 * @since 0.1.0
 */

/**
 * Typed errors named after Django's exceptions, each with Django's message and HTTP status.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * The settings service, with Django's names and defaults.
 *
 * @since 0.1.0
 */
export * as Settings from "./Settings.js"

/**
 * Django's `MultiValueDict`: a persistent, insertion-ordered multimap.
 *
 * @since 0.1.0
 */
export * as MultiValueDict from "./MultiValueDict.js"

/**
 * Django's `QueryDict`: query strings and urlencoded bodies parsed with Django's rules.
 *
 * @since 0.1.0
 */
export * as QueryDict from "./QueryDict.js"

/**
 * Django's `HttpResponse` and its family (redirects, status responses, `JsonResponse`) as immutable values.
 *
 * @since 0.1.0
 */
export * as HttpResponse from "./HttpResponse.js"

/**
 * Django's `StreamingHttpResponse`: a body from an Effect `Stream`.
 *
 * @since 0.1.0
 */
export * as StreamingHttpResponse from "./StreamingHttpResponse.js"

/**
 * Django's `FileResponse`, with Range and If-Modified-Since support.
 *
 * @since 0.1.0
 */
export * as FileResponse from "./FileResponse.js"

/**
 * Django's `HttpRequest` as an immutable value built from `@effect/platform`.
 *
 * @since 0.1.0
 */
export * as HttpRequest from "./HttpRequest.js"

/**
 * Builds requests without a server, like `django.test.RequestFactory`.
 *
 * @since 0.1.0
 */
export * as RequestFactory from "./RequestFactory.js"

/**
 * Django's `core.signing`: `Signer`, `TimestampSigner`, `dumps`/`loads` and the cookie signer, byte-compatible.
 *
 * @since 0.1.0
 */
export * as Signing from "./Signing.js"

/**
 * Views (request to response) as `@effect/platform` apps, with Django's error handling.
 *
 * @since 0.1.0
 */
export * as View from "./View.js"

/**
 * Middleware as functions from view to view, in Django's order; `MultipleProxyMiddleware`.
 *
 * @since 0.1.0
 */
export * as Middleware from "./Middleware.js"

/**
 * Serving a view or a router on Node: safe limits, graceful stop.
 *
 * @since 0.1.0
 */
export * as Server from "./Server.js"

/**
 * Uploaded files (Django's `UploadedFile`): in memory, spilled to a temporary file, or streamed to a sink.
 *
 * @since 0.1.0
 */
export * as UploadedFile from "./UploadedFile.js"

/**
 * `multipart/form-data`: Django's streaming parser (POST and FILES) and the test client's encoder.
 *
 * @since 0.1.0
 */
export * as Multipart from "./Multipart.js"

/**
 * Django's request handler: middleware hooks, failures turned into responses at every layer, replaceable error views.
 *
 * @since 0.1.0
 */
export * as Handler from "./Handler.js"

/**
 * A test client like `django.test.Client`: runs a site in process through the whole stack, with cookies and redirects.
 *
 * @since 0.1.0
 */
export * as Client from "./Client.js"

/**
 * Django's template layer: one `Templates` service (Nunjucks behind it), `DIRS` and app folders, context processors, typed template errors.
 *
 * @since 0.1.0
 */
export * as Templates from "./Templates.js"

/**
 * Deferred rendering: `SimpleTemplateResponse` / `TemplateResponse`, post-render callbacks, `ContentNotRenderedError`.
 *
 * @since 0.1.0
 */
export * as TemplateResponse from "./TemplateResponse.js"

/**
 * Django's URL dispatcher: URLconfs as typed values, `resolve`, typed `reverse`.
 *
 * @since 0.1.0
 */
export * as Urls from "./Urls.js"

/**
 * Django's `CommonMiddleware`: `APPEND_SLASH`, `PREPEND_WWW`, `DISALLOWED_USER_AGENTS`.
 *
 * @since 0.1.0
 */
export * as Common from "./Common.js"

/**
 * Django's `utils.cache`: Vary and Cache-Control patching, ETags, conditional responses, and the caching view decorators.
 *
 * @since 0.1.0
 */
export * as Cache from "./Cache.js"

/**
 * Django's `SecurityMiddleware`: HTTPS redirect, HSTS, nosniff, Referrer-Policy, X-XSS-Protection.
 *
 * @since 0.1.0
 */
export * as Security from "./Security.js"

/**
 * Django's `XFrameOptionsMiddleware` and the `xframe_options_*` view decorators.
 *
 * @since 0.1.0
 */
export * as Clickjacking from "./Clickjacking.js"

/**
 * Django's `ConditionalGetMiddleware`: ETags from the content, 304 and 412.
 *
 * @since 0.1.0
 */
export * as ConditionalGet from "./ConditionalGet.js"

/**
 * Django's `GZipMiddleware`, byte for byte, with streaming responses compressed as streams.
 *
 * @since 0.1.0
 */
export * as GZip from "./GZip.js"

/**
 * Serving static files: Django's `static.serve` with WhiteNoise's ETags, ranges, cache headers and precompressed variants.
 *
 * @since 0.1.0
 */
export * as Static from "./Static.js"

/**
 * Django's sessions: `request.session` as a service, Django's wire format, the `db` (SQLite,
 * PostgreSQL), cache (Redis) and signed-cookie backends, `SessionMiddleware`.
 *
 * @since 0.1.0
 */
export * as Sessions from "./Sessions.js"

/**
 * CSRF protection as Django 3.2 has it: masked tokens, `CsrfViewMiddleware`, `get_token`, the decorators.
 *
 * @since 0.1.0
 */
export * as Csrf from "./Csrf.js"

/**
 * Django 3.2's password hashes (PBKDF2 on libuv's thread pool), the session auth hash, safe `next` URLs.
 *
 * @since 0.1.0
 */
export * as Passwords from "./Passwords.js"

/**
 * Django's users: `request.user` (lazy, from the session), `authenticate`, `login`, `logout`,
 * `loginRequired` and the other decorators, users in Django's `auth_user` table.
 *
 * @since 0.1.0
 */
export * as Auth from "./Auth.js"

/**
 * Django's default `MIDDLEWARE` list in one value.
 *
 * @since 0.1.0
 */
export * as Defaults from "./Defaults.js"

/**
 * Django 3.2's password validators (`django.contrib.auth.password_validation`): similarity to the
 * user, minimum length, common passwords and all-numeric, with Django's messages.
 *
 * @since 0.1.0
 */
export * as PasswordValidation from "./PasswordValidation.js"

/**
 * Django's `resolve` and `reverse` over a URLconf, `ResolverMatch`, the request's URLconf and
 * script prefix, and `dispatch` (a view that routes).
 *
 * @since 0.2.0
 */
export * as Resolver from "./Resolver.js"

/**
 * Django's cookies on a response: `setCookie`, `setSignedCookie`, `deleteCookie`, the
 * `Set-Cookie` lines.
 *
 * @since 0.2.0
 */
export * as ResponseCookies from "./ResponseCookies.js"

/**
 * Django's auth view decorators: `loginRequired`, `userPassesTest`, `permissionRequired`,
 * `redirectToLogin`.
 *
 * @since 0.2.0
 */
export * as AuthDecorators from "./AuthDecorators.js"

/**
 * The session stores: Django's session backends (`db` on SQLite or PostgreSQL, `cache` on Redis,
 * `signed_cookies`, memory) as layers providing `Sessions.SessionStore`; `Sessions` re-exports them.
 *
 * @since 0.2.0
 */
export * as SessionStores from "./SessionStores.js"

/**
 * `@effect/sql`'s `SqlClient` on a SQLite file through better-sqlite3, with
 * `@effect/sql-sqlite-node`'s semantics and fewer steps per statement, its connection shared with
 * the SQLite session and user stores (`SessionStores.layerSqliteClient`, `Auth.layerSqliteClient`).
 *
 * @since 0.2.0
 */
export * as Sqlite from "./Sqlite.js"
