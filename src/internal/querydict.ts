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
  const bytes: Array<number> = []
  const enc = new TextEncoder()
  for (let i = 0; i < t.length;) {
    if (t[i] === "%" && /^[0-9a-fA-F]{2}$/.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16))
      i += 3
    } else {
      const cp = t.codePointAt(i)!
      const ch = String.fromCodePoint(cp)
      for (const b of enc.encode(ch)) bytes.push(b)
      i += ch.length
    }
  }
  return decodeBytes(Uint8Array.from(bytes), encoding)
}

export const parse = (
  input: string | Uint8Array,
  options?: { readonly encoding?: string; readonly maxNumFields?: number | null }
): Either.Either<QueryDict, TooManyFieldsSent> => {
  const encoding = options?.encoding ?? "utf-8"
  const text = typeof input === "string" ? input : decodeBytes(input, "latin-1")
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
