/**
 * The session's own work per request, without HTTP: a session made from a cookie, the counter
 * view (`get` + `set`), and `processResponse` (load, save, `Set-Cookie`), run with `Effect.runSync`
 * on the memory store. `SESSIONS_BENCH_BEFORE` (as in `inprocess.ts`) adds the same work on
 * another copy of the sources, in the same interleaved rounds.
 *
 *     npx tsx bench/sessions/micro.ts                # ROUNDS=7 N=20000
 *     SESSIONS_BENCH_BEFORE=/tmp/before/src/index.ts npx tsx bench/sessions/micro.ts
 */
import { Effect, Layer, Option, Schema } from "effect"
import type * as Lib from "../../src/index.js"
import * as Current from "../../src/index.js"

const beforePath = process.env["SESSIONS_BENCH_BEFORE"]
const Before: typeof Lib | undefined = beforePath === undefined ? undefined : await import(beforePath)
const rounds = Number(process.env["ROUNDS"] ?? 7)
const n = Number(process.env["N"] ?? 20000)

const make = (L: typeof Lib) => {
  const context = Effect.runSync(
    Effect.context<Lib.Settings.Settings | Lib.Sessions.SessionStore>().pipe(
      Effect.provide(Layer.merge(L.Settings.layer({ SECRET_KEY: "bench-sessions-secret" }), L.Sessions.layerMemory))
    )
  )
  const response = Effect.runSync(L.HttpResponse.make({ content: "1", contentType: "text/plain" }))
  const view = Effect.gen(function*() {
    const count = Option.getOrElse(yield* L.Sessions.get("n", Schema.Number), () => 0) + 1
    yield* L.Sessions.set("n", count)
    return response
  })
  const request = (cookie: string | undefined) =>
    Effect.flatMap(
      L.Sessions.make(cookie),
      (session) =>
        Effect.flatMap(Effect.provideService(view, L.Sessions.Session, session), (res) =>
          Effect.zipRight(
            L.Sessions.processResponse(session, res),
            Effect.map(L.Sessions.state.pipe(Effect.provideService(L.Sessions.Session, session)), (s) => s.key!)
          ))
    ).pipe(Effect.provide(context))
  const cookie = Effect.runSync(request(undefined))
  return () => Effect.runSync(request(cookie))
}

const targets: Array<{ name: string; run: () => unknown; cpu: Array<number> }> = [
  { name: "counter (this checkout)", run: make(Current), cpu: [] },
  ...(Before === undefined ? [] : [{ name: "counter (before)", run: make(Before), cpu: [] }])
]
for (const t of targets) for (let i = 0; i < n; i++) t.run()
for (let r = 0; r < rounds; r++) {
  for (const t of targets) {
    const start = process.cpuUsage()
    for (let i = 0; i < n; i++) t.run()
    const used = process.cpuUsage(start)
    t.cpu.push((used.user + used.system) / n)
  }
}
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(`${rounds} interleaved rounds of ${n}; CPU µs per request (median):`)
for (const t of targets) console.log(`  ${t.name.padEnd(28)} ${median(t.cpu).toFixed(2).padStart(8)}`)
