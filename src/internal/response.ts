/**
 * The response value shared by `HttpResponse`, `StreamingHttpResponse` and
 * `FileResponse`, and the one entry to its parts: the data (`response/model`, the
 * value in `response/value`), Django's rules for status, charsets, headers and
 * cookies (`response/rules`), the constructors (`response/make`; the combinators are in
 * `response/combinators`), and the `@effect/platform` adapter (`response/platform`).
 *
 * @internal
 */
export { concat } from "./bytes.js"
export * from "./response/make.js"
export * from "./response/model.js"
export * from "./response/platform.js"
export * from "./response/rules.js"
export * from "./response/value.js"
