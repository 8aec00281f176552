/**
 * What the network benches share: starting a server in its own process and reading its port,
 * reading the CPU time it used, loading it with autocannon, and the median of a few rounds.
 *
 * Two ways to start a server:
 *
 * - `startTarget(script, args)`: a Node script run with tsx that prints `listening on ...:PORT`
 *   and answers SIGUSR2 with `cpu MICROSECONDS` (its own `process.cpuUsage`), as the targets of
 *   `server.bench.ts` (optionally pinned with `taskset`, waiting for every worker), `stdmw.bench.ts`
 *   and `sessions.bench.ts` do;
 * - `startGroup(command, args)`: any command (gunicorn, a Node cluster) in a process group of its
 *   own, on a port given to it, ready when `readyPath` answers; its CPU time is the sum over every
 *   process of the group, read from `/proc` (Linux), so a primary and its workers all count.
 *
 * And for the in-process benches, `countSteps`: the Effect runtime's steps of `n` requests, counted
 * by `bench/stack/opcount.mjs`.
 */
import { spawn } from "node:child_process"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as Inspector from "node:inspector/promises"
import * as Net from "node:net"
import { treeCpu } from "./server/proctree.js"

export interface Started {
  readonly port: number
  /** The server's process id (the primary's, when it has workers). */
  readonly pid: number
  /** CPU time the server used so far (user + system), in microseconds. */
  readonly cpu: () => Promise<number>
  /** Kills the server and every process it started (a primary's workers would outlive it). */
  readonly stop: () => void
}

export interface StartOptions {
  /** Run the server under `taskset -c CPUS` (its workers inherit it). */
  readonly cpus?: string | undefined
  /** How many `listening on` lines to wait for: one per worker (each compiles the sources first). */
  readonly listeners?: number | undefined
}

/**
 * Starts `node --import tsx SCRIPT ...ARGS` and resolves once it printed `listening on ...:PORT`
 * (`listeners` times).
 */
export const startTarget = (
  script: string,
  args: ReadonlyArray<string>,
  options: StartOptions = {}
): Promise<Started> =>
  new Promise<Started>((resolve, reject) => {
    const command = [process.execPath, "--import", "tsx", script, ...args]
    const child = options.cpus === undefined
      ? spawn(command[0]!, command.slice(1), { stdio: ["ignore", "pipe", "inherit"] })
      : spawn("taskset", ["-c", options.cpus, ...command], { stdio: ["ignore", "pipe", "inherit"] })
    const expected = options.listeners ?? 1
    let out = ""
    let waiting: ((cpu: number) => void) | undefined
    let started = false
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const cpu = /cpu (\d+)\n/.exec(out)
      if (cpu && waiting) {
        out = out.replace(cpu[0], "")
        const w = waiting
        waiting = undefined
        w(Number(cpu[1]))
      }
      const m = /listening on (?:http:\/\/)?\S+:(\d+)(?=\D)/.exec(out)
      const listening = out.match(/listening on /g)?.length ?? 0
      if (m && !started && listening >= expected) {
        started = true
        resolve({
          port: Number(m[1]),
          pid: child.pid!,
          cpu: () =>
            new Promise<number>((done) => {
              waiting = done
              child.kill("SIGUSR2")
            }),
          stop: () => {
            for (const pid of treeCpu(child.pid!).keys()) if (pid !== child.pid) process.kill(pid, "SIGKILL")
            child.kill("SIGKILL")
          }
        })
      }
    })
    child.once("exit", (code) => {
      if (!started) reject(new Error(`${args.join(" ")} exited with ${code}: ${out}`))
    })
  })

/**
 * The target's end of `startTarget`: answers SIGUSR2 with `cpu MICROSECONDS` (this process's
 * CPU time so far, user + system) and starts the target the first argument names, if any.
 */
export const runTarget = (targets: Readonly<Record<string, () => unknown>>): void => {
  process.on("SIGUSR2", () => {
    const used = process.cpuUsage()
    console.log(`cpu ${used.user + used.system}`)
  })
  const name = process.argv[2]
  if (name === undefined) return
  const start = targets[name]
  if (start === undefined) {
    console.error(`unknown target ${JSON.stringify(name)}; known: ${Object.keys(targets).join(", ")}`)
    process.exit(2)
  }
  start()
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it next). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

const CLOCK_TICKS_PER_SECOND = 100

/** CPU time (user + system, µs) of every live process in process group `pgid`, from `/proc`. */
export const groupCpu = (pgid: number): number => {
  let ticks = 0
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8")
    } catch {
      continue // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing paren.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    if (Number(fields[2]) !== pgid) continue
    ticks += Number(fields[11]) + Number(fields[12]) // utime, stime
  }
  return (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND
}

/**
 * Starts `command` in a new process group with `env` added to this process's, and resolves once
 * `readyLines` were printed and `http://127.0.0.1:PORT/readyPath` answers (any status). `stop`
 * kills the whole group.
 */
export const startGroup = (options: {
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly port: number
  readonly env?: Record<string, string>
  readonly cwd?: string
  readonly readyPath: string
  /** Also wait until the output (stdout and stderr) has `count` lines matching `pattern` (one per worker). */
  readonly readyLines?: { readonly pattern: RegExp; readonly count: number }
  readonly timeoutMs?: number
}): Promise<Started> =>
  new Promise<Started>((resolve, reject) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    })
    let err = ""
    let readyLines = 0
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString()
      err = (err + text).slice(-4000)
      if (options.readyLines !== undefined) {
        for (const line of text.split("\n")) if (options.readyLines.pattern.test(line)) readyLines++
      }
    }
    child.stdout.on("data", onOutput)
    child.stderr.on("data", onOutput)
    let exited = false
    child.once("error", (error) => {
      exited = true
      if (!settled) {
        settled = true
        reject(error)
      }
    })
    child.once("exit", (code) => {
      exited = true
      if (!settled) {
        settled = true
        reject(new Error(`${options.command} exited with ${code}: ${err}`))
      }
    })
    let settled = false
    const pgid = child.pid!
    const stop = () => {
      if (exited) return
      try {
        process.kill(-pgid, "SIGKILL")
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + (options.timeoutMs ?? 60_000)
    const poll = () => {
      if (settled) return
      if (options.readyLines !== undefined && readyLines < options.readyLines.count) {
        if (Date.now() > deadline) {
          settled = true
          stop()
          reject(
            new Error(`${options.command}: ${readyLines} of ${options.readyLines.count} ready lines in time: ${err}`)
          )
        } else setTimeout(poll, 100)
        return
      }
      fetch(`http://127.0.0.1:${options.port}${options.readyPath}`, { redirect: "manual" }).then(
        async (response) => {
          await response.arrayBuffer()
          settled = true
          resolve({ port: options.port, pid: pgid, cpu: () => Promise.resolve(groupCpu(pgid)), stop })
        },
        () => {
          if (Date.now() > deadline) {
            settled = true
            stop()
            reject(new Error(`${options.command} did not answer in time: ${err}`))
          } else setTimeout(poll, 100)
        }
      )
    }
    poll()
  })

/** The median of `xs` (the mean of the middle two for an even count). */
export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/**
 * One warm-up run of each variant, then `rounds` interleaved rounds (each variant once per
 * round): every run's figure per variant. With `profile` (a file path), a CPU profile of the
 * measured rounds is written there.
 */
export const interleavedRounds = async (
  chosen: ReadonlyArray<string>,
  rounds: number,
  run: (name: string) => Promise<number>,
  profile: string | undefined
): Promise<Map<string, Array<number>>> => {
  for (const name of chosen) await run(name) // warm-up
  const inspector = profile === undefined ? undefined : new Inspector.Session()
  if (inspector !== undefined) {
    inspector.connect()
    await inspector.post("Profiler.enable")
    await inspector.post("Profiler.start")
  }
  const results = new Map<string, Array<number>>()
  for (let r = 0; r < rounds; r++) {
    for (const name of chosen) results.set(name, [...(results.get(name) ?? []), await run(name)])
  }
  if (inspector !== undefined && profile !== undefined) {
    const { profile: data } = await inspector.post("Profiler.stop")
    writeFileSync(profile, JSON.stringify(data))
    console.log(`profile of the measured rounds written to ${profile}`)
  }
  return results
}

/**
 * For `CALLGRIND_VARIANT` runs, to `yield*` from `Effect.gen`: `warmUp` (one request) 300 times,
 * then `measured` (`n` requests) with `bench/stack/opcount.mjs`'s counter switched on, its steps
 * printed per request when that module is loaded (`--import ./bench/stack/opcount.mjs`). Plain
 * generator delegation: the counter switches on and off where `measured` starts and ends, and
 * adds no step of the runtime's own.
 */
export function* countSteps<W, Y, A>(options: {
  readonly n: number
  readonly warmUp: () => { [Symbol.iterator](): Iterator<W, unknown> }
  readonly measured: { [Symbol.iterator](): Iterator<Y, A> }
}): Generator<W | Y, A> {
  for (let i = 0; i < 300; i++) yield* options.warmUp()
  const counter = globalThis as { __opcount_on?: boolean; __opcount_dump?: (n: number) => void }
  counter.__opcount_on = true
  const result = yield* options.measured
  counter.__opcount_on = false
  counter.__opcount_dump?.(options.n)
  return result
}
