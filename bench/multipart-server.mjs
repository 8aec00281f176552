// The upload server of bench/multipart.bench.ts, in plain JavaScript over the
// compiled library (dist/, built by the bench with `tsc -p tsconfig.build.json`),
// so that its memory is the server's alone, not a TypeScript loader's. Every
// request body goes through the multipart parser in the request's scope (files
// over FILE_UPLOAD_MAX_MEMORY_SIZE spill to FILE_UPLOAD_TEMP_DIR). Prints its port.
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Layer } from "effect"
import * as http from "node:http"
import * as Errors from "../dist/Errors.js"
import * as Multipart from "../dist/internal/multipart.js"
import * as Settings from "../dist/Settings.js"

const settings = Settings.make({ FILE_UPLOAD_TEMP_DIR: process.env.FILE_UPLOAD_TEMP_DIR || null })

const app = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const source = NodeHttpServerRequest.toIncomingMessage(request)
  const length = request.headers["content-length"]
  const result = yield* Multipart.parse({
    contentType: request.headers["content-type"] ?? "",
    contentLength: length === undefined ? null : Number(length),
    body: NodeStream.fromReadable(
      () => source,
      (cause) => new Errors.UnreadablePostError({ message: String(cause) }),
      { closeOnDone: false }
    ),
    settings,
    encoding: "utf-8"
  }).pipe(Effect.ensuring(Effect.sync(() => source.readableEnded || source.resume())))
  return HttpServerResponse.unsafeJson({ files: result.files.map(([k, f]) => [k, f.name, f.size, f.storage._tag]) })
}).pipe(Effect.catchAll((e) => Effect.succeed(Errors.errorResponse(e.status))))

if (process.env.BASELINE === "1") {
  // Baseline: plain node:http piping the raw body to a file, no parsing, no Effect.
  const fs = await import("node:fs")
  const path = await import("node:path")
  let n = 0
  const server = http.createServer((req, res) => {
    const file = path.join(process.env.FILE_UPLOAD_TEMP_DIR, `raw-${n++}`)
    req.pipe(fs.createWriteStream(file)).on("finish", () => res.end("{}"))
  })
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`))
} else {
  Effect.gen(function*() {
    yield* HttpServer.serveEffect(app)
    const server = yield* HttpServer.HttpServer
    process.stdout.write(`${server.address.port}\n`)
    return yield* Effect.never
  }).pipe(
    Effect.scoped,
    Effect.provide(
      Layer.merge(NodeHttpServer.layer(() => http.createServer(), { port: 0, host: "127.0.0.1" }), NodeFileSystem.layer)
    ),
    Effect.runFork
  )
}
