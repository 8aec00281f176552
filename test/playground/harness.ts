/**
 * Replays the playground corpus (`test/fixtures/playground-corpus.json`) against a live server and
 * normalises the answers so that the example site and its Django twin
 * (`scripts/django/playground/`) can be compared. Used by `test/Playground.diff.test.ts` and by
 * `scripts/django/playground-record.ts` (which records Django's answers to
 * `test/fixtures/playground-django.json`).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

export const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "..")
export const corpusPath = Path.join(root, "test", "fixtures", "playground-corpus.json")
export const recordedPath = Path.join(root, "test", "fixtures", "playground-django.json")
export const python = "/usr/bin/python3"

export interface Case {
  readonly name: string
  readonly profile: string
  readonly method: string
  readonly path: string
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly bodyBase64?: string
  /** `all` (default), `head` (status and headers: HEAD bodies are not compared), `status`. */
  readonly compare?: "all" | "head" | "status"
  readonly note?: string
  /**
   * A deliberate difference, with the status the site answers and why: Node's HTTP parser
   * answers the request itself, or the library applies a security fix later than Django 3.2.25.
   */
  readonly divergence?: { readonly status: number; readonly why: string }
}

export interface Corpus {
  readonly fixedTime: number
  readonly profiles: Readonly<Record<string, Readonly<Record<string, string>>>>
  readonly cases: ReadonlyArray<Case>
}

export const loadCorpus = (): Corpus => JSON.parse(Fs.readFileSync(corpusPath, "utf8")) as Corpus

export interface Answer {
  readonly status: number
  /** Lower-cased names, sorted; hop-by-hop and server-specific headers removed (see `dropped`). */
  readonly headers: ReadonlyArray<readonly [string, string]>
  /** Every Set-Cookie line, in order. */
  readonly setCookie: ReadonlyArray<string>
  readonly body: { readonly text: string } | { readonly base64: string }
}

export type Outcome = Answer | { readonly connectionError: string }

/**
 * Headers that legitimately differ between two correct servers, and why:
 * - `date`: the wall clock of the moment the answer was written.
 * - `server`: the product name (`WSGIServer/0.2 CPython/3.11`).
 * - `connection`, `keep-alive`: Django's development server closes every connection whose
 *   response has no Content-Length; Node keeps connections alive. A transport choice.
 * - `transfer-encoding`, `content-length`: framing. Django 3.2 without CommonMiddleware sends no
 *   Content-Length (it closes the connection instead); Node sends Content-Length or chunks. The
 *   bodies themselves are compared byte for byte.
 */
export const dropped: ReadonlySet<string> = new Set([
  "date",
  "server",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length"
])

const utf8 = new TextDecoder("utf-8", { fatal: true })

const toBody = (bytes: Uint8Array): Answer["body"] => {
  try {
    return { text: utf8.decode(bytes) }
  } catch {
    return { base64: Buffer.from(bytes).toString("base64") }
  }
}

/** Sends one corpus request, exactly its headers plus `Connection: close` and a Content-Length for a body. */
export const replay = (c: Case, port: number): Promise<Outcome> =>
  new Promise((resolve) => {
    const body = c.bodyBase64 === undefined ? undefined : Buffer.from(c.bodyBase64, "base64")
    const headers: Record<string, string> = {}
    for (const [name, value] of c.headers) headers[name] = value
    headers["Connection"] = "close"
    if (body !== undefined) headers["Content-Length"] = String(body.length)
    let settled = false
    const done = (o: Outcome) => {
      if (!settled) {
        settled = true
        resolve(o)
      }
    }
    const req = Http.request({
      host: "127.0.0.1",
      port,
      method: c.method,
      path: c.path,
      headers,
      setHost: false,
      agent: false
    }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      const finish = () => {
        const pairs: Array<readonly [string, string]> = []
        const setCookie: Array<string> = []
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase()
          const value = res.rawHeaders[i + 1]!
          if (name === "set-cookie") setCookie.push(value)
          else if (!dropped.has(name)) pairs.push([name, value])
        }
        pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        done({ status: res.statusCode ?? 0, headers: pairs, setCookie, body: toBody(Buffer.concat(chunks)) })
      }
      res.on("end", finish)
      // A server that closes after writing its answer (Django's does) may end with a reset.
      res.on("error", finish)
      res.on("aborted", finish)
    })
    req.on("error", (error: NodeJS.ErrnoException) => done({ connectionError: error.code ?? error.message }))
    req.setTimeout(15_000, () => {
      req.destroy()
      done({ connectionError: "timeout" })
    })
    req.end(body)
  })

/** What is compared for a case, according to its `compare` mode. */
export const comparable = (c: Case, o: Outcome): unknown => {
  if ("connectionError" in o) return o
  switch (c.compare ?? "all") {
    case "all":
      return o
    case "head":
      return { status: o.status, headers: o.headers, setCookie: o.setCookie }
    case "status": {
      const type = o.headers.find(([name]) => name === "content-type")?.[1] ?? ""
      return { status: o.status, contentType: type.split(";")[0] }
    }
  }
}

export const djangoInstalled = (): boolean => {
  try {
    return spawnSync(python, ["-c", "import django"], { stdio: "ignore", timeout: 20_000 }).status === 0
  } catch {
    return false
  }
}

/** The settings variables of docs/Playground.md; cleared from the inherited environment so that runs are reproducible. */
const settingsVars = [
  "SECRET_KEY",
  "ALLOWED_HOSTS",
  "DEBUG",
  "USE_X_FORWARDED_HOST",
  "USE_X_FORWARDED_PORT",
  "SECURE_PROXY_SSL_HEADER",
  "DATA_UPLOAD_MAX_MEMORY_SIZE",
  "DATA_UPLOAD_MAX_NUMBER_FIELDS",
  "DATA_UPLOAD_MAX_NUMBER_FILES",
  "FILE_UPLOAD_MAX_MEMORY_SIZE",
  "FILE_UPLOAD_TEMP_DIR",
  "HOST",
  "PORT"
]

export const profileEnv = (corpus: Corpus, profile: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of settingsVars) delete env[name]
  // wsgiref copies the process environment into META: an HTTP_PROXY variable would show up as a
  // request header on Django's side only.
  for (const name of Object.keys(env)) if (name.startsWith("HTTP_")) delete env[name]
  return {
    ...env,
    ...corpus.profiles[profile],
    PLAYGROUND_FIXED_TIME: String(corpus.fixedTime),
    PLAYGROUND_QUIET: "1"
  }
}

export interface Running {
  readonly port: number
  readonly output: () => string
  /** Sends SIGTERM (SIGKILL after 5 s) and resolves with the exit code (`null` if killed by a signal). */
  readonly stop: () => Promise<number | null>
}

/** Starts a server process that prints `listening on [http://]HOST:PORT` once it accepts connections. */
export const startProcess = (command: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Promise<Running> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let started = false
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${command} ${args.join(" ")} did not start within 30 s:\n${out}`))
    }, 30_000)
    const onData = (chunk: Buffer) => {
      out += chunk.toString("utf8")
      const match = /listening on (?:https?:\/\/)?\S*:(\d+)/.exec(out)
      if (match && !started) {
        started = true
        clearTimeout(timer)
        resolve({
          port: Number(match[1]),
          output: () => out,
          stop: () =>
            new Promise<number | null>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode)
              child.once("exit", (code) => done(code))
              child.kill("SIGTERM")
              setTimeout(() => child.kill("SIGKILL"), 5_000).unref()
            })
        })
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.once("exit", (code) => {
      if (!started) {
        clearTimeout(timer)
        reject(new Error(`${command} exited with ${code} before listening:\n${out}`))
      }
    })
  })

export const startDjango = (corpus: Corpus, profile: string): Promise<Running> =>
  startProcess(python, [Path.join(root, "scripts", "django", "playground", "serve.py"), "127.0.0.1", "0"], {
    ...profileEnv(corpus, profile),
    PYTHONDONTWRITEBYTECODE: "1"
  })

export const sitePath = Path.join(root, "examples", "server.ts")

export const startSite = (corpus: Corpus, profile: string): Promise<Running> =>
  startProcess(process.execPath, ["--import", "tsx", sitePath], {
    ...profileEnv(corpus, profile),
    HOST: "127.0.0.1",
    PORT: "0"
  })

export interface Recorded {
  readonly recordedWith: string
  readonly fixedTime: number
  readonly answers: Readonly<Record<string, Outcome>>
}
