/**
 * The TypeScript snippets of docs/Middleware.md and the examples in the module comments of the
 * standard-middleware modules type-check against the library as written in `src/`: each ```ts
 * block is compiled as its own module, `effect-django-http` resolved to `src/index.ts`, under the
 * project's strict options.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as Path from "node:path"
import ts from "typescript"

const root = Path.resolve(import.meta.dirname, "..")

interface Snippet {
  readonly source: string
  readonly line: number
  readonly code: string
}

const blocks = (source: string, text: string): Array<Snippet> =>
  [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({
    source,
    line: text.slice(0, m.index).split("\n").length,
    // `export {}` makes a snippet without imports a module too, so snippets never share a scope.
    code: `${m[1]!}\nexport {}\n`
  }))

const doc = "docs/Middleware.md"
const modules = ["Cache", "Security", "Clickjacking", "ConditionalGet", "GZip", "Static"].map((m) => `src/${m}.ts`)

const snippets: Array<Snippet> = [
  ...blocks(doc, readFileSync(Path.join(root, doc), "utf8")),
  ...modules.flatMap((file) => {
    const text = readFileSync(Path.join(root, file), "utf8")
    // The module comment is the first `/** ... */`; its lines start with " * ".
    const comment = text.slice(text.indexOf("/**"), text.indexOf("*/") + 2)
    return blocks(file, comment.split("\n").map((l) => l.replace(/^ \* ?/, "")).join("\n"))
  })
]

const compilerOptions = (): ts.CompilerOptions => {
  const configPath = Path.join(root, "tsconfig.json")
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root)
  return {
    ...parsed.options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    baseUrl: root,
    paths: { "effect-django-http": ["./src/index.ts"] }
  }
}

describe("docs/Middleware.md and the module examples", () => {
  it("there is a snippet in the guide and in every module", () => {
    expect(snippets.filter((s) => s.source === doc).length).toBeGreaterThanOrEqual(4)
    for (const m of modules) expect(snippets.some((s) => s.source === m), m).toBe(true)
  })

  it("every snippet type-checks against src/", () => {
    const files = new Map(snippets.map((s, i) => [Path.join(root, `.middleware-doc-snippet-${i}.ts`), s]))
    const host = ts.createCompilerHost(compilerOptions())
    const { fileExists, readFile } = host
    host.fileExists = (f) => files.has(f) || fileExists.call(host, f)
    host.readFile = (f) => files.get(f)?.code ?? readFile.call(host, f)
    const program = ts.createProgram([...files.keys()], compilerOptions(), host)
    const problems = [...files].flatMap(([file, snippet]) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
        const at = d.file !== undefined && d.start !== undefined
          ? d.file.getLineAndCharacterOfPosition(d.start).line + 1
          : 0
        return `${snippet.source}:${snippet.line + at}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
      })
    )
    expect(problems).toEqual([])
  }, 120_000)
})
