/**
 * @since 0.1.0
 */

/**
 * Typed errors named after Django's exceptions, each with Django's message and HTTP status.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * The settings service, with Django's names and defaults.
 *
 * @since 0.1.0
 */
export * as Settings from "./Settings.js"

/**
 * Django's `core.signing`: `Signer`, `TimestampSigner`, `dumps`/`loads` and the cookie signer, byte-compatible.
 *
 * @since 0.1.0
 */
export * as Signing from "./Signing.js"
