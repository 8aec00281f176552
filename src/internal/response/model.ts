/**
 * The response's data: one shape for `HttpResponse`, `StreamingHttpResponse` and
 * `FileResponse`.
 *
 * @internal
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as Inspectable from "effect/Inspectable"
import { type Pipeable } from "effect/Pipeable"
import * as Stream from "effect/Stream"
import * as cookie from "../cookie.js"

export const TypeId: unique symbol = Symbol.for("effect-django-http/HttpResponse")
export type TypeId = typeof TypeId

export interface Header {
  /** The name as spelled when it was last set. */
  readonly name: string
  readonly value: string
  /** The name in lower case, for lookups. */
  readonly key: string
}

/** One cookie set on a response: its Morsel attributes (`expires` as Django stores it: an HTTP date, a string given by the caller, or `""`). */
export interface Cookie extends cookie.MorselAttributes {
  readonly name: string
  readonly value: string
  /** The `Set-Cookie` value (without the header name). */
  readonly header: string
}

export interface Base extends Pipeable, Inspectable.Inspectable, HttpServerRespondable.Respondable {
  readonly [TypeId]: TypeId
  readonly status: number
  readonly reasonPhrase: string
  /**
   * The charset: the one given, else the Content-Type's `charset=`, else `DEFAULT_CHARSET`
   * (Django's `utf-8` until the response is settled, see `HttpResponse.settle`).
   */
  readonly charset: string
  readonly headers: ReadonlyArray<Header>
  readonly cookies: ReadonlyArray<Cookie>
  /** @internal */
  readonly explicitCharset: string | undefined
  /** `DEFAULT_CHARSET` once settled; `undefined` before (then the default is Django's `utf-8`). @internal */
  readonly defaultCharset: string | undefined
  /** @internal */
  readonly customReason: string | undefined
}

export interface Plain extends Base {
  readonly _tag: "HttpResponse"
  readonly streaming: false
  /** Bytes, and text waiting for `DEFAULT_CHARSET` (only before the response is settled). @internal */
  readonly chunks: ReadonlyArray<Uint8Array | string>
}

export interface Streaming extends Base {
  readonly _tag: "StreamingHttpResponse"
  readonly streaming: true
  readonly stream: Stream.Stream<Uint8Array, unknown>
  /** The stream as given, while its text waits for `DEFAULT_CHARSET` (before the response is settled). @internal */
  readonly source: Stream.Stream<Uint8Array | string, unknown> | undefined
}

export interface File extends Base {
  readonly _tag: "FileResponse"
  readonly streaming: true
  readonly stream: Stream.Stream<Uint8Array, unknown>
  readonly filename: string
  readonly asAttachment: boolean
  /** @internal */
  readonly source: undefined
}

export type Any = Plain | Streaming | File
