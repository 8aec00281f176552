// Build and interpret a typical HTML response (two headers and a cookie) with this library,
// against building the same @effect/platform HttpServerResponse directly. Ours is built without
// reading any service and interpreted with DEFAULT_CHARSET utf-8 (`toServerResponseWith`, or
// `toServerResponse` reading the Settings inside an Effect).
// Run: npx tsx bench/response.bench.ts
import * as Cookies from "@effect/platform/Cookies"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Either } from "effect"
import { bench, do_not_optimize, run, summary } from "mitata"
import { HttpResponse, ResponseCookies } from "../src/index.js"

const html = "<!doctype html><html><head><title>Hello</title></head><body><h1>Hello, world</h1>" +
  "<p>" + "Lorem ipsum dolor sit amet. ".repeat(20) + "</p></body></html>"

// Both sides produce: 200, text/html; charset=utf-8, Cache-Control, X-Frame-Options, Content-Length,
// Set-Cookie: sessionid=abc123; HttpOnly; Path=/; SameSite=Lax, and the body as bytes.
const platformDirect = (): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(html, {
    contentType: "text/html; charset=utf-8",
    headers: { "cache-control": "no-cache", "x-frame-options": "DENY" }
  }).pipe(HttpServerResponse.unsafeSetCookie("sessionid", "abc123", { httpOnly: true, path: "/", sameSite: "lax" }))

const oursEither = (): HttpServerResponse.HttpServerResponse => {
  const r = Either.getOrThrow(
    HttpResponse.make({ content: html }).pipe(
      Either.flatMap(HttpResponse.setHeader("Cache-Control", "no-cache")),
      Either.flatMap(HttpResponse.setHeader("X-Frame-Options", "DENY")),
      Either.flatMap((r) =>
        ResponseCookies.setCookieAt(r, "sessionid", "abc123", { httpOnly: true, sameSite: "Lax" }, 0)
      )
    )
  )
  return Either.getOrThrow(HttpResponse.toServerResponseWith(r, "utf-8"))
}

const oursEffect = Effect.gen(function*() {
  const r0 = yield* HttpResponse.make({ content: html })
  const r1 = yield* HttpResponse.setHeader(r0, "Cache-Control", "no-cache")
  const r2 = yield* HttpResponse.setHeader(r1, "X-Frame-Options", "DENY")
  const r3 = yield* ResponseCookies.setCookie(r2, "sessionid", "abc123", { httpOnly: true, sameSite: "Lax" })
  return yield* HttpResponse.toServerResponse(r3)
})
const platformEffect = Effect.sync(platformDirect)

// The comparison is fair only if both sides build the same response: check it once.
{
  const a = platformDirect()
  const b = oursEither()
  const bytes = (r: HttpServerResponse.HttpServerResponse) =>
    r.body._tag === "Uint8Array" || r.body._tag === "Raw" ? Buffer.from(r.body.body as Uint8Array).toString() : ""
  // Same attributes; the order differs (Python sorts them, the platform does not).
  const cookieLine = (r: HttpServerResponse.HttpServerResponse) =>
    Cookies.toSetCookieHeaders(r.cookies).map((l) => l.split("; ").map((x) => x.toLowerCase()).sort().join("; "))
  const same = a.status === b.status && JSON.stringify({ ...a.headers }, Object.keys(a.headers).sort()) ===
      JSON.stringify({ ...b.headers }, Object.keys(a.headers).sort()) &&
    Object.keys(a.headers).length === Object.keys(b.headers).length && bytes(a) === bytes(b) &&
    JSON.stringify(cookieLine(a)) === JSON.stringify(cookieLine(b))
  if (!same) throw new Error("the two sides do not build the same response")
}

summary(() => {
  bench("platform: HttpServerResponse directly", () => do_not_optimize(platformDirect()))
  bench("ours: make + setHeader x2 + setCookieAt + toServerResponseWith (Either)", () => do_not_optimize(oursEither()))
})
summary(() => {
  bench("platform, inside an Effect (runSync)", () => do_not_optimize(Effect.runSync(platformEffect)))
  bench("ours, Effect.gen with yield* (runSync)", () => do_not_optimize(Effect.runSync(oursEffect)))
})

const results = await run({ format: "quiet" })
const p50 = (name: string) => {
  for (const b of results.benchmarks) {
    if (b.alias === name) return b.runs[0]!.stats!.p50
  }
  throw new Error(name)
}

// The machine is shared and noisy: also measure the pairs interleaved, round by round, and
// compare the best round of each (noise only ever adds time).
const interleaved = (a: () => unknown, b: () => unknown, rounds = 40, n = 5000) => {
  let bestA = Infinity
  let bestB = Infinity
  for (let r = 0; r < rounds; r++) {
    let t = performance.now()
    for (let i = 0; i < n; i++) do_not_optimize(a())
    bestA = Math.min(bestA, performance.now() - t)
    t = performance.now()
    for (let i = 0; i < n; i++) do_not_optimize(b())
    bestB = Math.min(bestB, performance.now() - t)
  }
  return { a: (bestA * 1e6) / n, b: (bestB * 1e6) / n }
}

const PURE_OURS = "ours: make + setHeader x2 + setCookieAt + toServerResponseWith (Either)"
const PURE_PLATFORM = "platform: HttpServerResponse directly"
const EFF_OURS = "ours, Effect.gen with yield* (runSync)"
const EFF_PLATFORM = "platform, inside an Effect (runSync)"
const pure = interleaved(oursEither, platformDirect)
const eff = interleaved(() => Effect.runSync(oursEffect), () => Effect.runSync(platformEffect))
console.log("mitata medians:")
for (const name of [PURE_PLATFORM, PURE_OURS, EFF_PLATFORM, EFF_OURS]) {
  console.log(`  ${name}: ${p50(name).toFixed(0)} ns`)
}
console.log(
  `  pure build + interpret, ours / platform: ${(p50(PURE_OURS) / p50(PURE_PLATFORM)).toFixed(2)}x (target <= 1.2x)`
)
console.log(`  inside an Effect, ours / platform:       ${(p50(EFF_OURS) / p50(EFF_PLATFORM)).toFixed(2)}x`)
console.log("interleaved, best round:")
console.log(
  `  pure: ours ${pure.a.toFixed(0)} ns, platform ${pure.b.toFixed(0)} ns, ratio ${
    (pure.a / pure.b).toFixed(2)
  }x (target <= 1.2x)`
)
console.log(
  `  Effect: ours ${eff.a.toFixed(0)} ns, platform ${eff.b.toFixed(0)} ns, ratio ${(eff.a / eff.b).toFixed(2)}x`
)
