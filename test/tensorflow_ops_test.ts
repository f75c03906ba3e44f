/**
 * The tensorflow backend's fused kernels against tfjs's composed path: the
 * same optimizer, the same gradients, the same weights and slots.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { parseNativeKernels } from "../lib/backends/tensorflow_ops.ts";
import { profileBinding } from "../lib/backends/tensorflow_profile.ts";
import { Random } from "../lib/infogan/random.ts";
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
  const all = ["optimizer", "batchnorm", "activations", "matmul"];
  assertEquals([...parseNativeKernels(undefined)], all);
  assertEquals([...parseNativeKernels("all")], all);
  assertEquals([...parseNativeKernels("none")], []);
  assertEquals([...parseNativeKernels(" optimizer ,batchnorm")], ["optimizer", "batchnorm"]);
  assertThrows(
    () => parseNativeKernels("optimiser"),
    Error,
    'INFOGAN_NATIVE_KERNELS: expected all, none or a comma list of optimizer, batchnorm, activations, matmul, found "optimiser"',
  );
});

for (const [name, f] of ACTIVATIONS) {
  Deno.test(`the ${name} gradient is one native op on tensorflow and tfjs's own on cpu, with equal values`, async () => {
    await checkActivationGrad(name, f);
  });
}

Deno.test("products of two matrices run as TF's MatMul, with the cpu backend's values and gradients", async () => {
  const rng = new Random(4);
  const values = (n: number) => Array.from({ length: n }, () => rng.normal());
  const calls = profileBinding()!;
  const count = (op: string) => calls().get(op)?.calls ?? 0;
  // [a's shape, b's shape, transposeA, transposeB]: odd sizes, every transpose, a vector-like
  // product, and a batched one that keeps BatchMatMulV2.
  const cases: [number[], number[], boolean, boolean][] = [
    [[3, 5], [5, 7], false, false],
    [[5, 3], [5, 7], true, false],
    [[3, 5], [7, 5], false, true],
    [[5, 3], [7, 5], true, true],
    [[1, 9], [9, 1], false, false],
    [[2, 3, 4], [2, 4, 5], false, false],
  ];
  for (const [shapeA, shapeB, transposeA, transposeB] of cases) {
    const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
    const a = values(size(shapeA));
    const b = values(size(shapeB));
    const out = tf.tidy(() =>
      tf.matMul(tf.tensor(a, shapeA), tf.tensor(b, shapeB), transposeA, transposeB)
    );
    const w = values(size(out.shape));
    const outShape = out.shape;
    out.dispose();
    const run = () =>
      tf.tidy(() => {
        const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, transposeA, transposeB);
        const [x, y] = [tf.tensor(a, shapeA), tf.tensor(b, shapeB)];
        const grads = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
          tf.sum(tf.mul(f(p, q), tf.tensor(w, outShape)))
        )([x, y]);
        return [f(x, y), ...grads].map((t) => Array.from(t.dataSync()));
      });
    const before = { matMul: count("MatMul"), batched: count("BatchMatMulV2") };
    const native = run();
    const batched = shapeA.length > 2;
    // The product inside tf.grads, its two gradients and the product again: four, all of one kind.
    assertEquals(count("MatMul") - before.matMul, batched ? 0 : 4, `${shapeA} × ${shapeB}`);
    assertEquals(count("BatchMatMulV2") - before.batched, batched ? 4 : 0, `${shapeA} × ${shapeB}`);
    await tf.setBackend("cpu");
    try {
      const composed = run();
      native.forEach((got, i) =>
        got.forEach((v, j) =>
          assert(
            Math.abs(v - composed[i][j]) < 1e-5,
            `${shapeA} × ${shapeB}, output ${i}[${j}]: ${v} against ${composed[i][j]}`,
          )
        )
      );
    } finally {
      await tf.setBackend("tensorflow");
    }
  }
});
