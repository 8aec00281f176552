/**
 * Serving on every core with `node:cluster`: a primary that forks the workers, replaces one
 * that dies (a bounded number of times per minute), and on SIGINT or SIGTERM asks every worker
 * to stop gracefully, then exits when they all have. Each worker runs the site as a single
 * process would; Node's cluster module shares the listening socket between them.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import cluster from "node:cluster"
import type { Worker } from "node:cluster"
import * as Os from "node:os"

/** The message the primary sends to ask a worker to stop. */
export const SHUTDOWN = "effect-django-http/shutdown"

/** How many workers `workers` asks for: a number, or `"auto"` for one per core. */
export const workerCount = (workers: number | "auto" | undefined): number =>
  workers === "auto" ? Os.availableParallelism() : Math.max(1, Math.floor(workers ?? 1))

const log = (level: "info" | "warning" | "error", message: string): void =>
  Effect.runSync(
    (level === "info" ? Effect.logInfo(message) : level === "warning" ? Effect.logWarning(message) : Effect.logError(
      message
    )).pipe(Effect.annotateLogs({ logger: "effect-django-http.server", pid: process.pid }))
  )

export interface PrimaryOptions {
  readonly workers: number
  /** Restarts allowed within a minute before the primary gives up and stops. */
  readonly maxRestartsPerMinute: number
}

/**
 * The primary's side: fork, supervise, stop. Never returns to serve: the process exits when
 * its workers are gone.
 */
export const runPrimary = (options: PrimaryOptions): void => {
  let stopping = false
  let exitCode = 0
  const restarts: Array<number> = []
  const live = new Set<Worker>()

  const fork = () => {
    const worker = cluster.fork()
    live.add(worker)
  }

  const stopAll = (code: number) => {
    if (stopping) return
    stopping = true
    exitCode = code
    log("info", `stopping ${live.size} worker(s)`)
    for (const worker of live) {
      if (worker.isConnected()) worker.send(SHUTDOWN)
    }
    if (live.size === 0) process.exit(exitCode)
  }

  cluster.on("exit", (worker, code, signal) => {
    live.delete(worker)
    if (stopping) {
      if (live.size === 0) process.exit(exitCode)
      return
    }
    const now = Date.now()
    while (restarts.length > 0 && now - restarts[0]! > 60_000) restarts.shift()
    if (restarts.length >= options.maxRestartsPerMinute) {
      log(
        "error",
        `worker ${worker.process.pid} died (${
          signal ?? `code ${code}`
        }); ${restarts.length} restarts in the last minute, giving up`
      )
      stopAll(1)
      return
    }
    restarts.push(now)
    log("warning", `worker ${worker.process.pid} died (${signal ?? `code ${code}`}); starting another`)
    fork()
  })

  const onSignal = () => stopAll(0)
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  log("info", `primary ${process.pid}: starting ${options.workers} workers`)
  for (let i = 0; i < options.workers; i++) fork()
}

/**
 * The worker's side: stop gracefully when the primary asks, or when it is gone (the IPC
 * channel closes). The stop goes through the same listener a SIGTERM would reach, so the
 * graceful-stop rules of a single process apply.
 */
export const attachWorker = (): void => {
  const stop = () => {
    process.emit("SIGTERM", "SIGTERM")
  }
  process.on("message", (message) => {
    if (message === SHUTDOWN) stop()
  })
  process.on("disconnect", stop)
}

/** Whether this process is a worker forked by `runPrimary`. */
export const isWorker = (): boolean => cluster.isWorker
