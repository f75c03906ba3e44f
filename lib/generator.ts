/**
 * The book's generator (Atienza, ch. 6): [z, one-hot label, c1, c2] →
 * Dense(7·7·128) → Reshape → 4 × [BatchNorm, ReLU, Conv2DTranspose] with
 * filters 128, 64, 32, 1 (kernel 5, strides 2, 2, 1, 1, same) → sigmoid.
 */
import * as tf from "@tensorflow/tfjs";
import { type InfoGanConfig, scaled } from "./config.ts";
import { initWeights } from "./init.ts";
import type { Random } from "./random.ts";

/** MNIST image side; the generator upsamples 7 → 14 → 28. */
export const IMAGE_SIZE = 28;

/** Builds the generator with weights drawn from `rng`. */
export function buildGenerator(
  config: InfoGanConfig,
  rng: Random,
): tf.LayersModel {
  const z = tf.input({ shape: [config.latentSize], name: "z" });
  const label = tf.input({ shape: [config.numLabels], name: "label" });
  const code1 = tf.input({ shape: [1], name: "code1" });
  const code2 = tf.input({ shape: [1], name: "code2" });
  const resize = IMAGE_SIZE / 4;
  // The last block outputs the single grey channel, whatever the width.
  const filters = [128, 64, 32].map((f) => scaled(f, config.width)).concat(1);
  let x = tf.layers.concatenate({ axis: 1, name: "g_concat" })
    .apply([z, label, code1, code2]) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: resize * resize * filters[0], name: "g_dense" })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({
    targetShape: [resize, resize, filters[0]],
    name: "g_reshape",
  }).apply(x) as tf.SymbolicTensor;
  filters.forEach((f, i) => {
    // Strides 2 for the two widest blocks upsample 7 → 28.
    const strides = i < 2 ? 2 : 1;
    x = tf.layers.batchNormalization({ name: `g_bn${i + 1}` })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.activation({ activation: "relu", name: `g_relu${i + 1}` })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2dTranspose({
      filters: f,
      kernelSize: 5,
      strides,
      padding: "same",
      name: `g_deconv${i + 1}`,
    }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.activation({ activation: "sigmoid", name: "g_image" })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({
    inputs: [z, label, code1, code2],
    outputs: x,
    name: "generator",
  });
  initWeights(model, rng);
  return model;
}
