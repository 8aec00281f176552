/**
 * What the in-process benches share (`bench/server/inprocess.ts`, `bench/sessions/inprocess.ts`):
 * a Node request listener called with real `IncomingMessage`/`ServerResponse` objects on
 * in-memory sockets, so that a request costs what the server path costs, without the network.
 */
import * as Http from "node:http"
import { Duplex } from "node:stream"

/** A socket that discards what is written to it: a response's bytes go nowhere. */
export class MemorySocket extends Duplex {
  readonly remoteAddress = "127.0.0.1"
  readonly localAddress = "127.0.0.1"
  readonly localPort = 8000
  override _read() {}
  override _write(_chunk: unknown, _encoding: unknown, done: () => void) {
    done()
  }
  override _writev(_chunks: unknown, done: () => void) {
    done()
  }
  setTimeout() {
    return this
  }
}

/** What `server.on("request")` is given. */
export type Listener = (req: Http.IncomingMessage, res: Http.ServerResponse) => void

/** One GET request through `handler` on `socket`; resolves with the response once it finished. */
export const request = (
  handler: Listener,
  socket: MemorySocket,
  url: string,
  headers: Http.IncomingHttpHeaders
): Promise<Http.ServerResponse> =>
  new Promise((done) => {
    const req = new Http.IncomingMessage(socket as never)
    req.method = "GET"
    req.url = url
    req.headers = headers
    req.httpVersion = "1.1"
    req.push(null)
    const res = new Http.ServerResponse(req)
    res.assignSocket(socket as never)
    res.on("finish", () => {
      res.detachSocket(socket as never)
      done(res)
    })
    handler(req, res)
  })

/** `count` requests, `inFlight` at a time, each connection a socket of its own. */
export const runConcurrent = async (
  count: number,
  one: (socket: MemorySocket) => Promise<unknown>,
  inFlight = 50
): Promise<void> => {
  let left = count
  const worker = async () => {
    const socket = new MemorySocket()
    while (left-- > 0) await one(socket)
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
}
