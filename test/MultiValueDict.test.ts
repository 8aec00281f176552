import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Equal, FastCheck as fc, Hash, Option, pipe, Schema } from "effect"
import { MultiValueDict } from "../src/index.js"

// Django: utils/datastructures.py MultiValueDict (django-reference §1) and its docstring examples.
describe("MultiValueDict", () => {
  const d = MultiValueDict.fromLists([["name", ["Adrian", "Simon"]], ["position", ["Developer"]]])

  it("reads the last value, the whole list, and a default for a missing key", () => {
    expect(MultiValueDict.getOrFail(d, "name")).toEqual(Either.right("Simon"))
    expect(MultiValueDict.getList(d, "name")).toEqual(["Adrian", "Simon"])
    expect(MultiValueDict.getList(d, "doesnotexist")).toEqual([])
    expect(pipe(d, MultiValueDict.get("lastname"), Option.getOrElse(() => "nonexistent"))).toBe("nonexistent")
    const list = MultiValueDict.getList(d, "name")
    list.push("mutated")
    expect(MultiValueDict.getList(d, "name")).toEqual(["Adrian", "Simon"])
  })

  it("fails with MultiValueDictKeyError carrying the repr of the key", () => {
    const missing = (key: string) => {
      const r = MultiValueDict.getOrFail(d, key)
      return Either.isLeft(r) ? [r.left._tag, r.left.message] : undefined
    }
    expect(missing("x")).toEqual(["MultiValueDictKeyError", "'x'"])
    expect(missing("it's")).toEqual(["MultiValueDictKeyError", "\"it's\""])
    expect(missing("a\nb\\")).toEqual(["MultiValueDictKeyError", "'a\\nb\\\\'"])
  })

  it.effect("getOrFail is usable as an Effect", () =>
    Effect.gen(function*() {
      expect(yield* MultiValueDict.getOrFail(d, "position")).toBe("Developer")
      const error = yield* Effect.flip(MultiValueDict.getOrFail(d, "nope"))
      expect(error._tag).toBe("MultiValueDictKeyError")
    }))

  it("an empty list: get is None, has is true, items skip it", () => {
    const e = MultiValueDict.setList(d, "empty", [])
    expect(MultiValueDict.get(e, "empty")).toEqual(Option.none())
    expect(MultiValueDict.has(e, "empty")).toBe(true)
    expect(Either.isLeft(MultiValueDict.getOrFail(e, "empty"))).toBe(true)
    expect(MultiValueDict.items(e)).toEqual([["name", "Simon"], ["position", "Developer"]])
    expect(MultiValueDict.lists(e)).toEqual([["name", ["Adrian", "Simon"]], ["position", ["Developer"]], ["empty", []]])
  })

  it("set, setList and appendList keep positions; new keys go last", () => {
    const e = d.pipe(
      MultiValueDict.set("name", "Jacob"),
      MultiValueDict.appendList("new", "1"),
      MultiValueDict.appendList("new", "2"),
      MultiValueDict.setList("position", ["A", "B"])
    )
    expect(MultiValueDict.lists(e)).toEqual([["name", ["Jacob"]], ["position", ["A", "B"]], ["new", ["1", "2"]]])
    expect(MultiValueDict.keys(e)).toEqual(["name", "position", "new"])
    expect(MultiValueDict.values(e)).toEqual(["Jacob", "B", "2"])
    expect(MultiValueDict.dict(e)).toEqual({ name: "Jacob", position: "B", new: "2" })
    expect(MultiValueDict.lists(d)).toEqual([["name", ["Adrian", "Simon"]], ["position", ["Developer"]]])
  })

  it("setDefault and setListDefault", () => {
    const [v1, same] = MultiValueDict.setDefault(d, "name", "X")
    expect(v1).toEqual(Option.some("Simon"))
    expect(same).toBe(d)
    const [v2, added] = MultiValueDict.setDefault(d, "new", "X")
    expect(v2).toEqual(Option.some("X"))
    expect(MultiValueDict.getList(added, "new")).toEqual(["X"])
    const [l1] = MultiValueDict.setListDefault(d, "name", ["no"])
    expect(l1).toEqual(["Adrian", "Simon"])
    const [l2, d2] = d.pipe(MultiValueDict.setListDefault("other"))
    expect(l2).toEqual([])
    expect(MultiValueDict.has(d2, "other")).toBe(true)
  })

  it("update extends from a dict, entries or a record", () => {
    const other = MultiValueDict.fromEntries([["name", "Z"], ["x", "1"], ["x", "2"]])
    expect(MultiValueDict.lists(MultiValueDict.update(d, other))).toEqual([
      ["name", ["Adrian", "Simon", "Z"]],
      ["position", ["Developer"]],
      ["x", ["1", "2"]]
    ])
    expect(MultiValueDict.getList(MultiValueDict.update(d, [["name", "E"]]), "name")).toEqual(["Adrian", "Simon", "E"])
    expect(MultiValueDict.getList(MultiValueDict.update(d, { position: "R" }), "position")).toEqual(["Developer", "R"])
  })

  it("pop, popItem (last inserted first), remove, clear", () => {
    const [popped, rest] = MultiValueDict.pop(d, "name")
    expect(popped).toEqual(Option.some(["Adrian", "Simon"]))
    expect(MultiValueDict.keys(rest)).toEqual(["position"])
    const item = MultiValueDict.popItem(d)
    expect(Option.map(item, ([kv]) => kv)).toEqual(Option.some(["position", ["Developer"]]))
    expect(MultiValueDict.popItem(MultiValueDict.empty())).toEqual(Option.none())
    const added = MultiValueDict.set(d, "z", "1")
    expect(Option.map(MultiValueDict.popItem(added), ([[k]]) => k)).toEqual(Option.some("z"))
    expect(MultiValueDict.keys(MultiValueDict.remove(d, "name"))).toEqual(["position"])
    expect(MultiValueDict.remove(d, "absent")).toBe(d)
    expect(MultiValueDict.size(MultiValueDict.clear(d))).toBe(0)
    expect(MultiValueDict.size(d)).toBe(2)
  })

  it("removing then re-adding a key puts it last", () => {
    const e = d.pipe(MultiValueDict.remove("name"), MultiValueDict.set("name", "N"))
    expect(MultiValueDict.keys(e)).toEqual(["position", "name"])
  })

  it("fromEntries appends, fromLists keeps the first position and the last list, fromKeys appends", () => {
    expect(MultiValueDict.lists(MultiValueDict.fromEntries([["a", 1], ["b", 2], ["a", 3]]))).toEqual([
      ["a", [1, 3]],
      ["b", [2]]
    ])
    expect(MultiValueDict.lists(MultiValueDict.fromLists([["a", [1]], ["b", [2]], ["a", [3]]]))).toEqual([
      ["a", [3]],
      ["b", [2]]
    ])
    expect(MultiValueDict.lists(MultiValueDict.fromKeys(["a", "b", "a"], 0))).toEqual([["a", [0, 0]], ["b", [0]]])
  })

  it("is iterable as [key, values] pairs", () => {
    expect([...d]).toEqual([["name", ["Adrian", "Simon"]], ["position", ["Developer"]]])
  })

  it("Equal and Hash: same keys and lists, whatever the order", () => {
    const a = MultiValueDict.fromLists([["x", [1, 2]], ["y", [3]]])
    const b = MultiValueDict.fromLists([["y", [3]], ["x", [1, 2]]])
    const c = MultiValueDict.fromLists([["x", [2, 1]], ["y", [3]]])
    expect(Equal.equals(a, b)).toBe(true)
    expect(Hash.hash(a)).toBe(Hash.hash(b))
    expect(Equal.equals(a, c)).toBe(false)
    // A frozen dict and a persistent one with the same content are equal.
    const built = MultiValueDict.empty<number>().pipe(
      MultiValueDict.setList("y", [3]),
      MultiValueDict.setList("x", [1, 2])
    )
    expect(Equal.equals(a, built)).toBe(true)
    expect(Hash.hash(a)).toBe(Hash.hash(built))
  })

  it("prints as JSON", () => {
    expect(d.toJSON()).toEqual({
      _id: "MultiValueDict",
      lists: [["name", ["Adrian", "Simon"]], ["position", ["Developer"]]]
    })
    expect(JSON.parse(String(d))).toEqual(d.toJSON())
  })

  it("dict keeps __proto__ as an own key", () => {
    const e = MultiValueDict.fromEntries([["__proto__", "x"]])
    expect(Object.keys(MultiValueDict.dict(e))).toEqual(["__proto__"])
  })

  it("stays persistent on a large dict: many writes from one base share it", () => {
    const base = MultiValueDict.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i] as const))
    let cur = base
    for (let i = 0; i < 2_000; i++) cur = MultiValueDict.appendList(cur, `k${i}`, -i)
    expect(MultiValueDict.getList(cur, "k5")).toEqual([5, -5])
    expect(MultiValueDict.getList(base, "k5")).toEqual([5])
    expect(MultiValueDict.size(cur)).toBe(20_000)
    expect(MultiValueDict.keys(cur).slice(0, 3)).toEqual(["k0", "k1", "k2"])
  })

  // Model-based: every operation agrees with a naive ordered model.
  it("agrees with a naive model", () => {
    const key = fc.constantFrom("a", "b", "c", "d", "")
    const op = fc.oneof(
      fc.tuple(fc.constant("set" as const), key, fc.integer()),
      fc.tuple(fc.constant("append" as const), key, fc.integer()),
      fc.tuple(fc.constant("setList" as const), key, fc.array(fc.integer(), { maxLength: 3 })),
      fc.tuple(fc.constant("remove" as const), key, fc.constant(0))
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      let dict = MultiValueDict.empty<number>()
      const model = new Map<string, Array<number>>()
      for (const [name, k, arg] of ops) {
        switch (name) {
          case "set":
            dict = MultiValueDict.set(dict, k, arg)
            model.set(k, [arg])
            break
          case "append":
            dict = MultiValueDict.appendList(dict, k, arg)
            model.set(k, [...(model.get(k) ?? []), arg])
            break
          case "setList":
            dict = MultiValueDict.setList(dict, k, arg)
            model.set(k, [...arg])
            break
          case "remove":
            dict = MultiValueDict.remove(dict, k)
            model.delete(k)
            break
        }
      }
      expect(MultiValueDict.lists(dict)).toEqual([...model])
      expect(Equal.equals(dict, MultiValueDict.fromLists(model))).toBe(true)
    }))
  })

  describe("decode", () => {
    const form = MultiValueDict.fromEntries([["name", "a"], ["name", "b"], ["n", "1"], ["n", "2"], ["flag", "x"]])

    it("reads array-ness through classes, transformations, refinements and defaults", () => {
      class Form extends Schema.Class<Form>("Form")({
        name: Schema.String.pipe(Schema.minLength(1)),
        n: Schema.NonEmptyArray(Schema.NumberFromString),
        missing: Schema.optionalWith(Schema.Array(Schema.String), { default: () => ["d"] }),
        other: Schema.optionalWith(Schema.String, { default: () => "z" })
      }) {}
      const decoded = Either.getOrThrow(MultiValueDict.decodeEither(Form)(form))
      expect(decoded).toBeInstanceOf(Form)
      expect({ ...decoded }).toEqual({ name: "b", n: [1, 2], missing: ["d"], other: "z" })
    })

    it("a union with an array member takes every value", () => {
      const S = Schema.Struct({ name: Schema.Union(Schema.String, Schema.Array(Schema.String)) })
      expect(MultiValueDict.decodeEither(S)(form)).toEqual(Either.right({ name: ["a", "b"] }))
    })

    it("a record reads every key", () => {
      const S = Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) })
      expect(MultiValueDict.decodeEither(S)(form)).toEqual(
        Either.right({ name: ["a", "b"], n: ["1", "2"], flag: ["x"] })
      )
    })

    it("fails with a ParseError naming every bad field when asked for all errors", () => {
      const S = Schema.Struct({ n: Schema.NumberFromString, flag: Schema.NumberFromString, req: Schema.String })
      const result = MultiValueDict.decodeEither(S, { errors: "all" })(form)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left._tag).toBe("ParseError")
        expect(result.left.message).toContain("[\"flag\"]")
        expect(result.left.message).toContain("[\"req\"]")
        expect(result.left.message).toContain("is missing")
      }
    })
  })
})
