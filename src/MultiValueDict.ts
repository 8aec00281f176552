/**
 * Django's `MultiValueDict` (`django.utils.datastructures`) as a persistent,
 * insertion-ordered multimap: a key maps to a list of values, reads give the
 * last one, and every "mutation" returns a new dict sharing structure with
 * the old one.
 *
 * Representation: a dict built in one go (`fromEntries`, `fromLists`, the
 * `QueryDict` parser) is a frozen native `Map`, so reads are O(1) and building
 * it costs what collecting into a `Map` costs. The first write converts it,
 * once (memoised), to an effect `HashMap` of key to (insertion number, values)
 * plus a `RedBlackTree` from insertion number to key; from then on every write
 * is O(log n) and no operation copies the whole structure. Below, n is the
 * number of keys, k the number of values of the key involved, m the size of the
 * input. "O(log n)" on a frozen dict's first write is O(n) once.
 *
 * Equality is Django's: two dicts are equal when they have the same keys with
 * equal value lists, whatever the key order (a `QueryDict`'s encoding is not
 * compared either, as in Django).
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { Equal } from "effect/Equal"
import { dual } from "effect/Function"
import type { Inspectable } from "effect/Inspectable"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import type { Pipeable } from "effect/Pipeable"
import type * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import { MultiValueDictKeyError } from "./Errors.js"
import * as decoding from "./internal/decode.js"
import * as internal from "./internal/multiValueDict.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof internal.TypeId = internal.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A persistent, insertion-ordered multimap from string keys to lists of `V`.
 * Iterating it yields `[key, values]` pairs in insertion order (Django's `lists()`).
 *
 * @since 0.1.0
 * @category models
 */
export interface MultiValueDict<out V> extends Iterable<[string, ReadonlyArray<V>]>, Equal, Pipeable, Inspectable {
  readonly [TypeId]: { readonly _V: (_: never) => V }
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isMultiValueDict = (u: unknown): u is MultiValueDict<unknown> => internal.isInternal(u)

const Proto: object = internal.Proto

const make = <V>(native: ReadonlyMap<string, ReadonlyArray<V>>): MultiValueDict<V> =>
  internal.fromNative<internal.Internal<V>, V>(Proto, native) as unknown as MultiValueDict<V>

const impl = <V>(self: MultiValueDict<V>): internal.Internal<V> => self as unknown as internal.Internal<V>

const wrap = <V>(self: internal.Internal<V>): MultiValueDict<V> => self as unknown as MultiValueDict<V>

// ---------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------

/**
 * The empty dict. O(1).
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty = <V = never>(): MultiValueDict<V> => make(new Map())

/**
 * A dict from `[key, value]` pairs, appending repeated keys (Django's
 * `appendlist` for each pair, as the `QueryDict` constructor does). O(m).
 *
 * @example
 * ```ts
 * import { MultiValueDict } from "effect-django-http"
 *
 * const d = MultiValueDict.fromEntries([["a", 1], ["b", 2], ["a", 3]])
 * MultiValueDict.getList(d, "a") // [1, 3]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromEntries = <V>(entries: Iterable<readonly [string, V]>): MultiValueDict<V> => {
  const builder = new internal.Builder<V>()
  for (const [key, value] of entries) builder.append(key, value)
  return make(builder.map)
}

/**
 * A dict from `[key, values]` pairs, like `MultiValueDict({'a': ['1', '2']})`: a
 * repeated key keeps its first position and its last list. O(m + total values).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromLists = <V>(lists: Iterable<readonly [string, ReadonlyArray<V>]>): MultiValueDict<V> => {
  const builder = new internal.Builder<V>()
  for (const [key, values] of lists) builder.setList(key, values)
  return make(builder.map)
}

/**
 * `QueryDict.fromkeys(keys, value)`: every key gets `value` appended, so a
 * repeated key gets it more than once. O(m).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromKeys = <V>(keys: Iterable<string>, value: V): MultiValueDict<V> => {
  const builder = new internal.Builder<V>()
  for (const key of keys) builder.append(key, value)
  return make(builder.map)
}

// ---------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------

/**
 * The last value of `key` (Django's `d.get(key)`): `None` when the key is
 * absent or its list is empty, where Django returns the default.
 * O(1) frozen, O(log n) persistent.
 *
 * @since 0.1.0
 * @category getters
 */
export const get: {
  (key: string): <V>(self: MultiValueDict<V>) => Option.Option<V>
  <V>(self: MultiValueDict<V>, key: string): Option.Option<V>
} = dual(2, <V>(self: MultiValueDict<V>, key: string): Option.Option<V> => internal.get(impl(self), key))

/**
 * The last value of `key` (Django's `d[key]`), or `MultiValueDictKeyError`
 * whose message is Python's `repr` of the key, as Django's `KeyError` prints.
 * A key whose list is empty fails too (Django returns `[]`, which is not a `V`).
 * The `Either` is also an `Effect`: `yield*` it in `Effect.gen`. O(1) / O(log n).
 *
 * @since 0.1.0
 * @category getters
 */
export const getOrFail: {
  (key: string): <V>(self: MultiValueDict<V>) => Either.Either<V, MultiValueDictKeyError>
  <V>(self: MultiValueDict<V>, key: string): Either.Either<V, MultiValueDictKeyError>
} = dual(2, <V>(self: MultiValueDict<V>, key: string): Either.Either<V, MultiValueDictKeyError> => {
  const value = internal.get(impl(self), key)
  return value._tag === "Some"
    ? Either.right(value.value)
    : Either.left(new MultiValueDictKeyError({ message: internal.pyRepr(key) }))
})

/**
 * Every value of `key` (Django's `getlist`), `[]` when absent. A fresh array,
 * as Django returns a copy. O(k) plus the lookup.
 *
 * @since 0.1.0
 * @category getters
 */
export const getList: {
  (key: string): <V>(self: MultiValueDict<V>) => Array<V>
  <V>(self: MultiValueDict<V>, key: string): Array<V>
} = dual(2, <V>(self: MultiValueDict<V>, key: string): Array<V> => {
  const values = internal.getListOption(impl(self), key)
  return values === undefined ? [] : values.slice()
})

/**
 * Whether `key` is present (Django's `key in d`), even with an empty list.
 * O(1) / O(log n).
 *
 * @since 0.1.0
 * @category getters
 */
export const has: {
  (key: string): <V>(self: MultiValueDict<V>) => boolean
  <V>(self: MultiValueDict<V>, key: string): boolean
} = dual(2, <V>(self: MultiValueDict<V>, key: string): boolean => internal.has(impl(self), key))

/**
 * The number of keys (Django's `len(d)`). O(1).
 *
 * @since 0.1.0
 * @category getters
 */
export const size = <V>(self: MultiValueDict<V>): number => internal.size(impl(self))

/**
 * The keys in insertion order. O(n).
 *
 * @since 0.1.0
 * @category getters
 */
export const keys = <V>(self: MultiValueDict<V>): Array<string> => internal.keys(impl(self))

/**
 * The last value of every key, in order (Django's `values()`); keys whose list
 * is empty are skipped (Django yields `[]` for them). O(n).
 *
 * @since 0.1.0
 * @category getters
 */
export const values = <V>(self: MultiValueDict<V>): Array<V> => {
  const out: Array<V> = []
  for (const [, vs] of internal.lists(impl(self))) if (vs.length > 0) out.push(vs[vs.length - 1]!)
  return out
}

/**
 * `[key, last value]` pairs in order (Django's `items()`); keys whose list is
 * empty are skipped. O(n).
 *
 * @since 0.1.0
 * @category getters
 */
export const items = <V>(self: MultiValueDict<V>): Array<[string, V]> => {
  const out: Array<[string, V]> = []
  for (const [key, vs] of internal.lists(impl(self))) if (vs.length > 0) out.push([key, vs[vs.length - 1]!])
  return out
}

/**
 * `[key, values]` pairs in order (Django's `lists()`). O(n).
 *
 * @since 0.1.0
 * @category getters
 */
export const lists = <V>(self: MultiValueDict<V>): Array<[string, ReadonlyArray<V>]> => internal.lists(impl(self))

/**
 * A plain object of last values (Django's `dict()`); keys whose list is empty
 * are skipped. Keys such as `__proto__` become own properties. O(n).
 *
 * @since 0.1.0
 * @category getters
 */
export const dict = <V>(self: MultiValueDict<V>): { readonly [key: string]: V } => Object.fromEntries(items(self))

// ---------------------------------------------------------------------------
// combinators
// ---------------------------------------------------------------------------

/**
 * Replaces the values of `key` (Django's `setlist`); an existing key keeps its
 * position, a new one goes last. O(log n).
 *
 * @since 0.1.0
 * @category combinators
 */
export const setList: {
  <V>(key: string, values: ReadonlyArray<V>): (self: MultiValueDict<V>) => MultiValueDict<V>
  <V>(self: MultiValueDict<V>, key: string, values: ReadonlyArray<V>): MultiValueDict<V>
} = dual(
  3,
  <V>(self: MultiValueDict<V>, key: string, values: ReadonlyArray<V>): MultiValueDict<V> =>
    wrap(internal.setList(impl(self), key, values.slice()))
)

/**
 * Sets `key` to the single value `value` (Django's `d[key] = value`). O(log n).
 *
 * @since 0.1.0
 * @category combinators
 */
export const set: {
  <V>(key: string, value: V): (self: MultiValueDict<V>) => MultiValueDict<V>
  <V>(self: MultiValueDict<V>, key: string, value: V): MultiValueDict<V>
} = dual(
  3,
  <V>(self: MultiValueDict<V>, key: string, value: V): MultiValueDict<V> =>
    wrap(internal.setList(impl(self), key, [value]))
)

/**
 * Appends `value` to the values of `key` (Django's `appendlist`). O(log n + k).
 *
 * @since 0.1.0
 * @category combinators
 */
export const appendList: {
  <V>(key: string, value: V): (self: MultiValueDict<V>) => MultiValueDict<V>
  <V>(self: MultiValueDict<V>, key: string, value: V): MultiValueDict<V>
} = dual(
  3,
  <V>(self: MultiValueDict<V>, key: string, value: V): MultiValueDict<V> =>
    wrap(internal.extendList(impl(self), key, [value]))
)

/**
 * Django's `setdefault`: when `key` is absent, sets it to `value`. Returns the
 * key's last value afterwards (`None` for a present key with an empty list)
 * and the dict (the same dict when the key was present). O(log n).
 *
 * @since 0.1.0
 * @category combinators
 */
export const setDefault: {
  <V>(key: string, value: V): (self: MultiValueDict<V>) => readonly [Option.Option<V>, MultiValueDict<V>]
  <V>(self: MultiValueDict<V>, key: string, value: V): readonly [Option.Option<V>, MultiValueDict<V>]
} = dual(3, <V>(self: MultiValueDict<V>, key: string, value: V): readonly [Option.Option<V>, MultiValueDict<V>] => {
  if (internal.has(impl(self), key)) return [internal.get(impl(self), key), self]
  return [Option.some(value), wrap(internal.setList(impl(self), key, [value]))]
})

/**
 * Django's `setlistdefault`: when `key` is absent, sets its list to `values`.
 * Returns the key's list afterwards and the dict. O(log n + k).
 *
 * @since 0.1.0
 * @category combinators
 */
export const setListDefault: {
  <V>(key: string, values?: ReadonlyArray<V>): (self: MultiValueDict<V>) => readonly [Array<V>, MultiValueDict<V>]
  <V>(self: MultiValueDict<V>, key: string, values?: ReadonlyArray<V>): readonly [Array<V>, MultiValueDict<V>]
} = dual(
  (args) => isMultiValueDict(args[0]),
  <V>(self: MultiValueDict<V>, key: string, values: ReadonlyArray<V> = []): readonly [Array<V>, MultiValueDict<V>] => {
    const current = internal.getListOption(impl(self), key)
    if (current !== undefined) return [current.slice(), self]
    return [values.slice(), wrap(internal.setList(impl(self), key, values.slice()))]
  }
)

/**
 * What `update` accepts: another dict (its lists are appended), `[key, value]`
 * pairs, or a record of single values.
 *
 * @since 0.1.0
 * @category models
 */
export type UpdateInput<V> =
  | MultiValueDict<V>
  | Iterable<readonly [string, V]>
  | { readonly [key: string]: V }

/**
 * Django's `update`: **extends** the lists of this dict with those of `other`
 * (a dict, `[key, value]` pairs or a record) instead of replacing them.
 * O(m (log n + k)).
 *
 * @since 0.1.0
 * @category combinators
 */
export const update: {
  <V>(other: UpdateInput<V>): (self: MultiValueDict<V>) => MultiValueDict<V>
  <V>(self: MultiValueDict<V>, other: UpdateInput<V>): MultiValueDict<V>
} = dual(
  2,
  <V>(self: MultiValueDict<V>, other: UpdateInput<V>): MultiValueDict<V> => wrap(internal.update(impl(self), other))
)

/**
 * Removes `key` (Django's `del d[key]`); the same dict when absent. O(log n).
 *
 * @since 0.1.0
 * @category combinators
 */
export const remove: {
  (key: string): <V>(self: MultiValueDict<V>) => MultiValueDict<V>
  <V>(self: MultiValueDict<V>, key: string): MultiValueDict<V>
} = dual(2, <V>(self: MultiValueDict<V>, key: string): MultiValueDict<V> => wrap(internal.remove(impl(self), key)))

/**
 * Django's `pop(key)`: the key's whole list (`None` when absent) and the dict
 * without it. O(log n + k).
 *
 * @since 0.1.0
 * @category combinators
 */
export const pop: {
  (key: string): <V>(self: MultiValueDict<V>) => readonly [Option.Option<Array<V>>, MultiValueDict<V>]
  <V>(self: MultiValueDict<V>, key: string): readonly [Option.Option<Array<V>>, MultiValueDict<V>]
} = dual(2, <V>(self: MultiValueDict<V>, key: string): readonly [Option.Option<Array<V>>, MultiValueDict<V>] => {
  const values = internal.getListOption(impl(self), key)
  if (values === undefined) return [Option.none(), self]
  return [Option.some(values.slice()), wrap(internal.remove(impl(self), key))]
})

/**
 * Django's `popitem()`: the last inserted key with its list, and the dict
 * without it; `None` when empty. O(log n + k) (O(n) once on a frozen dict).
 *
 * @since 0.1.0
 * @category combinators
 */
export const popItem = <V>(
  self: MultiValueDict<V>
): Option.Option<readonly [readonly [string, Array<V>], MultiValueDict<V>]> => {
  const key = internal.lastKey(impl(self))
  if (key === undefined) return Option.none()
  const values = internal.getListOption(impl(self), key)!.slice()
  return Option.some([[key, values], wrap(internal.remove(impl(self), key))])
}

/**
 * Django's `clear()`: the empty dict. O(1).
 *
 * @since 0.1.0
 * @category combinators
 */
export const clear = <V>(self: MultiValueDict<V>): MultiValueDict<V> => wrap(internal.clear(impl(self)))

// ---------------------------------------------------------------------------
// decoding
// ---------------------------------------------------------------------------

/**
 * Decodes the dict with a `Schema` of a struct (or a class, union of structs,
 * or record). Which fields are arrays is read from the schema's encoded side:
 * array fields receive every value of their key (`[]` when absent unless
 * optional), scalar fields the last value, and absent keys leave the field
 * absent, so optional fields may be missing and required ones fail. Failures
 * are `ParseError`s whose issues carry the field's path. O(fields + k).
 *
 * @example
 * ```ts
 * import { Effect, Either, Schema } from "effect"
 * import { QueryDict } from "effect-django-http"
 *
 * const Search = Schema.Struct({
 *   q: Schema.String,
 *   page: Schema.optional(Schema.NumberFromString),
 *   tag: Schema.Array(Schema.String)
 * })
 * const q = QueryDict.parse("q=effect&tag=a&tag=b&page=2").pipe(Either.getOrThrow)
 * Effect.runSync(QueryDict.decode(Search)(q)) // { q: "effect", page: 2, tag: ["a", "b"] }
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  options?: AST.ParseOptions
): <V>(self: MultiValueDict<V>) => Effect.Effect<A, ParseResult.ParseError, R> => {
  const run = decoding.decode(schema, options)
  return (self) => run(impl(self))
}

/**
 * `decode` for schemas without requirements, as an `Either`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeEither = <A, I>(
  schema: Schema.Schema<A, I, never>,
  options?: AST.ParseOptions
): <V>(self: MultiValueDict<V>) => Either.Either<A, ParseResult.ParseError> => {
  const run = decoding.decodeEither(schema, options)
  return (self) => run(impl(self))
}
