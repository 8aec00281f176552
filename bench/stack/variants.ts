/**
 * The runner of the in-process benches (`layers.ts`, `postpath.ts`): named variants, each a view
 * and the request to give it, checked once (a 200 or a 302), then `N` requests of each in
 * interleaved rounds, CPU microseconds per request (`process.cpuUsage`), medians, printed as a
 * table with the first variant (the request value alone) subtracted. With `CALLGRIND_VARIANT`,
 * one variant only: a warm-up of 300 requests, then `N` requests, the runtime's steps dumped when
 * `bench/stack/opcount.mjs` is loaded; `VARIANTS="a|b"` chooses some.
 */
import { Effect, Runtime } from "effect"
import { type HttpRequest, HttpResponse, type View } from "../../src/index.js"
import { countSteps, interleavedRounds, median } from "../harness.js"

export interface Variant<R> {
  /** `undefined`: the request value alone (the first variant, subtracted from the others). */
  readonly view: View.View<unknown, R> | undefined
  readonly request: () => HttpRequest.HttpRequest
}

export const measureVariants = <R>(variants: Record<string, Variant<R>>, rounds: number, n: number) =>
  Effect.gen(function*() {
    const only = process.env["VARIANTS"]?.split("|")
    const single = process.env["CALLGRIND_VARIANT"]
    const chosen = Object.keys(variants).filter((v) =>
      single !== undefined
        ? v === single
        : v.startsWith("RequestFactory") || only === undefined || only.includes(v)
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
      // For `valgrind --tool=callgrind`: warm up, then N requests of one variant; the difference of
      // two runs with different N is the instruction count of N requests.
      // With `--import ./bench/stack/opcount.mjs`: the runtime's steps of the N requests, counted.
      const { request, view } = variants[single]!
      yield* countSteps({ n, warmUp: () => view!(request()), measured: run(single) })
      console.log(`${single}: ${n} requests`)
      return
    }
    // The rounds run on this fiber's runtime, which holds the stack's services.
    const runtime = yield* Effect.runtime<R>()
    const results = yield* Effect.promise(() =>
      interleavedRounds(
        chosen,
        rounds,
        (name) => Runtime.runPromise(runtime, Effect.orDie(run(name))),
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
