/**
 * The tensorflow backend's fused kernels against tfjs's composed path: the
 * same optimizer, the same gradients, the same weights and slots.
 */
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { parseNativeKernels } from "../lib/backends/tensorflow_ops.ts";
import { Optimizer, type OptimizerOptions } from "../lib/infogan/optimizer.ts";
import {
  ACTIVATIONS,
  checkActivationGrad,
  checkFusedOptimizer,
  checkFusedOptimizerFrees,
  checkFusedSlotsRestore,
} from "./fused_parity.ts";

await initBackend("tensorflow");

for (
  const options of [
    { kind: "adam", lr: 0.01, decay: 0.05, beta1: 0.5 },
    { kind: "rmsprop", lr: 0.002, decay: 6e-3 },
  ] satisfies OptimizerOptions[]
) {
  Deno.test(`Optimizer ${options.kind}: the fused kernel gives the composed path's weights and slots`, () => {
    checkFusedOptimizer(options);
  });
}

Deno.test("Optimizer fused slots restore into the composed path and the runs continue alike", () => {
  checkFusedSlotsRestore();
});

Deno.test("Optimizer fused frees its handles and slot reads, and refuses a bad slot", () => {
  checkFusedOptimizerFrees();
});

Deno.test("Optimizer fused: true on a backend without the kernels is refused", async () => {
  await tf.setBackend("cpu");
  try {
    assertThrows(
      () =>
        new Optimizer([tf.variable(tf.zeros([1]))], { kind: "adam", lr: 1, decay: 0, fused: true }),
      Error,
      "backend cpu has no fused kernels",
    );
  } finally {
    await tf.setBackend("tensorflow");
  }
});

Deno.test("parseNativeKernels() reads all, none and a list, and names the variable on a typo", () => {
  const all = ["optimizer", "batchnorm", "activations"];
  assertEquals([...parseNativeKernels(undefined)], all);
  assertEquals([...parseNativeKernels("all")], all);
  assertEquals([...parseNativeKernels("none")], []);
  assertEquals([...parseNativeKernels(" optimizer ,batchnorm")], ["optimizer", "batchnorm"]);
  assertThrows(
    () => parseNativeKernels("optimiser"),
    Error,
    'INFOGAN_NATIVE_KERNELS: expected all, none or a comma list of optimizer, batchnorm, activations, found "optimiser"',
  );
});

for (const [name, f] of ACTIVATIONS) {
  Deno.test(`the ${name} gradient is one native op on tensorflow and tfjs's own on cpu, with equal values`, async () => {
    await checkActivationGrad(name, f);
  });
}
