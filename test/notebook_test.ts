import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { initBackend } from "../lib/backend.ts";
import { ConfigError } from "../lib/config.ts";
import {
  envBool,
  envInt,
  LiveTraining,
  notebookConfig,
  NoTrainedModelError,
  pickTrainedRun,
  pngSize,
  PROJECT_ROOT,
  runDir,
  runsDir,
  sampleHistory,
  trainRun,
} from "../lib/notebook.ts";
import { encodePng } from "../lib/png.ts";
import { readMetrics } from "../lib/run_dir.ts";
import { disposeState, type Metrics } from "../lib/train.ts";
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

Deno.test("trainRun() trains a run folder, resumes it when rerun, and continues to more steps", async () => {
  const dir = join(await Deno.makeTempDir(), "run");
  const dataset = await smallMnist();
  const config = notebookConfig({
    preset: "quick",
    steps: 3,
    batchSize: 4,
    width: 0.125,
    logEvery: 1,
    sampleEvery: 2,
    checkpointEvery: 2,
    backend: "wasm",
  }, { env: {} });
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
  disposeState(more.state);
  const history = await sampleHistory(dir, { count: 2 });
  assertEquals(history.map((h) => h.querySelector("figcaption")?.textContent), [
    "step 0",
    "step 4",
  ]);
  const picked = await pickTrainedRun([{ path: join(dir, "none"), label: "x" }, {
    path: dir,
    label: "mine",
  }]);
  assertEquals(picked, { path: join(dir, "checkpoint"), label: "mine" });
  await Deno.remove(join(dir, ".."), { recursive: true });
});

Deno.test("pickTrainedRun() returns null, or with required names every place it looked", async () => {
  const places = [{ path: "/nonexistent/a", label: "pretrained" }, {
    path: "/nonexistent/b",
    label: "notebook 3",
  }];
  assertEquals(await pickTrainedRun(places), null);
  await assertRejects(
    () => pickTrainedRun(places, { required: true }),
    NoTrainedModelError,
    "/nonexistent/a (pretrained), /nonexistent/b (notebook 3)",
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
});

Deno.test("pngSize() reads a PNG's width and height", () => {
  assertEquals(pngSize(encodePng(new Uint8Array(6), { width: 3, height: 2 })), {
    width: 3,
    height: 2,
  });
  assertThrows(() => pngSize(new Uint8Array(10)), RangeError);
});
