/**
 * The one place HttpRequest touches QueryDict / MultiValueDict.
 *
 * @internal
 */
import * as MVD from "../MultiValueDict.js"
import * as QD from "../QueryDict.js"

export type QueryDict = QD.QueryDict
export type MultiValueDict<V> = MVD.MultiValueDict<V>

export const parse = QD.parse
export const empty = QD.empty
export const fromEntries = QD.fromEntries
export const emptyMultiValueDict = <V>(): MultiValueDict<V> => MVD.empty<V>()
export const lists = (q: QueryDict): ReadonlyArray<readonly [string, ReadonlyArray<string>]> => MVD.lists(q)
export const decode = MVD.decode
