/**
 * Django's `QueryDict`: a `MultiValueDict` of strings parsed from a query
 * string or an `application/x-www-form-urlencoded` body, plus the encoding it
 * was decoded with (used again by `urlencode`).
 *
 * Django's `request.GET` is immutable and `copy()` gives a mutable deep copy;
 * here every QueryDict is a persistent value: the "mutators" (`set`,
 * `appendList`, `update`, ...) return a new QueryDict and leave the original
 * untouched, so there is nothing to copy and no `_mutable` flag. Every
 * `MultiValueDict` getter (`get`, `getOrFail`, `getList`, `lists`, ...) works
 * on a QueryDict; they are re-exported here.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import { hasProperty } from "effect/Predicate"
import { TooManyFieldsSent } from "./Errors.js"
import * as internal from "./internal/multiValueDict.js"
import * as codec from "./internal/python/codecs.js"
import * as qs from "./internal/queryString.js"
import * as MultiValueDict from "./MultiValueDict.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-django-http/QueryDict")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A persistent multimap of strings with its encoding.
 *
 * @since 0.1.0
 * @category models
 */
export interface QueryDict extends MultiValueDict.MultiValueDict<string> {
  readonly [TypeId]: TypeId
  /** The encoding the query string was decoded with (`urlencode` encodes with it). */
  readonly encoding: string
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isQueryDict = (u: unknown): u is QueryDict => hasProperty(u, TypeId)

const Proto: object = Object.assign(Object.create(internal.Proto), { [TypeId]: TypeId })

type Impl = internal.Internal<string> & { readonly encoding: string }

const impl = (self: QueryDict): Impl => self as unknown as Impl
const wrap = (self: Impl): QueryDict => self as unknown as QueryDict

const DEFAULT_ENCODING = "utf-8"

const make = (native: ReadonlyMap<string, ReadonlyArray<string>>, encoding: string): QueryDict =>
  wrap(internal.fromNative<Impl, string>(Proto, native, encoding))

// ---------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------

/**
 * Options of `parse`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParseOptions {
  /** The encoding percent-escapes decode with (Django's `DEFAULT_CHARSET`, `utf-8`). */
  readonly encoding?: string
  /** Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS`, 1000 by default; `null` disables the check. */
  readonly maxNumFields?: number | null
}

const MESSAGE = "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."

/**
 * `QueryDict(query_string, encoding=...)` with Django's rules: only `&`
 * separates fields, the first `=` separates name and value, `+` is a space,
 * blank values are kept (`a` and `a=` give `['']`), empty segments are skipped,
 * invalid percent escapes stay as they are and invalid byte sequences become
 * U+FFFD, as Python's `errors='replace'` does. Percent-decoded bytes are
 * decoded with `encoding`, with Python's codec names (`latin-1` is true
 * ISO-8859-1, not windows-1252) and any WHATWG encoding.
 *
 * Bytes decode with the encoding first, falling back to ISO-8859-1 when they
 * are not valid in it, as Django does.
 *
 * More than `maxNumFields` fields, counted as Django counts them
 * (`1 + count('&')`, a trailing `&` included), fail with `TooManyFieldsSent`
 * before any value is decoded.
 *
 * O(length of the input).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { QueryDict } from "effect-django-http"
 *
 * const q = Either.getOrThrow(QueryDict.parse("a=1;b=2&c=%20+x&d&=e&f=&&"))
 * QueryDict.lists(q) // [["a", ["1;b=2"]], ["c", ["  x"]], ["d", [""]], ["", ["e"]], ["f", [""]]]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (
  input: string | Uint8Array,
  options?: ParseOptions
): Either.Either<QueryDict, TooManyFieldsSent> => {
  const encoding = options?.encoding ?? DEFAULT_ENCODING
  const maxNumFields = options?.maxNumFields === undefined ? 1000 : options.maxNumFields
  const c = encoding === DEFAULT_ENCODING ? codec.UTF8_CODEC : codec.lookup(encoding)
  const s = typeof input === "string" ? input : c.decodeStrict(input) ?? codec.LATIN1_CODEC.decode(input)
  const map = new Map<string, Array<string>>()
  const ok = qs.parseInto(s, c, maxNumFields, map)
  return ok ? Either.right(make(map, encoding)) : Either.left(new TooManyFieldsSent({ message: MESSAGE }))
}

/**
 * An empty QueryDict (Django's `QueryDict()`). O(1).
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty = (encoding: string = DEFAULT_ENCODING): QueryDict => make(new Map(), encoding)

/**
 * A QueryDict from `[key, value]` pairs, repeated keys appended. O(m).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromEntries = (
  entries: Iterable<readonly [string, string]>,
  encoding: string = DEFAULT_ENCODING
): QueryDict => {
  const builder = new internal.Builder<string>()
  for (const [key, value] of entries) builder.append(key, value)
  return make(builder.map, encoding)
}

/**
 * A QueryDict from `[key, values]` pairs; a repeated key keeps its first
 * position and its last list. O(m + total values).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromLists = (
  lists: Iterable<readonly [string, ReadonlyArray<string>]>,
  encoding: string = DEFAULT_ENCODING
): QueryDict => {
  const builder = new internal.Builder<string>()
  for (const [key, values] of lists) builder.setList(key, values)
  return make(builder.map, encoding)
}

/**
 * Django's `QueryDict.fromkeys(keys, value='', encoding=None)`: each key gets
 * `value` appended, so a repeated key gets it once per occurrence. O(m).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromKeys = (
  keys: Iterable<string>,
  value: string = "",
  encoding: string = DEFAULT_ENCODING
): QueryDict => {
  const builder = new internal.Builder<string>()
  for (const key of keys) builder.append(key, value)
  return make(builder.map, encoding)
}

// ---------------------------------------------------------------------------
// getters (shared with MultiValueDict)
// ---------------------------------------------------------------------------

export {
  /**
   * Schema decoding: scalars take the last value, arrays every value. See `MultiValueDict.decode`.
   *
   * @since 0.1.0
   * @category decoding
   */
  decode,
  /**
   * `decode` as an `Either`.
   *
   * @since 0.1.0
   * @category decoding
   */
  decodeEither,
  /**
   * A plain object of last values. O(n).
   *
   * @since 0.1.0
   * @category getters
   */
  dict,
  /**
   * The last value of a key, `None` when absent or empty. O(1) / O(log n).
   *
   * @since 0.1.0
   * @category getters
   */
  get,
  /**
   * Every value of a key, `[]` when absent (Django's `getlist`). O(k).
   *
   * @since 0.1.0
   * @category getters
   */
  getList,
  /**
   * The last value of a key or `MultiValueDictKeyError` (Django's `q[key]`). O(1) / O(log n).
   *
   * @since 0.1.0
   * @category getters
   */
  getOrFail,
  /**
   * Whether a key is present. O(1) / O(log n).
   *
   * @since 0.1.0
   * @category getters
   */
  has,
  /**
   * `[key, last value]` pairs. O(n).
   *
   * @since 0.1.0
   * @category getters
   */
  items,
  /**
   * The keys in order. O(n).
   *
   * @since 0.1.0
   * @category getters
   */
  keys,
  /**
   * `[key, values]` pairs. O(n).
   *
   * @since 0.1.0
   * @category getters
   */
  lists,
  /**
   * The number of keys. O(1).
   *
   * @since 0.1.0
   * @category getters
   */
  size,
  /**
   * The last value of every key. O(n).
   *
   * @since 0.1.0
   * @category getters
   */
  values
} from "./MultiValueDict.js"

// ---------------------------------------------------------------------------
// combinators
// ---------------------------------------------------------------------------

/**
 * Replaces the values of a key (Django's `setlist`). O(log n).
 *
 * @since 0.1.0
 * @category combinators
 */
export const setList: {
  (key: string, values: ReadonlyArray<string>): (self: QueryDict) => QueryDict
  (self: QueryDict, key: string, values: ReadonlyArray<string>): QueryDict
} = dual(
  3,
  (self: QueryDict, key: string, values: ReadonlyArray<string>): QueryDict =>
    wrap(internal.setList(impl(self), key, values.slice()))
)

/**
 * Sets a key to one value (Django's `q[key] = value`). O(log n).
 *
 * @since 0.1.0
 * @category combinators
 */
export const set: {
  (key: string, value: string): (self: QueryDict) => QueryDict
  (self: QueryDict, key: string, value: string): QueryDict
} = dual(
  3,
  (self: QueryDict, key: string, value: string): QueryDict => wrap(internal.setList(impl(self), key, [value]))
)

/**
 * Appends a value to a key (Django's `appendlist`). O(log n + k).
 *
 * @since 0.1.0
 * @category combinators
 */
export const appendList: {
  (key: string, value: string): (self: QueryDict) => QueryDict
  (self: QueryDict, key: string, value: string): QueryDict
} = dual(
  3,
  (self: QueryDict, key: string, value: string): QueryDict => wrap(internal.extendList(impl(self), key, [value]))
)

/**
 * Django's `setdefault`: the key's last value afterwards and the QueryDict. O(log n).
 *
 * @since 0.1.0
 * @category combinators
 */
export const setDefault: {
  (key: string, value: string): (self: QueryDict) => readonly [Option.Option<string>, QueryDict]
  (self: QueryDict, key: string, value: string): readonly [Option.Option<string>, QueryDict]
} = dual(3, (self: QueryDict, key: string, value: string): readonly [Option.Option<string>, QueryDict] => {
  const [v, out] = MultiValueDict.setDefault(self, key, value)
  return [v, out as QueryDict]
})

/**
 * Django's `setlistdefault`: the key's list afterwards and the QueryDict. O(log n + k).
 *
 * @since 0.1.0
 * @category combinators
 */
export const setListDefault: {
  (key: string, values?: ReadonlyArray<string>): (self: QueryDict) => readonly [Array<string>, QueryDict]
  (self: QueryDict, key: string, values?: ReadonlyArray<string>): readonly [Array<string>, QueryDict]
} = dual(
  (args) => isQueryDict(args[0]),
  (self: QueryDict, key: string, values: ReadonlyArray<string> = []): readonly [Array<string>, QueryDict] => {
    const current = internal.getListOption(impl(self), key)
    if (current !== undefined) return [current.slice(), self]
    return [values.slice(), wrap(internal.setList(impl(self), key, values.slice()))]
  }
)

/**
 * Django's `update`: extends the lists with another dict's, `[key, value]`
 * pairs or a record. O(m (log n + k)).
 *
 * @since 0.1.0
 * @category combinators
 */
export const update: {
  (other: MultiValueDict.UpdateInput<string>): (self: QueryDict) => QueryDict
  (self: QueryDict, other: MultiValueDict.UpdateInput<string>): QueryDict
} = dual(
  2,
  (self: QueryDict, other: MultiValueDict.UpdateInput<string>): QueryDict => wrap(internal.update(impl(self), other))
)

/**
 * Removes a key (Django's `del q[key]`). O(log n).
 *
 * @since 0.1.0
 * @category combinators
 */
export const remove: {
  (key: string): (self: QueryDict) => QueryDict
  (self: QueryDict, key: string): QueryDict
} = dual(2, (self: QueryDict, key: string): QueryDict => wrap(internal.remove(impl(self), key)))

/**
 * Django's `pop(key)`: the key's list (`None` when absent) and the QueryDict without it. O(log n + k).
 *
 * @since 0.1.0
 * @category combinators
 */
export const pop: {
  (key: string): (self: QueryDict) => readonly [Option.Option<Array<string>>, QueryDict]
  (self: QueryDict, key: string): readonly [Option.Option<Array<string>>, QueryDict]
} = dual(2, (self: QueryDict, key: string): readonly [Option.Option<Array<string>>, QueryDict] => {
  const [v, out] = MultiValueDict.pop(self, key)
  return [v, out as QueryDict]
})

/**
 * Django's `popitem()`: the last inserted key and its list, and the rest. O(log n + k).
 *
 * @since 0.1.0
 * @category combinators
 */
export const popItem = (self: QueryDict): Option.Option<readonly [readonly [string, Array<string>], QueryDict]> =>
  Option.map(MultiValueDict.popItem(self), ([item, rest]) => [item, rest as QueryDict] as const)

/**
 * Django's `clear()`: an empty QueryDict with the same encoding. O(1).
 *
 * @since 0.1.0
 * @category combinators
 */
export const clear = (self: QueryDict): QueryDict => wrap(internal.clear(impl(self)))

/**
 * Sets the encoding `urlencode` uses (Django's `q.encoding = ...`). O(1).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withEncoding: {
  (encoding: string): (self: QueryDict) => QueryDict
  (self: QueryDict, encoding: string): QueryDict
} = dual(2, (self: QueryDict, encoding: string): QueryDict => {
  const i = impl(self)
  const out = Object.create(Proto)
  out.native = i.native
  out.persistent = i.persistent
  out.encoding = encoding
  return out
})

// ---------------------------------------------------------------------------
// conversions
// ---------------------------------------------------------------------------

/**
 * Options of `urlencode`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UrlencodeOptions {
  /** Characters not to escape; when given (and not empty) the output uses `quote` rules (`%20` for spaces). */
  readonly safe?: string
}

/**
 * Django's `QueryDict.urlencode(safe=None)`, byte for byte: keys and values
 * are encoded with the QueryDict's encoding; without `safe` each pair is
 * `urlencode`d (`+` for spaces, everything but letters, digits and `_.-~`
 * escaped), with `safe` each is `quote`d keeping those characters too.
 * Characters the encoding cannot represent become `?` (Django raises). O(total length).
 *
 * @example
 * ```ts
 * import { QueryDict } from "effect-django-http"
 *
 * const q = QueryDict.fromEntries([["next", "/a&b/ é"]])
 * QueryDict.urlencode(q) // "next=%2Fa%26b%2F+%C3%A9"
 * QueryDict.urlencode(q, { safe: "/" }) // "next=/a%26b/%20%C3%A9"
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const urlencode: {
  (options?: UrlencodeOptions): (self: QueryDict) => string
  (self: QueryDict, options?: UrlencodeOptions): string
} = dual(
  (args) => isQueryDict(args[0]),
  (self: QueryDict, options?: UrlencodeOptions): string =>
    qs.urlencode(internal.lists(impl(self)), codec.lookup(self.encoding), options?.safe)
)
