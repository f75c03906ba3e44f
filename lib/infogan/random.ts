/**
 * A small seeded random source (xoshiro128**) whose whole state is four
 * 32-bit words, so a checkpoint can store it and a resumed run continues the
 * exact same stream. `lib/` never calls `Math.random`: every draw goes through
 * an instance of this class that the caller passes in.
 */
export class Random {
  #s: Uint32Array;
  /** A cached second Box–Muller normal, part of the state. */
  #spare: number | null = null;

  /** Seeds the generator; equal seeds give equal streams. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(
        `Random seed: expected an integer in [0, 4294967295], found ${seed}`,
      );
    }
    // SplitMix32 expands the seed into four words that are never all zero.
    this.#s = new Uint32Array(4);
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** Restores a generator from {@linkcode Random.state}. */
  static fromState(state: RandomState): Random {
    const words = state?.words;
    if (
      !Array.isArray(words) || words.length !== 4 ||
      !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) ||
      words.every((w) => w === 0)
    ) {
      throw new TypeError(
        `Random state: expected 4 unsigned 32-bit words, not all zero, found ${
          JSON.stringify(words)
        }`,
      );
    }
    if (state.spare !== null && !Number.isFinite(state.spare)) {
      throw new TypeError(
        `Random state: expected spare to be null or finite, found ${state.spare}`,
      );
    }
    const r = new Random(0);
    r.#s.set(words);
    r.#spare = state.spare;
    return r;
  }

  /** The full state, as plain JSON. */
  state(): RandomState {
    return { words: Array.from(this.#s), spare: this.#spare };
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform float in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) {
      throw new RangeError(`Random.int: expected 1 ≤ n ≤ 2^32, found ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** A normal draw with the given standard deviation (Box–Muller). */
  normal(std = 1): number {
    if (this.#spare !== null) {
      const v = this.#spare;
      this.#spare = null;
      return v * std;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v) * std;
  }

  /** Fills a new Float32Array with `fn` applied to this source `n` times. */
  fill(n: number, fn: (r: Random) => number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = fn(this);
    return out;
  }
}

/** The serialisable state of a {@linkcode Random}. */
export interface RandomState {
  words: number[];
  spare: number | null;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
