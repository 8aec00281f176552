// The npm registry reachable from this project's machines mirrors only some of the
// platform-specific optional packages (e.g. dprint's, rollup's, msgpackr's binaries for
// other systems answer 404). `npm install` then leaves them out of package-lock.json, and
// `npm ci` refuses the lock as "out of sync". This script records each such optional
// dependency in the lock as an entry for a platform that never matches, so `npm ci`
// accepts the lock and skips them, as it skips any optional package for another platform.
//
// Run after every `npm install` that changes the lock: node scripts/lock-fill-optional.mjs
import { readFileSync, writeFileSync } from "node:fs"

const path = new URL("../package-lock.json", import.meta.url)
const lock = JSON.parse(readFileSync(path, "utf8"))
const packages = lock.packages
let added = 0
for (const [location, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = location === "" ? "" : location + "/"
    if (packages[`${base}node_modules/${name}`] || packages[`node_modules/${name}`]) continue
    packages[`node_modules/${name}`] = {
      version,
      optional: true,
      ...(entry.dev ? { dev: true } : {}),
      os: ["not-in-registry"]
    }
    added++
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0))
)
writeFileSync(path, JSON.stringify(lock, null, 2) + "\n")
console.log(`lock-fill-optional: ${added} optional package(s) recorded as unavailable`)
