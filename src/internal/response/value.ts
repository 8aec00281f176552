/**
 * The response value: one class for `HttpResponse`, `StreamingHttpResponse` and `FileResponse`,
 * its prototype (charset, reason phrase, `Respondable`, `pipe`, inspection) and copies, and the
 * settling of the default charset that interpreting it starts with. `Respondable` lives on the
 * value and interprets it, so settling lives here too: `platform` only converts a settled value,
 * and the three modules import one another in one direction (test/layers).
 *
 * @internal
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Stream from "effect/Stream"
import type { BadHeaderError, InvalidArgument } from "../../Errors.js"
import * as Settings from "../../Settings.js"
import type { Any, Base, Cookie, Header, Plain, Streaming } from "./model.js"
import { TypeId } from "./model.js"
import { encodeDefault, plainResponse, toServerResponse } from "./platform.js"
import {
  charsetOf,
  defaultContentType,
  encodeStream,
  encodeText,
  findHeader,
  PENDING_CONTENT_TYPE,
  REASONS,
  utf8Length
} from "./rules.js"

type MakeError = InvalidArgument | BadHeaderError

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

// ---------------------------------------------------------------------------
// Settling and interpreting (kept beside the value: its `Respondable` interprets it)
// ---------------------------------------------------------------------------

/**
 * The response with `DEFAULT_CHARSET` settled: the default Content-Type names it, and text
 * waiting for it is encoded with it (`InvalidArgument` when it cannot be, as Django's
 * constructor raises). A settled response is returned as it is.
 */
export const settleWith = <A extends Any>(self: A, defaultCharset: string): Either.Either<A, MakeError> => {
  if (self.defaultCharset !== undefined) return Either.right(self)
  let headers = self.headers
  const i = findHeader(headers, "content-type")
  if (i !== -1 && headers[i] === PENDING_CONTENT_TYPE && defaultCharset !== "utf-8") {
    const h = defaultContentType(defaultCharset)
    if (Either.isLeft(h)) return Either.left(h.left)
    const out = headers.slice()
    out[i] = h.right[0]
    headers = out
  }
  if (self._tag === "HttpResponse") {
    const chunks = self.chunks
    let out: Array<Uint8Array | string> | undefined
    for (let j = 0; j < chunks.length; j++) {
      const c = chunks[j]!
      if (typeof c !== "string") continue
      const b = encodeText(c, defaultCharset)
      if (Either.isLeft(b)) return Either.left(b.left)
      if (out === undefined) out = chunks.slice()
      out[j] = b.right
    }
    return Either.right(update<Plain>(self, { defaultCharset, headers, chunks: out ?? chunks }) as A)
  }
  if (self._tag === "StreamingHttpResponse" && self.source !== undefined) {
    const settled = update<Streaming>(self, { defaultCharset, headers, source: undefined })
    return Either.right(update<Streaming>(settled, { stream: encodeStream(self.source, settled.charset) }) as A)
  }
  return Either.right(update<Any>(self, { defaultCharset, headers }) as A)
}

/** The platform response for a response value, settled with `defaultCharset` first. */
export const toServerResponseWith = (
  self: Any,
  defaultCharset: string
): Either.Either<HttpServerResponse.HttpServerResponse, MakeError> => {
  if (self.defaultCharset === undefined && self._tag === "HttpResponse") {
    // The common case, settled on the way without the intermediate value: the headers are
    // what `settleWith` leaves when the default Content-Type is utf-8's or absent.
    const i = defaultCharset === "utf-8" ? -1 : findHeader(self.headers, "content-type")
    if (i === -1 || self.headers[i] !== PENDING_CONTENT_TYPE) {
      const chunks = self.chunks
      if (chunks.length === 1 && typeof chunks[0] === "string") {
        const body = encodeDefault(chunks[0], defaultCharset)
        return body instanceof Uint8Array ? Either.right(plainResponse(self, body)) : Either.left(body)
      }
    }
  }
  const settled = settleWith(self, defaultCharset)
  return Either.isLeft(settled) ? Either.left(settled.left) : Either.right(toServerResponse(settled.right))
}

/** `toServerResponseWith` the `DEFAULT_CHARSET` of the fiber's `Settings`, read in one runtime step. */
export const toServerResponseIn = (self: Any): Effect.Effect<HttpServerResponse.HttpServerResponse, MakeError> =>
  Effect.withFiberRuntime((fiber) =>
    toServerResponseWith(self, Settings.fromContext(fiber.currentContext).DEFAULT_CHARSET)
  )
