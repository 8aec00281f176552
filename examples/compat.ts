/**
 * The few MultiValueDict readers the example site uses, in Django's spelling.
 */
import { Option } from "effect"
import { MultiValueDict } from "../src/index.js"

export const lists = <V>(q: MultiValueDict.MultiValueDict<V>): ReadonlyArray<readonly [string, ReadonlyArray<V>]> =>
  MultiValueDict.lists(q)
export const getList = <V>(q: MultiValueDict.MultiValueDict<V>, key: string): ReadonlyArray<V> =>
  MultiValueDict.getList(q, key)
/** Django's `q.get(key)`: the last value, or `undefined`. */
export const get = <V>(q: MultiValueDict.MultiValueDict<V>, key: string): V | undefined =>
  Option.getOrUndefined(MultiValueDict.get(q, key))
