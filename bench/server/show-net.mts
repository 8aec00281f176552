/**
 * The raw bytes of the notes app's three answers (`list`, `json`, `post`) on a running stack
 * server: signs in as the bench's client does, sends each request on a socket of its own and
 * prints the status line and headers (cookie values elided) and the sizes of head and body.
 *
 *     STACK_DB=/tmp/db.sqlite3 PORT=8000 STACK_WORKERS=1 node --import tsx bench/stack/library.ts &
 *     npx tsx bench/server/show-net.mts http://127.0.0.1:8000
 */
import * as Net from "node:net"
import { signIn } from "../stack/client.js"
const base = process.argv[2]!
const s = await signIn(base)
for (const r of s.requests) {
  const u = new URL(base)
  const body = r.body ?? ""
  const head = `${r.method} ${r.path} HTTP/1.1\r\nHost: ${u.host}\r\n` + Object.entries(r.headers).map(([k, v]) =>
    `${k}: ${v}\r\n`
  ).join("") + (r.body !== undefined ? `content-length: ${Buffer.byteLength(body)}\r\n` : "") + "\r\n" + body
  const raw = await new Promise<Buffer>((ok) => {
    const sock = Net.connect(Number(u.port), u.hostname, () => sock.write(head))
    const parts: Buffer[] = []
    sock.on("data", (d) => {
      parts.push(d)
      setTimeout(() => sock.end(), 200)
    })
    sock.on("close", () => ok(Buffer.concat(parts)))
  })
  const text = raw.toString("latin1")
  const i = text.indexOf("\r\n\r\n")
  console.log(`== ${r.name}: ${raw.length} bytes, head ${i + 4}, body ${raw.length - i - 4}`)
  console.log(text.slice(0, i).replace(/(csrftoken|sessionid)=[^;]+/g, "$1=…"))
}
process.exit(0)
