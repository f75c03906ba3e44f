import { assert, assertEquals, assertThrows } from "@std/assert";
import { BOOK, LESSON, LESSON_UNSUPERVISED, PAPER, QUICK } from "../lib/infogan/presets.ts";
import { ConfigError, type InfoGanConfig } from "../lib/infogan/config.ts";
import {
  envName,
  flagName,
  resolveConfig,
  trainCommands,
  validateConfig,
} from "../lib/infogan/config_schema.ts";

Deno.test("BOOK preset is the seed exactly", () => {
  assertEquals(
    [BOOK.batchSize, BOOK.steps, BOOK.latentSize, BOOK.codeStd, BOOK.sampleEvery, BOOK.width],
    [64, 40_000, 62, 0.5, 500, 1],
  );
  assertEquals([BOOK.optimizer, BOOK.lrD, BOOK.decayD, BOOK.lrG, BOOK.decayG], [
    "rmsprop",
    2e-4,
    6e-8,
    1e-4,
    3e-8,
  ]);
  // The book's loss weights: [1, 1, 0.5, 0.5] for bce, label, code1, code2 (one codeWeight for both).
  assertEquals([BOOK.bceWeight, BOOK.labelWeight, BOOK.codeWeight], [1, 1, 0.5]);
  assertEquals([BOOK.rho, BOOK.supervisedLabels, BOOK.continuousLoss, BOOK.lambda], [
    0.9,
    true,
    "book",
    1,
  ]);
  assertEquals([BOOK.architecture, BOOK.fakeBatchStats, BOOK.codeDist], ["book", false, "normal"]);
});

Deno.test("PAPER preset is the paper's unsupervised MNIST setup", () => {
  assertEquals([PAPER.architecture, PAPER.supervisedLabels, PAPER.fakeBatchStats], [
    "paper",
    false,
    true,
  ]);
  assertEquals([PAPER.codeDist, PAPER.continuousLoss, PAPER.numLabels, PAPER.latentSize], [
    "uniform",
    "gaussian",
    10,
    62,
  ]);
  assertEquals([PAPER.optimizer, PAPER.lrD, PAPER.lrG, PAPER.beta1, PAPER.decayD, PAPER.decayG], [
    "adam",
    2e-4,
    1e-3,
    0.5,
    0,
    0,
  ]);
  // The authors' code: weight 1 on every info term (the paper's text says less for the
  // continuous ones), D's loss summed over real and fake, their init, BatchNorm and slope.
  assertEquals([PAPER.lambda, PAPER.labelWeight, PAPER.codeWeight, PAPER.learnedStd], [
    1,
    1,
    1,
    false,
  ]);
  assertEquals(
    [PAPER.dBce, PAPER.init, PAPER.bnEpsilon, PAPER.bnMomentum, PAPER.leakySlope],
    ["sum", "normal", 1e-5, 0.9, 0.01],
  );
  assertEquals([PAPER.batchSize, PAPER.steps], [128, 5_000]);
  assertEquals(resolveConfig({ flags: { preset: "paper" } }), PAPER);
});

/** The fields where preset `a` differs from preset `b`. */
function differences(a: InfoGanConfig, b: InfoGanConfig): string[] {
  return (Object.keys(a) as (keyof InfoGanConfig)[]).filter((k) => a[k] !== b[k]).sort();
}

Deno.test("LESSON is the paper's networks and optimizer with the book's supervised label head", () => {
  // Everything else is the paper preset; these are the lesson's choices.
  assertEquals(differences(LESSON, PAPER), [
    "batchSize", // the book's 64: faster steps on two cores
    "bnEpsilon", // Keras's BatchNorm defaults, as measured for the lesson
    "bnMomentum",
    "checkpointEvery",
    "dBce", // the book's mean over 2b
    "init", // Keras's Glorot
    "leakySlope", // the paper's text
    "logEvery",
    "preset",
    "sampleEvery",
    "steps",
    "supervisedLabels", // the book's story: real images train the label head
  ]);
  assertEquals([LESSON.supervisedLabels, PAPER.supervisedLabels], [true, false]);
  assertEquals(resolveConfig({ flags: { preset: "lesson" } }), LESSON);
});

Deno.test("LESSON_UNSUPERVISED is the lesson without labels, at Keras's batch and code weight, with the consistency term", () => {
  assertEquals(differences(LESSON_UNSUPERVISED, LESSON), [
    "batchSize",
    "codeWeight",
    "consistencyEntropy",
    "consistencyShear",
    "consistencyViews",
    "consistencyWeight",
    "preset",
    "supervisedLabels",
  ]);
  const c = LESSON_UNSUPERVISED;
  assertEquals(
    [c.consistencyWeight, c.consistencyShear, c.consistencyViews, c.consistencyEntropy],
    [0.5, 15, 1, 2],
  );
  assertEquals(
    [LESSON_UNSUPERVISED.supervisedLabels, LESSON_UNSUPERVISED.numLabels],
    [false, 10],
  );
  assertEquals([LESSON_UNSUPERVISED.batchSize, LESSON_UNSUPERVISED.codeWeight], [128, 0.5]);
  assertEquals(
    resolveConfig({ flags: { preset: "lesson-unsupervised" } }),
    LESSON_UNSUPERVISED,
  );
});

Deno.test("QUICK is the book's algorithm, smaller and shorter", () => {
  assertEquals(differences(QUICK, BOOK), [
    "batchSize",
    "checkpointEvery",
    "logEvery",
    "preset",
    "sampleEvery",
    "steps",
    "width",
  ]);
  assert(QUICK.width < 1 && QUICK.batchSize < BOOK.batchSize && QUICK.steps < 1000);
});

Deno.test("flagName() and envName() derive the CLI and environment names", () => {
  assertEquals(flagName("batchSize"), "batch-size");
  assertEquals(envName("batchSize"), "INFOGAN_BATCH_SIZE");
  assertEquals(envName("lrD"), "INFOGAN_LR_D");
});

Deno.test("resolveConfig() applies flag > environment > preset", () => {
  const env = { INFOGAN_PRESET: "quick", INFOGAN_STEPS: "7", INFOGAN_SEED: "3" };
  const c = resolveConfig({ env, flags: { steps: 9 } });
  assertEquals([c.preset, c.steps, c.seed, c.batchSize], ["quick", 9, 3, QUICK.batchSize]);
  assertEquals(resolveConfig({ env }).steps, 7);
  assertEquals(resolveConfig({}).preset, "book");
});

Deno.test("resolveConfig() rejects invalid environment values, naming the variable", () => {
  const cases: Record<string, string> = {
    INFOGAN_BATCH_SIZE: "0",
    INFOGAN_STEPS: "ten",
    INFOGAN_WIDTH: "-1",
    INFOGAN_LR_D: "0x10",
    INFOGAN_PRESET: "huge",
    INFOGAN_BACKEND: "tpu",
    INFOGAN_SEED: "1.5",
    INFOGAN_SUPERVISED_LABELS: "yes",
    INFOGAN_CODE_STD: "NaN",
  };
  for (const [name, text] of Object.entries(cases)) {
    const err = assertThrows(() => resolveConfig({ env: { [name]: text } }), ConfigError);
    assertEquals(err.message.includes(name), true, err.message);
    assertEquals(err.message.includes(JSON.stringify(text)), true, err.message);
  }
});

Deno.test("validateConfig() rejects unknown, missing and mistyped fields", () => {
  assertThrows(() => validateConfig({ ...BOOK, extra: 1 }, "c"), ConfigError, "unknown field");
  const { steps: _, ...missing } = BOOK;
  assertThrows(() => validateConfig(missing, "c"), ConfigError, "c.steps: missing");
  assertThrows(() => validateConfig({ ...BOOK, batchSize: "64" }, "c"), ConfigError, "batchSize");
  assertEquals(validateConfig({ ...BOOK }, "c"), BOOK);
});

Deno.test("the paper-code fields default to Keras's values in the book and validate their ranges", () => {
  assertEquals(
    [BOOK.dBce, BOOK.init, BOOK.bnEpsilon, BOOK.bnMomentum, BOOK.leakySlope, BOOK.learnedStd],
    ["mean", "glorot", 1e-3, 0.99, 0.2, false],
  );
  const env = (name: string, value: string) => () => resolveConfig({ env: { [name]: value } });
  assertThrows(env("INFOGAN_D_BCE", "max"), ConfigError, "INFOGAN_D_BCE: expected mean|sum");
  assertThrows(env("INFOGAN_INIT", "he"), ConfigError, "expected glorot|normal");
  assertThrows(env("INFOGAN_BN_EPSILON", "0"), ConfigError, "expected number > 0");
  assertThrows(env("INFOGAN_BN_MOMENTUM", "1.5"), ConfigError, "≤ 1");
  assertThrows(env("INFOGAN_LEAKY_SLOPE", "-0.1"), ConfigError, "≥ 0");
  assertEquals(resolveConfig({ env: { INFOGAN_LEAKY_SLOPE: "0.01" } }).leakySlope, 0.01);
  // A learned σ is a Gaussian's: the book's sign loss has no σ to learn.
  assertThrows(
    () => resolveConfig({ flags: { learnedStd: true } }),
    ConfigError,
    'config.learnedStd: expected false with continuousLoss "book"',
  );
  const paper = resolveConfig({ flags: { preset: "paper", learnedStd: true } });
  assertEquals(paper.learnedStd, true);
  // The consistency term shifts images, which the toy does not have.
  assertThrows(
    () => resolveConfig({ flags: { preset: "toy", consistencyWeight: 1 } }),
    ConfigError,
    'config.consistencyWeight: expected 0 with architecture "toy"',
  );
  assertEquals(resolveConfig({ flags: { consistencyWeight: 1 } }).consistencyWeight, 1);
});

Deno.test("validateConfig() reads a config saved before the paper-code fields with their old values", () => {
  const {
    dBce: _a,
    init: _b,
    bnEpsilon: _c,
    bnMomentum: _d,
    leakySlope: _e,
    learnedStd: _f,
    ...old
  } = PAPER;
  const read = validateConfig(old, "old");
  assertEquals(
    [read.dBce, read.init, read.bnEpsilon, read.bnMomentum, read.leakySlope, read.learnedStd],
    ["mean", "glorot", 1e-3, 0.99, 0.1, false],
  );
  assertEquals(validateConfig({ ...old, architecture: "book" }, "old").leakySlope, 0.2);
});

Deno.test("trainCommands() reproduces a run changed on resume: the settings it started from, then each resume", () => {
  const config: InfoGanConfig = { ...PAPER, seed: 2, numLabels: 20, codeWeight: 2, lrG: 0.0005 };
  const changes = [
    { step: 1000, changes: [{ field: "codeWeight" as const, from: 1, to: 2 }] },
    { step: 3000, changes: [{ field: "lrG" as const, from: 0.001, to: 0.0005 }] },
  ];
  assertEquals(trainCommands(config, 5000, "runs/x", changes), [
    "deno task train --preset paper --seed 2 --num-labels 20 --steps 1000 --out runs/x",
    "deno task train --resume runs/x --code-weight 2 --steps 3000",
    "deno task train --resume runs/x --lr-g 0.0005 --steps 5000",
  ]);
  // A run never changed is one command, with every field that differs from its preset.
  assertEquals(trainCommands({ ...PAPER, seed: 3 }, 5000, "runs/y"), [
    "deno task train --preset paper --seed 3 --steps 5000 --out runs/y",
  ]);
});
