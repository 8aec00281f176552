/**
 * Django's `clearsessions`: deletes the expired rows of `django_session`.
 *
 *     npx tsx scripts/clearsessions.ts sqlite:db.sqlite3
 *     npx tsx scripts/clearsessions.ts postgres://user@host:5432/name
 *     npx tsx scripts/clearsessions.ts            # DATABASE_URL, as the playground reads it
 *
 * Redis sessions expire by themselves (their TTL), as Django's cache sessions do. Run it from cron.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, type Layer } from "effect"
import { Sessions } from "../src/index.js"

const target = process.argv[2] ?? process.env["DATABASE_URL"]

const store = (url: string | undefined): Layer.Layer<Sessions.SessionStore, Sessions.SessionStoreError> | undefined => {
  if (url === undefined) return undefined
  if (url.startsWith("sqlite:")) return Sessions.layerSqlite({ filename: url.slice("sqlite:".length) })
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return Sessions.layerPg({ url })
  return undefined
}

const layer = store(target)
if (layer === undefined) {
  console.error("usage: tsx scripts/clearsessions.ts sqlite:PATH | postgres://URL  (or set DATABASE_URL)")
  process.exit(2)
}

NodeRuntime.runMain(
  Sessions.clearExpired.pipe(
    Effect.flatMap((n) => Console.log(`Deleted ${n} expired session${n === 1 ? "" : "s"}.`)),
    Effect.provide(layer)
  )
)
