import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { inspectSteps } from "../lib/infogan/inspect_step.ts";
import { realSampler } from "../lib/data/mnist.ts";
import { smallMnist, tinyConfig } from "./helpers.ts";

await initBackend("wasm");

Deno.test("inspectSteps(): the D step moves only D's variables, the G step only G's", async () => {
  const r = await inspectSteps(tinyConfig(), realSampler(await smallMnist()));
  assertEquals(r.d.map((t) => t.term), [
    "d_loss",
    "d_bce",
    "d_label",
    "d_code1",
    "d_code2",
    "d_acc",
    "d_real",
    "d_fake",
    "d_consistency",
  ]);
  assertEquals(r.g.map((t) => t.term), ["g_loss", "g_bce", "g_label", "g_code1", "g_code2"]);
  assert([...r.d, ...r.g].every((t) => Number.isFinite(t.value)));
  // The totals are the weighted sums of the terms reported beside them.
  const config = tinyConfig();
  const v = Object.fromEntries([...r.d, ...r.g].map((t) => [t.term, t.value]));
  const weighted = (p: "d" | "g", lambda: number) =>
    config.bceWeight * v[`${p}_bce`] +
    lambda * (config.labelWeight * v[`${p}_label`] +
        config.codeWeight * (v[`${p}_code1`] + v[`${p}_code2`]));
  assertAlmostEquals(v.d_loss, weighted("d", 1), 1e-5);
  assertAlmostEquals(v.g_loss, weighted("g", config.lambda), 1e-5);
  assert(v.d_acc >= 0 && v.d_acc <= 1 && v.d_real > 0 && v.d_real < 1 && v.d_fake > 0);
  const moved = (list: typeof r.dMoves, model: "G" | "D") =>
    list.filter((m) => m.model === model && m.trainable).map((m) => m.moved);
  assert(moved(r.dMoves, "D").every(Boolean) && moved(r.dMoves, "G").every((m) => !m));
  assert(moved(r.gMoves, "G").every(Boolean) && moved(r.gMoves, "D").every((m) => !m));
  assert(moved(r.dMoves, "D").length > 0 && moved(r.gMoves, "G").length > 0);
});

Deno.test("inspectSteps(): BatchNorm's moving statistics move in any training-mode pass, not by gradient", async () => {
  const sampleReal = realSampler(await smallMnist());
  /** [moved, total] of one model's moving statistics in one step. */
  const stats = (list: { model: string; trainable: boolean; moved: boolean }[], model: string) => {
    const of = list.filter((m) => m.model === model && !m.trainable);
    return [of.filter((m) => m.moved).length, of.length];
  };
  // The paper's networks: BatchNorm in G (3 layers) and in D's body and Q (3 layers), 2 stats each.
  for (const fakeBatchStats of [true, false]) {
    const config = { ...tinyConfig(), architecture: "paper" as const, fakeBatchStats };
    const r = await inspectSteps(config, sampleReal);
    // D's own pass is in training mode; G runs in training mode only for batch-statistics fakes.
    assertEquals(stats(r.dMoves, "D"), [6, 6]);
    assertEquals(stats(r.dMoves, "G"), fakeBatchStats ? [6, 6] : [0, 6]);
    // The G step calls D with training: true, so D's statistics move although no D weight does.
    assertEquals(stats(r.gMoves, "D"), [6, 6]);
    assertEquals(stats(r.gMoves, "G"), [6, 6]);
  }
});
