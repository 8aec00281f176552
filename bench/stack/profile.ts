/**
 * A CPU profile of one Node stack of `bench/stack` under load: the stack runs as one process
 * (`STACK_WORKERS=1`) with `--cpu-prof`, is signed in to, and one request is loaded with
 * autocannon; then the process is stopped with SIGINT and the profile written to `DIR`.
 *
 *     npx tsx bench/stack/profile.ts library list /tmp/prof      # library.ts, the list page
 *     DURATION=10 npx tsx bench/stack/profile.ts express post /tmp/prof
 *     LIBRARY=dist npx tsx bench/stack/profile.ts library list /tmp/prof # the compiled library (after `npm run build`), as run.ts
 *
 * Read it with Chrome's DevTools, or `npx tsx bench/stack/profile-summary.ts FILE.cpuprofile`.
 */
import autocannon from "autocannon"
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { freePort } from "../harness.js"
import { signIn } from "./client.js"
import { here, seed } from "./common.js"

const [stack = "library", requestName = "list", dir = Path.join(tmpdir(), "bench-stack-prof")] = process.argv.slice(2)
const duration = Number(process.env["DURATION"] ?? 5)

const main = async () => {
  mkdirSync(dir, { recursive: true })
  const db = Path.join(mkdtempSync(Path.join(tmpdir(), "bench-stack-prof-db-")), "db.sqlite3")
  seed(db)
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [
      "--cpu-prof",
      "--cpu-prof-dir",
      dir,
      "--import",
      "tsx",
      ...(process.env["LIBRARY"] === "dist" ? ["--import", Path.join(here, "dist.mjs")] : []),
      Path.join(here, `${stack}.ts`)
    ],
    { env: { ...process.env, PORT: String(port), STACK_DB: db, STACK_WORKERS: "1" }, stdio: "inherit" }
  )
  const base = `http://127.0.0.1:${port}`
  for (let i = 0;; i++) {
    try {
      await fetch(`${base}/login/`)
      break
    } catch (error) {
      if (i > 300) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const signedIn = await signIn(base)
  const request = signedIn.requests.find((r) => r.name === requestName)!
  const result = await autocannon({
    url: `${base}${request.path}`,
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    connections: Number(process.env["CONNECTIONS"] ?? 50),
    duration
  })
  console.log(
    `${stack} ${requestName}: ${result.requests.total} requests, ${result.requests.average} req/s, ${result.non2xx} non-2xx`
  )
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve())
    child.kill("SIGINT")
  })
  console.log(`profile written to ${dir}`)
}

main().then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
