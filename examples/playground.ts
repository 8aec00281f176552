/**
 * The playground of docs/Playground.md: `/inspect/` shows how a request was parsed, `/respond/`
 * builds a response from query parameters. Their output equals that of the same two views
 * written with Django 3.2 (`scripts/django/playground/playground/views.py`), which
 * `test/Playground.diff.test.ts` checks.
 */
import type { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, Either, Stream } from "effect"
import * as Crypto from "node:crypto"
import {
  Errors,
  HttpRequest,
  HttpResponse,
  ResponseCookies,
  Settings,
  Signing,
  StreamingHttpResponse,
  UploadedFile
} from "../src/index.js"
import type { View } from "../src/index.js"
import { get, getList, lists } from "./compat.js"

// ---------------------------------------------------------------------------
// Python's json.dumps output, with dicts that keep their order
// ---------------------------------------------------------------------------

/** A JSON object whose keys keep the given order (JS objects put integer-like keys first). */
export class Dict {
  constructor(readonly entries: ReadonlyArray<readonly [string, Json]>) {}
}

export type Json = string | number | boolean | null | ReadonlyArray<Json> | Dict

const dumpString = (s: string): string => Either.getOrThrow(HttpResponse.jsonDumps(s))

/** `json.dumps(value)` with Python's defaults (`", "`, `": "`, ASCII only). */
export const dumps = (value: Json): string => {
  if (value === null) return "null"
  if (typeof value === "string") return dumpString(value)
  if (typeof value === "number") return String(value)
  if (typeof value === "boolean") return value ? "true" : "false"
  if (value instanceof Dict) return `{${value.entries.map(([k, v]) => `${dumpString(k)}: ${dumps(v)}`).join(", ")}}`
  return `[${value.map(dumps).join(", ")}]`
}

const jsonResponse = (value: Json) => HttpResponse.make({ content: dumps(value), contentType: "application/json" })

const error = (e: { readonly _tag: string }): Dict => new Dict([["error", e._tag]])

/** Python's `int(text)` for ASCII text: surrounding whitespace, a sign, digits with single `_` between them. */
export const pyInt = (text: string): Either.Either<number, Errors.InvalidArgument> => {
  const m = /^[\s\x1c-\x1f]*([+-]?\d+(?:_\d+)*)[\s\x1c-\x1f]*$/.exec(text)
  return m === null
    ? Either.left(new Errors.InvalidArgument({ message: `invalid literal for int() with base 10: '${text}'` }))
    : Either.right(Number(m[1]!.replace(/_/g, "")))
}

// ---------------------------------------------------------------------------
// /inspect/
// ---------------------------------------------------------------------------

/** What POST and FILES may fail with that the playground shows as `{"error": NAME}` (Django's except clause). */
const isBodyError = (e: { readonly _tag: string }): boolean =>
  Errors.isSuspiciousOperation(e) || e._tag === "MultiPartParserError" || e._tag === "UnreadablePostError"

/**
 * The SHA-256 of an uploaded file (FILES holds `UploadedFile`s), read as a stream of chunks: a
 * large upload spilled to disk is never held in memory whole.
 */
const fileSha256 = (
  file: HttpRequest.UploadedFileLike
): Effect.Effect<string, PlatformError, FileSystem.FileSystem> =>
  UploadedFile.isUploadedFile(file)
    ? Stream.runFold(UploadedFile.chunks(file), Crypto.createHash("sha256"), (hash, chunk) => hash.update(chunk)).pipe(
      Effect.map((hash) => hash.digest("hex"))
    )
    : Effect.dieMessage("FILES holds a value that is not an UploadedFile")

/** A file of FILES as the playground shows it; its bytes hashed. */
export const describeFile = (file: HttpRequest.UploadedFileLike) =>
  Effect.map(fileSha256(file), (sha256) =>
    new Dict([
      ["name", file.name],
      ["size", file.size],
      ["content_type", file.contentType],
      ["charset", file.charset],
      ["sha256", sha256]
    ]))

const META_KEYS = ["QUERY_STRING", "REQUEST_METHOD", "PATH_INFO", "CONTENT_TYPE", "CONTENT_LENGTH"]

/**
 * `ANY /inspect/<anything>`.
 */
export const inspect: View.View<unknown, Settings.Settings | FileSystem.FileSystem> = (request) =>
  Effect.gen(function*() {
    const settings = yield* Settings.current
    const host: Json = yield* HttpRequest.getHost(request).pipe(
      Effect.catchTag("DisallowedHost", (e) => Effect.succeed(error(e)))
    )
    const absoluteUri: Json = yield* HttpRequest.buildAbsoluteUri(request).pipe(
      Effect.catchTag("DisallowedHost", (e) => Effect.succeed(error(e)))
    )
    const [post, files]: [Json, Json] = yield* Effect.all([request.POST, request.FILES]).pipe(
      Effect.flatMap(([post, files]) =>
        Effect.map(
          Effect.forEach(lists(files), ([key, values]) =>
            Effect.map(
              Effect.forEach(values, describeFile),
              (described): Json => [key, described]
            )),
          (fileLists): [Json, Json] => [lists(post).map(([k, vs]): Json => [k, [...vs]]), fileLists]
        )
      ),
      Effect.catchIf(isBodyError, (e): Effect.Effect<[Json, Json]> => Effect.succeed([error(e), error(e)]))
    )

    const get_ = yield* request.GET
    const maxAgeText = get(get_, "__max_age")
    const maxAge = maxAgeText === undefined ? undefined : yield* pyInt(maxAgeText)
    const signed: Array<readonly [string, Json]> = []
    for (const [name, value] of Object.entries(request.COOKIES)) {
      const result: Json = yield* Signing.unsignCookie(settings, name, value, { salt: "", maxAge }).pipe(
        Effect.catchTags({
          BadSignature: (e) => Effect.succeed(error(e)),
          SignatureExpired: (e) => Effect.succeed(error(e))
        })
      )
      signed.push([name, result])
    }

    const meta: Array<readonly [string, Json]> = []
    for (const key of META_KEYS) {
      const value = request.META[key]
      if (value !== undefined) meta.push([key, value])
    }
    for (const [key, value] of Object.entries(request.META)) {
      if (key.startsWith("HTTP_")) meta.push([key, value])
    }

    return yield* jsonResponse(
      new Dict([
        ["method", request.method],
        ["path", request.path],
        ["path_info", request.pathInfo],
        ["full_path", HttpRequest.getFullPath(request)],
        ["host", host],
        ["absolute_uri", absoluteUri],
        ["scheme", yield* HttpRequest.scheme(request)],
        ["is_secure", yield* HttpRequest.isSecure(request)],
        ["encoding", request.encoding],
        ["GET", lists(get_).map(([k, vs]): Json => [k, [...vs]])],
        ["POST", post],
        ["FILES", files],
        ["COOKIES", new Dict(Object.entries(request.COOKIES))],
        ["SIGNED", new Dict(signed)],
        ["META", new Dict(meta)]
      ])
    )
  })

// ---------------------------------------------------------------------------
// /respond/
// ---------------------------------------------------------------------------

/** Streaming chunk counts above this are a bad argument (a public playground must not stream forever). */
export const MAX_CHUNKS = 1000

const stripSpaces = (s: string): string => s.replace(/^ +| +$/g, "")

/** Python's `str.partition(sep)`. */
const partition = (s: string, sep: string): readonly [string, string, string] => {
  const i = s.indexOf(sep)
  return i < 0 ? [s, "", ""] : [s.slice(0, i), sep, s.slice(i + sep.length)]
}

const invalid = (message: string) => new Errors.InvalidArgument({ message })

/**
 * `GET /respond/?kind=...`: one response built from the query parameters; failures go to the
 * normal error mapping (`DisallowedRedirect` 400, `BadHeaderError` and bad arguments 500).
 */
export const respond: View.View<unknown, Settings.Settings> = (request) =>
  Effect.gen(function*() {
    const settings = yield* Settings.current
    const q = yield* request.GET
    const kind = get(q, "kind") ?? "plain"
    const content = get(q, "content") ?? ""
    let response: HttpResponse.AnyResponse

    switch (kind) {
      case "plain": {
        const status = get(q, "status")
        const contentType = get(q, "content_type")
        const charset = get(q, "charset")
        response = yield* HttpResponse.make({
          content,
          ...(status !== undefined ? { status: yield* pyInt(status) } : {}),
          ...(contentType !== undefined ? { contentType } : {}),
          ...(charset !== undefined ? { charset } : {})
        })
        break
      }
      case "redirect":
        response = yield* HttpResponse.redirect(get(q, "url") ?? "", { content })
        break
      case "permanent_redirect":
        response = yield* HttpResponse.permanentRedirect(get(q, "url") ?? "", { content })
        break
      case "not_modified":
        response = yield* HttpResponse.notModified({ content })
        break
      case "bad_request":
        response = yield* HttpResponse.badRequest({ content })
        break
      case "not_found":
        response = yield* HttpResponse.notFound({ content })
        break
      case "forbidden":
        response = yield* HttpResponse.forbidden({ content })
        break
      case "not_allowed":
        response = yield* HttpResponse.notAllowed((get(q, "methods") ?? "").split(","), { content })
        break
      case "gone":
        response = yield* HttpResponse.gone({ content })
        break
      case "server_error":
        response = yield* HttpResponse.serverError({ content })
        break
      case "json":
        response = yield* HttpResponse.json({ content })
        break
      case "streaming": {
        const n = yield* pyInt(get(q, "n") ?? "1")
        if (n < 0 || n > MAX_CHUNKS) return yield* Effect.fail(invalid(`n must be from 0 to ${MAX_CHUNKS}`))
        response = yield* StreamingHttpResponse.make(Stream.fromIterable(Array.from({ length: n }, () => content)))
        break
      }
      default:
        return yield* Effect.fail(invalid(`unknown kind '${kind}'`))
    }

    for (const header of getList(q, "header")) {
      const [rawName, sep, rawValue] = partition(header, ":")
      const name = stripSpaces(rawName)
      if (sep === "" || name === "") return yield* Effect.fail(invalid("header must be 'Name: Value'"))
      response = yield* HttpResponse.setHeader(response, name, stripSpaces(rawValue))
    }

    const maxAge = get(q, "max_age")
    const path = get(q, "path")
    const domain = get(q, "domain")
    const sameSite = get(q, "samesite")
    const options: ResponseCookies.CookieOptions = {
      ...(maxAge !== undefined ? { maxAge: yield* pyInt(maxAge) } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(domain !== undefined ? { domain } : {}),
      ...(sameSite !== undefined ? { sameSite } : {}),
      secure: get(q, "secure") === "1",
      httpOnly: get(q, "httponly") === "1"
    }

    for (const cookie of getList(q, "cookie")) {
      const [name, , value] = partition(cookie, "=")
      response = yield* ResponseCookies.setCookie(response, name, value, options)
    }
    for (const cookie of getList(q, "signed_cookie")) {
      const [name, , value] = partition(cookie, "=")
      const signed = yield* Signing.signCookie(settings, name, value, { salt: get(q, "salt") ?? "" })
      response = yield* ResponseCookies.setCookie(response, name, signed, options)
    }
    for (const name of getList(q, "delete_cookie")) {
      response = yield* ResponseCookies.deleteCookie(response, name, {
        path: path ?? "/",
        ...(domain !== undefined ? { domain } : {}),
        ...(sameSite !== undefined ? { sameSite } : {})
      })
    }
    return response
  })
