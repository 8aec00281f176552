/**
 * Django 3.2's password validation (`django.contrib.auth.password_validation`): the four
 * validators of the project template's `AUTH_PASSWORD_VALIDATORS` with Django's messages, codes
 * and help texts, and `validatePassword`, which runs them all and fails with every message at
 * once (Django's `validate_password`). Django's `UserCreationForm` runs them on the second
 * password field, with the user being created (its username checked for similarity).
 *
 * - `userAttributeSimilarity`: too similar (`difflib`'s `quick_ratio` at least 0.7) to the
 *   username, first name, last name or email address, or to a part of one between non-word
 *   characters;
 * - `minimumLength`: fewer than 8 characters (code points, as Python counts);
 * - `commonPassword`: among Django's 20,000 common passwords (lower-cased and stripped first);
 * - `numericPassword`: digits only.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { PasswordValidation } from "effect-django-http"
 *
 * const outcome = PasswordValidation.validatePassword("alice2021", { username: "alice" })
 * if (Either.isLeft(outcome)) {
 *   console.log(outcome.left.messages)
 *   // ["The password is too similar to the username."]
 * }
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { InvalidArgument } from "./Errors.js"
import * as internal from "./internal/passwordValidation.js"
import { strip as pyStrip } from "./internal/python/str.js"

/**
 * One problem with a password: Django's error `code` (`password_too_short`, ...) and its message.
 *
 * @since 0.1.0
 * @category models
 */
export interface PasswordError {
  readonly code: string
  readonly message: string
}

/**
 * Django's `ValidationError` as `validate_password` raises it: every validator's error, in the
 * validators' order.
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends Data.TaggedError("ValidationError")<{
  readonly errors: ReadonlyArray<PasswordError>
}> {
  /**
   * The messages alone (Django's `error.messages`).
   *
   * @since 0.1.0
   * @category getters
   */
  get messages(): ReadonlyArray<string> {
    return this.errors.map((e) => e.message)
  }
  /**
   * @since 0.1.0
   * @category getters
   */
  override get message(): string {
    return this.messages.join(" ")
  }
}

/**
 * The user a password belongs to, as the similarity check reads it: any of its string
 * attributes (Django's `getattr(user, name)`); missing and non-string ones are skipped.
 *
 * @since 0.1.0
 * @category models
 */
export type UserAttributes = Readonly<Record<string, unknown>>

/**
 * A password validator (an entry of `AUTH_PASSWORD_VALIDATORS`): `validate` gives the error, if
 * any, and `helpText` what the sign-up page tells the user beforehand.
 *
 * @since 0.1.0
 * @category models
 */
export interface PasswordValidator {
  readonly name: string
  readonly validate: (password: string, user?: UserAttributes | undefined) => Option.Option<PasswordError>
  readonly helpText: string
}

/**
 * The user attributes compared by default, and their names in messages (the `verbose_name` of
 * Django's `User` fields).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_USER_ATTRIBUTES: Readonly<Record<string, string>> = {
  username: "username",
  first_name: "first name",
  last_name: "last name",
  email: "email address"
}

/** Django's shortcut: a value ten times shorter than the password cannot reach the ratio. */
const exceedsMaximumLengthRatio = (passwordLength: number, maxSimilarity: number, value: string): boolean => {
  const valueLength = internal.pyLen(value)
  return passwordLength >= 10 * valueLength && valueLength < (maxSimilarity / 2) * passwordLength
}

const similarity = (attributes: Readonly<Record<string, string>>, maxSimilarity: number): PasswordValidator => ({
  name: "UserAttributeSimilarityValidator",
  helpText: "Your password can’t be too similar to your other personal information.",
  validate: (raw, user) => {
    if (user === undefined) return Option.none()
    const password = raw.toLowerCase()
    const passwordLength = internal.pyLen(password)
    for (const [attribute, verboseName] of Object.entries(attributes)) {
      const value = user[attribute]
      if (typeof value !== "string" || value === "") continue
      const lower = value.toLowerCase()
      for (const part of [...internal.splitNonWord(lower), lower]) {
        if (exceedsMaximumLengthRatio(passwordLength, maxSimilarity, part)) continue
        if (internal.quickRatio(password, part) >= maxSimilarity) {
          return Option.some({
            code: "password_too_similar",
            message: `The password is too similar to the ${verboseName}.`
          })
        }
      }
    }
    return Option.none()
  }
})

/**
 * Django's `UserAttributeSimilarityValidator(user_attributes, max_similarity)`: the attributes
 * (with their names in messages) default to `DEFAULT_USER_ATTRIBUTES`, `maxSimilarity` to 0.7;
 * below 0.1 it is refused, as Django refuses it.
 *
 * @since 0.1.0
 * @category validators
 */
export const userAttributeSimilarity = (options?: {
  readonly userAttributes?: Readonly<Record<string, string>> | undefined
  readonly maxSimilarity?: number | undefined
}): Either.Either<PasswordValidator, InvalidArgument> => {
  const maxSimilarity = options?.maxSimilarity ?? 0.7
  return maxSimilarity < 0.1
    ? Either.left(new InvalidArgument({ message: "max_similarity must be at least 0.1" }))
    : Either.right(similarity(options?.userAttributes ?? DEFAULT_USER_ATTRIBUTES, maxSimilarity))
}

const plural = (n: number, one: string, many: string): string => n === 1 ? one : many

/**
 * Django's `MinimumLengthValidator(min_length=8)`; length in code points.
 *
 * @since 0.1.0
 * @category validators
 */
export const minimumLength = (minLength = 8): PasswordValidator => ({
  name: "MinimumLengthValidator",
  helpText: `Your password must contain at least ${minLength} ${plural(minLength, "character", "characters")}.`,
  validate: (password) =>
    internal.pyLen(password) < minLength
      ? Option.some({
        code: "password_too_short",
        message: `This password is too short. It must contain at least ${minLength} ${
          plural(minLength, "character", "characters")
        }.`
      })
      : Option.none()
})

/**
 * Django's `CommonPasswordValidator` with the list Django ships (`common-passwords.txt.gz`,
 * decoded on first use): the password lower-cased and stripped must not be in it.
 *
 * @since 0.1.0
 * @category validators
 */
export const commonPassword: PasswordValidator = {
  name: "CommonPasswordValidator",
  helpText: "Your password can’t be a commonly used password.",
  validate: (password) =>
    internal.commonPasswords().has(pyStrip(password.toLowerCase()))
      ? Option.some({ code: "password_too_common", message: "This password is too common." })
      : Option.none()
}

/**
 * Django's `NumericPasswordValidator`: refused when Python's `str.isdigit()` holds.
 *
 * @since 0.1.0
 * @category validators
 */
export const numericPassword: PasswordValidator = {
  name: "NumericPasswordValidator",
  helpText: "Your password can’t be entirely numeric.",
  validate: (password) =>
    internal.isDigit(password)
      ? Option.some({ code: "password_entirely_numeric", message: "This password is entirely numeric." })
      : Option.none()
}

/**
 * The `AUTH_PASSWORD_VALIDATORS` of Django 3.2's project template, in its order.
 *
 * @since 0.1.0
 * @category validators
 */
export const defaultValidators: ReadonlyArray<PasswordValidator> = [
  similarity(DEFAULT_USER_ATTRIBUTES, 0.7),
  minimumLength(),
  commonPassword,
  numericPassword
]

/**
 * Django's `validate_password(password, user, password_validators)`: every validator runs; the
 * failure lists all their errors.
 *
 * @since 0.1.0
 * @category validation
 */
export const validatePassword = (
  password: string,
  user?: UserAttributes | undefined,
  validators: ReadonlyArray<PasswordValidator> = defaultValidators
): Either.Either<void, ValidationError> => {
  const errors = validators.flatMap((v) => Option.toArray(v.validate(password, user)))
  return errors.length === 0 ? Either.void : Either.left(new ValidationError({ errors }))
}

/**
 * Django's `password_validators_help_texts(password_validators)`.
 *
 * @since 0.1.0
 * @category validation
 */
export const helpTexts = (validators: ReadonlyArray<PasswordValidator> = defaultValidators): ReadonlyArray<string> =>
  validators.map((v) => v.helpText)
