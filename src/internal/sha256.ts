/**
 * HMAC-SHA256 for short messages in plain JavaScript, with the key's two pad blocks
 * compressed once ("midstates", RFC 2104 §4's precomputation).
 *
 * Why our own: signing a cookie is one HMAC of a ~50-byte message. Node's `crypto`
 * does each hash in native code, but every call crosses into C++ and allocates a
 * result buffer (about 1.2 µs per `crypto.hash` here, two per HMAC); `createHmac`
 * also builds an object per call. With the midstates cached per key, an HMAC of a
 * message under 56 bytes is two compressions of one block each, which V8 runs in
 * well under a microsecond. `@noble/hashes` (the maintained pure-JS library) was
 * measured at about 4.4 µs per HMAC with a cloned prepared instance, slower than
 * Node's own, so it does not help here.
 *
 * Only messages up to `maxMessageBytes` take this path; longer ones go to Node's
 * native hash, which is faster per byte. SHA-256 has no data-dependent branches or
 * table lookups indexed by data, so this runs in time independent of the key and
 * message contents (it depends on the message length only, as native hashing does).
 * Tests compare it with `node:crypto` on random keys and messages of every length.
 *
 * @internal
 */

const K = new Int32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2
])

const IV = new Int32Array([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19
])

const W = new Int32Array(64)

/** SHA-256's compression of the 64-byte block at `bytes[offset]` into `state`. */
const compress = (state: Int32Array, bytes: Uint8Array, offset: number): void => {
  for (let i = 0, o = offset; i < 16; i++, o += 4) {
    W[i] = (bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!
    const w2 = W[i - 2]!
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0
  }
  let a = state[0]!
  let b = state[1]!
  let c = state[2]!
  let d = state[3]!
  let e = state[4]!
  let f = state[5]!
  let g = state[6]!
  let h = state[7]!
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const ch = g ^ (e & (f ^ g))
    const t1 = (h + S1 + ch + K[i]! + W[i]!) | 0
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const maj = (a & b) | (c & (a | b))
    const t2 = (S0 + maj) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  state[0] = (state[0]! + a) | 0
  state[1] = (state[1]! + b) | 0
  state[2] = (state[2]! + c) | 0
  state[3] = (state[3]! + d) | 0
  state[4] = (state[4]! + e) | 0
  state[5] = (state[5]! + f) | 0
  state[6] = (state[6]! + g) | 0
  state[7] = (state[7]! + h) | 0
}

/**
 * An HMAC-SHA256 key with its inner and outer pad blocks already compressed.
 */
export interface Midstates {
  readonly inner: Int32Array
  readonly outer: Int32Array
}

/** The midstates of an HMAC key given as its two 64-byte pad blocks (`K ^ ipad`, `K ^ opad`). */
export const midstates = (ipad: Uint8Array, opadBlock: Uint8Array): Midstates => {
  const inner = IV.slice()
  compress(inner, ipad, 0)
  const outer = IV.slice()
  compress(outer, opadBlock, 0)
  return { inner, outer }
}

/** Messages longer than this (in UTF-8 bytes) are better served by native hashing. */
export const maxMessageBytes = 247

// Room for the longest message on this path plus SHA-256's padding (at most 4 blocks).
const block = new Uint8Array(256)
const state = new Int32Array(8)
const encoder = new TextEncoder()

/** Writes `value`'s UTF-8 bytes at `block[0]`; their count, or -1 when they do not fit. */
const writeUtf8 = (value: string): number => {
  const n = value.length
  if (n > maxMessageBytes) return -1
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i)
    if (c >= 0x80) {
      // Not ASCII: let the platform encode (lone surrogates become U+FFFD, as in Buffer).
      const { read, written } = encoder.encodeInto(value, block.subarray(0, maxMessageBytes + 1))
      return read === n && written <= maxMessageBytes ? written : -1
    }
    block[i] = c
  }
  return n
}

/** Adds SHA-256's padding after `n` message bytes at `block[0]`, the message preceded by `prefix` bytes. */
const pad = (n: number, prefix: number): number => {
  const end = (n + 9 + 63) & ~63
  block.fill(0, n, end)
  block[n] = 0x80
  const bits = (prefix + n) * 8
  block[end - 4] = bits >>> 24
  block[end - 3] = bits >>> 16
  block[end - 2] = bits >>> 8
  block[end - 1] = bits
  return end
}

const digest = Buffer.allocUnsafe(32)

/** Writes `state`'s 32 bytes at `out[0]`. */
const writeState = (out: Uint8Array): void => {
  for (let i = 0, o = 0; i < 8; i++, o += 4) {
    const word = state[i]!
    out[o] = word >>> 24
    out[o + 1] = word >>> 16
    out[o + 2] = word >>> 8
    out[o + 3] = word
  }
}

/**
 * `HMAC-SHA256(key, utf8(value))` as URL-safe base64 without padding, or `undefined`
 * when `value` is too long for this path (the caller then hashes natively).
 */
export const hmacBase64url = (key: Midstates, value: string): string | undefined => {
  const n = writeUtf8(value)
  if (n < 0) return undefined
  const end = pad(n, 64)
  state.set(key.inner)
  for (let o = 0; o < end; o += 64) compress(state, block, o)
  writeState(block)
  pad(32, 64)
  state.set(key.outer)
  compress(state, block, 0)
  writeState(digest)
  // One native call; building the 43 characters in JavaScript measured about 5x slower.
  return digest.toString("base64url")
}
