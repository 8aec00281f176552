/**
 * Django's exception handler (`django/core/handlers/exception.py`), for Effect causes.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import { hasProperty } from "effect/Predicate"
import { errorResponse, isDjangoError } from "../Errors.js"
import type { Settings } from "../Settings.js"
import { escape as escapeHtml } from "./python/html.js"

/** What the handler knows of the request: enough for logs and for the DEBUG page. */
export interface RequestInfo {
  readonly method: string
  readonly path: string
  readonly meta?: Readonly<Record<string, string>>
}

/** How a failure is classified. */
export interface Classified {
  readonly status: number
  /** `django.security.<Name>` for the SuspiciousOperation family, else `django.request`. */
  readonly logger: string
  readonly name: string
  readonly message: string
  readonly level: "warning" | "error"
}

const describe = (u: unknown): { readonly name: string; readonly message: string } => {
  const name = hasProperty(u, "_tag") ? String(u._tag) : u instanceof Error ? u.name : typeof u
  const message = u instanceof Error ? u.message : hasProperty(u, "message") ? String(u.message) : ""
  return { name, message }
}

/** Classifies the first failure of a cause (or its first defect) as Django's handler would. */
export const classify = (cause: Cause.Cause<unknown>): Classified => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (isDjangoError(error)) {
      return {
        status: error.status,
        logger: error.suspicious ? `django.security.${error._tag}` : "django.request",
        name: error._tag,
        message: error.message,
        level: error.status >= 500 ? "error" : "warning"
      }
    }
    if (ParseResult.isParseError(error)) {
      return { status: 400, logger: "django.request", name: "ParseError", message: error.message, level: "warning" }
    }
    return { status: 500, logger: "django.request", level: "error", ...describe(error) }
  }
  const defect = Cause.dieOption(cause)
  return {
    status: 500,
    logger: "django.request",
    level: "error",
    ...(Option.isSome(defect) ? describe(defect.value) : { name: "Interrupted", message: "" })
  }
}

/** Escapes control characters (CVE-2025-48432: no log injection through the path). */
export const escapeForLog = (s: string): string =>
  // eslint-disable-next-line no-control-regex
  s.replace(/[\u0000-\u001f\u007f-\u009f\\]/g, (c) =>
    c === "\\" ? "\\\\" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)

/** The DEBUG page: the error, its cause and the request. Only ever shown with `DEBUG` on. */
export const technicalResponse = (
  classified: Classified,
  cause: Cause.Cause<unknown>,
  info: RequestInfo
): HttpServerResponse.HttpServerResponse => {
  const meta = Object.entries(info.meta ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const body = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="robots" content="NONE,NOARCHIVE">
  <title>${escapeHtml(classified.name)} at ${escapeHtml(info.path)}</title>
</head>
<body>
  <h1>${escapeHtml(classified.name)} at ${escapeHtml(info.path)}</h1>
  <pre class="exception_value">${escapeHtml(classified.message)}</pre>
  <table>
    <tr><th>Request Method:</th><td>${escapeHtml(info.method)}</td></tr>
    <tr><th>Request path:</th><td>${escapeHtml(info.path)}</td></tr>
    <tr><th>Status:</th><td>${classified.status}</td></tr>
  </table>
  <h2>Cause</h2>
  <pre>${escapeHtml(Cause.pretty(cause, { renderErrorCause: true }))}</pre>
  <h2>META</h2>
  <table>
${meta.map(([k, v]) => `    <tr><td>${escapeHtml(k)}</td><td><pre>${escapeHtml(v)}</pre></td></tr>`).join("\n")}
  </table>
  <p>You're seeing this error because you have <code>DEBUG = True</code> in your settings. Change that to
  <code>False</code>, and only a standard page will be shown.</p>
</body>
</html>
`
  return HttpServerResponse.text(body, { status: classified.status, contentType: "text/html; charset=utf-8" })
}

/**
 * The response for a failed view, logged as Django logs it: every suspicious operation as a
 * warning on `django.security.<Name>`, other 4xx as warnings and every 500 as an error on
 * `django.request`. Without DEBUG the response is Django's short page; with it, the
 * technical page.
 */
export const responseForCause = (
  cause: Cause.Cause<unknown>,
  info: RequestInfo,
  settings: Settings
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  const classified = classify(cause)
  const message = `${classified.name}: ${classified.message} (${escapeForLog(info.method)} ${escapeForLog(info.path)})`
  const annotations = { logger: classified.logger, status_code: classified.status }
  const log = classified.level === "error"
    ? Effect.logError(message, cause)
    : Effect.logWarning(message)
  return log.pipe(
    Effect.annotateLogs(annotations),
    Effect.as(
      settings.DEBUG
        ? technicalResponse(classified, cause, info)
        : errorResponse(classified.status)
    )
  )
}
