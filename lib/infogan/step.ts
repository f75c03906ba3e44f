/**
 * The InfoGAN training steps and loop. One exported function per step; each
 * names the variables it updates, because tfjs's `trainable = false` on the
 * discriminator would also freeze its own later updates (unlike Keras).
 *
 * Per step, as in the book's `train()`:
 *   1. D step: real images (with real labels and *random* codes, a book
 *      quirk) and fakes from G (in inference mode, unless `fakeBatchStats`)
 *      go through D, each batch in its own call; D and Q minimise
 *      bce + w_label·CE + w_code·(mi1 + mi2) (the info terms on the fakes
 *      only, unless `supervisedLabels`).
 *   2. G step: fresh noise; G (training mode) minimises
 *      bce(D(G(z,c)) vs "real") + λ·(w_label·CE + w_code·(mi1 + mi2)),
 *      updating G's variables only. λ = 0 lets no MI gradient reach G while
 *      Q keeps learning in step 1: the baseline for comparisons.
 */
import * as tf from "@tensorflow/tfjs";
import type { InfoGanConfig } from "./config.ts";
import { IMAGE_SIZE } from "./generator.ts";
import { drawCode, drawLatent, type LatentBatch, latentTensors, oneHot } from "./latent.ts";
import {
  binaryCrossEntropyFromLogits,
  bookMiLoss,
  categoricalMiLossFromLogits,
  flooredLogStd,
  gaussianNll,
} from "./losses.ts";
import type { Random } from "./random.ts";
import { trainableVariables, type TrainState } from "./state.ts";

/**
 * The unweighted information terms from Q's outputs [label logits, code1,
 * code2, and with a learned σ the raw log σ of each code] and the targets
 * [one-hot label, c1, c2].
 */
function infoTerms(
  config: InfoGanConfig,
  outputs: tf.Tensor[],
  targets: tf.Tensor[],
): { label: tf.Scalar; code1: tf.Scalar; code2: tf.Scalar } {
  const [labelLogits, q1, q2, s1, s2] = outputs;
  const [label, c1, c2] = targets;
  const codeLoss = (c: tf.Tensor, q: tf.Tensor, s: tf.Tensor | undefined) => {
    if (config.continuousLoss === "book") return bookMiLoss(c, q);
    return gaussianNll(c, q, config.learnedStd ? { logStd: flooredLogStd(s!) } : {});
  };
  return {
    label: categoricalMiLossFromLogits(label, labelLogits),
    code1: codeLoss(c1, q1, s1),
    code2: codeLoss(c2, q2, s2),
  };
}

/** Names of the values in the tensor {@linkcode trainStep} returns. */
export const METRIC_NAMES = [
  "d_loss",
  "d_bce",
  "d_label",
  "d_code1",
  "d_code2",
  "d_acc",
  "d_real",
  "d_fake",
  "g_loss",
  "g_bce",
  "g_label",
  "g_code1",
  "g_code2",
] as const;

/** How many of {@linkcode METRIC_NAMES} the D step returns; the G step returns the rest. */
export const D_METRIC_COUNT = 8;

/** Real images drawn for a D step: pixels in [0, 1], image by image, and their labels. */
export interface RealBatch {
  images: Float32Array;
  labels: Uint8Array;
}

/**
 * Where a run's real images come from: `n` examples drawn with `rng`. The
 * loop knows nothing of files; `data/mnist.ts` makes one from a dataset.
 */
export type SampleReal = (rng: Random, n: number) => RealBatch;

/** Everything one D step consumes, drawn on the host. */
export interface DiscriminatorInputs {
  /** Real images in [0, 1], batch·28·28. */
  images: Float32Array;
  /** Their real labels (used only when `supervisedLabels`). */
  labels: Uint8Array;
  /** Random codes paired with the real images (the book's quirk). */
  realCode1: Float32Array;
  realCode2: Float32Array;
  /** Generator inputs for the fakes. */
  fake: LatentBatch;
}

/** Draws a D step's inputs from the run's random source, in a fixed order. */
export function drawDiscriminatorInputs(
  state: TrainState,
  sampleReal: SampleReal,
): DiscriminatorInputs {
  const { config, rng } = state;
  const b = config.batchSize;
  const real = sampleReal(rng, b);
  const realCode1 = rng.fill(b, (r) => drawCode(r, config));
  const realCode2 = rng.fill(b, (r) => drawCode(r, config));
  const fake = drawLatent(rng, config, { n: b });
  return { images: real.images, labels: real.labels, realCode1, realCode2, fake };
}

/**
 * One discriminator (and Q) update on real images and fakes (one D call
 * each when D has BatchNorm, one call for both otherwise). Returns the loss
 * terms, D's real/fake accuracy and its mean probability on the reals and
 * on the fakes, as the first {@linkcode D_METRIC_COUNT} values of
 * {@linkcode METRIC_NAMES} (not synced).
 */
export function discriminatorStep(
  state: TrainState,
  inputs: DiscriminatorInputs,
): tf.Tensor1D {
  const { config, generator, dLogits } = state;
  const b = inputs.labels.length;
  return tf.tidy(() => {
    const fakeInputs = latentTensors(inputs.fake, config);
    // The book's generator.predict uses BatchNorm's moving averages; the
    // paper's code draws the fakes with batch statistics.
    const fakeImages = generator.apply(fakeInputs, {
      training: config.fakeBatchStats,
    }) as tf.Tensor;
    const realImages = tf.tensor4d(inputs.images, [b, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const y = tf.concat([tf.ones([b, 1]), tf.zeros([b, 1])]);
    const labels = tf.concat([oneHot(inputs.labels, config.numLabels), fakeInputs[1]]);
    const c1 = tf.concat([tf.tensor2d(inputs.realCode1, [b, 1]), fakeInputs[2]]);
    const c2 = tf.concat([tf.tensor2d(inputs.realCode2, [b, 1]), fakeInputs[3]]);
    // Without real labels, Q is trained on the fakes only.
    const qRows = config.supervisedLabels ? 2 * b : b;
    const qStart = 2 * b - qRows;
    const rows = (t: tf.Tensor) => t.slice([qStart, 0], [qRows, -1]);
    let stats!: tf.Tensor1D;
    const vars = trainableVariables(state.discriminator);
    const { grads } = tf.variableGrads(() => {
      // With BatchNorm in D, real and fake batches go through D separately,
      // so each is normalised with its own statistics (as DCGAN and the
      // paper's code do). Without it (the book's D) the two are the same
      // maths, and one call on both batches halves the dispatches, as Keras
      // does with its single train_on_batch.
      let out: tf.Tensor[];
      if (hasBatchNorm(state.discriminator)) {
        const real = dLogits.apply(realImages, { training: true }) as tf.Tensor[];
        const fake = dLogits.apply(fakeImages, { training: true }) as tf.Tensor[];
        out = real.map((r, i) => tf.concat([r, fake[i]]));
      } else {
        out = dLogits.apply(tf.concat([realImages, fakeImages]), { training: true }) as tf.Tensor[];
      }
      // The mean over all 2b outputs; `sum` is mean(real) + mean(fake).
      const bce = tf.mul(
        binaryCrossEntropyFromLogits(y, out[0]),
        config.dBce === "sum" ? 2 : 1,
      ) as tf.Scalar;
      const info = infoTerms(
        config,
        out.slice(1).map(rows),
        [rows(labels), rows(c1), rows(c2)],
      );
      const total = tf.addN([
        tf.mul(bce, config.bceWeight),
        tf.mul(info.label, config.labelWeight),
        tf.mul(info.code1, config.codeWeight),
        tf.mul(info.code2, config.codeWeight),
      ]) as tf.Scalar;
      // p > 0.5 exactly when the logit is positive.
      const acc = tf.mean(tf.equal(tf.greater(out[0], 0).toFloat(), y).toFloat());
      // Mean D(x) on the reals and mean D(G(z)) on the fakes: the GAN's dynamics.
      const [pReal, pFake] = tf.split(tf.sigmoid(out[0]), 2).map((p) => tf.mean(p));
      stats = tf.keep(
        tf.stack([total, bce, info.label, info.code1, info.code2, acc, pReal, pFake]),
      ) as tf.Tensor1D;
      return total;
    }, vars);
    state.optD.apply(vars.map((v) => grads[v.name]));
    return stats;
  });
}

/** Whether any layer of `model` is a BatchNorm (then batches must not be mixed). */
function hasBatchNorm(model: tf.LayersModel): boolean {
  return model.layers.some((l) => l.getClassName() === "BatchNormalization");
}

/**
 * One generator update on fresh noise `fake`: fool D, and (scaled by λ) let
 * Q recover the codes. Only G's variables change. Returns a 5-vector of loss
 * terms (not synced).
 */
export function generatorStep(state: TrainState, fake: LatentBatch): tf.Tensor1D {
  const { config, generator, dLogits } = state;
  const n = fake.labels.length;
  return tf.tidy(() => {
    const inputs = latentTensors(fake, config);
    const y = tf.ones([n, 1]);
    let stats!: tf.Tensor1D;
    const vars = trainableVariables(generator);
    const { grads } = tf.variableGrads(() => {
      const images = generator.apply(inputs, { training: true }) as tf.Tensor;
      const out = dLogits.apply(images, { training: true }) as tf.Tensor[];
      const bce = binaryCrossEntropyFromLogits(y, out[0]);
      const info = infoTerms(config, out.slice(1), inputs.slice(1));
      const w = config.lambda;
      const total = tf.addN([
        tf.mul(bce, config.bceWeight),
        tf.mul(info.label, w * config.labelWeight),
        tf.mul(info.code1, w * config.codeWeight),
        tf.mul(info.code2, w * config.codeWeight),
      ]) as tf.Scalar;
      stats = tf.keep(tf.stack([total, bce, info.label, info.code1, info.code2])) as tf.Tensor1D;
      return total;
    }, vars);
    state.optG.apply(vars.map((v) => grads[v.name]));
    return stats;
  });
}

/** One full step (D then G); returns the values of {@linkcode METRIC_NAMES}. */
export function trainStep(state: TrainState, sampleReal: SampleReal): tf.Tensor1D {
  const d = discriminatorStep(state, drawDiscriminatorInputs(state, sampleReal));
  // Fresh noise for the generator step, as in the book.
  const g = generatorStep(
    state,
    drawLatent(state.rng, state.config, { n: state.config.batchSize }),
  );
  state.step += 1;
  const out = tf.concat([d, g]) as tf.Tensor1D;
  tf.dispose([d, g]);
  return out;
}
