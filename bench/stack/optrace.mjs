// With `--import ./bench/stack/optrace.mjs` (instead of opcount.mjs) and `CALLGRIND_VARIANT`: the
// runtime's steps of the LAST measured request in order, one a line: the op code and the function
// it runs (for `Success`/`Sync`, the continuation it hands its value to), so that every step can be
// put down to the library function that made it. `N=1` is enough (after the runner's warm-up).
import { FiberRuntime } from "../../node_modules/effect/dist/esm/internal/fiberRuntime.js"
const width = Number(process.env.OPTRACE_WIDTH ?? 150)
const label = (f) => typeof f === "function" ? f.toString().slice(0, width).replace(/\s+/g, " ") : String(f)
let trace = []
const proto = FiberRuntime.prototype
for (const op of Object.getOwnPropertyNames(proto)) {
  if (!/^[A-Z]/.test(op) || typeof proto[op] !== "function") continue
  const orig = proto[op]
  proto[op] = function(cur) {
    if (globalThis.__opcount_on) {
      let what = ""
      if (op === "Sync" || op === "WithRuntime") what = label(cur.effect_instruction_i0)
      else if (op === "OnSuccess" || op === "OnSuccessAndFailure" || op === "OnFailure") {
        what = label(cur.effect_instruction_i1 ?? cur.effect_instruction_i2)
      } else if (op === "Tag") what = cur.key
      else if (op === "Commit") what = label(cur.commit)
      else if (op === "UpdateRuntimeFlags") what = label(cur.effect_instruction_i1)
      if (op === "Success" || op === "Sync" || op === "Right" || op === "Some") {
        const top = this._stack[this._stack.length - 1]
        if (top !== undefined) {
          what += "  -> " + label(top.effect_instruction_i1 ?? top.effect_instruction_i2 ?? top._op)
        }
      }
      trace.push(`${op} ${what}`)
    }
    return orig.call(this, cur)
  }
}
let count = 0
globalThis.__optrace_begin = () => {
  trace = []
  count++
}
globalThis.__opcount_dump = () => {
  console.log(`steps of the last request: ${trace.length}`)
  trace.forEach((t, i) => console.log(`${String(i).padStart(4)} ${t}`))
}
