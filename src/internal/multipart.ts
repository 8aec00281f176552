/**
 * A streaming `multipart/form-data` parser with Django 3.2's rules
 * (`django/http/multipartparser.py`), on top of multipasta's boundary search.
 *
 * The body is read chunk by chunk; each chunk is split on the delimiter
 * synchronously, then the resulting pieces are handled in order: fields are
 * collected (bounded by `DATA_UPLOAD_MAX_MEMORY_SIZE`), files go to memory, to
 * a temporary file, or to a user sink (`./multipart/sinks.ts`). The next chunk is pulled only when the
 * previous one is handled, so memory stays bounded by the chunk size plus what
 * is deliberately kept in memory, and a limit fails before the rest of the
 * body is read.
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Search from "multipasta/Search"
import {
  MultiPartParserError,
  RequestDataTooBig,
  type SuspiciousMultipartForm,
  TooManyFieldsSent,
  TooManyFilesSent,
  type UnreadablePostError
} from "../Errors.js"
import type { Settings } from "../Settings.js"
import * as UploadedFile from "../UploadedFile.js"
import {
  b64decode,
  boundaryOf,
  decode,
  decodeLatin1String,
  fromLatin1,
  type Headers,
  latin1,
  MAX_HEADER_SIZE,
  type Param,
  parseHeaderBlock,
  sanitizeFileName,
  SIMPLE_FIELD_NAME_START,
  simpleFieldNameEnd,
  truncateFileName
} from "./multipart/headers.js"
import * as Sinks from "./multipart/sinks.js"
import { concat, type FileSink } from "./multipart/sinks.js"
import { bytesStrip, len, strip } from "./python/str.js"

export * from "./multipart/encode.js"
export * from "./multipart/headers.js"

/** Per-request upload options (see `UploadedFile.UploadOptions`). */
export type UploadOptions<E = never, R = never> = UploadedFile.UploadOptions<E, R>

/** What the parser gives: fields and files in body order. */
export interface ParseResult {
  readonly fields: ReadonlyArray<readonly [string, string]>
  readonly files: ReadonlyArray<readonly [string, UploadedFile.UploadedFile]>
}

/** Every error the parser can fail with. */
export type ParseError =
  | MultiPartParserError
  | TooManyFieldsSent
  | TooManyFilesSent
  | RequestDataTooBig
  | SuspiciousMultipartForm
  | UnreadablePostError

// ---------------------------------------------------------------------------
// The parser
// ---------------------------------------------------------------------------

const B64_BUFFER = 64 * 1024
const CRLFCRLF = Buffer.from("\r\n\r\n")
const NL = new Uint8Array([10])

type Part =
  | { readonly _tag: "Headers"; readonly buffer: Array<Uint8Array>; size: number }
  | { readonly _tag: "Skip" }
  | {
    readonly _tag: "Field"
    readonly name: string
    /** `len(name) + 2`, what Django adds to the data size for a field. */
    readonly cost: number
    readonly base64: boolean
    readonly chunks: Array<Uint8Array>
    size: number
  }
  | {
    readonly _tag: "File"
    readonly info: UploadedFile.FileInfo
    readonly base64: boolean
    b64: Array<Uint8Array>
    b64size: number
    size: number
    sink: FileSink
  }

/** Parses a multipart body (see the module comment). */
export const parse = <E = never, R = never>(options: {
  readonly contentType: string
  readonly contentLength: number | null
  readonly body: Stream.Stream<Uint8Array, UnreadablePostError>
  readonly settings: Settings
  readonly encoding: string
  readonly limits?: UploadOptions<E, R> | undefined
}): Effect.Effect<ParseResult, ParseError | E, Scope.Scope | FileSystem.FileSystem | R> =>
  Effect.suspend(() => {
    const boundary = boundaryOf(options.contentType)
    if (typeof boundary !== "string") return Effect.fail(boundary)
    const contentLength = options.contentLength
    if (contentLength !== null && contentLength < 0) {
      return Effect.fail(new MultiPartParserError({ message: `Invalid content length: ${contentLength}` }))
    }
    if (contentLength === 0) return Effect.succeed<ParseResult>({ fields: [], files: [] })
    return Effect.flatMap(
      Effect.all([Effect.scope, FileSystem.FileSystem]),
      ([scope, fs]) => run(options, boundary, scope, fs)
    )
  })

const run = <E, R>(
  options: {
    readonly contentLength: number | null
    readonly body: Stream.Stream<Uint8Array, UnreadablePostError>
    readonly settings: Settings
    readonly encoding: string
    readonly limits?: UploadOptions<E, R> | undefined
  },
  boundary: string,
  scope: Scope.Scope,
  fs: FileSystem.FileSystem
): Effect.Effect<ParseResult, ParseError | E, R> => {
  const { encoding, settings } = options
  const limits = options.limits ?? {}
  const maxFields = limits.maxNumberFields !== undefined
    ? limits.maxNumberFields
    : settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
  const maxFiles = limits.maxNumberFiles !== undefined ? limits.maxNumberFiles : settings.DATA_UPLOAD_MAX_NUMBER_FILES
  const maxData = limits.dataUploadMaxMemorySize !== undefined
    ? limits.dataUploadMaxMemorySize
    : settings.DATA_UPLOAD_MAX_MEMORY_SIZE
  const spillAt = limits.maxMemorySize ?? settings.FILE_UPLOAD_MAX_MEMORY_SIZE
  const tempDir = limits.tempDir !== undefined ? limits.tempDir : settings.FILE_UPLOAD_TEMP_DIR
  const onFile = limits.onFile
  // Django keeps files in memory only when the whole request fits the threshold.
  const diskFromStart = options.contentLength !== null && options.contentLength > spillAt

  const fields: Array<readonly [string, string]> = []
  const files: Array<readonly [string, UploadedFile.UploadedFile]> = []
  let numFields = 0
  let numFiles = 0
  let dataUsed = 0

  let remaining = options.contentLength ?? Infinity
  let bytesSeen = 0
  let segment = -1 // index of the current segment (-1: none yet)
  let part: Part | undefined
  let heldCR = false // a trailing CR of the current segment, held until we know whether a delimiter follows
  let seedPending = true // multipasta's search is seeded with "\n": drop it from segment 0
  let pending:
    | { readonly name: string; readonly file: Part & { _tag: "File" }; storage: UploadedFile.Storage }
    | undefined

  const sinks = Sinks.make({ scope, fs, tempDir, spillAt })

  // ---- the part state machine ----------------------------------------------

  const countField = (): ParseError | undefined => {
    if (maxFields === null) return undefined
    numFields++
    // Django: 2 accounts for the empty raw parts before the first and after the last delimiter.
    if (numFields > maxFields + 2) {
      return new TooManyFieldsSent({
        message: "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
      })
    }
    return undefined
  }

  const registerPending = (): void => {
    if (pending !== undefined) {
      const { file, name, storage } = pending
      pending = undefined
      files.push([
        name,
        UploadedFile.make({
          fieldName: name,
          name: file.info.name,
          size: file.size,
          contentType: file.info.contentType,
          charset: file.info.charset,
          contentTypeExtra: file.info.contentTypeExtra,
          storage
        })
      ])
    }
  }

  const paramText = (p: Param): string => (p.text ? p.value : decodeLatin1String(p.value, encoding))

  /** A field part starts (its count is taken). */
  const startField = (name: string, base64: boolean): Effect.Effect<never, RequestDataTooBig> | undefined => {
    const field = { _tag: "Field" as const, name, cost: len(name) + 2, base64, chunks: [], size: 0 }
    part = field
    return checkData(field.size, field.cost)
  }

  /** `startPart` for a segment starting with a simple field header (`simpleFieldNameEnd`). */
  const startSimpleField = (bytes: Uint8Array, nameEnd: number): Effect.Effect<void, ParseError> | undefined => {
    registerPending()
    const err = countField()
    if (err) return Effect.fail(err)
    // Plain ASCII: as text it is its own latin-1 and UTF-8 decoding.
    return startField(bytesStrip(latin1(bytes.subarray(SIMPLE_FIELD_NAME_START, nameEnd))), false)
  }

  /** The part's headers are known: Django's loop body up to reading the data. */
  const startPart = (block: string | undefined): Effect.Effect<void, ParseError | E, R> | undefined => {
    const { headers, type } = block === undefined
      ? { headers: new Map() as Headers, type: "raw" as const }
      : parseHeaderBlock(block)
    registerPending()
    if (type !== "file") {
      const err = countField()
      if (err) return Effect.fail(err)
    }
    const disposition = headers.get("content-disposition")
    const rawName = disposition?.params.get("name")
    if (disposition === undefined || rawName === undefined) {
      part = { _tag: "Skip" }
      return undefined
    }
    const name = rawName.text ? strip(rawName.value) : decodeLatin1String(bytesStrip(rawName.value), encoding)
    const te = headers.get("content-transfer-encoding")
    const base64 = te !== undefined && strip(te.value) === "base64"
    if (type === "field") return startField(name, base64)
    numFiles++
    if (maxFiles !== null && numFiles > maxFiles) {
      return Effect.fail(
        new TooManyFilesSent({ message: "The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES." })
      )
    }
    const sanitized = sanitizeFileName(paramText(disposition.params.get("filename")!))
    if (sanitized === undefined) {
      part = { _tag: "Skip" }
      return undefined
    }
    const ct = headers.get("content-type")
    const contentTypeExtra: Record<string, string> = {}
    if (ct !== undefined) { for (const [k, v] of ct.params) contentTypeExtra[k] = v.value }
    const headerRecord: Record<string, string> = {}
    for (const [k, v] of headers) headerRecord[k] = strip(v.value)
    const info: UploadedFile.FileInfo = {
      fieldName: name,
      name: truncateFileName(sanitized),
      contentType: ct === undefined ? "" : strip(ct.value),
      charset: ct?.params.get("charset")?.value ?? null,
      contentTypeExtra,
      headers: headerRecord
    }
    const userProvided = onFile?.(info)
    const makeSink: Effect.Effect<FileSink, PlatformError.PlatformError, R> = userProvided !== undefined
      ? sinks.user(userProvided)
      : diskFromStart
      ? sinks.disk(info.name, [])
      : Effect.succeed(sinks.memory(info.name))
    return Effect.map(Effect.orDie(makeSink), (sink) => {
      part = { _tag: "File", info, base64, b64: [], b64size: 0, size: 0, sink }
    })
  }

  const checkData = (size: number, cost: number): Effect.Effect<never, RequestDataTooBig> | undefined => {
    if (maxData !== null && dataUsed + size + cost > maxData) {
      return Effect.fail(
        new RequestDataTooBig({ message: "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE." })
      )
    }
    return undefined
  }

  const fileWrite = (
    file: Part & { _tag: "File" },
    chunk: Uint8Array
  ): Effect.Effect<void, ParseError | E, R> | undefined => {
    if (chunk.length === 0) return undefined
    file.size += chunk.length
    return file.sink.write(chunk) as Effect.Effect<void, E, R> | undefined
  }

  const b64Error = () => Effect.fail(new MultiPartParserError({ message: "Could not decode base64 data." }))

  /** Decodes the aligned prefix of the buffered base64 text (all of it at the end of the part). */
  const flushBase64 = (
    file: Part & { _tag: "File" },
    final: boolean
  ): Effect.Effect<void, ParseError | E, R> | undefined => {
    const text = concat(file.b64, file.b64size)
    const aligned = Math.floor(text.length / 4) * 4
    const rest = text.subarray(aligned)
    file.b64 = rest.length > 0 ? [rest.slice()] : []
    file.b64size = rest.length
    if (final && rest.length > 0) return b64Error()
    if (aligned === 0) return undefined
    const decoded = b64decode(text.subarray(0, aligned))
    if (decoded === undefined) return b64Error()
    return fileWrite(file, decoded)
  }

  /** Bytes of the current part's content (after its headers). */
  const partData = (chunk: Uint8Array): Effect.Effect<void, ParseError | E, R> | undefined => {
    if (chunk.length === 0 || part === undefined) return undefined
    switch (part._tag) {
      case "Skip":
        return undefined
      case "Field": {
        part.size += chunk.length
        const err = checkData(part.size, part.cost)
        if (err) return err
        // Pieces are never written to after they are handed out; a field is decoded at its end.
        part.chunks.push(chunk)
        return undefined
      }
      case "File": {
        if (!part.base64) return fileWrite(part, chunk)
        // Whitespace is dropped; the rest is decoded in aligned pieces of bounded size.
        const stripped = stripWhitespace(chunk)
        if (stripped.length > 0) {
          part.b64.push(stripped)
          part.b64size += stripped.length
        }
        return part.b64size >= B64_BUFFER ? flushBase64(part, false) : undefined
      }
      case "Headers": {
        if (part.size === 0) {
          const nameEnd = simpleFieldNameEnd(chunk)
          if (nameEnd >= 0) {
            const started = startSimpleField(chunk, nameEnd)
            const data = chunk.subarray(nameEnd + 5)
            return started === undefined ? partData(data) : andThen(started, () => partData(data))
          }
        }
        const take = Math.min(MAX_HEADER_SIZE - part.size, chunk.length)
        part.buffer.push(chunk.subarray(0, take))
        part.size += take
        const buf = concat(part.buffer, part.size)
        const end = Buffer.from(buf.buffer, buf.byteOffset, buf.length).indexOf(CRLFCRLF)
        if (end >= 0) {
          const after = buf.subarray(end + 4)
          const rest = chunk.subarray(take)
          const started = startPart(latin1(buf.subarray(0, end)))
          return andThen(started, () => andThen(partData(after), () => partData(rest)))
        }
        if (part.size >= MAX_HEADER_SIZE) {
          // No header block within the first 1024 bytes: a raw part.
          return startPart(undefined)
        }
        part.buffer.length = 0
        part.buffer.push(buf.slice())
        return undefined
      }
    }
  }

  /** The current part ends (at a delimiter, or at the end of the body). */
  const endPart = (): Effect.Effect<void, ParseError | E, R> | undefined => {
    const current = part
    part = undefined
    if (current === undefined) return undefined
    switch (current._tag) {
      case "Skip":
        return undefined
      case "Headers":
        return startPart(undefined)
      case "Field": {
        const raw = concat(current.chunks, current.size)
        dataUsed += current.size + current.cost
        const data = current.base64 ? (b64decode(raw) ?? raw) : raw
        fields.push([current.name, decode(data, encoding)])
        return undefined
      }
      case "File": {
        const finish = () =>
          Effect.map(current.sink.close(), (storage) => {
            pending = { name: current.info.fieldName, file: current, storage }
          }) as Effect.Effect<void, E>
        return current.base64 ? andThen(flushBase64(current, true), finish) : finish()
      }
    }
  }

  const startSegment = (): void => {
    segment++
    heldCR = false
    part = { _tag: "Headers", buffer: [], size: 0 }
  }

  /** A piece of the body between delimiters, tagged with its segment index. */
  const piece = (index: number, chunk: Uint8Array): Effect.Effect<void, ParseError | E, R> | undefined => {
    if (index !== segment) {
      // The segment before ends at a delimiter (its trailing CR is dropped). Segments
      // left empty between two delimiters are still parts (raw ones), as in Django.
      const ended = segment >= 0 ? endPart() : undefined
      if (ended === undefined) {
        startSegment()
        return piece(index, chunk)
      }
      return andThen(ended, () => {
        startSegment()
        return piece(index, chunk)
      })
    }
    if (index === 0 && seedPending) {
      seedPending = false
      chunk = chunk.subarray(1)
    }
    if (chunk.length === 0) return undefined
    const prefix = heldCR
    heldCR = chunk[chunk.length - 1] === 13
    const body = heldCR ? chunk.subarray(0, chunk.length - 1) : chunk
    return prefix ? andThen(partData(CR), () => partData(body)) : partData(body)
  }

  // ---- driving the search ---------------------------------------------------

  // What the search found, in two parallel arrays (no tuple per piece).
  const queueIndex: Array<number> = []
  const queueChunk: Array<Uint8Array> = []
  const search = Search.make(`\n--${boundary}`, (index, chunk) => {
    queueIndex.push(index)
    queueChunk.push(chunk)
  })
  // A "\n" before the body lets a delimiter at its very start match (segment 0 drops it again).
  search.write(NL)

  let queued = 0
  const drain: Effect.Effect<void, ParseError | E, R> = Effect.suspend(function loop(): Effect.Effect<
    void,
    ParseError | E,
    R
  > {
    while (queued < queueIndex.length) {
      const next = piece(queueIndex[queued]!, queueChunk[queued]!)
      queued++
      if (next !== undefined) return Effect.zipRight(next, Effect.suspend(loop))
    }
    queueIndex.length = 0
    queueChunk.length = 0
    queued = 0
    return Effect.void
  })

  // The last bytes of the body (after the "\n" seed), to tell whether it ends with a delimiter.
  const needle = fromLatin1(`\n--${boundary}`)
  let last: Uint8Array = NL
  const remember = (chunk: Uint8Array) => {
    if (chunk.length >= needle.length) last = chunk.slice(chunk.length - needle.length)
    else {
      const joined = new Uint8Array(Math.min(needle.length, last.length + chunk.length))
      const fromLast = joined.length - chunk.length
      joined.set(last.subarray(last.length - fromLast), 0)
      joined.set(chunk, fromLast)
      last = joined
    }
  }
  const endsWithDelimiter = () => last.length === needle.length && Buffer.compare(last, needle) === 0

  const feed = (chunk: Uint8Array): Effect.Effect<void, ParseError | E, R> => {
    if (remaining <= 0 || chunk.length === 0) return Effect.void
    if (chunk.length > remaining) chunk = chunk.subarray(0, remaining)
    remaining -= chunk.length
    bytesSeen += chunk.length
    remember(chunk)
    search.write(chunk)
    return queueIndex.length === 0 ? Effect.void : drain
  }

  const finish = Effect.suspend(() => {
    search.end()
    return Effect.zipRight(
      drain,
      Effect.suspend(() => {
        if (bytesSeen === 0) return Effect.void
        if (segment < 0) startSegment()
        // A last segment without a delimiter after it ends with the body, CR included.
        const tail = heldCR && !endsWithDelimiter() ? partData(CR) : undefined
        heldCR = false
        return andThen(tail, () =>
          andThen(endPart(), () => {
            // A file whose delimiter is the very end of the body never completes (Django drops it).
            const dropped = pending
            pending = undefined
            return dropped !== undefined && dropped.storage._tag === "Temporary"
              ? Effect.ignore(fs.remove(dropped.storage.path))
              : undefined
          })) ?? Effect.void
      })
    )
  })

  const cleanup = Effect.suspend(() => {
    const current = part
    part = undefined
    return Effect.zipRight(
      current !== undefined && current._tag === "File" ? current.sink.discard() : Effect.void,
      sinks.close
    )
  })

  // Pulling by hand costs less per request than Stream.runForEach.
  const readBody = Effect.scoped(Effect.flatMap(Stream.toPull(options.body), (pull) => {
    const step: Effect.Effect<void, ParseError | E, R> = Effect.matchEffect(pull, {
      onFailure: (error) => Option.isNone(error) ? Effect.void : Effect.fail(error.value),
      onSuccess: (chunk) =>
        chunk.length === 1
          ? Effect.zipRight(feed(Chunk.unsafeHead(chunk)), next)
          : Effect.zipRight(Effect.forEach(chunk, feed, { discard: true }), next)
    })
    const next = Effect.suspend(() => step)
    return step
  }))

  return readBody.pipe(
    Effect.zipRight(finish),
    Effect.onError(() => Effect.uninterruptible(cleanup)),
    Effect.as({ fields, files })
  )
}

const CR = new Uint8Array([13])

/** Drops ASCII whitespace (Python's `bytes.split()` separators). */
const stripWhitespace = (chunk: Uint8Array): Uint8Array => {
  const out = new Uint8Array(chunk.length)
  let n = 0
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i]!
    if (!(b === 32 || (b >= 9 && b <= 13))) out[n++] = b
  }
  return out.subarray(0, n)
}

const andThen = <E, R>(
  first: Effect.Effect<void, E, R> | undefined,
  next: () => Effect.Effect<void, E, R> | undefined
): Effect.Effect<void, E, R> | undefined => {
  if (first === undefined) return next()
  return Effect.flatMap(first, () => next() ?? Effect.void)
}
