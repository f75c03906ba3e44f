import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { RING, ringSampler } from "../lib/data/ring.ts";
import { evaluateToy } from "../lib/eval/ring_measures.ts";
import { requireImageArchitecture } from "../lib/infogan/config.ts";
import { resolveConfig } from "../lib/infogan/config_schema.ts";
import { type Metrics, train } from "../lib/infogan/loop.ts";
import { createState, disposeState } from "../lib/infogan/state.ts";

await initBackend("wasm");

Deno.test("the toy's G maps the latents to points, and its D with Q heads reads points", () => {
  const state = createState(resolveConfig({ flags: { preset: "toy" } }));
  assertEquals(state.generator.outputs[0].shape, [null, 2]);
  assertEquals(state.discriminator.inputs[0].shape, [null, 2]);
  // real, label (8 categories), code1, code2.
  assertEquals(state.discriminator.outputs.map((o) => o.shape), [
    [null, 1],
    [null, 8],
    [null, 1],
    [null, 1],
  ]);
  disposeState(state);
});

Deno.test("the toy trains with the MNIST loop: λ = 1 reads the category back, λ = 0 does not", async () => {
  const run = async (lambda: number) => {
    const config = resolveConfig({ flags: { preset: "toy", steps: 300, lambda } });
    const state = createState(config);
    const metrics: Metrics[] = [];
    await train(state, ringSampler(RING), { onMetrics: (m) => void metrics.push(m) });
    const before = tf.memory().numTensors;
    const e = await evaluateToy(state.generator, config, { ring: RING, n: 800 });
    // Measuring holds no tensors.
    assertEquals(tf.memory().numTensors, before);
    disposeState(state);
    return { li: metrics.at(-1)!.li, accuracy: e.accuracy };
  };
  const withMi = await run(1);
  const without = await run(0);
  // ln 8 ≈ 2.08 is the ceiling.
  assert(withMi.li > 1.8, `λ = 1: L_I ${withMi.li}`);
  assert(without.li < 1, `λ = 0: L_I ${without.li}`);
  assert(withMi.accuracy > without.accuracy, JSON.stringify({ withMi, without }));
});

Deno.test("requireImageArchitecture() refuses the toy for an MNIST run, naming where", () => {
  const toy = resolveConfig({ flags: { preset: "toy" } });
  assertThrows(
    () => requireImageArchitecture(toy, "run folder x"),
    Error,
    "run folder x: expected",
  );
  requireImageArchitecture(resolveConfig({ flags: { preset: "paper" } }), "ok");
});
