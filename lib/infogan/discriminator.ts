/**
 * The discriminators with their Q networks. A shared body, then four heads:
 *   real:  Dense(1) → sigmoid, the GAN's real/fake probability;
 *   Q:     a hidden layer `q_hidden` feeding
 *          label: Dense(10) → softmax, Q(c_discrete | x),
 *          code1, code2: Dense(1), sigmoid in the book, linear Gaussian means
 *          when `continuousLoss` is `gaussian`;
 *          code1_logstd, code2_logstd (with `learnedStd`): Dense(1), linear,
 *          the raw log σ of each code (the loss floors it, see
 *          `flooredLogStd`).
 * Bodies:
 *   book (Atienza, ch. 6): 4 × [LeakyReLU, Conv2D] with filters 32, 64,
 *     128, 256 (kernel 5, strides 2, 2, 2, 1, same) → Flatten; Q's hidden
 *     layer is Dense(128), linear;
 *   paper (Chen et al. 2016, appendix C, table 1): Conv2D(64, 4, stride 2) →
 *     LeakyReLU → Conv2D(128, 4, stride 2) → BN → LeakyReLU → Flatten →
 *     Dense(1024) → BN → LeakyReLU; Q's hidden layer is Dense(128) → BN →
 *     LeakyReLU.
 * The LeakyReLU slope is `leakySlope`: 0.2 in the book, 0.1 in the paper's
 * text, 0.01 in the authors' code.
 * Q shares the body with D, so the MI term costs almost nothing.
 */
import * as tf from "@tensorflow/tfjs";
import { type InfoGanConfig, scaled } from "./config.ts";
import { withLazyGradients } from "./lazy_gradients.ts";
import { applyLayer as layer, batchNorm, sampleShape } from "./generator.ts";
import { toyDiscriminatorBody } from "./toy_networks.ts";
import { initWeights } from "./init.ts";
import type { Random } from "./random.ts";

/** Output order of the discriminator; `learnedStd` appends the two log σ heads. */
export const D_OUTPUTS = ["real", "label", "code1", "code2"] as const;

/** Names of the log σ heads that `learnedStd` adds after {@linkcode D_OUTPUTS}. */
export const LOG_STD_OUTPUTS = ["code1_logstd", "code2_logstd"] as const;

/** Builds the discriminator with Q heads, weights drawn from `rng`. */
export function buildDiscriminator(
  config: InfoGanConfig,
  rng: Random,
): tf.LayersModel {
  const image = tf.input({ shape: sampleShape(config), name: "image" });
  const build = { book: bookBody, paper: paperBody, toy: toyDiscriminatorBody }[
    config.architecture
  ];
  const { features, hidden } = build(image, config);
  // Dense then a separate sigmoid, so training can use the logits (as Keras's
  // cross-entropy does internally) while the model still outputs probabilities.
  const realLogit = layer(tf.layers.dense({ units: 1, name: "real_logit" }), features);
  const real = layer(tf.layers.activation({ activation: "sigmoid", name: "real" }), realLogit);
  const labelLogits = layer(
    tf.layers.dense({ units: config.numLabels, name: "label_logits" }),
    hidden,
  );
  const label = layer(tf.layers.activation({ activation: "softmax", name: "label" }), labelLogits);
  const activation = config.continuousLoss === "gaussian" ? "linear" : "sigmoid";
  const codes = [1, 2].map((i) =>
    layer(tf.layers.dense({ units: 1, activation, name: `code${i}` }), hidden)
  );
  const logStds = config.learnedStd
    ? LOG_STD_OUTPUTS.map((name) => layer(tf.layers.dense({ units: 1, name }), hidden))
    : [];
  const model = tf.model({
    inputs: image,
    outputs: [real, label, ...codes, ...logStds],
    name: "discriminator",
  });
  initWeights(model, rng, config.init);
  return withLazyGradients(model);
}

/** D's shared features, and Q's hidden layer on top of them. */
interface Body {
  features: tf.SymbolicTensor;
  hidden: tf.SymbolicTensor;
}

function bookBody(image: tf.SymbolicTensor, config: InfoGanConfig): Body {
  const filters = [32, 64, 128, 256].map((f) => scaled(f, config.width));
  let x = image;
  filters.forEach((f, i) => {
    x = layer(tf.layers.leakyReLU({ alpha: config.leakySlope, name: `d_lrelu${i + 1}` }), x);
    x = layer(
      tf.layers.conv2d({
        filters: f,
        kernelSize: 5,
        // The last block keeps the 4×4 resolution.
        strides: i === filters.length - 1 ? 1 : 2,
        padding: "same",
        name: `d_conv${i + 1}`,
      }),
      x,
    );
  });
  const features = layer(tf.layers.flatten({ name: "d_flatten" }), x);
  // The book sizes Q's hidden layer as the second-to-last filter count.
  const hidden = layer(tf.layers.dense({ units: filters[2], name: "q_hidden" }), features);
  return { features, hidden };
}

function paperBody(image: tf.SymbolicTensor, config: InfoGanConfig): Body {
  const width = config.width;
  const lrelu = (x: tf.SymbolicTensor, name: string) =>
    layer(tf.layers.leakyReLU({ alpha: config.leakySlope, name }), x);
  const bn = (x: tf.SymbolicTensor, name: string) => layer(batchNorm(config, name), x);
  const conv = (filters: number, i: number) =>
    tf.layers.conv2d({
      filters: scaled(filters, width),
      kernelSize: 4,
      strides: 2,
      padding: "same",
      name: `d_conv${i}`,
    });
  let x = lrelu(layer(conv(64, 1), image), "d_lrelu1");
  x = lrelu(bn(layer(conv(128, 2), x), "d_bn2"), "d_lrelu2");
  x = layer(tf.layers.flatten({ name: "d_flatten" }), x);
  x = layer(tf.layers.dense({ units: scaled(1024, width), name: "d_dense" }), x);
  const features = lrelu(bn(x, "d_bn3"), "d_lrelu3");
  let hidden = layer(tf.layers.dense({ units: scaled(128, width), name: "q_hidden" }), features);
  hidden = lrelu(bn(hidden, "q_bn"), "q_lrelu");
  return { features, hidden };
}

/**
 * A view of `discriminator` (sharing its layers and weights) whose outputs are
 * [real logit, label logits, code1, code2] and, with a learned σ, the two raw
 * log σ: the cross-entropies are computed
 * from logits, as Keras does for sigmoid and softmax outputs, so they stay
 * exact and keep their gradients when D saturates.
 */
export function logitsView(discriminator: tf.LayersModel): tf.LayersModel {
  const out = (name: string) => discriminator.getLayer(name).output as tf.SymbolicTensor;
  const logStds = discriminator.outputs.length > D_OUTPUTS.length ? LOG_STD_OUTPUTS.map(out) : [];
  return tf.model({
    inputs: discriminator.inputs,
    outputs: [out("real_logit"), out("label_logits"), out("code1"), out("code2"), ...logStds],
    name: "discriminator_logits",
  });
}

/**
 * Q's outputs for a batch: the label code's logits, each continuous code's
 * estimate (a Gaussian mean, or the book's sigmoid), and with a learned σ
 * the raw log σ of each code.
 */
export interface QOutputs {
  labelLogits: tf.Tensor;
  code1: tf.Tensor;
  code2: tf.Tensor;
  logStd1?: tf.Tensor;
  logStd2?: tf.Tensor;
}

/** What D and Q say about a batch: D's real/fake logit and Q's outputs. */
export interface DiscriminatorOutputs {
  realLogit: tf.Tensor;
  q: QOutputs;
}

/**
 * Runs the logits view of D (from {@linkcode logitsView}) on `images` and
 * names its outputs: D's real/fake logit, and Q.
 */
export function discriminate(
  dLogits: tf.LayersModel,
  images: tf.Tensor,
  options: { training: boolean },
): DiscriminatorOutputs {
  const [realLogit, labelLogits, code1, code2, logStd1, logStd2] = dLogits.apply(images, {
    training: options.training,
  }) as tf.Tensor[];
  return { realLogit, q: { labelLogits, code1, code2, logStd1, logStd2 } };
}

/** Q's outputs with `f` applied to each tensor (log σ only when present). */
function mapQ(q: QOutputs, f: (t: tf.Tensor, i: number) => tf.Tensor): QOutputs {
  return {
    labelLogits: f(q.labelLogits, 0),
    code1: f(q.code1, 1),
    code2: f(q.code2, 2),
    logStd1: q.logStd1 && f(q.logStd1, 3),
    logStd2: q.logStd2 && f(q.logStd2, 4),
  };
}

/** The outputs of two batches (reals, then fakes) as one, in that order. */
export function concatOutputs(
  a: DiscriminatorOutputs,
  b: DiscriminatorOutputs,
): DiscriminatorOutputs {
  const bq = [b.q.labelLogits, b.q.code1, b.q.code2, b.q.logStd1, b.q.logStd2];
  return {
    realLogit: tf.concat([a.realLogit, b.realLogit]),
    q: mapQ(a.q, (t, i) => tf.concat([t, bq[i]!])),
  };
}

/** Q's outputs for rows `start .. start + n` of the batch. */
export function qRows(q: QOutputs, start: number, n: number): QOutputs {
  return mapQ(q, (t) => t.slice([start, 0], [n, -1]));
}
