/**
 * The package publishes its public modules only: `effect-django-http/<Module>` resolves,
 * `effect-django-http/internal/...` does not (package.json `exports`).
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"

const resolve = (specifier: string): string => {
  const run = spawnSync(process.execPath, [
    "--input-type=module",
    "-e",
    `try { console.log(import.meta.resolve(${JSON.stringify(specifier)})) } catch (e) { console.log(e.code) }`
  ], { cwd: new URL("../", import.meta.url), encoding: "utf8" })
  return run.stdout.trim()
}

describe("package exports", () => {
  it("public modules resolve; internal ones are not exported", () => {
    expect(resolve("effect-django-http")).toMatch(/\/dist\/index\.js$/)
    expect(resolve("effect-django-http/HttpRequest")).toMatch(/\/dist\/HttpRequest\.js$/)
    expect(resolve("effect-django-http/internal/python/codecs")).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED")
    expect(resolve("effect-django-http/internal/multipart")).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED")
  })
})
