/**
 * Instruction-count driver (BENCHMARKS.md, "Response adapter reaches (issue 14, core14)"): N
 * times, the step of `src/internal/response/platform.ts` that reaches into the platform's
 * private parts, against the public API that would replace it. Run under
 * `valgrind --tool=callgrind` after bundling with esbuild.
 *
 * Usage: node reaches.mjs headers-create|headers-public|ctor|raw N
 *
 * - `headers-create`: a headers record made with `Object.create` of the platform's `Headers`
 *   prototype and filled (what the adapter does), then read as a server writes it.
 * - `headers-public`: the same record filled, then `Headers.unsafeFromRecord` (public).
 * - `ctor`: the platform's response constructor, taken from a response's prototype, given that
 *   record (what the adapter does).
 * - `raw`: `HttpServerResponse.raw` (public) given the same parts.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

const HeadersProto: object = Object.getPrototypeOf(Headers.empty)
const Ctor = Object.getPrototypeOf(HttpServerResponse.empty()).constructor
const entries: ReadonlyArray<readonly [string, string]> = [
  ["content-type", "text/html; charset=utf-8"],
  ["cache-control", "no-cache"],
  ["x-frame-options", "DENY"],
  ["content-length", "760"]
]
const body = new Uint8Array(760)

const viaCreate = (): Headers.Headers => {
  const r = Object.create(HeadersProto) as Record<string, string>
  for (let i = 0; i < entries.length; i++) r[entries[i]![0]] = entries[i]![1]
  return r as Headers.Headers
}
const viaPublic = (): Headers.Headers => {
  const r: Record<string, string> = {}
  for (let i = 0; i < entries.length; i++) r[entries[i]![0]] = entries[i]![1]
  return Headers.unsafeFromRecord(r)
}

const which = process.argv[2]
const n = Number(process.argv[3])
let sink = 0
for (let i = 0; i < n; i++) {
  if (which === "headers-create" || which === "headers-public") {
    const h = which === "headers-create" ? viaCreate() : viaPublic()
    for (const k in h) sink += h[k]!.length
  } else {
    const r: HttpServerResponse.HttpServerResponse = which === "ctor"
      ? new Ctor(200, "OK", viaCreate(), Cookies.empty, HttpBody.raw(body))
      : HttpServerResponse.raw(body, { status: 200, statusText: "OK", headers: viaCreate(), cookies: Cookies.empty })
    sink += r.status
  }
}
console.log(which, n, sink)
