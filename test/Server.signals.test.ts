/**
 * `Server.run` and signals: Ctrl-C under `npm start` reaches the server twice (from the terminal's
 * process group, and relayed by tsx), so a repeated SIGINT/SIGTERM right after the first must not
 * force the exit: the response in flight still arrives whole.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as Http from "node:http"
/** The response: this many chunks of `CHUNK` bytes. */
const CHUNKS = 64
const CHUNK = 64 * 1024

const script = new URL("./utils/streamingServer.ts", import.meta.url).pathname

/** Starts the server process and resolves with it and its port once it listens. */
const start = () =>
  Effect.async<{ readonly child: ChildProcess; readonly port: number }, Error>((resume) => {
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      env: { ...process.env, SECRET_KEY: "signals", CHUNKS: String(CHUNKS), CHUNK_SIZE: String(CHUNK) },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    const onData = (d: Buffer) => {
      out += d.toString()
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (m !== null) resume(Effect.succeed({ child, port: Number(m[1]) }))
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.on("exit", (code) => resume(Effect.fail(new Error(`server exited (${code}) before listening: ${out}`))))
  })

/**
 * GET / and read the body slowly (one chunk a tick, paused in between), sending `signals` to the
 * server after the first chunk, `gapMs` apart. The body's length, and the server's exit code.
 */
const readWhileSignalled = (child: ChildProcess, port: number, signals: ReadonlyArray<NodeJS.Signals>, gapMs: number) =>
  Effect.async<{ readonly received: number; readonly complete: boolean; readonly exitCode: number | null }>(
    (resume) => {
      let received = 0
      let complete = false
      let exitCode: number | null | undefined
      let closed = false
      const settle = () => {
        if (closed && exitCode !== undefined) resume(Effect.succeed({ received, complete, exitCode }))
      }
      child.on("exit", (code) => {
        exitCode = code
        settle()
      })
      Http.get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
        let signalled = false
        res.on("data", (c: Buffer) => {
          received += c.length
          if (!signalled) {
            signalled = true
            signals.forEach((signal, i) => setTimeout(() => child.kill(signal), i * gapMs))
          }
          // Read slowly: the response is still in flight when the signals arrive.
          res.pause()
          setTimeout(() => res.resume(), 1)
        })
        res.on("end", () => (complete = true))
        res.on("close", () => {
          closed = true
          settle()
        })
      }).on("error", () => {
        closed = true
        settle()
      })
    }
  )

describe("Server.run and repeated signals", () => {
  for (const signals of [["SIGINT", "SIGINT"], ["SIGTERM", "SIGTERM"], ["SIGINT", "SIGTERM"]] as const) {
    it.live(
      `${signals.join(" then ")} 50 ms apart: the response in flight arrives whole, then the server exits 0`,
      () =>
        Effect.gen(function*() {
          const { child, port } = yield* start()
          const out = yield* readWhileSignalled(child, port, signals, 50)
          expect(out.received).toBe(CHUNKS * CHUNK)
          expect(out.complete).toBe(true)
          expect(out.exitCode).toBe(0)
        }),
      30_000
    )
  }
})
