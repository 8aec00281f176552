/**
 * The CSRF check's cost per POST, in process: Django 3.2's `process_view` for a form POST with
 * the `csrftoken` cookie and the `csrfmiddlewaretoken` field, for an AJAX POST with the
 * `X-CSRFToken` header, and for an HTTPS form POST (the Referer parsed and matched against the
 * host too). Target: under 2 µs per POST.
 *
 *   npx tsx bench/csrf.bench.ts                              # the TypeScript sources, through tsx
 *   npm run build && CSRF_BENCH_DIST=1 npx tsx bench/csrf.bench.ts   # the compiled dist/, as deployed
 *
 * tsx compiles with esbuild's `keepNames`, which names every function made at run time (a
 * `defineProperty` call each): the sources run slower under it than the compiled package.
 *
 * What each row measures (BENCHMARKS.md, csrf):
 * - "warm request": the check run again and again on one request value whose POST, COOKIES and
 *   META an earlier reader (a middleware, the view, the first check) already parsed: the check's
 *   own work, as it runs when something before it read `request.POST`.
 * - "fresh request": a new request value for every check (built before the timing starts), so
 *   the check is the first to read its COOKIES, META and POST, and parses the body itself, as
 *   Django's `process_view` does when it is the first reader. The row "fresh request:
 *   `request.POST` alone" is that parse (work the view would otherwise do when it reads the
 *   form); the difference between the two is what the check adds on such a request.
 * Rows run many times in one fiber (as a server runs the check: inside the request's fiber).
 * `ROUNDS=N` sets the number of rounds (200 by default; the fresh rows make each round slow, so
 * use 40 or so on a loaded machine).
 * Interleaved measurement: many short rounds, each timing a batch of every row in turn, keeping
 * each row's best batch.
 */
import { Effect } from "effect"
import type * as Lib from "../src/index.js"

const { Csrf, RequestFactory, Settings }: typeof Lib = process.env.CSRF_BENCH_DIST === "1"
  ? await import("../dist/index.js" as string)
  : await import("../src/index.js")

const secret = "k".repeat(32)
const cookie = Csrf.maskSecret(secret)
const token = Csrf.maskSecret(secret)
const settings = Settings.make({ ALLOWED_HOSTS: ["testserver"] })

const makeForm = () =>
  RequestFactory.post("/form/", {
    form: { title: "hello", body: "a short note", csrfmiddlewaretoken: token },
    cookies: { csrftoken: cookie, sessionid: "abcdefghijklmnopqrstuvwxyz012345" },
    settings
  })
const makeAjax = () =>
  RequestFactory.post("/api/", {
    json: { title: "hello" },
    cookies: { csrftoken: cookie },
    headers: { "X-CSRFToken": token },
    settings
  })
const makeHttps = () =>
  RequestFactory.post("/form/", {
    form: { title: "hello", csrfmiddlewaretoken: token },
    cookies: { csrftoken: cookie },
    headers: { Referer: "https://testserver/form/" },
    secure: true,
    settings
  })
const formPost = makeForm()
const ajaxPost = makeAjax()
const httpsPost = makeHttps()

// Parse each body once (as an earlier reader would) and check that every request passes.
for (const request of [formPost, ajaxPost, httpsPost]) {
  Effect.runSync(Effect.scoped(request.POST).pipe(Effect.ignore))
  Effect.runSync(Csrf.check(request))
}

const batch = 1000
type Request = ReturnType<typeof makeForm>
/** A row: its timed part, given what its untimed setup made (fresh requests). */
interface Row {
  readonly setup?: () => ReadonlyArray<Request>
  readonly run: (requests: ReadonlyArray<Request>) => void
}
const warm = (request: Request): Row => ({
  run: () => {
    Effect.runSync(Effect.gen(function*() {
      for (let i = 0; i < batch; i++) yield* Csrf.check(request)
    }))
  }
})
const fresh = (make: () => Request): Row => ({
  setup: () => Array.from({ length: batch }, make),
  run: (requests) => {
    Effect.runSync(Effect.gen(function*() {
      for (let i = 0; i < batch; i++) yield* Csrf.check(requests[i]!)
    }))
  }
})
/** Reading `request.POST` on fresh requests: the body parse the check pays when it reads first. */
const postAlone = (make: () => Request): Row => ({
  setup: () => Array.from({ length: batch }, make),
  run: (requests) => {
    Effect.runSync(Effect.gen(function*() {
      for (let i = 0; i < batch; i++) yield* requests[i]!.POST
    }))
  }
})
const rows: Record<string, Row> = {
  "tokens only: sanitize x2 + compare (unmasks)": {
    run: () => {
      let ok = 0
      for (let i = 0; i < batch; i++) {
        if (Csrf.compareTokens(Csrf.sanitizeToken(token), Csrf.sanitizeToken(cookie))) ok++
      }
      if (ok !== batch) throw new Error("mismatch")
    }
  },
  "warm request: form POST (field)": warm(formPost),
  "warm request: AJAX POST (X-CSRFToken header)": warm(ajaxPost),
  "warm request: HTTPS form POST (Referer checked too)": warm(httpsPost),
  "fresh request: form POST (check parses the body)": fresh(makeForm),
  "fresh request: AJAX POST": fresh(makeAjax),
  "fresh request: HTTPS form POST (parses the body)": fresh(makeHttps),
  "fresh request: `request.POST` alone (form POST)": postAlone(makeForm),
  "fresh request: `request.POST` alone (HTTPS form POST)": postAlone(makeHttps),
  "baseline: the same loop yielding Effect.void": {
    run: () => {
      Effect.runSync(Effect.gen(function*() {
        for (let i = 0; i < batch; i++) yield* Effect.void
      }))
    }
  }
}

const ROUNDS = Number(process.env["ROUNDS"] ?? 200)
const best: Record<string, number> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, row] of Object.entries(rows)) {
    const requests = row.setup?.() ?? []
    const t0 = performance.now()
    row.run(requests)
    const t = ((performance.now() - t0) * 1000) / batch
    best[name] = Math.min(best[name] ?? Infinity, t)
  }
}
console.log(
  `${
    process.env.CSRF_BENCH_DIST === "1" ? "dist/" : "src/ via tsx"
  }: CSRF check per POST, best of ${ROUNDS} rounds of ${batch} (target < 2 µs):`
)
for (const [name, t] of Object.entries(best)) {
  console.log(`  ${name.padEnd(56)} ${t.toFixed(3).padStart(7)} µs`)
}
