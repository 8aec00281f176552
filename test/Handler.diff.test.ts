/**
 * The handler against Django 3.2's, request by request: scripts/django/handler.py runs three
 * recording middleware and a small URLconf through django.test.Client and writes
 * test/fixtures/handler.json; the same site is built here and every case must give the same
 * status, the same trace (which hook of which middleware saw what, in which order) and the same
 * set of middleware whose header reached the client. The corpus covers success, every error
 * class, unmatched URLs, a middleware answering by itself, a middleware failing or crashing,
 * `process_view` answering and `process_exception` rescuing.
 *
 * Where Django is installed, the script is also run live and its output must equal the fixture.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Option } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { Client, Errors, Handler, HttpResponse, Middleware, View } from "../src/index.js"

interface Case {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly trace: ReadonlyArray<string> | null
  readonly seen: ReadonlyArray<string>
  readonly body: string | null
}

const root = Path.resolve(import.meta.dirname, "..")
const fixture: { readonly cases: ReadonlyArray<Case> } = JSON.parse(
  readFileSync(Path.join(root, "test/fixtures/handler.json"), "utf8")
)

/** The request's trace, as Django's twin keeps it on the request. */
class Trace extends Context.Tag("Trace")<Trace, Array<string>>() {}
const record = (line: string) =>
  Effect.flatMap(
    Effect.serviceOption(Trace),
    Option.match({
      onNone: () => Effect.void,
      onSome: (trace) => Effect.sync(() => void trace.push(line))
    })
  )

/** Python's exception class name for a failure: the tag, or a defect's `name`. */
const exceptionName = (cause: Cause.Cause<unknown>): string => {
  const error = Option.getOrUndefined(Cause.failureOption(cause)) ?? Option.getOrUndefined(Cause.dieOption(cause))
  if (error instanceof Error) return "_tag" in error ? String(error._tag) : error.name
  return typeof error
}

class PyError extends Error {
  constructor(override readonly name: string, message: string) {
    super(message)
  }
}

const recorder = (name: string) =>
  Middleware.make({
    call: (request, getResponse) =>
      Effect.gen(function*() {
        const outer = name === "A" ? [] as Array<string> : undefined
        const withTrace = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          outer === undefined ? effect : Effect.provideService(effect, Trace, outer)
        yield* withTrace(record(`${name} call`))
        let response: View.Response
        if (request.path === `/short/${name}/`) {
          response = yield* HttpResponse.make({ content: `short-circuit by ${name}`, status: 403 })
        } else if (request.path === `/fail/${name}/`) {
          return yield* new Errors.PermissionDenied({ message: "middleware says no" })
        } else if (request.path === `/crash/${name}/`) {
          return yield* Effect.die(new PyError("RuntimeError", "middleware bug"))
        } else {
          response = yield* withTrace(getResponse(request))
        }
        yield* withTrace(record(`${name} response ${yield* View.status(response)}`))
        response = yield* View.setHeader(response, `X-Seen-${name}`, "1")
        if (outer !== undefined) response = yield* View.setHeader(response, "X-Trace", JSON.stringify(outer))
        return response
      }),
    processView: (request, resolved) =>
      Effect.zipRight(
        record(`${name} view ${resolved.view.name}`),
        request.path === `/pv/${name}/`
          ? Effect.map(HttpResponse.make({ content: `process_view of ${name}` }), Option.some)
          : Effect.succeed(Option.none())
      ),
    processException: (request, cause) =>
      Effect.zipRight(
        record(`${name} exception ${exceptionName(cause)}`),
        request.path === `/rescue/${name}/`
          ? Effect.map(HttpResponse.make({ content: `rescued by ${name}`, status: 503 }), Option.some)
          : Effect.succeed(Option.none())
      )
  })

const named = <V extends View.View<unknown>>(name: string, view: V): V =>
  Object.defineProperty(view, "name", { value: name })
const ok = named("ok", () => Effect.zipRight(record("view"), HttpResponse.make({ content: "ok" })))
const raising = (error: Error & { readonly _tag?: string }, asDefect = false) =>
  named(
    `raise_${error._tag ?? error.name}`,
    () => Effect.zipRight(record("view"), asDefect ? Effect.die(error) : Effect.fail(error))
  )

const urlpatterns: Record<string, View.View<unknown>> = {
  "/ok/": ok,
  "/http404/": raising(new Errors.Http404({ message: "missing" })),
  "/permission/": raising(new Errors.PermissionDenied({ message: "denied" })),
  "/suspicious/": raising(new Errors.SuspiciousOperation({ message: "suspicious" })),
  "/disallowed/": raising(new Errors.DisallowedHost({ message: "bad host" })),
  "/badrequest/": raising(new Errors.BadRequest({ message: "bad" })),
  "/multipart/": raising(new Errors.MultiPartParserError({ message: "bad multipart" })),
  "/valueerror/": raising(new PyError("ValueError", "boom"), true)
}
for (const name of ["A", "B", "C"]) {
  for (const kind of ["short", "fail", "crash", "pv"]) urlpatterns[`/${kind}/${name}/`] = ok
  urlpatterns[`/rescue/${name}/`] = raising(new PyError("ValueError", "rescue me"), true)
}

const site = Handler.make({
  middleware: Middleware.compose(recorder("A"), recorder("B"), recorder("C")),
  urls: Handler.resolver((request) => {
    const view = urlpatterns[request.pathInfo]
    return view === undefined
      ? Effect.fail(new Errors.Http404({ message: `no route for ${request.pathInfo}` }))
      : Effect.succeed({ view, args: [], kwargs: {} })
  })
})

const run = (c: Case) =>
  Effect.gen(function*() {
    const client = yield* Client.make(site)
    const response = yield* client.generic(c.method, c.path)
    const trace = response.headers["x-trace"]
    return {
      method: c.method,
      path: c.path,
      status: response.status,
      trace: trace === undefined ? null : JSON.parse(trace),
      seen: ["A", "B", "C"].filter((n) => response.headers[`x-seen-${n.toLowerCase()}`] !== undefined),
      body: [200, 403, 503].includes(response.status) ? response.text : null
    }
  })

describe("Handler against Django 3.2's handler (test/fixtures/handler.json)", () => {
  it("the corpus covers every case the issue lists", () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(25)
    expect(new Set(fixture.cases.map((c) => c.status))).toEqual(new Set([200, 400, 403, 404, 500, 503]))
  })

  for (const c of fixture.cases) {
    it.effect(`${c.method} ${c.path} -> ${c.status}`, () =>
      Effect.gen(function*() {
        expect(yield* run(c)).toEqual(c)
      }))
  }
})

const python = "/usr/bin/python3"
const djangoMissing = !existsSync(python) || spawnSync(python, ["-c", "import django"]).status !== 0
if (djangoMissing) console.warn(`Live handler comparison with Django skipped: ${python} cannot import django`)

describe.skipIf(djangoMissing)("the fixture is what Django 3.2 answers now (live)", () => {
  it("scripts/django/handler.py reproduces test/fixtures/handler.json", () => {
    const out = Path.join(mkdtempSync(Path.join(tmpdir(), "handler-")), "handler.json")
    const result = spawnSync(python, [Path.join(root, "scripts/django/handler.py"), out], { encoding: "utf8" })
    expect(result.status).toBe(0)
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(
      JSON.parse(readFileSync(Path.join(root, "test/fixtures/handler.json"), "utf8"))
    )
  }, 60_000)
})
