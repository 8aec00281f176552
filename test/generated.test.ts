/**
 * The tables generated from Python (codec names and single-byte tables, HTML
 * entities, mimetypes) are what their scripts under scripts/python/ write today.
 * Needs /usr/bin/python3 of the version named in each file; skipped, saying so,
 * without it.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"

const PYTHON = "/usr/bin/python3"

const pythonVersion = ((): string | undefined => {
  try {
    return execFileSync(PYTHON, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" })
      .trim()
  } catch {
    return undefined
  }
})()

const root = new URL("../", import.meta.url)

const cases = [
  { script: "scripts/python/gen-codecs.py", file: "src/internal/python/codecTables.ts" },
  { script: "scripts/python/gen-html-entities.py", file: "src/internal/python/htmlEntities.ts" },
  { script: "scripts/python/gen-mimetypes.py", file: "src/internal/python/mimetypesTable.ts" }
]

describe("generated tables equal their generators' output", () => {
  for (const { file, script } of cases) {
    const committed = readFileSync(new URL(file, root), "utf8")
    const wanted = /from Python (\d+\.\d+)/.exec(committed.split("\n")[0]!)?.[1]
    const skip = pythonVersion === undefined
      ? `${PYTHON} is absent`
      : wanted !== undefined && wanted !== pythonVersion
      ? `${file} is from Python ${wanted}, ${PYTHON} is ${pythonVersion}`
      : undefined
    if (skip !== undefined) {
      it.skip(`${file} (skipped: ${skip})`, () => {})
      continue
    }
    it(`${file} is what ${script} writes`, () => {
      const out = execFileSync(PYTHON, [script, "--stdout"], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 })
      expect(out).toBe(committed)
    })
  }
})
