/**
 * The tensorflow backend's fused kernels against tfjs's composed path: the
 * same optimizer, the same gradients, the same weights and slots.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { parseNativeKernels } from "../lib/backends/tensorflow_ops.ts";
import { FUSED, Optimizer, type OptimizerOptions } from "../lib/infogan/optimizer.ts";
import { Random } from "../lib/infogan/random.ts";

await initBackend("tensorflow");

/** Odd shapes: a scalar-like vector, a matrix, a conv kernel. */
const SHAPES = [[1], [5, 7], [3, 3, 2, 5]];

function randomTensors(rng: Random, scale: number): tf.Tensor[] {
  return SHAPES.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    return tf.tensor(Array.from({ length: n }, () => scale * rng.normal()), s);
  });
}

/** Largest |a − b| over two lists of tensors. */
function maxDiff(a: tf.Tensor[], b: tf.Tensor[]): number {
  return Math.max(
    ...a.map((t, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, b[i]))).dataSync()[0])),
  );
}

/** Trains the same variables with the fused and the composed optimizer. */
function twin(options: OptimizerOptions, steps: number) {
  const rng = new Random(7);
  const init = randomTensors(rng, 1);
  const fusedVars = init.map((t) => tf.variable(t));
  const composedVars = init.map((t) => tf.variable(t));
  const fused = new Optimizer(fusedVars, { ...options, fused: true });
  const composed = new Optimizer(composedVars, { ...options, fused: false });
  for (let i = 0; i < steps; i++) {
    const grads = randomTensors(rng, 0.3);
    fused.apply(grads);
    composed.apply(grads);
    tf.dispose(grads);
  }
  return { init, fusedVars, composedVars, fused, composed };
}

for (
  const options of [
    { kind: "adam", lr: 0.01, decay: 0.05, beta1: 0.5 },
    { kind: "rmsprop", lr: 0.002, decay: 6e-3 },
  ] satisfies OptimizerOptions[]
) {
  Deno.test(`Optimizer ${options.kind}: the fused kernel gives the composed path's weights and slots`, () => {
    assert(tf.getKernel(FUSED[options.kind], "tensorflow"), "fused kernel registered");
    const t = twin(options, 6);
    // The update moved the weights by much more than the tolerance.
    assert(maxDiff(t.fusedVars, t.init) > 1e-2);
    const weights = maxDiff(t.fusedVars, t.composedVars);
    assert(weights < 1e-6, `weights differ by ${weights}`);
    const slots = maxDiff(
      t.fused.slots().map((s) => s.tensor),
      t.composed.slots().map((s) => s.tensor),
    );
    assert(slots < 1e-6, `slots differ by ${slots}`);
    assertEquals(t.fused.slots().map((s) => s.name), t.composed.slots().map((s) => s.name));
    assertEquals(t.fused.iterations, 6);
  });
}

Deno.test("Optimizer fused slots restore into the composed path and the runs continue alike", () => {
  const t = twin({ kind: "adam", lr: 0.01, decay: 0 }, 3);
  const vars = t.fusedVars.map((v) => tf.variable(v));
  const resumed = new Optimizer(vars, { kind: "adam", lr: 0.01, decay: 0, fused: false });
  resumed.setSlots(t.fused.slots(), "fused");
  resumed.iterations = t.fused.iterations;
  const grads = randomTensors(new Random(9), 0.3);
  t.fused.apply(grads);
  resumed.apply(grads);
  assert(maxDiff(t.fusedVars, vars) < 1e-6);
  // And the other way: composed slots into a fused optimizer.
  const back = new Optimizer(t.composedVars, { kind: "adam", lr: 0.01, decay: 0, fused: true });
  back.setSlots(t.composed.slots(), "composed");
  assert(maxDiff(back.slots().map((s) => s.tensor), t.composed.slots().map((s) => s.tensor)) === 0);
});

Deno.test("Optimizer fused frees its handles and slot reads, and refuses a bad slot", () => {
  const w = tf.variable(tf.zeros([4, 3]));
  const before = tf.memory().numTensors;
  const opt = new Optimizer([w], { kind: "adam", lr: 0.1, decay: 0, fused: true });
  opt.apply([tf.ones([4, 3])]);
  opt.slots();
  opt.apply([tf.ones([4, 3])]);
  opt.slots();
  assertThrows(
    () => opt.setSlots([{ name: "var0/slot0", tensor: tf.zeros([3]) }], "opt.json"),
    Error,
    "opt.json: expected 2 optimizer slots, found 1",
  );
  opt.dispose();
  // Only the two gradients and the refused slot above remain.
  assertEquals(tf.memory().numTensors, before + 3);
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

for (
  const [name, f] of [
    ["Relu", (x: tf.Tensor) => tf.relu(x)],
    ["LeakyRelu", (x: tf.Tensor) => tf.leakyRelu(x, 0.1)],
    ["Sigmoid", (x: tf.Tensor) => tf.sigmoid(x)],
  ] as const
) {
  Deno.test(`the ${name} gradient is one native op on tensorflow and tfjs's own on cpu, with equal values`, async () => {
    // Odd shape, both signs, and exact zeros.
    const values = [-2, -0.5, 0, 0, 0.25, 1, 3, -1e-3, 7, -7, 0.5, 2, -3, 1e-3, 0];
    const weights = values.map((_, i) => (i % 4) - 1.5);
    const grad = () =>
      tf.tidy(() => {
        const x = tf.tensor(values, [3, 5]);
        const w = tf.tensor(weights, [3, 5]);
        return Array.from(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), w)))(x).dataSync());
      });
    const info = await tf.profile(() => {
      grad();
    });
    assert(info.kernelNames.includes(`InfoGan${name}Grad`), info.kernelNames.join(" "));
    const native = grad();
    await tf.setBackend("cpu");
    try {
      assert(!tf.getKernel(`InfoGan${name}Grad`, "cpu"));
      const tfjs = grad();
      native.forEach((v, i) =>
        assert(Math.abs(v - tfjs[i]) < 1e-6, `${i}: ${v} against ${tfjs[i]}`)
      );
    } finally {
      await tf.setBackend("tensorflow");
    }
  });
}
