/**
 * The layering of `src/` (ARCHITECTURE.md): no module imports itself back at run time (an
 * import cycle makes the order modules are evaluated in depend on which one is imported
 * first), and Node's server modules and `@effect/platform-node` are imported only by the
 * adapter (`internal/node/adapter.ts`) and the serving modules; the other `node:*` imports
 * are the portable built-ins listed below, each with its reason.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(__dirname, "../src")

const sources = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? sources(full) : entry.name.endsWith(".ts") ? [full] : []
  })

interface Import {
  readonly specifier: string
  /** `import type` (or every name imported `type`): erased, so no run-time edge. */
  readonly typeOnly: boolean
}

/** The import and re-export statements of a module (not the `import`s in its JSDoc examples). */
const importsOf = (file: string): Array<Import> => {
  const text = fs.readFileSync(file, "utf8")
  const out: Array<Import> = []
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([^"';]*?)\s*from\s+"([^"]+)"/gms)) {
    const names = /^\{([^}]*)\}$/s.exec(m[2]!.trim())
    const allTypes = names !== null &&
      names[1]!.split(",").map((s) => s.trim()).filter((s) => s !== "").every((s) => s.startsWith("type "))
    out.push({ specifier: m[3]!, typeOnly: m[1] !== undefined || allTypes })
  }
  for (const m of text.matchAll(/^import\s+"([^"]+)"/gm)) out.push({ specifier: m[1]!, typeOnly: false })
  return out
}

const files = sources(root)
const relative = (file: string) => path.relative(root, file).split(path.sep).join("/")

/** The strongly connected components of more than one module (Tarjan). */
const cycles = (graph: ReadonlyMap<string, ReadonlyArray<string>>): Array<Array<string>> => {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const found: Array<Array<string>> = []
  const visit = (v: string) => {
    index.set(v, next)
    low.set(v, next)
    next++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const component: Array<string> = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return found
}

/**
 * Who may import Node or `@effect/platform-node`, and what. Everything else in `src/` is
 * the core: it must run wherever `effect` and `@effect/platform` do.
 */
const allowed: ReadonlyArray<readonly [file: RegExp, specifier: RegExp, why: string]> = [
  [/^internal\/node\/adapter\.ts$/, /^(@effect\/platform-node\/|node:(http|stream|zlib)$)/, "the adapter"],
  [
    /^(Server\.ts|internal\/node\/leanServer\.ts|internal\/node\/fileBody\.ts|internal\/cluster\.ts)$/,
    /^(@effect\/platform-node\/|node:)/,
    "serving on Node (node:http, workers, signals)"
  ],
  [
    /^(internal\/signer|internal\/signing|internal\/passwords|internal\/csrf|internal\/sessionCodec|internal\/cache)\.ts$/,
    /^node:crypto$/,
    "HMAC, hashes, PBKDF2 and random tokens: node:crypto (issue 14: no hand-written cryptography)"
  ],
  [
    /^(internal\/signer|internal\/sessionCodec|GZip)\.ts$/,
    /^node:zlib$/,
    "zlib streams Django reads (issue 14: no hand-written deflate)"
  ],
  [/^(Static|internal\/templateEngine|internal\/templates)\.ts$/, /^node:path$/, "path arithmetic on file names"],
  [
    /^internal\/templates\.ts$/,
    /^node:(fs|module)$/,
    "Nunjucks' loader API is synchronous (template files read with fs.readFileSync; the engine loaded on first use)"
  ]
]

describe("layers of src/", () => {
  it("no import cycle at run time", () => {
    const graph = new Map<string, Array<string>>()
    for (const file of files) {
      graph.set(
        relative(file),
        importsOf(file)
          .filter((i) => !i.typeOnly && i.specifier.startsWith("."))
          .map((i) => relative(path.resolve(path.dirname(file), i.specifier.replace(/\.js$/, ".ts"))))
      )
    }
    expect(graph.get("HttpRequest.ts")).toContain("internal/httpRequest.ts") // the parser sees the files
    expect(cycles(graph)).toEqual([])
  })

  it("Node and @effect/platform-node are imported only by the adapter and the allowed modules", () => {
    const misplaced: Array<string> = []
    for (const file of files) {
      const name = relative(file)
      for (const { specifier } of importsOf(file)) {
        if (!specifier.startsWith("node:") && !specifier.startsWith("@effect/platform-node")) continue
        if (!allowed.some(([f, s]) => f.test(name) && s.test(specifier))) misplaced.push(`${name}: ${specifier}`)
      }
    }
    expect(misplaced).toEqual([])
  })
})
