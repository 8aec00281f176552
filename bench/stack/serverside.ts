/**
 * The server side of a request: the same two views, a trivial one (`/hello/`, one small
 * `HttpResponse`) and the notes app's `list` page (`/notes/`, the whole site of `library.ts`:
 * Django's default middleware, the session and the user from SQLite, a template of 20 notes),
 * served three ways, each in one process of its own:
 *
 * - `lean`: `Server.layer` on the library's default (lean) adapter, as `Server.run` serves it;
 * - `platform`: `Server.layer` with `adapter: "platform"`, `@effect/platform-node`'s `NodeHttpServer`;
 * - `raw`: `node:http` calling the view directly, with the request value made by `HttpRequest.make`
 *   from the `IncomingMessage` (headers read in place, a body stream only when the request has a
 *   body), the view run by `View.respond` in a fiber forked from the services' runtime, and the
 *   answer written with one `writeHead` and one `end`: the floor under the adapters;
 * - `raw-wide` (only when asked for): `raw` with what `Server.layer` adds to the services' context
 *   (`NodeHttpServer.layerContext`: the platform's `NodeContext`, `HttpPlatform`, `Etag`), so the
 *   request's fiber starts with a context of the same size as on the adapters.
 *
 * The driver (no argument) starts the three, signs in on each, and loads each request with
 * autocannon (same connections and duration), the servers in interleaved rounds (each round
 * starts with another one); it prints CPU microseconds per request of each server process
 * (`process.cpuUsage`, asked for with SIGUSR2) and requests per second, medians of the rounds,
 * and the ratios to `raw` of the same round.
 *
 *     npm run build && npx tsx bench/stack/serverside.ts        # ROUNDS=5 DURATION=4 CONNECTIONS=50
 *     SERVERS="lean|raw" REQUESTS=hello LIBRARY=src npx tsx bench/stack/serverside.ts
 *     SERVERS="lean|raw" REQUESTS="json|list|post" npx tsx bench/stack/serverside.ts   # the notes app's three
 *
 * `inprocess` (no server): the `list` view called with `RequestFactory` requests on two runtimes,
 * the services' alone and the same with what `Server.layer` adds (`NodeHttpServer.layerContext`),
 * interleaved rounds, CPU microseconds per request: what the size of the context costs the view.
 *
 *     npx tsx bench/stack/serverside.ts inprocess                 # ROUNDS=7 N=1000
 *
 * One server by hand (`--cpu-prof` writes its profile when it gets SIGINT):
 *
 *     SERVERSIDE_DB=/tmp/db.sqlite3 PORT=8001 node --cpu-prof --import tsx --import ./bench/stack/dist.mjs \
 *       bench/stack/serverside.ts lean
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Layer, ManagedRuntime, Runtime } from "effect"
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as Http from "node:http"
import * as Inspector from "node:inspector"
import { loadavg, tmpdir } from "node:os"
import * as Path from "node:path"
import { Client, Handler, HttpRequest, HttpResponse, RequestFactory, Server, Settings, View } from "../../src/index.js"
import { bodyStream } from "../../src/internal/node/adapter.js"
import { freePort, interleavedRounds, median } from "../harness.js"
import { type BenchRequest, checkOnce, load, signIn } from "./client.js"
import { here, PASSWORD, seed, USERNAME } from "./common.js"
import { services, settings, site } from "./library.js"

const HELLO = "Hello, World!"
const hello = () => HttpResponse.make({ content: HELLO })
const siteView = Handler.toView(site as Handler.Handler<any>) as View.View<unknown, any>
/** The one view every server serves: `/hello/` answered at once, everything else by the site. */
const view: View.View<unknown, any> = (request) => request.path === "/hello/" ? hello() : siteView(request)

const SERVERS = ["lean", "platform", "raw", "raw-wide"] as const
type ServerName = typeof SERVERS[number]

// ---------------------------------------------------------------------------
// The servers
// ---------------------------------------------------------------------------

const announce = (port: number) => console.log(`listening on http://127.0.0.1:${port}`)

const serveLayer = (adapter: "lean" | "platform", port: number, db: string) =>
  // `Server.layer` logs `listening on http://...` once it listens.
  NodeRuntime.runMain(Layer.launch(
    Server.layer(view, { port, host: "127.0.0.1", adapter, limits: { maxRequestsPerSocket: 0 } }).pipe(
      Layer.provide(services(db)),
      Layer.provide(settings)
    )
  ) as Effect.Effect<never>)

/** A platform response written with one `writeHead` (a flat header list) and one `end`. */
const write = (res: Http.ServerResponse, response: HttpServerResponse.HttpServerResponse): void => {
  const flat: Array<string> = []
  const headers = response.headers
  for (const name in headers) flat.push(name, headers[name]!)
  for (const cookie of Object.values(response.cookies.cookies)) {
    flat.push("set-cookie", `${cookie.name}=${cookie.valueEncoded}`)
  }
  const body = response.body
  res.writeHead(response.status, response.statusText ?? "", flat)
  res.end(body._tag === "Uint8Array" || body._tag === "Raw" ? body.body as Uint8Array : undefined)
}

const serveRaw = async (port: number, db: string, wide: boolean) => {
  const base = Layer.provideMerge(services(db), settings)
  const runtime = await ManagedRuntime.make(wide ? Layer.merge(base, NodeHttpServer.layerContext) : base).runtime()
  const runFork = Runtime.runFork(runtime)
  const s = Runtime.runSync(runtime)(Effect.flatMap(Effect.context<never>(), (c) => Effect.succeed(c)))
  const server = Server.createServer({ maxRequestsPerSocket: 0 })
  server.on("request", (req: Http.IncomingMessage, res: Http.ServerResponse) => {
    const url = req.url!
    const q = url.indexOf("?")
    const headers = req.headers as Record<string, string>
    const hasBody = headers["content-length"] !== undefined || headers["transfer-encoding"] !== undefined
    const request = HttpRequest.make({
      method: req.method!,
      path: q === -1 ? url : url.slice(0, q),
      queryString: q === -1 ? "" : url.slice(q + 1),
      headers,
      remoteAddr: req.socket.remoteAddress ?? "",
      serverName: "127.0.0.1",
      serverPort: String(port),
      body: hasBody ? bodyStream(req) : undefined,
      context: s
    })
    runFork(Effect.map(Effect.scoped(View.respond(view, request)), (response) => write(res, response)))
  })
  server.listen(port, "127.0.0.1", () => announce(port))
}

/**
 * With `ALLOC_PROFILE=FILE`: V8's sampling heap profiler runs from the first SIGUSR2 to the second,
 * counting objects the collector has freed too (short-lived garbage is most of a request's), and
 * its profile is written to FILE (`bench/server/alloc-summary.ts` reads it).
 */
const allocationProfile = (file: string) => {
  const session = new Inspector.Session()
  session.connect()
  let marks = 0
  return () => {
    marks++
    if (marks === 1) {
      session.post("HeapProfiler.startSampling", {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true
      } as never)
    } else if (marks === 2) {
      session.post("HeapProfiler.stopSampling", (error, result) => {
        if (error === null) writeFileSync(file, JSON.stringify(result.profile))
        else console.error(error)
      })
    }
  }
}

const serve = (name: ServerName) => {
  const onMark = process.env["ALLOC_PROFILE"] === undefined
    ? undefined
    : allocationProfile(process.env["ALLOC_PROFILE"])
  process.on("SIGUSR2", () => {
    onMark?.()
    const used = process.cpuUsage()
    console.log(`cpu ${used.user + used.system}`)
  })
  process.once("SIGINT", () => process.exit(0))
  const port = Number(process.env["PORT"] ?? 8000)
  const db = process.env["SERVERSIDE_DB"]!
  if (name === "raw" || name === "raw-wide") void serveRaw(port, db, name === "raw-wide")
  else serveLayer(name, port, db)
}

// ---------------------------------------------------------------------------
// The driver
// ---------------------------------------------------------------------------

const duration = Number(process.env["DURATION"] ?? 4)
const warmup = Number(process.env["WARMUP"] ?? 2)
const rounds = Number(process.env["ROUNDS"] ?? 5)
const connections = Number(process.env["CONNECTIONS"] ?? 50)
const library = process.env["LIBRARY"] ?? "dist"

interface Running {
  readonly name: ServerName
  readonly base: string
  readonly cpu: () => Promise<number>
  readonly stop: () => void
  readonly dir: string
}

const start = async (name: ServerName): Promise<Running> => {
  const dir = mkdtempSync(Path.join(tmpdir(), `bench-serverside-${name}-`))
  const db = Path.join(dir, "db.sqlite3")
  seed(db)
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [
      ...(process.env["SERVER_NODE_OPTIONS"]?.split(" ").filter((o) => o !== "") ?? []),
      "--import",
      "tsx",
      ...(library === "dist" ? ["--import", Path.join(here, "dist.mjs")] : []),
      Path.join(here, "serverside.ts"),
      name
    ],
    { env: { ...process.env, PORT: String(port), SERVERSIDE_DB: db }, stdio: ["ignore", "pipe", "inherit"] }
  )
  let out = ""
  let waiting: ((cpu: number) => void) | undefined
  await new Promise<void>((ready, fail) => {
    child.once("exit", (code) => fail(new Error(`${name} exited with ${code}: ${out}`)))
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const cpu = /cpu (\d+)\n/.exec(out)
      if (cpu !== null && waiting !== undefined) {
        out = out.replace(cpu[0], "")
        const w = waiting
        waiting = undefined
        w(Number(cpu[1]))
      }
      if (out.includes("listening on")) ready()
    })
  })
  return {
    name,
    base: `http://127.0.0.1:${port}`,
    dir,
    cpu: () =>
      new Promise<number>((done) => {
        waiting = done
        child.kill("SIGUSR2")
      }),
    stop: () => {
      child.kill("SIGINT")
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

const measure = async (server: Running, request: BenchRequest) => {
  await load(server.base, request, { connections, seconds: warmup })
  const before = await server.cpu()
  const r = await load(server.base, request, { connections, seconds: duration })
  const after = await server.cpu()
  // `post` answers 302 (the redirect to the list), the others 200.
  const answered = request.name === "post" ? r["3xx"] : r["2xx"]
  if (answered !== r.requests.total || r.errors + r.timeouts > 0) {
    throw new Error(
      `${server.name} ${request.name}: ${answered} of ${r.requests.total} answered as expected, ${r.errors} errors`
    )
  }
  return { rps: r.requests.average, cpu: (after - before) / r.requests.total }
}

const load1 = () => loadavg().map((x) => x.toFixed(2)).join(", ")

const drive = async () => {
  const chosen = SERVERS.filter((s) => process.env["SERVERS"]?.split("|").includes(s) ?? s !== "raw-wide")
  const requestNames = (process.env["REQUESTS"] ?? "hello|list").split("|")
  if (library === "dist") execFileSync("npm", ["run", "build"], { stdio: ["ignore", "ignore", "inherit"] })
  console.log(
    `bench/stack/serverside: ${chosen.join(", ")}; ${
      requestNames.join(", ")
    }; one process each, library from ${library}/; autocannon -c ${connections} -d ${duration} after ${warmup} s; ${rounds} rounds; ${
      new Date().toISOString()
    }; load average ${load1()}`
  )
  const running: Array<Running> = []
  try {
    for (const name of chosen) running.push(await start(name))
    const requests = new Map<ServerName, Array<BenchRequest>>()
    for (const server of running) {
      const signedIn = await signIn(server.base)
      await checkOnce(server.base, signedIn)
      const list = signedIn.requests.find((r) => r.name === "list")!
      const helloRequest = { ...list, path: "/hello/" }
      requests.set(
        server.name,
        requestNames.map((n) => n === "hello" ? helloRequest : signedIn.requests.find((r) => r.name === n)!)
      )
    }
    const cpu = new Map<string, Array<number>>()
    const rps = new Map<string, Array<number>>()
    const ratio = new Map<string, Array<number>>()
    for (let round = 0; round < rounds; round++) {
      const order = running.map((_, i) => running[(i + round) % running.length]!)
      const thisRound = new Map<string, number>()
      for (const server of order) {
        for (const [i, n] of requestNames.entries()) {
          const m = await measure(server, requests.get(server.name)![i]!)
          const key = `${server.name} ${n}`
          cpu.set(key, [...(cpu.get(key) ?? []), m.cpu])
          rps.set(key, [...(rps.get(key) ?? []), m.rps])
          thisRound.set(key, m.cpu)
        }
      }
      for (const [key, value] of thisRound) {
        const raw = thisRound.get(`raw ${key.split(" ")[1]}`)
        if (raw !== undefined) ratio.set(key, [...(ratio.get(key) ?? []), value / raw])
      }
      console.log(
        `round ${round + 1}: ${
          [...thisRound].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")
        } µs/req (load ${load1()})`
      )
    }
    console.log("")
    console.log("| server | request | req/s | CPU µs/request | CPU / raw's, same round |")
    console.log("| --- | --- | --- | --- | --- |")
    for (const n of requestNames) {
      for (const s of chosen) {
        const key = `${s} ${n}`
        const r = ratio.get(key)
        console.log(
          `| ${s} | ${n} | ${median(rps.get(key)!).toFixed(0)} | ${median(cpu.get(key)!).toFixed(1)} | ${
            r === undefined ? "" : `${median(r).toFixed(2)}x`
          } |`
        )
      }
    }
    console.log(`\nload average at the end: ${load1()}`)
  } finally {
    for (const server of running) server.stop()
  }
}

/** The `list` view in process, on the services' runtime and on it widened as `Server.layer` widens it. */
const inProcess = async () => {
  const dir = mkdtempSync(Path.join(tmpdir(), "bench-serverside-inprocess-"))
  const db = Path.join(dir, "db.sqlite3")
  seed(db)
  const base = Layer.provideMerge(services(db), settings)
  const narrow = await ManagedRuntime.make(base).runtime()
  const wide = await ManagedRuntime.make(Layer.merge(base, NodeHttpServer.layerContext)).runtime()
  const cookies = await Runtime.runPromise(narrow)(Effect.scoped(Effect.gen(function*() {
    const client = yield* Client.make(site)
    const form = yield* client.get("/login/")
    const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(form.text)?.[1] ?? ""
    const login = yield* client.post("/login/", {
      form: { csrfmiddlewaretoken: token, username: USERNAME, password: PASSWORD }
    })
    if (login.status !== 302) throw new Error(`login: ${login.status}`)
    return yield* client.cookies
  })))
  const s = Runtime.runSync(narrow)(Settings.current)
  const n = Number(process.env["N"] ?? 1000)
  const one = Effect.suspend(() =>
    Effect.scoped(
      View.respond(view, RequestFactory.get("/notes/", { cookies, headers: { Host: "localhost" }, settings: s }))
    )
  )
  const loop = Effect.gen(function*() {
    const before = process.cpuUsage()
    for (let i = 0; i < n; i++) {
      const response = yield* one
      if (response.status !== 200) throw new Error(`list: ${response.status}`)
    }
    const used = process.cpuUsage(before)
    return (used.user + used.system) / n
  })
  const runtimes = { "services only": narrow, "services + Server.layer's context": wide }
  const results = await interleavedRounds(
    Object.keys(runtimes),
    Number(process.env["ROUNDS"] ?? 7),
    (name) => Runtime.runPromise(runtimes[name as keyof typeof runtimes])(loop),
    undefined
  )
  console.log(`list in process, ${n} requests a round, CPU µs/request (medians; load average ${load1()}):`)
  for (const [name, xs] of results) {
    console.log(`| ${name} | ${median(xs).toFixed(1)} | ${xs.map((x) => x.toFixed(0)).join(", ")} |`)
  }
  const [a, b] = [...results.values()]
  console.log(`wide / narrow, per round: ${a!.map((x, i) => (b![i]! / x).toFixed(2)).join(", ")}`)
  rmSync(dir, { recursive: true, force: true })
}

const mode = process.argv[2]
if (mode === "seed") {
  // For `callgrind-serverside.sh`: a fresh database at the path given.
  seed(process.argv[3]!)
} else if (mode === "signin") {
  // For `callgrind-serverside.sh`: signs in on the server at the URL given; prints the Cookie header.
  signIn(process.argv[3]!).then((signedIn) => console.log(signedIn.cookie), (error) => {
    console.error(error)
    process.exit(1)
  })
} else if (mode === "signin-requests") {
  // For `callgrind-serverside.sh`: signs in on the server at the URL given; prints the requests
  // of the bench (`list`, `json`, `post`: method, path, headers, body) as JSON.
  signIn(process.argv[3]!).then((signedIn) => console.log(JSON.stringify(signedIn.requests)), (error) => {
    console.error(error)
    process.exit(1)
  })
} else if (mode === "inprocess") {
  inProcess().then(() => process.exit(0), (error) => {
    console.error(error)
    process.exit(1)
  })
} else if (mode === undefined) {
  drive().then(() => process.exit(0), (error) => {
    console.error(error)
    process.exit(1)
  })
} else if ((SERVERS as ReadonlyArray<string>).includes(mode)) serve(mode as ServerName)
else throw new Error(`unknown server ${mode}: ${SERVERS.join(", ")}`)
