/**
 * The `FileSystem` spilled uploads are written with: the one in the Context, else Node's.
 *
 * @internal
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** Runs `effect` with the Context's `FileSystem`, or Node's when the Context has none. */
export const withFileSystem = <A, E, R>(
  effect: Effect.Effect<A, E, R | FileSystem.FileSystem>
): Effect.Effect<A, E, Exclude<R, FileSystem.FileSystem>> =>
  Effect.flatMap(
    Effect.serviceOption(FileSystem.FileSystem),
    Option.match({
      onNone: () => Effect.provide(effect, NodeFileSystem.layer),
      onSome: (fs) => Effect.provideService(effect, FileSystem.FileSystem, fs)
    })
  )
