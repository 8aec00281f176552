/**
 * Serving a view (or any `@effect/platform` app) on Node, with safe limits and a graceful stop.
 *
 * `run` reads `HOST`, `PORT` and the settings from the environment (`Settings.layerFromEnv`)
 * unless given, listens, and on SIGINT or SIGTERM stops accepting connections, lets the requests
 * in flight finish (at most `shutdownTimeout`), then exits 0.
 *
 * @example
 * ```ts
 * import { HttpResponse, Server, type View } from "effect-django-http"
 *
 * const hello: View.View = () => HttpResponse.make({ content: "Hello" })
 *
 * // The entry point of a program (`node main.js`): serves until SIGINT or SIGTERM.
 * const main = () => Server.run(hello, { port: 8000 })
 * ```
 *
 * @since 0.1.0
 */
import type * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import type * as Etag from "@effect/platform/Etag"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import type * as HttpPlatform from "@effect/platform/HttpPlatform"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type { Duplex } from "node:stream"
import type { ImproperlyConfigured } from "./Errors.js"
import * as Handler from "./Handler.js"
import * as cluster from "./internal/cluster.js"
import * as LeanServer from "./internal/node/leanServer.js"
import * as Settings from "./Settings.js"
import * as Urls from "./Urls.js"
import * as View from "./View.js"

/**
 * Node's limits for headers and slow clients. The defaults are this library's, chosen to be
 * safe in front of the open internet while leaving room for slow uploads:
 *
 * | limit | default | Node's own | guards against |
 * | --- | --- | --- | --- |
 * | `headersTimeout` | 10 s | 60 s | a client that sends its headers slowly (slowloris) |
 * | `requestTimeout` | 120 s | 300 s | a request (headers and body) that never completes |
 * | `keepAliveTimeout` | 5 s | 5 s | idle keep-alive connections held open |
 * | `maxHeaderSize` | 16 KiB | 16 KiB | huge headers (answered 431) |
 * | `maxHeadersCount` | 100 | 2000 | many small headers |
 * | `maxRequestsPerSocket` | 1000 | unlimited | one connection monopolising a worker |
 *
 * Node checks `headersTimeout` and `requestTimeout` twice per `headersTimeout` (its own default
 * is every 30 s), and answers 408.
 *
 * Past `maxRequestsPerSocket`, Node's answer says `Connection: close`, and a request the client
 * still sends on that connection gets a 503 (some load generators do that): 0 means no limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface Limits {
  readonly headersTimeout: Duration.DurationInput
  readonly requestTimeout: Duration.DurationInput
  readonly keepAliveTimeout: Duration.DurationInput
  readonly maxHeaderSize: number
  readonly maxHeadersCount: number
  readonly maxRequestsPerSocket: number
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const defaultLimits: Limits = {
  headersTimeout: "10 seconds",
  requestTimeout: "120 seconds",
  keepAliveTimeout: "5 seconds",
  maxHeaderSize: 16 * 1024,
  maxHeadersCount: 100,
  maxRequestsPerSocket: 1000
}

const millis = (d: Duration.DurationInput): number => Duration.toMillis(Duration.decode(d))

/** The answers Node gives to requests it refuses itself, by the parser's error code (400 otherwise). */
const CLIENT_ERROR_ANSWERS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: "431 Request Header Fields Too Large",
  HPE_CHUNK_EXTENSIONS_OVERFLOW: "413 Payload Too Large",
  ERR_HTTP_REQUEST_TIMEOUT: "408 Request Timeout"
}

/** How long a refused client may go on sending (read and discarded) before its connection is cut. */
const LINGER_MS = 2_000

/**
 * Closes a connection Node's parser refused (431, 400, 408) the way HTTP servers do: write the
 * answer, half-close, read and discard what the client is still sending until it half-closes
 * too (at most `LINGER_MS`, as nginx's `lingering_time`), then close. Node's own handling closes at once, and a client still sending gets
 * a TCP reset that often arrives before the answer.
 */
const lingeringClose = (error: Error & { readonly code?: string }, socket: Duplex): void => {
  // `_httpMessage` is Node's response in flight on the socket; no public API tells whether its
  // headers were sent (Node's own handler reads it the same way). Then no answer can be written.
  const inFlight = (socket as Duplex & { readonly _httpMessage?: { readonly headersSent?: boolean } | null })
    ._httpMessage
  if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy()
    return
  }
  // The parser's listener would report the same error for every further chunk.
  socket.removeAllListeners("data")
  const cut = () => socket.destroy()
  const timer = setTimeout(cut, LINGER_MS)
  timer.unref()
  socket.on("data", () => {})
  socket.on("end", cut)
  socket.on("close", () => clearTimeout(timer))
  const answer = CLIENT_ERROR_ANSWERS[error.code ?? ""] ?? "400 Bad Request"
  socket.end(`HTTP/1.1 ${answer}\r\nConnection: close\r\n\r\n`)
  socket.resume()
}

/**
 * A `node:http` server with `limits` applied. A request Node refuses itself (431 for oversized
 * headers, 400 for a malformed one, 408 for one too slow) gets its answer, then the connection
 * is half-closed and what the client still sends is read and discarded for a short bound before
 * it closes, so that the client reads the answer rather than a reset.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createServer = (limits: Partial<Limits> = {}): Http.Server => {
  const l = { ...defaultLimits, ...limits }
  const server = Http.createServer({
    maxHeaderSize: l.maxHeaderSize,
    requestTimeout: millis(l.requestTimeout),
    headersTimeout: millis(l.headersTimeout),
    keepAliveTimeout: millis(l.keepAliveTimeout),
    // Node checks the two timeouts every 30 s by default, so a 10 s `headersTimeout` could take
    // 40 s to answer 408: check at least twice per `headersTimeout` (at most every 30 s).
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(millis(l.headersTimeout) / 2))),
    requireHostHeader: true
  })
  server.maxHeadersCount = l.maxHeadersCount
  server.maxRequestsPerSocket = l.maxRequestsPerSocket
  server.on("clientError", lingeringClose)
  return server
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default: the `PORT` variable, else 8000. 0 picks a free port. */
  readonly port?: number
  /** Default: the `HOST` variable, else `127.0.0.1`. */
  readonly host?: string
  readonly limits?: Partial<Limits>
  /** How long requests in flight may take to finish once a stop was asked. Default: 10 s. */
  readonly shutdownTimeout?: Duration.DurationInput
  /**
   * Whether each request runs in the platform's `http.server` tracing span. Default: on when a
   * tracer other than Effect's built-in one is installed (an exporter such as
   * `@effect/opentelemetry`, through `Layer.setTracer`), off otherwise. Without an exporter the
   * span only adds an `at http.server GET` line to the causes in error logs, and costs about a
   * third of a hello-world server's throughput (BENCHMARKS.md, server).
   */
  readonly tracer?: boolean
  /**
   * Which implementation of the platform's `HttpServer` serves the app: `"platform"`
   * (`@effect/platform-node`'s) or `"lean"`, this library's (same semantics, less work per
   * request; WebSocket upgrades still go through the platform's; see BENCHMARKS.md, node
   * adapter). Default: `"lean"`, or `"platform"` when the environment variable
   * `EFFECT_DJANGO_HTTP_ADAPTER` is `platform`.
   */
  readonly adapter?: "lean" | "platform"
}

/** Effect's built-in tracer: what `Effect.tracer` gives when no tracer was installed. */
const builtinTracer = Effect.runSync(Effect.tracer)

/**
 * What `run` accepts besides `Options`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions extends Options {
  readonly settings?: Layer.Layer<Settings.Settings, ImproperlyConfigured>
  /**
   * Processes that serve the site, with `node:cluster`: a number, or `"auto"` for one per core.
   * With more than one, a primary process forks them, replaces one that dies (at most
   * `maxRestartsPerMinute` a minute, then it stops them all and exits 1), and on SIGINT or
   * SIGTERM asks each to stop gracefully (the rules of a single process apply to each), then
   * exits 0. The workers share the listening socket. No stickiness is needed when sessions and
   * users live in a shared store (SQL, Redis, signed cookies). Default: 1, no primary.
   */
  readonly workers?: number | "auto"
  /** Default: 10. */
  readonly maxRestartsPerMinute?: number
}

/**
 * What can be served: a site (`Handler.make`), a URLconf (served as `Handler.make({ urls })`), a
 * view, or any `@effect/platform` app (a router, for instance).
 *
 * @since 0.1.0
 * @category models
 */
export type Servable<E, R> =
  | Handler.Handler<R>
  | Urls.URLconf<View.View<E, R>, any>
  | View.View<E, R>
  | HttpApp.Default<E, R>

const toApp = <E, R>(
  servable: Servable<E, R>
): HttpApp.Default<unknown, R | Scope.Scope> =>
  Handler.isHandler(servable)
    ? Handler.toHttpApp(servable as Handler.Handler<R>)
    : Urls.isURLconf(servable)
    ? Handler.toHttpApp(Handler.make({ urls: servable }) as Handler.Handler<R>)
    : typeof servable === "function"
    ? View.toHttpApp(servable)
    : servable

const addressConfig = Config.all({
  host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.integer("PORT").pipe(Config.withDefault(8000))
})

/**
 * Stops the server gracefully when its scope closes: stop accepting, answer requests that arrive
 * on kept-alive connections with `Connection: close`, close idle connections, and after
 * `timeout` close whatever is left.
 */
const drain = (server: Http.Server, timeout: Duration.DurationInput) =>
  Layer.scopedDiscard(Effect.addFinalizer(() =>
    Effect.async<void>((resume) => {
      const onRequest = (_req: Http.IncomingMessage, res: Http.ServerResponse) => {
        res.setHeader("Connection", "close")
        // The app's own listener may already be gone: answer rather than leave the client hanging.
        if (server.listenerCount("request") === 1) {
          res.writeHead(503, { "Content-Type": "text/plain" }).end("The server is stopping.\n")
        }
      }
      server.prependListener("request", onRequest)
      const idle = setInterval(() => server.closeIdleConnections(), 50)
      const bound = setTimeout(() => server.closeAllConnections(), millis(timeout))
      const finish = () => {
        clearInterval(idle)
        clearTimeout(bound)
        resume(Effect.void)
      }
      if (!server.listening) return finish()
      server.close(finish)
      server.closeIdleConnections()
    })
  ))

const adapterOf = (options: Options): "lean" | "platform" =>
  options.adapter ?? (process.env["EFFECT_DJANGO_HTTP_ADAPTER"] === "platform" ? "platform" : "lean")

/**
 * What the Node server layer provides to the app.
 *
 * @since 0.1.0
 * @category models
 */
export type Provided = HttpServer.HttpServer | HttpPlatform.HttpPlatform | Etag.Generator | NodeContext.NodeContext

/**
 * A layer serving `app` on Node: listening once built, stopping gracefully when released. Logs
 * `listening on http://HOST:PORT` once it accepts connections.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <E, R>(
  app: Servable<E, R>,
  options: Options = {}
): Layer.Layer<
  HttpServer.HttpServer,
  HttpServerError.ServeError | ImproperlyConfigured,
  Exclude<Exclude<R, HttpServerRequest.HttpServerRequest | Scope.Scope>, Provided>
> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const fromEnv = yield* Effect.orDie(addressConfig)
    const host = options.host ?? fromEnv.host
    const port = options.port ?? fromEnv.port
    const server = createServer(options.limits)
    const tracing = options.tracer ?? ((yield* Effect.tracer) !== builtinTracer)
    const announce = Layer.effectDiscard(
      Effect.flatMap(HttpServer.HttpServer, (s) =>
        Effect.logInfo(
          `listening on http://${
            s.address._tag === "TcpAddress"
              ? `${host.includes(":") ? `[${host}]` : host}:${s.address.port}`
              : s.address.path
          }`
        ))
    )
    const served = HttpServer.serve(toApp(app))
    return Layer.mergeAll(
      tracing ? served : HttpMiddleware.withTracerDisabledWhen(served, () => true),
      drain(server, options.shutdownTimeout ?? "10 seconds"),
      announce
    )
      .pipe(Layer.provideMerge(
        (adapterOf(options) === "lean" ? LeanServer.layer : NodeHttpServer.layer)(() => server, { port, host })
      ))
  }))

/**
 * A signal repeated within this long of the first is the same stop asked twice: under
 * `npm start`, Ctrl-C reaches the server from the terminal's process group and again relayed
 * by tsx. Only a later signal forces the exit.
 */
const REPEAT_WINDOW_MS = 1_000

/**
 * Listens for SIGINT and SIGTERM beside `NodeRuntime.runMain` (which starts the graceful stop on
 * the first and then stops listening, so that Node's default action would kill the process on a
 * second one): a repeat within `REPEAT_WINDOW_MS` is ignored, a later one exits at once with
 * 128 + the signal's number.
 */
const guardRepeatedSignals = (): void => {
  let first: number | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now()
    if (first === undefined) first = now
    else if (now - first > REPEAT_WINDOW_MS) process.exit(signal === "SIGINT" ? 130 : 143)
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
}

/**
 * Serves `app` until SIGINT or SIGTERM, then stops gracefully and exits 0. The settings come
 * from `settings` (default: `Settings.layerFromEnv()`); a malformed environment stops the start
 * with `ImproperlyConfigured`. A second SIGINT or SIGTERM within a second of the first is the
 * same stop asked twice (Ctrl-C under `npm start` delivers two); a later one forces the exit.
 * With `workers`, several processes serve it (see `RunOptions`).
 *
 * @since 0.1.0
 * @category running
 */
export const run = <
  R extends Settings.Settings | HttpServerRequest.HttpServerRequest | Scope.Scope | Provided | ROut,
  ROut = never,
  E = never
>(
  app: Servable<unknown, R>,
  options: RunOptions & {
    /**
     * The services the site needs besides the settings (session and user stores, a database),
     * built once when the server starts and released when it stops. It may use the settings.
     */
    readonly layer?: Layer.Layer<ROut, E, Settings.Settings>
  } = {}
): void => {
  const workers = cluster.workerCount(options.workers)
  if (workers > 1 && !cluster.isWorker()) {
    return cluster.runPrimary({ workers, maxRestartsPerMinute: options.maxRestartsPerMinute ?? 10 })
  }
  if (cluster.isWorker()) cluster.attachWorker()
  guardRepeatedSignals()
  const settings = options.settings ?? Settings.layerFromEnv()
  // `R` is bounded by the settings, what the server provides and `ROut`: what is left for the
  // layers below is the settings and `ROut`, and `ROut` is never when no `layer` is given.
  const served = layer(app, options) as Layer.Layer<HttpServer.HttpServer, unknown, ROut | Settings.Settings>
  const withServices: Layer.Layer<HttpServer.HttpServer, unknown, Settings.Settings> = options.layer === undefined
    ? served as Layer.Layer<HttpServer.HttpServer, unknown, Settings.Settings>
    : served.pipe(Layer.provide(options.layer))
  NodeRuntime.runMain(Layer.launch(withServices.pipe(Layer.provide(settings))))
}
