/**
 * The one place HttpRequest touches QueryDict / MultiValueDict.
 *
 * PLACEHOLDER until `src/QueryDict.ts` lands from the querydict work: a minimal
 * QueryDict with Django's `parse_qsl` rules behind the agreed contract
 * (`parse(input, { encoding, maxNumFields }) -> Either<QueryDict, TooManyFieldsSent>`,
 * `empty`, `fromEntries`). When the real module lands, this file re-exports it.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { TooManyFieldsSent } from "../Errors.js"

/** A read-only multimap of strings. */
export interface QueryDict {
  readonly encoding: string
  readonly lists: ReadonlyArray<readonly [string, ReadonlyArray<string>]>
}

/** A read-only multimap. */
export interface MultiValueDict<V> {
  readonly lists: ReadonlyArray<readonly [string, ReadonlyArray<V>]>
}

const group = <V>(entries: Iterable<readonly [string, V]>): Array<readonly [string, ReadonlyArray<V>]> => {
  const map = new Map<string, Array<V>>()
  for (const [k, v] of entries) {
    const list = map.get(k)
    if (list) list.push(v)
    else map.set(k, [v])
  }
  return [...map]
}

export const emptyMultiValueDict = <V>(): MultiValueDict<V> => ({ lists: [] })

export const empty = (encoding = "utf-8"): QueryDict => ({ encoding, lists: [] })

export const fromEntries = (entries: Iterable<readonly [string, string]>, encoding = "utf-8"): QueryDict => ({
  encoding,
  lists: group(entries)
})

export const lists = (q: QueryDict): ReadonlyArray<readonly [string, ReadonlyArray<string>]> => q.lists

export const getList = (q: QueryDict, key: string): ReadonlyArray<string> => q.lists.find(([k]) => k === key)?.[1] ?? []

const decodeBytes = (bytes: Uint8Array, encoding: string): string => {
  const label = encoding.toLowerCase().replace(/_/g, "-")
  if (label === "latin-1" || label === "latin1" || label === "iso-8859-1" || label === "l1") {
    let s = ""
    for (const b of bytes) s += String.fromCharCode(b)
    return s
  }
  try {
    return new TextDecoder(label).decode(bytes)
  } catch {
    return new TextDecoder().decode(bytes)
  }
}

const unquotePlus = (s: string, encoding: string): string => {
  const t = s.replace(/\+/g, " ")
  if (!t.includes("%")) return t
  return t.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3)
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16)
    return decodeBytes(bytes, encoding)
  })
}

const decodeInput = (bytes: Uint8Array, encoding: string): string => {
  const label = encoding.toLowerCase().replace(/_/g, "-")
  if (label === "utf-8" || label === "utf8") {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
    } catch {
      return decodeBytes(bytes, "latin-1")
    }
  }
  return decodeBytes(bytes, encoding)
}

export const parse = (
  input: string | Uint8Array,
  options?: { readonly encoding?: string; readonly maxNumFields?: number | null }
): Either.Either<QueryDict, TooManyFieldsSent> => {
  const encoding = options?.encoding ?? "utf-8"
  const text = typeof input === "string" ? input : decodeInput(input, encoding)
  const max = options?.maxNumFields ?? null
  if (max !== null && 1 + (text.split("&").length - 1) > max) {
    return Either.left(
      new TooManyFieldsSent({
        message: "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
      })
    )
  }
  const entries: Array<readonly [string, string]> = []
  for (const field of text.split("&")) {
    if (field === "") continue
    const eq = field.indexOf("=")
    const k = eq === -1 ? field : field.slice(0, eq)
    const v = eq === -1 ? "" : field.slice(eq + 1)
    entries.push([unquotePlus(k, encoding), unquotePlus(v, encoding)])
  }
  return Either.right(fromEntries(entries, encoding))
}
