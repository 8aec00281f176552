import type { Reporter, RunnerTask, RunnerTestFile } from "vitest"

/** Prints one plain closing line, `tests: N passed, N failed, N skipped`, after the default reporter. */
export default class SummaryReporter implements Reporter {
  onFinished(files: ReadonlyArray<RunnerTestFile> = []) {
    let passed = 0
    let failed = 0
    let skipped = 0
    const visit = (task: RunnerTask) => {
      if (task.type === "suite") {
        task.tasks.forEach(visit)
        return
      }
      if (task.mode === "skip" || task.mode === "todo") skipped++
      else if (task.result?.state === "pass") passed++
      else if (task.result?.state === "fail") failed++
    }
    files.forEach((file) => {
      if (file.result?.state === "fail" && file.tasks.length === 0) failed++
      file.tasks.forEach(visit)
    })
    console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
  }
}
