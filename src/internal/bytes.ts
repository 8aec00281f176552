/**
 * Byte helpers shared by the request body and the response content.
 *
 * @internal
 */

/** The parts joined into one array; `total` is their summed length when the caller knows it. */
export const concat = (parts: ReadonlyArray<Uint8Array>, total?: number): Uint8Array => {
  if (parts.length === 1) return parts[0]!
  let length = total ?? 0
  if (total === undefined) { for (const p of parts) length += p.length }
  const out = new Uint8Array(length)
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}
