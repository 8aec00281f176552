// Counts the Effect runtime's steps by op code and by the function each step runs.
import { FiberRuntime } from "../../node_modules/effect/dist/esm/internal/fiberRuntime.js"
const byOp = new Map()
const byFn = new Map()
const label = (f) => typeof f === "function" ? f.toString().slice(0, 160).replace(/\s+/g, " ") : String(f)
const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1)
const proto = FiberRuntime.prototype
for (
  const op of [
    "Tag",
    "Left",
    "None",
    "Right",
    "Some",
    "Micro",
    "Sync",
    "Success",
    "Failure",
    "WithRuntime",
    "UpdateRuntimeFlags",
    "OnSuccess",
    "OnStep",
    "OnFailure",
    "OnSuccessAndFailure",
    "Async",
    "Yield",
    "While",
    "Iterator",
    "Commit"
  ]
) {
  const orig = proto[op]
  if (typeof orig !== "function") continue
  proto[op] = function(cur) {
    if (globalThis.__opcount_on) {
      bump(byOp, op)
      if (op === "Sync" || op === "WithRuntime") bump(byFn, op + " " + label(cur.effect_instruction_i0))
      else if (op === "OnSuccess" || op === "OnSuccessAndFailure") {
        bump(byFn, op + " " + label(cur.effect_instruction_i1 ?? cur.effect_instruction_i2))
      } else if (op === "Tag") bump(byFn, "Tag " + cur.key)
      else if (op === "Commit") bump(byFn, "Commit " + label(cur.commit))
      else if (op === "UpdateRuntimeFlags") bump(byFn, "UpdateRuntimeFlags " + label(cur.effect_instruction_i1))
    }
    return orig.call(this, cur)
  }
}
globalThis.__opcount_dump = (n) => {
  const total = [...byOp.values()].reduce((a, b) => a + b, 0)
  console.log(`steps per request: ${(total / n).toFixed(1)}`)
  for (const [k, v] of [...byOp].sort((a, b) => b[1] - a[1])) console.log(`  ${(v / n).toFixed(2)} ${k}`)
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.OPCOUNT_TOP ?? 60))) {
    console.log(`  ${(v / n).toFixed(2)} ${k}`)
  }
}
