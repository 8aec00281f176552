/**
 * The response value shared by `HttpResponse`, `StreamingHttpResponse` and
 * `FileResponse`, and the one entry to its parts: the data (`response/model`),
 * Django's rules for status, charsets, headers and cookies (`response/rules`),
 * and the `@effect/platform` adapter (`response/platform`).
 *
 * @internal
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Stream from "effect/Stream"
import type { Any, Base, Cookie, Header, Plain } from "./response/model.js"
import { TypeId } from "./response/model.js"
import { toServerResponse } from "./response/platform.js"
import { charsetFromContentType, getHeader, REASONS } from "./response/rules.js"

export * from "./response/model.js"
export * from "./response/platform.js"
export * from "./response/rules.js"

// ---------------------------------------------------------------------------
// The value
// ---------------------------------------------------------------------------

const Proto = {
  [TypeId]: TypeId,
  get charset(): string {
    const self = this as unknown as Base
    if (self.explicitCharset !== undefined) return self.explicitCharset
    const ct = getHeader(self.headers, "content-type")
    return (ct !== undefined ? charsetFromContentType(ct) : undefined) ?? self.defaultCharset
  },
  get reasonPhrase(): string {
    const self = this as unknown as Base
    return self.customReason ?? REASONS[self.status] ?? "Unknown Status Code"
  },
  [HttpServerRespondable.symbol](this: Any) {
    return Effect.succeed(toServerResponse(this))
  },
  pipe() {
    return pipeArguments(this, arguments)
  },
  ...Inspectable.BaseProto,
  toJSON(this: Any) {
    return {
      _id: "effect-django-http/HttpResponse",
      _tag: this._tag,
      status: this.status,
      reasonPhrase: this.reasonPhrase,
      charset: this.charset,
      headers: this.headers.map((h) => [h.name, h.value]),
      cookies: this.cookies.map((c) => c.header),
      ...(this._tag === "HttpResponse" ? { contentLength: tell(this) } : {})
    }
  }
}

type Fields<A extends Any> = Omit<
  A,
  | typeof TypeId
  | "charset"
  | "reasonPhrase"
  | "pipe"
  | "toJSON"
  | "toString"
  | typeof Inspectable.NodeInspectSymbol
  | typeof HttpServerRespondable.symbol
>

interface AllFields {
  readonly _tag: Any["_tag"]
  readonly streaming: boolean
  readonly status: number
  readonly customReason: string | undefined
  readonly explicitCharset: string | undefined
  readonly defaultCharset: string
  readonly headers: ReadonlyArray<Header>
  readonly cookies: ReadonlyArray<Cookie>
  readonly chunks?: ReadonlyArray<Uint8Array> | undefined
  readonly stream?: Stream.Stream<Uint8Array, unknown> | undefined
  readonly filename?: string | undefined
  readonly asAttachment?: boolean | undefined
}

/** One class for every variant: every value has the same shape, which keeps V8's property access fast. */
class ResponseImpl {
  _tag: Any["_tag"]
  streaming: boolean
  status: number
  customReason: string | undefined
  explicitCharset: string | undefined
  defaultCharset: string
  headers: ReadonlyArray<Header>
  cookies: ReadonlyArray<Cookie>
  chunks: ReadonlyArray<Uint8Array> | undefined
  stream: Stream.Stream<Uint8Array, unknown> | undefined
  filename: string | undefined
  asAttachment: boolean | undefined
  constructor(f: AllFields) {
    this._tag = f._tag
    this.streaming = f.streaming
    this.status = f.status
    this.customReason = f.customReason
    this.explicitCharset = f.explicitCharset
    this.defaultCharset = f.defaultCharset
    this.headers = f.headers
    this.cookies = f.cookies
    this.chunks = f.chunks
    this.stream = f.stream
    this.filename = f.filename
    this.asAttachment = f.asAttachment
  }
}
Object.defineProperties(ResponseImpl.prototype, Object.getOwnPropertyDescriptors(Proto))

// The class carries the fields and the prototype carries `Proto`: together they are the interface.
export const unsafeMake = <A extends Any>(fields: Fields<A>): A => new ResponseImpl(fields) as unknown as A

/** A copy of `self` with `patch` applied. */
export const update = <A extends Any>(self: A, patch: Partial<Fields<A>>): A =>
  Object.assign(new ResponseImpl(self), patch) as unknown as A

/** A copy of `self` with other headers. */
export const withHeaders = <A extends Any>(self: A, headers: ReadonlyArray<Header>): A => {
  const next = new ResponseImpl(self)
  next.headers = headers
  return next as unknown as A
}

/** A copy of `self` with other cookies. */
export const withCookies = <A extends Any>(self: A, cookies: ReadonlyArray<Cookie>): A => {
  const next = new ResponseImpl(self)
  next.cookies = cookies
  return next as unknown as A
}

export const isResponse = (u: unknown): u is Any => hasProperty(u, TypeId)

export { concat } from "./bytes.js"

export const tell = (self: Plain): number => {
  let n = 0
  for (const c of self.chunks) n += c.length
  return n
}
