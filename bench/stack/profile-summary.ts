/**
 * Where the time of a `.cpuprofile` (from `bench/stack/profile.ts`) goes: self time by package or
 * file, then by function.
 *
 *     npx tsx bench/stack/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [TOP]
 */
import { readFileSync } from "node:fs"

interface Node {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}
interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const file = process.argv[2]
const top = process.argv[3] ?? "40"
const profile = JSON.parse(readFileSync(file!, "utf8")) as Profile
const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
const perNode = new Map<number, number>()
profile.samples.forEach((id, i) => perNode.set(id, (perNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
const total = [...perNode.values()].reduce((a, b) => a + b, 0)

const shortUrl = (url: string) => url.replace(/.*node_modules\//, "nm:").replace(/^file:\/\/.*?\/(src|bench)\//, "$1/")
const packageOf = (node: Node): string => {
  const url = shortUrl(node.callFrame.url)
  const m = /^nm:((@[^/]+\/)?[^/]+)/.exec(url)
  if (m) return m[1]!
  if (url.startsWith("node:")) return "node:*"
  if (url === "") return node.callFrame.functionName.startsWith("(") ? node.callFrame.functionName : "(native)"
  return url
}
const functionOf = (node: Node): string =>
  `${node.callFrame.functionName || "(anonymous)"} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`

const table = (title: string, key: (node: Node) => string, count: number) => {
  const sums = new Map<string, number>()
  for (const [id, t] of perNode) {
    const k = key(nodes.get(id)!)
    sums.set(k, (sums.get(k) ?? 0) + t)
  }
  console.log(`--- ${title}`)
  for (const [k, t] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(100 * t / total).toFixed(1).padStart(5)}%  ${k}`)
  }
}

console.log(`${(total / 1000).toFixed(0)} ms sampled`)
table("self time by package or file", packageOf, 25)
table("self time by function", functionOf, Number(top))
