/**
 * Building an HttpRequest from a platform request and reading GET and COOKIES,
 * against reading the platform's own search params and cookies. Both sides run
 * inside `Effect.runSync` with a scope, as a handler would.
 *
 * Run: npx tsx bench/request.bench.ts
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Effect } from "effect"
import { bench, do_not_optimize, run, summary } from "mitata"
import { HttpRequest } from "../src/index.js"
import { sampleRequest } from "./sampleRequest.js"

const web = sampleRequest

const platform = () =>
  Effect.runSync(Effect.scoped(Effect.sync(() => {
    const req = HttpServerRequest.fromWeb(web)
    const params = new URL(req.url, "http://localhost").searchParams
    const query: Record<string, Array<string>> = {}
    for (const [k, v] of params) (query[k] ??= []).push(v)
    return [query, req.cookies] as const
  })))

const ours = () =>
  Effect.runSync(Effect.scoped(Effect.map(
    HttpRequest.fromServerRequest(HttpServerRequest.fromWeb(web)),
    (r) => [r.GET, r.COOKIES] as const
  )))

// Warm both sides up before measuring, so neither pays for the other's JIT and GC.
for (let i = 0; i < 20_000; i++) {
  platform()
  ours()
}

summary(() => {
  if (process.env.REVERSE) bench("HttpRequest.fromServerRequest + GET + COOKIES (first)", () => do_not_optimize(ours()))
  bench("platform: searchParams + cookies", () => do_not_optimize(platform()))
  bench("HttpRequest.fromServerRequest + GET + COOKIES", () => do_not_optimize(ours())).baseline(false)
})

const result = await run({ format: "mitata" })
const avg = (name: string) => {
  for (const b of result.benchmarks) {
    if (b.alias === name) return b.runs[0]!.stats!.p50
  }
  throw new Error(name)
}
const ratio = avg("HttpRequest.fromServerRequest + GET + COOKIES") / avg("platform: searchParams + cookies")
console.log(`\nratio of medians (HttpRequest / platform): ${ratio.toFixed(2)}x  (target <= 1.2x)`)
