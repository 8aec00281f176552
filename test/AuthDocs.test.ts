/**
 * The guide docs/Auth.md and the module example of src/Auth.ts type-check against src/ (as
 * test/Readme.test.ts does for the README): each ```ts block is compiled as its own module, with
 * `effect-django-http` resolved to `src/index.ts`.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as Path from "node:path"
import ts from "typescript"

const root = Path.resolve(import.meta.dirname, "..")

const snippetsOf = (file: string, jsdoc: boolean) => {
  const text = readFileSync(Path.join(root, file), "utf8")
  const pattern = jsdoc ? /```ts\n([\s\S]*?) \* ```/g : /```ts\n([\s\S]*?)```/g
  return [...text.matchAll(pattern)].map((m) => ({
    file,
    line: text.slice(0, m.index).split("\n").length,
    code: `${jsdoc ? m[1]!.replace(/^ \* ?/gm, "") : m[1]!}\nexport {}\n`
  }))
}

const snippets = [...snippetsOf("docs/Auth.md", false), ...snippetsOf("src/Auth.ts", true)]

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

describe("docs/Auth.md and the Auth module example", () => {
  it("have TypeScript snippets", () => {
    expect(snippets.filter((s) => s.file === "docs/Auth.md").length).toBeGreaterThanOrEqual(4)
    expect(snippets.length).toBeGreaterThanOrEqual(5)
  })

  it("every snippet type-checks against src/", () => {
    const files = new Map(snippets.map((s, i) => [Path.join(root, `.auth-doc-snippet-${i}.ts`), s]))
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
