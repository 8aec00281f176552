/**
 * A test client like Django's `django.test.Client`: it runs a site in process through the whole
 * stack (the platform request, the middleware, resolution, the error mapping, the platform's
 * interpretation of the response), keeps cookies between requests, and follows redirects on
 * request.
 *
 * As in Django's test runner, the client's host is `testserver`, and `testserver` is added to
 * `ALLOWED_HOSTS` for the requests it sends.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Client, Handler, HttpResponse, View } from "effect-django-http"
 *
 * const site = Handler.make({
 *   urls: View.requirePOST((request) => HttpResponse.make({ content: request.method }))
 * })
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* Client.make(site)
 *   const response = yield* client.post("/", { form: { name: "ada" } })
 *   return [response.status, response.text] // [200, "POST"]
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Handler from "./Handler.js"
import * as RequestFactory from "./RequestFactory.js"
import * as Settings from "./Settings.js"
import * as View from "./View.js"

/**
 * Django's `RedirectCycleError`: `follow` met a redirect loop, or more than 20 redirects.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedirectCycleError extends Data.TaggedError("RedirectCycleError")<{
  readonly message: string
  readonly chain: ReadonlyArray<readonly [url: string, status: number]>
}> {}

/**
 * What a request may carry.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions {
  /** Query parameters (urlencoded with `doseq`), added to any query in the path. */
  readonly query?: Readonly<Record<string, string | ReadonlyArray<string>>> | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Form fields, urlencoded. */
  readonly form?: Readonly<Record<string, string | ReadonlyArray<string>>> | undefined
  /** Fields and files as `multipart/form-data` (Django's default for `post` data). */
  readonly multipart?: Readonly<Record<string, RequestFactory.MultipartValue>> | undefined
  /** A value sent as JSON. */
  readonly json?: unknown
  /** A raw body. */
  readonly body?: Uint8Array | string | undefined
  /** The Content-Type sent, in place of the one the body's kind gives (raw bodies: `application/octet-stream`). */
  readonly contentType?: string | undefined
  /** Follow redirects; the response's `redirectChain` lists them. */
  readonly follow?: boolean | undefined
  /** Send the request over `https`. */
  readonly secure?: boolean | undefined
}

/**
 * A response as the client received it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientResponse {
  readonly status: number
  readonly statusText: string
  /** Lower-case names; repeated headers joined with `, ` (all but `set-cookie`). */
  readonly headers: Readonly<Record<string, string>>
  /** The `Set-Cookie` lines, one per cookie. */
  readonly setCookies: ReadonlyArray<string>
  /** The cookie jar after this response. */
  readonly cookies: Readonly<Record<string, string>>
  readonly body: Uint8Array
  /** The body decoded as UTF-8. */
  readonly text: string
  /** Each redirect followed: its URL and status. */
  readonly redirectChain: ReadonlyArray<readonly [url: string, status: number]>
  /** The method and URL of the last request sent. */
  readonly request: { readonly method: string; readonly url: string }
  /** The body as JSON, decoded by `schema` when given. */
  readonly json: {
    (): Effect.Effect<unknown, ParseResult.ParseError>
    <A, I>(schema: Schema.Schema<A, I>): Effect.Effect<A, ParseResult.ParseError>
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Client<R = never> {
  readonly get: (path: string, options?: RequestOptions) => Effect.Effect<ClientResponse, RedirectCycleError, R>
  readonly head: (path: string, options?: RequestOptions) => Effect.Effect<ClientResponse, RedirectCycleError, R>
  readonly options: (path: string, options?: RequestOptions) => Effect.Effect<ClientResponse, RedirectCycleError, R>
  readonly post: (path: string, options?: RequestOptions) => Effect.Effect<ClientResponse, RedirectCycleError, R>
  readonly put: (path: string, options?: RequestOptions) => Effect.Effect<ClientResponse, RedirectCycleError, R>
  readonly patch: (path: string, options?: RequestOptions) => Effect.Effect<ClientResponse, RedirectCycleError, R>
  readonly delete: (path: string, options?: RequestOptions) => Effect.Effect<ClientResponse, RedirectCycleError, R>
  readonly generic: (
    method: string,
    path: string,
    options?: RequestOptions
  ) => Effect.Effect<ClientResponse, RedirectCycleError, R>
  /** The cookie jar. */
  readonly cookies: Effect.Effect<Readonly<Record<string, string>>>
  /** Sets a cookie in the jar, as a browser would after a `Set-Cookie`. */
  readonly setCookie: (name: string, value: string) => Effect.Effect<void>
}

/**
 * What a client can run: a site, a view, or any `@effect/platform` app.
 *
 * @since 0.1.0
 * @category models
 */
export type Runnable<R> =
  | Handler.Handler<R>
  | View.View<unknown, R>
  | HttpApp.Default<unknown, R | HttpServerRequest.HttpServerRequest | Scope.Scope>

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default `testserver`. */
  readonly host?: string | undefined
  /** Headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

const decoder = new TextDecoder()
const REDIRECTS = new Set([301, 302, 303, 307, 308])

/**
 * A `Set-Cookie` line's name, value, and whether it deletes the cookie: `Max-Age` of 0 or less,
 * else `expires` at or before `now` (the client's `Clock`, so a test clock rules both sides).
 */
const parseSetCookie = (
  line: string,
  now: number
): { readonly name: string; readonly value: string; readonly expired: boolean } => {
  const [pair = "", ...attributes] = line.split(";")
  const eq = pair.indexOf("=")
  const name = (eq === -1 ? pair : pair.slice(0, eq)).trim()
  let value = eq === -1 ? "" : pair.slice(eq + 1).trim()
  if (value.length >= 2 && value.startsWith("\"") && value.endsWith("\"")) value = value.slice(1, -1)
  let maxAge: number | undefined
  let expires: number | undefined
  for (const attribute of attributes) {
    const eqAt = attribute.indexOf("=")
    const key = (eqAt === -1 ? attribute : attribute.slice(0, eqAt)).trim().toLowerCase()
    const v = eqAt === -1 ? "" : attribute.slice(eqAt + 1).trim()
    if (key === "max-age" && v !== "" && !Number.isNaN(Number(v))) maxAge = Number(v)
    if (key === "expires") {
      const at = Date.parse(v)
      if (!Number.isNaN(at)) expires = at
    }
  }
  const expired = maxAge !== undefined ? maxAge <= 0 : expires !== undefined && expires <= now
  return { name, value, expired }
}

const toApp = <R>(runnable: Runnable<R>): HttpApp.Default<unknown, unknown> =>
  Handler.isHandler(runnable)
    ? Handler.toHttpApp(runnable)
    : typeof runnable === "function"
    ? View.toHttpApp(runnable)
    : runnable

/**
 * A client for `site`, with an empty cookie jar. The requests run with the settings in the
 * context (or Django's defaults), with `testserver` added to `ALLOWED_HOSTS`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <R>(
  site: Runnable<R>,
  clientOptions: Options = {}
): Effect.Effect<Client<Exclude<R, HttpServerRequest.HttpServerRequest | Scope.Scope | Settings.Settings>>> =>
  Effect.map(Ref.make<Readonly<Record<string, string>>>({}), (jar) => {
    const app = toApp(site)
    const host = clientOptions.host ?? "testserver"

    const sendOnce = (method: string, url: URL, options: RequestOptions) =>
      Effect.gen(function*() {
        const { body, contentType } = RequestFactory.encodeBody(options)
        const headers = new globalThis.Headers()
        headers.set("host", url.host)
        for (const [k, v] of Object.entries(clientOptions.headers ?? {})) headers.set(k, v)
        if (contentType !== undefined) headers.set("content-type", contentType)
        if (body !== undefined) headers.set("content-length", String(body.length))
        const cookies = yield* Ref.get(jar)
        const cookieHeader = Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join("; ")
        if (cookieHeader !== "") headers.set("cookie", cookieHeader)
        for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v)
        const webRequest = new globalThis.Request(url, {
          method,
          headers,
          ...(body !== undefined && method !== "GET" && method !== "HEAD" ? { body } : {})
        })
        const settings = Settings.fromContext(yield* Effect.context<never>())
        // Django's test runner adds `testserver` (only that name) to ALLOWED_HOSTS.
        const withTestServer = settings.ALLOWED_HOSTS.includes("testserver")
          ? settings
          : { ...settings, ALLOWED_HOSTS: [...settings.ALLOWED_HOSTS, "testserver"] }
        const runtime = yield* Effect.runtime<never>()
        const response = yield* app.pipe(
          Effect.catchAllCause((cause) => Effect.succeed(HttpServerResponse.text(String(cause), { status: 500 }))),
          Effect.flatMap((res) => {
            const web = HttpServerResponse.toWeb(res, { runtime, withoutBody: method === "HEAD" })
            return Effect.map(
              Effect.promise(() => web.arrayBuffer()),
              (buffer) => ({ web, body: new Uint8Array(buffer) })
            )
          }),
          Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(webRequest)),
          Effect.provideService(Settings.Settings, withTestServer),
          Effect.scoped
        )
        const setCookies = response.web.headers.getSetCookie()
        const updated = { ...(yield* Ref.get(jar)) }
        const now = yield* Clock.currentTimeMillis
        for (const line of setCookies) {
          const c = parseSetCookie(line, now)
          if (c.expired) delete updated[c.name]
          else updated[c.name] = c.value
        }
        yield* Ref.set(jar, updated)
        const headerRecord: Record<string, string> = {}
        response.web.headers.forEach((value, key) => {
          if (key !== "set-cookie") headerRecord[key] = value
        })
        return {
          status: response.web.status,
          statusText: response.web.statusText,
          headers: headerRecord,
          setCookies,
          cookies: updated,
          body: response.body,
          text: decoder.decode(response.body),
          request: { method, url: `${url.pathname}${url.search}` }
        }
      })

    const generic = (method: string, path: string, options: RequestOptions = {}) =>
      Effect.gen(function*() {
        const scheme = options.secure === true ? "https" : "http"
        let url = new URL(path, `${scheme}://${host}`)
        if (options.query !== undefined) {
          const extra = RequestFactory.urlencode(options.query)
          url = new URL(`${url.pathname}${url.search === "" ? "?" : `${url.search}&`}${extra}`, url)
        }
        let current = method.toUpperCase()
        let currentOptions = options
        const chain: Array<readonly [string, number]> = []
        for (;;) {
          const received = yield* sendOnce(current, url, currentOptions)
          const location = received.headers["location"]
          if (options.follow !== true || !REDIRECTS.has(received.status) || location === undefined) {
            const json = <A, I>(schema?: Schema.Schema<A, I>): Effect.Effect<unknown, ParseResult.ParseError> =>
              Schema.decodeUnknown(Schema.parseJson(schema ?? Schema.Unknown))(received.text)
            return { ...received, redirectChain: chain, json } as ClientResponse
          }
          const next = new URL(location, url)
          chain.push([location, received.status])
          if (chain.length > 20 || chain.slice(0, -1).some(([u]) => new URL(u, url).href === next.href)) {
            return yield* new RedirectCycleError({
              message: chain.length > 20 ? "Too many redirects." : "Redirect loop detected.",
              chain
            })
          }
          // 307 and 308 repeat the request; the others become a GET without a body, as in Django.
          if (received.status !== 307 && received.status !== 308) {
            current = current === "HEAD" ? "HEAD" : "GET"
            currentOptions = { headers: options.headers, secure: next.protocol === "https:" }
          }
          url = next
        }
      })

    return {
      generic,
      get: (path, options) => generic("GET", path, options),
      head: (path, options) => generic("HEAD", path, options),
      options: (path, options) => generic("OPTIONS", path, options),
      post: (path, options) => generic("POST", path, options),
      put: (path, options) => generic("PUT", path, options),
      patch: (path, options) => generic("PATCH", path, options),
      delete: (path, options) => generic("DELETE", path, options),
      cookies: Ref.get(jar),
      setCookie: (name, value) => Ref.update(jar, (c) => ({ ...c, [name]: value }))
    } as Client<Exclude<R, HttpServerRequest.HttpServerRequest | Scope.Scope | Settings.Settings>>
  })
