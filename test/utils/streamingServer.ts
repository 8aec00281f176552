/**
 * `Server.run` serving one large streaming response at `/`, for the signal tests. Run it as its
 * own process (`node --import tsx test/utils/streamingServer.ts`; never import it): it prints
 * `listening on ...` when ready, on a free port. The response is `CHUNKS` chunks (environment) of
 * `CHUNK_SIZE` bytes.
 */
import { Stream } from "effect"
import { Server, StreamingHttpResponse } from "../../src/index.js"

const chunks = Number(process.env["CHUNKS"] ?? "64")
const chunk = new Uint8Array(Number(process.env["CHUNK_SIZE"] ?? "65536")).fill(0x61)

Server.run(
  () => StreamingHttpResponse.make(Stream.fromIterable(Array.from({ length: chunks }, () => chunk))),
  { port: 0, host: "127.0.0.1" }
)
