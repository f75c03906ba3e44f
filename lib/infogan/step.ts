/**
 * The InfoGAN training steps. One exported function per step; each
 * names the variables it updates, because tfjs's `trainable = false` on the
 * discriminator would also freeze its own later updates (unlike Keras).
 *
 * Per step, as in the book's `train()`:
 *   1. D step: real images (with real labels and *random* codes, a book
 *      quirk) and fakes from G (in inference mode, unless `fakeBatchStats`)
 *      go through D, each batch in its own call; D and Q minimise
 *      bce + w_label·CE + w_code·(mi1 + mi2) (the info terms on the fakes
 *      only, unless `supervisedLabels`), plus, only when
 *      `consistencyWeight` > 0 (not the paper's method), that weight times
 *      −I between Q's categories of two shifted (and, with
 *      `consistencyShear` > 0, sheared) copies of the reals, or of each
 *      real and one such copy (`consistencyViews` 1).
 *   2. G step: fresh noise; G (training mode) minimises
 *      bce(D(G(z,c)) vs "real") + λ·(w_label·CE + w_code·(mi1 + mi2)),
 *      updating G's variables only. λ = 0 lets no MI gradient reach G while
 *      Q keeps learning in step 1: the baseline for comparisons.
 */
import * as tf from "@tensorflow/tfjs";
import type { InfoGanConfig } from "./config.ts";
import { concatOutputs, discriminate, type QOutputs, qRows } from "./discriminator.ts";
import { IMAGE_SIZE, sampleShape } from "./generator.ts";
import { drawCode, drawLatent, type LatentBatch, latentTensors, oneHot } from "./latent.ts";
import {
  binaryCrossEntropyFromLogits,
  bookMiLoss,
  categoricalMiLossFromLogits,
  consistencyLoss,
  flooredLogStd,
  gaussianNll,
} from "./losses.ts";
import type { Random } from "./random.ts";
import { augmentedViews } from "./augment.ts";
import { trainableVariables, type TrainState } from "./state.ts";
import { useActivationGradKernels } from "./activation_grads.ts";

// Every gradient below takes ReLU's, LeakyReLU's and the sigmoid's through
// the active backend's single kernel where it registers one.
useActivationGradKernels();

/** What the D step reports, in `metrics.jsonl` order. */
export const D_METRICS = [
  "d_loss",
  "d_bce",
  "d_label",
  "d_code1",
  "d_code2",
  "d_acc",
  "d_real",
  "d_fake",
  "d_consistency",
] as const;

/** What the G step reports, in `metrics.jsonl` order. */
export const G_METRICS = ["g_loss", "g_bce", "g_label", "g_code1", "g_code2"] as const;

/** Every value a training step reports: the D step's, then the G step's. */
export const METRIC_NAMES = [...D_METRICS, ...G_METRICS] as const;

/** One of {@linkcode METRIC_NAMES}. */
export type MetricName = typeof METRIC_NAMES[number];

/** A step's values as scalars on the device, by name (not synced; the caller disposes them). */
export type StepMetrics<N extends MetricName = MetricName> = Record<N, tf.Scalar>;

/** The targets Q should recover: the one-hot label code and the two continuous codes. */
interface CodeTargets {
  label: tf.Tensor;
  code1: tf.Tensor;
  code2: tf.Tensor;
}

/** The unweighted information terms: how well Q's outputs recover the codes. */
function infoTerms(
  config: InfoGanConfig,
  q: QOutputs,
  targets: CodeTargets,
): { label: tf.Scalar; code1: tf.Scalar; code2: tf.Scalar } {
  const codeLoss = (c: tf.Tensor, mean: tf.Tensor, logStd: tf.Tensor | undefined) => {
    // The book's loss on sigmoid heads; else a Gaussian NLL, with Q's own σ when it learns one.
    if (config.continuousLoss === "book") return bookMiLoss(c, mean);
    return gaussianNll(c, mean, config.learnedStd ? { logStd: flooredLogStd(logStd!) } : {});
  };
  return {
    label: categoricalMiLossFromLogits(targets.label, q.labelLogits),
    code1: codeLoss(targets.code1, q.code1, q.logStd1),
    code2: codeLoss(targets.code2, q.code2, q.logStd2),
  };
}

/** The weighted sum bce_weight·bce + λ·(label_weight·label + code_weight·(code1 + code2)). */
function weightedLoss(
  config: InfoGanConfig,
  bce: tf.Scalar,
  info: { label: tf.Scalar; code1: tf.Scalar; code2: tf.Scalar },
  lambda: number,
): tf.Scalar {
  return tf.addN([
    tf.mul(bce, config.bceWeight),
    tf.mul(info.label, lambda * config.labelWeight),
    tf.mul(info.code1, lambda * config.codeWeight),
    tf.mul(info.code2, lambda * config.codeWeight),
  ]) as tf.Scalar;
}

/** Keeps each of a step's scalars past its `tf.tidy`. */
function kept<N extends MetricName>(values: StepMetrics<N>): StepMetrics<N> {
  for (const t of Object.values(values) as tf.Scalar[]) tf.keep(t);
  return values;
}

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
  /** `consistencyViews` augmented copies of the real images, when the consistency term is on. */
  views?: Float32Array[];
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
  const inputs = { images: real.images, labels: real.labels, realCode1, realCode2, fake };
  // Drawn last, and only when used, so runs without the term draw as before.
  if (config.consistencyWeight === 0) return inputs;
  const options = {
    size: IMAGE_SIZE,
    maxShift: config.consistencyShift,
    maxShear: config.consistencyShear,
    views: config.consistencyViews,
  };
  return { ...inputs, views: augmentedViews(rng, real.images, options) };
}

/**
 * One discriminator (and Q) update on real images and fakes (one D call
 * each when D has BatchNorm, one call for both otherwise). Returns the
 * values of {@linkcode D_METRICS}: the loss terms, D's real/fake accuracy and
 * its mean probability on the reals and on the fakes (not synced).
 */
export function discriminatorStep(
  state: TrainState,
  inputs: DiscriminatorInputs,
): StepMetrics<typeof D_METRICS[number]> {
  const { config, generator, dLogits } = state;
  const b = inputs.labels.length;
  return tf.tidy(() => {
    const fakeInputs = latentTensors(inputs.fake, config);
    // The book's generator.predict uses BatchNorm's moving averages; the
    // paper's code draws the fakes with batch statistics.
    const fakeImages = generator.apply(fakeInputs, {
      training: config.fakeBatchStats,
    }) as tf.Tensor;
    const realImages = tf.tensor(inputs.images, [b, ...sampleShape(config)]);
    const y = tf.concat([tf.ones([b, 1]), tf.zeros([b, 1])]);
    const targets: CodeTargets = {
      label: tf.concat([oneHot(inputs.labels, config.numLabels), fakeInputs[1]]),
      code1: tf.concat([tf.tensor2d(inputs.realCode1, [b, 1]), fakeInputs[2]]),
      code2: tf.concat([tf.tensor2d(inputs.realCode2, [b, 1]), fakeInputs[3]]),
    };
    // Without real labels (the paper's unsupervised setup), Q learns from the fakes only.
    const qStart = config.supervisedLabels ? 0 : b;
    const qCount = 2 * b - qStart;
    const rows = (t: tf.Tensor) => t.slice([qStart, 0], [qCount, -1]);
    const views = inputs.views?.map((v) => tf.tensor4d(v, [b, IMAGE_SIZE, IMAGE_SIZE, 1]));
    let metrics!: StepMetrics<typeof D_METRICS[number]>;
    const vars = trainableVariables(state.discriminator);
    const { grads } = tf.variableGrads(() => {
      // With BatchNorm in D, real and fake batches go through D separately,
      // so each is normalised with its own statistics (as DCGAN and the
      // paper's code do). Without it (the book's D) the two are the same
      // maths, and one call on both batches halves the dispatches, as Keras
      // does with its single train_on_batch.
      const out = hasBatchNorm(state.discriminator)
        ? concatOutputs(
          discriminate(dLogits, realImages, { training: true }),
          discriminate(dLogits, fakeImages, { training: true }),
        )
        : discriminate(dLogits, tf.concat([realImages, fakeImages]), { training: true });
      // The mean over all 2b outputs; the authors' `sum` is mean(real) + mean(fake).
      const bce = tf.mul(
        binaryCrossEntropyFromLogits(y, out.realLogit),
        config.dBce === "sum" ? 2 : 1,
      ) as tf.Scalar;
      const info = infoTerms(config, qRows(out.q, qStart, qCount), {
        label: rows(targets.label),
        code1: rows(targets.code1),
        code2: rows(targets.code2),
      });
      // D's own loss always counts the info terms in full: λ only scales G's.
      let total = weightedLoss(config, bce, info, 1);
      // Not the paper's method: Q's category of two augmented copies should agree.
      let consistency = tf.scalar(0);
      if (views) {
        const logits = views.map((v) =>
          discriminate(dLogits, v, { training: true }).q.labelLogits as tf.Tensor2D
        );
        // One copy: the other side is the image itself, from the pass on the reals above.
        if (logits.length === 1) {
          logits.unshift(out.q.labelLogits.slice([0, 0], [b, -1]) as tf.Tensor2D);
        }
        consistency = consistencyLoss(logits[0], logits[1], {
          entropyWeight: config.consistencyEntropy,
        });
        total = tf.add(total, tf.mul(consistency, config.consistencyWeight));
      }
      // p > 0.5 exactly when the logit is positive.
      const acc = tf.mean(tf.equal(tf.greater(out.realLogit, 0).toFloat(), y).toFloat());
      // Mean D(x) on the reals and mean D(G(z)) on the fakes: the GAN's dynamics.
      const [pReal, pFake] = tf.split(tf.sigmoid(out.realLogit), 2).map((p) => tf.mean(p));
      metrics = kept({
        d_loss: total,
        d_bce: bce,
        d_label: info.label,
        d_code1: info.code1,
        d_code2: info.code2,
        d_acc: acc as tf.Scalar,
        d_real: pReal as tf.Scalar,
        d_fake: pFake as tf.Scalar,
        d_consistency: consistency,
      });
      return total;
    }, vars);
    state.optD.apply(vars.map((v) => grads[v.name]));
    return metrics;
  });
}

/** Whether any layer of `model` is a BatchNorm (then batches must not be mixed). */
function hasBatchNorm(model: tf.LayersModel): boolean {
  return model.layers.some((l) => l.getClassName() === "BatchNormalization");
}

/**
 * One generator update on fresh noise `fake`: fool D, and (scaled by λ) let
 * Q recover the codes. Only G's variables change. Returns the values of
 * {@linkcode G_METRICS} (not synced).
 */
export function generatorStep(
  state: TrainState,
  fake: LatentBatch,
): StepMetrics<typeof G_METRICS[number]> {
  const { config, generator, dLogits } = state;
  const n = fake.labels.length;
  return tf.tidy(() => {
    const inputs = latentTensors(fake, config);
    const y = tf.ones([n, 1]);
    let metrics!: StepMetrics<typeof G_METRICS[number]>;
    const vars = trainableVariables(generator);
    const { grads } = tf.variableGrads(() => {
      const images = generator.apply(inputs, { training: true }) as tf.Tensor;
      const out = discriminate(dLogits, images, { training: true });
      const bce = binaryCrossEntropyFromLogits(y, out.realLogit);
      const info = infoTerms(config, out.q, {
        label: inputs[1],
        code1: inputs[2],
        code2: inputs[3],
      });
      const total = weightedLoss(config, bce, info, config.lambda);
      metrics = kept({
        g_loss: total,
        g_bce: bce,
        g_label: info.label,
        g_code1: info.code1,
        g_code2: info.code2,
      });
      return total;
    }, vars);
    state.optG.apply(vars.map((v) => grads[v.name]));
    return metrics;
  });
}

/** One full step (D then G); returns the values of {@linkcode METRIC_NAMES} (not synced). */
export function trainStep(state: TrainState, sampleReal: SampleReal): StepMetrics {
  const d = discriminatorStep(state, drawDiscriminatorInputs(state, sampleReal));
  // Fresh noise for the generator step, as in the book.
  const g = generatorStep(
    state,
    drawLatent(state.rng, state.config, { n: state.config.batchSize }),
  );
  state.step += 1;
  return { ...d, ...g };
}

/**
 * Reads a step's values to the host in one sync (one stacked tensor) and
 * disposes them: the only host read a log step makes.
 */
export async function readStepMetrics<N extends MetricName>(
  values: StepMetrics<N>,
): Promise<Record<N, number>> {
  const names = METRIC_NAMES.filter((n) => n in values) as N[];
  const stacked = tf.stack(names.map((n) => values[n]));
  try {
    // Async read: GPU backends cannot read back synchronously in Deno.
    const data = await stacked.data();
    return Object.fromEntries(names.map((n, i) => [n, data[i]])) as Record<N, number>;
  } finally {
    stacked.dispose();
    disposeStepMetrics(values);
  }
}

/** Frees a step's values without reading them. */
export function disposeStepMetrics(values: Partial<StepMetrics>): void {
  tf.dispose(Object.values(values) as tf.Scalar[]);
}
