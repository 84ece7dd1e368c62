/**
 * Makes a seeded pseudo-random source returning numbers in [0, 1), for
 * reproducible `select` choices in tests (pass it as `select`'s `random`).
 * The same seed gives the same sequence on every platform. Not for
 * cryptography.
 *
 * @example
 * ```ts
 * const a = seededRandom(42);
 * const b = seededRandom(42);
 * console.log(a() === b()); // true
 * ```
 * @throws TypeError if `seed` is not an integer.
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isInteger(seed)) {
    throw new TypeError(`seededRandom(): seed must be an integer, got ${String(seed)}`);
  }
  // mulberry32: a 32-bit state, advanced by a Weyl sequence and mixed.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
