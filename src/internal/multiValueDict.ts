/**
 * The representation of `MultiValueDict` (and of `QueryDict`, which shares it).
 *
 * A dict has one of two backings:
 *
 * - **frozen**: a native `Map<string, ReadonlyArray<V>>` filled once by a
 *   builder (the parser, `fromEntries`, ...) and never written again. Reads are
 *   O(1) and iteration follows the `Map`'s insertion order. Building one costs
 *   what collecting into a `Map` costs, which is what keeps the parser fast.
 * - **persistent**: an effect `HashMap<key, Slot>` (a slot holds the key's
 *   insertion number and its values) plus a `RedBlackTree<insertion number, key>`
 *   giving the order. Every write is O(log n) and shares structure with its
 *   source.
 *
 * A write on a frozen dict first converts it to the persistent form, once: the
 * conversion is memoised on the frozen value, so deriving many values from the
 * same parsed dict never repeats it.
 *
 * @internal
 */
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as HashMap from "effect/HashMap"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Order from "effect/Order"
import { pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as RBT from "effect/RedBlackTree"

/** @internal */
export const TypeId: unique symbol = Symbol.for("effect-django-http/MultiValueDict")

/** @internal */
export interface Slot<V> {
  readonly order: number
  readonly values: ReadonlyArray<V>
}

/** @internal */
export interface Persistent<V> {
  readonly map: HashMap.HashMap<string, Slot<V>>
  readonly order: RBT.RedBlackTree<number, string>
  readonly next: number
}

/** The shape every dict has at run time. `encoding` is set on QueryDicts only. */
export interface Internal<V> {
  readonly [TypeId]: { readonly _V: (_: never) => V }
  native: ReadonlyMap<string, ReadonlyArray<V>> | undefined
  persistent: Persistent<V> | undefined
  readonly encoding?: string
}

const variance = { _V: (_: never) => _ }

const emptyNative: ReadonlyMap<string, never> = new Map<string, never>()

const orderNumber: Order.Order<number> = Order.number

/** @internal */
export const Proto = {
  [TypeId]: variance,
  [Symbol.iterator]<V>(this: Internal<V>): Iterator<[string, ReadonlyArray<V>]> {
    return lists(this)[Symbol.iterator]()
  },
  [Equal.symbol]<V>(this: Internal<V>, that: unknown): boolean {
    if (!isInternal(that)) return false
    if (size(this) !== size(that)) return false
    for (const [key, values] of lists(this)) {
      const other = getListOption(that as Internal<unknown>, key)
      if (other === undefined || other.length !== values.length) return false
      for (let i = 0; i < values.length; i++) {
        if (!Equal.equals(values[i], other[i])) return false
      }
    }
    return true
  },
  [Hash.symbol]<V>(this: Internal<V>): number {
    // Order-insensitive, like the equality (Django compares dicts).
    let h = Hash.string("MultiValueDict")
    for (const [key, values] of lists(this)) {
      h = (h + Hash.combine(Hash.array(values))(Hash.string(key))) | 0
    }
    return Hash.cached(this, Hash.optimize(h))
  },
  pipe() {
    return pipeArguments(this, arguments)
  },
  ...Inspectable.BaseProto,
  toJSON<V>(this: Internal<V>) {
    return {
      _id: this.encoding === undefined ? "MultiValueDict" : "QueryDict",
      ...(this.encoding === undefined ? {} : { encoding: this.encoding }),
      lists: lists(this).map(([k, vs]) => [k, vs.map(Inspectable.toJSON)])
    }
  }
}

/** @internal */
export const isInternal = (u: unknown): u is Internal<unknown> => hasProperty(u, TypeId)

/** A frozen dict over `native`, with `proto`'s class and the encoding. */
export const fromNative = <S extends Internal<V>, V>(
  proto: object,
  native: ReadonlyMap<string, ReadonlyArray<V>>,
  encoding?: string
): S => {
  const self = Object.create(proto)
  self.native = native
  self.persistent = undefined
  if (encoding !== undefined) self.encoding = encoding
  return self
}

const derive = <S extends Internal<V>, V>(like: S, persistent: Persistent<V>): S => {
  const self = Object.create(Object.getPrototypeOf(like))
  self.native = undefined
  self.persistent = persistent
  if (like.encoding !== undefined) self.encoding = like.encoding
  return self
}

/** An empty dict with `like`'s prototype and encoding. O(1). */
export const clear = <S extends Internal<V>, V>(like: S): S =>
  fromNative(Object.getPrototypeOf(like), emptyNative, like.encoding)

/** The persistent form, built once from the frozen form and memoised. O(n) the first time, then O(1). */
export const toPersistent = <V>(self: Internal<V>): Persistent<V> => {
  if (self.persistent !== undefined) return self.persistent
  const native = self.native!
  let next = 0
  let order = RBT.empty<number, string>(orderNumber)
  const map = HashMap.mutate(HashMap.empty<string, Slot<V>>(), (m) => {
    for (const [key, values] of native) {
      HashMap.set(m, key, { order: next, values })
      order = RBT.insert(order, next, key)
      next++
    }
  })
  self.persistent = { map, order, next }
  return self.persistent
}

/** The values of `key`, or `undefined` when absent. O(1) frozen, O(log n) persistent. */
export const getListOption = <V>(self: Internal<V>, key: string): ReadonlyArray<V> | undefined => {
  if (self.native !== undefined) return self.native.get(key)
  const slot = HashMap.get(self.persistent!.map, key)
  return slot._tag === "Some" ? slot.value.values : undefined
}

/** @internal */
export const has = <V>(self: Internal<V>, key: string): boolean =>
  self.native !== undefined ? self.native.has(key) : HashMap.has(self.persistent!.map, key)

/** @internal */
export const size = <V>(self: Internal<V>): number =>
  self.native !== undefined ? self.native.size : HashMap.size(self.persistent!.map)

/** The last value of `key`: none when absent or when its list is empty. */
export const get = <V>(self: Internal<V>, key: string): Option.Option<V> => {
  const values = getListOption(self, key)
  return values === undefined || values.length === 0 ? Option.none() : Option.some(values[values.length - 1]!)
}

/** Every `[key, values]` pair in insertion order. O(n). */
export const lists = <V>(self: Internal<V>): Array<[string, ReadonlyArray<V>]> => {
  if (self.native !== undefined) return Array.from(self.native)
  const { map, order } = self.persistent!
  const out: Array<[string, ReadonlyArray<V>]> = []
  for (const key of RBT.values(order)) {
    out.push([key, HashMap.unsafeGet(map, key).values])
  }
  return out
}

/** Every key in insertion order. O(n). */
export const keys = <V>(self: Internal<V>): Array<string> =>
  self.native !== undefined ? Array.from(self.native.keys()) : Array.from(RBT.values(self.persistent!.order))

/** Replaces the values of `key`, keeping its position, or adds it at the end. O(log n). */
export const setList = <S extends Internal<V>, V>(self: S, key: string, values: ReadonlyArray<V>): S => {
  const p = toPersistent(self)
  const slot = HashMap.get(p.map, key)
  if (slot._tag === "Some") {
    return derive(self, {
      map: HashMap.set(p.map, key, { order: slot.value.order, values }),
      order: p.order,
      next: p.next
    })
  }
  return derive(self, {
    map: HashMap.set(p.map, key, { order: p.next, values }),
    order: RBT.insert(p.order, p.next, key),
    next: p.next + 1
  })
}

/** Appends `added` to the values of `key` (created at the end when absent). O(log n + k). */
export const extendList = <S extends Internal<V>, V>(self: S, key: string, added: ReadonlyArray<V>): S => {
  const current = getListOption(self, key)
  return setList(self, key, current === undefined ? added.slice() : current.concat(added))
}

/** Removes `key`. O(log n); returns `self` when absent. */
export const remove = <S extends Internal<V>, V>(self: S, key: string): S => {
  if (!has(self, key)) return self
  const p = toPersistent(self)
  const slot = HashMap.unsafeGet(p.map, key)
  return derive(self, {
    map: HashMap.remove(p.map, key),
    order: RBT.removeFirst(p.order, slot.order),
    next: p.next
  })
}

/** The last inserted key, or `undefined`. O(1) frozen, O(log n) persistent. */
export const lastKey = <V>(self: Internal<V>): string | undefined => {
  if (self.native !== undefined) {
    let last: string | undefined
    // A frozen map is only ever read; walking it is O(n) but happens once per popItem on a parsed dict.
    for (const key of self.native.keys()) last = key
    return last
  }
  const last = RBT.last(self.persistent!.order)
  return last._tag === "Some" ? last.value[1] : undefined
}

/**
 * A mutable builder for the frozen form: collects values per key in insertion
 * order, then `freeze` hands the map to a dict. Not usable after `freeze`.
 */
export class Builder<V> {
  readonly map = new Map<string, Array<V>>()
  append(key: string, value: V): void {
    const list = this.map.get(key)
    if (list === undefined) this.map.set(key, [value])
    else list.push(value)
  }
  setList(key: string, values: ReadonlyArray<V>): void {
    this.map.set(key, values.slice())
  }
  extend(key: string, values: ReadonlyArray<V>): void {
    const list = this.map.get(key)
    if (list === undefined) this.map.set(key, values.slice())
    else for (const v of values) list.push(v)
  }
}

/** Python's `repr()` of a `str`: the message Django's `MultiValueDictKeyError` (a `KeyError`) carries. */
export { reprStr as pyRepr } from "./python/repr.js"

/** What `update` accepts: a dict, `[key, value]` pairs or a record of single values. */
export type UpdateInput<V> =
  | { readonly [TypeId]: unknown }
  | Iterable<readonly [string, V]>
  | { readonly [key: string]: V }

/** Django's `update`: extends the lists. O(m (log n + k)). */
export const update = <S extends Internal<V>, V>(self: S, other: UpdateInput<V>): S => {
  let out = self
  if (isInternal(other)) {
    for (const [key, vs] of lists(other as Internal<V>)) out = extendList(out, key, vs)
  } else if (Symbol.iterator in other && typeof other[Symbol.iterator] === "function") {
    for (const [key, value] of other as Iterable<readonly [string, V]>) out = extendList(out, key, [value])
  } else {
    for (const [key, value] of Object.entries(other as { readonly [key: string]: V })) {
      out = extendList(out, key, [value])
    }
  }
  return out
}
