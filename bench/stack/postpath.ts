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
import { Effect, Layer } from "effect"
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
import { SECRET_KEY } from "./common.js"
import { measureVariants, type Variant } from "./variants.js"

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

const variants: Record<string, Variant<any>> = {
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

const program = measureVariants(variants, rounds, n)

// The standard middleware's stores (no session cookie is sent: neither is read).
const stores = Layer.merge(SessionStores.layerMemory, Auth.layerMemory())
Effect.runPromise(Effect.provide(program, stores) as Effect.Effect<void>).catch((e) => {
  console.error(e)
  process.exit(1)
})
