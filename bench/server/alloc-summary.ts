/**
 * Where a server's allocations come from: a sampling heap profile (`serverside.ts` with
 * `ALLOC_PROFILE`, freed objects included, see `gc-network.sh`) summed by the allocating function
 * and by package or file, as bytes per request (`N`, the requests of the profiled load).
 *
 *     N=10000 npx tsx bench/server/alloc-summary.ts /tmp/alloc.heapprofile [TOP]
 */
import { readFileSync } from "node:fs"

interface Node {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly selfSize: number
  readonly children: ReadonlyArray<Node>
}

const profile = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as { readonly head: Node }
const top = Number(process.argv[3] ?? 40)
const n = Number(process.env["N"] ?? 1)
const shortUrl = (url: string) =>
  url.replace(/.*node_modules\//, "nm:").replace(/^file:\/\/.*?\/(src|bench|dist)\//, "$1/")
const byFunction = new Map<string, number>()
const byFile = new Map<string, number>()
let total = 0
const walk = (node: Node) => {
  const f = node.callFrame
  const url = shortUrl(f.url)
  const fn = `${f.functionName || "(anonymous)"} ${url}:${f.lineNumber + 1}`
  const pkg = /^nm:((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url === "" ? `(${f.functionName || "native"})` : url)
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + node.selfSize)
  byFile.set(pkg, (byFile.get(pkg) ?? 0) + node.selfSize)
  total += node.selfSize
  for (const c of node.children) walk(c)
}
walk(profile.head)
const show = (title: string, m: Map<string, number>, count: number) => {
  console.log(`--- ${title}`)
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(v / n).toFixed(0).padStart(8)} B/request ${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`)
  }
}
console.log(`${(total / n).toFixed(0)} B/request sampled in all`)
show("by package or file", byFile, 25)
show("by allocating function", byFunction, top)
