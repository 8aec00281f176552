/**
 * The seam where `POST` and `FILES` are loaded from the body.
 *
 * `loadPostAndFiles` in `HttpRequest` routes `multipart/form-data` bodies to
 * `parseMultipart` below, which runs the uploads parser (`./multipart.js`).
 * It receives what it needs of the request (`MultipartInput`: content type,
 * length, encoding, settings) and the raw body as a single-use stream that is
 * not buffered (`rawBodyStream(request)` from `./body.js`), and runs in the
 * request's own `Scope` and in the Context the request was built in (so temp
 * files are removed when the request ends, whoever first evaluates
 * `POST`/`FILES`). Its result is memoised with POST: it runs at most once per
 * request value. Running the stream marks the body as read: `body` then fails
 * with `RawPostDataException`, as after Django's multipart parsing; if `body`
 * was read first, the stream replays it. Settings: `request.settings`.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type {
  MultiPartParserError,
  RequestDataTooBig,
  SuspiciousFileOperation,
  SuspiciousMultipartForm,
  TooManyFieldsSent,
  TooManyFilesSent,
  UnreadablePostError
} from "../Errors.js"
import * as MVD from "../MultiValueDict.js"
import type { Settings } from "../Settings.js"
import * as UploadedFile from "../UploadedFile.js"
import type { BodyError } from "./body.js"
import * as Multipart from "./multipart.js"
import * as QD from "./querydict.js"

/** An uploaded file: `FILES` holds Django's `UploadedFile`s (see `UploadedFile`). */
export type UploadedFileLike = UploadedFile.UploadedFile

/** Everything loading POST and FILES can fail with. */
export type PostError =
  | BodyError
  | TooManyFieldsSent
  | TooManyFilesSent
  | MultiPartParserError
  | SuspiciousMultipartForm
  | SuspiciousFileOperation
  | RequestDataTooBig

/** POST and FILES, loaded together as Django's `_load_post_and_files` does. */
export interface PostAndFiles {
  readonly POST: QD.QueryDict
  readonly FILES: QD.MultiValueDict<UploadedFileLike>
}

/**
 * Django's `Content-Length` rule for the multipart parser: `int(CONTENT_LENGTH)`,
 * 0 when it is not a number (so the body is not parsed). A missing header gives
 * `null`: a chunked body is parsed (Django's WSGI handler would read it as empty).
 */
export const contentLengthOf = (meta: Readonly<Record<string, string>>): number | null => {
  const raw = meta.CONTENT_LENGTH
  if (raw === undefined) return null
  return /^\s*[+-]?\d+\s*$/.test(raw) ? parseInt(raw, 10) : 0
}

/** What the upload parser needs of a request. */
export interface MultipartInput {
  /** The whole `Content-Type` header (`CONTENT_TYPE`), parameters included; `""` when absent. */
  readonly contentType: string
  /** `contentLengthOf(META)`. */
  readonly contentLength: number | null
  /** The request's encoding; `null` means `DEFAULT_CHARSET`. */
  readonly encoding: string | null
  readonly settings: Settings
  /**
   * Provides the `FileSystem` spilled uploads are written with: the Context's, else a default
   * (Node's, given by the adapter `./node/adapter.ts`: the core imports no Node module).
   */
  readonly withFileSystem: WithFileSystem
}

/** Runs an effect with the Context's `FileSystem`, or a default one when the Context has none. */
export type WithFileSystem = <A, E, R>(
  effect: Effect.Effect<A, E, R | FileSystem.FileSystem>
) => Effect.Effect<A, E, Exclude<R, FileSystem.FileSystem>>

/**
 * Parses a `multipart/form-data` body with the uploads parser (`./multipart.js`),
 * in the request's scope: temporary files live until it closes. The `FileSystem`
 * comes from the request's Context, or is the default `input.withFileSystem` gives; per-request
 * limits and hooks from `UploadedFile.Uploads` in that Context.
 */
export const parseMultipart = (
  input: MultipartInput,
  raw: Stream.Stream<Uint8Array, UnreadablePostError>
): Effect.Effect<PostAndFiles, PostError, Scope.Scope> =>
  Effect.suspend(() => {
    const encoding = input.encoding ?? input.settings.DEFAULT_CHARSET
    const parsed = Effect.flatMap(Effect.serviceOption(UploadedFile.Uploads), (limits) =>
      Multipart.parse({
        contentType: input.contentType,
        contentLength: input.contentLength,
        body: raw,
        settings: input.settings,
        encoding,
        limits: Option.getOrUndefined(limits)
      }))
    return Effect.map(input.withFileSystem(parsed), (result): PostAndFiles => ({
      POST: QD.fromEntries(result.fields, encoding),
      FILES: MVD.fromEntries(result.files)
    }))
  })
