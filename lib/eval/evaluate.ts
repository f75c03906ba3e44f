/**
 * Measured disentanglement: what `deno task evaluate` reports for a
 * checkpoint.
 *
 * - Categorical code, Q side: Q's label head on the 10 000 MNIST test images,
 *   scored under the best one-to-one mapping of categories to digits
 *   (Hungarian). This is the paper's number (about 95%). The headline runs D
 *   as `predict` does, with BatchNorm's moving averages; those averages were
 *   updated by real and fake batches alike, so the accuracy with batch
 *   statistics (batches of 500 test images, as the authors' code always
 *   normalises) is reported beside it.
 * - Categorical code, G side: digits generated with each category, labelled
 *   by the shipped classifier. A supervised run (the book) must draw digit k
 *   for category k (identity mapping); an unsupervised one is scored under
 *   the mapping found on the Q side.
 * - Continuous codes: each code swept over -2..2 with z, the category and the
 *   other code fixed; per sweep, the Spearman ρ between the code and the
 *   image's slant and stroke width (see `measures.ts`), averaged over sweeps.
 *   A disentangled pair has one high |ρ| and one low per code.
 * - MI lower bound: L_I = H(c) - CE of Q's label head on fresh samples,
 *   against H(c) = ln 10.
 */
import * as tf from "@tensorflow/tfjs";
import {
  confusion,
  identityMapping,
  nameCategories,
  namingRule,
  perClassRecall,
} from "./assignment.ts";
import { type FewLabelAccuracy, fewLabelAccuracy } from "./few_labels.ts";
import { classify } from "./classifier.ts";
import type { LoadedModels } from "../io/checkpoint.ts";
import { logitsView } from "../infogan/discriminator.ts";
import { IMAGE_SIZE } from "../infogan/generator.ts";
import type { Dataset } from "../data/mnist.ts";
import { categoricalEntropy } from "../infogan/losses.ts";
import { Random } from "../infogan/random.ts";
import { linspace, predict } from "../infogan/sample.ts";
import { drawLatent } from "../infogan/latent.ts";
import { categoryAccuracy, judgeCategories } from "./generated.ts";
import { measureCodeSweeps, sweepCorrelation } from "./code_sweeps.ts";

/** Settings of an evaluation; the defaults are what docs/results.md reports. */
export interface EvaluateOptions {
  /** Seed of every latent drawn. */
  seed: number;
  /** Generated digits per category for the G-side accuracy. */
  perCategory: number;
  /** Sweeps per code (z and category fixed along each). */
  sweeps: number;
  /** Code values per sweep, evenly spaced over `range`. */
  sweepPoints: number;
  /** The swept interval of each continuous code. */
  range: [number, number];
  /** Fresh samples for L_I. */
  miSamples: number;
  /** Labelled test images per digit that name the categories in `fewLabels`. */
  fewLabelsPerDigit: number;
  /** Draws of that labelled set. */
  fewLabelDraws: number;
}

/** The classes a category code is scored against: MNIST's digits. */
const DIGITS = 10;

/** The defaults of {@linkcode evaluate}. */
export const EVALUATE_DEFAULTS: EvaluateOptions = {
  seed: 1234,
  perCategory: 200,
  sweeps: 200,
  sweepPoints: 9,
  range: [-2, 2],
  miSamples: 2000,
  fewLabelsPerDigit: 10,
  fewLabelDraws: 20,
};

/** Mean per-sweep Spearman ρ between one code and each measure. */
export interface CodeCorrelation {
  slant: number;
  width: number;
}

/** Everything `deno task evaluate` prints, as its JSON. */
export interface Evaluation {
  step: number;
  preset: string;
  architecture: string;
  continuousLoss: string;
  supervisedLabels: boolean;
  /** The dataset's folder (`config.data`); absent for MNIST. */
  data?: string;
  /**
   * Q's categorical head on the MNIST test set, best mapping: with moving
   * averages (the headline), and with batch statistics (absent from
   * evaluations written before it was measured).
   */
  qTest: {
    /**
     * `majority` when there are more or fewer categories than digits (each
     * named by the digit most of its test images show; with more, it scores
     * at least the Hungarian accuracy, and with fewer, the digits no category
     * is named after count as wrong); absent for the one-to-one Hungarian
     * naming.
     */
    naming?: "majority";
    accuracy: number;
    mapping: number[];
    batchStatsAccuracy?: number;
    /** Test images per category and true digit: `confusion[category][digit]`. */
    confusion?: number[][];
    /** Share of each digit's test images whose category maps to it. */
    perDigit?: number[];
    /** Categories named from 10 labelled test images per digit instead. */
    fewLabels?: FewLabelAccuracy;
  } | null;
  /** Generated digits judged by the classifier. */
  generated: {
    accuracy: number;
    /** category → digit used for scoring. */
    mapping: number[];
    /**
     * `identity` for supervised labels, else the Q-side Hungarian mapping;
     * without D, the Hungarian mapping of the generated digits themselves.
     */
    mappingFrom: "identity" | "q-test" | "generated";
    /** Accuracy of each category. */
    perCategory: number[];
    samples: number;
  };
  /** Test accuracy of the classifier that judged the generated digits. */
  classifierAccuracy: number;
  codes: { code1: CodeCorrelation; code2: CodeCorrelation; sweeps: number; values: number[] };
  /** Absent (null) without D, whose Q it needs. */
  mi: { li: number; entropy: number; fraction: number; samples: number } | null;
}

/**
 * Evaluates `models` on the MNIST `test` split, judging generated digits
 * with `classifier`. Without a discriminator (a generator-only export, such
 * as a λ = 0 baseline) the Q side and L_I are null, and an unsupervised
 * run's categories are scored under their own best mapping.
 */
export async function evaluate(
  models: LoadedModels,
  data: { test: Dataset; classifier: tf.LayersModel; classifierAccuracy: number },
  options: Partial<EvaluateOptions> = {},
): Promise<Evaluation> {
  const opts = { ...EVALUATE_DEFAULTS, ...options };
  const { config, generator, discriminator } = models;
  const k = config.numLabels;
  // Cat(10) is named one-to-one after the digits; any other count by majority.
  const naming = namingRule(k, DIGITS);
  const qLogits = discriminator && logitsView(discriminator);
  const rng = new Random(opts.seed);

  // Q side: the label head on real test images.
  let qTest: Evaluation["qTest"] = null;
  if (qLogits) {
    const testImages = Float32Array.from(data.test.images, (v) => v / 255);
    const q = await classify(qLogits, testImages, { output: 1 });
    const counts = confusion(q, data.test.labels, k, DIGITS);
    const best = nameCategories(counts, naming);
    const batch = nameCategories(
      confusion(
        await classify(qLogits, testImages, { output: 1, batchStats: true }),
        data.test.labels,
        k,
        DIGITS,
      ),
      naming,
    );
    qTest = {
      ...(naming === "majority" && { naming }),
      accuracy: best.accuracy,
      mapping: best.mapping,
      batchStatsAccuracy: batch.accuracy,
      confusion: counts,
      perDigit: perClassRecall(counts, best.mapping),
      fewLabels: fewLabelAccuracy(q, data.test.labels, {
        k,
        classes: DIGITS,
        rule: naming,
        perClass: opts.fewLabelsPerDigit,
        draws: opts.fewLabelDraws,
        rng: new Random(opts.seed),
      }),
    };
  }

  // G side: generated digits per category, judged by the classifier.
  const mappingFrom = config.supervisedLabels ? "identity" : qTest ? "q-test" : "generated";
  const judged = await judgeCategories(generator, config, {
    classifier: data.classifier,
    perCategory: opts.perCategory,
    rng,
  });
  const mapping = mappingFrom === "identity"
    ? identityMapping(k)
    : qTest
    ? qTest.mapping
    : nameCategories(confusion(judged.categories, judged.digits, k, DIGITS), naming).mapping;
  const perCategory = categoryAccuracy(judged, mapping, k);

  // MI lower bound on fresh samples from the prior.
  let mi: Evaluation["mi"] = null;
  const entropy = categoricalEntropy(k);
  if (qLogits) {
    const fresh = drawLatent(rng, config, { n: opts.miSamples });
    const ce = await labelCrossEntropy(
      qLogits,
      await predict(generator, config, fresh),
      fresh.labels,
    );
    mi = { li: entropy - ce, entropy, fraction: (entropy - ce) / entropy, samples: opts.miSamples };
  }

  const values = linspace(opts.range[0], opts.range[1], opts.sweepPoints);
  const sweeps = { values, sweeps: opts.sweeps, rng };
  const code1 = sweepCorrelation(
    await measureCodeSweeps(generator, config, { ...sweeps, code: 1 }),
  );
  const code2 = sweepCorrelation(
    await measureCodeSweeps(generator, config, { ...sweeps, code: 2 }),
  );
  return {
    step: models.step,
    preset: config.preset,
    architecture: config.architecture,
    continuousLoss: config.continuousLoss,
    supervisedLabels: config.supervisedLabels,
    ...(config.data !== "" && { data: config.data }),
    qTest,
    generated: {
      accuracy: mean(perCategory),
      mapping,
      mappingFrom,
      perCategory,
      samples: k * opts.perCategory,
    },
    classifierAccuracy: data.classifierAccuracy,
    codes: { code1, code2, sweeps: opts.sweeps, values },
    mi,
  };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Mean -log Q(c|x) of the label head for images made with labels `c`. */
async function labelCrossEntropy(
  qLogits: tf.LayersModel,
  images: Float32Array,
  labels: Uint8Array,
): Promise<number> {
  const n = labels.length;
  const k = (qLogits.outputs[1].shape as number[])[1];
  const ce = tf.tidy(() => {
    const x = tf.tensor4d(images, [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const logp = tf.logSoftmax((qLogits.predict(x, { batchSize: 500 }) as tf.Tensor[])[1]);
    const onehot = tf.oneHot(tf.tensor1d(labels, "int32"), k);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), -1)));
  });
  try {
    return (await ce.data())[0];
  } finally {
    ce.dispose();
  }
}
