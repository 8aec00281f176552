/**
 * The type-level helpers of `Urls`' route typing (the public types `RouteParams`, `RegexParams`,
 * `EntriesOf`, ... are built from these).
 *
 * @internal
 */
import type { Entry } from "../../Urls.js"

export type Simplify<A> = { [K in keyof A]: A[K] } & {}

type ParamOf<Inner extends string, C> = Inner extends `${infer Conv}:${infer Name}`
  ? { readonly [K in Name]: Conv extends keyof C ? C[Conv] : unknown }
  : { readonly [K in Inner]: string }

/** The parameters of a literal route, as an intersection. */
export type RouteParams<R extends string, C> = R extends `${string}<${infer Inner}>${infer Rest}`
  ? ParamOf<Inner, C> & RouteParams<Rest, C>
  : {}

/** The named groups of a literal regex, as an intersection. */
export type NamedGroups<R extends string> = R extends `${string}(?P<${infer N}>${infer Rest}`
  ? { readonly [K in N]: string | number } & NamedGroups<Rest>
  : {}

/** The entries of an include, with the parameters its route captures added. */
export type AddParams<E, P> = E extends Entry ? {
    readonly name: E["name"]
    readonly params: E["params"] extends ReadonlyArray<unknown> ? E["params"] : Simplify<E["params"] & P>
  }
  : never

type Prefixed<E, Ns extends string> = E extends Entry ?
  { readonly name: `${Ns}:${E["name"]}`; readonly params: E["params"] }
  : never

/** The entries of an include, reachable as `namespace:name` and `appName:name`. */
export type Namespaced<E, App extends string, Ns extends string> = [App] extends [never] ? E
  : Prefixed<E, Ns> | Prefixed<E, App>

/** The entry of a named endpoint (none without a name). */
export type Named<Name extends string, P> = [Name] extends [never] ? never
  : { readonly name: Name; readonly params: P }
