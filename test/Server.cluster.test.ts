/**
 * `Server.run` with `workers`: a primary forks the workers (node:cluster), they share the port,
 * a worker that dies is replaced, and SIGTERM to the primary drains every worker gracefully.
 * Gunicorn's model for Django, Node's cluster module here.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as Http from "node:http"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "..")

interface Answer {
  readonly status: number
  readonly pid: number
  readonly body: string
}

/** One request on a fresh connection, so that the cluster may hand it to any worker. */
const request = (port: number, path = "/"): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = Http.request({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (c: string) => (body += c))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, pid: Number(res.headers["x-worker-pid"]), body }))
    })
    req.on("error", reject)
    req.end()
  })

const waitFor = async (check: () => boolean, what: string, ms = 20_000) => {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

let child: ChildProcess
let output = ""
let port = 0

const listeningCount = () => [...output.matchAll(/listening on http:\/\/127\.0\.0\.1:(\d+)/g)].length

beforeAll(async () => {
  child = spawn(process.execPath, ["--import", "tsx", "test/utils/clusterSite.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"]
  })
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()))
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()))
  await waitFor(() => listeningCount() >= 2, "two workers listening", 60_000)
  port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1])
}, 90_000)

afterAll(() => {
  if (child.exitCode === null) child.kill("SIGKILL")
})

describe("Server.run with workers", () => {
  it("two workers answer on one port", async () => {
    const ports = [...output.matchAll(/listening on http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => m[1])
    expect(new Set(ports).size).toBe(1)
    const answers = await Promise.all(Array.from({ length: 40 }, () => request(port)))
    expect(answers.every((a) => a.status === 200)).toBe(true)
    expect(new Set(answers.map((a) => a.pid)).size).toBe(2)
    expect(answers.map((a) => a.pid)).not.toContain(child.pid)
  }, 30_000)

  it("a worker that dies is replaced, and the site keeps answering", async () => {
    const before = new Set((await Promise.all(Array.from({ length: 20 }, () => request(port)))).map((a) => a.pid))
    const victim = [...before][0]!
    process.kill(victim, "SIGKILL")
    await waitFor(() => /died \(SIGKILL\); starting another/.test(output), "the primary to notice")
    await waitFor(() => listeningCount() >= 3, "a new worker listening")
    const after = new Set((await Promise.all(Array.from({ length: 40 }, () => request(port)))).map((a) => a.pid))
    expect(after.has(victim)).toBe(false)
    expect(after.size).toBe(2)
  }, 60_000)

  it("SIGTERM to the primary lets the requests in flight on every worker finish, then exits 0", async () => {
    const started = () => [...output.matchAll(/slow request started in (\d+)/g)].length
    const before = started()
    const inFlight = Array.from({ length: 8 }, () => request(port, "/slow/"))
    await waitFor(() => started() - before === 8, "the slow requests to start")
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
    child.kill("SIGTERM")
    const answers = await Promise.all(inFlight)
    expect(answers.every((a) => a.status === 200 && a.body.startsWith("served by"))).toBe(true)
    expect(new Set(answers.map((a) => a.pid)).size).toBe(2)
    expect(await exited).toBe(0)
    await expect(request(port)).rejects.toThrow()
  }, 60_000)
})
