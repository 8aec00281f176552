/**
 * The TypeScript snippets of the README and of every guide under `docs/` type-check against the
 * library as written in `src/`, so the documentation cannot drift from the API: each ```ts block
 * is compiled as its own module, with `effect-django-http` resolved to `src/`, under the
 * project's strict options. A guide added to `docs/` is checked without being listed here. The
 * ```ts blocks of the modules' JSDoc that are not `@example`s (docgen compiles and runs those) are
 * compiled the same way, so no code users read on hover is left unchecked.
 */
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import * as Path from "node:path"
import ts from "typescript"

const root = Path.resolve(import.meta.dirname, "..")

/** README.md, then every docs/*.md, by path relative to the root. */
const documents = [
  "README.md",
  ...readdirSync(Path.join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)
]

interface Snippet {
  readonly document: string
  readonly line: number
  readonly code: string
}

/** The ```ts blocks of a Markdown text, with the line each starts at. */
const snippetsOf = (document: string, text: string): ReadonlyArray<Snippet> =>
  [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => ({
    document,
    line: text.slice(0, m.index).split("\n").length,
    // `export {}` makes a snippet without imports a module too, so snippets never share a scope.
    code: `${m[1]!}\nexport {}\n`
  }))

/** A module's JSDoc as Markdown: each comment's lines without their ` * `, `@example` blocks left out. */
const jsdocOf = (source: string): string =>
  source.split("\n").map((line) => line.replace(/^\s*\/?\*+\/?\s?/, "")).join("\n")
    .replace(/@example\n```ts\n[\s\S]*?^```/gm, "")

const modules = readdirSync(Path.join(root, "src")).filter((f) => f.endsWith(".ts")).sort().map((f) => `src/${f}`)

const snippets = [
  ...documents.flatMap((d) => snippetsOf(d, readFileSync(Path.join(root, d), "utf8"))),
  ...modules.flatMap((m) => snippetsOf(m, jsdocOf(readFileSync(Path.join(root, m), "utf8"))))
]

const compilerOptions = (): ts.CompilerOptions => {
  const configPath = Path.join(root, "tsconfig.json")
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root)
  return {
    ...parsed.options,
    noEmit: true,
    // A snippet may declare something only to show it.
    noUnusedLocals: false,
    noUnusedParameters: false,
    baseUrl: root,
    paths: { "effect-django-http": ["./src/index.ts"], "effect-django-http/*": ["./src/*.ts"] }
  }
}

/** The type errors of each snippet, as `document:line: message`. */
const typeErrors = (all: ReadonlyArray<Snippet>): ReadonlyArray<string> => {
  const files = new Map(all.map((s, i) => [Path.join(root, `.doc-snippet-${i}.ts`), s]))
  const host = ts.createCompilerHost(compilerOptions())
  const { fileExists, readFile } = host
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f)
  host.readFile = (f) => files.get(f)?.code ?? readFile.call(host, f)
  const program = ts.createProgram([...files.keys()], compilerOptions(), host)
  return [...files].flatMap(([file, snippet]) =>
    ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
      const at = d.file !== undefined && d.start !== undefined
        ? d.file.getLineAndCharacterOfPosition(d.start).line + 1
        : 0
      return `${snippet.document}:${snippet.line + at}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
    })
  )
}

describe("README and guides", () => {
  it("the README and the guides have TypeScript snippets", () => {
    const count = (d: string) => snippets.filter((s) => s.document === d).length
    expect(count("README.md")).toBeGreaterThanOrEqual(1)
    for (const guide of ["Requests", "Uploads", "Responses", "Signing", "Serving", "Testing"]) {
      expect(count(`docs/${guide}.md`), guide).toBeGreaterThanOrEqual(1)
    }
    // Module docs whose examples are not docgen `@example`s.
    for (const module of ["Sessions", "Csrf", "Urls", "Templates", "Static"]) {
      expect(count(`src/${module}.ts`), module).toBeGreaterThanOrEqual(1)
    }
  })

  it("finds a snippet's line, and reports a type error at it", () => {
    const [snippet] = snippetsOf("x.md", "# x\n\ntext\n```ts\nconst n: number = \"one\"\n```\n")
    expect(snippet?.line).toBe(4)
    expect(typeErrors([snippet!])).toEqual([`x.md:5: Type 'string' is not assignable to type 'number'.`])
  }, 120_000)

  it("every TypeScript snippet type-checks against src/", () => {
    expect(typeErrors(snippets)).toEqual([])
  }, 180_000)
})
