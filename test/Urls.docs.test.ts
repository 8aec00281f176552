/**
 * The TypeScript snippets of docs/Urls.md and of the module docs of src/Urls.ts and
 * src/Common.ts type-check against src/ (each compiled as its own module, with
 * `effect-django-http` resolved to `src/index.ts`, under the project's strict options).
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as Path from "node:path"
import ts from "typescript"

const root = Path.resolve(import.meta.dirname, "..")

const snippetsOf = (file: string) => {
  const text = readFileSync(Path.join(root, file), "utf8")
  const jsdoc = file.endsWith(".ts")
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({
    file,
    line: text.slice(0, m.index).split("\n").length,
    code: `${jsdoc ? m[1]!.replace(/^\s*\* ?/gm, "") : m[1]!}\nexport {}\n`
  }))
}

const snippets = ["docs/Urls.md", "src/Urls.ts", "src/Common.ts"].flatMap(snippetsOf)

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

describe("docs/Urls.md and the module examples", () => {
  it("has snippets", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(7)
  })

  it("every snippet type-checks against src/", () => {
    const files = new Map(snippets.map((s, i) => [Path.join(root, `.urls-snippet-${i}.ts`), s]))
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
        return `${snippet.file}:${snippet.line + at}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
      })
    )
    expect(problems).toEqual([])
  }, 120_000)
})
