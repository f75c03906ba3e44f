/**
 * The wasm backend's fused training kernels (wasm_fused.ts) against tfjs's
 * composed path, with the checks the tensorflow backend's kernels pass
 * (fused_parity.ts), plus a whole training step against the composed step.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { FUSED_BATCH_NORM } from "../lib/infogan/batch_norm.ts";
import type { OptimizerOptions } from "../lib/infogan/optimizer.ts";
import { createState, disposeState } from "../lib/infogan/state.ts";
import { disposeStepMetrics, readStepMetrics, trainStep } from "../lib/infogan/step.ts";
import { realSampler } from "../lib/data/mnist.ts";
import {
  ACTIVATIONS,
  checkActivationGrad,
  checkFusedBatchNorm,
  checkFusedBatchNormLeaks,
  checkFusedOptimizer,
  checkFusedOptimizerFrees,
  checkFusedSlotsRestore,
  maxDiff,
} from "./fused_parity.ts";
import { smallMnist, tinyConfig } from "./helpers.ts";

// The single-threaded build: no workers for the tests' sanitizers to see.
Deno.env.set("INFOGAN_WASM_THREADS", "1");
await initBackend("cpu"); // the reference; starting it here keeps its banner out of the tests
await initBackend("wasm");

for (const shape of [[5, 7], [3, 5, 5, 4], [2, 9], [1, 3]]) {
  Deno.test(`wasm fused BatchNorm on [${shape}] matches tfjs's layer: output, gradients, moving statistics`, () => {
    checkFusedBatchNorm(shape);
  });
}

Deno.test("wasm fused BatchNorm leaks no tensors in training and inference", () => {
  checkFusedBatchNormLeaks();
});

Deno.test("wasm fused BatchNorm names a scale of the wrong size", () => {
  const x = tf.zeros([4, 1, 1, 3]);
  assertThrows(
    () =>
      tf.engine().runKernel(
        FUSED_BATCH_NORM.forward,
        { x, scale: tf.ones([2]), offset: tf.zeros([3]) },
        { epsilon: 1e-3 } as unknown as tf.NamedAttrMap,
      ),
    Error,
    "BatchNorm (wasm): expected scale of shape [3], found [2]",
  );
});

for (
  const options of [
    { kind: "adam", lr: 0.01, decay: 0.05, beta1: 0.5 },
    { kind: "rmsprop", lr: 0.002, decay: 6e-3 },
  ] satisfies OptimizerOptions[]
) {
  Deno.test(`wasm Optimizer ${options.kind}: the fused kernel gives the composed path's weights and slots`, () => {
    checkFusedOptimizer(options);
  });
}

Deno.test("wasm Optimizer fused slots restore into the composed path and the runs continue alike", () => {
  checkFusedSlotsRestore();
});

Deno.test("wasm Optimizer fused frees its handles and slot reads, and refuses a bad slot", () => {
  checkFusedOptimizerFrees();
});

for (const [name, f] of ACTIVATIONS) {
  Deno.test(`the ${name} gradient is one kernel on wasm and tfjs's own on cpu, with equal values`, async () => {
    await checkActivationGrad(name, f);
  });
}

/** Three steps of a tiny book model on wasm; its weights and losses. */
async function threeSteps(): Promise<{ weights: tf.Tensor[]; losses: number[] }> {
  const state = createState(tinyConfig({ seed: 5 }));
  const sample = realSampler(await smallMnist());
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const m = trainStep(state, sample);
    const values = await readStepMetrics(m);
    losses.push(values.d_loss, values.g_loss);
    disposeStepMetrics(m);
  }
  const weights = [...state.generator.getWeights(), ...state.discriminator.getWeights()].map((w) =>
    tf.keep(w.clone())
  );
  disposeState(state);
  return { weights, losses };
}

Deno.test("a training step on wasm with the fused kernels matches the composed step", async () => {
  const fused = await threeSteps();
  const configs = tf.getKernelsForBackend("wasm").filter((k) => k.kernelName.startsWith("InfoGan"));
  assertEquals(configs.length, 11, "the fused kernels are registered");
  configs.forEach((c) => tf.unregisterKernel(c.kernelName, "wasm"));
  try {
    const composed = await threeSteps();
    const diff = maxDiff(fused.weights, composed.weights);
    assert(diff < 1e-4, `weights differ by ${diff}`);
    fused.losses.forEach((l, i) =>
      assert(
        Math.abs(l - composed.losses[i]) < 1e-4,
        `loss ${i}: ${l} against ${composed.losses[i]}`,
      )
    );
    assertEquals(fused.weights.length, composed.weights.length);
    tf.dispose([...fused.weights, ...composed.weights]);
  } finally {
    configs.forEach((c) => tf.registerKernel(c));
  }
});
