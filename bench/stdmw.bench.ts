/**
 * A 100 KB HTML page through Django's ConditionalGetMiddleware and GZipMiddleware (this library)
 * against the same page on Express 5 with `compression` (gzip, level 6) and Express's own ETag
 * (`etag`, strong), each server in its own process, measured with autocannon on loopback.
 *
 *     npx tsx bench/stdmw.bench.ts             # 5 s per scenario and server, 50 connections
 *     DURATION=10 ROUNDS=3 npx tsx bench/stdmw.bench.ts
 *
 * A template render too: a page of 20 notes from a Nunjucks template (`TemplateResponse` through a
 * `Handler` here; `res.render` with the same engine, autoescaping on, on Express), both engines
 * caching the compiled template (`template 200`).
 *
 * Scenarios: `gzip 200` (Accept-Encoding: gzip, no validator: the page is hashed and compressed
 * on every request on both sides), `304` (If-None-Match with the server's own ETag: hashed, not
 * compressed), `identity 200` (no Accept-Encoding). Both sides hash the uncompressed body (md5
 * here, as Django; sha1 in Express's `etag`), and both compress with zlib at level 6.
 */
import autocannon from "autocannon"
import compression from "compression"
import { Effect, Layer } from "effect"
import express from "express"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import nunjucks from "nunjucks"
import {
  ConditionalGet,
  GZip,
  Handler,
  HttpResponse,
  Middleware,
  Server,
  TemplateResponse,
  Templates,
  type View
} from "../src/index.js"
import { median, startTarget } from "./harness.js"

const HOST = "127.0.0.1"

/** About 100 KB of varied HTML (repetitive enough to compress as real pages do, not trivially). */
const page = (() => {
  const rows: Array<string> = []
  for (let i = 0; rows.join("").length < 100_000; i++) {
    rows.push(
      `<tr><td>${i}</td><td><a href="/notes/${i}/">Note number ${i}</a></td><td>${
        (i * 7919 % 1000).toString(36)
      }</td><td>${new Date(1_700_000_000_000 + i * 86_400_000).toISOString()}</td></tr>\n`
    )
  }
  return `<!doctype html><html><head><title>Notes</title></head><body><table>\n${rows.join("")}</table></body></html>`
})()

/** The notes template and its context: what a signed-in list page renders. */
const NOTES_TEMPLATE = `<!doctype html>
<html lang="en"><head><title>{{ title }}</title></head>
<body>
<h1>{{ title }}</h1>
<ul>
{% for note in notes %}  <li><a href="/notes/{{ note.id }}/">{{ note.title }}</a> <small>{{ note.updated }}</small><p>{{ note.body }}</p></li>
{% endfor %}</ul>
</body></html>
`
const notes = Array.from({ length: 20 }, (_, i) => ({
  id: i + 1,
  title: `Note <${i + 1}> & more`,
  updated: new Date(1_700_000_000_000 + i * 86_400_000).toISOString(),
  body: `Body of note ${i + 1}: "quoted" text, 'single' quotes and <tags> to escape.`
}))
const templateDir = (): string => {
  const dir = mkdtempSync(Path.join(tmpdir(), "stdmw-templates-"))
  mkdirSync(dir, { recursive: true })
  writeFileSync(Path.join(dir, "notes.html"), NOTES_TEMPLATE)
  return dir
}

const serve = (name: string): void => {
  // The parent asks for this process's CPU time (user + system, µs) with SIGUSR2.
  process.on("SIGUSR2", () => {
    const u = process.cpuUsage()
    console.log(`cpu ${u.user + u.system}`)
  })
  if (name === "library, template") {
    const site = Handler.make({
      urls: (request) => TemplateResponse.make(request, "notes.html", { title: "Notes", notes })
    })
    Effect.runFork(
      Layer.launch(
        Server.layer(site, { port: 0, host: HOST, tracer: false, limits: { maxRequestsPerSocket: 0 } }).pipe(
          Layer.provide(Templates.layer({ dirs: [templateDir()], debug: false }))
        )
      )
    )
    return
  }
  if (name === "express, template") {
    const app = express()
    app.set("etag", false)
    nunjucks.configure(templateDir(), { express: app, autoescape: true })
    app.get("/", (_req, res) => {
      res.render("notes.html", { title: "Notes", notes })
    })
    const server = app.listen(
      0,
      HOST,
      () => console.log(`listening on http://${HOST}:${(server.address() as AddressInfo).port}`)
    )
    return
  }
  if (name.startsWith("library")) {
    const view: View.View = () => HttpResponse.make({ content: page })
    // MIDDLEWARE = [GZipMiddleware, ConditionalGetMiddleware] (Django's documented order: GZip first).
    const app = name === "library" ? Middleware.compose(GZip.middleware, ConditionalGet.middleware)(view) : view
    Effect.runFork(
      Layer.launch(Server.layer(app, { port: 0, host: HOST, tracer: false, limits: { maxRequestsPerSocket: 0 } }))
    )
    return
  }
  const app = express()
  app.set("etag", name === "express" ? "strong" : false)
  if (name === "express") app.use(compression({ level: 6, threshold: 200 }))
  app.get("/", (_req, res) => {
    res.type("text/html; charset=utf-8").send(page)
  })
  const server = app.listen(
    0,
    HOST,
    () => console.log(`listening on http://${HOST}:${(server.address() as AddressInfo).port}`)
  )
}

interface Scenario {
  readonly name: string
  readonly headers: (etag: string) => Record<string, string>
  readonly status: number
}

const scenarios: ReadonlyArray<Scenario> = [
  { name: "gzip 200", headers: () => ({ "accept-encoding": "gzip" }), status: 200 },
  { name: "304", headers: (etag) => ({ "accept-encoding": "gzip", "if-none-match": etag }), status: 304 },
  { name: "identity 200", headers: () => ({}), status: 200 },
  { name: "template 200", headers: () => ({}), status: 200 }
]

const duration = Number(process.env["DURATION"] ?? 5)
const rounds = Number(process.env["ROUNDS"] ?? 2)
const connections = 50
/** The two sides, and each without its middleware (a baseline: the page served as it is). */
const servers = [
  "library",
  "express",
  "library, no middleware",
  "express, no middleware",
  "library, template",
  "express, template"
]

const main = async () => {
  console.log(`page: ${page.length} bytes; autocannon -c ${connections} -d ${duration}; ${rounds} rounds (medians)`)
  const results = new Map<string, Array<number>>()
  const cpuResults = new Map<string, Array<number>>()
  for (let round = 0; round < rounds; round++) {
    for (const name of servers) {
      const server = await startTarget(fileURLToPath(import.meta.url), ["serve", name])
      try {
        const url = `http://${HOST}:${server.port}/`
        const probe = await fetch(url, { headers: { "accept-encoding": "gzip" } })
        const etag = probe.headers.get("etag") ?? ""
        const body = await probe.arrayBuffer()
        if (round === 0) {
          console.log(
            `${name}: ETag ${etag}, Content-Encoding ${probe.headers.get("content-encoding")}, Vary ${
              probe.headers.get("vary")
            }, ${body.byteLength} bytes decoded by fetch`
          )
        }
        for (const s of scenarios) {
          if (name.endsWith("no middleware") && s.name !== "identity 200") continue
          if (name.endsWith("template") !== (s.name === "template 200")) continue
          const headers = s.headers(etag)
          await autocannon({ url, connections, duration: 1, headers })
          const before = await server.cpu()
          const r = await autocannon({ url, connections, duration, headers })
          const after = await server.cpu()
          const wrong = s.status === 304 ? r["2xx"] : r.non2xx
          if (wrong + r.errors + r.timeouts > 0) throw new Error(`${name} ${s.name}: unexpected answers`)
          const key = `${s.name} | ${name}`
          results.set(key, [...(results.get(key) ?? []), r.requests.average])
          cpuResults.set(key, [...(cpuResults.get(key) ?? []), (after - before) / r.requests.total])
        }
      } finally {
        server.stop()
      }
    }
  }
  const row = (label: string, lib: string, exp: string) => {
    const l = median(results.get(lib)!)
    const e = median(results.get(exp)!)
    const lc = median(cpuResults.get(lib)!)
    const ec = median(cpuResults.get(exp)!)
    console.log(
      `| ${label} | ${Math.round(l)} | ${Math.round(e)} | ${(l / e).toFixed(2)}x | ${Math.round(lc)} | ${
        Math.round(ec)
      } |`
    )
  }
  console.log(
    "\n| scenario | library req/s | express + compression req/s | ratio | library server CPU µs/request | express server CPU µs/request |"
  )
  console.log("| --- | --- | --- | --- | --- | --- |")
  for (const s of scenarios) {
    if (s.name !== "template 200") row(s.name, `${s.name} | library`, `${s.name} | express`)
  }
  row(
    "a template of 20 notes (Nunjucks on both sides), no middleware",
    "template 200 | library, template",
    "template 200 | express, template"
  )
  row(
    "baseline: the page without middleware, no ETag",
    "identity 200 | library, no middleware",
    "identity 200 | express, no middleware"
  )
}

if (process.argv[2] === "serve") serve(process.argv[3] ?? "library")
else {
  main().then(() => process.exit(0), (e) => {
    console.error(e)
    process.exit(1)
  })
}
