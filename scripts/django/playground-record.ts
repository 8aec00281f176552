/**
 * Records the Django twin's answers to the playground corpus in
 * `test/fixtures/playground-django.json`, for the differential test to use where Django is not
 * installed. Regenerate the corpus first if it changed:
 *
 *     /usr/bin/python3 scripts/django/playground-corpus.py
 *     npx tsx scripts/django/playground-record.ts
 *
 * The answers are normalised as `test/playground/harness.ts` explains (`dropped`).
 */
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import type { Outcome, Recorded, StepAnswer } from "../../test/playground/harness.js"
import { loadCorpus, python, recordedPath, replay, runScenario, startDjango } from "../../test/playground/harness.js"

const main = async () => {
  const corpus = loadCorpus()
  const version = spawnSync(python, ["-c", "import django; print(django.get_version())"], { encoding: "utf8" })
  const answers: Record<string, Outcome> = {}
  const scenarios: Record<string, ReadonlyArray<StepAnswer | Outcome>> = {}
  for (const profile of Object.keys(corpus.profiles)) {
    const cases = corpus.cases.filter((c) => c.profile === profile)
    const sequences = (corpus.scenarios ?? []).filter((s) => s.profile === profile)
    if (cases.length === 0 && sequences.length === 0) continue
    const django = await startDjango(corpus, profile)
    try {
      for (const c of cases) {
        const answer = await replay(c, django.port)
        // Only status and Content-Type are compared for these (DEBUG's technical page holds
        // paths and times): keep the fixture reproducible.
        answers[c.name] = c.compare === "status" && "body" in answer
          ? { ...answer, body: { text: "(DEBUG technical page, not recorded)" } }
          : answer
      }
      for (const s of sequences) scenarios[s.name] = await runScenario(corpus, s, django.port)
    } finally {
      await django.stop()
    }
  }
  const recorded: Recorded = {
    recordedWith: `Django ${version.stdout.trim()}`,
    fixedTime: corpus.fixedTime,
    answers,
    scenarios
  }
  // One answer a line: diffs of the fixture stay readable.
  const lines = Object.entries(recorded.answers).map(([name, answer]) =>
    `  ${JSON.stringify(name)}: ${JSON.stringify(answer)}`
  )
  const scenarioLines = Object.entries(scenarios).map(([name, steps]) =>
    `  ${JSON.stringify(name)}: ${JSON.stringify(steps)}`
  )
  Fs.writeFileSync(
    recordedPath,
    `{\n "recordedWith": ${JSON.stringify(recorded.recordedWith)},\n "fixedTime": ${recorded.fixedTime},\n` +
      ` "answers": {\n${lines.join(",\n")}\n },\n "scenarios": {\n${scenarioLines.join(",\n")}\n }\n}\n`
  )
  console.log(`recorded ${Object.keys(answers).length} answers to ${recordedPath}`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
