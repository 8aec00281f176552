/**
 * docs/Templates.md's TypeScript snippets type-check against the library as written in `src/`
 * (the same check as test/Readme.test.ts, for this guide).
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as Path from "node:path"
import ts from "typescript"

const root = Path.resolve(import.meta.dirname, "..")
const readme = readFileSync(Path.join(root, "docs", "Templates.md"), "utf8")
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({
  line: readme.slice(0, m.index).split("\n").length,
  // `export {}` makes a snippet without imports a module too, so snippets never share a scope.
  code: `${m[1]!}\nexport {}\n`
}))

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
    paths: { "effect-django-http": ["./src/index.ts"] }
  }
}

describe("docs/Templates.md", () => {
  it("has TypeScript snippets", () => {
    expect(snippets.length).toBeGreaterThan(3)
  })

  it("every TypeScript snippet type-checks against src/", () => {
    const files = new Map(snippets.map((s, i) => [Path.join(root, `.templates-guide-snippet-${i}.ts`), s]))
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
        return `docs/Templates.md:${snippet.line + at}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
      })
    )
    expect(problems).toEqual([])
  }, 120_000)
})
