/**
 * The fixtures of scripts/django/middleware.py (Django 3.2) and the helpers that rebuild their
 * requests and responses here.
 */
import { Chunk, Effect, Either, Stream } from "effect"
import { readFileSync } from "node:fs"
import { HttpResponse, RequestFactory, ResponseCookies, Settings, StreamingHttpResponse } from "../src/index.js"

export interface RequestSpec {
  readonly method: string
  readonly path: string
  readonly meta?: Record<string, string>
  readonly secure?: boolean
}

export interface ResponseSpec {
  readonly kind?: "streaming"
  readonly body?: string
  readonly chunks?: ReadonlyArray<string>
  readonly status?: number
  readonly headers?: ReadonlyArray<readonly [string, string]>
  readonly cookies?: ReadonlyArray<readonly [string, string]>
}

export interface Described {
  readonly status: number
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly cookies: ReadonlyArray<string>
  readonly body_hex: string
}

export interface Fixtures {
  readonly django: string
  readonly T: number
  readonly quote_etag: ReadonlyArray<readonly [string, string]>
  readonly parse_etags: ReadonlyArray<readonly [string, ReadonlyArray<string>]>
  readonly set_response_etag: ReadonlyArray<readonly [string, string | null]>
  readonly parse_http_date: ReadonlyArray<readonly [string, number | null]>
  readonly vary: ReadonlyArray<{
    initial: string | null
    adds: ReadonlyArray<ReadonlyArray<string>>
    result: string
    has: Record<string, boolean>
  }>
  readonly cache_control: ReadonlyArray<{
    initial: string | null
    patches: ReadonlyArray<ReadonlyArray<readonly [string, string | number | boolean]>>
    result: string
    max_age: number | null
  }>
  readonly never_cache: ReadonlyArray<{
    initial: ReadonlyArray<readonly [string, string]>
    headers: ReadonlyArray<readonly [string, string]>
  }>
  readonly patch_response_headers: ReadonlyArray<{
    timeout: number
    headers: ReadonlyArray<readonly [string, string]>
  }>
  readonly conditional: ReadonlyArray<
    readonly [string, Record<string, string>, string | null, number | null, number | null]
  >
  readonly conditional_get: ReadonlyArray<{ request: RequestSpec; response: ResponseSpec; result: Described }>
  readonly gzip: ReadonlyArray<{ accept_encoding: string | null; response: ResponseSpec; result: Described }>
  readonly security: ReadonlyArray<{
    settings: Record<string, unknown>
    request: RequestSpec
    response: ResponseSpec
    result: Described | { readonly error: string }
  }>
  readonly xframe: ReadonlyArray<
    { setting: string | null; response: ResponseSpec; exempt: boolean; value: string | null }
  >
}

export const fixtures = JSON.parse(
  readFileSync(new URL("./fixtures/middleware.json", import.meta.url), "utf8")
) as Fixtures

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0))

export const ALLOWED_HOSTS = ["testserver", "example.com"]

export const request = (spec: RequestSpec, settings?: Settings.Settings) =>
  RequestFactory.generic(spec.method, spec.path, {
    ...(spec.meta !== undefined ? { meta: spec.meta } : {}),
    secure: spec.secure ?? false,
    settings: settings ?? Settings.make({ ALLOWED_HOSTS })
  })

export const response = (spec: ResponseSpec): Effect.Effect<HttpResponse.AnyResponse, HttpResponse.MakeError> =>
  Effect.gen(function*() {
    let res: HttpResponse.AnyResponse = spec.kind === "streaming"
      ? yield* StreamingHttpResponse.make(Stream.fromIterable((spec.chunks ?? []).map(latin1)), {
        status: spec.status ?? 200
      })
      : yield* HttpResponse.make({ content: latin1(spec.body ?? ""), status: spec.status ?? 200 })
    for (const [k, v] of spec.headers ?? []) res = yield* HttpResponse.setHeader(res, k, v)
    for (const [k, v] of spec.cookies ?? []) res = yield* ResponseCookies.setCookie(res, k, v)
    return res
  })

export const bodyOf = (res: HttpResponse.AnyResponse): Effect.Effect<Uint8Array, unknown> =>
  res._tag === "HttpResponse"
    ? Effect.succeed(HttpResponse.content(res))
    : Effect.map(Stream.runCollect(res.stream), (chunks) => Buffer.concat(Chunk.toArray(chunks)))

export const describeResponse = (res: HttpResponse.AnyResponse) =>
  Effect.map(bodyOf(res), (body) => ({
    status: res.status,
    headers: res.headers.map((h) => [h.name, h.value]),
    cookies: ResponseCookies.setCookieHeaders(res),
    body_hex: Buffer.from(body).toString("hex")
  }))

export const right = <A, E>(e: Either.Either<A, E>): A => Either.getOrThrow(e)
