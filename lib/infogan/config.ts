/**
 * Typed training configuration, its presets, and the override rules
 * (flag > `INFOGAN_<FIELD>` environment variable > preset).
 */

/** Names of the built-in presets. */
export type PresetName = "book" | "quick" | "paper" | "lesson";
/** Network layout: the book's, or the paper's appendix C table 1. */
export type Architecture = "book" | "paper";
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

/** The book's model and schedule, exactly as in the seed. */
export const BOOK: InfoGanConfig = {
  preset: "book",
  seed: 0,
  steps: 40_000,
  batchSize: 64,
  latentSize: 62,
  numLabels: 10,
  codeDist: "normal",
  codeStd: 0.5,
  width: 1,
  architecture: "book",
  supervisedLabels: true,
  fakeBatchStats: false,
  continuousLoss: "book",
  learnedStd: false,
  dBce: "mean",
  init: "glorot",
  bnEpsilon: 1e-3,
  bnMomentum: 0.99,
  leakySlope: 0.2,
  optimizer: "rmsprop",
  lrD: 2e-4,
  lrG: 1e-4,
  decayD: 6e-8,
  decayG: 3e-8,
  rho: 0.9,
  beta1: 0.9,
  bceWeight: 1,
  labelWeight: 1,
  codeWeight: 0.5,
  lambda: 1,
  logEvery: 100,
  sampleEvery: 500,
  checkpointEvery: 1000,
  backend: "auto",
  data: "",
};

/** The book's algorithm at a quarter of the width and a short schedule. */
export const QUICK: InfoGanConfig = {
  ...BOOK,
  preset: "quick",
  steps: 300,
  batchSize: 16,
  width: 0.25,
  logEvery: 10,
  sampleEvery: 100,
  checkpointEvery: 100,
};

/**
 * The MNIST setup of Chen et al. 2016 (appendix C) as the authors' released
 * code runs it: the paper's networks, an unsupervised Cat(10) code, two
 * Unif(-1, 1) codes with a fixed σ = 1 Gaussian Q at weight 1, D's GAN loss
 * as mean(real) + mean(fake), N(0, 0.02) initialisation, BatchNorm ε 1e-5 and
 * momentum 0.9, LeakyReLU slope 0.01, Adam (D 2e-4, G 1e-3, β1 = 0.5), batch
 * 128 and 50 epochs of 100 updates. docs/paper.md has the ablation that chose
 * these settings over Keras's defaults and over a learned σ.
 */
export const PAPER: InfoGanConfig = {
  ...BOOK,
  preset: "paper",
  steps: 5_000,
  batchSize: 128,
  codeDist: "uniform",
  architecture: "paper",
  supervisedLabels: false,
  fakeBatchStats: true,
  continuousLoss: "gaussian",
  optimizer: "adam",
  lrD: 2e-4,
  lrG: 1e-3,
  decayD: 0,
  decayG: 0,
  beta1: 0.5,
  // The authors' code, where the paper's text differs (docs/paper.md).
  dBce: "sum",
  init: "normal",
  bnEpsilon: 1e-5,
  bnMomentum: 0.9,
  leakySlope: 0.01,
  labelWeight: 1,
  codeWeight: 1,
  logEvery: 50,
  sampleEvery: 500,
  checkpointEvery: 500,
};

/**
 * A classroom recipe that gets the label code right in minutes: the paper's
 * networks, optimizer and Gaussian Q, with the book's semi-supervised label
 * head (so the lesson still tells the book's story) and the book's batch.
 * Each choice was made for time to quality on 2 CPU cores; docs/presets.md's
 * lesson table lists the candidates it beat (`deno task time-to-quality`
 * measures them). With the same optimizer the book's networks stalled near
 * 90% label accuracy; at full width a step costs the same as at half width
 * here (dispatch-bound), and half width needs 1 100 steps for 95%.
 */
export const LESSON: InfoGanConfig = {
  ...PAPER,
  preset: "lesson",
  // ≥ 95% label accuracy was first reached at steps 900 and 800 (seeds 0, 1);
  // the book's recipe needs about 4 000 steps at full width.
  steps: 1_000,
  // The book's batch: batch 32 was as fast on one seed but less stable.
  batchSize: 64,
  // Real images train the label head with their real labels, as in the book.
  supervisedLabels: true,
  // The Gaussian NLL is a true log-likelihood; weight 1 as the paper's code.
  codeWeight: 1,
  // Measured with Keras's defaults, whatever the paper preset uses.
  learnedStd: false,
  dBce: "mean",
  init: "glorot",
  bnEpsilon: 1e-3,
  bnMomentum: 0.99,
  leakySlope: 0.1,
  logEvery: 20,
  sampleEvery: 250,
  checkpointEvery: 250,
};

/** All presets by name. */
export const PRESETS: Readonly<Record<PresetName, InfoGanConfig>> = {
  book: BOOK,
  quick: QUICK,
  paper: PAPER,
  lesson: LESSON,
};

/**
 * The values that reproduce a run saved before its field existed; a stored
 * config that lacks one of these fields gets this value when read back.
 */
export const LEGACY_VALUES: Readonly<
  Partial<Record<Key, (stored: Record<string, unknown>) => unknown>>
> = {
  learnedStd: () => false,
  dBce: () => "mean",
  init: () => "glorot",
  bnEpsilon: () => 1e-3,
  bnMomentum: () => 0.99,
  leakySlope: (stored) => stored.architecture === "paper" ? 0.1 : 0.2,
};

/** A configuration value that failed validation. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

type Key = keyof InfoGanConfig;
type FieldSpec =
  & { help: string }
  & (
    | { kind: "int"; min: number; max: number }
    | { kind: "float"; min: number; max: number; minExclusive?: boolean }
    | { kind: "enum"; values: readonly string[] }
    | { kind: "bool" }
    | { kind: "string" }
  );

const BIG = Number.MAX_SAFE_INTEGER;
const RATE = { kind: "float", min: 0, max: 10, minExclusive: true } as const;
const DECAY = { kind: "float", min: 0, max: 1 } as const;
const WEIGHT = { kind: "float", min: 0, max: 1000 } as const;

/** Type and range of every field, used for flags, environment and JSON. */
export const FIELDS: Readonly<Record<Key, FieldSpec>> = {
  preset: { kind: "enum", values: ["book", "quick", "paper", "lesson"], help: "starting values" },
  seed: { kind: "int", min: 0, max: 0xffffffff, help: "seed of weights, noise and data order" },
  steps: { kind: "int", min: 0, max: 100_000_000, help: "total training steps" },
  batchSize: { kind: "int", min: 1, max: 65_536, help: "real images per step" },
  latentSize: { kind: "int", min: 1, max: 4096, help: "size of the noise z" },
  numLabels: { kind: "int", min: 2, max: 256, help: "categories of the label code" },
  codeDist: { kind: "enum", values: ["normal", "uniform"], help: "prior of c1, c2" },
  codeStd: {
    kind: "float",
    min: 0,
    max: 100,
    minExclusive: true,
    help: "std of the normal code prior",
  },
  width: {
    kind: "float",
    min: 0,
    max: 16,
    minExclusive: true,
    help: "filter multiplier on every layer",
  },
  architecture: { kind: "enum", values: ["book", "paper"], help: "network layout" },
  supervisedLabels: { kind: "bool", help: "train the label head on real labels" },
  fakeBatchStats: { kind: "bool", help: "D's fakes use G's batch statistics" },
  continuousLoss: { kind: "enum", values: ["book", "gaussian"], help: "loss of the c1, c2 heads" },
  learnedStd: { kind: "bool", help: "Q learns log σ of c1, c2 (Gaussian loss only)" },
  dBce: {
    kind: "enum",
    values: ["mean", "sum"],
    help: "D's real/fake loss: mean of 2b, or real + fake",
  },
  init: {
    kind: "enum",
    values: ["glorot", "normal"],
    help: "initial weights: Keras's or N(0, 0.02)",
  },
  bnEpsilon: {
    kind: "float",
    min: 0,
    max: 1,
    minExclusive: true,
    help: "BatchNorm epsilon",
  },
  bnMomentum: { kind: "float", min: 0, max: 1, help: "BatchNorm moving-average momentum" },
  leakySlope: { kind: "float", min: 0, max: 1, help: "LeakyReLU slope in D" },
  optimizer: { kind: "enum", values: ["rmsprop", "adam"], help: "optimizer family" },
  lrD: { ...RATE, help: "D and Q learning rate" },
  lrG: { ...RATE, help: "G learning rate" },
  decayD: { ...DECAY, help: "Keras inverse-time decay of lrD" },
  decayG: { ...DECAY, help: "Keras inverse-time decay of lrG" },
  rho: { kind: "float", min: 0, max: 1, minExclusive: true, help: "RMSprop rho" },
  beta1: { kind: "float", min: 0, max: 1, help: "Adam beta1" },
  bceWeight: { ...WEIGHT, help: "weight of the real/fake loss" },
  labelWeight: { ...WEIGHT, help: "weight of the label loss" },
  codeWeight: { ...WEIGHT, help: "weight of each code loss" },
  lambda: { ...WEIGHT, help: "scale of the info terms in G's loss" },
  logEvery: { kind: "int", min: 1, max: BIG, help: "steps between metric lines" },
  sampleEvery: { kind: "int", min: 1, max: BIG, help: "steps between sample grids" },
  checkpointEvery: { kind: "int", min: 1, max: BIG, help: "steps between checkpoints" },
  backend: {
    kind: "enum",
    values: ["auto", "tensorflow", "webgpu", "wasm", "cpu"],
    help: "compute backend",
  },
  data: { kind: "string", help: "folder of MNIST-layout IDX files (default: bundled MNIST)" },
};

/** Every field name, in declaration order. */
export const FIELD_NAMES: readonly Key[] = Object.keys(FIELDS) as Key[];

/** `batchSize` → `batch-size`. */
export function flagName(key: Key): string {
  return key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

/** `batchSize` → `INFOGAN_BATCH_SIZE`. */
export function envName(key: Key): string {
  return "INFOGAN_" + key.replace(/[A-Z]/g, (c) => "_" + c).toUpperCase();
}

/** Describes a field's accepted values, for `--help` and errors. */
export function describeField(key: Key): string {
  const spec = FIELDS[key];
  switch (spec.kind) {
    case "int":
      return `integer ${spec.min}..${spec.max === BIG ? "∞" : spec.max}`;
    case "float":
      return `number ${spec.minExclusive ? ">" : "≥"} ${spec.min}, ≤ ${spec.max}`;
    case "enum":
      return spec.values.join("|");
    case "bool":
      return "true|false";
    case "string":
      return "text";
  }
}

/**
 * Parses and validates one field from text (a flag or an environment value).
 * `source` names where the text came from, for the error message.
 */
export function parseField(
  key: Key,
  text: string,
  source: string,
): InfoGanConfig[Key] {
  const spec = FIELDS[key];
  const bad = (): never => {
    throw new ConfigError(
      `${source}: expected ${describeField(key)}, found ${JSON.stringify(text)}`,
    );
  };
  switch (spec.kind) {
    case "int":
    case "float": {
      const t = text.trim();
      // Number("") is 0 and Number("0x10") is 16: accept plain decimals only.
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) bad();
      return checkNumber(key, Number(t), source, text);
    }
    case "enum":
      return spec.values.includes(text) ? text as InfoGanConfig[Key] : bad();
    case "bool":
      if (text === "true" || text === "1") return true;
      if (text === "false" || text === "0") return false;
      return bad();
    case "string":
      return text;
  }
}

function checkNumber(
  key: Key,
  n: number,
  source: string,
  shown: unknown,
): number {
  const spec = FIELDS[key];
  if (spec.kind !== "int" && spec.kind !== "float") throw new Error(key);
  const ok = Number.isFinite(n) &&
    (spec.kind === "float" || Number.isInteger(n)) &&
    (spec.kind === "float" && spec.minExclusive ? n > spec.min : n >= spec.min) &&
    n <= spec.max;
  if (!ok) {
    throw new ConfigError(
      `${source}: expected ${describeField(key)}, found ${JSON.stringify(shown)}`,
    );
  }
  return n;
}

/** Options for {@linkcode resolveConfig}. */
export interface ResolveOptions {
  /** Values from command-line flags, already parsed (highest priority). */
  flags?: Partial<InfoGanConfig>;
  /** The environment to read `INFOGAN_*` from; defaults to none. */
  env?: Record<string, string | undefined>;
}

/**
 * Builds a config: the preset (from flags, else `INFOGAN_PRESET`, else
 * `book`), then environment overrides, then flags. Throws
 * {@linkcode ConfigError} naming the variable or flag on any invalid value.
 */
export function resolveConfig(options: ResolveOptions = {}): InfoGanConfig {
  const flags = options.flags ?? {};
  const fromEnv = configFromEnv(options.env ?? {});
  const preset = (flags.preset ?? fromEnv.preset ?? "book") as PresetName;
  const base = PRESETS[preset];
  if (!base) {
    throw new ConfigError(
      `preset: expected one of ${Object.keys(PRESETS).join("|")}, found ${JSON.stringify(preset)}`,
    );
  }
  return validateConfig(
    { ...base, ...fromEnv, ...flags, preset },
    "config",
  );
}

/** Parses every set `INFOGAN_<FIELD>` variable; throws naming a bad one. */
export function configFromEnv(
  env: Record<string, string | undefined>,
): Partial<InfoGanConfig> {
  const out: Record<string, unknown> = {};
  for (const key of FIELD_NAMES) {
    const name = envName(key);
    const text = env[name];
    if (text !== undefined && text !== "") {
      out[key] = parseField(key, text, `environment variable ${name}`);
    }
  }
  return out as Partial<InfoGanConfig>;
}

/**
 * Checks that `value` is a complete, valid config (for example one read back
 * from a checkpoint's JSON). `source` names it in errors.
 */
export function validateConfig(value: unknown, source: string): InfoGanConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${source}: expected a config object, found ${typeof value}`);
  }
  const obj = value as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !(k in FIELDS));
  if (unknown.length > 0) {
    throw new ConfigError(`${source}: unknown field(s) ${unknown.join(", ")}`);
  }
  const out: Record<string, unknown> = {};
  for (const key of FIELD_NAMES) {
    const v = obj[key] ?? LEGACY_VALUES[key]?.(obj);
    const spec = FIELDS[key];
    const where = `${source}.${key}`;
    if (v === undefined) throw new ConfigError(`${where}: missing`);
    switch (spec.kind) {
      case "int":
      case "float":
        if (typeof v !== "number") {
          throw new ConfigError(
            `${where}: expected ${describeField(key)}, found ${JSON.stringify(v)}`,
          );
        }
        out[key] = checkNumber(key, v, where, v);
        break;
      case "enum":
        if (typeof v !== "string" || !spec.values.includes(v)) {
          throw new ConfigError(
            `${where}: expected ${describeField(key)}, found ${JSON.stringify(v)}`,
          );
        }
        out[key] = v;
        break;
      case "bool":
      case "string":
        if (spec.kind === "bool" ? typeof v !== "boolean" : typeof v !== "string") {
          throw new ConfigError(
            `${where}: expected ${describeField(key)}, found ${JSON.stringify(v)}`,
          );
        }
        out[key] = v;
    }
  }
  if (out.learnedStd && out.continuousLoss !== "gaussian") {
    throw new ConfigError(
      `${source}.learnedStd: expected false with continuousLoss ${
        JSON.stringify(out.continuousLoss)
      } (a learned σ needs the Gaussian loss), found true`,
    );
  }
  return out as unknown as InfoGanConfig;
}

/**
 * Fields that change the shapes of the weights: a checkpoint can only be
 * resumed with a config that agrees on all of them.
 */
export const SHAPE_FIELDS: readonly Key[] = [
  "architecture",
  "latentSize",
  "numLabels",
  "width",
  "continuousLoss",
  "learnedStd",
];

/** Scales a filter count by the width multiplier, never below 1. */
export function scaled(filters: number, width: number): number {
  return Math.max(1, Math.round(filters * width));
}
