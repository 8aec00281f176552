/**
 * The harness of the browser tests: the notes app (examples/notes/) as a real server process, and
 * Debian's Chromium driven by playwright-core (which downloads no browser).
 *
 * - `NotesServer`: `npx tsx examples/notes/main.ts` on a free port of 127.0.0.1, with a fresh
 *   DATA_DIR (removed afterwards), a SECRET_KEY and ALLOWED_HOSTS; ready once `GET /accounts/login/`
 *   answers 200 (the contract's readiness check). Its whole process group is killed on release,
 *   whether the tests passed or not. The services `.ci/run` exports (DATABASE_URL, REDIS_URL) are
 *   NOT passed on: the app runs on its SQLite file, as `npm start` on a fresh clone does.
 * - `Chromium`: one headless browser for the file; each test opens a fresh context (no cookies,
 *   no cache) with `session`, which saves a screenshot of the last page under test-results/e2e/
 *   even when the test fails.
 * - `audit`: axe-core injected into the page; the violations of impact serious or critical.
 *
 * Without /usr/bin/chromium (`apt-get install chromium`; `.ci/run` installs it) the tests are
 * skipped with a message, except under CI, where they run and fail.
 */
import type { AxeResults } from "axe-core"
import { Context, Effect, Layer } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import * as Http from "node:http"
import { createRequire } from "node:module"
import * as Net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core"

/** Debian's Chromium (package `chromium`). */
export const chromiumPath = "/usr/bin/chromium"
const inCi = process.env["CI"] !== undefined && process.env["CI"] !== "" && process.env["CI"] !== "false"
/** Skip the browser tests: no Chromium, outside CI. */
export const e2eSkip = !existsSync(chromiumPath) && !inCi

/** The repository's root (the app is started from there, as `npm start` does). */
export const root = new URL("../../", import.meta.url).pathname
/** Where each test's screenshot goes (gitignored). */
export const screenshotDir = join(root, "test-results", "e2e")

const require = createRequire(import.meta.url)
/** axe-core's browser bundle, injected into the pages. */
export const axePath = require.resolve("axe-core")

/** The running notes app. */
export class NotesServer extends Context.Tag("test/e2e/NotesServer")<NotesServer, {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  /** Its DATA_DIR. */
  readonly dataDir: string
  /** What it printed so far (stdout and stderr), for failure messages. */
  readonly output: () => string
}>() {}

/** A free TCP port on 127.0.0.1. */
const freePort = Effect.async<number, Error>((resume) => {
  const server = Net.createServer()
  server.once("error", (e) => resume(Effect.fail(e)))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** The status of `GET url`, or `undefined` when nothing answers. */
const statusOf = (url: string) =>
  Effect.async<number | undefined>((resume) => {
    const request = Http.get(url, { agent: false }, (res) => {
      res.resume()
      resume(Effect.succeed(res.statusCode))
    })
    request.setTimeout(5_000, () => request.destroy())
    request.on("error", () => resume(Effect.succeed(undefined)))
  })

/** Kills the process group of `child` (npx, tsx and node) and waits for the child's exit. */
const killGroup = (child: ChildProcess) =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resume(Effect.void)
    const pid = child.pid
    const force = setTimeout(() => {
      try {
        process.kill(-pid, "SIGKILL")
      } catch {
        // already gone
      }
    }, 5_000)
    child.once("exit", () => {
      clearTimeout(force)
      // What tsx's node child may leave behind.
      try {
        process.kill(-pid, "SIGKILL")
      } catch {
        // the group is gone
      }
      resume(Effect.void)
    })
    try {
      process.kill(-pid, "SIGTERM")
    } catch {
      clearTimeout(force)
      resume(Effect.void)
    }
  })

/** The environment of the app: this process's, without the services `.ci/run` starts. */
const appEnv = (port: number, dataDir: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of ["DATABASE_URL", "REDIS_URL", "SESSION_ENGINE", "DEBUG", "HOST", "PORT", "DATA_DIR"]) {
    delete env[name]
  }
  return {
    ...env,
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    SECRET_KEY: "e2e-browser-tests-secret-key-not-for-production",
    ALLOWED_HOSTS: "127.0.0.1,localhost"
  }
}

/**
 * Starts the notes app and waits until `GET /accounts/login/` answers 200 (at most `readyWithinMs`;
 * the app failing to start, or exiting, fails with what it printed).
 */
export const notesServerLayer = (readyWithinMs = 45_000) =>
  Layer.scoped(
    NotesServer,
    Effect.gen(function*() {
      const dataDir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "notes-e2e-"))),
        (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      )
      const port = yield* freePort
      let output = ""
      const child = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const child = spawn("npx", ["tsx", "examples/notes/main.ts"], {
            cwd: root,
            env: appEnv(port, dataDir),
            stdio: ["ignore", "pipe", "pipe"],
            // Its own process group, so that npx, tsx and the node process under it all go.
            detached: true
          })
          child.stdout!.on("data", (d: Buffer) => (output += d.toString()))
          child.stderr!.on("data", (d: Buffer) => (output += d.toString()))
          return child
        }),
        killGroup
      )
      // A crashed test worker must not leave the server behind.
      const onExit = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
        } catch {
          // gone
        }
      }
      process.once("exit", onExit)
      yield* Effect.addFinalizer(() => Effect.sync(() => process.removeListener("exit", onExit)))
      const url = `http://127.0.0.1:${port}`
      const deadline = Date.now() + readyWithinMs
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) {
          return yield* Effect.die(
            new Error(`the notes app exited (${child.exitCode ?? child.signalCode}):\n${output}`)
          )
        }
        const status = yield* statusOf(`${url}/accounts/login/`)
        if (status === 200) break
        if (Date.now() > deadline) {
          return yield* Effect.die(
            new Error(`GET /accounts/login/ did not answer 200 (last: ${status ?? "no answer"}):\n${output}`)
          )
        }
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100)))
      }
      return { url, dataDir, output: () => output }
    })
  )

/** One headless Chromium for the test file. */
export class Chromium extends Context.Tag("test/e2e/Chromium")<Chromium, Browser>() {}

export const chromiumLayer = Layer.scoped(
  Chromium,
  Effect.acquireRelease(
    Effect.promise(() =>
      chromium.launch({
        executablePath: chromiumPath,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync"
        ]
      })
    ),
    (browser) => Effect.promise(() => browser.close())
  )
)

/** The file name of a screenshot for `name`. */
export const screenshotPath = (name: string) =>
  join(screenshotDir, `${name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-|-$/g, "")}.png`)

/**
 * A screenshot of the whole page, under test-results/e2e/; with `content`, of the `<body>` only
 * (cropped to the content, for pictures in the docs).
 */
export const screenshot = async (page: Page, name: string, options: { readonly content?: boolean } = {}) => {
  mkdirSync(screenshotDir, { recursive: true })
  const path = screenshotPath(name)
  await (options.content === true
    ? page.locator("body").screenshot({ path })
    : page.screenshot({ path, fullPage: true }))
}

/**
 * `body` on a page of a fresh browser context (its own cookies and cache) on the app, with
 * `options` (`javaScriptEnabled: false`, ...). A screenshot of the last page is saved as
 * test-results/e2e/NAME.png when the body ends, passed or failed; then the context is closed.
 */
export const session = <A>(
  name: string,
  body: (page: Page, server: NotesServer["Type"]) => Promise<A>,
  options: BrowserContextOptions = {}
) =>
  Effect.gen(function*() {
    const browser = yield* Chromium
    const server = yield* NotesServer
    const context = yield* Effect.acquireRelease(
      Effect.promise(() =>
        browser.newContext({
          baseURL: server.url,
          acceptDownloads: true,
          // axe-core is injected as a script tag: a Content-Security-Policy of the app must not block it.
          bypassCSP: true,
          viewport: { width: 1024, height: 720 },
          ...options
        })
      ),
      (context) => Effect.promise(() => context.close())
    )
    const page = yield* Effect.promise(() => context.newPage())
    yield* Effect.addFinalizer(() =>
      Effect.tryPromise(() => screenshot(page, name)).pipe(
        Effect.catchAll((e) => Effect.logWarning(`screenshot ${name}: ${e.error}`))
      )
    )
    return yield* Effect.promise(() => body(page, server))
  }).pipe(Effect.scoped)

/** One violation axe reported, in short. */
export interface Violation {
  readonly id: string
  readonly impact: string | null | undefined
  readonly help: string
  readonly targets: ReadonlyArray<string>
}

/**
 * axe-core run in the page as it is now (WCAG 2 A and AA rules and axe's best practices): its
 * violations of impact serious or critical.
 */
export const audit = async (page: Page): Promise<ReadonlyArray<Violation>> => {
  await page.addScriptTag({ path: axePath })
  const results = await page.evaluate(() => {
    const axe = (globalThis as unknown as { readonly axe: { run: (options: object) => Promise<AxeResults> } }).axe
    return axe.run({ resultTypes: ["violations"] })
  })
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }))
}

/**
 * The page's markup without its words: each element's tag, id, classes and the attributes that
 * name, label or describe it, with a mark for the elements holding text. Two pages with the same
 * markup get the same verdict from axe-core's rules, so a test file checks each markup once.
 */
export const markup = (page: Page): Promise<string> =>
  page.evaluate(() => {
    interface El {
      readonly tagName: string
      readonly attributes: Iterable<{ readonly name: string; readonly value: string }>
      readonly childNodes: Iterable<{ readonly nodeType: number; readonly textContent: string | null }>
      querySelectorAll(selector: string): Iterable<El>
    }
    const document = (globalThis as unknown as { document: El }).document
    const kept = /^(id|class|type|role|for|name|href|alt|title|lang|aria-.*|tabindex|method|action|enctype|rel)$/
    return [...document.querySelectorAll("*")].map((el) => {
      const attributes = [...el.attributes].filter((a) => kept.test(a.name))
        // Ids in URLs (/notes/12/) do not change the markup.
        .map((a) => `${a.name}=${a.value.replace(/\d+/g, "N")}`)
      const text = [...el.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? "").trim() !== "")
      return `${el.tagName}[${attributes.join(" ")}]${text ? "T" : ""}`
    }).join("\n")
  })

/**
 * The contract's rules for every page of the app (NOTES-CONTRACT.md, "Pages"), as broken: `<html
 * lang="en">`, a `<title>`, one `<main>`, a `<label for>` for every field, no inline script (neither
 * `<script>` without `src` nor `on...` attributes), a `csrfmiddlewaretoken` in every POST form.
 * Empty when the page keeps them all. Run before axe-core is injected (it is an inline script).
 */
export const pageRules = (page: Page): Promise<ReadonlyArray<string>> =>
  page.evaluate(() => {
    interface El {
      readonly id: string
      readonly tagName: string
      readonly textContent: string | null
      readonly attributes: Iterable<{ readonly name: string }>
      getAttribute(name: string): string | null
      querySelector(selector: string): El | null
      querySelectorAll(selector: string): Iterable<El> & { readonly length: number }
    }
    const document = (globalThis as unknown as { document: El & { readonly documentElement: El } }).document
    const broken: Array<string> = []
    if (document.documentElement.getAttribute("lang") !== "en") broken.push(`<html lang="en"> missing`)
    if ((document.querySelector("head > title")?.textContent ?? "").trim() === "") broken.push("no <title>")
    const mains = document.querySelectorAll("main").length
    if (mains !== 1) broken.push(`${mains} <main> elements`)
    if (document.querySelectorAll("script:not([src])").length > 0) broken.push("an inline <script>")
    for (const el of document.querySelectorAll("*")) {
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) broken.push(`an inline handler ${a.name} on <${el.tagName}>`)
      }
    }
    for (const field of document.querySelectorAll("input:not([type=hidden]), textarea, select")) {
      if (field.id === "" || document.querySelector(`label[for="${field.id}"]`) === null) {
        broken.push(`no <label for> for <${field.tagName} name=${field.getAttribute("name")}>`)
      }
    }
    for (const form of document.querySelectorAll("form")) {
      if ((form.getAttribute("method") ?? "get").toLowerCase() !== "post") continue
      const token = form.querySelector("input[type=hidden][name=csrfmiddlewaretoken]")
      if (token === null || (token.getAttribute("value") ?? "") === "") {
        broken.push(`a POST form without csrfmiddlewaretoken (action ${form.getAttribute("action")})`)
      }
    }
    return broken
  })
