/**
 * What the toy's codes do, measured: where each category's generated points
 * land on the ring, how many modes G covers, and what each continuous code
 * moves (along the ring or across it).
 *
 * - A point is *on* mode m when it lies within 3σ of m's centre (99% of m's
 *   own samples in 2-D lie within 3.03σ); otherwise it is off every mode.
 * - `shares[category][mode]`: the share of a category's points on each mode.
 *   With λ = 1 each category should take one mode; with λ = 0 the category
 *   input means nothing, so every category spreads over the same modes.
 * - `accuracy`: the best one-to-one mapping of categories to modes
 *   (Hungarian), scored over all points, off-mode points counting as wrong;
 *   with more categories than modes (or fewer) the spare rows or columns
 *   match nothing.
 * - `modesCovered`: modes holding at least a quarter of their fair share
 *   (n / modes) of the points. Mode collapse shows as a low count.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { bestMapping } from "./assignment.ts";
import { spearman } from "./measures.ts";
import { sweepLatent } from "./code_sweeps.ts";
import { modeCentre, type Ring } from "../data/ring.ts";
import type { InfoGanConfig } from "../infogan/config.ts";
import { Random } from "../infogan/random.ts";
import { drawLatent } from "../infogan/latent.ts";
import { predict } from "../infogan/sample.ts";

/** Distance, in σ, within which a point belongs to a mode. */
export const ON_MODE_SIGMAS = 3;

/** The mode within 3σ of (x, y), or -1 when the point is off every mode. */
export function modeOf(ring: Ring, x: number, y: number): number {
  // Modes are at least 2r·sin(π/modes) apart, far more than 6σ on the toy's rings.
  const angle = Math.atan2(y, x);
  const nearest = ((Math.round((angle / (2 * Math.PI)) * ring.modes) % ring.modes) +
    ring.modes) % ring.modes;
  const [cx, cy] = modeCentre(ring, nearest);
  return Math.hypot(x - cx, y - cy) <= ON_MODE_SIGMAS * ring.std ? nearest : -1;
}

/** Each mode's 3σ circle as points along it, for drawing. */
export function modeOutlines(ring: Ring): { x: number; y: number; mode: number }[] {
  const out: { x: number; y: number; mode: number }[] = [];
  const r = ON_MODE_SIGMAS * ring.std;
  for (let m = 0; m < ring.modes; m++) {
    const [cx, cy] = modeCentre(ring, m);
    for (let s = 0; s <= 32; s++) {
      const t = (2 * Math.PI * s) / 32;
      out.push({ x: cx + r * Math.cos(t), y: cy + r * Math.sin(t), mode: m });
    }
  }
  return out;
}

/** Where a set of generated points landed, by category (see the module notes). */
export interface RingMeasures {
  /** counts[category][mode]: points within 3σ of each mode. */
  counts: number[][];
  /** shares[category][mode]: the same over the category's points. */
  shares: number[][];
  /** Share of all points on some mode. */
  onMode: number;
  /** Modes with at least a quarter of their fair share of the points. */
  modesCovered: number;
  /** Best one-to-one category → mode mapping (-1: matched to no mode) and its accuracy. */
  mapping: number[];
  accuracy: number;
}

/**
 * Measures points (x, y interleaved) with their `categories` (0..k-1)
 * against `ring`.
 */
export function ringMeasures(
  points: Float32Array,
  categories: ArrayLike<number>,
  options: { ring: Ring; k: number },
): RingMeasures {
  const { ring, k } = options;
  const n = categories.length;
  if (points.length !== 2 * n) {
    throw new RangeError(`ringMeasures: expected ${2 * n} coordinates, found ${points.length}`);
  }
  const counts = Array.from({ length: k }, () => new Array<number>(ring.modes).fill(0));
  const perCategory = new Array<number>(k).fill(0);
  const perMode = new Array<number>(ring.modes).fill(0);
  let on = 0;
  for (let i = 0; i < n; i++) {
    const c = categories[i];
    perCategory[c]++;
    const m = modeOf(ring, points[2 * i], points[2 * i + 1]);
    if (m < 0) continue;
    counts[c][m]++;
    perMode[m]++;
    on++;
  }
  // Pad to a square so that the Hungarian method matches min(k, modes) pairs.
  const side = Math.max(k, ring.modes);
  const square = Array.from(
    { length: side },
    (_, c) => Array.from({ length: side }, (_, m) => counts[c]?.[m] ?? 0),
  );
  const matched = bestMapping(square).mapping.slice(0, k);
  const mapping = matched.map((m) => (m < ring.modes ? m : -1));
  const right = mapping.reduce((sum, m, c) => sum + (m >= 0 ? counts[c][m] : 0), 0);
  return {
    counts,
    shares: counts.map((row, c) => row.map((x) => (perCategory[c] ? x / perCategory[c] : 0))),
    onMode: n ? on / n : 0,
    modesCovered: perMode.filter((x) => x >= n / ring.modes / 4).length,
    mapping,
    accuracy: n ? right / n : 0,
  };
}

/** Mean Spearman ρ of one continuous code with the two polar directions of the ring. */
export interface RingCodeEffect {
  /** With the angle: the code moves points along the ring. */
  along: number;
  /** With the distance from the centre: the code moves points across the ring. */
  across: number;
  sweeps: number;
}

/**
 * Sweeps `code` over `values` (`sweeps` rows, z and the category fixed along
 * each) and averages, over sweeps, the Spearman ρ between the code and each
 * point's angle (unwrapped along the sweep) and its radius.
 */
export async function ringCodeEffect(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { code: 1 | 2; values: number[]; sweeps: number; rng: Random },
): Promise<RingCodeEffect> {
  const { values, sweeps } = options;
  const { latent } = sweepLatent(config, options);
  const points = await predict(generator, config, latent);
  const cols = values.length;
  const along: number[] = [];
  const across: number[] = [];
  for (let r = 0; r < sweeps; r++) {
    const angles: number[] = [];
    const radii: number[] = [];
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const [x, y] = [points[2 * i], points[2 * i + 1]];
      let a = Math.atan2(y, x);
      // Unwrap: keep each angle within π of the one before it.
      if (c > 0) a += 2 * Math.PI * Math.round((angles[c - 1] - a) / (2 * Math.PI));
      angles.push(a);
      radii.push(Math.hypot(x, y));
    }
    along.push(spearman(values, angles));
    across.push(spearman(values, radii));
  }
  const mean = (xs: number[]) => {
    const finite = xs.filter(Number.isFinite);
    return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
  };
  return { along: mean(along), across: mean(across), sweeps };
}

/** What `evaluateToy` reports: the measures of fresh points and of each code's sweeps. */
export interface ToyEvaluation extends RingMeasures {
  /** The points measured (x, y interleaved) and their categories, for plotting. */
  points: Float32Array;
  categories: Uint8Array;
  code1: RingCodeEffect;
  code2: RingCodeEffect;
}

/**
 * Draws `n` fresh latents with `Random(seed)`, measures G's points against
 * `ring`, and sweeps each continuous code over −1..1 (64 sweeps of 5 values).
 */
export async function evaluateToy(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { ring: Ring; seed?: number; n?: number },
): Promise<ToyEvaluation> {
  const rng = new Random(options.seed ?? 1234);
  const latent = drawLatent(rng, config, { n: options.n ?? 4000 });
  const points = await predict(generator, config, latent);
  const sweep = { values: [-1, -0.5, 0, 0.5, 1], sweeps: 64, rng };
  return {
    ...ringMeasures(points, latent.labels, { ring: options.ring, k: config.numLabels }),
    points,
    categories: latent.labels,
    code1: await ringCodeEffect(generator, config, { ...sweep, code: 1 }),
    code2: await ringCodeEffect(generator, config, { ...sweep, code: 2 }),
  };
}
