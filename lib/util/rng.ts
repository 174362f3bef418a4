/**
 * Seeded random numbers. Every random choice in adaspring flows from a seed recorded in the
 * report, through this module (never `Math.random`). Built on `pure-rand`'s xoroshiro128+.
 *
 * Streams are forked by label (`rng.fork("split")`), so adding a random draw in one stage does
 * not shift the numbers another stage sees.
 *
 * @module
 */
import { xoroshiro128plus, xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

/** A seeded stream of random numbers. */
export interface Rng {
  /** The seed this stream was created from (after label mixing for forks). */
  readonly seed: number;
  /** Uniform float in [0, 1) with 53 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal sample (Box-Muller). */
  normal(): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Fisher-Yates shuffle, in place; returns the same array. */
  shuffle<T>(array: T[]): T[];
  /** An independent stream derived from this stream's seed and `label`. */
  fork(label: string): Rng;
  /** The generator's full state, for checkpoints; see {@link restoreRng}. */
  state(): RngState;
}

/** Serializable state of an {@link Rng} (JSON-safe). */
export interface RngState {
  seed: number;
  words: number[];
  spare: number | null;
}

/** 32-bit FNV-1a hash of a string, used to mix fork labels into seeds. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Create a seeded random stream.
 *
 * @example
 * ```ts
 * import { createRng } from "./rng.ts";
 * const a = createRng(42), b = createRng(42);
 * console.assert(a.next() === b.next());
 * console.assert(createRng(42).fork("split").next() === createRng(42).fork("split").next());
 * ```
 */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  return makeRng(seed, xoroshiro128plus(seed | 0), undefined);
}

/**
 * Recreate a stream from {@link Rng.state}; it continues exactly where the saved one stopped.
 *
 * @example
 * ```ts
 * import { createRng, restoreRng } from "./rng.ts";
 * const a = createRng(7);
 * a.next();
 * const b = restoreRng(a.state());
 * console.assert(a.next() === b.next());
 * ```
 */
export function restoreRng(state: RngState): Rng {
  return makeRng(state.seed, xoroshiro128plusFromState(state.words), state.spare ?? undefined);
}

function makeRng(seed: number, gen: RandomGenerator, spareIn: number | undefined): Rng {
  const u32 = (): number => gen.next() >>> 0;
  const next = (): number => {
    // 53-bit float from two 32-bit draws.
    const hi = u32() >>> 5, lo = u32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  let spare: number | undefined = spareIn;
  const rng: Rng = {
    seed,
    next,
    int(n: number): number {
      if (!(n > 0)) throw new RangeError(`int(n) needs n > 0, got ${n}`);
      return Math.floor(next() * n);
    },
    normal(): number {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    uniform(lo: number, hi: number): number {
      return lo + (hi - lo) * next();
    },
    shuffle<T>(array: T[]): T[] {
      for (let i = array.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [array[i], array[j]] = [array[j], array[i]];
      }
      return array;
    },
    fork(label: string): Rng {
      return createRng((hashString(label) ^ Math.imul(seed | 0, 0x9e3779b1)) | 0);
    },
    state(): RngState {
      const words = (gen as unknown as { getState(): number[] }).getState();
      return { seed, words: [...words], spare: spare ?? null };
    },
  };
  return rng;
}
