/**
 * `multipart/form-data` bodies: Django 3.2's `MultiPartParser` as a streaming
 * Effect, and the encoder of Django's test client.
 *
 * `parse` reads the body once, chunk by chunk: fields go to a `QueryDict`
 * (`POST`), files to a `MultiValueDict<UploadedFile>` (`FILES`), in memory when
 * the whole request is at most `FILE_UPLOAD_MAX_MEMORY_SIZE`, else in temporary
 * files removed when the `Scope` closes (or at once if parsing fails). Limits
 * fail fast with Django's errors.
 *
 * @example
 * ```ts
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Effect, Stream } from "effect"
 * import { Multipart, MultiValueDict, QueryDict, UploadedFile } from "effect-django-http"
 *
 * const body = Multipart.encode([["title", "Holidays"]], [["photo", { name: "beach.jpg", content: new Uint8Array(10) }]])
 * const program = Effect.gen(function*() {
 *   const { FILES, POST } = yield* Multipart.parse({
 *     contentType: Multipart.CONTENT_TYPE,
 *     contentLength: body.length,
 *     body: Stream.make(body)
 *   })
 *   return [QueryDict.get(POST, "title"), MultiValueDict.get(FILES, "photo")]
 * })
 * Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))
 * ```
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { UnreadablePostError } from "./Errors.js"
import * as internal from "./internal/multipart.js"
import * as MultiValueDict from "./MultiValueDict.js"
import * as QueryDict from "./QueryDict.js"
import * as Settings from "./Settings.js"
import type * as UploadedFile from "./UploadedFile.js"

/**
 * The boundary of Django's test client (`django.test.client.BOUNDARY`).
 *
 * @since 0.1.0
 * @category constants
 */
export const BOUNDARY: string = internal.BOUNDARY

/**
 * `multipart/form-data; boundary=BoUnDaRyStRiNg` (Django's `MULTIPART_CONTENT`).
 *
 * @since 0.1.0
 * @category constants
 */
export const CONTENT_TYPE: string = `multipart/form-data; boundary=${internal.BOUNDARY}`

/**
 * Every error `parse` can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type ParseError = internal.ParseError

/**
 * Parses a `multipart/form-data` body into Django's `POST` and `FILES`.
 * `settings` defaults to the provided `Settings` (or Django's defaults),
 * `encoding` to `DEFAULT_CHARSET`; `limits` overrides them for this request and
 * adds hooks (see `UploadedFile.UploadOptions`).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = <E = never, R = never>(options: {
  /** The raw `Content-Type` header. */
  readonly contentType: string
  /** The `Content-Length` header, or `null` when unknown (chunked). */
  readonly contentLength: number | null
  /** The body; read once, unbuffered. */
  readonly body: Stream.Stream<Uint8Array, UnreadablePostError>
  readonly settings?: Settings.Settings | undefined
  readonly encoding?: string | undefined
  readonly limits?: UploadedFile.UploadOptions<E, R> | undefined
}): Effect.Effect<
  { readonly POST: QueryDict.QueryDict; readonly FILES: MultiValueDict.MultiValueDict<UploadedFile.UploadedFile> },
  ParseError | E,
  Scope.Scope | FileSystem.FileSystem | R
> =>
  Effect.flatMap(
    options.settings === undefined ? Settings.current : Effect.succeed(options.settings),
    (settings) => {
      const encoding = options.encoding ?? settings.DEFAULT_CHARSET
      return Effect.map(
        internal.parse({ ...options, settings, encoding }),
        (result) => ({
          POST: QueryDict.fromEntries(result.fields, encoding),
          FILES: MultiValueDict.fromEntries(result.files)
        })
      )
    }
  )

/**
 * A file for `encode`.
 *
 * @since 0.1.0
 * @category models
 */
export interface EncodeFile {
  readonly name: string
  readonly content: Uint8Array
  /** `application/octet-stream` when not given. */
  readonly contentType?: string | undefined
}

/**
 * Django's test client `encode_multipart`: a body with the fields, then the
 * files (Content-Type `application/octet-stream` unless given). Quotes and line
 * breaks in names are percent-encoded, as browsers do.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (
  fields: ReadonlyArray<readonly [string, string]>,
  files: ReadonlyArray<readonly [string, EncodeFile]> = [],
  boundary: string = internal.BOUNDARY
): Uint8Array => internal.encode(fields, files, boundary)
