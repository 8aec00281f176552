/**
 * Type-level tests: composing middleware keeps what each part needs and can fail with, a
 * provided service leaves the requirements, and `make` infers its error type from its body.
 * These are checked by `tsc` (npm test runs it on test/); the runtime assertions are trivial.
 */
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Context, Effect, Option } from "effect"
import type { Client, Errors } from "../src/index.js"
import { Handler, HttpResponse, Middleware, View } from "../src/index.js"

class User extends Context.Tag("User")<User, { readonly name: string }>() {}
class Db extends Context.Tag("Db")<Db, { readonly query: (sql: string) => Effect.Effect<string> }>() {}
class Clock2 extends Context.Tag("Clock2")<Clock2, { readonly now: number }>() {}

const timing = Middleware.make((request, getResponse) =>
  Effect.flatMap(getResponse(request), (response) => View.setHeader(response, "X-Time", "1"))
)

const auth = Middleware.provideService(User, () => Effect.map(Db, () => ({ name: "ada" })))

describe("Middleware types", () => {
  it("make infers the error type of its body (HttpResponse.setHeader's MakeError)", () => {
    expectTypeOf(timing).toEqualTypeOf<Middleware.Middleware<HttpResponse.MakeError, never, never>>()
    expect(Middleware.isMiddleware(timing)).toBe(true)
  })

  it("make with hooks unions the errors and requirements of every hook", () => {
    const m = Middleware.make({
      processView: () => Effect.as(Clock2, Option.none()),
      processException: () => Effect.fail(new Error("x")),
      provides: [User]
    })
    expectTypeOf(m).toEqualTypeOf<Middleware.Middleware<Error, Clock2, User>>()
  })

  it("provideService provides its tag and needs what its function needs", () => {
    expectTypeOf(auth).toEqualTypeOf<Middleware.Middleware<never, Db, User>>()
  })

  it("compose keeps errors, requirements and provided services; nothing collapses to unknown", () => {
    const stack = Middleware.compose(Middleware.multipleProxy, Middleware.validateHost, timing, auth)
    expectTypeOf(stack).toEqualTypeOf<
      Middleware.Middleware<Errors.DisallowedHost | HttpResponse.MakeError, Db, User>
    >()
  })

  it("a decorated view needs what the view needs less what the middleware provides", () => {
    const view: View.View<never, User | Clock2> = () => Effect.zipRight(User, Effect.orDie(HttpResponse.make()))
    const decorated = auth(view)
    expectTypeOf(decorated).toEqualTypeOf<View.View<never, Db | Clock2>>()
  })

  it("a site needs what its views and middleware need, less what the middleware provides", () => {
    const view: View.View<never, User> = () => Effect.zipRight(User, Effect.orDie(HttpResponse.make()))
    const site = Handler.make({ middleware: Middleware.compose(timing, auth), urls: view })
    expectTypeOf(site).toEqualTypeOf<Handler.Handler<Db>>()
    const bare = Handler.make({ urls: view })
    expectTypeOf(bare).toEqualTypeOf<Handler.Handler<User>>()
    expectTypeOf<Client.Client<Db>>().toMatchTypeOf<Client.Client<Db>>()
    // @ts-expect-error a site that still needs User cannot be given where nothing is needed
    const _closed: Handler.Handler<never> = bare
  })
})
