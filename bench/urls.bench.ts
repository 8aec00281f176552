/**
 * URL resolution: `Resolver.resolveOption` (Django's first-match rules, converters applied, a
 * `ResolverMatch` built) against `find-my-way-ts` (the engine of @effect/platform's router) and
 * `find-my-way` (Fastify's), on 10, 100 and 1,000 routes. A quarter of the routes are static,
 * a quarter take an `int`, a quarter a `slug` and an `int`, a quarter are regexes
 * (`re_path` with two named groups; `:code([a-z]{3})-:n([0-9]+)` for the radix trees).
 * Paths: the first routes (early hits), the last routes (late hits), and misses.
 * Then `reverse` of the last routes.
 *
 * Run: npx tsx bench/urls.bench.ts
 *
 * Measurement: many short interleaved rounds, each timing a batch of every contender in turn,
 * keeping each contender's fastest batch (robust to a shared, noisy machine).
 */
import { Either, Option } from "effect"
import FindMyWay from "find-my-way"
import * as FindMyWayTs from "find-my-way-ts"
import * as Resolver from "../src/Resolver.js"
import * as Urls from "../src/Urls.js"

type Handler = () => string

const handler: Handler = () => "ok"

interface Site {
  readonly urls: Urls.URLconf<Handler, Urls.Entry>
  readonly fmwts: FindMyWayTs.Router<Handler>
  readonly fmw: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>
  readonly early: ReadonlyArray<string>
  readonly late: ReadonlyArray<string>
  readonly miss: ReadonlyArray<string>
  readonly names: ReadonlyArray<readonly [string, Record<string, unknown>]>
}

const pathFor = (i: number): string => {
  switch (i % 4) {
    case 0:
      return `/s${i}/about/`
    case 1:
      return `/c${i}/${1000 + i}/`
    case 2:
      return `/d${i}/hello-world-${i}/${i}/`
    default:
      return `/r${i}/abc-${i}/`
  }
}

const paramsFor = (i: number): Record<string, unknown> => {
  switch (i % 4) {
    case 0:
      return {}
    case 1:
      return { id: 1000 + i }
    case 2:
      return { slug: `hello-world-${i}`, n: i }
    default:
      return { code: "abc", n: String(i) }
  }
}

const makeSite = (n: number): Site => {
  const patterns: Array<Urls.AnyURLPattern<Handler>> = []
  const fmwts = FindMyWayTs.make<Handler>()
  const fmw = FindMyWay()
  for (let i = 0; i < n; i++) {
    switch (i % 4) {
      case 0:
        patterns.push(Urls.path(`s${i}/about/`, handler, { name: `r${i}` }))
        fmwts.on("GET", `/s${i}/about/`, handler)
        fmw.on("GET", `/s${i}/about/`, handler)
        break
      case 1:
        patterns.push(Urls.path(`c${i}/<int:id>/`, handler, { name: `r${i}` }))
        fmwts.on("GET", `/c${i}/:id/`, handler)
        fmw.on("GET", `/c${i}/:id/`, handler)
        break
      case 2:
        patterns.push(Urls.path(`d${i}/<slug:slug>/<int:n>/`, handler, { name: `r${i}` }))
        fmwts.on("GET", `/d${i}/:slug/:n/`, handler)
        fmw.on("GET", `/d${i}/:slug/:n/`, handler)
        break
      default:
        patterns.push(Urls.rePath(`^r${i}/(?P<code>[a-z]{3})-(?P<n>[0-9]+)/$`, handler, { name: `r${i}` }))
        fmwts.on("GET", `/r${i}/:code([a-z]{3})-:n([0-9]+)/`, handler)
        fmw.on("GET", `/r${i}/:code([a-z]{3})-:n([0-9]+)/`, handler)
    }
  }
  const early = [0, 1, 2, 3].map(pathFor)
  const late = [n - 4, n - 3, n - 2, n - 1].map(pathFor)
  const miss = [`/nope/`, `/s${n - 4}/about`, `/c${n - 3}/abc/`, `/x${n}/y/z/`]
  const names = [n - 4, n - 3, n - 2, n - 1].map((i) => [`r${i}`, paramsFor(i)] as const)
  return { urls: Urls.make(patterns) as Urls.URLconf<Handler, Urls.Entry>, fmwts, fmw, early, late, miss, names }
}

let sink: unknown
const contenders = (site: Site, paths: ReadonlyArray<string>) =>
  [
    ["Resolver.resolveOption", (batch: number) => {
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < paths.length; i++) sink = Resolver.resolveOption(site.urls, paths[i]!)
      }
    }],
    ["find-my-way-ts", (batch: number) => {
      for (let b = 0; b < batch; b++) for (let i = 0; i < paths.length; i++) sink = site.fmwts.find("GET", paths[i]!)
    }],
    ["find-my-way", (batch: number) => {
      for (let b = 0; b < batch; b++) for (let i = 0; i < paths.length; i++) sink = site.fmw.find("GET", paths[i]!)
    }]
  ] as const

const interleaved = (
  fns: ReadonlyArray<readonly [string, (batch: number) => void]>,
  rounds: number,
  targetMs: number
): Array<number> => {
  let batch = 1
  for (;;) {
    const t0 = performance.now()
    fns[0]![1](batch)
    if (performance.now() - t0 >= targetMs) break
    batch *= 2
  }
  const best = fns.map(() => Infinity)
  for (let r = 0; r < rounds; r++) {
    fns.forEach(([, fn], c) => {
      const t0 = performance.now()
      fn(batch)
      const per = (performance.now() - t0) / batch
      if (per < best[c]!) best[c] = per
    })
  }
  return best
}

const fmt = (ms: number, per: number) => `${((ms * 1e6) / per).toFixed(0)} ns`

// Sanity: every contender answers the same hits and misses.
const check = (site: Site) => {
  for (const p of [...site.early, ...site.late]) {
    if (Option.isNone(Resolver.resolveOption(site.urls, p))) throw new Error(`Urls missed ${p}`)
    if (site.fmwts.find("GET", p) === undefined) throw new Error(`find-my-way-ts missed ${p}`)
    if (site.fmw.find("GET", p) === null) throw new Error(`find-my-way missed ${p}`)
  }
  for (const p of site.miss) {
    if (Option.isSome(Resolver.resolveOption(site.urls, p))) throw new Error(`Urls matched ${p}`)
  }
  for (const [name, params] of site.names) {
    Either.getOrThrow(Resolver.reverseDynamic(site.urls, name, { kwargs: params }))
  }
}

const rounds = Number(process.env.ROUNDS ?? 60)
console.log(`resolution, ns per path (best of ${rounds} interleaved rounds); ratio = peer time / Urls time`)
console.log("| routes | paths | Urls | find-my-way-ts | ratio | find-my-way | ratio |")
console.log("| --- | --- | --- | --- | --- | --- | --- |")
for (const n of [10, 100, 1000]) {
  const site = makeSite(n)
  check(site)
  for (const [label, paths] of [["early hits", site.early], ["late hits", site.late], ["misses", site.miss]] as const) {
    const [ours, ts, fmw] = interleaved(contenders(site, paths), rounds, 5)
    console.log(
      `| ${n} | ${label} | ${fmt(ours!, paths.length)} | ${fmt(ts!, paths.length)} | ${(ts! / ours!).toFixed(2)}x | ${
        fmt(fmw!, paths.length)
      } | ${(fmw! / ours!).toFixed(2)}x |`
    )
  }
}

console.log("\nreverse of the last four routes, ns per call")
for (const n of [10, 100, 1000]) {
  const site = makeSite(n)
  const [dyn] = interleaved(
    [["reverse", (batch: number) => {
      for (let b = 0; b < batch; b++) {
        for (const [name, params] of site.names) sink = Resolver.reverseDynamic(site.urls, name, { kwargs: params })
      }
    }]],
    rounds,
    5
  )
  console.log(`| ${n} | ${fmt(dyn!, site.names.length)} |`)
}
void sink
