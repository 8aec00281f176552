/**
 * Signed cookies on the request path: sign + verify one cookie value, ours (Django's
 * format: TimestampSigner, salted-HMAC-SHA256, key derived from the cookie name) against
 * Express's `cookie-signature` (HMAC-SHA256 of the value with the raw secret).
 *
 *   npx tsx bench/signing.bench.ts
 *
 * Two measurements: mitata (each contender in its own time slot), then an interleaved one
 * (many short rounds, each timing a batch of every contender in turn, keeping each one's best
 * batch) that is fairer on a loaded machine.
 */
import sig from "cookie-signature"
import { Effect, Either } from "effect"
import { bench, do_not_optimize, run, summary } from "mitata"
import { Settings, Signing } from "../src/index.js"

const secret = "django-insecure-0123456789abcdefghijklmnopqrstuvwxyz!@#$%^&*(-_=+)"
const settings = Settings.make({ SECRET_KEY: secret })
const value = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
const now = 1700000000

// Sanity: both verify what they sign.
if (sig.unsign(sig.sign(value, secret), secret) !== value) throw new Error("cookie-signature round trip")
const roundTrip = Either.flatMap(
  Signing.signCookieAt(settings, "sessionid", value, now),
  (signed) => Signing.unsignCookieAt(settings, "sessionid", signed, now, { maxAge: 1209600 })
)
if (!Either.isRight(roundTrip) || roundTrip.right !== value) throw new Error("Signing round trip")

const results: Record<string, number> = {}

summary(() => {
  bench("cookie-signature sign+unsign", () => {
    do_not_optimize(sig.unsign(sig.sign(value, secret), secret))
  })
  bench("Signing signCookieAt+unsignCookieAt", () => {
    const signed = Signing.signCookieAt(settings, "sessionid", value, now)
    if (Either.isRight(signed)) {
      do_not_optimize(Signing.unsignCookieAt(settings, "sessionid", signed.right, now, { maxAge: 1209600 }))
    }
  })
  bench("Signing signCookie+unsignCookie (Effect, Clock)", () => {
    do_not_optimize(Effect.runSync(Effect.either(
      Effect.flatMap(
        Signing.signCookie(settings, "sessionid", value),
        (signed) => Signing.unsignCookie(settings, "sessionid", signed, { maxAge: 1209600 })
      )
    )))
  })
})

const report = await run({ format: "quiet" })
for (const b of report.benchmarks) {
  const avg = b.runs[0]?.stats?.avg
  if (avg !== undefined) results[b.alias] = avg
}
const peer = results["cookie-signature sign+unsign"]!
console.log("\nsign + verify, one cookie value (higher ratio = ours faster):")
for (const [name, avg] of Object.entries(results)) {
  console.log(`  ${name.padEnd(50)} ${(avg / 1000).toFixed(2).padStart(7)} µs   ${(peer / avg).toFixed(2)}x`)
}

// Interleaved: best batch of each contender over many rounds.
const batch = 200
const contenders: Record<string, () => void> = {
  "cookie-signature sign+unsign": () => {
    for (let i = 0; i < batch; i++) do_not_optimize(sig.unsign(sig.sign(value, secret), secret))
  },
  "Signing signCookieAt+unsignCookieAt": () => {
    for (let i = 0; i < batch; i++) {
      const signed = Signing.signCookieAt(settings, "sessionid", value, now)
      if (Either.isRight(signed)) {
        do_not_optimize(Signing.unsignCookieAt(settings, "sessionid", signed.right, now, { maxAge: 1209600 }))
      }
    }
  },
  // As a view writes it: `yield*` each step; a failure would end the program.
  "Signing signCookie+unsignCookie (Effect, in one fiber)": () => {
    Effect.runSync(Effect.gen(function*() {
      for (let i = 0; i < batch; i++) {
        const signed = yield* Signing.signCookie(settings, "sessionid", value)
        do_not_optimize(yield* Signing.unsignCookie(settings, "sessionid", signed, { maxAge: 1209600 }))
      }
    }))
  },
  // Each step's failure caught as a value (`Effect.either`): two more Effect steps per pair.
  "same, each step under Effect.either": () => {
    Effect.runSync(Effect.gen(function*() {
      for (let i = 0; i < batch; i++) {
        const signed = yield* Effect.either(Signing.signCookie(settings, "sessionid", value))
        if (Either.isRight(signed)) {
          do_not_optimize(
            yield* Effect.either(Signing.unsignCookie(settings, "sessionid", signed.right, { maxAge: 1209600 }))
          )
        }
      }
    }))
  }
}
const best: Record<string, number> = {}
for (let round = 0; round < 150; round++) {
  for (const [name, fn] of Object.entries(contenders)) {
    const t0 = performance.now()
    fn()
    const t = ((performance.now() - t0) * 1000) / batch
    best[name] = Math.min(best[name] ?? Infinity, t)
  }
}
const peerBest = best["cookie-signature sign+unsign"]!
console.log(`\ninterleaved, best of 150 rounds of ${batch} (higher ratio = ours faster):`)
for (const [name, t] of Object.entries(best)) {
  console.log(`  ${name.padEnd(56)} ${t.toFixed(2).padStart(7)} µs   ${(peerBest / t).toFixed(2)}x`)
}
