/**
 * Django's exception handler (`django/core/handlers/exception.py`), for Effect causes.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import { hasProperty } from "effect/Predicate"
import { isDjangoError } from "../Errors.js"
import type { HttpResponse } from "../HttpResponse.js"
import type { Settings } from "../Settings.js"
import { errorPage } from "./errorPages.js"
import { escape as escapeHtml } from "./python/html.js"
import { make, settleWith } from "./response/make.js"
import { toServerResponse } from "./response/platform.js"
import { REASONS } from "./response/rules.js"

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

/** One problem of a Schema `ParseError`: where in the input, and what. */
export interface Issue {
  readonly path: string
  readonly message: string
}

/** The problems of a Schema `ParseError` in the cause, one per field, if it is one. */
export const issuesOf = (cause: Cause.Cause<unknown>): ReadonlyArray<Issue> | undefined => {
  const failure = Cause.failureOption(cause)
  if (Option.isNone(failure) || !ParseResult.isParseError(failure.value)) return undefined
  return ParseResult.ArrayFormatter.formatErrorSync(failure.value).map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message
  }))
}

/**
 * Whether an `Accept` header prefers JSON to HTML: JSON is chosen when `application/json`
 * gets a higher quality than `text/html`, or the same quality from a more specific range
 * (`application/json, *\/*` prefers JSON; `*\/*` alone, or no header, gets HTML).
 */
export const prefersJson = (accept: string | undefined): boolean => {
  if (accept === undefined || accept === "") return false
  const score = (type: string, subtype: string): readonly [q: number, specificity: number] => {
    let best: readonly [number, number] = [0, -1]
    for (const part of accept.split(",")) {
      const [range = "", ...params] = part.split(";")
      const [t = "", s = ""] = range.trim().toLowerCase().split("/")
      const specificity = t === type && s === subtype
        ? 2
        : t === type && s === "*"
        ? 1
        : t === "*" && s === "*"
        ? 0
        : -1
      if (specificity < best[1]) continue
      let q = 1
      for (const p of params) {
        const [k, v] = p.split("=")
        if (k?.trim().toLowerCase() === "q") q = Number.parseFloat(v ?? "") || 0
      }
      if (specificity > best[1] || q > best[0]) best = [q, specificity]
    }
    return best
  }
  const [jq, js] = score("application", "json")
  const [hq, hs] = score("text", "html")
  return jq > 0 && (jq > hq || (jq === hq && js > hs))
}

/** What an error page shows: the classification, the cause, the request. */
export interface PageInput {
  readonly classified: Classified
  readonly cause: Cause.Cause<unknown>
  readonly info: RequestInfo
  readonly issues: ReadonlyArray<Issue> | undefined
}

const issuesHtml = (issues: ReadonlyArray<Issue> | undefined): string =>
  issues === undefined || issues.length === 0 ? "" : `<ul class="errorlist">
${
    issues.map((i) =>
      `  <li>${i.path === "" ? "" : `<code>${escapeHtml(i.path)}</code>: `}${escapeHtml(i.message)}</li>`
    )
      .join("\n")
  }
</ul>
`

/**
 * Django's "Error during template rendering" block, for a failure that says where in a template
 * it happened (`Templates.TemplateSyntaxError`, `TemplateRenderError`): the template, the line,
 * and the source around it, the line marked.
 */
const templateBlock = (cause: Cause.Cause<unknown>): string => {
  const error = Option.getOrUndefined(Cause.failureOption(cause))
  if (!hasProperty(error, "template") || typeof error.template !== "string") return ""
  const line = hasProperty(error, "line") && typeof error.line === "number" ? error.line : undefined
  const source = hasProperty(error, "source") && typeof error.source === "string" ? error.source : undefined
  let window = ""
  if (source !== undefined && line !== undefined) {
    const lines = source.split("\n")
    const from = Math.max(1, line - 5)
    const to = Math.min(lines.length, line + 5)
    const rows: Array<string> = []
    for (let n = from; n <= to; n++) {
      rows.push(
        `    <tr${n === line ? " class=\"error\"" : ""}><th>${n}</th><td><pre>${
          escapeHtml(lines[n - 1] ?? "")
        }</pre></td></tr>`
      )
    }
    window = `  <table class="source">\n${rows.join("\n")}\n  </table>\n`
  }
  return `  <h2>Error during template rendering</h2>
  <p>In template <code>${escapeHtml(error.template)}</code>${line === undefined ? "" : `, error at line ${line}`}</p>
${window}`
}

/** The DEBUG page: the error, its cause and the request. Only ever shown with `DEBUG` on. */
export const technicalPage = ({ cause, classified, info, issues }: PageInput): string => {
  const meta = Object.entries(info.meta ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="robots" content="NONE,NOARCHIVE">
  <title>${escapeHtml(classified.name)} at ${escapeHtml(info.path)}</title>
</head>
<body>
  <h1>${escapeHtml(classified.name)} at ${escapeHtml(info.path)}</h1>
  <pre class="exception_value">${escapeHtml(classified.message)}</pre>
${issuesHtml(issues)}${templateBlock(cause)}  <table>
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
}

/**
 * The short page for a status when `DEBUG` is off: Django's, plus the list of a Schema
 * failure's problems for a 400 (field names and messages only: the client's own input).
 */
export const standardPage = (status: number, issues: ReadonlyArray<Issue> | undefined): string => {
  const page = errorPage(status)
  return issues === undefined || issues.length === 0 ? page : page.replace("</body>", `${issuesHtml(issues)}</body>`)
}

/** The JSON body of an error, for clients that prefer JSON. */
export const jsonBody = ({ cause, classified, issues }: PageInput, debug: boolean): string =>
  JSON.stringify({
    status: classified.status,
    error: REASONS[classified.status] ?? "Unknown Status Code",
    ...(issues !== undefined ? { issues } : {}),
    ...(debug ? { name: classified.name, message: classified.message, cause: Cause.pretty(cause) } : {})
  })

/** Logs a failure as Django logs it (see `responseForCause`). */
export const logFailure = (
  classified: Classified,
  cause: Cause.Cause<unknown>,
  info: RequestInfo
): Effect.Effect<void> => {
  const message = `${classified.name}: ${classified.message} (${escapeForLog(info.method)} ${escapeForLog(info.path)})`
  const log = classified.level === "error" ? Effect.logError(message, cause) : Effect.logWarning(message)
  return Effect.annotateLogs(log, { logger: classified.logger, status_code: classified.status })
}

/** The default error page as a library response: JSON, DEBUG's technical page, or Django's page. */
export const defaultErrorResponse = (
  input: PageInput,
  settings: Settings,
  accept: string | undefined
): HttpResponse => {
  const status = input.classified.status
  const asJson = prefersJson(accept)
  const content = asJson
    ? jsonBody(input, settings.DEBUG)
    : settings.DEBUG
    ? technicalPage(input)
    : standardPage(status, input.issues)
  const made = Either.flatMap(
    make({
      content,
      status,
      contentType: asJson ? "application/json" : settings.DEBUG ? "text/html; charset=utf-8" : "text/html"
    }),
    (res) => settleWith(res, settings.DEFAULT_CHARSET)
  )
  // Every input here is valid (a known status, a fixed Content-Type, ASCII-safe content).
  return Either.getOrThrow(made)
}

/**
 * The response for a failed view, logged as Django logs it: every suspicious operation as a
 * warning on `django.security.<Name>`, other 4xx as warnings and every 500 as an error on
 * `django.request`. Without DEBUG the response is Django's short page; with it, the
 * technical page; a client that prefers JSON gets JSON.
 */
export const responseForCause = (
  cause: Cause.Cause<unknown>,
  info: RequestInfo,
  settings: Settings
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  const classified = classify(cause)
  const input: PageInput = { classified, cause, info, issues: issuesOf(cause) }
  return Effect.as(
    logFailure(classified, cause, info),
    toServerResponse(defaultErrorResponse(input, settings, info.meta?.HTTP_ACCEPT))
  )
}
