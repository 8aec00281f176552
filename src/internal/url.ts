/**
 * Percent-encoding with Python's `urllib.parse.quote` semantics: the text is
 * UTF-8 encoded, ASCII letters, digits and `_.-~` are always kept, the
 * characters in `safe` are kept, everything else becomes `%XX` (upper case).
 *
 * Written here because `encodeURI`/`encodeURIComponent` keep a different set of
 * characters and throw on lone surrogates; Django's outputs must match byte for byte.
 *
 * @internal
 */

const HEX = "0123456789ABCDEF"
const ALWAYS_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"

const encoder = new TextEncoder()

/** A table of the 128 ASCII code points: `true` where the character is kept. */
export const safeTable = (safe: string): ReadonlyArray<boolean> => {
  const table = new Array<boolean>(128).fill(false)
  for (const c of ALWAYS_SAFE + safe) {
    const code = c.charCodeAt(0)
    if (code < 128) table[code] = true
  }
  return table
}

/** Percent-encodes `bytes`, keeping the ASCII bytes that `table` marks safe. */
export const quoteBytes = (bytes: Uint8Array, table: ReadonlyArray<boolean>): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    out += b < 128 && table[b] ? String.fromCharCode(b) : "%" + HEX[b >> 4] + HEX[b & 15]
  }
  return out
}

/** `quote(s, safe)` for a table made by `safeTable`. Lone surrogates encode as U+FFFD. */
export const quoteWith = (s: string, table: ReadonlyArray<boolean>): string => {
  // Fast path: nothing to escape.
  let i = 0
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || !table[c]) break
  }
  if (i === s.length) return s
  return s.slice(0, i) + quoteBytes(encoder.encode(s.slice(i)), table)
}

const IRI_SAFE = safeTable("/#%[]=:;$&()+,!?*@'~")
const URI_PATH_SAFE = safeTable("/:@&+$,-_.!~*'()")

/**
 * Django's `iri_to_uri`: escapes what may not appear in a URI, keeping the
 * reserved characters and existing `%` escapes.
 */
export const iriToUri = (iri: string): string => quoteWith(iri, IRI_SAFE)

/** Django's `escape_uri_path`: escapes a path for use in a URI. */
export const escapeUriPath = (path: string): string => quoteWith(path, URI_PATH_SAFE)
