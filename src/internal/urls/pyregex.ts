/**
 * Python regular expressions (the `re` syntax Django's URL patterns are written in) for a
 * JavaScript engine: translation to a `u`-flag `RegExp`, the literal prefix a pattern needs,
 * and the reversal of a pattern into the strings it can produce (what Django's
 * `regex_helper.normalize` computes).
 *
 * Accepted syntax (translated so that matching is Python's):
 * - `(?P<name>...)` becomes `(?<name>...)`, `(?P=name)` becomes `\k<name>`;
 *   `(?:...)`, `(?=...)`, `(?!...)`, `(?<=...)`, `(?<!...)`; `(?#...)` comments are dropped;
 * - `\A` is `^`, `\Z` is the end of the input; `$` also matches before a final `\n` as Python's
 *   does; `.` does not match `\n` only (JavaScript's also excludes `\r`, U+2028, U+2029);
 * - `\d`, `\w`, `\s` (and `\D`, `\W`, `\S` outside brackets) are Unicode-aware as Python 3's;
 * - `{,n}` is `{0,n}`; a `{` that does not start a repeat is a literal, as in Python;
 * - `\n`, `\t`, `\r`, `\f`, `\v`, `\a`, `\xHH`, `\uHHHH`, `\UHHHHHHHH`, `\1`..`\99`.
 *
 * Rejected with a reason (the caller raises `ImproperlyConfigured`): inline flags `(?i)` and
 * `(?aiLmsux-imsx:...)`, conditionals `(?(1)...)`, atomic groups and possessive repeats,
 * `\N{...}`, `\0` octal escapes, `\D` `\W` `\S` inside brackets, unknown letter escapes.
 * `\b` and `\B` are kept and use JavaScript's ASCII idea of a word character.
 *
 * @internal
 */

const SYNTAX = "^$\\.*+?()[]{}|/"
const PY_SPACE = " \\t\\n\\r\\f\\v\\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
const WORD = "\\p{L}\\p{N}\\p{Mn}\\p{Mc}_"

/** The letter escapes outside `[...]`. */
const ESCAPES_OUTSIDE: Readonly<Record<string, string>> = {
  A: "^",
  Z: "$",
  d: "\\p{Nd}",
  D: "\\P{Nd}",
  w: `[${WORD}]`,
  W: `[^${WORD}]`,
  s: `[${PY_SPACE}]`,
  S: `[^${PY_SPACE}]`,
  b: "\\b",
  B: "\\B"
}

/** The letter escapes inside `[...]` (where `\\b` is a backspace). */
const ESCAPES_IN_SET: Readonly<Record<string, string>> = { d: "\\p{Nd}", w: WORD, s: PY_SPACE, b: "\\x08" }

/** The result of `translate`. */
export interface Translated {
  /** The JavaScript source (for `new RegExp(source, "u")`). */
  readonly source: string
  /** One entry per capturing group, in order: its name, or `null`. */
  readonly groups: ReadonlyArray<string | null>
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9"
const isHex = (s: string): boolean => /^[0-9a-fA-F]+$/.test(s)
const isAsciiAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c)

const escapeOutside = (c: string): string => (SYNTAX.includes(c) ? "\\" + c : c)
const escapeInside = (c: string): string => (SYNTAX.includes(c) || c === "-" ? "\\" + c : c)

/** Escapes a literal for a `u`-flag JavaScript pattern. */
export const escapeJs = (s: string): string => {
  let out = ""
  for (const c of s) out += escapeOutside(c)
  return out
}

/** Translates a Python pattern; `Left` holds the reason it cannot be. */
export const translate = (
  python: string,
  options?: { readonly unnamed?: boolean }
): { readonly ok: Translated } | { readonly error: string } => {
  const unnamed = options?.unnamed === true
  const cs = Array.from(python)
  const groups: Array<string | null> = []
  let out = ""
  let i = 0
  const fail = (reason: string) => ({ error: reason })
  // A numeric escape shared by both contexts; returns [js, consumed] or an error string.
  const charEscape = (c: string): string | readonly [string, number] | null => {
    switch (c) {
      case "n":
      case "t":
      case "r":
      case "f":
      case "v":
        return ["\\" + c, 0]
      case "a":
        return ["\\x07", 0]
      case "x": {
        const h = cs.slice(i + 2, i + 4).join("")
        return h.length === 2 && isHex(h) ? ["\\x" + h, 2] : "incomplete escape \\x" + h
      }
      case "u": {
        const h = cs.slice(i + 2, i + 6).join("")
        return h.length === 4 && isHex(h) ? ["\\u" + h, 4] : "incomplete escape \\u" + h
      }
      case "U": {
        const h = cs.slice(i + 2, i + 10).join("")
        if (h.length !== 8 || !isHex(h) || parseInt(h, 16) > 0x10ffff) return "bad escape \\U" + h
        return ["\\u{" + h + "}", 8]
      }
      default:
        return null
    }
  }
  /** The escape at `i` (a backslash), outside or inside `[...]`: its JavaScript and its length. */
  const escapeAt = (inSet: boolean): { readonly js: string; readonly width: number } | { readonly error: string } => {
    const n = cs[i + 1]
    if (n === undefined) return fail("bad escape (end of pattern)")
    const table = inSet ? ESCAPES_IN_SET : ESCAPES_OUTSIDE
    if (Object.hasOwn(table, n)) return { js: table[n]!, width: 2 }
    if (inSet && (n === "D" || n === "W" || n === "S")) return fail(`\\${n} inside [...] is not supported`)
    const esc = charEscape(n)
    if (typeof esc === "string") return fail(esc)
    if (esc !== null) return { js: esc[0], width: 2 + esc[1] }
    if (isDigit(n)) {
      if (inSet) return fail("octal escapes are not supported")
      if (n === "0") return fail("octal escapes (\\0) are not supported")
      const digits = isDigit(cs[i + 2]) ? n + cs[i + 2] : n
      return { js: "\\" + digits, width: 1 + digits.length }
    }
    if (isAsciiAlnum(n)) return fail("bad escape \\" + n)
    return { js: inSet ? escapeInside(n) : escapeOutside(n), width: 2 }
  }
  /** Appends the escape at `i` to `out` and moves past it; its error, if it has one. */
  const takeEscape = (inSet: boolean): { readonly error: string } | undefined => {
    const e = escapeAt(inSet)
    if ("error" in e) return e
    out += e.js
    i += e.width
    return undefined
  }
  while (i < cs.length) {
    const c = cs[i]!
    if (c === "\\") {
      const e = takeEscape(false)
      if (e !== undefined) return e
      continue
    }
    if (c === "[") {
      i++
      out += "["
      if (cs[i] === "^") {
        out += "^"
        i++
      }
      let first = true
      for (;;) {
        const k = cs[i]
        if (k === undefined) return fail("unterminated character set")
        if (k === "]" && !first) {
          out += "]"
          i++
          break
        }
        first = false
        if (k === "\\") {
          const e = takeEscape(true)
          if (e !== undefined) return e
          continue
        }
        out += k === "[" || k === "]" ? "\\" + k : k
        i++
      }
      continue
    }
    if (c === "(") {
      if (cs[i + 1] !== "?") {
        groups.push(null)
        out += "("
        i++
        continue
      }
      const k = cs[i + 2]
      if (k === "P") {
        if (cs[i + 3] === "<") {
          const end = cs.indexOf(">", i + 4)
          if (end < 0) return fail("missing >, unterminated name")
          const name = cs.slice(i + 4, end).join("")
          if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) return fail(`bad character in group name '${name}'`)
          if (groups.includes(name)) return fail(`redefinition of group name '${name}'`)
          groups.push(name)
          out += unnamed ? "(" : `(?<${name}>`
          i = end + 1
          continue
        }
        if (cs[i + 3] === "=") {
          const end = cs.indexOf(")", i + 4)
          if (end < 0) return fail("missing ), unterminated name")
          const name = cs.slice(i + 4, end).join("")
          if (!groups.includes(name)) return fail(`unknown group name '${name}'`)
          out += unnamed ? `(?:\\${groups.indexOf(name) + 1})` : `\\k<${name}>`
          i = end + 1
          continue
        }
        return fail("unknown extension ?P" + (cs[i + 3] ?? ""))
      }
      if (k === ":" || k === "=" || k === "!") {
        out += "(?" + k
        i += 3
        continue
      }
      if (k === "<" && (cs[i + 3] === "=" || cs[i + 3] === "!")) {
        out += "(?<" + cs[i + 3]
        i += 4
        continue
      }
      if (k === "#") {
        const end = cs.indexOf(")", i)
        if (end < 0) return fail("missing ), unterminated comment")
        i = end + 1
        continue
      }
      return fail(`unsupported group syntax (?${k ?? ""}`)
    }
    if (c === "{") {
      const m = /^\{(\d*)(,(\d*))?\}/.exec(cs.slice(i, i + 24).join(""))
      if (m === null || m[0] === "{}") {
        out += "\\{"
        i++
        continue
      }
      out += m[2] === undefined ? m[0] : `{${m[1] === "" ? "0" : m[1]},${m[3]}}`
      i += m[0].length
      if (cs[i] === "+") return fail("possessive repeats are not supported")
      continue
    }
    if (c === "*" || c === "+" || c === "?") {
      out += c
      i++
      if (cs[i] === "+") return fail("possessive repeats are not supported")
      continue
    }
    if (c === ".") out += "[^\\n]"
    else if (c === "$") out += "(?=\\n?$)"
    else if (c === "]" || c === "}") out += "\\" + c
    else if (c === "/") out += "\\/"
    else out += c
    i++
  }
  try {
    new RegExp(out, "u")
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e))
  }
  return { ok: { source: out, groups } }
}

/**
 * The literal text every match of an anchored pattern starts with, and whether the pattern
 * matches exactly that text (`^text\Z`, or `^text$` when `fullmatch`). Conservative: an
 * unanchored pattern or one with `|` has the empty prefix.
 */
export const literalPrefix = (
  python: string,
  fullmatch: boolean
): { readonly prefix: string; readonly exact: boolean; readonly literal: boolean } => {
  const cs = Array.from(python)
  let i = 0
  if (cs[0] === "^") i = 1
  else if (cs[0] === "\\" && cs[1] === "A") i = 2
  else return { prefix: "", exact: false, literal: false }
  if (python.includes("|")) return { prefix: "", exact: false, literal: false }
  const lits: Array<string> = []
  const quantified = (j: number) => cs[j] === "*" || cs[j] === "+" || cs[j] === "?" || cs[j] === "{"
  for (;;) {
    const c = cs[i]
    if (c === undefined) break
    if (c === "\\") {
      const n = cs[i + 1]
      if (n === undefined || isAsciiAlnum(n)) break
      if (quantified(i + 2)) break
      lits.push(n)
      i += 2
      continue
    }
    if (".^$*+?{}[]()|".includes(c)) break
    if (quantified(i + 1)) break
    lits.push(c)
    i++
  }
  const rest = cs.slice(i).join("")
  return { prefix: lits.join(""), exact: rest === "\\Z" || (fullmatch && rest === "$"), literal: rest === "" }
}

// ---------------------------------------------------------------------------
// Reversal (Django's regex_helper.normalize)
// ---------------------------------------------------------------------------

/** One piece of a reversed pattern: literal text, or the value of a parameter. */
export type Part = string | { readonly key: string }

/** One way to build a URL from a pattern: its pieces and the parameters it takes, in order. */
export interface Form {
  readonly parts: ReadonlyArray<Part>
  readonly params: ReadonlyArray<string>
}

type Elem =
  | { readonly _tag: "Lit"; readonly ch: string }
  | { readonly _tag: "Group"; readonly key: string; readonly param: string | null }
  | { readonly _tag: "NonCapture"; readonly items: ReadonlyArray<Elem> }
  | { readonly _tag: "Choice"; readonly item: Elem }

interface Tok {
  readonly ch: string
  readonly escaped: boolean
}

// What a backslash escape stands for when building a URL; `null` means "nothing".
const REPRESENTATIVE: Record<string, string | null> = {
  A: null,
  b: null,
  B: null,
  Z: null,
  d: "0",
  D: "x",
  s: " ",
  S: "x",
  w: "x",
  W: "!"
}

const tokens = (pattern: string): Array<Tok> => {
  const cs = Array.from(pattern)
  const out: Array<Tok> = []
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!
    if (c !== "\\") {
      out.push({ ch: c, escaped: false })
      continue
    }
    const n = cs[++i]
    if (n === undefined) break
    const rep = Object.hasOwn(REPRESENTATIVE, n) ? REPRESENTATIVE[n]! : n
    if (rep !== null) out.push({ ch: rep, escaped: true })
  }
  return out
}

class End {}
class Disjunction {}

const hasGroup = (e: Elem): boolean => e._tag === "Group" || (e._tag === "NonCapture" && e.items.some(hasGroup))

/**
 * Every form a pattern can be reversed with, in Django's order. A pattern with `|` gives one
 * empty form, as Django's does. `Left` (the `error` case) for a group that cannot be reversed.
 */
export const reverseForms = (pattern: string): { readonly ok: ReadonlyArray<Form> } | { readonly error: string } => {
  const toks = tokens(pattern)
  let pos = 0
  const next = (): Tok => {
    const t = toks[pos++]
    if (t === undefined) throw new End()
    return t
  }
  const walkToEnd = (start: Tok) => {
    let nesting = start.ch === "(" ? 1 : 0
    for (;;) {
      const t = toks[pos++]
      if (t === undefined) return
      if (t.escaped) continue
      if (t.ch === "(") nesting++
      else if (t.ch === ")") {
        if (nesting === 0) return
        nesting--
      }
    }
  }
  let elems: Array<Elem> = []
  const open: Array<number> = []
  let positional = 0
  try {
    let t = next()
    for (;;) {
      let pending: Tok | null = null
      if (t.escaped) elems.push({ _tag: "Lit", ch: t.ch })
      else if (t.ch === ".") elems.push({ _tag: "Lit", ch: "." })
      else if (t.ch === "|") throw new Disjunction()
      else if (t.ch === "^") {
        // nothing
      } else if (t.ch === "$") break
      else if (t.ch === ")") {
        const start = open.pop()
        if (start === undefined) return { error: "unbalanced parenthesis" }
        elems = [...elems.slice(0, start), { _tag: "NonCapture", items: elems.slice(start) }]
      } else if (t.ch === "[") {
        elems.push({ _tag: "Lit", ch: next().ch })
        let k = next()
        while (k.escaped || k.ch !== "]") k = next()
      } else if (t.ch === "(") {
        const a = next()
        if (a.ch !== "?" || a.escaped) {
          const key = `_${positional++}`
          elems.push({ _tag: "Group", key, param: key })
          walkToEnd(a)
        } else {
          const b = next()
          if ("!=<".includes(b.ch)) walkToEnd(b)
          else if (b.ch === ":") open.push(elems.length)
          else if (b.ch !== "P") return { error: `Non-reversible reg-exp portion: '(?${b.ch}'` }
          else {
            const c = next()
            if (c.ch !== "<" && c.ch !== "=") return { error: `Non-reversible reg-exp portion: '(?P${c.ch}'` }
            const terminal = c.ch === "<" ? ">" : ")"
            let name = ""
            let k = next()
            while (k.ch !== terminal) {
              name += k.ch
              k = next()
            }
            if (terminal === ">") {
              elems.push({ _tag: "Group", key: name, param: name })
              walkToEnd(k)
            } else elems.push({ _tag: "Group", key: name, param: null })
          }
        }
      } else if ("*?+{".includes(t.ch)) {
        let min: number
        if (t.ch === "{") {
          let text = ""
          let k = next()
          while (k.ch !== "}") {
            text += k.ch
            k = next()
          }
          const first = text.split(",")[0]!.trim()
          if (!/^\d+$/.test(first)) return { error: `Non-reversible repeat {${text}}` }
          min = parseInt(first, 10)
        } else min = t.ch === "+" ? 1 : 0
        const after = toks[pos++]
        if (after !== undefined && after.ch !== "?") pending = after
        const last = elems[elems.length - 1]
        if (last === undefined) return { error: "nothing to repeat" }
        if (min === 0) {
          if (hasGroup(last)) elems[elems.length - 1] = { _tag: "Choice", item: last }
          else elems.pop()
        } else for (let n = 1; n < min; n++) elems.push(last)
      } else elems.push({ _tag: "Lit", ch: t.ch })
      t = pending ?? next()
    }
  } catch (e) {
    if (e instanceof Disjunction) return { ok: [{ parts: [""], params: [] }] }
    if (!(e instanceof End)) throw e
  }
  return { ok: flattenList(elems) }
}

interface Acc {
  parts: Array<Part>
  params: Array<string>
}

const flattenOne = (e: Elem | null): Array<Acc> => {
  if (e === null) return [{ parts: [], params: [] }]
  if (e._tag === "Group") return [{ parts: [{ key: e.key }], params: e.param ? [e.param] : [] }]
  if (e._tag === "NonCapture") return flattenList(e.items)
  if (e._tag === "Choice") return [...flattenOne(null), ...flattenOne(e.item)]
  return [{ parts: [e.ch], params: [] }]
}

const flattenList = (list: ReadonlyArray<Elem>): Array<Acc> => {
  let results: Array<Acc> = [{ parts: [], params: [] }]
  let text = ""
  for (const e of list) {
    if (e._tag === "Lit") {
      text += e.ch
      continue
    }
    if (e._tag === "Group") {
      for (const r of results) {
        if (text !== "") r.parts.push(text)
        r.parts.push({ key: e.key })
        if (e.param) r.params.push(e.param)
      }
      text = ""
      continue
    }
    const inner = flattenOne(e)
    const next: Array<Acc> = []
    for (const r of results) {
      for (const x of inner) {
        next.push({
          parts: [...r.parts, ...(text !== "" ? [text] : []), ...x.parts],
          params: [...r.params, ...x.params]
        })
      }
    }
    text = ""
    results = next
  }
  if (text !== "") { for (const r of results) r.parts.push(text) }
  return results
}
