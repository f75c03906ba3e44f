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
import { join } from "node:path";
import { readText } from "../io/fs.ts";
import { bestMapping, confusion } from "./assignment.ts";
import { classify } from "./classifier.ts";
import type { LoadedModels } from "../io/checkpoint.ts";
import { logitsView } from "../infogan/discriminator.ts";
import { IMAGE_SIZE } from "../infogan/generator.ts";
import { slant, spearman, strokeWidth } from "./measures.ts";
import type { Dataset } from "../data/mnist.ts";
import { categoricalEntropy } from "../infogan/losses.ts";
import { Random } from "../infogan/random.ts";
import { linspace, predict } from "../infogan/sample.ts";
import { drawLatent } from "../infogan/train.ts";
import type { Metrics, TrainState } from "../infogan/train.ts";

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
}

/** The defaults of {@linkcode evaluate}. */
export const EVALUATE_DEFAULTS: EvaluateOptions = {
  seed: 1234,
  perCategory: 200,
  sweeps: 200,
  sweepPoints: 9,
  range: [-2, 2],
  miSamples: 2000,
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
  /**
   * Q's categorical head on the MNIST test set, best mapping: with moving
   * averages (the headline), and with batch statistics (absent from
   * evaluations written before it was measured).
   */
  qTest: { accuracy: number; mapping: number[]; batchStatsAccuracy?: number } | null;
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
  const qLogits = discriminator && logitsView(discriminator);
  const rng = new Random(opts.seed);

  // Q side: the label head on real test images.
  let qTest: Evaluation["qTest"] = null;
  if (qLogits) {
    const testImages = Float32Array.from(data.test.images, (v) => v / 255);
    const score = async (batchStats: boolean) =>
      bestMapping(confusion(
        await classify(qLogits, testImages, { output: 1, batchStats }),
        data.test.labels,
        k,
      ));
    const q = await score(false);
    const batch = await score(true);
    qTest = { accuracy: q.accuracy, mapping: q.mapping, batchStatsAccuracy: batch.accuracy };
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
    : bestMapping(confusion(judged.digits, judged.categories, k)).mapping;
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

/**
 * A folder's `evaluation.json`, as `deno task export` writes it, or null when
 * the folder has none. A file that is not JSON is an error naming it.
 */
export async function readEvaluation(dir: string): Promise<Evaluation | null> {
  const path = join(dir, "evaluation.json");
  const text = await readText(path);
  if (text === null) return null;
  try {
    return JSON.parse(text) as Evaluation;
  } catch (e) {
    throw new Error(`${path}: expected JSON, found a parse error (${(e as Error).message})`);
  }
}

/** category k → digit k: the mapping of a run trained with real labels. */
export function identityMapping(k: number): number[] {
  return Array.from({ length: k }, (_, i) => i);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

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
interface JudgedDigits {
  /** The category each digit was drawn with. */
  categories: Uint8Array;
  /** The digit the classifier saw in each. */
  digits: Uint8Array;
}

/** Draws `perCategory` digits per category and classifies them. */
async function judgeCategories(
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
): { history: ClassCounts[]; onSample: (state: TrainState) => Promise<void> } {
  const history: ClassCounts[] = [];
  const onSample = async (state: TrainState) => {
    const judged = await judgeCategories(state.generator, state.config, {
      classifier,
      perCategory: options.perCategory ?? 20,
      rng: new Random(options.seed ?? 0),
    });
    const counts = new Array<number>(10).fill(0);
    for (const d of judged.digits) counts[d]++;
    history.push({ step: state.step, counts });
  };
  return { history, onSample };
}

/** Per category, the fraction of its digits judged as `mapping[category]`. */
function categoryAccuracy(judged: JudgedDigits, mapping: readonly number[], k: number): number[] {
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

/** Slant and stroke width of every image of a set of code sweeps. */
export interface CodeSweepMeasures {
  /** The swept code. */
  code: 1 | 2;
  /** The code values, one per column. */
  values: number[];
  /** The category of each sweep (row). */
  categories: number[];
  /** slant[row][column] in degrees. */
  slant: number[][];
  /** width[row][column] in pixels. */
  width: number[][];
}

/**
 * Sweeps `code` over `values` for `sweeps` rows (fresh z per row, the
 * categories in turn, the other code at 0) and measures every image.
 */
export async function measureCodeSweeps(
  generator: tf.LayersModel,
  config: LoadedModels["config"],
  options: { code: 1 | 2; values: number[]; sweeps: number; rng: Random },
): Promise<CodeSweepMeasures> {
  const { values, sweeps } = options;
  const cols = values.length;
  const base = drawLatent(options.rng, config, { n: sweeps });
  const size = config.latentSize;
  const n = sweeps * cols;
  const latent = {
    z: new Float32Array(n * size),
    labels: new Uint8Array(n),
    code1: new Float32Array(n),
    code2: new Float32Array(n),
  };
  const categories = Array.from({ length: sweeps }, (_, r) => r % config.numLabels);
  for (let r = 0; r < sweeps; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      latent.z.set(base.z.subarray(r * size, (r + 1) * size), i * size);
      latent.labels[i] = categories[r];
      (options.code === 1 ? latent.code1 : latent.code2)[i] = values[c];
    }
  }
  const images = await predict(generator, config, latent);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const image = (r: number, c: number) => {
    const i = r * cols + c;
    return images.subarray(i * pixels, (i + 1) * pixels);
  };
  const grid = (measure: (img: Float32Array) => number) =>
    categories.map((_, r) => values.map((_, c) => measure(image(r, c))));
  return {
    code: options.code,
    values,
    categories,
    slant: grid(slant),
    width: grid(strokeWidth),
  };
}

/**
 * The mean over sweeps of the Spearman ρ between the code and each measure.
 * Sweeps where a measure does not change are skipped for that measure.
 */
export function sweepCorrelation(m: CodeSweepMeasures): CodeCorrelation {
  const mean = (rows: number[][]) => {
    const rhos = rows.map((row) => spearman(m.values, row)).filter(Number.isFinite);
    return rhos.length ? rhos.reduce((a, b) => a + b, 0) / rhos.length : NaN;
  };
  return { slant: mean(m.slant), width: mean(m.width) };
}

/** One continuous code's role in a figure: which code, and which way it runs. */
export interface CodeRole {
  code: 1 | 2;
  /** Mean Spearman ρ between the code and the role's measure. */
  rho: number;
  /** +1 when the measure grows with the code, -1 when it shrinks. */
  sign: 1 | -1;
}

/**
 * Assigns the two continuous codes to the roles "slant" and "width" for the
 * paper's Figure 2 (c) and (d): the assignment with the larger total |ρ|
 * (a 2×2 Hungarian), each with the sign that makes its measure grow. An
 * entangled model still gets two roles; its ρ values show the entanglement.
 */
export function codeRoles(
  codes: { code1: CodeCorrelation; code2: CodeCorrelation },
): { slant: CodeRole; width: CodeRole } {
  const { code1, code2 } = codes;
  const straight = Math.abs(code1.slant) + Math.abs(code2.width);
  const crossed = Math.abs(code2.slant) + Math.abs(code1.width);
  const slantCode: 1 | 2 = straight >= crossed ? 1 : 2;
  const widthCode: 1 | 2 = slantCode === 1 ? 2 : 1;
  const role = (code: 1 | 2, measure: keyof CodeCorrelation): CodeRole => {
    const rho = (code === 1 ? code1 : code2)[measure];
    return { code, rho, sign: rho < 0 ? -1 : 1 };
  };
  return { slant: role(slantCode, "slant"), width: role(widthCode, "width") };
}

/** What a run's `metrics.jsonl` says about L_I over training. */
export interface MetricsSummary {
  /** Steps logged and the last step. */
  lines: number;
  lastStep: number;
  /** The first logged step with L_I ≥ 95% of H(c), or null. */
  li95Step: number | null;
  /** L_I at every logged step, for plotting against H(c). */
  li: { step: number; li: number }[];
  /** The last logged metrics line. */
  last: Metrics | null;
}

/** Summarises metrics lines (as `readMetrics` returns them). */
export function summarizeMetrics(metrics: Metrics[], numLabels: number): MetricsSummary {
  const target = 0.95 * categoricalEntropy(numLabels);
  const hit = metrics.find((m) => m.li >= target);
  return {
    lines: metrics.length,
    lastStep: metrics.at(-1)?.step ?? 0,
    li95Step: hit ? hit.step : null,
    li: metrics.map((m) => ({ step: m.step, li: m.li })),
    last: metrics.at(-1) ?? null,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const rho = (x: number) => (Number.isFinite(x) ? (x >= 0 ? " " : "") + x.toFixed(2) : "  n/a");

/** The evaluation as an aligned text table. */
export function formatEvaluation(e: Evaluation, options: { title?: string } = {}): string {
  const rows: [string, string][] = [
    [
      `label code: generated digits (classifier, ${e.generated.mappingFrom} mapping)`,
      pct(e.generated.accuracy),
    ],
    [
      "label code: Q's category on MNIST test images (Hungarian)",
      e.qTest ? pct(e.qTest.accuracy) : "— (no discriminator shipped)",
    ],
    ...(e.qTest?.batchStatsAccuracy === undefined ? [] : [[
      "  the same, BatchNorm with batch statistics (batches of 500)",
      pct(e.qTest.batchStatsAccuracy),
    ] as [string, string]]),
    ["classifier's own MNIST test accuracy", pct(e.classifierAccuracy)],
    e.mi
      ? [
        `L_I on ${e.mi.samples} fresh samples, of H(c) = ${e.mi.entropy.toFixed(3)}`,
        `${e.mi.li.toFixed(3)} (${pct(e.mi.fraction)})`,
      ]
      : ["L_I", "— (needs Q, in the discriminator)"],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const perCategory = e.generated.perCategory
    .map((a, i) => `${i}→${e.generated.mapping[i]} ${pct(a)}`);
  const title = options.title ??
    `${e.preset} (${e.architecture} networks, ${e.continuousLoss} code loss), step ${e.step}`;
  return [
    title,
    "",
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    `  per category (category→digit): ${perCategory.slice(0, 5).join("  ")}`,
    `                                 ${perCategory.slice(5).join("  ")}`,
    "",
    `  Spearman ρ, code vs measure (mean over ${e.codes.sweeps} sweeps of ${e.codes.values.length} values, ${
      e.codes.values[0]
    }..${e.codes.values.at(-1)})`,
    "           slant   width",
    `    c1     ${rho(e.codes.code1.slant)}   ${rho(e.codes.code1.width)}`,
    `    c2     ${rho(e.codes.code2.slant)}   ${rho(e.codes.code2.width)}`,
  ].join("\n");
}

/** One row of {@linkcode formatComparison}: a model's name and evaluation. */
export interface NamedEvaluation {
  name: string;
  evaluation: Evaluation;
}

/** Several evaluations side by side, one row per model. */
export function formatComparison(rows: readonly NamedEvaluation[]): string {
  const header = [
    "model",
    "step",
    "G label acc",
    "Q test acc",
    "c1 slant",
    "c1 width",
    "c2 slant",
    "c2 width",
    "L_I/H(c)",
  ];
  const body = rows.map(({ name, evaluation: e }) => [
    name,
    String(e.step),
    pct(e.generated.accuracy),
    e.qTest ? pct(e.qTest.accuracy) : "—",
    rho(e.codes.code1.slant).trim(),
    rho(e.codes.code1.width).trim(),
    rho(e.codes.code2.slant).trim(),
    rho(e.codes.code2.width).trim(),
    e.mi ? pct(e.mi.fraction) : "—",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
