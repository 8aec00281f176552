import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Exit, Option, Redacted } from "effect"
import { Settings } from "../src/index.js"

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("Settings", () => {
  it("has Django 3.2's defaults", () => {
    const s = Settings.make()
    expect(s.DEFAULT_CHARSET).toBe("utf-8")
    expect(s.ALLOWED_HOSTS).toEqual([])
    expect(s.DATA_UPLOAD_MAX_MEMORY_SIZE).toBe(2621440)
    expect(s.DATA_UPLOAD_MAX_NUMBER_FIELDS).toBe(1000)
    expect(s.DATA_UPLOAD_MAX_NUMBER_FILES).toBe(100)
    expect(s.FILE_UPLOAD_MAX_MEMORY_SIZE).toBe(2621440)
    expect(s.SECURE_PROXY_SSL_HEADER).toBeNull()
    expect(Option.isNone(s.SECRET_KEY)).toBe(true)
  })

  it.effect("current falls back to the defaults and reads a provided layer", () =>
    Effect.gen(function*() {
      expect((yield* Settings.current).DEBUG).toBe(false)
      const s = yield* Settings.current.pipe(Effect.provide(Settings.layer({ DEBUG: true, SECRET_KEY: "k" })))
      expect(s.DEBUG).toBe(true)
      expect(Option.map(s.SECRET_KEY, Redacted.value)).toEqual(Option.some("k"))
    }))

  it("fromContext reads the settings of a context, else Django's defaults", () => {
    expect(Settings.fromContext(Context.empty())).toBe(Settings.defaults)
    const given = Settings.make({ DEBUG: true })
    expect(Settings.fromContext(Context.make(Settings.Settings, given))).toBe(given)
  })

  it("a missing SECRET_KEY fails only when asked for", () => {
    const r = Settings.secretKey(Settings.make())
    expect(r._tag).toBe("Left")
    if (r._tag === "Left") expect(r.left._tag).toBe("ImproperlyConfigured")
  })

  it.effect("reads the environment", () =>
    Effect.gen(function*() {
      const s = yield* Settings.fromEnv().pipe(withEnv({
        ALLOWED_HOSTS: "example.com, .example.org",
        DEBUG: "1",
        SECURE_PROXY_SSL_HEADER: "HTTP_X_FORWARDED_PROTO,https",
        DATA_UPLOAD_MAX_NUMBER_FIELDS: "none",
        DATA_UPLOAD_MAX_MEMORY_SIZE: "10",
        SECRET_KEY: "s3cret",
        SECRET_KEY_FALLBACKS: "old1,old2"
      }))
      expect(s.ALLOWED_HOSTS).toEqual(["example.com", ".example.org"])
      expect(s.DEBUG).toBe(true)
      expect(s.SECURE_PROXY_SSL_HEADER).toEqual(["HTTP_X_FORWARDED_PROTO", "https"])
      expect(s.DATA_UPLOAD_MAX_NUMBER_FIELDS).toBeNull()
      expect(s.DATA_UPLOAD_MAX_MEMORY_SIZE).toBe(10)
      expect(s.SECRET_KEY_FALLBACKS.map(Redacted.value)).toEqual(["old1", "old2"])
    }))

  it.effect("unset variables keep the given base", () =>
    Effect.gen(function*() {
      const s = yield* Settings.fromEnv({ ALLOWED_HOSTS: ["localhost"] }).pipe(withEnv({}))
      expect(s.ALLOWED_HOSTS).toEqual(["localhost"])
    }))

  it.effect("a malformed variable is ImproperlyConfigured naming it", () =>
    Effect.gen(function*() {
      for (
        const [name, value] of [
          ["DATA_UPLOAD_MAX_MEMORY_SIZE", "lots"],
          ["SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO"],
          ["DEBUG", "maybe"]
        ] as const
      ) {
        const exit = yield* Effect.exit(Settings.fromEnv().pipe(withEnv({ [name]: value })))
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) {
          const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
          expect(error?._tag).toBe("ImproperlyConfigured")
          expect(error?.message).toContain(name)
        }
      }
    }))
})
