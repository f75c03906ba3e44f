/**
 * The typed training configuration: every knob of a run, with why it exists.
 * Its presets are in `presets.ts`; its field table (types, ranges, help) and
 * the override rules (flag > `INFOGAN_<FIELD>` variable > preset) are in
 * `config_schema.ts`.
 *
 * @module
 */

/** Names of the built-in presets. */
export type PresetName = "book" | "quick" | "paper" | "lesson" | "lesson-unsupervised" | "toy";
/**
 * Network layout: the book's, the paper's appendix C table 1, or the toy's
 * small MLPs on 2-D points (`toy_networks.ts`).
 */
export type Architecture = "book" | "paper" | "toy";
/** Continuous-code loss: the book's `-c·log q`, or a Gaussian NLL. */
export type ContinuousLoss = "book" | "gaussian";
/** Prior of the continuous codes. */
export type CodeDistribution = "normal" | "uniform";
/** Optimizer family. */
export type OptimizerName = "rmsprop" | "adam";
/** D's real/fake loss: the mean of its 2b outputs, or mean(real) + mean(fake). */
export type DiscriminatorBce = "mean" | "sum";
/** Weight initialisation: Keras's defaults, or the paper code's N(0, 0.02). */
export type InitScheme = "glorot" | "normal";
/** Compute backend; `auto` picks the fastest one that works. */
export type BackendName = "auto" | "cpu" | "wasm" | "tensorflow" | "webgpu";

/** Every knob of a training run. Each line says why the field exists. */
export interface InfoGanConfig {
  /** Which preset the values started from, so runs are self-describing. */
  preset: PresetName;
  /** One seed for the weights, noise and data order: equal seeds, equal runs. */
  seed: number;
  /** Total training steps (one D update and one G update each). */
  steps: number;
  /** Real images per step; D sees this many real plus as many fakes. */
  batchSize: number;
  /** Size of the incompressible noise z; 62 as in the paper and the book's script. */
  latentSize: number;
  /** Categories of the discrete code: the ten MNIST digits. */
  numLabels: number;
  /** Prior of the two continuous codes: the book draws N(0, codeStd). */
  codeDist: CodeDistribution;
  /** Standard deviation of the continuous codes under the normal prior. */
  codeStd: number;
  /** Multiplier on every layer's filters: 1 is the book, smaller trains faster. */
  width: number;
  /** Which generator and discriminator layout to build. */
  architecture: Architecture;
  /** Pair real images with their real labels in the label head (book: semi-supervised). */
  supervisedLabels: boolean;
  /**
   * D's fakes come from G in training mode (batch statistics), as in the
   * paper's code; the book calls `generator.predict` (moving averages).
   */
  fakeBatchStats: boolean;
  /** Loss of the continuous Q heads; `gaussian` also makes those heads linear. */
  continuousLoss: ContinuousLoss;
  /**
   * Q's continuous heads also learn log σ per code (softly floored at −3),
   * as the paper's appendix describes; otherwise σ = 1, as the authors' code
   * fixes it. Needs the Gaussian loss.
   */
  learnedStd: boolean;
  /**
   * D's real/fake loss: `mean` of its 2b outputs (the book's single Keras
   * call), or `sum`, mean over the reals plus mean over the fakes (the
   * authors' code), which doubles its weight against the info terms.
   */
  dBce: DiscriminatorBce;
  /**
   * Initial weights: `glorot` (Keras: Glorot-uniform kernels, BN γ = 1) or
   * `normal` (the authors' code: kernels N(0, 0.02), truncated at 2σ for
   * Conv2D, BN γ ~ N(1, 0.02)). Biases and β start at 0 either way.
   */
  init: InitScheme;
  /** BatchNorm's ε: 1e-3 in Keras and tfjs, 1e-5 in the authors' code. */
  bnEpsilon: number;
  /** BatchNorm's moving-average momentum: 0.99 in Keras, 0.9 in the authors' code. */
  bnMomentum: number;
  /** LeakyReLU slope in D: 0.2 in the book, 0.1 in the paper's text, 0.01 in its code. */
  leakySlope: number;
  /** Optimizer for both networks; the book uses RMSprop. */
  optimizer: OptimizerName;
  /** Discriminator (and Q) learning rate. */
  lrD: number;
  /** Generator learning rate; the book uses half of lrD. */
  lrG: number;
  /** Keras-style inverse-time decay for D: lr_t = lr / (1 + decay·t). */
  decayD: number;
  /** Inverse-time decay for G; the book uses half of decayD. */
  decayG: number;
  /** RMSprop's moving-average factor (Keras default). */
  rho: number;
  /** Adam's first-moment factor; the paper uses 0.5 for GAN stability. */
  beta1: number;
  /** Weight of the real/fake binary cross-entropy term. */
  bceWeight: number;
  /** Weight of the label (discrete code) cross-entropy term. */
  labelWeight: number;
  /** Weight of each continuous-code term. */
  codeWeight: number;
  /** λ: scales the information terms in G's loss; 0 is the no-MI baseline. */
  lambda: number;
  /**
   * Not the paper's method (0 turns it off): the weight of a consistency
   * term in D's loss that makes Q's category agree on two shifted copies of
   * each real image, as the mutual information between the two categories
   * (IIC, Ji et al. 2019). See `consistencyLoss` in losses.ts.
   */
  consistencyWeight: number;
  /** Largest shift in pixels, each way, of the copies the consistency term compares. */
  consistencyShift: number;
  /**
   * Largest shear in degrees, each way, of those copies (0: shifts only). A
   * category that must agree across slants cannot be a slant class.
   */
  consistencyShear: number;
  /**
   * How many augmented copies of each real image the term compares: 2 (two
   * copies, each augmented) or 1 (the image itself against one augmented
   * copy, IIC's own pairing). With 1, the image's categories come from D's
   * pass on the reals that the step makes anyway, so the term costs one D
   * pass on the reals instead of two.
   */
  consistencyViews: number;
  /**
   * λ on the marginal entropies in the term (1: the mutual information; see
   * `consistencyLoss`). Above 1 it favours categories of equal size.
   */
  consistencyEntropy: number;
  /** Steps between metric lines (each costs one host sync). */
  logEvery: number;
  /** Steps between sample grids (also written at step 0). */
  sampleEvery: number;
  /** Steps between checkpoints (also written at the end). */
  checkpointEvery: number;
  /** Compute backend. */
  backend: BackendName;
  /** Folder of MNIST-layout IDX files; empty means the bundled MNIST. */
  data: string;
}

/** A configuration value that failed validation. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Fields that change the shapes of the weights: a checkpoint can only be
 * resumed with a config that agrees on all of them.
 */
export const SHAPE_FIELDS: readonly (keyof InfoGanConfig)[] = [
  "architecture",
  "latentSize",
  "numLabels",
  "width",
  "continuousLoss",
  "learnedStd",
];

/**
 * Fields that only schedule or place a run: they may change on resume
 * without changing what is trained. Any other field that changes on resume
 * is a change of recipe, and the run folder records it (see
 * {@linkcode recipeChanges}).
 */
export const SCHEDULE_FIELDS: readonly (keyof InfoGanConfig)[] = [
  "preset",
  "steps",
  "logEvery",
  "sampleEvery",
  "checkpointEvery",
  "backend",
];

/** One setting that a resume changed. */
export interface ConfigChange {
  field: keyof InfoGanConfig;
  from: unknown;
  to: unknown;
}

/** Recipe settings changed on a resume at `step`, as a run folder records them. */
export interface RecipeChangeRecord {
  step: number;
  changes: readonly ConfigChange[];
}

/** The recipe fields (not {@linkcode SCHEDULE_FIELDS}) whose values differ from `before` to `after`. */
export function recipeChanges(before: InfoGanConfig, after: InfoGanConfig): ConfigChange[] {
  return (Object.keys(after) as (keyof InfoGanConfig)[])
    .filter((field) => !SCHEDULE_FIELDS.includes(field) && before[field] !== after[field])
    .map((field) => ({ field, from: before[field], to: after[field] }));
}

/** `lrD 0.0002 → 0.001, lambda 1 → 0`, or "" for none. */
export function describeChanges(changes: readonly ConfigChange[]): string {
  return changes.map((c) => `${c.field} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`)
    .join(", ");
}

/**
 * Throws a {@linkcode ConfigError} naming `where` unless `config` trains on
 * MNIST-shaped images: the toy's points train in memory only.
 */
export function requireImageArchitecture(config: InfoGanConfig, where: string): void {
  if (config.architecture === "toy") {
    throw new ConfigError(
      `${where}: expected an MNIST architecture (book or paper), found toy; the toy trains on 2-D points in memory (deno task toy, notebook 3)`,
    );
  }
}

/** Scales a filter count by the width multiplier, never below 1. */
export function scaled(filters: number, width: number): number {
  return Math.max(1, Math.round(filters * width));
}
