/**
 * The package as a user gets it: `npm pack` builds the tarball (its `prepack` step), which is
 * installed into a fresh temporary app beside the peer versions the README's install command
 * names. The app is the README's first view, compiled by `tsc` (strict, `moduleResolution:
 * nodenext`) against the installed `.d.ts` files, then run with Node; one request goes through
 * it end to end. A second file checks the `exports` map: every public module resolves, both for
 * the compiler and for Node, and `internal/` does not. A second app holds the required peers alone
 * (no optional one, no peer npm would add by itself) and imports the index.
 *
 * npm installs with `--prefer-offline`, so after the repo's own `npm ci` it needs no network.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as Http from "node:http"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { afterAll, beforeAll } from "vitest"

const root = Path.resolve(import.meta.dirname, "..")
const pkg = JSON.parse(readFileSync(Path.join(root, "package.json"), "utf8")) as {
  readonly name: string
  readonly peerDependencies: Record<string, string>
  readonly dependencies: Record<string, string>
}
const readme = readFileSync(Path.join(root, "README.md"), "utf8")

/** The public modules: every `src/*.ts` but the index (which is `.`). */
const publicModules = readdirSync(Path.join(root, "src"))
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => f.slice(0, -3))
  .sort()

/** `name@version` pairs of the README's install command (`npm install effect-django-http ...`). */
const readmePeers = (): Record<string, string> => {
  const line = readme.split("\n").find((l) => l.startsWith(`npm install ${pkg.name} `))
  if (line === undefined) throw new Error(`README.md has no "npm install ${pkg.name} ..." line`)
  return Object.fromEntries(
    line.split(/\s+/).slice(3).map((spec) => {
      const at = spec.lastIndexOf("@")
      return [spec.slice(0, at), spec.slice(at + 1)]
    })
  )
}

const peerMeta = (pkg as { peerDependenciesMeta?: Record<string, { optional?: boolean }> }).peerDependenciesMeta ?? {}

/** The peers `peerDependenciesMeta` marks optional (the stores' drivers). */
const optionalPeers = (): ReadonlyArray<string> =>
  Object.keys(pkg.peerDependencies).filter((name) => peerMeta[name]?.optional === true)

/** The required peers, each at the version the repo is developed and tested with (its `node_modules`). */
const requiredPeers = (): Record<string, string> =>
  Object.fromEntries(
    Object.keys(pkg.peerDependencies).filter((name) => peerMeta[name]?.optional !== true).map((name) => [
      name,
      JSON.parse(readFileSync(Path.join(root, "node_modules", name, "package.json"), "utf8")).version
    ])
  )

/** The README's first ```ts block: the first view, as a user copies it. */
const firstView = (): string => {
  const m = /```ts\n([\s\S]*?)```/.exec(readme)
  if (m === null) throw new Error("README.md has no ts block")
  return m[1]!
}

// npm run sets variables that point npm at this repo; the app's npm must only see its own.
const childEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(([k]) =>
      !k.startsWith("npm_package_") && !k.startsWith("npm_lifecycle_") && k !== "npm_config_local_prefix" &&
      k !== "npm_command" && k !== "INIT_CWD"
    )
  )

/**
 * Runs a command to its end and gives its stdout; asynchronously, so that the test worker stays
 * responsive to vitest while npm and tsc work.
 */
const run = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(
      command,
      args,
      { cwd, env: childEnv(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (e, out, err) =>
        e === null
          ? resolve(out)
          : reject(new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${out}\n${err}`))
    )
  )

const npm = (cwd: string, args: ReadonlyArray<string>) => run("npm", args, cwd)

const tsc = (cwd: string) => run(process.execPath, [Path.join(root, "node_modules/typescript/bin/tsc"), "-p", "."], cwd)

const checkExports = (modules: ReadonlyArray<string>) =>
  `// Every public module resolves by its subpath, for tsc and for Node; internal/ does not.
${modules.map((m) => `import * as ${m} from "${pkg.name}/${m}"`).join("\n")}
import * as Index from "${pkg.name}"
import { Either } from "effect"

const modules = { ${modules.join(", ")} }
for (const [name, mod] of Object.entries(modules)) {
  if (Object.keys(mod).length === 0) throw new Error(name + " exports nothing")
  if ((Index as Record<string, unknown>)[name] !== mod) throw new Error(name + " is not the index's " + name)
}
const q = Either.getOrThrow(QueryDict.parse("a=1&a=2"))
if (QueryDict.getList(q, "a").join() !== "1,2") throw new Error("QueryDict.parse")

const internal: string = "${pkg.name}/internal/querydict.js"
const refused = await import(internal).then(
  () => "imported",
  (e: { code?: string }) => e.code
)
if (refused !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw new Error("internal/ is importable: " + refused)
console.log("exports ok")
`

/** A GET with its own Host header (fetch does not let a caller set it). */
const statusWithHost = (url: string, host: string): Promise<number | undefined> =>
  new Promise((resolve, reject) => {
    const req = Http.get(url, { headers: { Host: host } }, (res) => {
      res.resume()
      resolve(res.statusCode)
    })
    req.once("error", reject)
  })

const waitForListening = (child: ChildProcess): Promise<string> =>
  new Promise((resolve, reject) => {
    let out = ""
    const onData = (chunk: Buffer) => {
      out += chunk.toString("utf8")
      const m = /listening on (http:\/\/[^\s"]+)/.exec(out)
      if (m !== null) resolve(m[1]!)
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.once("exit", (code) => reject(new Error(`the app exited with ${code} before listening:\n${out}`)))
  })

describe("the packed package", () => {
  let dir = ""
  let app = ""
  let files: ReadonlyArray<string> = []
  let tarball = ""

  beforeAll(async () => {
    dir = mkdtempSync(Path.join(tmpdir(), "edh-pack-"))
    const [packed] = JSON.parse(await npm(root, ["pack", "--json", "--pack-destination", dir])) as Array<
      { readonly filename: string; readonly files: ReadonlyArray<{ readonly path: string }> }
    >
    files = packed!.files.map((f) => f.path)
    tarball = packed!.filename
    app = Path.join(dir, "app")
    mkdirSync(app)
    const typesNode = JSON.parse(readFileSync(Path.join(root, "node_modules/@types/node/package.json"), "utf8"))
    writeFileSync(
      Path.join(app, "package.json"),
      JSON.stringify({
        name: "app",
        private: true,
        type: "module",
        dependencies: {
          [pkg.name]: `file:${Path.join(dir, packed!.filename)}`,
          ...readmePeers(),
          "@types/node": typesNode.version
        }
      })
    )
    writeFileSync(
      Path.join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          types: ["node"],
          skipLibCheck: true,
          outDir: "out"
        },
        include: ["*.ts"]
      })
    )
    writeFileSync(Path.join(app, "main.ts"), firstView())
    writeFileSync(Path.join(app, "exports.ts"), checkExports(publicModules))
    await npm(app, ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
    await tsc(app)
  }, 180_000)

  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true })
  })

  it("the README's install command names versions inside the peer ranges, one per required peer", () => {
    // The exact versions the repo is developed and tested with. Optional peers (the stores) are
    // installed only by the sites that use them, so the install line leaves them out.
    expect(readmePeers()).toEqual(requiredPeers())
  })

  it("loads its index with the required peers alone, none of the optional ones installed", async () => {
    // `--legacy-peer-deps`: npm installs no peer that the command does not name (by default it
    // would add the peers' own required peers too), so a module that loads an optional peer, or a
    // peer not declared required, when the index is imported fails here.
    const lean = Path.join(dir, "lean")
    mkdirSync(lean)
    writeFileSync(Path.join(lean, "package.json"), JSON.stringify({ name: "lean", private: true, type: "module" }))
    const peers = Object.entries(requiredPeers()).map(([name, version]) => `${name}@${version}`)
    await npm(lean, [
      "install",
      "--legacy-peer-deps",
      "--prefer-offline",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      Path.join(dir, tarball),
      ...peers
    ])
    for (const name of optionalPeers()) expect(existsSync(Path.join(lean, "node_modules", name))).toBe(false)
    const out = await run(
      process.execPath,
      ["--input-type=module", "-e", `const m = await import("${pkg.name}"); console.log(typeof m.Server.run)`],
      lean
    )
    expect(out.trim()).toBe("function")
  }, 180_000)

  it("holds the built modules with declarations and source maps, and no tests", () => {
    for (const m of [...publicModules, "index"]) {
      expect(files).toContain(`dist/${m}.js`)
      expect(files).toContain(`dist/${m}.d.ts`)
      expect(files).toContain(`dist/${m}.js.map`)
      expect(files).toContain(`src/${m}.ts`)
    }
    expect(files.filter((f) => f.startsWith("test/") || f.startsWith("bench/") || f.startsWith("examples/")))
      .toEqual([])
  })

  it("installs one copy of effect, shared with the app (a peer dependency)", () => {
    expect(existsSync(Path.join(app, "node_modules", pkg.name, "node_modules", "effect"))).toBe(false)
    expect(existsSync(Path.join(app, "node_modules", "effect", "package.json"))).toBe(true)
    expect(existsSync(Path.join(app, "node_modules", "multipasta", "package.json"))).toBe(true)
  })

  it("exports every public module by subpath, and not internal/", async () => {
    const out = await run(process.execPath, ["out/exports.js"], app)
    expect(out.trim()).toBe("exports ok")
  }, 30_000)

  it("serves the README's first view: one request end to end, then a graceful stop on SIGTERM", async () => {
    const child = spawn(process.execPath, ["out/main.js"], {
      cwd: app,
      env: { ...childEnv(), HOST: "127.0.0.1", PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    try {
      const url = await waitForListening(child)
      const res = await fetch(`${url}/?name=Ada`)
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8")
      expect(await res.text()).toBe("Hello, Ada!")
      // Outside ALLOWED_HOSTS: Django's 400.
      expect(await statusWithHost(url, "evil.example")).toBe(400)
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve))
      child.kill("SIGTERM")
      expect(await exited).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL")
    }
  }, 60_000)
})
