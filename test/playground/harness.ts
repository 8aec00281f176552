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
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Zlib from "node:zlib"

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
  /** Part 2: requests in sequence, cookies carried (see `Scenario`). */
  readonly scenarios?: ReadonlyArray<Scenario>
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
  "SESSION_ENGINE",
  "DATABASE_URL",
  "SESSION_COOKIE_AGE",
  "SESSION_SAVE_EVERY_REQUEST",
  "SESSION_EXPIRE_AT_BROWSER_CLOSE",
  "SESSION_COOKIE_NAME",
  "SESSION_COOKIE_SECURE",
  "SESSION_COOKIE_HTTPONLY",
  "SESSION_COOKIE_SAMESITE",
  "SESSION_COOKIE_PATH",
  "SESSION_COOKIE_DOMAIN",
  "CSRF_USE_SESSIONS",
  "CSRF_COOKIE_NAME",
  "CSRF_COOKIE_SECURE",
  "CSRF_COOKIE_HTTPONLY",
  "CSRF_COOKIE_AGE",
  "CSRF_HEADER_NAME",
  "CSRF_TRUSTED_ORIGINS",
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

/** A fresh SQLite file for one server (`DATABASE_URL`), removed when the server stops. */
const freshDatabase = (): { readonly url: string; readonly remove: () => void } => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "playground-db-"))
  return {
    url: `sqlite:${Path.join(dir, "db.sqlite3")}`,
    remove: () => Fs.rmSync(dir, { recursive: true, force: true })
  }
}

const withDatabase = async (
  start: (env: NodeJS.ProcessEnv) => Promise<Running>,
  env: NodeJS.ProcessEnv
): Promise<Running> => {
  if (env["DATABASE_URL"] !== undefined) return start(env)
  const db = freshDatabase()
  try {
    const running = await start({ ...env, DATABASE_URL: db.url })
    return {
      ...running,
      stop: () => running.stop().finally(db.remove)
    }
  } catch (error) {
    db.remove()
    throw error
  }
}

export const startDjango = (corpus: Corpus, profile: string, extra: NodeJS.ProcessEnv = {}): Promise<Running> =>
  withDatabase(
    (env) =>
      startProcess(python, [Path.join(root, "scripts", "django", "playground", "serve.py"), "127.0.0.1", "0"], env),
    { ...profileEnv(corpus, profile), PYTHONDONTWRITEBYTECODE: "1", ...extra }
  )

export const sitePath = Path.join(root, "examples", "server.ts")

export const startSite = (corpus: Corpus, profile: string, extra: NodeJS.ProcessEnv = {}): Promise<Running> =>
  withDatabase((env) => startProcess(process.execPath, ["--import", "tsx", sitePath], env), {
    ...profileEnv(corpus, profile),
    HOST: "127.0.0.1",
    PORT: "0",
    ...extra
  })

export interface Recorded {
  readonly recordedWith: string
  readonly fixedTime: number
  readonly answers: Readonly<Record<string, Outcome>>
  /** Part 2: each scenario's answers, in the structural form of `structural`. */
  readonly scenarios?: Readonly<Record<string, ReadonlyArray<StepAnswer | Outcome>>>
}

// ---------------------------------------------------------------------------
// Part 2: scenarios, a cookie jar carried across requests, structural comparison
// ---------------------------------------------------------------------------

/**
 * One request of a scenario. In `path`, header values and the body, `{token}` stands for the
 * last `token` a JSON answer of this scenario carried (`GET /csrf/`), and `{cookie:NAME}` for
 * the jar's cookie NAME.
 */
export interface Step {
  readonly method: string
  readonly path: string
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body?: string
  /** `false`: send no Cookie header for this step (the jar is still updated). */
  readonly sendCookies?: boolean
  /** Sends this step to another server of `runScenario`'s `others` (the interop test). */
  readonly server?: string
}

export interface Scenario {
  readonly name: string
  readonly profile: string
  readonly note?: string
  readonly steps: ReadonlyArray<Step>
}

/** A cookie's shape: what is equal between two correct servers even when values are random. */
export interface CookieShape {
  readonly name: string
  /**
   * The value itself, or for random cookies (session keys, CSRF tokens) its length; a session
   * held in the cookie itself (`signed_cookies`) is shown decoded, with the lengths of its
   * timestamp and signature (zlib's output differs between Node and Python, the data must not).
   */
  readonly value: string | number | {
    readonly data: unknown
    readonly compressed: boolean
    readonly tail: ReadonlyArray<number>
  }
  /** Lower-cased attribute names with their values; `expires` only as present. */
  readonly attributes: ReadonlyArray<readonly [string, string]>
}

export interface StepAnswer {
  readonly status: number
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly cookies: ReadonlyArray<CookieShape>
  /** The JSON body with random tokens replaced by their length, or the text. */
  readonly body: unknown
}

/** Random values: compared by length. Everything else is compared as it is. */
const RANDOM_KEYS: ReadonlySet<string> = new Set(["token"])

const cookieShape = (line: string, randomNames: ReadonlySet<string>): CookieShape => {
  const [pair = "", ...attrs] = line.split(";")
  const eq = pair.indexOf("=")
  const name = (eq < 0 ? pair : pair.slice(0, eq)).trim()
  const value = eq < 0 ? "" : pair.slice(eq + 1).trim()
  const attributes = attrs
    .map((a) => {
      const i = a.indexOf("=")
      const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase()
      const v = i < 0 ? "" : a.slice(i + 1).trim()
      return [key, key === "expires" ? (v.includes("1970") ? "epoch" : "present") : v] as const
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const random = randomNames.has(name) && value !== "" && value !== "\"\""
  return { name, value: random ? signedSession(value) ?? value.length : value, attributes }
}

/** Django's `signing.dumps` form (`[.]b64:timestamp:signature`), decoded; `undefined` for anything else. */
const signedSession = (value: string) => {
  const parts = value.split(":")
  if (parts.length !== 3) return undefined
  const compressed = parts[0]!.startsWith(".")
  try {
    const raw = Buffer.from(compressed ? parts[0]!.slice(1) : parts[0]!, "base64url")
    const data: unknown = JSON.parse((compressed ? Zlib.inflateSync(raw) : raw).toString("utf8"))
    return { data, compressed, tail: [parts[1]!.length, parts[2]!.length] }
  } catch {
    return undefined
  }
}

const shapeJson = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(shapeJson)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, RANDOM_KEYS.has(k) && typeof v === "string" ? v.length : shapeJson(v)])
    )
  }
  return value
}

/** An answer as a scenario compares it (see `StepAnswer`). */
export const structural = (o: Outcome, randomCookies: ReadonlySet<string>): StepAnswer | Outcome => {
  if ("connectionError" in o) return o
  const text = "text" in o.body ? o.body.text : o.body.base64
  const type = o.headers.find(([n]) => n === "content-type")?.[1] ?? ""
  let body: unknown = text
  if (type.startsWith("application/json")) {
    try {
      body = shapeJson(JSON.parse(text))
    } catch {
      body = text
    }
  }
  return {
    status: o.status,
    headers: o.headers,
    cookies: o.setCookie.map((line) => cookieShape(line, randomCookies)),
    body
  }
}

/** The cookies whose values are random (session keys, CSRF tokens), by the profile's names. */
export const randomCookieNames = (corpus: Corpus, profile: string): ReadonlySet<string> => {
  const env = corpus.profiles[profile] ?? {}
  return new Set([env["SESSION_COOKIE_NAME"] ?? "sessionid", env["CSRF_COOKIE_NAME"] ?? "csrftoken"])
}

/** Replays a scenario's steps in order, carrying cookies (a minimal jar: name to value, deletions honoured). */
export const runScenario = async (
  corpus: Corpus,
  s: Scenario,
  port: number,
  others: Readonly<Record<string, number>> = {}
): Promise<ReadonlyArray<StepAnswer | Outcome>> => {
  const jar = new Map<string, string>()
  let token = ""
  const random = randomCookieNames(corpus, s.profile)
  const fill = (text: string) =>
    text.replace(/\{token\}/g, token).replace(/\{cookie:([^}]+)\}/g, (_, name: string) => jar.get(name) ?? "")
  const answers: Array<StepAnswer | Outcome> = []
  for (const [i, step] of s.steps.entries()) {
    const headers: Array<readonly [string, string]> = step.headers.map(([n, v]) => [n, fill(v)])
    if (!headers.some(([n]) => n.toLowerCase() === "host")) headers.unshift(["Host", "localhost:8000"])
    if (step.sendCookies !== false && jar.size > 0) {
      headers.push(["Cookie", [...jar].map(([n, v]) => `${n}=${v}`).join("; ")])
    }
    const c: Case = {
      name: `${s.name}#${i}`,
      profile: s.profile,
      method: step.method,
      path: fill(step.path),
      headers,
      ...(step.body !== undefined ? { bodyBase64: Buffer.from(fill(step.body), "utf8").toString("base64") } : {})
    }
    const outcome = await replay(c, step.server === undefined ? port : others[step.server] ?? port)
    if (!("connectionError" in outcome)) {
      for (const line of outcome.setCookie) {
        const shape = cookieShape(line, new Set())
        const maxAge = shape.attributes.find(([k]) => k === "max-age")?.[1]
        const expired = maxAge === "0" || shape.attributes.some(([k, v]) => k === "expires" && v === "epoch")
        if (expired) jar.delete(shape.name)
        else jar.set(shape.name, String(shape.value))
      }
      const type = outcome.headers.find(([n]) => n === "content-type")?.[1] ?? ""
      if (type.startsWith("application/json") && "text" in outcome.body) {
        try {
          const parsed: unknown = JSON.parse(outcome.body.text)
          if (parsed !== null && typeof parsed === "object" && "token" in parsed && typeof parsed.token === "string") {
            token = parsed.token
          }
        } catch {
          // not JSON after all: nothing to remember
        }
      }
    }
    answers.push(structural(outcome, random))
  }
  return answers
}
