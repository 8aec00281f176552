/**
 * The notes app's forms as Schemas with Django's messages: a failed decoding becomes the errors
 * shown beside each field (Django's `form.errors`), and the values typed are kept for the page.
 */
import { Array as Arr, Effect, Either, ParseResult, Record, Schema } from "effect"
import { HttpRequest, MultiValueDict } from "../../src/index.js"

/** Each field's messages, as Django's `form.errors`; `__all__` for the form's own. */
export type FieldErrors = Readonly<Record<string, ReadonlyArray<string>>>

const REQUIRED = "This field is required."

/** Python's `len`: code points. */
const pyLen = (s: string): number => Array.from(s).length

const required = <I>(self: Schema.Schema<string, I>) => self.pipe(Schema.filter((s) => s !== "" || REQUIRED))

const maxLength = (max: number) => <I>(self: Schema.Schema<string, I>) =>
  self.pipe(Schema.filter((s) => {
    const n = pyLen(s)
    return n <= max || `Ensure this value has at most ${max} characters (it has ${n}).`
  }))

/** A field that must be posted: its absence reads as Django's "required". */
const field = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.propertySignature(schema).annotations({ missingMessage: () => REQUIRED })

/** Django's `CharField`: stripped, then required and at most `max` characters. */
const charField = (max: number) => field(Schema.Trim.pipe(required, maxLength(max)))

/** Django's `UnicodeUsernameValidator`: letters, digits and `@.+-_`. */
export const USERNAME_PATTERN = /^[\p{L}\p{N}_.@+-]+$/u

/** The username as the sign-up form's field cleans it, before the model's checks. */
export const Username = Schema.transform(Schema.Trim, Schema.String, {
  strict: true,
  decode: (s) => s.normalize("NFKC"),
  encode: (s) => s
}).pipe(required, maxLength(150))

/** Django's `UsernameField` (stripped, NFKC-normalized) of at most 150 characters. */
const usernameField = field(Username)

/** A password field: not stripped (Django's `strip=False`), required. */
const passwordField = field(Schema.String.pipe(required))

/** The note form: a title (required, at most 200 characters) and an optional body. */
export const NoteForm = Schema.Struct({
  title: charField(200),
  body: Schema.optionalWith(Schema.Trim.pipe(maxLength(10_000)), { default: () => "", exact: true })
})

/** Django's `AuthenticationForm`. */
export const LoginForm = Schema.Struct({ username: usernameField, password: passwordField })

/** Django's `UserCreationForm`, the fields alone (the rest is checked with the users at hand). */
export const SignupForm = Schema.Struct({ username: usernameField, password1: passwordField, password2: passwordField })

/** The messages of a failed decoding, by field. */
export const fieldErrors = (error: ParseResult.ParseError): FieldErrors =>
  Record.map(
    Arr.groupBy(ParseResult.ArrayFormatter.formatErrorSync(error), (issue) => String(issue.path[0] ?? "__all__")),
    (issues) => issues.map((issue) => issue.message)
  )

/** A posted form: its values as posted (to show them again), its errors, and its data when valid. */
export interface Bound<A> {
  readonly values: Readonly<Record<string, string>>
  readonly errors: FieldErrors
  readonly result: Either.Either<A, FieldErrors>
}

const bound = <A>(values: Readonly<Record<string, string>>, result: Either.Either<A, FieldErrors>): Bound<A> => ({
  values,
  result,
  errors: Either.isLeft(result) ? result.left : {}
})

/** An unbound form: no values, no errors. */
export const unbound: Bound<never> = bound({}, Either.left({}))

/** A form showing `values` (Django's `initial`), not bound. */
export const initial = (values: Readonly<Record<string, string>>): Bound<never> => bound(values, Either.left({}))

/** The same values with these errors (Django's `form.add_error`). */
export const withErrors = (form: Bound<unknown>, errors: FieldErrors): Bound<never> =>
  bound(form.values, Either.left({ ...form.errors, ...errors }))

const decoded = <A, E, R>(decoding: Effect.Effect<A, E | ParseResult.ParseError, R>) =>
  decoding.pipe(
    Effect.map((a): Either.Either<A, FieldErrors> => Either.right(a)),
    Effect.catchIf(ParseResult.isParseError, (error) => Effect.succeed(Either.left(fieldErrors(error))))
  )

/** Binds the request's POST to a form (Django's `Form(request.POST)` and `is_valid()`). */
export const bind = <A, I>(schema: Schema.Schema<A, I>) => (request: HttpRequest.HttpRequest) =>
  Effect.gen(function*() {
    const values = MultiValueDict.dict(yield* request.POST)
    return bound(values, yield* decoded(HttpRequest.schemaForm(schema)(request)))
  })

/** Binds the request's FILES to a form of files: the files, or each field's errors. */
export const bindFiles = <A, I>(schema: Schema.Schema<A, I>) => (request: HttpRequest.HttpRequest) =>
  decoded(HttpRequest.schemaFiles(schema)(request))
