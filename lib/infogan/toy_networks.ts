/**
 * The toy's networks, for InfoGAN on 2-D points (a ring of Gaussians, see
 * `data/ring.ts`): small MLPs in place of the convolutions, with the same
 * inputs, heads and losses as the MNIST models, so the same steps and loop
 * train them.
 *   G: [z, one-hot label, c1, c2] → Dense(128) → ReLU → Dense(128) → ReLU →
 *      Dense(2), a point in the plane (no squashing: points are not pixels).
 *   D: a point → Dense(128) → LeakyReLU → Dense(128) → LeakyReLU, the
 *      shared features; Q's hidden layer is Dense(64) → LeakyReLU.
 * No BatchNorm: a 2-D batch has too little in it to normalise by.
 */
import * as tf from "@tensorflow/tfjs";
import { type InfoGanConfig, scaled } from "./config.ts";

/** Coordinates of one toy sample: x and y. */
export const POINT_SIZE = 2;

function dense(units: number, name: string): tf.layers.Layer {
  return tf.layers.dense({ units, name });
}

function apply(l: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor {
  return l.apply(x) as tf.SymbolicTensor;
}

/** The toy generator's body, from its joined inputs to a point. */
export function toyGeneratorBody(
  joined: tf.SymbolicTensor,
  config: InfoGanConfig,
): tf.SymbolicTensor {
  const units = scaled(128, config.width);
  let x = joined;
  for (const i of [1, 2]) {
    x = apply(dense(units, `g_dense${i}`), x);
    x = apply(tf.layers.activation({ activation: "relu", name: `g_relu${i}` }), x);
  }
  return apply(dense(POINT_SIZE, "g_point"), x);
}

/** The toy discriminator's body: D's shared features and Q's hidden layer. */
export function toyDiscriminatorBody(
  point: tf.SymbolicTensor,
  config: InfoGanConfig,
): { features: tf.SymbolicTensor; hidden: tf.SymbolicTensor } {
  const lrelu = (x: tf.SymbolicTensor, name: string) =>
    apply(tf.layers.leakyReLU({ alpha: config.leakySlope, name }), x);
  const units = scaled(128, config.width);
  let x = point;
  for (const i of [1, 2]) x = lrelu(apply(dense(units, `d_dense${i}`), x), `d_lrelu${i}`);
  const hidden = lrelu(apply(dense(scaled(64, config.width), "q_hidden"), x), "q_lrelu");
  return { features: x, hidden };
}
