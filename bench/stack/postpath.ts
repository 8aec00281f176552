/**
 * The parts of the notes app's `post` request that are the library's own, apart (session 10,
 * helper `post`): reading `request.POST`, the CSRF check of a form POST, the redirect and the
 * standard middleware's answer to it, without the session, the user or SQL. CPU microseconds per
 * request (`process.cpuUsage`), interleaved rounds, medians, as `layers.ts`.
 *
 *     npm run build
 *     ROUNDS=5 N=5000 node --import tsx --import ./bench/stack/dist.mjs bench/stack/postpath.ts
 *
 * Runtime steps of one variant (`bench/stack/opcount.mjs`, deterministic):
 *
 *     CALLGRIND_VARIANT="Defaults.middleware, form POST, view reads POST, redirect" N=300 \
 *       node --import tsx --import ./bench/stack/dist.mjs --import ./bench/stack/opcount.mjs \
 *       bench/stack/postpath.ts
 */
import { Effect, Layer, Runtime } from "effect"
import {
  Auth,
  Csrf,
  Defaults,
  Handler,
  type HttpRequest,
  HttpResponse,
  type Middleware,
  MultiValueDict,
  RequestFactory,
  SessionStores,
  Settings,
  Urls,
  type View
} from "../../src/index.js"
import { interleavedRounds, median } from "../harness.js"
import { SECRET_KEY } from "./common.js"

const rounds = Number(process.env["ROUNDS"] ?? 5)
const n = Number(process.env["N"] ?? 5000)

type AnyView = View.View<unknown, any>
const viewOf = (middleware: Middleware.Middleware<any, any, any> | undefined, urls: any): AnyView =>
  Handler.toView(Handler.make(middleware === undefined ? { urls } : { middleware, urls }) as Handler.Handler<any>)

const ok = () => HttpResponse.make({ content: "ok" })
const redirect = () => HttpResponse.redirect("/notes/")
const readsPost = (request: HttpRequest.HttpRequest) =>
  Effect.flatMap(
    request.POST,
    (post) => MultiValueDict.get(post, "title")._tag === "Some" ? redirect() : Effect.dieMessage("no title")
  )
const urlsOf = (view: View.View<unknown, never>) => Urls.make([Urls.path("x/", view)])

// A masked token (64 characters) as the cookie and as the form's field: the CSRF check passes.
const token = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3v"
const settings = Settings.make({ SECRET_KEY, DEBUG: false, ALLOWED_HOSTS: ["localhost"] })
const form = () =>
  RequestFactory.post("/x/", {
    form: { title: "t", body: "b", csrfmiddlewaretoken: token },
    cookies: { csrftoken: token },
    headers: { Host: "localhost" },
    settings
  })
const get = () => RequestFactory.get("/x/", { cookies: { csrftoken: token }, headers: { Host: "localhost" }, settings })

interface Variant {
  readonly view: AnyView | undefined
  readonly request: () => HttpRequest.HttpRequest
}
const variants: Record<string, Variant> = {
  "RequestFactory.post alone (subtracted below)": { view: undefined, request: form },
  "no middleware, view ok": { view: viewOf(undefined, urlsOf(ok)), request: form },
  "no middleware, view reads POST": {
    view: viewOf(undefined, urlsOf((r) => Effect.zipRight(r.POST, ok()))),
    request: form
  },
  "no middleware, redirect": { view: viewOf(undefined, urlsOf(redirect)), request: form },
  "Csrf, form POST, view ok": { view: viewOf(Csrf.middleware, urlsOf(ok)), request: form },
  "Csrf, form POST, view reads POST, redirect": { view: viewOf(Csrf.middleware, urlsOf(readsPost)), request: form },
  "Defaults.middleware, GET, view ok": { view: viewOf(Defaults.middleware(urlsOf(ok)), urlsOf(ok)), request: get },
  "Defaults.middleware, GET, redirect": {
    view: viewOf(Defaults.middleware(urlsOf(redirect)), urlsOf(redirect)),
    request: get
  },
  "Defaults.middleware, form POST, view ok": {
    view: viewOf(Defaults.middleware(urlsOf(ok)), urlsOf(ok)),
    request: form
  },
  "Defaults.middleware, form POST, view reads POST, redirect": {
    view: viewOf(Defaults.middleware(urlsOf(readsPost)), urlsOf(readsPost)),
    request: form
  }
}

const program = Effect.gen(function*() {
  const only = process.env["VARIANTS"]?.split("|")
  const single = process.env["CALLGRIND_VARIANT"]
  const chosen = Object.keys(variants).filter((v) =>
    single !== undefined ? v === single : v.startsWith("RequestFactory") || only === undefined || only.includes(v)
  )
  for (const name of chosen) {
    const { request, view } = variants[name]!
    if (view === undefined) continue
    const response = yield* view(request())
    const status = HttpResponse.isAnyResponse(response) ? response.status : 0
    if (status !== 200 && status !== 302) throw new Error(`${name}: ${status}`)
  }
  const run = (name: string) =>
    Effect.gen(function*() {
      const { request, view } = variants[name]!
      const before = process.cpuUsage()
      if (view === undefined) {
        for (let i = 0; i < n; i++) request()
      } else {
        for (let i = 0; i < n; i++) yield* view(request())
      }
      const used = process.cpuUsage(before)
      return (used.user + used.system) / n
    })
  if (single !== undefined) {
    for (let i = 0; i < 300; i++) yield* variants[single]!.view!(variants[single]!.request())
    const counter = globalThis as { __opcount_on?: boolean; __opcount_dump?: (n: number) => void }
    counter.__opcount_on = true
    yield* run(single)
    counter.__opcount_on = false
    counter.__opcount_dump?.(n)
    console.log(`${single}: ${n} requests`)
    return
  }
  const runtime = yield* Effect.runtime<never>()
  const results = yield* Effect.promise(() =>
    interleavedRounds(
      chosen,
      rounds,
      (name) => Runtime.runPromise(runtime, run(name) as Effect.Effect<number>),
      process.env["PROFILE"]
    )
  )
  const base = median(results.get(chosen[0]!)!)
  console.log(`${rounds} rounds of ${n} requests, in process (no client), CPU µs/request, medians:`)
  console.log(`| variant | CPU µs/request | less the request value |`)
  console.log(`| --- | --- | --- |`)
  for (const name of chosen) {
    const m = median(results.get(name)!)
    console.log(`| ${name} | ${m.toFixed(1)} | ${name === chosen[0] ? "" : (m - base).toFixed(1)} |`)
  }
})

// The standard middleware's stores (no session cookie is sent: neither is read).
const stores = Layer.merge(SessionStores.layerMemory, Auth.layerMemory())
Effect.runPromise(Effect.provide(program, stores) as Effect.Effect<void>).catch((e) => {
  console.error(e)
  process.exit(1)
})
