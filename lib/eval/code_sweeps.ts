/**
 * The continuous codes: each swept with z, the category and the other code
 * fixed, every image measured for slant and stroke width, and the Spearman ρ
 * between code and measure averaged over sweeps.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LoadedModels } from "../io/checkpoint.ts";
import { IMAGE_SIZE } from "../infogan/generator.ts";
import { slant, spearman, strokeWidth } from "./measures.ts";
import { Random } from "../infogan/random.ts";
import { predict } from "../infogan/sample.ts";
import { drawLatent, type LatentBatch } from "../infogan/latent.ts";
import type { CodeCorrelation } from "./evaluate.ts";

/** Slant and stroke width of every image of a set of code sweeps. */
export interface CodeSweepMeasures {
  /** The swept code. */
  code: 1 | 2;
  /** The code values, one per column. */
  values: number[];
  /** The category of each sweep (row). */
  categories: number[];
  /** slant[row][column] in degrees. */
  slant: number[][];
  /** width[row][column] in pixels. */
  width: number[][];
}

/**
 * The generator inputs of `sweeps` code sweeps: row r has fresh z, category
 * r mod k and the other code at 0, and `code` runs over `values` along it.
 * Samples are row-major (row r, column c at r·values + c).
 */
export function sweepLatent(
  config: LoadedModels["config"],
  options: { code: 1 | 2; values: readonly number[]; sweeps: number; rng: Random },
): { latent: LatentBatch; categories: number[] } {
  const { values, sweeps } = options;
  const cols = values.length;
  const base = drawLatent(options.rng, config, { n: sweeps });
  const size = config.latentSize;
  const n = sweeps * cols;
  const latent = {
    z: new Float32Array(n * size),
    labels: new Uint8Array(n),
    code1: new Float32Array(n),
    code2: new Float32Array(n),
  };
  const categories = Array.from({ length: sweeps }, (_, r) => r % config.numLabels);
  for (let r = 0; r < sweeps; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      latent.z.set(base.z.subarray(r * size, (r + 1) * size), i * size);
      latent.labels[i] = categories[r];
      (options.code === 1 ? latent.code1 : latent.code2)[i] = values[c];
    }
  }
  return { latent, categories };
}

/**
 * Sweeps `code` over `values` for `sweeps` rows (fresh z per row, the
 * categories in turn, the other code at 0) and measures every image.
 */
export async function measureCodeSweeps(
  generator: tf.LayersModel,
  config: LoadedModels["config"],
  options: { code: 1 | 2; values: number[]; sweeps: number; rng: Random },
): Promise<CodeSweepMeasures> {
  const { values } = options;
  const cols = values.length;
  const { latent, categories } = sweepLatent(config, options);
  const images = await predict(generator, config, latent);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const image = (r: number, c: number) => {
    const i = r * cols + c;
    return images.subarray(i * pixels, (i + 1) * pixels);
  };
  const grid = (measure: (img: Float32Array) => number) =>
    categories.map((_, r) => values.map((_, c) => measure(image(r, c))));
  return {
    code: options.code,
    values,
    categories,
    slant: grid(slant),
    width: grid(strokeWidth),
  };
}

/**
 * The mean over sweeps of the Spearman ρ between the code and each measure.
 * Sweeps where a measure does not change are skipped for that measure.
 */
export function sweepCorrelation(m: CodeSweepMeasures): CodeCorrelation {
  const mean = (rows: number[][]) => {
    const rhos = rows.map((row) => spearman(m.values, row)).filter(Number.isFinite);
    return rhos.length ? rhos.reduce((a, b) => a + b, 0) / rhos.length : NaN;
  };
  return { slant: mean(m.slant), width: mean(m.width) };
}

/** One continuous code's role in a figure: which code, and which way it runs. */
export interface CodeRole {
  code: 1 | 2;
  /** Mean Spearman ρ between the code and the role's measure. */
  rho: number;
  /** +1 when the measure grows with the code, -1 when it shrinks. */
  sign: 1 | -1;
}

/**
 * Assigns the two continuous codes to the roles "slant" and "width" for the
 * paper's Figure 2 (c) and (d): the assignment with the larger total |ρ|
 * (a 2×2 Hungarian), each with the sign that makes its measure grow. An
 * entangled model still gets two roles; its ρ values show the entanglement.
 */
export function codeRoles(
  codes: { code1: CodeCorrelation; code2: CodeCorrelation },
): { slant: CodeRole; width: CodeRole } {
  const { code1, code2 } = codes;
  const straight = Math.abs(code1.slant) + Math.abs(code2.width);
  const crossed = Math.abs(code2.slant) + Math.abs(code1.width);
  const slantCode: 1 | 2 = straight >= crossed ? 1 : 2;
  const widthCode: 1 | 2 = slantCode === 1 ? 2 : 1;
  const role = (code: 1 | 2, measure: keyof CodeCorrelation): CodeRole => {
    const rho = (code === 1 ? code1 : code2)[measure];
    return { code, rho, sign: rho < 0 ? -1 : 1 };
  };
  return { slant: role(slantCode, "slant"), width: role(widthCode, "width") };
}
