import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { escapeUriPath, iriToUri } from "../src/internal/url.js"

describe("internal/url", () => {
  // Django: utils/encoding.py iri_to_uri, verified on 3.2.
  it("iriToUri keeps reserved characters and existing escapes", () => {
    expect(iriToUri("/blog/for/Jürgen Münster/")).toBe("/blog/for/J%C3%BCrgen%20M%C3%BCnster/")
    expect(iriToUri("red%09rosé#red")).toBe("red%09ros%C3%A9#red")
    expect(iriToUri("/a?x=1&y=[2]")).toBe("/a?x=1&y=[2]")
    expect(iriToUri("http://x/\r\nSet-Cookie: a")).toBe("http://x/%0D%0ASet-Cookie:%20a")
  })

  it("escapeUriPath escapes ? # and % but keeps path punctuation", () => {
    expect(escapeUriPath("/a b/c?d#e%f")).toBe("/a%20b/c%3Fd%23e%25f")
    expect(escapeUriPath("/:@&+$,-_.!~*'()")).toBe("/:@&+$,-_.!~*'()")
  })

  it("never throws and gives ASCII only", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => {
      expect(iriToUri(s)).toMatch(/^[\x21-\x7e]*$/)
      expect(escapeUriPath(s)).toMatch(/^[\x21-\x7e]*$/)
    }))
  })
})
