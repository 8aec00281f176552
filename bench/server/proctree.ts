/**
 * CPU time of a process and of its descendants, read from Linux's `/proc` (user + system, in
 * microseconds; the kernel counts in clock ticks of 10 ms). `bench/server.bench.ts` uses it for
 * the targets with workers: their requests are served by processes a primary forked, which the
 * primary's own `process.cpuUsage` does not see.
 */
import * as Fs from "node:fs"

const TICK_US = 10_000 // CLK_TCK = 100

interface Stat {
  readonly pid: number
  readonly ppid: number
  /** utime + stime, microseconds. */
  readonly cpu: number
}

const readStat = (pid: number): Stat | undefined => {
  let text: string
  try {
    text = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
  } catch {
    return undefined
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after its end.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ")
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { pid, ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) * TICK_US }
}

/** The CPU time used so far by `root` and by each of its live descendants, by pid. */
export const treeCpu = (root: number): Map<number, number> => {
  const stats: Array<Stat> = []
  for (const entry of Fs.readdirSync("/proc")) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    const stat = readStat(pid)
    if (stat !== undefined) stats.push(stat)
  }
  const out = new Map<number, number>()
  const walk = (pid: number) => {
    for (const s of stats) {
      if (s.pid === pid) out.set(pid, s.cpu)
      if (s.ppid === pid) walk(s.pid)
    }
  }
  walk(root)
  return out
}

/** What each process of the tree used between two readings (processes absent from `before` count from 0). */
export const treeDelta = (
  before: Map<number, number>,
  after: Map<number, number>
): Map<number, number> => {
  const out = new Map<number, number>()
  for (const [pid, cpu] of after) out.set(pid, cpu - (before.get(pid) ?? 0))
  return out
}
