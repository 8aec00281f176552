/**
 * The same small notes app on five stacks, each on 2 processes and its own SQLite file of the
 * same layout, loaded with autocannon from this script with the same connections and duration:
 *
 * 1. `list`: a signed-in list page (session read, user loaded, a template of 20 notes, escaped);
 * 2. `post`: a CSRF-checked form POST (urlencoded, token from cookie + field) that inserts a note
 *    and redirects (302);
 * 3. `json`: a JSON endpoint listing the user's 20 notes.
 *
 * Stacks: this library (`Server.run`, `workers: 2`), Django 3.2 under gunicorn (2 sync workers,
 * Debian's packages), Express 5, Fastify 5, and bare `@effect/platform-node` (each Node stack a
 * `node:cluster` of 2 workers). Every answer's status is checked (and the POSTs' rows counted);
 * the table gives requests per second (median of the rounds) and CPU microseconds per request
 * of the stack's whole process group, then the library's ratios.
 *
 *     npm run bench:stack                         # 2 rounds, 5 s per request, 50 connections
 *     ROUNDS=3 DURATION=10 npm run bench:stack
 *     STACKS="library|express" REQUESTS="list|json" npm run bench:stack
 *     STACKS="library|library-platform|platform" npm run bench:stack # + the library on the platform's Node server
 *     LIBRARY=src npm run bench:stack             # the library from src/ through tsx instead of dist/
 *     STACKS="library|library-src|express" npm run bench:stack # dist/ and src/ in the same run
 *     STACKS="library|library-notes-driver|express" npm run bench:stack # + the notes statements on better-sqlite3
 *
 * The library runs as its users run it: from the compiled package (`dist/`, rebuilt with
 * `npm run build` at the start), every import of `src/` served from `dist/` (`dist.mjs`).
 * `LIBRARY=src` runs it from `src/` through tsx's esbuild transform instead. Every Node stack's own
 * file (`library.ts`, `express.ts`, ...) runs through tsx either way.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import * as Path from "node:path"
import { freePort, median, type Started, startGroup } from "../harness.js"
import { type BenchRequest, checkOnce, load, signIn } from "./client.js"
import { countNotes, here, seed } from "./common.js"

const duration = Number(process.env["DURATION"] ?? 5)
const warmup = Number(process.env["WARMUP"] ?? 2)
const rounds = Number(process.env["ROUNDS"] ?? 2)
const connections = Number(process.env["CONNECTIONS"] ?? 50)
const workers = 2
const library = process.env["LIBRARY"] ?? "dist"
if (library !== "dist" && library !== "src") throw new Error(`LIBRARY=${library}: dist or src`)

interface Stack {
  readonly name: string
  readonly start: (port: number, db: string) => Promise<Started>
  /**
   * The server closes the connection after each answer (gunicorn's sync workers, Django's usual
   * deployment): autocannon, which writes the next request before it sees the close, gets a
   * `read ECONNRESET` for it and reconnects. Those resets are counted apart, not as failures.
   */
  readonly closesConnections?: boolean
}

const node = (name: string, script: string, env: Record<string, string> = {}, from = library): Stack => ({
  name,
  start: (port, db) =>
    startGroup({
      command: process.execPath,
      args: [
        "--import",
        "tsx",
        ...(from === "dist" ? ["--import", Path.join(here, "dist.mjs")] : []),
        Path.join(here, script)
      ],
      port,
      env: { ...env, PORT: String(port), STACK_DB: db, STACK_WORKERS: String(workers) },
      readyPath: "/login/",
      readyLines: { pattern: /listening on http/, count: workers }
    })
})

/** Debian's gunicorn (`apt-get install gunicorn`), on Debian's python3 with its python3-django. */
const GUNICORN = "/usr/bin/gunicorn"

const allStacks: ReadonlyArray<Stack> = [
  node("library", "library.ts"),
  {
    name: "django",
    start: (port, db) =>
      startGroup({
        command: GUNICORN,
        args: ["--workers", String(workers), "--bind", `127.0.0.1:${port}`, "stacksite.wsgi:application"],
        cwd: Path.join(here, "django"),
        port,
        env: { STACK_DB: db },
        readyPath: "/login/",
        readyLines: { pattern: /Booting worker/, count: workers }
      }),
    closesConnections: true
  },
  node("express", "express.ts"),
  node("fastify", "fastify.ts"),
  node("platform", "platform.ts"),
  // Only when asked for (STACKS=...|library-platform): the library on @effect/platform-node's server instead of its default lean adapter (BENCHMARKS.md, node adapter).
  node("library-platform", "library.ts", { EFFECT_DJANGO_HTTP_ADAPTER: "platform" }),
  // Only when asked for (STACKS=...|library-src): the library from src/ through tsx, beside `library` from dist/.
  node("library-src", "library.ts", {}, "src"),
  // Only when asked for (STACKS=...|library-notes-driver): the app's notes statements on better-sqlite3 too (`NotesDb`).
  node("library-notes-driver", "library.ts", { STACK_NOTES: "driver" })
]
const byDefault = ["library", "django", "express", "fastify", "platform"]

const only = process.env["STACKS"]?.split("|")
const stacks = allStacks.filter((s) => (only ?? byDefault).includes(s.name))
  .filter((s) => {
    if (s.name === "django" && !existsSync(GUNICORN)) {
      console.log(`${GUNICORN} is missing (apt-get install gunicorn): the Django stack is skipped`)
      return false
    }
    return true
  })

const ALL_REQUESTS = ["list", "json", "post"] as const
type RequestName = typeof ALL_REQUESTS[number]
const onlyRequests = process.env["REQUESTS"]?.split("|")
const REQUESTS = ALL_REQUESTS.filter((r) => onlyRequests === undefined || onlyRequests.includes(r))

interface Measured {
  readonly rps: number
  readonly cpuPerRequest: number
}

/** The number of notes once it stopped changing (the requests still in flight have finished). */
const settledNotes = async (db: string): Promise<number> => {
  let last = -1
  for (;;) {
    const now = countNotes(db)
    if (now === last) return now
    last = now
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

/** Loads one request for `duration` s after a warm-up; throws when an answer is not as expected. */
const measureRequest = async (
  stack: Stack,
  server: Started,
  base: string,
  request: BenchRequest,
  db: string
): Promise<Measured> => {
  await load(base, request, { connections, seconds: warmup })
  const notesBefore = await settledNotes(db)
  const cpuBefore = await server.cpu()
  const r = await load(base, request, { connections, seconds: duration })
  const cpuAfter = await server.cpu()
  const answered = request.status === 302 ? r["3xx"] : r["2xx"]
  const wrong = r["1xx"] + r["2xx"] + r["3xx"] + r["4xx"] + r["5xx"] - answered
  const resets = stack.closesConnections === true ? r.errorsByMessage.get("read ECONNRESET") ?? 0 : 0
  if (wrong + r.errors - resets + r.timeouts > 0) {
    throw new Error(
      `${request.name}: ${wrong} answers with another status, ${r.errors} errors (${[
        ...r.errorsByMessage
      ]}), ${r.timeouts} timeouts (of ${r.requests.total})`
    )
  }
  if (request.name === "post") {
    // Every 302 wrote a row; requests still in flight when the load stopped may have written theirs.
    const written = (await settledNotes(db)) - notesBefore
    if (written < answered || written > answered + connections) {
      throw new Error(`post: ${answered} redirects but ${written} rows written`)
    }
  }
  return { rps: r.requests.average, cpuPerRequest: (cpuAfter - cpuBefore) / r.requests.total }
}

const measureStack = async (stack: Stack): Promise<Record<RequestName, Measured>> => {
  const dir = mkdtempSync(Path.join(tmpdir(), `bench-stack-${stack.name}-`))
  const db = Path.join(dir, "db.sqlite3")
  seed(db)
  const port = await freePort()
  const server = await stack.start(port, db)
  const base = `http://127.0.0.1:${port}`
  try {
    const signedIn = await signIn(base)
    await checkOnce(base, signedIn)
    const byName = new Map(signedIn.requests.map((r) => [r.name, r]))
    const out: Partial<Record<RequestName, Measured>> = {}
    // The POST last: the notes it adds do not change what the two reads list (the latest 20).
    for (const name of REQUESTS) out[name] = await measureRequest(stack, server, base, byName.get(name)!, db)
    return out as Record<RequestName, Measured>
  } finally {
    server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const load1 = () => loadavg().map((x) => x.toFixed(2)).join(", ")

const main = async () => {
  console.log(
    `bench/stack: ${
      stacks.map((s) => s.name).join(", ")
    }; ${workers} processes each; autocannon -c ${connections} -d ${duration} (after ${warmup} s warm-up) per request; ${rounds} rounds (medians); ${
      new Date().toISOString()
    }`
  )
  if (library === "dist") execFileSync("npm", ["run", "build"], { stdio: ["ignore", "ignore", "inherit"] })
  console.log(`the library from ${library}/; load average at start: ${load1()}`)
  const results = new Map<string, Array<Measured>>()
  for (let round = 0; round < rounds; round++) {
    // Each round starts with another stack, so no stack always runs first or last.
    const order = stacks.map((_, i) => stacks[(i + round) % stacks.length]!)
    for (const stack of order) {
      const measured = await measureStack(stack)
      const line = REQUESTS.map((n) => `${n} ${measured[n].rps.toFixed(0)}`).join(", ")
      console.log(`round ${round + 1} ${stack.name.padEnd(8)} ${line}  (load average ${load1()})`)
      for (const n of REQUESTS) {
        const key = `${stack.name} ${n}`
        results.set(key, [...(results.get(key) ?? []), measured[n]])
      }
    }
  }
  const rps = (stack: string, n: RequestName) => median(results.get(`${stack} ${n}`)!.map((m) => m.rps))
  const cpu = (stack: string, n: RequestName) => median(results.get(`${stack} ${n}`)!.map((m) => m.cpuPerRequest))
  console.log("")
  console.log(`| stack | ${REQUESTS.map((n) => `${n} req/s | ${n} CPU µs/req`).join(" | ")} |`)
  console.log(`| --- | ${REQUESTS.map(() => "--- | ---").join(" | ")} |`)
  for (const s of stacks) {
    console.log(
      `| ${s.name} | ${
        REQUESTS.map((n) => `${rps(s.name, n).toFixed(0)} | ${cpu(s.name, n).toFixed(0)}`).join(" | ")
      } |`
    )
  }
  if (stacks.some((s) => s.name === "library")) {
    console.log("")
    console.log(`| library / | ${REQUESTS.map((n) => `${n} req/s; CPU`).join(" | ")} |`)
    console.log(`| --- | ${REQUESTS.map(() => "---").join(" | ")} |`)
    for (const s of stacks) {
      if (s.name === "library") continue
      console.log(
        `| ${s.name} | ${
          REQUESTS.map((n) =>
            `${(rps("library", n) / rps(s.name, n)).toFixed(2)}x; ${(cpu(s.name, n) / cpu("library", n)).toFixed(2)}x`
          ).join(" | ")
        } |`
      )
    }
  }
  console.log(`\nload average at the end: ${load1()}`)
}

main().then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
