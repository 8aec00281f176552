/**
 * `json.dumps`' `check_circular` in the library's writer (src/internal/python/json.ts): only
 * containers nested deep (from `SEEN_FROM`, 32 levels) are tracked, so a cycle is found one turn
 * later than Python finds it. Property: for a chain of nested lists and dicts of any depth (0 to
 * 80) with values around each link (some not serializable), ending in a cycle back to any of its
 * containers, in a container shared by several places (not a cycle), or in a plain value, the
 * writer gives what the plain reference writer (test/utils/jsonReference.ts, which tracks every
 * container as Python does) gives: the same text, or the same failure (Python's "Circular
 * reference detected", or the first value that cannot be written).
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as json from "../src/internal/python/json.js"
import * as jsonReference from "./utils/jsonReference.js"

type Container = Array<unknown> | Record<string, unknown>

const leaf = fc.oneof(
  { weight: 8, arbitrary: fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.constantFrom(Symbol.for("not serializable"), () => 1) }
)

const link = fc.record({
  list: fc.boolean(),
  before: fc.array(leaf, { maxLength: 2 }),
  after: fc.array(leaf, { maxLength: 2 })
})

const end = fc.oneof(
  fc.record({ kind: fc.constant("cycle" as const), to: fc.nat() }),
  fc.record({ kind: fc.constant("shared" as const), times: fc.integer({ min: 2, max: 3 }) }),
  fc.record({ kind: fc.constant("leaf" as const), value: leaf })
)

/** Builds the chain: each container holds `before`, the next link, `after`; the last holds the end. */
const build = (
  links: ReadonlyArray<{ list: boolean; before: ReadonlyArray<unknown>; after: ReadonlyArray<unknown> }>,
  ending: { kind: "cycle"; to: number } | { kind: "shared"; times: number } | { kind: "leaf"; value: unknown }
): unknown => {
  const containers: Array<Container> = links.map((l) => (l.list ? [] : {}))
  const put = (c: Container, i: number, v: unknown) => {
    if (Array.isArray(c)) c.push(v)
    else c[`k${i}`] = v
  }
  const shared = { shared: [1, "two"] }
  links.forEach((l, depth) => {
    const c = containers[depth]!
    let i = 0
    for (const v of l.before) put(c, i++, v)
    if (depth + 1 < containers.length) {
      put(c, i++, containers[depth + 1])
    } else if (ending.kind === "cycle") {
      put(c, i++, containers[ending.to % containers.length])
    } else if (ending.kind === "shared") {
      for (let t = 0; t < ending.times; t++) put(c, i++, shared)
    } else {
      put(c, i++, ending.value)
    }
    for (const v of l.after) put(c, i++, v)
  })
  return containers.length === 0 ? (ending.kind === "leaf" ? ending.value : shared) : containers[0]
}

const outcome = (r: string | { readonly message: string }) => (typeof r === "string" ? r : { failure: r.message })

describe("python json.dumps: circular references (property)", () => {
  it("a chain of any depth ending in a cycle, a shared container or a value: what the reference writer gives", () => {
    fc.assert(
      fc.property(
        fc.array(link, { maxLength: 80 }),
        end,
        fc.boolean(),
        (links, ending, indent) => {
          const value = build(links, ending)
          const options = indent ? { indent: 1 } : {}
          expect(outcome(json.dumps(value, options))).toEqual(outcome(jsonReference.dumps(value, options)))
        }
      ),
      { numRuns: 1500 }
    )
  })

  it("a cycle found at any depth, shallow or deep, is Python's ValueError", () => {
    for (const depth of [1, 2, 31, 32, 33, 40, 64, 100]) {
      for (const to of [0, Math.floor(depth / 2), depth - 1]) {
        const chain: Array<Array<unknown>> = Array.from({ length: depth }, () => [])
        chain.forEach((c, i) => c.push(i + 1 < depth ? chain[i + 1] : chain[to]))
        expect(outcome(json.dumps(chain[0]))).toEqual({ failure: "Circular reference detected" })
      }
    }
  })

  it("a container shared by siblings, shallow or deep, is written each time (not a cycle)", () => {
    const shared = { a: [1] }
    for (const depth of [0, 5, 31, 32, 33, 50]) {
      let value: unknown = [shared, shared]
      for (let i = 0; i < depth; i++) value = { n: value }
      expect(outcome(json.dumps(value))).toEqual(outcome(jsonReference.dumps(value)))
      expect(typeof json.dumps(value)).toBe("string")
    }
  })
})
