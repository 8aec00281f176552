/**
 * Part 2 of the playground (docs/Playground.md): "a session written by either side is read by the
 * other". The example site and its Django 3.2 twin share one SQLite file (`db` sessions and
 * `auth_user`); a scenario whose steps alternate between them must give the answers the same
 * scenario gives on Django alone. Live only: skipped, saying so, where Django is not installed.
 * The clocks run free here (no PLAYGROUND_FIXED_TIME): Django dates `db` sessions by the real
 * time, so both sides must.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type { Running, Scenario, Step } from "./playground/harness.js"
import { djangoInstalled, loadCorpus, runScenario, startDjango, startSite } from "./playground/harness.js"

const corpus = loadCorpus()
const live = djangoInstalled()
if (!live) {
  console.log("[playground interop] skipped: Django 3.2 is not installed (/usr/bin/python3 -c 'import django')")
}

const FORM = [["Content-Type", "application/x-www-form-urlencoded"]] as const
const get = (path: string, server?: string): Step => ({
  method: "GET",
  path,
  headers: [],
  ...(server ? { server } : {})
})
const post = (path: string, body: string, server?: string): Step => ({
  method: "POST",
  path,
  headers: FORM,
  body,
  ...(server ? { server } : {})
})

/** Steps marked `other` go to the second server; unmarked ones to the first. */
const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "login on one side, whoami and the session on the other",
    profile: "sessions-db",
    steps: [
      get("/csrf/"),
      post("/login/", "username=alice&password=wonderland&csrfmiddlewaretoken={token}"),
      get("/whoami/", "other"),
      get("/session/?set=cart:3", "other"),
      get("/session/"),
      get("/csrf/", "other"),
      post("/logout/", "csrfmiddlewaretoken={token}"),
      get("/whoami/", "other")
    ]
  },
  {
    name: "a session written on one side, changed and flushed on the other",
    profile: "sessions-db",
    steps: [
      get("/session/?set=a:1&setint=n:2"),
      get("/session/?pop=a&set=b:%C3%A9", "other"),
      get("/session/"),
      get("/session/?cycle=1", "other"),
      get("/session/"),
      get("/session/?flush=1"),
      get("/session/", "other")
    ]
  },
  {
    name: "a signed-cookie session and a CSRF cookie from one side accepted by the other",
    profile: "sessions-signed",
    steps: [
      get("/csrf/"),
      post("/csrf/", "csrfmiddlewaretoken={token}", "other"),
      post("/login/", "username=alice&password=wonderland&csrfmiddlewaretoken={token}", "other"),
      get("/whoami/"),
      get("/session/")
    ]
  }
]

describe.skipIf(!live)("playground interop: the example site and Django share sessions and users", () => {
  const dir = live ? Fs.mkdtempSync(Path.join(Os.tmpdir(), "playground-interop-")) : ""
  const servers: Record<string, { site: Running; django: Running; alone: Running }> = {}
  beforeAll(async () => {
    for (const profile of ["sessions-db", "sessions-signed"]) {
      const shared = { DATABASE_URL: `sqlite:${Path.join(dir, `${profile}.sqlite3`)}`, PLAYGROUND_FIXED_TIME: "" }
      // Django first: its migrate creates every table; the site then finds them (and alice).
      const django = await startDjango(corpus, profile, shared)
      const [site, alone] = await Promise.all([
        startSite(corpus, profile, shared),
        startDjango(corpus, profile, { PLAYGROUND_FIXED_TIME: "" })
      ])
      servers[profile] = { site, django, alone }
    }
  }, 90_000)
  afterAll(async () => {
    await Promise.all(Object.values(servers).flatMap((s) => [s.site.stop(), s.django.stop(), s.alone.stop()]))
    if (dir !== "") Fs.rmSync(dir, { recursive: true, force: true })
  })

  for (const s of scenarios) {
    for (const first of ["site", "django"] as const) {
      it(`${s.name} (${s.profile}; first side: ${first})`, async () => {
        const { alone, django, site } = servers[s.profile]!
        const [a, b] = first === "site" ? [site, django] : [django, site]
        const mixed = await runScenario(corpus, s, a.port, { other: b.port })
        const reference = await runScenario(corpus, s, alone.port, { other: alone.port })
        expect(mixed).toEqual(reference)
      })
    }
  }
})
