/**
 * Django 3.2's default password validators against Django itself: every case of
 * scripts/django/password_validation.py (each validator alone and `validate_password` with the
 * four, for several users), the validators' options and help texts, `quick_ratio`; and the
 * common-password list committed in src/internal/commonPasswords.ts is what
 * scripts/django/common_passwords.py writes from the installed Django (checked where Django is).
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Option } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PasswordValidation } from "../src/index.js"
import { COUNT } from "../src/internal/commonPasswords.js"
import { commonPasswords, quickRatio } from "../src/internal/passwordValidation.js"

interface ErrorItem {
  readonly code: string
  readonly message: string
}
interface Fixtures {
  readonly validate: ReadonlyArray<{
    readonly password: string
    readonly user: Readonly<Record<string, string>> | null
    readonly each: Readonly<Record<"similarity" | "minimumLength" | "common" | "numeric", ReadonlyArray<ErrorItem>>>
    readonly all: ReadonlyArray<ErrorItem>
  }>
  readonly options: ReadonlyArray<{
    readonly validator: "minimumLength" | "similarity"
    readonly minLength?: number
    readonly maxSimilarity?: number
    readonly password: string
    readonly user?: string
    readonly errors: ReadonlyArray<ErrorItem>
  }>
  readonly helpTexts: ReadonlyArray<string>
  readonly minimumLengthHelpText1: string
  readonly quickRatio: ReadonlyArray<{ readonly a: string; readonly b: string; readonly ratio: number }>
}

const fixtures: Fixtures = JSON.parse(
  readFileSync(new URL("./fixtures/password_validation.json", import.meta.url), "utf8")
)

const validators = {
  similarity: Either.getOrThrow(PasswordValidation.userAttributeSimilarity()),
  minimumLength: PasswordValidation.minimumLength(),
  common: PasswordValidation.commonPassword,
  numeric: PasswordValidation.numericPassword
} as const

const errorsOf = (outcome: Either.Either<void, PasswordValidation.ValidationError>): ReadonlyArray<ErrorItem> =>
  Either.match(outcome, { onLeft: (e) => e.errors, onRight: () => [] })

const django = spawnSync("/usr/bin/python3", ["-c", "import django"], { stdio: "ignore" }).status === 0

describe("PasswordValidation: Django 3.2's validators (scripts/django/password_validation.py)", () => {
  it(`each validator and validate_password agree with Django on ${fixtures.validate.length} cases`, () => {
    for (const c of fixtures.validate) {
      const user = c.user ?? undefined
      for (const [name, validator] of Object.entries(validators)) {
        const expected = c.each[name as keyof typeof validators]
        expect(Option.toArray(validator.validate(c.password, user)), `${name} ${JSON.stringify(c)}`).toEqual(expected)
      }
      expect(errorsOf(PasswordValidation.validatePassword(c.password, user)), JSON.stringify(c)).toEqual(c.all)
    }
    // The cases reach every validator's failure.
    const codes = new Set(fixtures.validate.flatMap((c) => c.all.map((e) => e.code)))
    expect([...codes].sort()).toEqual([
      "password_entirely_numeric",
      "password_too_common",
      "password_too_short",
      "password_too_similar"
    ])
  })

  it("the options: MinimumLengthValidator(min_length) and UserAttributeSimilarityValidator(max_similarity)", () => {
    for (const c of fixtures.options) {
      const validator = c.validator === "minimumLength"
        ? PasswordValidation.minimumLength(c.minLength)
        : Either.getOrThrow(PasswordValidation.userAttributeSimilarity({ maxSimilarity: c.maxSimilarity }))
      const user = c.user === undefined ? undefined : { username: c.user }
      expect(Option.toArray(validator.validate(c.password, user)), JSON.stringify(c)).toEqual(c.errors)
    }
  })

  it("a max_similarity below 0.1 is refused, as Django raises ValueError", () => {
    const refused = PasswordValidation.userAttributeSimilarity({ maxSimilarity: 0.09 })
    expect(Either.isLeft(refused) && refused.left.message).toBe("max_similarity must be at least 0.1")
  })

  it("help texts (password_validators_help_texts), singular for one character", () => {
    expect(PasswordValidation.helpTexts()).toEqual(fixtures.helpTexts)
    expect(PasswordValidation.minimumLength(1).helpText).toBe(fixtures.minimumLengthHelpText1)
  })

  it("ValidationError.messages lists every message in the validators' order", () => {
    const outcome = PasswordValidation.validatePassword("1234", { username: "x" })
    expect(Either.isLeft(outcome) && outcome.left.messages).toEqual([
      "This password is too short. It must contain at least 8 characters.",
      "This password is too common.",
      "This password is entirely numeric."
    ])
  })

  it("quick_ratio as difflib computes it (code points)", () => {
    for (const { a, b, ratio } of fixtures.quickRatio) expect(quickRatio(a, b)).toBeCloseTo(ratio, 12)
  })

  it("property: quick_ratio is symmetric, within [0, 1], and 1 for a permutation", () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
      const r = quickRatio(a, b)
      expect(r).toBeGreaterThanOrEqual(0)
      expect(r).toBeLessThanOrEqual(1)
      expect(quickRatio(b, a)).toBe(r)
      expect(quickRatio(a, [...a].reverse().join(""))).toBe(1)
    }))
  })
})

describe("PasswordValidation: the common-password list", () => {
  it("decodes to Django's count of distinct passwords, lower-case and stripped", () => {
    const words = commonPasswords()
    expect(words.size).toBe(COUNT)
    expect(COUNT).toBeGreaterThan(19_000)
    for (const word of ["password", "123456", "iloveyou", "trustno1"]) expect(words.has(word)).toBe(true)
    for (const word of words) expect(word).toBe(word.toLowerCase().trim())
  })

  it.skipIf(!django && !process.env["CI"])(
    "the committed file is what scripts/django/common_passwords.py writes",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "common-passwords-"))
      try {
        const out = join(dir, "commonPasswords.ts")
        const run = spawnSync("/usr/bin/python3", ["scripts/django/common_passwords.py", out], { encoding: "utf8" })
        expect(run.status, run.stderr).toBe(0)
        expect(readFileSync(out, "utf8")).toBe(
          readFileSync(new URL("../src/internal/commonPasswords.ts", import.meta.url), "utf8")
        )
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  )
})
if (!django) console.log("[PasswordValidation] the common-password file check skipped: Django 3.2 is not installed")
