/**
 * The categorical code, G side: digits generated with each category and
 * judged by the MNIST classifier, per category and over training.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { classifierFor, loadClassifier } from "./classifier_files.ts";
import { bestMapping, confusion, identityMapping } from "./assignment.ts";
import type { InfoGanConfig } from "../infogan/config.ts";
import { classify } from "./classifier.ts";
import type { LoadedModels } from "../io/checkpoint.ts";
import { Random } from "../infogan/random.ts";
import { predict } from "../infogan/sample.ts";
import { drawLatent } from "../infogan/latent.ts";
import type { TrainState } from "../infogan/state.ts";

/** Options for {@linkcode generatedAccuracy}. */
export interface GeneratedAccuracyOptions {
  /** The judge: an MNIST classifier with softmax output. */
  classifier: tf.LayersModel;
  /** category → the digit it should draw. */
  mapping: readonly number[];
  /** Generated digits per category. */
  perCategory: number;
  /** Source of the noise and continuous codes. */
  rng: Random;
}

/** Generated digits and what the classifier made of them. */
export interface JudgedDigits {
  /** The category each digit was drawn with. */
  categories: Uint8Array;
  /** The digit the classifier saw in each. */
  digits: Uint8Array;
}

/** Draws `perCategory` digits per category and classifies them. */
export async function judgeCategories(
  generator: tf.LayersModel,
  config: LoadedModels["config"],
  options: Omit<GeneratedAccuracyOptions, "mapping">,
): Promise<JudgedDigits> {
  const k = config.numLabels;
  const n = k * options.perCategory;
  const latent = drawLatent(options.rng, config, { n });
  for (let i = 0; i < n; i++) latent.labels[i] = i % k;
  const digits = await classify(options.classifier, await predict(generator, config, latent));
  return { categories: latent.labels, digits };
}

/** How many of G's digits the classifier saw as each digit, at one training step. */
export interface ClassCounts {
  step: number;
  /** counts[d]: generated digits judged to be d. */
  counts: number[];
}

/**
 * A training callback that judges `perCategory` fresh digits per category
 * (the same latents every time, from `seed`) at each sample step and
 * records how many the classifier sees as each digit: mode coverage over
 * training. Pass `onSample` to the training loop and read `history`.
 */
export function coverageRecorder(
  classifier: tf.LayersModel,
  options: { perCategory?: number; seed?: number } = {},
): Recorder<ClassCounts> {
  return recorder(async (state) => {
    const judged = await judgeCategories(state.generator, state.config, {
      classifier,
      perCategory: options.perCategory ?? 20,
      rng: new Random(options.seed ?? 0),
    });
    const counts = new Array<number>(10).fill(0);
    for (const d of judged.digits) counts[d]++;
    return { step: state.step, counts };
  });
}

/** A training callback (`onSample`) and what it recorded at each call (`history`). */
export interface Recorder<T> {
  history: T[];
  onSample: (state: TrainState) => Promise<void>;
}

/** A {@linkcode Recorder} that appends `measure(state)` to its history at each call. */
function recorder<T>(measure: (state: TrainState) => Promise<T>): Recorder<T> {
  const history: T[] = [];
  return { history, onSample: async (state) => void history.push(await measure(state)) };
}

/** Per category, the fraction of its digits judged as `mapping[category]`. */
export function categoryAccuracy(
  judged: JudgedDigits,
  mapping: readonly number[],
  k: number,
): number[] {
  const right = new Array<number>(k).fill(0);
  const total = new Array<number>(k).fill(0);
  judged.categories.forEach((c, i) => {
    total[c]++;
    if (judged.digits[i] === mapping[c]) right[c]++;
  });
  return right.map((r, c) => r / total[c]);
}

/**
 * The fraction of generated digits per category that the classifier labels
 * as `mapping[category]`: "does the label code draw the digit it asks for?"
 */
export async function generatedAccuracy(
  generator: tf.LayersModel,
  config: LoadedModels["config"],
  options: GeneratedAccuracyOptions,
): Promise<number[]> {
  const judged = await judgeCategories(generator, config, options);
  return categoryAccuracy(judged, options.mapping, config.numLabels);
}

/** What {@linkcode labelCodeAccuracy} measured. */
export interface LabelCodeAccuracy {
  /** Fraction of all generated digits the classifier labels as their category's digit. */
  accuracy: number;
  /** perDigit[d]: the same for the category that draws digit d, 0 first. */
  perDigit: number[];
  /** Digits generated per label code. */
  perLabel: number;
  /** category → the digit it is scored against. */
  mapping: number[];
  /**
   * "identity" for a run trained with real labels (category k should draw
   * digit k); "hungarian" for an unsupervised run, whose categories come in
   * any order: the one-to-one mapping that matches most digits of a separate
   * draw (seed + 1), so the digits scored are not the ones that chose it.
   */
  mappingFrom: "identity" | "hungarian";
}

/**
 * Does label code d draw digit d? Generates `perLabel` digits per label code
 * (noise and codes from the prior, seeded) and has the shipped MNIST
 * classifier judge them. An unsupervised run (`supervisedLabels: false`) is
 * scored under its best one-to-one mapping of categories to digits (see
 * {@linkcode LabelCodeAccuracy.mappingFrom}); it needs 10 categories.
 */
export async function labelCodeAccuracy(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { perLabel?: number; seed?: number; classifier?: tf.LayersModel } = {},
): Promise<LabelCodeAccuracy> {
  const k = config.numLabels;
  if (!config.supervisedLabels && k !== 10) {
    throw new RangeError(
      `labelCodeAccuracy: an unsupervised run is mapped one-to-one onto the 10 digits, so it needs numLabels 10, found ${k}`,
    );
  }
  const perLabel = options.perLabel ?? 50;
  const seed = options.seed ?? 1234;
  // The shipped classifier of the run's dataset, unless the caller passes one it has loaded (and keeps).
  const classifier = options.classifier ??
    (await loadClassifier(await classifierFor(config.data))).model;
  try {
    const judge = (s: number) =>
      judgeCategories(generator, config, { classifier, perCategory: perLabel, rng: new Random(s) });
    let mapping = identityMapping(k);
    if (!config.supervisedLabels) {
      const first = await judge(seed + 1);
      mapping = bestMapping(confusion(first.categories, first.digits, k)).mapping;
    }
    const perCategory = categoryAccuracy(await judge(seed), mapping, k);
    const perDigit = new Array<number>(k).fill(0);
    mapping.forEach((digit, category) => perDigit[digit] = perCategory[category]);
    const accuracy = perCategory.reduce((a, b) => a + b, 0) / k;
    return {
      accuracy,
      perDigit,
      perLabel,
      mapping,
      mappingFrom: config.supervisedLabels ? "identity" : "hungarian",
    };
  } finally {
    if (!options.classifier) classifier.dispose();
  }
}

/** The label code's accuracy at one training step, from {@linkcode accuracyRecorder}. */
export interface AccuracyPoint {
  step: number;
  /** {@linkcode LabelCodeAccuracy.accuracy} at that step. */
  accuracy: number;
  /** category → digit it was scored against (Hungarian for an unsupervised run). */
  mapping: number[];
}

/**
 * A training callback that runs {@linkcode labelCodeAccuracy} at each sample
 * step (the same seeded latents every time) and records it: how soon the
 * categories become digits. Pass `onSample` to the training loop and read
 * `history`; the caller keeps and disposes `classifier`.
 */
export function accuracyRecorder(
  classifier: tf.LayersModel,
  options: { perLabel?: number; seed?: number } = {},
): Recorder<AccuracyPoint> {
  return recorder(async (state) => {
    const { accuracy, mapping } = await labelCodeAccuracy(state.generator, state.config, {
      ...options,
      classifier,
    });
    return { step: state.step, accuracy, mapping };
  });
}
