/**
 * The notes app as two real instances (two `npm start` processes, examples/notes/main.ts, each on
 * its own port and DATA_DIR) on one PostgreSQL database (DATABASE_URL, started by .ci/run): a
 * user signed in through one is signed in on the other with the same cookies, and a note written
 * on one is listed by the other. Then the same with SESSION_ENGINE=cache on Redis (REDIS_URL):
 * the session lives in Redis (none in django_session), users and notes on PostgreSQL.
 * Skipped (with a message) outside CI when the variables are not set; in CI they run.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Redacted, Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pgDatabaseUrl, pgSkip, redisSkip, redisUrl } from "./utils/services.js"

if (pgSkip) console.warn("Notes app on PostgreSQL skipped: DATABASE_URL is not set (bash .ci/run starts PostgreSQL)")
if (redisSkip) console.warn("Notes app sessions on Redis skipped: REDIS_URL is not set (bash .ci/run starts Redis)")

const MAIN = new URL("../examples/notes/main.ts", import.meta.url).pathname

interface Instance {
  readonly base: string
  readonly stop: () => Promise<void>
}

/** `npm start` with this environment on a free port; resolves once it listens. */
const start = (env: Readonly<Record<string, string>>): Promise<Instance> =>
  new Promise((resolve, reject) => {
    const dataDir = mkdtempSync(join(tmpdir(), "notes-instance-"))
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", MAIN], {
      env: { ...process.env, HOST: "127.0.0.1", PORT: "0", DATA_DIR: dataDir, SECRET_KEY: "two-instances", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    const stop = async () => {
      child.kill("SIGTERM")
      await exited
      rmSync(dataDir, { recursive: true, force: true })
    }
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const m = /listening on (http:\/\/[^\s]+)/.exec(output)
      if (m !== null) resolve({ base: m[1]!.replace(/\/$/, ""), stop })
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.once("exit", (code) => reject(new Error(`the app exited (${code}) before listening:\n${output}`)))
  })

/** A browser's cookie jar over `fetch`, shared between instances (the same site to the user). */
class Browser {
  readonly cookies = new Map<string, string>()
  async request(url: string, init: { readonly method?: string; readonly form?: Record<string, string> } = {}) {
    const headers: Record<string, string> = {
      cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ")
    }
    let body: string | undefined
    if (init.form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded"
      body = new URLSearchParams(init.form).toString()
    }
    const response = await fetch(url, {
      method: init.method ?? "GET",
      headers,
      redirect: "manual",
      ...(body === undefined ? {} : { body })
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";")
      const eq = pair.indexOf("=")
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim().replace(/^"|"$/g, "")
      if (/max-age=0\b/i.test(line) || value === "") this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return { status: response.status, location: response.headers.get("location"), text: await response.text() }
  }
  /** Fetches the form's page, then posts its fields with the page's CSRF token. */
  async submit(page: string, fields: Record<string, string>, action: string = page) {
    const form = await this.request(page)
    const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(form.text)?.[1]
    if (token === undefined) throw new Error(`no CSRF token on ${page}:\n${form.text}`)
    return this.request(action, { method: "POST", form: { csrfmiddlewaretoken: token, ...fields } })
  }
}

const whoami = (html: string) => /<span id="whoami">([^<]*)<\/span>/.exec(html)?.[1]
const titles = (html: string) =>
  [...html.matchAll(/<li class="note"><a href="[^"]+">([^<]*)<\/a><\/li>/g)].map((m) => m[1])

/** The scenario on two instances: sign in on one, signed in on both; write on one, read on both. */
const twoInstances = async (a: Instance, b: Instance, title: string) => {
  const browser = new Browser()
  const login = await browser.submit(`${a.base}/accounts/login/`, { username: "alice", password: "wonderland" })
  expect([login.status, login.location]).toEqual([302, "/notes/"])
  // The same cookies on the other instance: signed in there too.
  const listB = await browser.request(`${b.base}/notes/`)
  expect(listB.status).toBe(200)
  expect(whoami(listB.text)).toBe("alice")
  // A note written through B...
  const created = await browser.submit(`${b.base}/notes/new/`, { title, body: "written on B" })
  expect(created.status).toBe(302)
  // ...is listed by A, and readable there.
  const listA = await browser.request(`${a.base}/notes/`)
  expect(titles(listA.text)).toContain(title)
  const detail = await browser.request(`${a.base}${created.location}`)
  expect(detail.text).toContain(`<h1 id="note-title">${title}</h1>`)
  // Signing out on A signs out on B: the session is gone from the shared store.
  const out = await browser.submit(`${a.base}/notes/`, {}, `${a.base}/accounts/logout/`)
  expect(out.status).toBe(302)
  const after = await browser.request(`${b.base}/notes/`)
  expect([after.status, after.location]).toEqual([302, "/accounts/login/?next=/notes/"])
}

describe.skipIf(pgSkip)("notes app: two instances on one PostgreSQL", () => {
  const scope = Effect.runSync(Scope.make())
  let url = ""
  const instances: Array<Instance> = []
  const sql = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
    Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(SqlClient.SqlClient, f).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url) })))
      )
    )

  beforeAll(async () => {
    url = await Effect.runPromise(Scope.extend(pgDatabaseUrl, scope))
  }, 60_000)
  const stopAll = () => Promise.all(instances.splice(0).map((i) => i.stop()))
  afterAll(async () => {
    await stopAll()
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }, 60_000)

  it("sessions in django_session: signed in through one, signed in on the other; notes shared", async () => {
    // One after the other: the first creates the tables and alice, the second finds them.
    const a = await start({ DATABASE_URL: url })
    instances.push(a)
    const b = await start({ DATABASE_URL: url })
    instances.push(b)
    await twoInstances(a, b, "Shared on PostgreSQL")
    const tables = await sql((sql) =>
      sql<{ table_name: string }>`SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' ORDER BY table_name`
    )
    expect(tables.map((t) => t.table_name)).toEqual(["auth_user", "django_session", "notes_attachment", "notes_note"])
    const users = await sql((sql) => sql<{ username: string }>`SELECT username FROM auth_user`)
    expect(users.map((u) => u.username)).toEqual(["alice"])
    await stopAll()
  }, 120_000)

  it.skipIf(redisSkip)(
    "SESSION_ENGINE=cache on Redis: the session shared through Redis, none in the database",
    async () => {
      const before = await sql((sql) => sql<{ n: number }>`SELECT CAST(COUNT(*) AS integer) AS n FROM django_session`)
      const env = { DATABASE_URL: url, SESSION_ENGINE: "cache", REDIS_URL: redisUrl ?? "" }
      const a = await start(env)
      instances.push(a)
      const b = await start(env)
      instances.push(b)
      await twoInstances(a, b, "Sessions on Redis")
      const after = await sql((sql) => sql<{ n: number }>`SELECT CAST(COUNT(*) AS integer) AS n FROM django_session`)
      expect(after).toEqual(before)
      await stopAll()
    },
    120_000
  )
})
