/**
 * Runs the library as its users do: from the compiled package (`npm run build`'s `dist/`, tsc's
 * output, what npm publishes), not from `src/` through tsx's esbuild transform (which wraps every
 * function it makes in `__name(...)`, one call per closure made per request).
 *
 *     npm run build && node --import tsx --import ./bench/stack/dist.mjs bench/stack/layers.ts
 *
 * Every import that resolves to a file under `src/` is served from the same path under `dist/`
 * (`src/Foo.ts` -> `dist/Foo.js`), so the bench's own files keep importing `../../src/index.js`
 * and still get one copy of the library. `bench/stack/run.ts` does this by default (`LIBRARY=dist`).
 */
import { existsSync } from "node:fs"
import { register } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = new URL("../../", import.meta.url)
const src = new URL("src/", root).href
const dist = new URL("dist/", root).href

if (!existsSync(fileURLToPath(new URL("index.js", dist)))) {
  throw new Error(`${fileURLToPath(dist)}index.js is missing: run \`npm run build\` first`)
}

const hooks = `
const src = ${JSON.stringify(src)}
const dist = ${JSON.stringify(dist)}
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  if (resolved.url.startsWith(src) && /\\.[cm]?ts$/.test(resolved.url)) {
    return { url: dist + resolved.url.slice(src.length).replace(/\\.([cm]?)ts$/, ".$1js"), format: "module", shortCircuit: true }
  }
  return resolved
}
`
register(`data:text/javascript,${encodeURIComponent(hooks)}`, pathToFileURL("./"))
