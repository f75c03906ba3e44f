/**
 * The generator's input, drawn on the host from the run's random source:
 * noise z, the categorical label code and the two continuous codes.
 */
import * as tf from "@tensorflow/tfjs";
import type { InfoGanConfig } from "./config.ts";
import type { Random } from "./random.ts";

/** Generator inputs on the host: noise, one-hot labels and two codes. */
export interface LatentBatch {
  z: Float32Array;
  labels: Uint8Array;
  code1: Float32Array;
  code2: Float32Array;
}

/** Draws the continuous code prior of `config`. */
export function drawCode(rng: Random, config: InfoGanConfig): number {
  return config.codeDist === "normal" ? rng.normal(config.codeStd) : rng.uniform(-1, 1);
}

/** Draws `n` generator inputs: z ~ U(-1, 1), uniform labels, codes from the prior. */
export function drawLatent(
  rng: Random,
  config: InfoGanConfig,
  options: { n: number },
): LatentBatch {
  const { n } = options;
  const z = rng.fill(n * config.latentSize, (r) => r.uniform(-1, 1));
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.int(config.numLabels);
  const code1 = rng.fill(n, (r) => drawCode(r, config));
  const code2 = rng.fill(n, (r) => drawCode(r, config));
  return { z, labels, code1, code2 };
}

/** Uploads a latent batch as the generator's four input tensors. */
export function latentTensors(
  batch: LatentBatch,
  config: InfoGanConfig,
): tf.Tensor2D[] {
  const n = batch.labels.length;
  return [
    tf.tensor2d(batch.z, [n, config.latentSize]),
    oneHot(batch.labels, config.numLabels),
    tf.tensor2d(batch.code1, [n, 1]),
    tf.tensor2d(batch.code2, [n, 1]),
  ];
}

export function oneHot(labels: Uint8Array, k: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), k).toFloat() as tf.Tensor2D);
}
