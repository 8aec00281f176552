/**
 * zlib's `compress()` at the default level (6), reproducing the reference zlib's
 * output bit for bit (the library Python's `zlib.compress` calls). Node bundles
 * Chromium's zlib fork, whose match finder differs, so `zlib.deflateSync` output is
 * valid but not byte-identical to Django's.
 *
 * This follows the algorithm of zlib's `deflate_slow` (lazy matching, hash chains of
 * 3-byte prefixes) and `trees.c` (Huffman trees with zlib's tie-breaking, block-type
 * choice), for inputs that fit the 32 KiB window without sliding.
 *
 * @internal
 */

// Level 6 configuration: good_length, max_lazy, nice_length, max_chain.
const GOOD_LENGTH = 8
const MAX_LAZY = 16
const NICE_LENGTH = 128
const MAX_CHAIN = 128

const MIN_MATCH = 3
const MAX_MATCH = 258
const W_BITS = 15
const W_SIZE = 1 << W_BITS
const MIN_LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1
const MAX_DIST = W_SIZE - MIN_LOOKAHEAD
const HASH_BITS = 8 + 7
const HASH_SIZE = 1 << HASH_BITS
const HASH_MASK = HASH_SIZE - 1
const HASH_SHIFT = Math.floor((HASH_BITS + MIN_MATCH - 1) / MIN_MATCH)
const TOO_FAR = 4096
const LIT_BUFSIZE = 1 << (8 + 6)

/** Largest input this module compresses exactly (no window sliding needed). */
export const MAX_EXACT_INPUT = W_SIZE

const LITERALS = 256
const LENGTH_CODES = 29
const L_CODES = LITERALS + 1 + LENGTH_CODES
const D_CODES = 30
const BL_CODES = 19
const HEAP_SIZE = 2 * L_CODES + 1
const MAX_BITS = 15
const MAX_BL_BITS = 7
const END_BLOCK = 256
const REP_3_6 = 16
const REPZ_3_10 = 17
const REPZ_11_138 = 18

const extraLbits = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
const extraDbits = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
const extraBlbits = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7]
const blOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

const reverse = (code: number, len: number): number => {
  let res = 0
  do {
    res |= code & 1
    code >>>= 1
    res <<= 1
  } while (--len > 0)
  return res >>> 1
}

// Static tables (tr_static_init).
const lengthCode = new Uint8Array(MAX_MATCH - MIN_MATCH + 1)
const baseLength = new Int32Array(LENGTH_CODES)
const distCode = new Uint8Array(512)
const baseDist = new Int32Array(D_CODES)
{
  let length = 0
  let code = 0
  for (code = 0; code < LENGTH_CODES - 1; code++) {
    baseLength[code] = length
    for (let n = 0; n < 1 << extraLbits[code]!; n++) lengthCode[length++] = code
  }
  lengthCode[length - 1] = code
  let dist = 0
  for (code = 0; code < 16; code++) {
    baseDist[code] = dist
    for (let n = 0; n < 1 << extraDbits[code]!; n++) distCode[dist++] = code
  }
  dist >>= 7
  for (; code < D_CODES; code++) {
    baseDist[code] = dist << 7
    for (let n = 0; n < 1 << (extraDbits[code]! - 7); n++) distCode[256 + dist++] = code
  }
}
const dCode = (dist: number): number => (dist < 256 ? distCode[dist]! : distCode[256 + (dist >>> 7)]!)

interface Tree {
  readonly freq: Int32Array
  readonly len: Int32Array
  readonly code: Int32Array
  readonly dad: Int32Array
}
const makeTree = (size: number): Tree => ({
  freq: new Int32Array(size),
  len: new Int32Array(size),
  code: new Int32Array(size),
  dad: new Int32Array(size)
})

const genCodes = (tree: Tree, maxCode: number, blCount: Int32Array) => {
  const next = new Int32Array(MAX_BITS + 1)
  let code = 0
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    code = (code + blCount[bits - 1]!) << 1
    next[bits] = code
  }
  for (let n = 0; n <= maxCode; n++) {
    const len = tree.len[n]!
    if (len === 0) continue
    tree.code[n] = reverse(next[len]!++, len)
  }
}

const staticL = makeTree(L_CODES + 2)
const staticD = makeTree(D_CODES)
{
  const blCount = new Int32Array(MAX_BITS + 1)
  let n = 0
  while (n <= 143) staticL.len[n++] = 8, blCount[8]!++
  while (n <= 255) staticL.len[n++] = 9, blCount[9]!++
  while (n <= 279) staticL.len[n++] = 7, blCount[7]!++
  while (n <= 287) staticL.len[n++] = 8, blCount[8]!++
  genCodes(staticL, L_CODES + 1, blCount)
  for (let d = 0; d < D_CODES; d++) {
    staticD.len[d] = 5
    staticD.code[d] = reverse(d, 5)
  }
}

interface Desc {
  readonly tree: Tree
  readonly stree: Tree | undefined
  readonly extra: ReadonlyArray<number>
  readonly base: number
  readonly elems: number
  readonly maxLength: number
  maxCode: number
}

class BitWriter {
  out: Array<number> = []
  buf = 0
  valid = 0
  send(value: number, length: number) {
    this.buf |= value << this.valid
    this.valid += length
    while (this.valid >= 8) {
      this.out.push(this.buf & 0xff)
      this.buf >>>= 8
      this.valid -= 8
    }
  }
  windup() {
    if (this.valid > 0) this.out.push(this.buf & 0xff)
    this.buf = 0
    this.valid = 0
  }
}

class State {
  readonly heap = new Int32Array(HEAP_SIZE)
  heapLen = 0
  heapMax = 0
  readonly depth = new Int32Array(HEAP_SIZE)
  readonly blCount = new Int32Array(MAX_BITS + 1)
  optLen = 0
  staticLen = 0
  readonly l: Desc
  readonly d: Desc
  readonly bl: Desc
  readonly syms: Array<number> = []
  readonly w = new BitWriter()

  constructor() {
    this.l = {
      tree: makeTree(HEAP_SIZE),
      stree: staticL,
      extra: extraLbits,
      base: LITERALS + 1,
      elems: L_CODES,
      maxLength: MAX_BITS,
      maxCode: 0
    }
    this.d = {
      tree: makeTree(2 * D_CODES + 1),
      stree: staticD,
      extra: extraDbits,
      base: 0,
      elems: D_CODES,
      maxLength: MAX_BITS,
      maxCode: 0
    }
    this.bl = {
      tree: makeTree(2 * BL_CODES + 1),
      stree: undefined,
      extra: extraBlbits,
      base: 0,
      elems: BL_CODES,
      maxLength: MAX_BL_BITS,
      maxCode: 0
    }
    this.initBlock()
  }

  /** Ready for a new stream (a `State` is reused from one call to the next). */
  reset() {
    this.initBlock()
    this.heapLen = this.heapMax = 0
    this.l.maxCode = this.d.maxCode = this.bl.maxCode = 0
    this.w.out = []
    this.w.buf = 0
    this.w.valid = 0
  }

  initBlock() {
    this.l.tree.freq.fill(0, 0, L_CODES)
    this.d.tree.freq.fill(0, 0, D_CODES)
    this.bl.tree.freq.fill(0, 0, BL_CODES)
    this.l.tree.freq[END_BLOCK] = 1
    this.optLen = this.staticLen = 0
    this.syms.length = 0
  }

  /** `_tr_tally`: `true` when the symbol buffer is full and the block must be flushed. */
  tally(dist: number, lc: number): boolean {
    this.syms.push(dist, lc)
    if (dist === 0) {
      this.l.tree.freq[lc]!++
    } else {
      dist--
      this.l.tree.freq[lengthCode[lc]! + LITERALS + 1]!++
      this.d.tree.freq[dCode(dist)]!++
    }
    return this.syms.length / 2 === LIT_BUFSIZE - 1
  }

  smaller(tree: Tree, n: number, m: number): boolean {
    const fn = tree.freq[n]!
    const fm = tree.freq[m]!
    return fn < fm || (fn === fm && this.depth[n]! <= this.depth[m]!)
  }

  downheap(tree: Tree, k: number) {
    const heap = this.heap
    const v = heap[k]!
    let j = k << 1
    while (j <= this.heapLen) {
      if (j < this.heapLen && this.smaller(tree, heap[j + 1]!, heap[j]!)) j++
      if (this.smaller(tree, v, heap[j]!)) break
      heap[k] = heap[j]!
      k = j
      j <<= 1
    }
    heap[k] = v
  }

  genBitlen(desc: Desc) {
    const { tree, stree, extra, base, maxLength, maxCode } = desc
    const heap = this.heap
    this.blCount.fill(0)
    tree.len[heap[this.heapMax]!] = 0
    let overflow = 0
    let h: number
    for (h = this.heapMax + 1; h < HEAP_SIZE; h++) {
      const n = heap[h]!
      let bits = tree.len[tree.dad[n]!]! + 1
      if (bits > maxLength) bits = maxLength, overflow++
      tree.len[n] = bits
      if (n > maxCode) continue
      this.blCount[bits]!++
      const xbits = n >= base ? extra[n - base]! : 0
      const f = tree.freq[n]!
      this.optLen += f * (bits + xbits)
      if (stree) this.staticLen += f * (stree.len[n]! + xbits)
    }
    if (overflow === 0) return
    do {
      let bits = maxLength - 1
      while (this.blCount[bits] === 0) bits--
      this.blCount[bits]!--
      this.blCount[bits + 1]! += 2
      this.blCount[maxLength]!--
      overflow -= 2
    } while (overflow > 0)
    for (let bits = maxLength; bits !== 0; bits--) {
      let n = this.blCount[bits]!
      while (n !== 0) {
        const m = heap[--h]!
        if (m > maxCode) continue
        if (tree.len[m] !== bits) {
          this.optLen += (bits - tree.len[m]!) * tree.freq[m]!
          tree.len[m] = bits
        }
        n--
      }
    }
  }

  buildTree(desc: Desc) {
    const { tree, stree, elems } = desc
    const heap = this.heap
    let maxCode = -1
    this.heapLen = 0
    this.heapMax = HEAP_SIZE
    for (let n = 0; n < elems; n++) {
      if (tree.freq[n] !== 0) {
        heap[++this.heapLen] = maxCode = n
        this.depth[n] = 0
      } else {
        tree.len[n] = 0
      }
    }
    while (this.heapLen < 2) {
      const node = heap[++this.heapLen] = maxCode < 2 ? ++maxCode : 0
      tree.freq[node] = 1
      this.depth[node] = 0
      this.optLen--
      if (stree) this.staticLen -= stree.len[node]!
    }
    desc.maxCode = maxCode
    for (let n = this.heapLen >> 1; n >= 1; n--) this.downheap(tree, n)
    let node = elems
    do {
      const n = heap[1]!
      heap[1] = heap[this.heapLen--]!
      this.downheap(tree, 1)
      const m = heap[1]!
      heap[--this.heapMax] = n
      heap[--this.heapMax] = m
      tree.freq[node] = tree.freq[n]! + tree.freq[m]!
      this.depth[node] = (this.depth[n]! >= this.depth[m]! ? this.depth[n]! : this.depth[m]!) + 1
      tree.dad[n] = tree.dad[m] = node
      heap[1] = node++
      this.downheap(tree, 1)
    } while (this.heapLen >= 2)
    heap[--this.heapMax] = heap[1]!
    this.genBitlen(desc)
    genCodes(tree, maxCode, this.blCount)
  }

  scanTree(tree: Tree, maxCode: number) {
    const bl = this.bl.tree
    let prevlen = -1
    let nextlen = tree.len[0]!
    let count = 0
    let maxCount = 7
    let minCount = 4
    if (nextlen === 0) maxCount = 138, minCount = 3
    tree.len[maxCode + 1] = 0xffff
    for (let n = 0; n <= maxCode; n++) {
      const curlen = nextlen
      nextlen = tree.len[n + 1]!
      if (++count < maxCount && curlen === nextlen) continue
      else if (count < minCount) bl.freq[curlen]! += count
      else if (curlen !== 0) {
        if (curlen !== prevlen) bl.freq[curlen]!++
        bl.freq[REP_3_6]!++
      } else if (count <= 10) bl.freq[REPZ_3_10]!++
      else bl.freq[REPZ_11_138]!++
      count = 0
      prevlen = curlen
      if (nextlen === 0) maxCount = 138, minCount = 3
      else if (curlen === nextlen) maxCount = 6, minCount = 3
      else maxCount = 7, minCount = 4
    }
  }

  sendCode(c: number, tree: Tree) {
    this.w.send(tree.code[c]!, tree.len[c]!)
  }

  sendTree(tree: Tree, maxCode: number) {
    const bl = this.bl.tree
    let prevlen = -1
    let nextlen = tree.len[0]!
    let count = 0
    let maxCount = 7
    let minCount = 4
    if (nextlen === 0) maxCount = 138, minCount = 3
    for (let n = 0; n <= maxCode; n++) {
      const curlen = nextlen
      nextlen = tree.len[n + 1]!
      if (++count < maxCount && curlen === nextlen) continue
      else if (count < minCount) {
        do this.sendCode(curlen, bl)
        while (--count !== 0)
      } else if (curlen !== 0) {
        if (curlen !== prevlen) {
          this.sendCode(curlen, bl)
          count--
        }
        this.sendCode(REP_3_6, bl)
        this.w.send(count - 3, 2)
      } else if (count <= 10) {
        this.sendCode(REPZ_3_10, bl)
        this.w.send(count - 3, 3)
      } else {
        this.sendCode(REPZ_11_138, bl)
        this.w.send(count - 11, 7)
      }
      count = 0
      prevlen = curlen
      if (nextlen === 0) maxCount = 138, minCount = 3
      else if (curlen === nextlen) maxCount = 6, minCount = 3
      else maxCount = 7, minCount = 4
    }
  }

  buildBlTree(): number {
    this.scanTree(this.l.tree, this.l.maxCode)
    this.scanTree(this.d.tree, this.d.maxCode)
    this.buildTree(this.bl)
    let maxBlindex: number
    for (maxBlindex = BL_CODES - 1; maxBlindex >= 3; maxBlindex--) {
      if (this.bl.tree.len[blOrder[maxBlindex]!] !== 0) break
    }
    this.optLen += 3 * (maxBlindex + 1) + 5 + 5 + 4
    return maxBlindex
  }

  compressBlock(ltree: Tree, dtree: Tree) {
    const syms = this.syms
    for (let i = 0; i < syms.length; i += 2) {
      let dist = syms[i]!
      let lc = syms[i + 1]!
      if (dist === 0) {
        this.sendCode(lc, ltree)
      } else {
        let code = lengthCode[lc]!
        this.sendCode(code + LITERALS + 1, ltree)
        let extra = extraLbits[code]!
        if (extra !== 0) {
          lc -= baseLength[code]!
          this.w.send(lc, extra)
        }
        dist--
        code = dCode(dist)
        this.sendCode(code, dtree)
        extra = extraDbits[code]!
        if (extra !== 0) {
          dist -= baseDist[code]!
          this.w.send(dist, extra)
        }
      }
    }
    this.sendCode(END_BLOCK, ltree)
  }

  flushBlock(window: Uint8Array, blockStart: number, storedLen: number, last: boolean) {
    this.buildTree(this.l)
    this.buildTree(this.d)
    const maxBlindex = this.buildBlTree()
    let optLenb = (this.optLen + 3 + 7) >>> 3
    const staticLenb = (this.staticLen + 3 + 7) >>> 3
    if (staticLenb <= optLenb) optLenb = staticLenb
    const lastBit = last ? 1 : 0
    if (storedLen + 4 <= optLenb) {
      this.w.send((0 << 1) + lastBit, 3)
      this.w.windup()
      this.w.out.push(storedLen & 0xff, (storedLen >>> 8) & 0xff, ~storedLen & 0xff, (~storedLen >>> 8) & 0xff)
      for (let i = 0; i < storedLen; i++) this.w.out.push(window[blockStart + i]!)
    } else if (staticLenb === optLenb) {
      this.w.send((1 << 1) + lastBit, 3)
      this.compressBlock(staticL, staticD)
    } else {
      this.w.send((2 << 1) + lastBit, 3)
      const lcodes = this.l.maxCode + 1
      const dcodes = this.d.maxCode + 1
      const blcodes = maxBlindex + 1
      this.w.send(lcodes - 257, 5)
      this.w.send(dcodes - 1, 5)
      this.w.send(blcodes - 4, 4)
      for (let rank = 0; rank < blcodes; rank++) this.w.send(this.bl.tree.len[blOrder[rank]!]!, 3)
      this.sendTree(this.l.tree, lcodes - 1)
      this.sendTree(this.d.tree, dcodes - 1)
      this.compressBlock(this.l.tree, this.d.tree)
    }
    this.initBlock()
    if (last) this.w.windup()
  }
}

const adler32 = (data: Uint8Array): number => {
  let a = 1
  let b = 0
  for (let i = 0; i < data.length;) {
    const end = Math.min(i + 3800, data.length)
    for (; i < end; i++) {
      a += data[i]!
      b += a
    }
    a %= 65521
    b %= 65521
  }
  return ((b << 16) | a) >>> 0
}

/**
 * `zlib.compress(data)` (level 6, 32 KiB window) exactly as the reference zlib writes
 * it. Only for inputs up to `MAX_EXACT_INPUT` bytes.
 */
/**
 * The hash heads and chains, shared by every call (compress is synchronous): allocating and
 * zeroing 256 KiB per call cost more than compressing a small payload. `head` is all zeros
 * between calls (each call clears the entries it set); `prev` needs no clearing, since a chain
 * only visits positions inserted by the same call.
 */
const sharedHead = new Int32Array(HASH_SIZE)
const sharedPrev = new Int32Array(W_SIZE)
const touched = new Int32Array(W_SIZE)
/** The trees and bit writer, reset at the start of each call. */
const sharedState = new State()

export const compress = (data: Uint8Array): Uint8Array => {
  let inserted = 0
  try {
    return compressWith(data, (h) => {
      touched[inserted++] = h
    })
  } finally {
    for (let i = 0; i < inserted; i++) sharedHead[touched[i]!] = 0
  }
}

const compressWith = (data: Uint8Array, touch: (h: number) => void): Uint8Array => {
  const size = data.length
  // The window, zero after the data as zlib's WIN_INIT leaves it: the match finder looks past the end.
  const window = new Uint8Array(size + 2 * MAX_MATCH + 8)
  window.set(data)
  const head = sharedHead
  const prev = sharedPrev
  const s = sharedState
  s.reset()

  const insert = (str: number): number => {
    const h = (((window[str]! << (2 * HASH_SHIFT)) ^ (window[str + 1]! << HASH_SHIFT)) ^ window[str + 2]!) & HASH_MASK
    const matchHead = head[h]!
    prev[str & (W_SIZE - 1)] = matchHead
    head[h] = str
    touch(h)
    return matchHead
  }

  let strstart = 0
  let lookahead = size
  let blockStart = 0
  let matchLength = MIN_MATCH - 1
  let matchStart = 0
  let prevLength = MIN_MATCH - 1
  let prevMatch = 0
  let matchAvailable = false

  const longestMatch = (curMatch: number): number => {
    let chainLength = MAX_CHAIN
    const scan = strstart
    let bestLen = prevLength
    let niceMatch = NICE_LENGTH
    const limit = strstart > MAX_DIST ? strstart - MAX_DIST : 0
    let scanEnd1 = window[scan + bestLen - 1]!
    let scanEnd = window[scan + bestLen]!
    if (prevLength >= GOOD_LENGTH) chainLength >>>= 2
    if (niceMatch > lookahead) niceMatch = lookahead
    do {
      const match = curMatch
      if (
        window[match + bestLen] !== scanEnd || window[match + bestLen - 1] !== scanEnd1 ||
        window[match] !== window[scan] || window[match + 1] !== window[scan + 1]
      ) continue
      // Bytes at offset 2 are equal whenever the hashes and the first two bytes are.
      let k = 3
      while (k < MAX_MATCH && window[scan + k] === window[match + k]) k++
      const len = k
      if (len > bestLen) {
        matchStart = curMatch
        bestLen = len
        if (len >= niceMatch) break
        scanEnd1 = window[scan + bestLen - 1]!
        scanEnd = window[scan + bestLen]!
      }
    } while ((curMatch = prev[curMatch & (W_SIZE - 1)]!) > limit && --chainLength !== 0)
    return bestLen <= lookahead ? bestLen : lookahead
  }

  const flush = (last: boolean) => {
    s.flushBlock(window, blockStart, strstart - blockStart, last)
    blockStart = strstart
  }

  for (;;) {
    if (lookahead === 0) break
    let hashHead = 0
    if (lookahead >= MIN_MATCH) hashHead = insert(strstart)
    prevLength = matchLength
    prevMatch = matchStart
    matchLength = MIN_MATCH - 1
    if (hashHead !== 0 && prevLength < MAX_LAZY && strstart - hashHead <= MAX_DIST) {
      matchLength = longestMatch(hashHead)
      if (matchLength <= 5 && matchLength === MIN_MATCH && strstart - matchStart > TOO_FAR) {
        matchLength = MIN_MATCH - 1
      }
    }
    if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
      const maxInsert = strstart + lookahead - MIN_MATCH
      const bflush = s.tally(strstart - 1 - prevMatch, prevLength - MIN_MATCH)
      lookahead -= prevLength - 1
      prevLength -= 2
      do {
        if (++strstart <= maxInsert) insert(strstart)
      } while (--prevLength !== 0)
      matchAvailable = false
      matchLength = MIN_MATCH - 1
      strstart++
      if (bflush) flush(false)
    } else if (matchAvailable) {
      const bflush = s.tally(0, window[strstart - 1]!)
      if (bflush) flush(false)
      strstart++
      lookahead--
    } else {
      matchAvailable = true
      strstart++
      lookahead--
    }
  }
  if (matchAvailable) s.tally(0, window[strstart - 1]!)
  flush(true)

  const body = s.w.out
  const out = new Uint8Array(2 + body.length + 4)
  out[0] = 0x78
  out[1] = 0x9c
  out.set(body, 2)
  const adler = adler32(data)
  out[2 + body.length] = adler >>> 24
  out[3 + body.length] = (adler >>> 16) & 0xff
  out[4 + body.length] = (adler >>> 8) & 0xff
  out[5 + body.length] = adler & 0xff
  return out
}
