/**
 * The generators, both taking [z, one-hot label, c1, c2] to a 28×28 image in
 * [0, 1] (the toy's, to a point: `toy_networks.ts`):
 *   book (Atienza, ch. 6): Dense(7·7·128) → Reshape → 4 × [BatchNorm, ReLU,
 *     Conv2DTranspose] with filters 128, 64, 32, 1 (kernel 5, strides
 *     2, 2, 1, 1, same) → sigmoid;
 *   paper (Chen et al. 2016, appendix C, table 1): Dense(1024) → BN → ReLU →
 *     Dense(7·7·128) → BN → ReLU → Reshape → Conv2DTranspose(64, 4, stride 2)
 *     → BN → ReLU → Conv2DTranspose(1, 4, stride 2) → sigmoid.
 */
import * as tf from "@tensorflow/tfjs";
import { withFusedTraining } from "./batch_norm.ts";
import { withLazyGradients } from "./lazy_gradients.ts";
import { type InfoGanConfig, scaled } from "./config.ts";
import { initWeights } from "./init.ts";
import type { Random } from "./random.ts";
import { POINT_SIZE, toyGeneratorBody } from "./toy_networks.ts";

/** MNIST image side; the generator upsamples 7 → 14 → 28. */
export const IMAGE_SIZE = 28;

/** The shape of one sample, without the batch: a 28×28×1 image, or the toy's point. */
export function sampleShape(config: InfoGanConfig): number[] {
  return config.architecture === "toy" ? [POINT_SIZE] : [IMAGE_SIZE, IMAGE_SIZE, 1];
}

/** Builds the generator with weights drawn from `rng`. */
export function buildGenerator(
  config: InfoGanConfig,
  rng: Random,
): tf.LayersModel {
  const z = tf.input({ shape: [config.latentSize], name: "z" });
  const label = tf.input({ shape: [config.numLabels], name: "label" });
  const code1 = tf.input({ shape: [1], name: "code1" });
  const code2 = tf.input({ shape: [1], name: "code2" });
  const joined = tf.layers.concatenate({ axis: 1, name: "g_concat" })
    .apply([z, label, code1, code2]) as tf.SymbolicTensor;
  const build = { book: bookBody, paper: paperBody, toy: toyGeneratorBody }[config.architecture];
  // Pixels in [0, 1]; the toy's points are left unsquashed.
  const x = config.architecture === "toy"
    ? build(joined, config)
    : tf.layers.activation({ activation: "sigmoid", name: "g_image" })
      .apply(build(joined, config)) as tf.SymbolicTensor;
  const model = tf.model({
    inputs: [z, label, code1, code2],
    outputs: x,
    name: "generator",
  });
  initWeights(model, rng, config.init);
  return withLazyGradients(model);
}

/** Side of the first feature map; two stride-2 layers upsample it to 28. */
const RESIZE = IMAGE_SIZE / 4;

/** Applies a single-input layer to a symbolic tensor. */
export function applyLayer(l: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor {
  return l.apply(x) as tf.SymbolicTensor;
}

/** A BatchNorm layer with the config's ε and momentum. */
export function batchNorm(config: InfoGanConfig, name: string): tf.layers.Layer {
  return withFusedTraining(tf.layers.batchNormalization({
    epsilon: config.bnEpsilon,
    momentum: config.bnMomentum,
    name,
  }));
}

/** BatchNorm then ReLU, the generators' hidden-layer block. */
function bnRelu(x: tf.SymbolicTensor, name: string, config: InfoGanConfig): tf.SymbolicTensor {
  x = applyLayer(batchNorm(config, `g_bn${name}`), x);
  return applyLayer(tf.layers.activation({ activation: "relu", name: `g_relu${name}` }), x);
}

function bookBody(joined: tf.SymbolicTensor, config: InfoGanConfig): tf.SymbolicTensor {
  // The last block outputs the single grey channel, whatever the width.
  const filters = [128, 64, 32].map((f) => scaled(f, config.width)).concat(1);
  let x = applyLayer(
    tf.layers.dense({ units: RESIZE * RESIZE * filters[0], name: "g_dense" }),
    joined,
  );
  x = applyLayer(
    tf.layers.reshape({ targetShape: [RESIZE, RESIZE, filters[0]], name: "g_reshape" }),
    x,
  );
  filters.forEach((f, i) => {
    x = bnRelu(x, `${i + 1}`, config);
    x = applyLayer(
      tf.layers.conv2dTranspose({
        filters: f,
        kernelSize: 5,
        // Strides 2 for the two widest blocks upsample 7 → 28.
        strides: i < 2 ? 2 : 1,
        padding: "same",
        name: `g_deconv${i + 1}`,
      }),
      x,
    );
  });
  return x;
}

function paperBody(joined: tf.SymbolicTensor, config: InfoGanConfig): tf.SymbolicTensor {
  const width = config.width;
  const channels = scaled(128, width);
  let x = applyLayer(tf.layers.dense({ units: scaled(1024, width), name: "g_dense1" }), joined);
  x = bnRelu(x, "1", config);
  x = applyLayer(tf.layers.dense({ units: RESIZE * RESIZE * channels, name: "g_dense2" }), x);
  x = bnRelu(x, "2", config);
  x = applyLayer(
    tf.layers.reshape({ targetShape: [RESIZE, RESIZE, channels], name: "g_reshape" }),
    x,
  );
  const deconv = (filters: number, i: number) =>
    tf.layers.conv2dTranspose({
      filters,
      kernelSize: 4,
      strides: 2,
      padding: "same",
      name: `g_deconv${i}`,
    });
  x = bnRelu(applyLayer(deconv(scaled(64, width), 1), x), "3", config);
  return applyLayer(deconv(1, 2), x);
}
