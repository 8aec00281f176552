/**
 * A site served by `Server.run` with `workers: 2`, for test/Server.cluster.test.ts. Every answer
 * says which process gave it (`X-Worker-Pid`); `/slow/` answers after 800 ms.
 */
import { Effect } from "effect"
import { Handler, HttpResponse, Server, Settings } from "../../src/index.js"

const site = Handler.make({
  urls: (request) =>
    Effect.gen(function*() {
      if (request.path === "/slow/") {
        // The test waits for these lines: the request is in flight in this worker.
        yield* Effect.sync(() => console.log(`slow request started in ${process.pid}`))
        yield* Effect.sleep("800 millis")
      }
      const response = yield* HttpResponse.make({ content: `served by ${process.pid}` })
      return yield* HttpResponse.setHeader(response, "X-Worker-Pid", String(process.pid))
    })
})

Server.run(site, {
  port: 0,
  workers: 2,
  maxRestartsPerMinute: 3,
  tracer: false,
  settings: Settings.layerFromEnv({ ALLOWED_HOSTS: ["127.0.0.1"] })
})
