/**
 * QueryDict.parse against other query-string parsers, on 3-, 50- and
 * 1000-field query strings. Every contender ends with the same thing: every
 * key mapped to all its values (URLSearchParams is collected into a Map of
 * arrays; UrlParams into its record).
 *
 * Run: npx tsx bench/querydict.bench.ts
 * Head to head with URLSearchParams only, in a process where nothing else
 * touches URLSearchParams (its speed varies once UrlParams uses it too):
 * npx tsx bench/querydict.bench.ts --pair
 */
import * as UrlParams from "@effect/platform/UrlParams"
import { Either } from "effect"
import fastQuerystring from "fast-querystring"
import { bench, do_not_optimize, group, run, summary } from "mitata"
import * as querystring from "node:querystring"
import qs from "qs"
import * as QueryDict from "../src/QueryDict.js"

const pair = process.argv.includes("--pair")

const words = ["alpha", "beta", "gamma", "delta", "caf%C3%A9", "hello+world", "a%2Fb", "x", "42", ""]

const makeQuery = (fields: number): string => {
  const parts: Array<string> = []
  for (let i = 0; i < fields; i++) {
    // Some repeated keys, some escaped values, mostly plain ASCII, as real forms are.
    const key = i % 7 === 0 ? "tag" : `field${i}`
    parts.push(`${key}=${words[i % words.length]}`)
  }
  return parts.join("&")
}

const inputs = {
  "3 fields": "q=effect+django&page=2&lang=fr",
  "50 fields": makeQuery(50),
  "1000 fields": makeQuery(1000)
}

const viaURLSearchParams = (s: string): Map<string, Array<string>> => {
  const map = new Map<string, Array<string>>()
  for (const [k, v] of new URLSearchParams(s)) {
    const list = map.get(k)
    if (list === undefined) map.set(k, [v])
    else list.push(v)
  }
  return map
}

const names = ["QueryDict.parse", "URLSearchParams", "node:querystring", "fast-querystring", "qs", "UrlParams"]

for (const [label, input] of pair ? [] : Object.entries(inputs)) {
  group(label, () => {
    summary(() => {
      bench(names[0]!, () => do_not_optimize(Either.getOrThrow(QueryDict.parse(input, { maxNumFields: null }))))
      bench(names[1]!, () => do_not_optimize(viaURLSearchParams(input)))
      bench(names[2]!, () => do_not_optimize(querystring.parse(input)))
      bench(names[3]!, () => do_not_optimize(fastQuerystring.parse(input)))
      bench(names[4]!, () => do_not_optimize(qs.parse(input, { parameterLimit: Infinity, arrayLimit: Infinity })))
      bench(names[5]!, () => do_not_optimize(UrlParams.toRecord(UrlParams.fromInput(new URLSearchParams(input)))))
    })
  })
}

// One loop per contender, written out, so that each has its own monomorphic call site.
const allContenders: ReadonlyArray<readonly [string, (s: string, n: number) => void]> = [
  [names[0]!, (s, n) => {
    for (let i = 0; i < n; i++) do_not_optimize(QueryDict.parse(s, { maxNumFields: null }))
  }],
  [names[1]!, (s, n) => {
    for (let i = 0; i < n; i++) do_not_optimize(viaURLSearchParams(s))
  }],
  [names[2]!, (s, n) => {
    for (let i = 0; i < n; i++) do_not_optimize(querystring.parse(s))
  }],
  [names[3]!, (s, n) => {
    for (let i = 0; i < n; i++) do_not_optimize(fastQuerystring.parse(s))
  }],
  [names[4]!, (s, n) => {
    for (let i = 0; i < n; i++) do_not_optimize(qs.parse(s, { parameterLimit: Infinity, arrayLimit: Infinity }))
  }],
  [names[5]!, (s, n) => {
    for (let i = 0; i < n; i++) do_not_optimize(UrlParams.toRecord(UrlParams.fromInput(new URLSearchParams(s))))
  }]
]

const contenders = pair ? allContenders.slice(0, 2) : allContenders

/**
 * Interleaved measurement, robust to a shared, noisy machine: many short
 * rounds, each timing a batch of every contender in turn, keeping each
 * contender's fastest batch. Load that comes and goes hits every contender
 * alike instead of whichever mitata happened to be measuring.
 */
const interleaved = (input: string, rounds: number, targetMs: number): Array<number> => {
  // Batch size: about targetMs per batch for QueryDict.parse.
  let batch = 1
  for (;;) {
    const t0 = performance.now()
    contenders[0]![1](input, batch)
    if (performance.now() - t0 >= targetMs) break
    batch *= 2
  }
  const best = contenders.map(() => Infinity)
  for (let r = 0; r < rounds; r++) {
    contenders.forEach(([, fn], c) => {
      const t0 = performance.now()
      fn(input, batch)
      const per = (performance.now() - t0) / batch
      if (per < best[c]!) best[c] = per
    })
  }
  return best
}

const results = pair ? { benchmarks: [] } : await run()

// Ratios of medians from mitata (each contender measured in its own time slot).
console.log("\nmitata: ratio = peer median time / QueryDict.parse median time (>1: QueryDict.parse is faster)")
const byGroup = Object.keys(inputs)
const trials = results.benchmarks
for (let g = 0; g < byGroup.length; g++) {
  const group = trials.slice(g * names.length, (g + 1) * names.length)
  const ours = group[0]?.runs[0]?.stats?.p50
  if (ours === undefined) continue
  const cells = group.slice(1).map((t) => `${t.alias} ${((t.runs[0]?.stats?.p50 ?? NaN) / ours).toFixed(2)}x`)
  console.log(`${byGroup[g]}: ${cells.join(", ")}`)
}

console.log(
  "\ninterleaved (best of 100 rounds): ratio = peer time / QueryDict.parse time (>1: QueryDict.parse is faster)"
)
for (const [label, input] of Object.entries(inputs)) {
  const best = interleaved(input, 100, 1)
  const ours = best[0]!
  const cells = contenders.slice(1).map(([name], c) => `${name} ${(best[c + 1]! / ours).toFixed(2)}x`)
  console.log(`${label} (QueryDict.parse ${(ours * 1000).toFixed(2)} µs): ${cells.join(", ")}`)
}
