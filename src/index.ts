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
