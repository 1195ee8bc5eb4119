/**
 * Ascending sort of finite doubles by LSD radix on their bit patterns (4 passes of 16 bits): about 3x faster than
 * Float64Array.prototype.sort on a million values, and sorting dominates the tests that need raw values. The order is
 * the numeric order (-0 before +0, which every test treats as equal); NaN must have been removed by the caller.
 */

const DIGIT_BITS = 16;
const BUCKETS = 1 << DIGIT_BITS;
const MASK = BUCKETS - 1;
/** Below this size the engine's comparison sort is as fast and needs no scratch buffers. */
const RADIX_MIN = 4096;
/** The word views below assume little-endian doubles (every platform Node ships on); anything else sorts by comparison. */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([-0]).buffer)[7] === 0x80;

/** Returns a sorted copy; the input is not modified. */
export const sortDoubles = (values: Float64Array): Float64Array => {
  const n = values.length;
  if (n < RADIX_MIN || !LITTLE_ENDIAN) return Float64Array.from(values).sort();
  // Keys as (hi, lo) 32-bit words: flipping the sign bit of positives and every bit of negatives makes the unsigned
  // order of the words the numeric order of the doubles.
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) {
    const h = words[2 * i + 1]!;
    const l = words[2 * i]!;
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  const counts = new Uint32Array(BUCKETS * 4);
  for (let i = 0; i < n; i += 1) {
    const h = hi[i]!;
    const l = lo[i]!;
    counts[l & MASK]! += 1;
    counts[BUCKETS + (l >>> DIGIT_BITS)]! += 1;
    counts[2 * BUCKETS + (h & MASK)]! += 1;
    counts[3 * BUCKETS + (h >>> DIGIT_BITS)]! += 1;
  }
  let hiOut = new Uint32Array(n);
  let loOut = new Uint32Array(n);
  for (let pass = 0; pass < 4; pass += 1) {
    const base = pass * BUCKETS;
    // A digit every key shares moves nothing: skip the pass.
    let skip = false;
    let offset = 0;
    for (let b = 0; b < BUCKETS; b += 1) {
      const c = counts[base + b]!;
      if (c === n) skip = true;
      counts[base + b] = offset;
      offset += c;
    }
    if (skip) continue;
    const shift = pass % 2 === 0 ? 0 : DIGIT_BITS;
    const fromHi = pass >= 2;
    for (let i = 0; i < n; i += 1) {
      const h = hi[i]!;
      const l = lo[i]!;
      const digit = ((fromHi ? h : l) >>> shift) & MASK;
      const at = counts[base + digit]!;
      counts[base + digit] = at + 1;
      hiOut[at] = h;
      loOut[at] = l;
    }
    [hi, hiOut] = [hiOut, hi];
    [lo, loOut] = [loOut, lo];
  }
  const out = new Float64Array(n);
  const outWords = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i += 1) {
    const h = hi[i]!;
    const l = lo[i]!;
    if (h & 0x80000000) {
      outWords[2 * i + 1] = (h & 0x7fffffff) >>> 0;
      outWords[2 * i] = l;
    } else {
      outWords[2 * i + 1] = ~h >>> 0;
      outWords[2 * i] = ~l >>> 0;
    }
  }
  return out;
};
