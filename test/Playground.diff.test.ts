/**
 * The playground differential test (docs/Playground.md): the example site's `/inspect/` and
 * `/respond/` must answer every request of `test/fixtures/playground-corpus.json` exactly as the
 * same endpoints written with Django 3.2 (`scripts/django/playground/`) do.
 *
 * - Where Django is installed (`/usr/bin/python3 -c "import django"`), both servers are started,
 *   one pair per settings profile, and their live answers are diffed ("live" mode).
 * - Elsewhere (or with `PLAYGROUND_DIFF_MODE=recorded`), the site's answers are diffed against Django's recorded answers,
 *   `test/fixtures/playground-django.json` ("recorded" mode; regenerate with
 *   `npx tsx scripts/django/playground-record.ts`).
 *
 * Answers are normalised as `test/playground/harness.ts` documents (Date, Server and framing
 * headers are dropped; bodies and every Set-Cookie line are compared byte for byte).
 *
 * Part 2 (sessions, CSRF, users): the corpus's `scenarios` are requests in sequence, cookies
 * carried from one to the next (`runScenario`); session keys, CSRF cookies and tokens are random,
 * so they are compared by shape (present or deleted, attributes, length) and the JSON bodies
 * otherwise exactly. Each server gets its own fresh SQLite file (`DATABASE_URL`).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import { filesParsed } from "./playground/features.js"
import type { Case, Outcome, Recorded, Running } from "./playground/harness.js"
import {
  comparable,
  djangoInstalled,
  loadCorpus,
  recordedPath,
  replay,
  runScenario,
  sitePath,
  startDjango,
  startSite
} from "./playground/harness.js"

const corpus = loadCorpus()
const scenarios = corpus.scenarios ?? []
const siteExists = Fs.existsSync(sitePath)
// PLAYGROUND_DIFF_MODE=recorded forces the recorded mode even where Django is installed.
const live = siteExists && process.env["PLAYGROUND_DIFF_MODE"] !== "recorded" && djangoInstalled()
const mode = live ? "live against Django 3.2" : "against Django's recorded answers"
const recorded: Recorded = JSON.parse(Fs.readFileSync(recordedPath, "utf8")) as Recorded
// Multipart cases need the uploads parser wired into HttpRequest.FILES; without it they are skipped, saying so.
const multipart = await filesParsed()
const needsMultipart = (c: Case) =>
  c.method === "POST" && c.headers.some(([n, v]) => n.toLowerCase() === "content-type" && v.startsWith("multipart/"))

if (!siteExists) console.log("[playground diff] skipped: examples/server.ts does not exist yet")
else console.log(`[playground diff] mode: ${mode}`)
if (!multipart) console.log("[playground diff] multipart cases skipped: HttpRequest.FILES does not parse multipart yet")

describe.skipIf(!siteExists)(`playground: example site vs Django (${mode})`, () => {
  it("the recorded answers cover the whole corpus", () => {
    expect(Object.keys(recorded.answers).sort()).toEqual(corpus.cases.map((c) => c.name).sort())
    expect(Object.keys(recorded.scenarios ?? {}).sort()).toEqual(scenarios.map((s) => s.name).sort())
    expect(recorded.fixedTime).toBe(corpus.fixedTime)
  })

  for (const profile of Object.keys(corpus.profiles)) {
    const cases = corpus.cases.filter((c) => c.profile === profile)
    describe(`profile ${profile} (${JSON.stringify(corpus.profiles[profile])})`, () => {
      let site: Running | undefined
      let django: Running | undefined
      beforeAll(async () => {
        ;[site, django] = await Promise.all([
          startSite(corpus, profile),
          live ? startDjango(corpus, profile) : Promise.resolve(undefined)
        ])
      }, 60_000)
      afterAll(async () => {
        await Promise.all([site?.stop(), django?.stop()])
      })

      for (const c of cases) {
        const title = `${c.name}: ${c.method} ${c.path.length > 80 ? c.path.slice(0, 80) + "..." : c.path}`
        it.skipIf(needsMultipart(c) && !multipart)(title, async () => {
          const ours = await replay(c, site!.port)
          if (c.divergence !== undefined) {
            // A documented divergence (see the corpus for why): the site still answers, with this status.
            expect("status" in ours && ours.status).toBe(c.divergence.status)
            return
          }
          const theirs: Outcome = django ? await replay(c, django.port) : recorded.answers[c.name]!
          expect(comparable(c, ours)).toEqual(comparable(c, theirs))
        })
      }

      // Part 2: requests in sequence with cookies carried; random cookies and tokens compared by shape.
      for (const s of scenarios.filter((s) => s.profile === profile)) {
        const title = `scenario ${s.name}: ${s.steps.map((st) => `${st.method} ${st.path.split("?")[0]}`).join(", ")}`
        it(title, async () => {
          const [ours, theirs] = await Promise.all([
            runScenario(corpus, s, site!.port),
            django ? runScenario(corpus, s, django.port) : Promise.resolve(recorded.scenarios?.[s.name])
          ])
          expect(ours).toEqual(theirs)
        })
      }
    })
  }
})
