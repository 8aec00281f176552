/**
 * Django's default MIDDLEWARE list against Django 3.2's, request by request:
 * scripts/django/defaults.py runs a small site with the project template's MIDDLEWARE (without
 * messages) and signed-cookie sessions through django.test.Client (with CSRF checks enforced)
 * and writes test/fixtures/defaults.json; the same site is built here with
 * `Defaults.middleware` and each scenario must give the same statuses, headers (names and
 * values), cookies (their attributes; random values by shape) and bodies.
 *
 * Where Django is installed, the script is also run live and its output must equal the fixture.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { Auth, Client, Csrf, Defaults, Handler, HttpResponse, Sessions, Settings, Urls } from "../src/index.js"

interface Answer {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly cookies: ReadonlyArray<string>
  readonly body: string | null
}

interface Scenario {
  readonly title: string
  readonly steps: ReadonlyArray<readonly [method: string, path: string, options: { readonly token?: boolean }]>
  readonly answers: ReadonlyArray<Answer>
}

const root = Path.resolve(import.meta.dirname, "..")
const fixturePath = Path.join(root, "test/fixtures/defaults.json")
const fixture: { readonly scenarios: ReadonlyArray<Scenario> } = JSON.parse(readFileSync(fixturePath, "utf8"))

const visits = Effect.map(Sessions.get("visits"), Option.match({ onNone: () => 0, onSome: Number }))

const urls = Urls.make([
  Urls.path("form/", () =>
    Effect.gen(function*() {
      yield* Sessions.set("visits", (yield* visits) + 1)
      return yield* HttpResponse.make({ content: `token=${yield* Csrf.getToken}` })
    })),
  Urls.path("submit/", () => HttpResponse.make({ content: "posted" })),
  Urls.path("exempt/", Csrf.csrfExempt((request) => HttpResponse.make({ content: `exempt ${request.method}` }))),
  Urls.path("whoami/", () =>
    Effect.gen(function*() {
      const user = yield* Auth.user
      return yield* HttpResponse.json({ authenticated: Auth.isAuthenticated(user), visits: yield* visits })
    })),
  Urls.path("big/", () => HttpResponse.make({ content: "x".repeat(300), contentType: "text/plain" }))
])

const site = Handler.make({ middleware: Defaults.middleware(urls), urls })

const stores = Layer.mergeAll(
  Sessions.layerSignedCookies,
  Auth.layerMemory(),
  Settings.layer({ SECRET_KEY: "defaults-twin" })
)

const TOKEN = /^[A-Za-z0-9]{64}$/

/** A `Set-Cookie` line with its random parts replaced by their shape, as the script writes it. */
const shapeCookie = (line: string): string => {
  const eq = line.indexOf("=")
  const name = line.slice(0, eq)
  const rest = line.slice(eq + 1)
  const semi = rest.indexOf(";")
  let value = semi === -1 ? rest : rest.slice(0, semi)
  const attributes = (semi === -1 ? "" : rest.slice(semi + 1)).replace(/expires=[^;]+/, "expires=<date>")
  if (name === "csrftoken" && TOKEN.test(value)) value = "<token 64>"
  if (name === "sessionid" && value !== "") value = "<signed session>"
  return `${name}=${value};${attributes}`
}

/**
 * Header names in lower case. The CSRF failure page is ours (Django's page is Django's prose,
 * which this project does not copy), so a 403's `Content-Length` is left out; its status,
 * content type and every other header are compared.
 */
const comparable = (answer: Answer) => ({
  ...answer,
  headers: Object.fromEntries(
    Object.entries(answer.headers)
      .map(([k, v]) => [k.toLowerCase(), v] as const)
      .filter(([k]) => !(answer.status === 403 && k === "content-length"))
  )
})

const run = (scenario: Scenario) =>
  Effect.gen(function*() {
    const client = yield* Client.make(site)
    let token: string | undefined
    const answers: Array<Answer> = []
    for (const [method, path, options] of scenario.steps) {
      const form = options.token === true && token !== undefined ? { csrfmiddlewaretoken: token } : {}
      const response = yield* client.generic(method, path, method === "POST" ? { form } : {})
      let body = response.text
      if (body.startsWith("token=")) {
        token = body.slice("token=".length)
        if (TOKEN.test(token)) body = "token=<token 64>"
      }
      answers.push({
        method,
        path,
        status: response.status,
        headers: response.headers,
        cookies: response.setCookies.map(shapeCookie).sort(),
        body: response.status === 403 ? null : body
      })
    }
    return answers
  }).pipe(Effect.provide(stores))

describe("Defaults.middleware against Django 3.2's default MIDDLEWARE (test/fixtures/defaults.json)", () => {
  for (const scenario of fixture.scenarios) {
    it.effect(scenario.title, () =>
      Effect.gen(function*() {
        const ours = yield* run(scenario)
        expect(ours.map(comparable)).toEqual(scenario.answers.map(comparable))
      }))
  }
})

const python = "/usr/bin/python3"
const djangoMissing = !existsSync(python) || spawnSync(python, ["-c", "import django"]).status !== 0
if (djangoMissing) console.warn(`Live default-middleware comparison skipped: ${python} cannot import django`)

describe.skipIf(djangoMissing)("the fixture is what Django 3.2 answers now (live)", () => {
  it("scripts/django/defaults.py reproduces test/fixtures/defaults.json", () => {
    const out = Path.join(mkdtempSync(Path.join(tmpdir(), "defaults-")), "defaults.json")
    const result = spawnSync(python, [Path.join(root, "scripts/django/defaults.py"), out], { encoding: "utf8" })
    expect(result.status).toBe(0)
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(JSON.parse(readFileSync(fixturePath, "utf8")))
  }, 60_000)
})
