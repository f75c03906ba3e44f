/**
 * The config's field table, which drives every way of setting a field: the
 * commands' flags, `INFOGAN_<FIELD>` environment variables, notebook
 * overrides and configs read back from JSON. Text is parsed one way
 * (`values.ts`); precedence is flag > environment variable > preset.
 *
 * @module
 */
import {
  ConfigError,
  type InfoGanConfig,
  type PresetName,
  type RecipeChangeRecord,
} from "./config.ts";
import { PRESETS } from "./presets.ts";
import { checkValue, describeValue, parseValue, UNBOUNDED, type ValueSpec } from "./values.ts";

type Key = keyof InfoGanConfig;

/** A config field's type and range, and its one-line help. */
export type FieldSpec = ValueSpec & { help: string };

const BIG = UNBOUNDED;
const RATE = { kind: "float", min: 0, max: 10, minExclusive: true } as const;
const DECAY = { kind: "float", min: 0, max: 1 } as const;
const WEIGHT = { kind: "float", min: 0, max: 1000 } as const;

/** Type and range of every field, used for flags, environment and JSON. */
export const FIELDS: Readonly<Record<Key, FieldSpec>> = {
  preset: {
    kind: "enum",
    values: ["book", "quick", "paper", "lesson", "lesson-unsupervised", "toy"],
    help: "starting values",
  },
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
  architecture: { kind: "enum", values: ["book", "paper", "toy"], help: "network layout" },
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
  consistencyWeight: {
    ...WEIGHT,
    help:
      "weight of Q's category agreeing on two shifted copies of a real image (IIC; not the paper's method; 0 off)",
  },
  consistencyShift: {
    kind: "int",
    min: 1,
    max: 8,
    help: "largest shift in pixels of those copies",
  },
  consistencyShear: {
    kind: "float",
    min: 0,
    max: 30,
    help: "largest shear in degrees of those copies, each way (0: shifts only)",
  },
  consistencyViews: {
    kind: "int",
    min: 1,
    max: 2,
    help: "augmented copies compared: 2, or 1 against the image itself (one D pass fewer)",
  },
  consistencyEntropy: {
    kind: "float",
    min: 1,
    max: 10,
    help:
      "weight of the categories' entropies in that term (1: mutual information; more: equal sizes)",
  },
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
  return describeValue(FIELDS[key]);
}

/**
 * Parses and validates one field from text (a flag or an environment value).
 * `source` names where the text came from, for the error message.
 */
export function parseField(key: Key, text: string, source: string): InfoGanConfig[Key] {
  return parseValue(FIELDS[key], text, source, ConfigError) as InfoGanConfig[Key];
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
    const where = `${source}.${key}`;
    if (v === undefined) throw new ConfigError(`${where}: missing`);
    out[key] = checkValue(FIELDS[key], v, where, ConfigError);
  }
  if (out.learnedStd && out.continuousLoss !== "gaussian") {
    throw new ConfigError(
      `${source}.learnedStd: expected false with continuousLoss ${
        JSON.stringify(out.continuousLoss)
      } (a learned σ needs the Gaussian loss), found true`,
    );
  }
  if ((out.consistencyWeight as number) > 0 && out.architecture === "toy") {
    throw new ConfigError(
      `${source}.consistencyWeight: expected 0 with architecture "toy" (the consistency term shifts images; the toy's samples are points), found ${out.consistencyWeight}`,
    );
  }
  return out as unknown as InfoGanConfig;
}

/**
 * The values that reproduce a run saved before its field existed; a stored
 * config that lacks one of these fields gets this value when read back.
 */
export const LEGACY_VALUES: Readonly<
  Partial<Record<Key, (stored: Record<string, unknown>) => unknown>>
> = {
  learnedStd: () => false,
  consistencyWeight: () => 0,
  consistencyShift: () => 2,
  consistencyShear: () => 0,
  consistencyViews: () => 2,
  consistencyEntropy: () => 1,
  dBce: () => "mean",
  init: () => "glorot",
  bnEpsilon: () => 1e-3,
  bnMomentum: () => 0.99,
  leakySlope: (stored) => stored.architecture === "paper" ? 0.1 : 0.2,
};

/**
 * The `deno task train` command that reproduces `config` up to `step`: the
 * preset, then every field that differs from it (no learning-rate schedule
 * depends on the total, so stopping at `step` is the same run).
 */
export function trainCommand(config: InfoGanConfig, step: number): string {
  const preset = PRESETS[config.preset];
  const flags = FIELD_NAMES
    .filter((k) => !["preset", "backend", "steps"].includes(k) && config[k] !== preset[k])
    .map((k) => `--${flagName(k)} ${config[k]}`);
  return ["deno task train", `--preset ${config.preset}`, ...flags, `--steps ${step}`].join(" ");
}

/**
 * The commands that train `config` to `step` in `out`, as it was trained:
 * one `deno task train` with the settings it started from, then one
 * `--resume` per recorded recipe change, with the flags that change set and
 * the step the next part runs to.
 */
export function trainCommands(
  config: InfoGanConfig,
  step: number,
  out: string,
  changes: readonly RecipeChangeRecord[] = [],
): string[] {
  const start: InfoGanConfig = { ...config };
  for (const record of changes.toReversed()) {
    for (const c of record.changes) Object.assign(start, { [c.field]: c.from });
  }
  const ends = [...changes.map((r) => r.step), step];
  return [
    `${trainCommand(start, ends[0])} --out ${out}`,
    ...changes.map((r, i) =>
      [
        `deno task train --resume ${out}`,
        ...r.changes.map((c) => `--${flagName(c.field)} ${c.to}`),
        `--steps ${ends[i + 1]}`,
      ].join(" ")
    ),
  ];
}
