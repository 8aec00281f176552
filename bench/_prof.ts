import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Either } from "effect"
import { HttpResponse } from "../src/index.js"
const html = "<!doctype html><html><head><title>Hello</title></head><body><h1>Hello, world</h1>" + "<p>" +
  "Lorem ipsum dolor sit amet. ".repeat(20) + "</p></body></html>"
const time = (name: string, f: () => unknown) => {
  let best = Infinity
  for (let r = 0; r < 7; r++) {
    const t = performance.now()
    const N = 20000
    for (let i = 0; i < N; i++) f()
    best = Math.min(best, (performance.now() - t) * 1e6 / N)
  }
  console.log(name, best.toFixed(0), "ns")
}
const r0 = Either.getOrThrow(HttpResponse.makeWith({ content: html }, "utf-8"))
const r1 = Either.getOrThrow(HttpResponse.setHeader(r0, "Cache-Control", "no-cache"))
const r3 = Either.getOrThrow(
  HttpResponse.setCookieAt(r1, "sessionid", "abc123", { httpOnly: true, sameSite: "Lax" }, 0)
)
const r4 = Either.getOrThrow(HttpResponse.makeWith({ content: html }, "utf-8"))
time("textencoder", () => new TextEncoder().encode(html))
time("makeWith", () => HttpResponse.makeWith({ content: html }, "utf-8"))
time("setHeader", () => HttpResponse.setHeader(r0, "Cache-Control", "no-cache"))
time("setCookieAt", () => HttpResponse.setCookieAt(r1, "sessionid", "abc123", { httpOnly: true, sameSite: "Lax" }, 0))
time("toServerResponse", () => HttpResponse.toServerResponse(r3))
time("toServerResponse nocookie", () => HttpResponse.toServerResponse(r4))
time(
  "platform raw",
  () => HttpServerResponse.raw(html, { headers: { "cache-control": "no-cache", "x-frame-options": "DENY" } })
)
time(
  "platform text",
  () =>
    HttpServerResponse.text(html, {
      contentType: "text/html; charset=utf-8",
      headers: { "cache-control": "no-cache", "x-frame-options": "DENY" }
    })
)
time(
  "platform full",
  () =>
    HttpServerResponse.text(html, {
      contentType: "text/html; charset=utf-8",
      headers: { "cache-control": "no-cache", "x-frame-options": "DENY" }
    }).pipe(HttpServerResponse.unsafeSetCookie("sessionid", "abc123", { httpOnly: true, path: "/", sameSite: "lax" }))
)
import * as Cookies from "@effect/platform/Cookies"
import * as Inspectable from "effect/Inspectable"
const c = r3.cookies[0]!
time(
  "cookie obj",
  () => ({
    ...Inspectable.BaseProto,
    [Cookies.CookieTypeId]: Cookies.CookieTypeId,
    name: c.name,
    value: c.value,
    valueEncoded: c.header.slice(c.name.length + 1),
    options: undefined,
    toJSON() {
      return 1
    }
  })
)
time("fromRecord", () => Cookies.fromReadonlyRecord({ a: c as any }))
time(
  "raw with cookies",
  () =>
    HttpServerResponse.raw(html, {
      headers: { "cache-control": "no-cache" },
      cookies: Cookies.fromReadonlyRecord({ a: c as any })
    })
)
