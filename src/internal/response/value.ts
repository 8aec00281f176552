/**
 * The response value: one class for `HttpResponse`, `StreamingHttpResponse` and `FileResponse`,
 * its prototype (charset, reason phrase, `Respondable`, `pipe`, inspection) and copies.
 *
 * @internal
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Stream from "effect/Stream"
import type { Any, Base, Cookie, Header, Plain } from "./model.js"
import { TypeId } from "./model.js"
import { toServerResponseIn } from "./platform.js"
import { charsetOf, REASONS, utf8Length } from "./rules.js"

// ---------------------------------------------------------------------------
// The value
// ---------------------------------------------------------------------------

const Proto = {
  [TypeId]: TypeId,
  get charset(): string {
    return charsetOf(this as unknown as Base)
  },
  get reasonPhrase(): string {
    const self = this as unknown as Base
    return self.customReason ?? REASONS[self.status] ?? "Unknown Status Code"
  },
  [HttpServerRespondable.symbol](this: Any) {
    // Interpreted with the `DEFAULT_CHARSET` of the fiber's `Settings`.
    return toServerResponseIn(this)
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
  readonly defaultCharset: string | undefined
  readonly headers: ReadonlyArray<Header>
  readonly cookies: ReadonlyArray<Cookie>
  readonly chunks?: ReadonlyArray<Uint8Array | string> | undefined
  readonly stream?: Stream.Stream<Uint8Array, unknown> | undefined
  readonly source?: Stream.Stream<Uint8Array | string, unknown> | undefined
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
  defaultCharset: string | undefined
  headers: ReadonlyArray<Header>
  cookies: ReadonlyArray<Cookie>
  chunks: ReadonlyArray<Uint8Array | string> | undefined
  stream: Stream.Stream<Uint8Array, unknown> | undefined
  source: Stream.Stream<Uint8Array | string, unknown> | undefined
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
    this.source = f.source
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

/** The length of the body in bytes (text waiting for the default charset counted in `utf-8`). */
export const tell = (self: Plain): number => {
  let n = 0
  const chunks = self.chunks
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!
    n += typeof c === "string" ? utf8Length(c) : c.length
  }
  return n
}
