/**
 * Schema-driven reading of a multimap: which fields take every value (arrays)
 * and which take the last one (scalars) is read from the schema's AST, on its
 * encoded side, because that side is what the dict must produce.
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import { getListOption, type Internal, keys } from "./multiValueDict.js"

interface Field {
  readonly array: boolean
  readonly optional: boolean
}

interface Shape {
  readonly fields: ReadonlyMap<string, Field>
  /** `Record(String, X)`: every key of the dict, arrays when `X` is. */
  readonly rest: Field | undefined
}

/** Whether the encoded form of `ast` is an array (unions: when any member is). */
const isArray = (ast: AST.AST, seen: Set<AST.AST> = new Set()): boolean => {
  if (seen.has(ast)) return false
  seen.add(ast)
  switch (ast._tag) {
    case "TupleType":
      return true
    case "Transformation":
      return isArray(ast.from, seen)
    case "Refinement":
      return isArray(ast.from, seen)
    case "Suspend":
      return isArray(ast.f(), seen)
    case "Union":
      return ast.types.some((member) => isArray(member, seen))
    default:
      return false
  }
}

const mayBeUndefined = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "UndefinedKeyword":
      return true
    case "Union":
      return ast.types.some(mayBeUndefined)
    case "Transformation":
    case "Refinement":
      return mayBeUndefined(ast.from)
    default:
      return false
  }
}

const collect = (
  ast: AST.AST,
  fields: Map<string, Field>,
  rest: { value: Field | undefined },
  seen: Set<AST.AST>
): void => {
  if (seen.has(ast)) return
  seen.add(ast)
  switch (ast._tag) {
    case "TypeLiteral": {
      for (const ps of ast.propertySignatures) {
        if (typeof ps.name !== "string") continue
        const field: Field = { array: isArray(ps.type), optional: ps.isOptional || mayBeUndefined(ps.type) }
        const previous = fields.get(ps.name)
        fields.set(
          ps.name,
          previous === undefined ? field : {
            array: previous.array || field.array,
            optional: previous.optional || field.optional
          }
        )
      }
      for (const is of ast.indexSignatures) {
        rest.value = { array: isArray(is.type), optional: true }
      }
      return
    }
    case "Transformation":
    case "Refinement":
      return collect(ast.from, fields, rest, seen)
    case "Suspend":
      return collect(ast.f(), fields, rest, seen)
    case "Union":
      for (const member of ast.types) collect(member, fields, rest, seen)
      return
    default:
      return
  }
}

const shapes = new WeakMap<AST.AST, Shape>()

/** The fields a schema reads, from its AST (memoised per AST). */
export const shapeOf = (ast: AST.AST): Shape => {
  let shape = shapes.get(ast)
  if (shape === undefined) {
    const fields = new Map<string, Field>()
    const rest = { value: undefined as Field | undefined }
    collect(ast, fields, rest, new Set())
    shape = { fields, rest: rest.value }
    shapes.set(ast, shape)
  }
  return shape
}

/**
 * The plain object a schema decodes: arrays get every value, scalars the last
 * one; an absent key (or an empty list for a scalar) leaves the field absent,
 * except a required array field, which gets `[]` as Django's `getlist` does.
 */
export const toInput = <V>(self: Internal<V>, shape: Shape): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  const put = (key: string, field: Field) => {
    const values = getListOption(self, key)
    if (field.array) {
      if (values !== undefined) define(out, key, values.slice())
      else if (!field.optional) define(out, key, [])
    } else if (values !== undefined && values.length > 0) {
      define(out, key, values[values.length - 1])
    }
  }
  for (const [key, field] of shape.fields) put(key, field)
  if (shape.rest !== undefined) {
    for (const key of keys(self)) if (!shape.fields.has(key)) put(key, shape.rest)
  }
  return out
}

const define = (out: Record<string, unknown>, key: string, value: unknown) => {
  // An own data property even for `__proto__` (which an assignment would make the prototype).
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  } else out[key] = value
}

type Run<A, R> = (input: unknown) => Effect.Effect<A, ParseResult.ParseError, R>

/** Per schema AST, the decoders made for each options object (by identity, a few at most). */
const runs = new WeakMap<AST.AST, Map<AST.ParseOptions | undefined, Run<unknown, unknown>>>()
const RUNS_PER_AST = 8

/**
 * `Schema.decodeUnknown(schema, options)`, made once per schema and options object, and run
 * with one options object for every input. `Schema.decodeUnknown` copies its options into a
 * new object on every call (`{ ...options, isEffectAllowed: true }`), and the parsers then run
 * several times slower (a two-field struct: about 4.4 against 1.8 µs; BENCHMARKS.md, session 8,
 * helper `view`). Reach into private parts: `isEffectAllowed` is the parser's internal option
 * that `Schema.decodeUnknown` sets (effects allowed: an effectful schema yields an `Effect`,
 * a synchronous one an `Either`); the parser `ParseResult.decodeUnknownEither` returns takes
 * its options as they are. Missing public API: an effectful decoder that does not copy its
 * options per call. `test/QueryDict.test.ts` pins the results against `Schema.decodeUnknown`'s,
 * effectful schemas with requirements included.
 */
export const effectDecoder = <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  options: AST.ParseOptions | undefined
): Run<A, R> => {
  let byOptions = runs.get(schema.ast)
  const cached = byOptions?.get(options)
  if (cached !== undefined) return cached as Run<A, R>
  const allowed: Record<string, unknown> = { ...options, isEffectAllowed: true }
  // The schema's AST alone (its requirements are the cast's `R`): the parser is the AST's.
  const parse = ParseResult.decodeUnknownEither(Schema.make(schema.ast)) as unknown as (
    input: unknown,
    options: AST.ParseOptions
  ) => Effect.Effect<A, ParseResult.ParseIssue, R>
  const run: Run<A, R> = (input) => ParseResult.mapError(parse(input, allowed), ParseResult.parseError)
  if (byOptions === undefined) {
    byOptions = new Map()
    runs.set(schema.ast, byOptions)
  }
  if (byOptions.size < RUNS_PER_AST) byOptions.set(options, run as Run<unknown, unknown>)
  return run
}

/** @internal */
export const decode = <A, I, R>(schema: Schema.Schema<A, I, R>, options?: AST.ParseOptions) => {
  const shape = shapeOf(schema.ast)
  const run = effectDecoder(schema, options)
  return <V>(self: Internal<V>): Effect.Effect<A, ParseResult.ParseError, R> => run(toInput(self, shape))
}

/** @internal */
export const decodeEither = <A, I>(schema: Schema.Schema<A, I, never>, options?: AST.ParseOptions) => {
  const shape = shapeOf(schema.ast)
  const run = Schema.decodeUnknownEither(schema, options)
  return <V>(self: Internal<V>): Either.Either<A, ParseResult.ParseError> => run(toInput(self, shape))
}
