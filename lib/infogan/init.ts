/**
 * Seeded weight initialisation. tfjs initialisers ignore their `seed`, so
 * after building a model every weight is overwritten from the run's
 * {@linkcode Random}, in one of two schemes:
 *   glorot (Keras's defaults): Glorot-uniform kernels, zero biases, and
 *     BatchNorm's γ = 1, β = 0;
 *   normal (the InfoGAN authors' code): kernels N(0, 0.02), truncated at 2σ
 *     for Conv2D (TensorFlow's truncated normal), zero biases, and
 *     γ ~ N(1, 0.02), β = 0.
 * Moving statistics start at mean 0, variance 1 in both.
 */
import * as tf from "@tensorflow/tfjs";
import type { InitScheme } from "./config.ts";
import type { Random } from "./random.ts";

/** Standard deviation of the `normal` scheme's kernels and of γ around 1. */
export const NORMAL_INIT_STD = 0.02;

/** Overwrites every weight of `model` deterministically from `rng`. */
export function initWeights(
  model: tf.LayersModel,
  rng: Random,
  scheme: InitScheme = "glorot",
): void {
  const layerClass = new Map<object, string>();
  for (const layer of model.layers) {
    for (const w of layer.weights) layerClass.set(w, layer.getClassName());
  }
  const values = model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const leaf = w.originalName.split("/").pop() ?? "";
    const normal = (mean: number, truncate: boolean) =>
      tf.tensor(rng.fill(size, (r) => mean + truncatedNormal(r, truncate)), shape);
    if (leaf === "kernel") {
      if (scheme === "normal") return normal(0, layerClass.get(w) === "Conv2D");
      // Glorot uniform: limit = sqrt(6 / (fan_in + fan_out)), with the
      // receptive field counted in both fans (symmetric, so the transposed
      // kernel layout [kh, kw, out, in] gives the same limit).
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = shape[shape.length - 2] * receptive;
      const fanOut = shape[shape.length - 1] * receptive;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return tf.tensor(rng.fill(size, (r) => r.uniform(-limit, limit)), shape);
    }
    if (leaf === "gamma") return scheme === "normal" ? normal(1, false) : tf.ones(shape);
    if (leaf === "moving_variance") return tf.ones(shape);
    if (leaf === "bias" || leaf === "beta" || leaf === "moving_mean") {
      return tf.zeros(shape);
    }
    throw new Error(
      `initWeights: expected kernel, bias, gamma, beta or moving statistics, found ${w.originalName}`,
    );
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** N(0, 0.02); with `truncate`, redrawn until within 2σ. */
function truncatedNormal(rng: Random, truncate: boolean): number {
  for (;;) {
    const x = rng.normal(NORMAL_INIT_STD);
    if (!truncate || Math.abs(x) <= 2 * NORMAL_INIT_STD) return x;
  }
}
