/**
 * The CSRF check's cost per POST, in process: Django 3.2's `process_view` for a form POST with
 * the `csrftoken` cookie and the `csrfmiddlewaretoken` field (the body already parsed, as it is
 * once a view or an earlier middleware read `request.POST`), and for an AJAX POST with the
 * `X-CSRFToken` header. Target: under 2 µs per POST.
 *
 *   npx tsx bench/csrf.bench.ts                              # the TypeScript sources, through tsx
 *   npm run build && CSRF_BENCH_DIST=1 npx tsx bench/csrf.bench.ts   # the compiled dist/, as deployed
 *
 * tsx compiles with esbuild's `keepNames`, which names every function made at run time (a
 * `defineProperty` call each): the sources run slower under it than the compiled package.
 *
 * Rows: the token work alone (sanitize both tokens, unmask, constant-time compare), `Csrf.check`
 * run many times in one fiber (as a server runs it: inside the request's fiber), and the same
 * check on HTTPS (Referer parsed and matched against the host). Interleaved measurement: many
 * short rounds, each timing a batch of every row in turn, keeping each row's best batch.
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

const formPost = RequestFactory.post("/form/", {
  form: { title: "hello", body: "a short note", csrfmiddlewaretoken: token },
  cookies: { csrftoken: cookie, sessionid: "abcdefghijklmnopqrstuvwxyz012345" },
  settings
})
const ajaxPost = RequestFactory.post("/api/", {
  json: { title: "hello" },
  cookies: { csrftoken: cookie },
  headers: { "X-CSRFToken": token },
  settings
})
const httpsPost = RequestFactory.post("/form/", {
  form: { title: "hello", csrfmiddlewaretoken: token },
  cookies: { csrftoken: cookie },
  headers: { Referer: "https://testserver/form/" },
  secure: true,
  settings
})

// Parse each body once (as the view would) and check that every request passes.
for (const request of [formPost, ajaxPost, httpsPost]) {
  Effect.runSync(Effect.scoped(request.POST).pipe(Effect.ignore))
  Effect.runSync(Csrf.check(request))
}

const batch = 1000
const rows: Record<string, () => void> = {
  "tokens only: sanitize x2 + compare (unmasks)": () => {
    let ok = 0
    for (let i = 0; i < batch; i++) {
      if (Csrf.compareTokens(Csrf.sanitizeToken(token), Csrf.sanitizeToken(cookie))) ok++
    }
    if (ok !== batch) throw new Error("mismatch")
  },
  "Csrf.check, form POST (field)": () => {
    Effect.runSync(Effect.gen(function*() {
      for (let i = 0; i < batch; i++) yield* Csrf.check(formPost)
    }))
  },
  "Csrf.check, AJAX POST (X-CSRFToken header)": () => {
    Effect.runSync(Effect.gen(function*() {
      for (let i = 0; i < batch; i++) yield* Csrf.check(ajaxPost)
    }))
  },
  "Csrf.check, HTTPS form POST (Referer checked too)": () => {
    Effect.runSync(Effect.gen(function*() {
      for (let i = 0; i < batch; i++) yield* Csrf.check(httpsPost)
    }))
  },
  "baseline: the same loop yielding Effect.void": () => {
    Effect.runSync(Effect.gen(function*() {
      for (let i = 0; i < batch; i++) yield* Effect.void
    }))
  }
}

const best: Record<string, number> = {}
for (let round = 0; round < 200; round++) {
  for (const [name, fn] of Object.entries(rows)) {
    const t0 = performance.now()
    fn()
    const t = ((performance.now() - t0) * 1000) / batch
    best[name] = Math.min(best[name] ?? Infinity, t)
  }
}
console.log(
  `${
    process.env.CSRF_BENCH_DIST === "1" ? "dist/" : "src/ via tsx"
  }: CSRF check per POST, best of 200 rounds of ${batch} (target < 2 µs):`
)
for (const [name, t] of Object.entries(best)) {
  console.log(`  ${name.padEnd(52)} ${t.toFixed(3).padStart(7)} µs`)
}
