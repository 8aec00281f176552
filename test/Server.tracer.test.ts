/**
 * `Server.layer`'s tracer default: a request runs in the platform's `http.server` span only when
 * a tracer other than Effect's built-in one is installed (an exporter), or when asked with
 * `tracer: true`. Without an exporter the span buys an `at http.server GET` line in error logs
 * and costs about a third of a hello server's throughput (BENCHMARKS.md).
 */
import { HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Tracer } from "effect"
import { HttpResponse, Server, Settings, type View } from "../src/index.js"

/** Answers with the name of the span the view runs in, or "none". */
const spanName: View.View<unknown> = () =>
  Effect.flatMap(
    Effect.option(Effect.currentSpan),
    (span) => HttpResponse.make({ content: Option.match(span, { onNone: () => "none", onSome: (s) => s.name }) })
  )

const ask = (layer: Layer.Layer<HttpServer.HttpServer, unknown>) =>
  Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    const response = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/`, { headers: { host: "localhost" } }))
    return yield* Effect.promise(() => response.text())
  }).pipe(Effect.provide(layer), Effect.scoped)

const settings = Settings.layer({ ALLOWED_HOSTS: ["localhost"] })

/** A tracer of our own, as an exporter would install: it records the spans it makes. */
const recording = (names: Array<string>): Tracer.Tracer => {
  const builtin = Effect.runSync(Effect.tracer)
  return Tracer.make({
    span: (name, ...rest) => {
      names.push(name)
      return builtin.span(name, ...rest)
    },
    context: builtin.context
  })
}

describe("Server.layer tracer default", () => {
  it.effect("without a tracer of the user's, no per-request span", () =>
    Effect.gen(function*() {
      const answer = yield* ask(Server.layer(spanName, { port: 0, host: "127.0.0.1" }).pipe(Layer.provide(settings)))
      expect(answer).toBe("none")
    }))

  it.effect("with an exporter's tracer installed, every request runs in http.server's span", () =>
    Effect.gen(function*() {
      const names: Array<string> = []
      const answer = yield* ask(
        Server.layer(spanName, { port: 0, host: "127.0.0.1" }).pipe(
          Layer.provide(settings),
          Layer.provide(Layer.setTracer(recording(names)))
        )
      )
      expect(answer).toBe("http.server GET")
      expect(names).toContain("http.server GET")
    }))

  it.effect("tracer: true and tracer: false override the default", () =>
    Effect.gen(function*() {
      const on = yield* ask(
        Server.layer(spanName, { port: 0, host: "127.0.0.1", tracer: true }).pipe(Layer.provide(settings))
      )
      expect(on).toBe("http.server GET")
      const names: Array<string> = []
      const off = yield* ask(
        Server.layer(spanName, { port: 0, host: "127.0.0.1", tracer: false }).pipe(
          Layer.provide(settings),
          Layer.provide(Layer.setTracer(recording(names)))
        )
      )
      expect(off).toBe("none")
    }))
})
