/**
 * Parity checks of a backend's fused training kernels (BatchNorm, the
 * activation gradients, the optimizer update) against tfjs's composed path,
 * shared by the tensorflow tests (tensorflow_ops_test.ts, batch_norm_test.ts)
 * and the wasm tests (wasm_fused_test.ts). Each check runs on the active
 * backend and asserts.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { fusedBatchNormAvailable, withFusedTraining } from "../lib/infogan/batch_norm.ts";
import { ACTIVATION_GRADS, useActivationGradKernels } from "../lib/infogan/activation_grads.ts";
import { FUSED, Optimizer, type OptimizerOptions } from "../lib/infogan/optimizer.ts";
import { Random } from "../lib/infogan/random.ts";

function randomTensor(rng: Random, shape: number[], offset = 0, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, () => offset + scale * rng.normal()), shape);
}

/** Largest |a − b| over two lists of tensors. */
export function maxDiff(a: tf.Tensor[], b: tf.Tensor[]): number {
  return Math.max(
    ...a.map((t, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, b[i]))).dataSync()[0])),
  );
}

/** Two BatchNorm layers with the same random weights: tfjs's, and the fused one. */
export function batchNormPair(rng: Random, channels: number, inputShape: number[]) {
  const make = () =>
    tf.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.9, inputShape: inputShape.slice(1) });
  const tfjs = make();
  const fused = withFusedTraining(make());
  const weights = [
    randomTensor(rng, [channels], 1),
    randomTensor(rng, [channels]),
    randomTensor(rng, [channels]),
    tf.abs(randomTensor(rng, [channels], 1)),
  ];
  for (const l of [tfjs, fused]) {
    l.build(inputShape);
    l.setWeights(weights);
  }
  return { tfjs, fused };
}

/**
 * The fused BatchNorm layer on the active backend gives tfjs's layer's
 * output, gradients (x, γ, β), moving statistics and inference output.
 */
export function checkFusedBatchNorm(shape: number[]): void {
  assert(fusedBatchNormAvailable(), `${tf.getBackend()} registers the BatchNorm kernels`);
  const rng = new Random(shape.length * 10 + shape[0]);
  const channels = shape[shape.length - 1];
  const { tfjs, fused } = batchNormPair(rng, channels, shape);
  const x = randomTensor(rng, shape, 3);
  const w = randomTensor(rng, shape);
  const run = (layer: tf.layers.Layer) => {
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    let y!: tf.Tensor;
    const { value, grads } = tf.variableGrads(() => {
      y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
      return tf.sum(tf.mul(y, w)) as tf.Scalar;
    }, vars);
    const dx = tf.grad((input: tf.Tensor) =>
      tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, w))
    )(x);
    value.dispose();
    return { y, dx, grads: vars.map((v) => grads[v.name]), moving: layer.getWeights().slice(2) };
  };
  const a = run(tfjs);
  const b = run(fused);
  const outputs = maxDiff([a.y], [b.y]);
  assert(outputs < 1e-5, `outputs differ by ${outputs}`);
  const dx = maxDiff([a.dx], [b.dx]);
  assert(dx < 1e-4, `dx differs by ${dx}`);
  a.grads.forEach((g, i) => assert(maxDiff([g], [b.grads[i]]) < 1e-4, `grad ${i}`));
  // Two training passes each (value, then dx) moved the moving statistics alike.
  const initialMean = batchNormPair(new Random(0), channels, shape).tfjs.getWeights()[2];
  assert(maxDiff([a.moving[0]], [initialMean]) > 1e-2, "moving mean moved");
  a.moving.forEach((m, i) => assert(maxDiff([m], [b.moving[i]]) < 1e-5, `moving ${i}`));
  // Inference uses the moving statistics, on both.
  const inference = maxDiff(
    [tfjs.apply(x, { training: false }) as tf.Tensor],
    [fused.apply(x, { training: false }) as tf.Tensor],
  );
  assert(inference < 1e-5, `inference outputs differ by ${inference}`);
  assertEquals(fused.getClassName(), "BatchNormalization");
}

/** The fused BatchNorm layer leaks no tensors in training and inference. */
export function checkFusedBatchNormLeaks(): void {
  const rng = new Random(3);
  const { fused } = batchNormPair(rng, 4, [6, 4]);
  const x = randomTensor(rng, [6, 4]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    tf.tidy(() => {
      tf.variableGrads(
        () => tf.sum(fused.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        fused.trainableWeights.map((v) => v.read() as tf.Variable),
      );
      fused.apply(x, { training: false });
    });
  }
  assertEquals(tf.memory().numTensors, before);
}

/** Odd shapes for the optimizer: a one-element vector, a matrix, a conv kernel. */
const VARIABLE_SHAPES = [[1], [5, 7], [3, 3, 2, 5]];

/** Trains the same variables with the fused and the composed optimizer. */
export function optimizerTwin(options: OptimizerOptions, steps: number) {
  const rng = new Random(7);
  const init = VARIABLE_SHAPES.map((s) => randomTensor(rng, s));
  const fusedVars = init.map((t) => tf.variable(t));
  const composedVars = init.map((t) => tf.variable(t));
  const fused = new Optimizer(fusedVars, { ...options, fused: true });
  const composed = new Optimizer(composedVars, { ...options, fused: false });
  for (let i = 0; i < steps; i++) {
    const grads = VARIABLE_SHAPES.map((s) => randomTensor(rng, s, 0, 0.3));
    fused.apply(grads);
    composed.apply(grads);
    tf.dispose(grads);
  }
  return { init, fusedVars, composedVars, fused, composed };
}

/** Six fused updates on the active backend give the composed path's weights and slots. */
export function checkFusedOptimizer(options: OptimizerOptions): void {
  const backend = tf.getBackend();
  assert(tf.getKernel(FUSED[options.kind], backend), `fused kernel registered on ${backend}`);
  const t = optimizerTwin(options, 6);
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
}

/** Fused slots restore into the composed path and back, and the runs continue alike. */
export function checkFusedSlotsRestore(): void {
  const t = optimizerTwin({ kind: "adam", lr: 0.01, decay: 0 }, 3);
  const vars = t.fusedVars.map((v) => tf.variable(v));
  const resumed = new Optimizer(vars, { kind: "adam", lr: 0.01, decay: 0, fused: false });
  resumed.setSlots(t.fused.slots(), "fused");
  resumed.iterations = t.fused.iterations;
  const rng = new Random(9);
  const grads = VARIABLE_SHAPES.map((s) => randomTensor(rng, s, 0, 0.3));
  t.fused.apply(grads);
  resumed.apply(grads);
  assert(maxDiff(t.fusedVars, vars) < 1e-6);
  // And the other way: composed slots into a fused optimizer.
  const back = new Optimizer(t.composedVars, { kind: "adam", lr: 0.01, decay: 0, fused: true });
  back.setSlots(t.composed.slots(), "composed");
  assert(maxDiff(back.slots().map((s) => s.tensor), t.composed.slots().map((s) => s.tensor)) === 0);
}

/** The fused optimizer frees its handles and slot reads, and refuses a bad slot. */
export function checkFusedOptimizerFrees(): void {
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
}

/** The activations whose gradient has a kernel, as tfjs ops. */
export const ACTIVATIONS: [keyof typeof ACTIVATION_GRADS, (x: tf.Tensor) => tf.Tensor][] = [
  ["Relu", (x) => tf.relu(x)],
  ["LeakyRelu", (x) => tf.leakyRelu(x, 0.1)],
  ["Sigmoid", (x) => tf.sigmoid(x)],
];

/**
 * The activation's gradient runs its one kernel on the active backend, and
 * tfjs's own composed gradient on cpu, with equal values.
 */
export async function checkActivationGrad(
  name: keyof typeof ACTIVATION_GRADS,
  f: (x: tf.Tensor) => tf.Tensor,
): Promise<void> {
  useActivationGradKernels();
  const backend = tf.getBackend();
  const kernel = ACTIVATION_GRADS[name].kernel;
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
  assert(info.kernelNames.includes(kernel), info.kernelNames.join(" "));
  const fused = grad();
  await tf.setBackend("cpu");
  try {
    assert(!tf.getKernel(kernel, "cpu"));
    const tfjs = grad();
    fused.forEach((v, i) => assert(Math.abs(v - tfjs[i]) < 1e-6, `${i}: ${v} against ${tfjs[i]}`));
  } finally {
    await tf.setBackend(backend);
  }
}
