// With `--import ./bench/stack/refcount.mjs` (instead of opcount.mjs) and `CALLGRIND_VARIANT`:
// the fiber-ref writes of the measured requests (`setFiberRef`: each copies the fiber's refs; a
// context provided and restored is two) and the contexts made by copying another
// (`Context.add`/`merge`: each copies every service of the request's context), per request.
// Run it apart from timings: it makes every `new Map` slower.
import { FiberRuntime } from "../../node_modules/effect/dist/esm/internal/fiberRuntime.js"
let sets = 0
let copies = 0
const setFiberRef = FiberRuntime.prototype.setFiberRef
FiberRuntime.prototype.setFiberRef = function(ref, value) {
  if (globalThis.__opcount_on) sets++
  return setFiberRef.call(this, ref, value)
}
// Every context copy is a `new Map(self.unsafeMap)` of a context's map: counted when the map copied
// holds the settings (every context of a request of the notes app does).
const NativeMap = globalThis.Map
globalThis.Map = class extends NativeMap {
  constructor(init) {
    super(init)
    if (globalThis.__opcount_on && init instanceof NativeMap && init.has("effect-django-http/Settings")) copies++
  }
}
globalThis.__opcount_dump = (n) => {
  console.log(`setFiberRef per request: ${(sets / n).toFixed(2)}`)
  console.log(`contexts copied per request: ${(copies / n).toFixed(2)}`)
}
