/**
 * Instruction-count driver (BENCHMARKS.md, "issue 14 ... (core2)"): N iterations of building a
 * request from a platform request and reading GET, COOKIES, META and a header, or of parsing a
 * 50-field query string. Run under `valgrind --tool=callgrind` after bundling with esbuild.
 *
 * Usage: node cg.mjs request|qd N
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Effect } from "effect"
import { HttpRequest, QueryDict } from "../src/index.js"
import { sampleRequest } from "./sampleRequest.js"
const web = sampleRequest
const ours = () =>
  Effect.runSync(Effect.scoped(Effect.map(
    HttpRequest.fromServerRequest(HttpServerRequest.fromWeb(web)),
    (r) => [r.GET, r.COOKIES, r.META, r.headers.get("host")] as const
  )))
const qs50 = Array.from({ length: 50 }, (_, i) => `k${i % 10}=v%C3%A9+${i}`).join("&")
const which = process.argv[2]
const n = Number(process.argv[3])
let sink = 0
for (let i = 0; i < n; i++) {
  if (which === "request") sink += ours().length
  else {
    const r = QueryDict.parse(qs50, {})
    sink += r._tag === "Right" ? QueryDict.lists(r.right).length : 0
  }
}
console.log(which, n, sink)
