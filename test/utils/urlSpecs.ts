/**
 * Builds our URLconfs from the specs of scripts/django/urls.py (test/fixtures/urls.json), with
 * the same custom converters, so that the fixture tests route exactly what Django routed.
 */
import { Option } from "effect"
import { readFileSync } from "node:fs"
import { Urls } from "../../src/index.js"

export type Spec = readonly [
  kind: "path" | "re_path",
  route: string,
  target: string | IncludeSpec,
  options: { readonly name: string | null; readonly kwargs: Record<string, unknown> | null }
]
export interface IncludeSpec {
  readonly include: ReadonlyArray<Spec>
  readonly app_name: string | null
  readonly namespace: string | null
}

export interface MatchJson {
  readonly func: string
  readonly args: ReadonlyArray<unknown>
  readonly kwargs: Record<string, unknown>
  readonly url_name: string | null
  readonly route: string
  readonly app_names: ReadonlyArray<string>
  readonly app_name: string
  readonly namespaces: ReadonlyArray<string>
  readonly namespace: string
  readonly view_name: string
  readonly tried: ReadonlyArray<ReadonlyArray<string>>
}

export interface ResolveCase {
  readonly urlconf: string
  readonly path: string
  readonly match?: MatchJson
  readonly error?: "Resolver404"
  readonly remaining?: string
  readonly tried?: ReadonlyArray<ReadonlyArray<string>> | null
}

export interface ReverseCase {
  readonly urlconf: string
  readonly name: string
  readonly args?: ReadonlyArray<unknown>
  readonly kwargs?: Record<string, unknown>
  readonly current_app?: string
  readonly prefix?: string
  readonly by_view?: boolean
  readonly url?: string
  readonly error?: string
  readonly message?: string
}

export interface UrlFixtures {
  readonly django: string
  readonly specs: Record<string, ReadonlyArray<Spec>>
  readonly resolve: ReadonlyArray<ResolveCase>
  readonly reverse: ReadonlyArray<ReverseCase>
  readonly pathInfo: ReadonlyArray<{ readonly raw: string; readonly path_info: string }>
  readonly routes: ReadonlyArray<{ readonly route: string; readonly endpoint: boolean; readonly regex: string }>
  readonly badRoutes: ReadonlyArray<
    { readonly route: string; readonly ok?: true; readonly error?: string; readonly message?: string }
  >
}

export const fixtures: UrlFixtures = JSON.parse(
  readFileSync(new URL("../fixtures/urls.json", import.meta.url), "utf8")
)

/** Django's HexConverter of the vectors. */
export const hex = Urls.converter({
  regex: "[0-9a-f]+",
  toPython: (s) => Option.some(parseInt(s, 16)),
  toUrl: (n: number) => Option.some(Number(n).toString(16))
})

/** The playground's FourDigitYear. */
export const yyyy = Urls.converter({
  regex: "[0-9]{4}",
  toPython: (s) => Option.some(Number(s)),
  toUrl: (n: number | string) => {
    const v = Number(n)
    if (!Number.isInteger(v)) return Option.none()
    return Option.some(v < 0 ? "-" + String(-v).padStart(3, "0") : String(v).padStart(4, "0"))
  }
})

/** Refuses odd numbers both ways. */
export const even = Urls.converter({
  regex: "[0-9]+",
  toPython: (s) => (Number(s) % 2 === 0 ? Option.some(Number(s)) : Option.none()),
  toUrl: (n: number | string) => (Number(n) % 2 === 0 ? Option.some(String(n)) : Option.none())
})

export const { path } = Urls.withConverters({ hex, yyyy, even })

export type TestView = (...args: ReadonlyArray<unknown>) => string

const views = new Map<string, TestView>()

/** One function per name, named so (Django's views of the fixture module). */
export const viewNamed = (name: string): TestView => {
  let v = views.get(name)
  if (v === undefined) {
    const fn: TestView = () => name
    Object.defineProperty(fn, "name", { value: name })
    v = fn
    views.set(name, v)
  }
  return v
}

export const build = (specs: ReadonlyArray<Spec>): Array<Urls.AnyURLPattern<TestView>> =>
  specs.map(([kind, route, target, options]) => {
    const make = kind === "path" ? path : Urls.rePath
    const kwargs = options.kwargs ?? undefined
    if (typeof target !== "string") {
      const inc = Urls.include(build(target.include), {
        appName: target.app_name ?? undefined,
        namespace: target.namespace ?? undefined
      })
      return make(route, inc, { kwargs }) as Urls.AnyURLPattern<TestView>
    }
    return make(route, viewNamed(target), { name: options.name ?? undefined, kwargs }) as Urls.AnyURLPattern<TestView>
  })

export const urlconfs: Record<string, Urls.URLconf<TestView, Urls.Entry>> = Object.fromEntries(
  Object.entries(fixtures.specs).map((
    [key, specs]
  ) => [key, Urls.make(build(specs)) as Urls.URLconf<TestView, Urls.Entry>])
)
