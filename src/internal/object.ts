/**
 * Property reads on values of unknown shape (a platform request's `source`, a Node socket), for
 * the per-request paths: `Predicate.hasProperty` is a `dual` function (an arguments check per
 * call), and a hello-world request made about ten such checks.
 *
 * @internal
 */

/** `u[name]` when `u` is an object (or function) that has `name`, else `undefined`. */
export const propertyOf = (u: unknown, name: string): unknown =>
  (typeof u === "object" && u !== null) || typeof u === "function"
    ? name in u ? Reflect.get(u, name) : undefined
    : undefined
