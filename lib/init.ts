/**
 * Seeded weight initialisation. tfjs initialisers ignore their `seed`, so
 * after building a model every weight is overwritten from the run's
 * {@linkcode Random}: Keras's defaults, Glorot-uniform kernels, zero biases,
 * and BatchNorm's γ = 1, β = 0, moving mean 0, moving variance 1.
 */
import * as tf from "@tensorflow/tfjs";
import type { Random } from "./random.ts";

/** Overwrites every weight of `model` deterministically from `rng`. */
export function initWeights(model: tf.LayersModel, rng: Random): void {
  const values = model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const leaf = w.originalName.split("/").pop() ?? "";
    if (leaf === "kernel") {
      // Glorot uniform: limit = sqrt(6 / (fan_in + fan_out)), with the
      // receptive field counted in both fans (symmetric, so the transposed
      // kernel layout [kh, kw, out, in] gives the same limit).
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = shape[shape.length - 2] * receptive;
      const fanOut = shape[shape.length - 1] * receptive;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return tf.tensor(rng.fill(size, (r) => r.uniform(-limit, limit)), shape);
    }
    if (leaf === "gamma" || leaf === "moving_variance") {
      return tf.ones(shape);
    }
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
