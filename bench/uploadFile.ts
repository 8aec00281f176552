/**
 * The large upload of the uploads benchmarks (`uploads-rss.ts`, `uploads-readback.ts`).
 */
import * as Crypto from "node:crypto"
import * as fs from "node:fs"

/**
 * Writes `sizeMb` MiB of pseudo-random (incompressible) bytes to `file`, 1 MiB at a time, each
 * MiB numbered so that no two are the same; returns the file's SHA-256 (hex).
 */
export const writeBigFile = (file: string, sizeMb: number): string => {
  const hash = Crypto.createHash("sha256")
  const fd = fs.openSync(file, "w")
  const block = Crypto.randomBytes(1024 * 1024)
  for (let i = 0; i < sizeMb; i++) {
    block.writeUInt32LE(i, 0)
    fs.writeSync(fd, block)
    hash.update(block)
  }
  fs.closeSync(fd)
  return hash.digest("hex")
}
