/**
 * Inclusive time of a `.cpuprofile` (from `bench/stack/profile.ts`): for every function, the share
 * of the samples with that function anywhere on the stack (each sample counted once per function,
 * recursion included), so the cost of a part and everything it calls; idle and the collector are
 * shown apart. `MATCH` (a regular expression over `name file:line`) keeps only the matching rows;
 * the samples counted start at the first one under Node's request dispatch (`parserOnIncoming`),
 * so start-up is left out. The profile of a worker is the larger file.
 *
 *     npx tsx bench/server/profile-inclusive.ts /tmp/prof/CPU.*.cpuprofile [TOP]
 *     MATCH="leanServer|node/adapter|response/|httpRequest|_http_" npx tsx bench/server/profile-inclusive.ts FILE 60
 */
import { readFileSync } from "node:fs"

interface Node {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const file = process.argv[2]!
const top = Number(process.argv[3] ?? 50)
const match = process.env["MATCH"] === undefined ? undefined : new RegExp(process.env["MATCH"])
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

const shortUrl = (url: string) =>
  url.replace(/.*node_modules\//, "nm:").replace(/^file:\/\/.*?\/(src|bench|dist)\//, "$1/")
const keyOf = (n: Node) =>
  `${n.callFrame.functionName || "(anonymous)"} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`

const inclusive = new Map<string, number>()
const startsLoad = (id: number): boolean => {
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const f = byId.get(n)!.callFrame
    if (f.functionName === "parserOnIncoming") return true
  }
  return false
}
let started = false
let total = 0
let idle = 0
let gc = 0
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0
  const leaf = byId.get(id)!
  if (!started && !(started = startsLoad(id))) return
  if (leaf.callFrame.functionName === "(idle)") return void (idle += dt)
  total += dt
  if (leaf.callFrame.functionName === "(garbage collector)") gc += dt
  const seen = new Set<string>()
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const k = keyOf(byId.get(n)!)
    if (!seen.has(k)) {
      seen.add(k)
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt)
    }
  }
})
console.log(
  `${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle; garbage collector ${
    (100 * gc / total).toFixed(1)
  }% of busy`
)
const rows = [...inclusive].filter(([k]) => match === undefined || match.test(k)).sort((a, b) => b[1] - a[1])
for (const [k, t] of rows.slice(0, top)) console.log(`${(100 * t / total).toFixed(1).padStart(5)}%  ${k}`)
