/**
 * The Nunjucks engine behind `Templates`: a loader with Django's lookup rules (`DIRS`, then
 * `<app>/templates`, `safe_join`, "Source does not exist" postmortem), compilation at load time
 * (so that a syntax error anywhere, even in an included template, is one typed failure), and the
 * translation of Nunjucks' errors into `TemplateDoesNotExist`, `TemplateSyntaxError` and
 * `TemplateRenderError`.
 *
 * @internal
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import type nunjucks from "nunjucks"

/**
 * Nunjucks, loaded on first use, not when the library is imported: its `SafeString` inherits
 * from `String.prototype`, and once that is so V8 runs string methods everywhere in the process
 * several times slower (measured: the CSRF token check 0.47 -> 1.48 µs with the module merely
 * imported). A site without templates never loads it.
 */
const requireCjs = createRequire(import.meta.url)
let loadedEngine: typeof nunjucks | undefined
export const engine = (): typeof nunjucks => (loadedEngine ??= requireCjs("nunjucks") as typeof nunjucks)

// ---------------------------------------------------------------------------
// The parts of Nunjucks its type definitions leave out
// ---------------------------------------------------------------------------

/** An AST node: positions are 0-based. */
interface AstNode {
  readonly lineno: number
  readonly colno: number
  findAll(type: unknown): Array<AstNode & { readonly name?: { readonly value?: unknown } }>
}

interface Extension {
  readonly preprocess?: (src: string) => string
}

/** What `nunjucks.Environment` carries at run time beyond its declared members. */
interface EnvironmentInternals {
  readonly opts: object
  readonly asyncFilters: ReadonlyArray<string>
  readonly extensionsList: ReadonlyArray<Extension>
}

/** The compiled form of a template (the object a precompiled template's code returns). */
interface CompiledProps {
  readonly root: unknown
}

interface Token {
  readonly type: string
  readonly value: string
  readonly lineno: number
  readonly colno: number
}

interface NunjucksInternals {
  readonly lexer: { lex(src: string, opts: object): { nextToken(): Token | null } }
  readonly parser: { parse(src: string, extensions: ReadonlyArray<Extension>, opts: object): AstNode }
  readonly compiler: {
    compile(
      src: string,
      asyncFilters: ReadonlyArray<string>,
      extensions: ReadonlyArray<Extension>,
      name: string,
      opts: object
    ): string
  }
  readonly nodes: { readonly Filter: unknown }
  /** `new Template({ type: "code", obj }, env, path)`: the documented form of a precompiled template. */
  readonly Template: new(
    src: { readonly type: "code"; readonly obj: CompiledProps },
    env: nunjucks.Environment,
    path: string
  ) => nunjucks.Template
}

// @types/nunjucks declares neither the parser, the compiler nor the AST, nor the precompiled
// form of `Template`'s source; they are exported by the package (index.js) and used as such.
const internals = (): NunjucksInternals => engine() as unknown as NunjucksInternals
const envInternals = (env: nunjucks.Environment): EnvironmentInternals => env as unknown as EnvironmentInternals

// ---------------------------------------------------------------------------
// Failures raised inside the engine, read back by `fromEngineError`
// ---------------------------------------------------------------------------

/** A template that does not parse or compile. Thrown by the loader, wrapped by Nunjucks on the way out. */
export class SyntaxFailure extends Error {
  constructor(
    readonly template: string,
    readonly origin: string | undefined,
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly reason: string,
    readonly source: string,
    readonly engineError: unknown
  ) {
    super(reason)
    this.name = "TemplateSyntaxError"
  }
}

export interface Tried {
  /** The file that was looked for. */
  readonly path: string
  /** Django's postmortem status, e.g. `Source does not exist`. */
  readonly reason: string
}

export type Located =
  | { readonly _tag: "Found"; readonly path: string }
  | { readonly _tag: "Missing"; readonly tried: ReadonlyArray<Tried> }

/** Django's `safe_join`: the joined path, or `undefined` when it would leave `base`. */
export const safeJoin = (base: string, name: string): string | undefined => {
  const root = path.resolve(base)
  const full = path.resolve(root, name)
  return full === root || full.startsWith(root.endsWith(path.sep) ? root : root + path.sep) ? full : undefined
}

const messageOf = (u: unknown): string => (u instanceof Error ? u.message : String(u))

const position = (u: unknown, key: "lineno" | "colno"): number | undefined => {
  if (typeof u !== "object" || u === null) return undefined
  const v = (u as Record<string, unknown>)[key]
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : undefined
}

// ---------------------------------------------------------------------------
// The loader
// ---------------------------------------------------------------------------

/**
 * Django's filesystem and app-directories loaders in one: `dirs` in order, first match wins.
 * Sources are compiled here; in debug mode nothing is cached (a changed file shows on the next
 * render), otherwise Nunjucks keeps the compiled template for the life of the environment.
 */
const defineLoader = () =>
  class DjangoLoader extends engine().Loader implements nunjucks.ILoader {
    /** Nunjucks' cache of compiled templates by name (set by the environment; unused in debug mode). */
    declare readonly cache: Readonly<Record<string, unknown>> | undefined
    env: nunjucks.Environment | undefined = undefined
    /** The template name each loaded file was found under, for error reports. */
    readonly names = new Map<string, string>()
    /** Sources by file, kept in debug mode for the technical error page. */
    readonly sources = new Map<string, string>()

    constructor(readonly dirs: ReadonlyArray<string>, readonly debug: boolean) {
      super()
    }

    /** Whether a compiled template is cached under `name` (production only). */
    isCached(name: string): boolean {
      return !this.debug && this.cache !== undefined && Object.hasOwn(this.cache, name) && this.cache[name] != null
    }

    locate(name: string): Located {
      const tried: Array<Tried> = []
      for (const dir of this.dirs) {
        const full = safeJoin(dir, name)
        // Django skips a directory the name would escape (SuspiciousFileOperation), silently.
        if (full === undefined) continue
        let isFile = false
        try {
          isFile = fs.statSync(full).isFile()
        } catch {
          isFile = false
        }
        if (isFile) return { _tag: "Found", path: full }
        tried.push({ path: full, reason: "Source does not exist" })
      }
      return { _tag: "Missing", tried }
    }

    getSource(name: string): nunjucks.LoaderSource {
      const located = this.locate(name)
      // `null` tells Nunjucks "not found" (and keeps `{% include ... ignore missing %}` working).
      if (located._tag === "Missing") return null as unknown as nunjucks.LoaderSource
      const source = fs.readFileSync(located.path, "utf8")
      const props = compile(this.env!, source, name, located.path)
      this.names.set(located.path, name)
      if (this.debug) this.sources.set(located.path, source)
      // Nunjucks accepts a compiled template as `{ type: "code", obj }` (its precompiled form).
      return {
        src: { type: "code", obj: props },
        path: located.path,
        noCache: this.debug
      } as unknown as nunjucks.LoaderSource
    }
  }

/** The loader's type (its class is made when Nunjucks is first loaded). */
export type DjangoLoader = InstanceType<ReturnType<typeof defineLoader>>

let loaderClass: ReturnType<typeof defineLoader> | undefined

/** A new loader over `dirs`. */
export const makeLoader = (dirs: ReadonlyArray<string>, debug: boolean): DjangoLoader =>
  new (loaderClass ??= defineLoader())(dirs, debug)

/**
 * Parses and compiles `source`. Filters are checked here, as Django checks them when it parses:
 * an unknown filter is a syntax error with its line, even in a branch that never runs.
 */
export const compile = (
  env: nunjucks.Environment,
  source: string,
  name: string,
  origin: string
): CompiledProps => {
  const e = envInternals(env)
  const processed = e.extensionsList.reduce((s, ext) => (ext.preprocess ? ext.preprocess(s) : s), source)
  let ast: AstNode
  try {
    ast = internals().parser.parse(processed, e.extensionsList, e.opts)
  } catch (error) {
    // A block left open is reported at the end of the file, without a position: Django points
    // at the tag that was not closed, and so do we.
    const open = position(error, "lineno") === undefined ? unclosedTag(processed, e.opts) : undefined
    throw new SyntaxFailure(
      name,
      origin,
      open?.line ?? position(error, "lineno"),
      open?.column ?? position(error, "colno"),
      messageOf(error),
      source,
      error
    )
  }
  for (const node of ast.findAll(internals().nodes.Filter)) {
    const filter = node.name?.value
    if (typeof filter !== "string") continue
    try {
      env.getFilter(filter)
    } catch (error) {
      throw new SyntaxFailure(
        name,
        origin,
        node.lineno + 1,
        node.colno + 1,
        `Invalid filter: '${filter}'`,
        source,
        error
      )
    }
  }
  try {
    const code = internals().compiler.compile(source, e.asyncFilters, e.extensionsList, origin, e.opts)
    // The compiled code is a function body returning the template's render functions.
    return new Function(code)() as CompiledProps
  } catch (error) {
    throw new SyntaxFailure(
      name,
      origin,
      position(error, "lineno"),
      position(error, "colno"),
      messageOf(error),
      source,
      error
    )
  }
}

/** Block tags that need an end tag, by their end tag. */
const CLOSERS: Readonly<Record<string, string>> = {
  endif: "if",
  endfor: "for",
  endeach: "asyncEach",
  endall: "asyncAll",
  endblock: "block",
  endmacro: "macro",
  endcall: "call",
  endfilter: "filter",
  endraw: "raw",
  endverbatim: "verbatim",
  endswitch: "switch"
}
const OPENERS = new Set(Object.values(CLOSERS))

/** The innermost block tag not closed by the end of `source` (positions from 1), if any. */
export const unclosedTag = (
  source: string,
  opts: object
): { readonly tag: string; readonly line: number; readonly column: number } | undefined => {
  const stack: Array<{ readonly tag: string; readonly line: number; readonly column: number }> = []
  let start: Token | undefined
  let raw: string | undefined
  try {
    const tokens = internals().lexer.lex(source, opts)
    for (let token = tokens.nextToken(); token !== null; token = tokens.nextToken()) {
      if (token.type === "block-start") {
        start = token
        continue
      }
      if (start === undefined || token.type === "whitespace") continue
      const tagStart = start
      start = undefined
      if (token.type !== "symbol") continue
      const tag = token.value
      if (raw !== undefined) {
        // Inside {% raw %} / {% verbatim %} only its own end tag counts.
        if (CLOSERS[tag] === raw) {
          raw = undefined
          stack.pop()
        }
      } else if (OPENERS.has(tag)) {
        stack.push({ tag, line: tagStart.lineno + 1, column: tagStart.colno + 1 })
        if (tag === "raw" || tag === "verbatim") raw = tag
      } else if (Object.hasOwn(CLOSERS, tag)) {
        const i = stack.map((s) => s.tag).lastIndexOf(CLOSERS[tag]!)
        if (i !== -1) stack.length = i
      }
    }
  } catch {
    return undefined
  }
  return stack[stack.length - 1]
}

/** A template object from a compiled source (for `fromString`). */
export const templateFromSource = (
  env: nunjucks.Environment,
  source: string,
  name: string
): nunjucks.Template => new (internals().Template)({ type: "code", obj: compile(env, source, name, name) }, env, name)

// ---------------------------------------------------------------------------
// Reading Nunjucks' errors
// ---------------------------------------------------------------------------

export type EngineFailure =
  | { readonly _tag: "Syntax"; readonly failure: SyntaxFailure }
  | { readonly _tag: "Missing"; readonly name: string; readonly origin: string | undefined }
  | {
    readonly _tag: "Render"
    readonly origin: string | undefined
    readonly line: number | undefined
    readonly column: number | undefined
    readonly reason: string
    readonly cause: unknown
  }

const NOT_FOUND = /^template not found: ([\s\S]*)$/
/** The `(path)` lines Nunjucks prepends while an error travels up: the last one is where it happened. */
const ORIGIN = /^\s*\(([^\n]*?)\)(?: \[Line \d+(?:, Column \d+)?\])?$/gm
/** The `(path)` prefixes and `Error: ` labels Nunjucks adds while the error travels up. */
const PREFIXES = /^(?:\s*\([^\n]*\)(?: \[Line \d+(?:, Column \d+)?\])?\n\s*)+(?:(?:Template render error|Error): )?/

const chainOf = (error: unknown): ReadonlyArray<unknown> => {
  const chain: Array<unknown> = []
  let current: unknown = error
  while (current !== undefined && current !== null && chain.length < 16 && !chain.includes(current)) {
    chain.push(current)
    current = current instanceof Error ? current.cause : undefined
  }
  return chain
}

const numberField = (u: unknown, key: "lineno" | "colno"): number | undefined => {
  if (typeof u !== "object" || u === null) return undefined
  const v = (u as Record<string, unknown>)[key]
  return typeof v === "number" && Number.isFinite(v) ? v : undefined
}

/**
 * What went wrong, from an error thrown by Nunjucks while getting or rendering a template.
 * Nunjucks numbers run-time lines and columns from 0; they are given here from 1, as its
 * parser and Django do.
 */
export const fromEngineError = (error: unknown): EngineFailure => {
  const chain = chainOf(error)
  for (const e of chain) {
    if (e instanceof SyntaxFailure) return { _tag: "Syntax", failure: e }
  }
  for (let i = 0; i < chain.length; i++) {
    const e = chain[i]
    const m = e instanceof Error && numberField(e, "lineno") === undefined ? NOT_FOUND.exec(e.message) : null
    if (m !== null) {
      // The error that wraps it first names the template whose tag asked for the missing one.
      const origins = i === 0 ? [] : [...messageOf(chain[i - 1]).matchAll(ORIGIN)]
      return { _tag: "Missing", name: m[1]!, origin: origins[origins.length - 1]?.[1] }
    }
  }
  // The innermost error Nunjucks gave a position to is the first wrap of what was thrown.
  const located = [...chain].reverse().find((e) => numberField(e, "lineno") !== undefined)
  const origins = located === undefined ? [] : [...messageOf(located).matchAll(ORIGIN)]
  const innermost = chain[chain.length - 1]
  // Nunjucks updates its position only at some nodes (lookups, calls), and starts at 0/0: a
  // position of 0/0 means "not known" (no expression starts at the very first column).
  const known = !(numberField(located, "lineno") === 0 && numberField(located, "colno") === 0)
  const line = known ? numberField(located, "lineno") : undefined
  const column = known ? numberField(located, "colno") : undefined
  return {
    _tag: "Render",
    origin: origins[origins.length - 1]?.[1],
    line: line === undefined ? undefined : line + 1,
    column: column === undefined ? undefined : column + 1,
    reason: messageOf(innermost).replace(PREFIXES, ""),
    cause: innermost
  }
}
