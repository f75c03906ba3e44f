import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { initBackend } from "../lib/backends/select.ts";
import { loadGenerator } from "../lib/io/checkpoint.ts";
import { PAPER } from "../lib/infogan/presets.ts";
import { ConfigError, type InfoGanConfig } from "../lib/infogan/config.ts";
import type { Evaluation } from "../lib/eval/evaluate.ts";
import { categoryGrid } from "../lib/viz/digit_grids.ts";
import {
  envBool,
  envInt,
  freshRunDir,
  notebookConfig,
  NoTrainedModelError,
  pickTrainedRun,
  runDir,
  runsDir,
  sampleHistory,
  trainRun,
} from "../lib/notebook.ts";
import { labelCodeAccuracy } from "../lib/eval/generated.ts";
import { LiveTraining } from "../lib/viz/live_training.ts";
import { pngSize } from "../lib/viz/png.ts";
import { PRETRAINED_ROOT } from "../lib/eval/pretrained.ts";
import { encodePng } from "../lib/viz/png.ts";
import { digitGrid } from "../lib/viz/images.ts";
import { type PlotElement } from "../lib/viz/plot.ts";
import { generate } from "../lib/infogan/sample.ts";
import { readMetrics } from "../lib/io/run_dir.ts";
import { PROJECT_ROOT } from "../lib/io/fs.ts";
import { createState, disposeState } from "../lib/infogan/state.ts";
import { type Metrics } from "../lib/infogan/loop.ts";
import { smallMnist } from "./helpers.ts";

await initBackend("wasm");

Deno.test("notebookConfig(): overrides > INFOGAN_* env > notebook defaults > preset", () => {
  const defaults = { steps: 700, width: 0.5, batchSize: 64 };
  const plain = notebookConfig(defaults, { env: {} });
  assertEquals([plain.preset, plain.steps, plain.width, plain.lrD], ["book", 700, 0.5, 2e-4]);
  const env = { INFOGAN_STEPS: "5", INFOGAN_WIDTH: "0.125" };
  const fromEnv = notebookConfig(defaults, { env });
  assertEquals([fromEnv.steps, fromEnv.width, fromEnv.batchSize], [5, 0.125, 64]);
  const forced = notebookConfig(defaults, { env, overrides: { steps: 9 } });
  assertEquals(forced.steps, 9);
  const quick = notebookConfig({ preset: "book" }, { env: { INFOGAN_PRESET: "quick" } });
  assertEquals([quick.preset, quick.width], ["quick", 0.25]);
  assertThrows(
    () => notebookConfig(defaults, { env: { INFOGAN_STEPS: "lots" } }),
    ConfigError,
    "environment variable INFOGAN_STEPS",
  );
});

Deno.test("envInt(), envBool() and runsDir() read knobs with defaults and clear errors", () => {
  assertEquals(envInt("INFOGAN_X", 7, { env: {} }), 7);
  assertEquals(envInt("INFOGAN_X", 7, { env: { INFOGAN_X: "12" } }), 12);
  assertThrows(
    () => envInt("INFOGAN_X", 7, { env: { INFOGAN_X: "1.5" } }),
    RangeError,
    "INFOGAN_X",
  );
  assertEquals(envBool("INFOGAN_B", true, { env: { INFOGAN_B: "0" } }), false);
  assertThrows(() => envBool("INFOGAN_B", true, { env: { INFOGAN_B: "yes" } }), RangeError);
  assertEquals(runsDir({}), join(PROJECT_ROOT, "runs"));
  assertEquals(runDir("a", { INFOGAN_RUNS_DIR: "/tmp/r" }), "/tmp/r/a");
});

/** A notebook config of a tiny quick-preset run on wasm, checkpointed every 2 steps. */
function tinyRunConfig(overrides: Partial<InfoGanConfig>): InfoGanConfig {
  return notebookConfig({
    preset: "quick",
    batchSize: 4,
    width: 0.125,
    checkpointEvery: 2,
    backend: "wasm",
    ...overrides,
  }, { env: {} });
}

Deno.test("trainRun() trains a run folder, resumes it when rerun, and continues to more steps", async () => {
  const dir = join(await Deno.makeTempDir(), "run");
  const dataset = await smallMnist();
  const config = tinyRunConfig({ steps: 3, logEvery: 1, sampleEvery: 2 });
  const first = await trainRun({ dir, config, dataset, live: { id: "t", every: 1 } });
  assertEquals([first.trained, first.state.step, first.metrics.length], [3, 3, 3]);
  disposeState(first.state);
  const again = await trainRun({ dir, config, dataset });
  assertEquals([again.trained, again.state.step, again.metrics.length], [0, 3, 3]);
  disposeState(again.state);
  const more = await trainRun({ dir, config: { ...config, steps: 5 }, dataset });
  assertEquals([more.trained, more.state.step], [2, 5]);
  assertEquals(more.metrics.map((m) => m.step), [1, 2, 3, 4, 5]);
  assertEquals((await readMetrics(dir)).map((m) => m.step), [1, 2, 3, 4, 5]);
  assertEquals([again.changes, more.changes], [[], []]);
  disposeState(more.state);
  // A changed recipe setting goes on with the new value, and the folder records it.
  const changed = await trainRun({ dir, config: { ...config, steps: 6, lambda: 0.5 }, dataset });
  assertEquals(changed.changes, [{ field: "lambda", from: 1, to: 0.5 }]);
  assertEquals(changed.state.config.lambda, 0.5);
  const saved = JSON.parse(await Deno.readTextFile(join(dir, "config.json")));
  assertEquals(saved.recipeChanges, [{ step: 5, changes: changed.changes }]);
  disposeState(changed.state);
  // Started over in the same folder, the run keeps none of the earlier run's records.
  await Deno.rename(join(dir, "checkpoint"), join(dir, "..", "old-checkpoint"));
  const again0 = await trainRun({ dir, config: { ...config, steps: 2 }, dataset });
  assertEquals(again0.state.step, 2);
  assertEquals(JSON.parse(await Deno.readTextFile(join(dir, "config.json"))).recipeChanges, []);
  disposeState(again0.state);
  await Deno.remove(join(dir, "checkpoint"), { recursive: true });
  await Deno.rename(join(dir, "..", "old-checkpoint"), join(dir, "checkpoint"));
  const history = await sampleHistory(dir, { count: 2 });
  assertEquals(history.map((h) => h.querySelector("figcaption")?.textContent), [
    "step 0",
    "step 6",
  ]);
  const picked = await pickTrainedRun([{ path: join(dir, "none"), label: "x" }, {
    path: dir,
    label: "mine",
  }]);
  assertEquals(picked, { path: join(dir, "checkpoint"), label: "mine" });
  await Deno.remove(join(dir, ".."), { recursive: true });
});

Deno.test("trainRun() refuses a run folder whose checkpoint is damaged, and leaves it as it was", async () => {
  const dir = join(await Deno.makeTempDir(), "run");
  const dataset = await smallMnist();
  const config = tinyRunConfig({ steps: 2 });
  disposeState((await trainRun({ dir, config, dataset })).state);
  const weights = join(dir, "checkpoint", "generator", "weights.bin");
  const damaged = (await Deno.readFile(weights)).slice(0, 100);
  await Deno.writeFile(weights, damaged);
  await assertRejects(
    () => trainRun({ dir, config: { ...config, steps: 4 }, dataset }),
    Error,
    "weights.bin",
  );
  assertEquals(await Deno.readFile(weights), damaged);
  await Deno.remove(join(weights, "..", "..", "state.json"));
  await assertRejects(
    () => trainRun({ dir, config: { ...config, steps: 4 }, dataset }),
    Error,
    "no checkpoint found",
  );
  assertEquals(await Deno.readFile(weights), damaged);
  await Deno.remove(join(dir, ".."), { recursive: true });
});

Deno.test("pickTrainedRun() returns null, or with required names every place it looked", async () => {
  const places = [{ path: "/nonexistent/a", label: "pretrained" }, {
    path: "/nonexistent/b",
    label: "notebook 4",
  }];
  assertEquals(await pickTrainedRun(places), null);
  await assertRejects(
    () => pickTrainedRun(places, { required: true }),
    NoTrainedModelError,
    "/nonexistent/a (pretrained), /nonexistent/b (notebook 4)",
  );
});

Deno.test("LiveTraining.status() shows step, rate, ETA, losses and L_I against H(c)", async () => {
  const history: Metrics[] = [];
  const live = new LiveTraining({ id: "s", total: 100, history, every: 10 });
  const cb = live.callbacks();
  const m = (step: number, elapsed: number): Metrics => ({
    step,
    elapsed,
    d_loss: 1,
    d_bce: 0.7,
    d_label: 0.2,
    d_code1: 0,
    d_code2: 0,
    d_acc: 0.5,
    d_real: 0.6,
    d_fake: 0.4,
    d_consistency: 0,
    g_loss: 2,
    g_bce: 1,
    g_label: 0.8,
    g_code1: 0,
    g_code2: 0,
    li: 1.5,
    lr_d: 2e-4,
    lr_g: 1e-4,
  });
  await cb.onMetrics!(m(10, 5));
  await cb.onMetrics!(m(20, 10));
  const s = live.status();
  for (const part of ["step 20/100", "2.00 steps/s", "ETA 0:00:40", "L_I 1.50", "H(c) = 2.30"]) {
    assert(s.includes(part), `${part} missing from ${s}`);
  }
  assertEquals(history.length, 2);
  // H(c) is ln k for the run's k categories.
  const eight = new LiveTraining({ id: "t8", total: 100, history: [], numLabels: 8 });
  await eight.callbacks().onMetrics!(m(10, 5));
  assert(eight.status().includes("H(c) = 2.08"), eight.status());
});

Deno.test("pngSize() reads a PNG's width and height", () => {
  assertEquals(pngSize(encodePng(new Uint8Array(6), { width: 3, height: 2 })), {
    width: 3,
    height: 2,
  });
  assertThrows(() => pngSize(new Uint8Array(10)), RangeError);
});

Deno.test("freshRunDir() keeps a run to resume, and with fresh moves it aside intact", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = join(root, "04_lesson");
    assertEquals(await freshRunDir(dir, { fresh: true }), dir);
    await Deno.mkdir(dir);
    await Deno.writeTextFile(join(dir, "metrics.jsonl"), "{}\n");
    assertEquals(await freshRunDir(dir), dir);
    assertEquals(await Deno.readTextFile(join(dir, "metrics.jsonl")), "{}\n");
    const now = new Date("2026-12-01T10:20:30.400Z");
    assertEquals(await freshRunDir(dir, { fresh: true, now }), dir);
    const aside = join(root, "04_lesson-old-2026-12-01T10-20-30-400Z");
    assertEquals(await Deno.readTextFile(join(aside, "metrics.jsonl")), "{}\n");
    await assertRejects(() => Deno.stat(dir), Deno.errors.NotFound);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("labelCodeAccuracy() scores the unsupervised paper model under its Hungarian mapping", async () => {
  await assertRejects(
    () => labelCodeAccuracy(null as never, { ...PAPER, numLabels: 12 }),
    RangeError,
    "needs numLabels 10, found 12",
  );
  const dir = join(PRETRAINED_ROOT, "paper");
  const shipped: Evaluation = JSON.parse(await Deno.readTextFile(join(dir, "evaluation.json")));
  const { generator, config } = await loadGenerator(dir);
  try {
    const got = await labelCodeAccuracy(generator, config, { perLabel: 100 });
    assertEquals(got.mappingFrom, "hungarian");
    assertEquals([...got.mapping].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Under the identity the categories would score near chance; under the best
    // mapping, near evaluate's G accuracy (mapped by Q on the test set).
    const wanted = shipped.generated.accuracy;
    assert(
      Math.abs(got.accuracy - wanted) <= 0.04,
      `shipped G accuracy ${wanted}, measured ${got.accuracy} (mapping ${got.mapping})`,
    );
    // perDigit is indexed by digit: the mean over digits is the accuracy.
    assertAlmostEquals(got.perDigit.reduce((a, b) => a + b, 0) / 10, got.accuracy, 1e-9);
  } finally {
    generator.dispose();
  }
});

Deno.test("labelCodeAccuracy() on the shipped book model agrees with its evaluation.json", async () => {
  const dir = join(PRETRAINED_ROOT, "book");
  const shipped: Evaluation = JSON.parse(await Deno.readTextFile(join(dir, "evaluation.json")));
  const { generator, config } = await loadGenerator(dir);
  try {
    // evaluate() draws its generated digits first from Random(1234), 200 per label.
    const got = await labelCodeAccuracy(generator, config, { perLabel: 200, seed: 1234 });
    assertEquals(got.perLabel, 200);
    // Backends round differently, which can flip a few borderline digits.
    assert(
      Math.abs(got.accuracy - shipped.generated.accuracy) <= 0.01,
      `shipped ${shipped.generated.accuracy}, measured ${got.accuracy}`,
    );
    got.perDigit.forEach((a, d) =>
      assert(
        Math.abs(a - shipped.generated.perCategory[d]) <= 0.03,
        `digit ${d}: shipped ${shipped.generated.perCategory[d]}, measured ${a}`,
      )
    );
  } finally {
    generator.dispose();
  }
});

Deno.test("categoryGrid() places each category by the digit it draws, noise fixed per row", async () => {
  const config = { ...PAPER, width: 0.125 };
  const state = createState(config);
  try {
    // A mapping that reverses the categories: category c draws digit 9 - c.
    const mapping = Array.from({ length: 10 }, (_, c) => 9 - c);
    const el = await categoryGrid(state.generator, config, { mapping, rows: 2, scale: 1 });
    // The same grid built by hand: row r, column 9 - c holds category c's r-th draw.
    const px = 28 * 28;
    const expected = new Uint8Array(2 * 10 * px);
    for (let c = 0; c < 10; c++) {
      const out = await generate(state.generator, config, { count: 2, digit: c, seed: 0 });
      for (let r = 0; r < 2; r++) {
        expected.set(out.images.subarray(r * px, (r + 1) * px), (r * 10 + 9 - c) * px);
      }
    }
    const src = (e: PlotElement) =>
      (e.tagName.toLowerCase() === "img" ? e : e.querySelector("img")!).getAttribute("src");
    assertEquals(src(el), src(digitGrid(expected, { cols: 10, scale: 1 })));
    assert(el.textContent!.includes("categories 9, 8, 7, 6, 5, 4, 3, 2, 1, 0"), el.textContent!);
    // Two categories of one digit (majority naming) sit side by side, in category order.
    const merged = [3, 3, 0, 1, 2, 4, 5, 6, 7, 8];
    const m = await categoryGrid(state.generator, config, { mapping: merged, rows: 2, scale: 1 });
    const byHand = new Uint8Array(2 * 10 * px);
    for (const [column, c] of [2, 3, 4, 0, 1, 5, 6, 7, 8, 9].entries()) {
      const out = await generate(state.generator, config, { count: 2, digit: c, seed: 0 });
      for (let r = 0; r < 2; r++) {
        byHand.set(out.images.subarray(r * px, (r + 1) * px), (r * 10 + column) * px);
      }
    }
    assertEquals(src(m), src(digitGrid(byHand, { cols: 10, scale: 1 })));
    assert(m.textContent!.includes("(0, 1, 2, 3, 3, 4, 5, 6, 7, 8): categories 2, 3, 4, 0, 1"));
    await assertRejects(
      () => categoryGrid(state.generator, config, { mapping: [0, 1, 2] }),
      RangeError,
      "for each of 10 categories, found [0,1,2]",
    );
  } finally {
    disposeState(state);
  }
});
