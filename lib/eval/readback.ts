/**
 * How much of each continuous code can be read back from the image, by a
 * reader that is not Q: a ridge regression from the 784 pixels to the code,
 * fitted on generated images and scored by R² on fresh ones.
 *
 * ρ (code_sweeps.ts) asks whether a code moves slant or width along a sweep
 * with everything else fixed. Any input of G does that smoothly, used or
 * not by the information term. Readback asks the question the term is about:
 * with z, the category and the other code all varying too, how much of the
 * code does one image still carry? 1 is all of it, 0 nothing a linear reader
 * finds. It needs no Q, so it also scores a generator shipped without D.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { InfoGanConfig } from "../infogan/config.ts";
import { IMAGE_SIZE } from "../infogan/generator.ts";
import { drawLatent } from "../infogan/latent.ts";
import { Random } from "../infogan/random.ts";
import { predict } from "../infogan/sample.ts";

/** Options of {@linkcode codeReadback}. */
export interface ReadbackOptions {
  /** Generated images the reader is fitted on. */
  train: number;
  /** Fresh images it is scored on. */
  test: number;
  /** Ridge strength, relative to the mean pixel variance. */
  ridge: number;
  /** Seed of the latents. */
  seed: number;
}

/** Defaults: 3 000 images to fit 785 weights, 1 000 to score them. */
export const READBACK_DEFAULTS: ReadbackOptions = { train: 3000, test: 1000, ridge: 0.1, seed: 77 };

/** Held-out R² of each continuous code read back from the image. */
export interface CodeReadback {
  code1: number;
  code2: number;
  train: number;
  test: number;
}

/**
 * Fits `y ≈ w·x + b` by ridge regression on the rows of `xTrain` (`n × d`,
 * row-major) and returns R² on (`xTest`, `yTest`): 1 − SS_res / SS_tot,
 * with the test targets' own mean. Negative when the fit is worse than that
 * mean. `ridge` scales the mean variance of the features.
 */
export function ridgeR2(
  xTrain: Float32Array,
  yTrain: Float32Array,
  xTest: Float32Array,
  yTest: Float32Array,
  d: number,
  ridge: number,
): number {
  const n = yTrain.length;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += xTrain[i * d + j] / n;
  const yMean = yTrain.reduce((a, b) => a + b, 0) / n;
  // XᵀX and Xᵀy of the centred features, by tfjs (d × d).
  const [gram, xty] = tf.tidy(() => {
    const x = tf.tensor2d(xTrain, [n, d]).sub(tf.tensor1d(Float32Array.from(mean)));
    const y = tf.tensor2d(yTrain, [n, 1]).sub(yMean);
    return [tf.matMul(x, x, true, false).dataSync(), tf.matMul(x, y, true, false).dataSync()];
  });
  const a = Float64Array.from(gram);
  let trace = 0;
  for (let j = 0; j < d; j++) trace += a[j * d + j];
  const alpha = ridge * Math.max(trace / d, 1e-12);
  for (let j = 0; j < d; j++) a[j * d + j] += alpha;
  const w = choleskySolve(a, Float64Array.from(xty), d);
  const m = yTest.length;
  const testMean = yTest.reduce((s, v) => s + v, 0) / m;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < m; i++) {
    let p = yMean;
    for (let j = 0; j < d; j++) p += w[j] * (xTest[i * d + j] - mean[j]);
    res += (yTest[i] - p) ** 2;
    tot += (yTest[i] - testMean) ** 2;
  }
  return tot > 0 ? 1 - res / tot : 0;
}

/** Solves `a x = b` for a symmetric positive definite `a` (`d × d`, overwritten). */
function choleskySolve(a: Float64Array, b: Float64Array, d: number): Float64Array {
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let k = 0; k < j; k++) s -= a[j * d + k] ** 2;
    if (!(s > 0)) throw new RangeError(`ridgeR2: the system is not positive definite at ${j}`);
    const l = Math.sqrt(s);
    a[j * d + j] = l;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let k = 0; k < j; k++) t -= a[i * d + k] * a[j * d + k];
      a[i * d + j] = t / l;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < i; k++) x[i] -= a[i * d + k] * x[k];
    x[i] /= a[i * d + i];
  }
  for (let i = d - 1; i >= 0; i--) {
    for (let k = i + 1; k < d; k++) x[i] -= a[k * d + i] * x[k];
    x[i] /= a[i * d + i];
  }
  return x;
}

/**
 * Generates `train + test` images from the prior (every input random) and
 * reads each continuous code back from the pixels ({@linkcode ridgeR2}).
 */
export async function codeReadback(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: Partial<ReadbackOptions> = {},
): Promise<CodeReadback> {
  const o = { ...READBACK_DEFAULTS, ...options };
  const rng = new Random(o.seed);
  const draw = async (n: number) => {
    const latent = drawLatent(rng, config, { n });
    return { latent, images: await predict(generator, config, latent) };
  };
  const fit = await draw(o.train);
  const held = await draw(o.test);
  const d = IMAGE_SIZE * IMAGE_SIZE;
  const r2 = (code: "code1" | "code2") =>
    ridgeR2(fit.images, fit.latent[code], held.images, held.latent[code], d, o.ridge);
  return { code1: r2("code1"), code2: r2("code2"), train: o.train, test: o.test };
}
