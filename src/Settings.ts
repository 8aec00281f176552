/**
 * The settings the request/response layer reads, with Django's names and
 * Django 3.2's defaults, as one service in the Effect context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Settings } from "effect-django-http"
 *
 * const program = Effect.gen(function*() {
 *   const settings = yield* Settings.Settings
 *   return settings.ALLOWED_HOSTS
 * })
 *
 * Effect.runSync(program.pipe(Effect.provide(Settings.layer({ ALLOWED_HOSTS: ["example.com"] }))))
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ImproperlyConfigured } from "./Errors.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  /** Charset of responses and of decoded request data. Django: `"utf-8"`. */
  readonly DEFAULT_CHARSET: string
  /** Host names this site serves: exact names, `.example.com` (domain and subdomains) or `*`. Django: `[]`. */
  readonly ALLOWED_HOSTS: ReadonlyArray<string>
  /** Django: `false`. With an empty `ALLOWED_HOSTS`, DEBUG allows `.localhost`, `127.0.0.1` and `[::1]`. */
  readonly DEBUG: boolean
  /** Trust `X-Forwarded-Host`. Django: `false`. */
  readonly USE_X_FORWARDED_HOST: boolean
  /** Trust `X-Forwarded-Port`. Django: `false`. */
  readonly USE_X_FORWARDED_PORT: boolean
  /** `[META name, value]` that marks a request as secure behind a proxy, e.g. `["HTTP_X_FORWARDED_PROTO", "https"]`. */
  readonly SECURE_PROXY_SSL_HEADER: readonly [header: string, value: string] | null
  /** The signing key. Missing is allowed until something signs (then `ImproperlyConfigured`). */
  readonly SECRET_KEY: Option.Option<Redacted.Redacted<string>>
  /** Older keys that still verify signatures (Django 4.1). Signing always uses `SECRET_KEY`. */
  readonly SECRET_KEY_FALLBACKS: ReadonlyArray<Redacted.Redacted<string>>
  /** Largest request body (files excluded) in bytes; `null` disables. Django: 2621440. */
  readonly DATA_UPLOAD_MAX_MEMORY_SIZE: number | null
  /** Most GET/POST fields; `null` disables. Django: 1000. */
  readonly DATA_UPLOAD_MAX_NUMBER_FIELDS: number | null
  /** Most uploaded files; `null` disables. Django: 100. */
  readonly DATA_UPLOAD_MAX_NUMBER_FILES: number | null
  /** Uploads up to this size stay in memory; larger ones spill to disk. Django: 2621440. */
  readonly FILE_UPLOAD_MAX_MEMORY_SIZE: number
  /** Where spilled uploads go; `null` means the OS temp dir. */
  readonly FILE_UPLOAD_TEMP_DIR: string | null
  /** Overrides the script name (Django's `FORCE_SCRIPT_NAME`). */
  readonly FORCE_SCRIPT_NAME: string | null
  /** Hash of signatures. Django 3.2: `"sha256"` (sha1 signatures are still accepted when verifying). */
  readonly DEFAULT_HASHING_ALGORITHM: "sha256" | "sha1"

  // --- URLs and CommonMiddleware (src/Urls.ts, src/Common.ts) ---
  /** Redirect `/path` to `/path/` when only the latter resolves (CommonMiddleware). Django: `true`. */
  readonly APPEND_SLASH: boolean
  /** Redirect `example.com` to `www.example.com` (CommonMiddleware). Django: `false`. */
  readonly PREPEND_WWW: boolean
  /** Python regexes; a User-Agent any of them finds is `PermissionDenied` (CommonMiddleware). Django: `[]`. */
  readonly DISALLOWED_USER_AGENTS: ReadonlyArray<string>
  // -- Standard middleware (SecurityMiddleware, XFrameOptionsMiddleware) --
  /** `X-XSS-Protection: 1; mode=block` from `SecurityMiddleware`. Django: `false`. */
  readonly SECURE_BROWSER_XSS_FILTER: boolean
  /** `X-Content-Type-Options: nosniff` from `SecurityMiddleware`. Django: `true`. */
  readonly SECURE_CONTENT_TYPE_NOSNIFF: boolean
  /** `Referrer-Policy` (a comma-separated string or a list, joined with `,`); `null` for none. Django: `"same-origin"`. */
  readonly SECURE_REFERRER_POLICY: string | ReadonlyArray<string> | null
  /** `Strict-Transport-Security: max-age=N` on secure requests; `0` for none. Django: `0`. */
  readonly SECURE_HSTS_SECONDS: number
  /** Adds `; includeSubDomains` to HSTS. Django: `false`. */
  readonly SECURE_HSTS_INCLUDE_SUBDOMAINS: boolean
  /** Adds `; preload` to HSTS. Django: `false`. */
  readonly SECURE_HSTS_PRELOAD: boolean
  /** Redirects plain-HTTP requests to HTTPS (301). Django: `false`. */
  readonly SECURE_SSL_REDIRECT: boolean
  /** The host of that redirect; `null` for the request's own. Django: `null`. */
  readonly SECURE_SSL_HOST: string | null
  /** Regular expressions (searched in the path without its leading `/`) exempt from the redirect. Django: `[]`. */
  readonly SECURE_REDIRECT_EXEMPT: ReadonlyArray<string>
  /** The `X-Frame-Options` value of `XFrameOptionsMiddleware` (upper-cased). Django: `"DENY"`. */
  readonly X_FRAME_OPTIONS: string
  // --- Sessions (django.contrib.sessions; see the Sessions module) ---
  /** Name of the session cookie. Django: `"sessionid"`. */
  readonly SESSION_COOKIE_NAME: string
  /** Session lifetime in seconds (cookie `Max-Age`, row expiry, signed-cookie age check). Django: 1209600 (two weeks). */
  readonly SESSION_COOKIE_AGE: number
  /** `Domain` of the session cookie; `null` for none. Django: `null`. */
  readonly SESSION_COOKIE_DOMAIN: string | null
  /** `Secure` on the session cookie. Django: `false`. */
  readonly SESSION_COOKIE_SECURE: boolean
  /** `Path` of the session cookie. Django: `"/"`. */
  readonly SESSION_COOKIE_PATH: string
  /** `HttpOnly` on the session cookie. Django: `true`. */
  readonly SESSION_COOKIE_HTTPONLY: boolean
  /** `SameSite` of the session cookie (`"Lax"`, `"Strict"`, `"None"`), `null` for none. Django: `"Lax"`. */
  readonly SESSION_COOKIE_SAMESITE: string | null
  /** Save the session (and refresh its cookie) on every request, not only when it changed. Django: `false`. */
  readonly SESSION_SAVE_EVERY_REQUEST: boolean
  /** Session cookies without `Max-Age`/`expires` (gone when the browser closes). Django: `false`. */
  readonly SESSION_EXPIRE_AT_BROWSER_CLOSE: boolean
  /** Django's backend path; here the backend is the `SessionStore` layer provided. Django: `"django.contrib.sessions.backends.db"`. */
  readonly SESSION_ENGINE: string
  /** Django's cache alias for cache sessions (informative here). Django: `"default"`. */
  readonly SESSION_CACHE_ALIAS: string
  /** Django's file-backend directory (no file backend here). Django: `null`. */
  readonly SESSION_FILE_PATH: string | null
  /** Only Django's `JSONSerializer` is supported (pickle cannot be read outside Python). */
  readonly SESSION_SERIALIZER: string
  // --- CSRF (django/middleware/csrf.py; see Csrf.ts) ---
  /** Name of the CSRF cookie. Django: `"csrftoken"`. */
  readonly CSRF_COOKIE_NAME: string
  /** Max-Age of the CSRF cookie in seconds; `null` for a browser-session cookie. Django: 31449600 (a year). */
  readonly CSRF_COOKIE_AGE: number | null
  /** Domain of the CSRF cookie (also trusted by the HTTPS Referer check). Django: `null`. */
  readonly CSRF_COOKIE_DOMAIN: string | null
  /** Path of the CSRF cookie. Django: `"/"`. */
  readonly CSRF_COOKIE_PATH: string
  /** Django: `false`. */
  readonly CSRF_COOKIE_SECURE: boolean
  /** Django: `false`. */
  readonly CSRF_COOKIE_HTTPONLY: boolean
  /** `"Lax"`, `"Strict"`, `"None"`, or `null` for no attribute. Django: `"Lax"`. */
  readonly CSRF_COOKIE_SAMESITE: string | null
  /** META name of the token header. Django: `"HTTP_X_CSRFTOKEN"` (header `X-CSRFToken`). */
  readonly CSRF_HEADER_NAME: string
  /** Keep the token in the session instead of a cookie (needs `Csrf.sessionStore`). Django: `false`. */
  readonly CSRF_USE_SESSIONS: boolean
  /** Hosts trusted by the HTTPS Referer check, in Django 3.2's form: `"example.com"`, `".example.com"`, `"host:8443"` (no scheme). Django: `[]`. */
  readonly CSRF_TRUSTED_ORIGINS: ReadonlyArray<string>
  // --- Auth (django.contrib.auth; see Auth.ts) ---
  /** Backend paths a login session may name. Django: `["django.contrib.auth.backends.ModelBackend"]`. */
  readonly AUTHENTICATION_BACKENDS: ReadonlyArray<string>
  /** Where `loginRequired` sends anonymous users. Django: `"/accounts/login/"`. */
  readonly LOGIN_URL: string
  /** Where a login view goes when no `next` is given. Django: `"/accounts/profile/"`. */
  readonly LOGIN_REDIRECT_URL: string
  /** Where a logout view goes; `null`: render a page instead. Django: `null`. */
  readonly LOGOUT_REDIRECT_URL: string | null
}

/**
 * The settings service.
 *
 * @since 0.1.0
 * @category tags
 */
export const Settings: Context.Tag<Settings, Settings> = Context.GenericTag<Settings>("effect-django-http/Settings")

/**
 * Django 3.2's defaults.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: Settings = {
  DEFAULT_CHARSET: "utf-8",
  ALLOWED_HOSTS: [],
  DEBUG: false,
  USE_X_FORWARDED_HOST: false,
  USE_X_FORWARDED_PORT: false,
  SECURE_PROXY_SSL_HEADER: null,
  SECRET_KEY: Option.none(),
  SECRET_KEY_FALLBACKS: [],
  DATA_UPLOAD_MAX_MEMORY_SIZE: 2621440,
  DATA_UPLOAD_MAX_NUMBER_FIELDS: 1000,
  DATA_UPLOAD_MAX_NUMBER_FILES: 100,
  FILE_UPLOAD_MAX_MEMORY_SIZE: 2621440,
  FILE_UPLOAD_TEMP_DIR: null,
  FORCE_SCRIPT_NAME: null,
  DEFAULT_HASHING_ALGORITHM: "sha256",

  // --- URLs and CommonMiddleware (src/Urls.ts, src/Common.ts) ---
  APPEND_SLASH: true,
  PREPEND_WWW: false,
  DISALLOWED_USER_AGENTS: [],
  // -- Standard middleware (SecurityMiddleware, XFrameOptionsMiddleware) --
  SECURE_BROWSER_XSS_FILTER: false,
  SECURE_CONTENT_TYPE_NOSNIFF: true,
  SECURE_REFERRER_POLICY: "same-origin",
  SECURE_HSTS_SECONDS: 0,
  SECURE_HSTS_INCLUDE_SUBDOMAINS: false,
  SECURE_HSTS_PRELOAD: false,
  SECURE_SSL_REDIRECT: false,
  SECURE_SSL_HOST: null,
  SECURE_REDIRECT_EXEMPT: [],
  X_FRAME_OPTIONS: "DENY",
  // --- Sessions (django.contrib.sessions) ---
  SESSION_COOKIE_NAME: "sessionid",
  SESSION_COOKIE_AGE: 1209600,
  SESSION_COOKIE_DOMAIN: null,
  SESSION_COOKIE_SECURE: false,
  SESSION_COOKIE_PATH: "/",
  SESSION_COOKIE_HTTPONLY: true,
  SESSION_COOKIE_SAMESITE: "Lax",
  SESSION_SAVE_EVERY_REQUEST: false,
  SESSION_EXPIRE_AT_BROWSER_CLOSE: false,
  SESSION_ENGINE: "django.contrib.sessions.backends.db",
  SESSION_CACHE_ALIAS: "default",
  SESSION_FILE_PATH: null,
  SESSION_SERIALIZER: "django.contrib.sessions.serializers.JSONSerializer",
  // --- CSRF ---
  CSRF_COOKIE_NAME: "csrftoken",
  CSRF_COOKIE_AGE: 31449600,
  CSRF_COOKIE_DOMAIN: null,
  CSRF_COOKIE_PATH: "/",
  CSRF_COOKIE_SECURE: false,
  CSRF_COOKIE_HTTPONLY: false,
  CSRF_COOKIE_SAMESITE: "Lax",
  CSRF_HEADER_NAME: "HTTP_X_CSRFTOKEN",
  CSRF_USE_SESSIONS: false,
  CSRF_TRUSTED_ORIGINS: [],
  // --- Auth (django.contrib.auth) ---
  AUTHENTICATION_BACKENDS: ["django.contrib.auth.backends.ModelBackend"],
  LOGIN_URL: "/accounts/login/",
  LOGIN_REDIRECT_URL: "/accounts/profile/",
  LOGOUT_REDIRECT_URL: null
}

/**
 * What `make` and `layer` accept: any subset of the settings, with keys given as
 * plain strings or `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export type Input =
  & Partial<Omit<Settings, "SECRET_KEY" | "SECRET_KEY_FALLBACKS">>
  & {
    readonly SECRET_KEY?: string | Redacted.Redacted<string> | Option.Option<Redacted.Redacted<string>>
    readonly SECRET_KEY_FALLBACKS?: ReadonlyArray<string | Redacted.Redacted<string>>
  }

const toRedacted = (key: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(key) ? key : Redacted.make(key)

/**
 * Django's defaults overridden by `input`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: Input = {}): Settings => {
  const { SECRET_KEY, SECRET_KEY_FALLBACKS, ...rest } = input
  return {
    ...defaults,
    ...rest,
    SECRET_KEY: SECRET_KEY === undefined
      ? defaults.SECRET_KEY
      : Option.isOption(SECRET_KEY)
      ? SECRET_KEY
      : Option.some(toRedacted(SECRET_KEY)),
    SECRET_KEY_FALLBACKS: SECRET_KEY_FALLBACKS === undefined
      ? defaults.SECRET_KEY_FALLBACKS
      : SECRET_KEY_FALLBACKS.map(toRedacted)
  }
}

/**
 * A layer with Django's defaults overridden by `input`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (input: Input = {}): Layer.Layer<Settings> => Layer.succeed(Settings, make(input))

/**
 * The current settings, or Django's defaults when none are provided.
 *
 * @since 0.1.0
 * @category accessors
 */
export const current: Effect.Effect<Settings> = Effect.withFiberRuntime((fiber) =>
  Effect.succeed(fromContext(fiber.currentContext))
)

/**
 * The settings in `context`, or Django's defaults when it has none: `current` for code that
 * holds a context already (a fiber's, a request's).
 *
 * @since 0.1.0
 * @category accessors
 */
export const fromContext = (context: Context.Context<never>): Settings =>
  Context.getOrElse(context, Settings, defaultSettings)

const defaultSettings = (): Settings => defaults

/**
 * The signing key, failing with `ImproperlyConfigured` when it is not set.
 *
 * @since 0.1.0
 * @category accessors
 */
export const secretKey = (settings: Settings): Either.Either<Redacted.Redacted<string>, ImproperlyConfigured> =>
  Option.match(settings.SECRET_KEY, {
    onNone: () => Either.left(new ImproperlyConfigured({ message: "The SECRET_KEY setting must not be empty." })),
    onSome: Either.right
  })

// ---------------------------------------------------------------------------
// From the environment
// ---------------------------------------------------------------------------

const flag = (name: string, fallback: boolean): Config.Config<boolean> =>
  Config.string(name).pipe(
    Config.mapOrFail((raw) => {
      const v = raw.trim().toLowerCase()
      if (v === "1" || v === "true" || v === "yes" || v === "on") return Either.right(true)
      if (v === "0" || v === "false" || v === "no" || v === "off" || v === "") return Either.right(false)
      return Either.left(ConfigError.InvalidData([], `expected 1 or 0, got ${JSON.stringify(raw)}`))
    }),
    Config.withDefault(fallback)
  )

const limit = (name: string, fallback: number | null): Config.Config<number | null> =>
  Config.string(name).pipe(
    Config.mapOrFail((raw) => {
      const v = raw.trim()
      if (v.toLowerCase() === "none") return Either.right(null)
      if (/^\d+$/.test(v)) return Either.right(Number(v))
      return Either.left(
        ConfigError.InvalidData([], `expected a non-negative integer or "none", got ${JSON.stringify(raw)}`)
      )
    }),
    Config.withDefault(fallback)
  )

const list = (name: string, fallback: ReadonlyArray<string>): Config.Config<ReadonlyArray<string>> =>
  Config.string(name).pipe(
    Config.map((raw) => raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0) as ReadonlyArray<string>),
    Config.withDefault(fallback)
  )

const text = (name: string, fallback: string): Config.Config<string> =>
  Config.string(name).pipe(Config.withDefault(fallback))

const optionalString = (name: string, fallback: string | null): Config.Config<string | null> =>
  Config.string(name).pipe(
    Config.map((s): string | null => (s.trim() === "" ? null : s)),
    Config.withDefault(fallback)
  )

/**
 * Reads the settings from the environment (Effect `Config`), one variable per
 * setting, named as in Django. Lists are comma-separated, flags `1`/`0`, limits
 * integers or `none`, `SECURE_PROXY_SSL_HEADER` is `HTTP_X_FORWARDED_PROTO,https`.
 * Unset variables take the value in `base` (Django's defaults unless given).
 *
 * @since 0.1.0
 * @category config
 */
export const config = (base: Input = {}): Config.Config<Settings> => {
  const d = make(base)
  return Config.all({
    DEFAULT_CHARSET: text("DEFAULT_CHARSET", d.DEFAULT_CHARSET),
    ALLOWED_HOSTS: list("ALLOWED_HOSTS", d.ALLOWED_HOSTS),
    DEBUG: flag("DEBUG", d.DEBUG),
    USE_X_FORWARDED_HOST: flag("USE_X_FORWARDED_HOST", d.USE_X_FORWARDED_HOST),
    USE_X_FORWARDED_PORT: flag("USE_X_FORWARDED_PORT", d.USE_X_FORWARDED_PORT),
    SECURE_PROXY_SSL_HEADER: Config.string("SECURE_PROXY_SSL_HEADER").pipe(
      Config.mapOrFail((raw): Either.Either<readonly [string, string] | null, ConfigError.ConfigError> => {
        if (raw.trim() === "") return Either.right(null)
        const parts = raw.split(",")
        if (parts.length !== 2 || parts[0]!.trim() === "" || parts[1]!.trim() === "") {
          return Either.left(
            ConfigError.InvalidData(
              [],
              `expected "HEADER,value" (e.g. HTTP_X_FORWARDED_PROTO,https), got ${JSON.stringify(raw)}`
            )
          )
        }
        return Either.right([parts[0]!.trim(), parts[1]!.trim()] as const)
      }),
      Config.withDefault(d.SECURE_PROXY_SSL_HEADER)
    ),
    SECRET_KEY: Config.option(Config.redacted("SECRET_KEY")).pipe(
      Config.map((key) => Option.orElse(Option.filter(key, (k) => Redacted.value(k) !== ""), () => d.SECRET_KEY))
    ),
    SECRET_KEY_FALLBACKS: list("SECRET_KEY_FALLBACKS", []).pipe(
      Config.map((keys) => (keys.length === 0 ? d.SECRET_KEY_FALLBACKS : keys.map((k) => Redacted.make(k))))
    ),
    DATA_UPLOAD_MAX_MEMORY_SIZE: limit("DATA_UPLOAD_MAX_MEMORY_SIZE", d.DATA_UPLOAD_MAX_MEMORY_SIZE),
    DATA_UPLOAD_MAX_NUMBER_FIELDS: limit("DATA_UPLOAD_MAX_NUMBER_FIELDS", d.DATA_UPLOAD_MAX_NUMBER_FIELDS),
    DATA_UPLOAD_MAX_NUMBER_FILES: limit("DATA_UPLOAD_MAX_NUMBER_FILES", d.DATA_UPLOAD_MAX_NUMBER_FILES),
    FILE_UPLOAD_MAX_MEMORY_SIZE: limit("FILE_UPLOAD_MAX_MEMORY_SIZE", d.FILE_UPLOAD_MAX_MEMORY_SIZE).pipe(
      // `none` would mean "never spill", which Django does not offer: treat it as unbounded memory.
      Config.map((n) => n ?? Number.MAX_SAFE_INTEGER)
    ),
    FILE_UPLOAD_TEMP_DIR: optionalString("FILE_UPLOAD_TEMP_DIR", d.FILE_UPLOAD_TEMP_DIR),
    FORCE_SCRIPT_NAME: optionalString("FORCE_SCRIPT_NAME", d.FORCE_SCRIPT_NAME),
    DEFAULT_HASHING_ALGORITHM: Config.literal("sha256", "sha1")("DEFAULT_HASHING_ALGORITHM").pipe(
      Config.withDefault(d.DEFAULT_HASHING_ALGORITHM)
    ),

    // --- URLs and CommonMiddleware (src/Urls.ts, src/Common.ts) ---
    APPEND_SLASH: flag("APPEND_SLASH", d.APPEND_SLASH),
    PREPEND_WWW: flag("PREPEND_WWW", d.PREPEND_WWW),
    DISALLOWED_USER_AGENTS: list("DISALLOWED_USER_AGENTS", d.DISALLOWED_USER_AGENTS),
    // -- Standard middleware (SecurityMiddleware, XFrameOptionsMiddleware) --
    SECURE_BROWSER_XSS_FILTER: flag("SECURE_BROWSER_XSS_FILTER", d.SECURE_BROWSER_XSS_FILTER),
    SECURE_CONTENT_TYPE_NOSNIFF: flag("SECURE_CONTENT_TYPE_NOSNIFF", d.SECURE_CONTENT_TYPE_NOSNIFF),
    // Empty means no header (Django's `None`); a comma-separated value is kept as Django joins it.
    SECURE_REFERRER_POLICY: Config.string("SECURE_REFERRER_POLICY").pipe(
      Config.map((v): string | ReadonlyArray<string> | null => (v.trim() === "" ? null : v)),
      Config.withDefault(d.SECURE_REFERRER_POLICY)
    ),
    SECURE_HSTS_SECONDS: limit("SECURE_HSTS_SECONDS", d.SECURE_HSTS_SECONDS).pipe(Config.map((n) => n ?? 0)),
    SECURE_HSTS_INCLUDE_SUBDOMAINS: flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", d.SECURE_HSTS_INCLUDE_SUBDOMAINS),
    SECURE_HSTS_PRELOAD: flag("SECURE_HSTS_PRELOAD", d.SECURE_HSTS_PRELOAD),
    SECURE_SSL_REDIRECT: flag("SECURE_SSL_REDIRECT", d.SECURE_SSL_REDIRECT),
    SECURE_SSL_HOST: optionalString("SECURE_SSL_HOST", d.SECURE_SSL_HOST),
    SECURE_REDIRECT_EXEMPT: list("SECURE_REDIRECT_EXEMPT", d.SECURE_REDIRECT_EXEMPT),
    X_FRAME_OPTIONS: text("X_FRAME_OPTIONS", d.X_FRAME_OPTIONS),
    // --- Sessions (django.contrib.sessions) ---
    SESSION_COOKIE_NAME: text("SESSION_COOKIE_NAME", d.SESSION_COOKIE_NAME),
    SESSION_COOKIE_AGE: Config.integer("SESSION_COOKIE_AGE").pipe(Config.withDefault(d.SESSION_COOKIE_AGE)),
    SESSION_COOKIE_DOMAIN: optionalString("SESSION_COOKIE_DOMAIN", d.SESSION_COOKIE_DOMAIN),
    SESSION_COOKIE_SECURE: flag("SESSION_COOKIE_SECURE", d.SESSION_COOKIE_SECURE),
    SESSION_COOKIE_PATH: text("SESSION_COOKIE_PATH", d.SESSION_COOKIE_PATH),
    SESSION_COOKIE_HTTPONLY: flag("SESSION_COOKIE_HTTPONLY", d.SESSION_COOKIE_HTTPONLY),
    SESSION_COOKIE_SAMESITE: optionalString("SESSION_COOKIE_SAMESITE", d.SESSION_COOKIE_SAMESITE),
    SESSION_SAVE_EVERY_REQUEST: flag("SESSION_SAVE_EVERY_REQUEST", d.SESSION_SAVE_EVERY_REQUEST),
    SESSION_EXPIRE_AT_BROWSER_CLOSE: flag("SESSION_EXPIRE_AT_BROWSER_CLOSE", d.SESSION_EXPIRE_AT_BROWSER_CLOSE),
    SESSION_ENGINE: text("SESSION_ENGINE", d.SESSION_ENGINE),
    SESSION_CACHE_ALIAS: text("SESSION_CACHE_ALIAS", d.SESSION_CACHE_ALIAS),
    SESSION_FILE_PATH: optionalString("SESSION_FILE_PATH", d.SESSION_FILE_PATH),
    SESSION_SERIALIZER: text("SESSION_SERIALIZER", d.SESSION_SERIALIZER),
    // --- CSRF ---
    CSRF_COOKIE_NAME: text("CSRF_COOKIE_NAME", d.CSRF_COOKIE_NAME),
    CSRF_COOKIE_AGE: limit("CSRF_COOKIE_AGE", d.CSRF_COOKIE_AGE),
    CSRF_COOKIE_DOMAIN: optionalString("CSRF_COOKIE_DOMAIN", d.CSRF_COOKIE_DOMAIN),
    CSRF_COOKIE_PATH: text("CSRF_COOKIE_PATH", d.CSRF_COOKIE_PATH),
    CSRF_COOKIE_SECURE: flag("CSRF_COOKIE_SECURE", d.CSRF_COOKIE_SECURE),
    CSRF_COOKIE_HTTPONLY: flag("CSRF_COOKIE_HTTPONLY", d.CSRF_COOKIE_HTTPONLY),
    // Empty means no SameSite attribute (Django's False); "None" is the attribute value None.
    CSRF_COOKIE_SAMESITE: optionalString("CSRF_COOKIE_SAMESITE", d.CSRF_COOKIE_SAMESITE),
    CSRF_HEADER_NAME: text("CSRF_HEADER_NAME", d.CSRF_HEADER_NAME),
    CSRF_USE_SESSIONS: flag("CSRF_USE_SESSIONS", d.CSRF_USE_SESSIONS),
    CSRF_TRUSTED_ORIGINS: list("CSRF_TRUSTED_ORIGINS", d.CSRF_TRUSTED_ORIGINS),
    // --- Auth (django.contrib.auth) ---
    AUTHENTICATION_BACKENDS: list("AUTHENTICATION_BACKENDS", d.AUTHENTICATION_BACKENDS),
    LOGIN_URL: text("LOGIN_URL", d.LOGIN_URL),
    LOGIN_REDIRECT_URL: text("LOGIN_REDIRECT_URL", d.LOGIN_REDIRECT_URL),
    LOGOUT_REDIRECT_URL: optionalString("LOGOUT_REDIRECT_URL", d.LOGOUT_REDIRECT_URL)
  })
}

/**
 * Reads the settings from the configuration provider (the environment by
 * default). A malformed variable fails with `ImproperlyConfigured` naming it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromEnv = (base: Input = {}): Effect.Effect<Settings, ImproperlyConfigured> =>
  Effect.mapError(
    config(base),
    (error) => new ImproperlyConfigured({ message: `Invalid settings from the environment: ${String(error)}` })
  )

/**
 * A layer reading the settings from the environment; see `config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv = (base: Input = {}): Layer.Layer<Settings, ImproperlyConfigured> =>
  Layer.effect(Settings, fromEnv(base))
