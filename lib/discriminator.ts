/**
 * The book's discriminator with its Q network (Atienza, ch. 6): 4 ×
 * [LeakyReLU(0.2), Conv2D] with filters 32, 64, 128, 256 (kernel 5, strides
 * 2, 2, 2, 1, same) → Flatten, then four heads:
 *   real:  Dense(1) → sigmoid, the GAN's real/fake probability;
 *   Q:     Dense(128) (linear, as in the book) feeding
 *          label: Dense(10) → softmax, Q(c_discrete | x),
 *          code1, code2: Dense(1), sigmoid in the book, linear Gaussian means
 *          when `continuousLoss` is `gaussian`.
 * Q shares every convolution with D, so the MI term costs almost nothing.
 */
import * as tf from "@tensorflow/tfjs";
import { type InfoGanConfig, scaled } from "./config.ts";
import { IMAGE_SIZE } from "./generator.ts";
import { initWeights } from "./init.ts";
import type { Random } from "./random.ts";

/** Output order of the discriminator. */
export const D_OUTPUTS = ["real", "label", "code1", "code2"] as const;

/** Builds the discriminator with Q heads, weights drawn from `rng`. */
export function buildDiscriminator(
  config: InfoGanConfig,
  rng: Random,
): tf.LayersModel {
  const image = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: "image" });
  const filters = [32, 64, 128, 256].map((f) => scaled(f, config.width));
  let x: tf.SymbolicTensor = image;
  filters.forEach((f, i) => {
    x = tf.layers.leakyReLU({ alpha: 0.2, name: `d_lrelu${i + 1}` })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2d({
      filters: f,
      kernelSize: 5,
      // The last block keeps the 4×4 resolution.
      strides: i === filters.length - 1 ? 1 : 2,
      padding: "same",
      name: `d_conv${i + 1}`,
    }).apply(x) as tf.SymbolicTensor;
  });
  const features = tf.layers.flatten({ name: "d_flatten" })
    .apply(x) as tf.SymbolicTensor;
  // Dense then a separate sigmoid, so training can use the logits (as Keras's
  // cross-entropy does internally) while the model still outputs probabilities.
  const realLogit = tf.layers.dense({ units: 1, name: "real_logit" })
    .apply(features) as tf.SymbolicTensor;
  const real = tf.layers.activation({ activation: "sigmoid", name: "real" })
    .apply(realLogit) as tf.SymbolicTensor;
  // The book sizes Q's hidden layer as the second-to-last filter count.
  const hidden = tf.layers.dense({ units: filters[2], name: "q_hidden" })
    .apply(features) as tf.SymbolicTensor;
  const labelLogits = tf.layers.dense({ units: config.numLabels, name: "label_logits" })
    .apply(hidden) as tf.SymbolicTensor;
  const label = tf.layers.activation({ activation: "softmax", name: "label" })
    .apply(labelLogits) as tf.SymbolicTensor;
  const codeActivation = config.continuousLoss === "gaussian" ? "linear" : "sigmoid";
  const codes = [1, 2].map((i) =>
    tf.layers.dense({
      units: 1,
      activation: codeActivation,
      name: `code${i}`,
    }).apply(hidden) as tf.SymbolicTensor
  );
  const model = tf.model({
    inputs: image,
    outputs: [real, label, ...codes],
    name: "discriminator",
  });
  initWeights(model, rng);
  return model;
}

/**
 * A view of `discriminator` (sharing its layers and weights) whose outputs are
 * [real logit, label logits, code1, code2]: the cross-entropies are computed
 * from logits, as Keras does for sigmoid and softmax outputs, so they stay
 * exact and keep their gradients when D saturates.
 */
export function logitsView(discriminator: tf.LayersModel): tf.LayersModel {
  const out = (name: string) => discriminator.getLayer(name).output as tf.SymbolicTensor;
  return tf.model({
    inputs: discriminator.inputs,
    outputs: [out("real_logit"), out("label_logits"), out("code1"), out("code2")],
    name: "discriminator_logits",
  });
}
