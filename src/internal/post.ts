/**
 * The seam where `POST` and `FILES` are loaded from the body.
 *
 * `loadPostAndFiles` in `HttpRequest` routes `multipart/form-data` bodies to
 * `parseMultipart` below. UPLOADS WORK: the uploads module replaces this
 * function with the real multipart parser; until then it returns empty results.
 * It receives the request and the raw body as a single-use stream that is not
 * buffered (`rawBodyStream(request)` from `./body.js`), and runs in the
 * request's own `Scope` and in the Context the request was built in (so temp
 * files are removed when the request ends, whoever first evaluates
 * `POST`/`FILES`). Its result is memoised with POST: it runs at most once per
 * request value. Running the stream marks the body as read: `body` then fails
 * with `RawPostDataException`, as after Django's multipart parsing; if `body`
 * was read first, the stream replays it. Settings: `request.settings`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type {
  MultiPartParserError,
  SuspiciousFileOperation,
  SuspiciousMultipartForm,
  TooManyFieldsSent,
  TooManyFilesSent,
  UnreadablePostError
} from "../Errors.js"
import type { HttpRequest } from "../HttpRequest.js"
import type { BodyError } from "./body.js"
import * as QD from "./querydict.js"

/**
 * The least an uploaded file offers; the uploads module refines it.
 */
export interface UploadedFileLike {
  /** The sanitised file name. */
  readonly name: string
  /** Size in bytes. */
  readonly size: number
  /** The part's Content-Type. */
  readonly contentType: string
  /** The part's charset, if it gave one. */
  readonly charset: string | null
}

/** Everything loading POST and FILES can fail with. */
export type PostError =
  | BodyError
  | TooManyFieldsSent
  | TooManyFilesSent
  | MultiPartParserError
  | SuspiciousMultipartForm
  | SuspiciousFileOperation

/** POST and FILES, loaded together as Django's `_load_post_and_files` does. */
export interface PostAndFiles {
  readonly POST: QD.QueryDict
  readonly FILES: QD.MultiValueDict<UploadedFileLike>
}

/**
 * Parses a `multipart/form-data` body. Placeholder: the uploads work replaces it.
 */
export const parseMultipart = (
  request: HttpRequest,
  _raw: Stream.Stream<Uint8Array, UnreadablePostError>
): Effect.Effect<PostAndFiles, PostError, Scope.Scope> =>
  Effect.succeed({
    POST: QD.empty(request.encoding ?? request.settings.DEFAULT_CHARSET),
    FILES: QD.emptyMultiValueDict()
  })
