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
import { buildDiscriminator, logitsView } from "./discriminator.ts";
import { buildGenerator, IMAGE_SIZE } from "./generator.ts";
import { type Dataset, drawBatch } from "../data/mnist.ts";
import {
  binaryCrossEntropyFromLogits,
  bookMiLoss,
  categoricalMiLossFromLogits,
  flooredLogStd,
  gaussianNll,
  miLowerBound,
} from "./losses.ts";
import { Optimizer } from "./optimizer.ts";
import { Random } from "./random.ts";

/** Everything a run needs to continue: models, optimizers, step and RNG. */
export interface TrainState {
  config: InfoGanConfig;
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  /** The same discriminator with logit outputs, used for the losses. */
  dLogits: tf.LayersModel;
  optD: Optimizer;
  optG: Optimizer;
  /** Steps completed. */
  step: number;
  /** Seconds spent training so far, across resumes. */
  elapsed: number;
  /** The run's single random source (noise, codes, data order). */
  rng: Random;
}

/** The trainable tf.Variables of a model, in its weight order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  // LayerVariable.read() returns the underlying tf.Variable.
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Builds fresh models and optimizers; weights come from `Random(config.seed)`. */
export function createState(config: InfoGanConfig): TrainState {
  const rng = new Random(config.seed);
  const generator = buildGenerator(config, rng);
  const discriminator = buildDiscriminator(config, rng);
  const common = { kind: config.optimizer, rho: config.rho, beta1: config.beta1 };
  return {
    config,
    generator,
    discriminator,
    dLogits: logitsView(discriminator),
    optD: new Optimizer(trainableVariables(discriminator), {
      ...common,
      lr: config.lrD,
      decay: config.decayD,
    }),
    optG: new Optimizer(trainableVariables(generator), {
      ...common,
      lr: config.lrG,
      decay: config.decayG,
    }),
    step: 0,
    elapsed: 0,
    rng,
  };
}

/** Frees the models' and optimizers' tensors. */
export function disposeState(state: TrainState): void {
  state.generator.dispose();
  state.discriminator.dispose();
  state.optD.dispose();
  state.optG.dispose();
}

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

function oneHot(labels: Uint8Array, k: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), k).toFloat() as tf.Tensor2D);
}

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
  dataset: Dataset,
): DiscriminatorInputs {
  const { config, rng } = state;
  const b = config.batchSize;
  const real = drawBatch(dataset, rng, { batchSize: b });
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
export function trainStep(state: TrainState, dataset: Dataset): tf.Tensor1D {
  const d = discriminatorStep(state, drawDiscriminatorInputs(state, dataset));
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

/** One line of `metrics.jsonl`. */
export interface Metrics {
  step: number;
  d_loss: number;
  d_bce: number;
  d_label: number;
  d_code1: number;
  d_code2: number;
  d_acc: number;
  /** Mean D(x) on the real batch (absent in runs logged before it was). */
  d_real: number;
  /** Mean D(G(z)) on the fake batch (absent in runs logged before it was). */
  d_fake: number;
  g_loss: number;
  g_bce: number;
  g_label: number;
  g_code1: number;
  g_code2: number;
  /** MI lower bound L_I = H(c) - CE of the label code on G's fresh fakes. */
  li: number;
  lr_d: number;
  lr_g: number;
  /** Seconds of training so far, across resumes. */
  elapsed: number;
}

/** Thrown when a loss becomes NaN or infinite; nothing is saved after it. */
export class NonFiniteLossError extends Error {
  override name = "NonFiniteLossError";
}

/** Progress reported after every step, without a host sync. */
export interface Progress {
  step: number;
  total: number;
  elapsed: number;
  /** The latest synced metrics, if any. */
  metrics: Metrics | null;
}

/** Hooks the loop calls; each may be async. */
export interface TrainCallbacks {
  onProgress?: (p: Progress) => void;
  onMetrics?: (m: Metrics) => void | Promise<void>;
  /** Called at step 0 of a fresh run and every `sampleEvery` steps. */
  onSample?: (state: TrainState) => void | Promise<void>;
  /** Called every `checkpointEvery` steps, at the end and on a stop. */
  onCheckpoint?: (state: TrainState) => void | Promise<void>;
  /** Polled after each step; true finishes the step, checkpoints and returns. */
  shouldStop?: () => boolean;
}

/**
 * Trains from `state.step` to `config.steps`. Metrics are synced (one
 * host read) on log steps and before every checkpoint, and checked for
 * NaN/Inf there, so a checkpoint is only written after finite losses.
 */
export async function train(
  state: TrainState,
  dataset: Dataset,
  callbacks: TrainCallbacks = {},
): Promise<void> {
  const { config } = state;
  if (state.step === 0) await callbacks.onSample?.(state);
  let metrics: Metrics | null = null;
  let lastYield = performance.now();
  while (state.step < config.steps) {
    const t0 = performance.now();
    const lrD = state.optD.currentLr();
    const lrG = state.optG.currentLr();
    const values = trainStep(state, dataset);
    const s = state.step;
    // A step is synchronous work; signal handlers (and a notebook kernel's
    // messages) only run when the loop yields. Yield at least every
    // YIELD_MS, so a stop request is seen after the step it arrived in, not
    // at the next log step.
    if (performance.now() - lastYield >= YIELD_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
    const stop = callbacks.shouldStop?.() ?? false;
    const checkpoint = s % config.checkpointEvery === 0 || s === config.steps || stop;
    if (s % config.logEvery === 0 || checkpoint) {
      // Async read: GPU backends cannot read back synchronously in Deno.
      const v = await values.data();
      state.elapsed += (performance.now() - t0) / 1000;
      metrics = toMetrics(v, { step: s, lrD, lrG, state });
    } else {
      state.elapsed += (performance.now() - t0) / 1000;
    }
    values.dispose();
    if (metrics && metrics.step === s) await callbacks.onMetrics?.(metrics);
    callbacks.onProgress?.({ step: s, total: config.steps, elapsed: state.elapsed, metrics });
    if (s % config.sampleEvery === 0) await callbacks.onSample?.(state);
    if (checkpoint) await callbacks.onCheckpoint?.(state);
    if (stop) return;
  }
}

/** Longest stretch of steps without yielding to the event loop, in ms. */
const YIELD_MS = 50;

function toMetrics(
  v: ArrayLike<number>,
  options: { step: number; lrD: number; lrG: number; state: TrainState },
): Metrics {
  const out: Record<string, number> = { step: options.step };
  METRIC_NAMES.forEach((name, i) => {
    if (!Number.isFinite(v[i])) {
      throw new NonFiniteLossError(
        `step ${options.step}: loss term ${name} is ${
          v[i]
        }; training stopped and the last checkpoint was kept`,
      );
    }
    out[name] = v[i];
  });
  out.li = miLowerBound(out.g_label, options.state.config.numLabels);
  out.lr_d = options.lrD;
  out.lr_g = options.lrG;
  out.elapsed = options.state.elapsed;
  return out as unknown as Metrics;
}
