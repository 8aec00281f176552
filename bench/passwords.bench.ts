/**
 * Logins per second: `Passwords.checkPassword` on a Django 3.2 `pbkdf2_sha256` hash (260,000
 * iterations), many at once (PBKDF2 runs on libuv's thread pool, `UV_THREADPOOL_SIZE` threads,
 * 4 by default), against Django's own `check_password` in one Python process on the same
 * machine (when /usr/bin/python3 has Django), and the event loop's longest stall meanwhile.
 *
 *   npx tsx bench/passwords.bench.ts
 */
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { Passwords } from "../src/index.js"

const encoded = "pbkdf2_sha256$260000$abcdefghijklmnopqrstuv$9jpp8cVQt7a7ujJrWzr0KoytR5UBy9qbF8d2OUhc1SY="
const n = 40

let longestStall = 0
let last = performance.now()
let running = true
const tick = () => {
  const now = performance.now()
  longestStall = Math.max(longestStall, now - last)
  last = now
  if (running) setImmediate(tick)
}
setImmediate(tick)
const t0 = performance.now()
const results = await Effect.runPromise(
  Effect.all(Array.from({ length: n }, () => Passwords.checkPassword("password", encoded)), {
    concurrency: "unbounded"
  })
)
const seconds = (performance.now() - t0) / 1000
running = false
if (!results.every((ok) => ok)) throw new Error("a check failed")
console.log(
  `ours: ${n} checks in ${seconds.toFixed(2)} s = ${(n / seconds).toFixed(1)} logins/s ` +
    `(thread pool ${process.env.UV_THREADPOOL_SIZE ?? "4"}), longest event-loop stall ${longestStall.toFixed(1)} ms`
)

const python = String.raw`
import time, django
from django.conf import settings
settings.configure(SECRET_KEY="bench")
django.setup()
from django.contrib.auth.hashers import check_password
encoded = "${encoded}"
n = 10
t0 = time.perf_counter()
for _ in range(n):
    assert check_password("password", encoded)
print("%.1f" % (n / (time.perf_counter() - t0)))
`
const django = spawnSync("/usr/bin/python3", ["-c", python], { encoding: "utf8" })
if (django.status === 0) {
  console.log(`Django 3.2 check_password, one process: ${django.stdout.trim()} logins/s`)
} else {
  console.log("Django not available: /usr/bin/python3 cannot import django")
}
