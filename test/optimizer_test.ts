import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { Optimizer } from "../lib/infogan/optimizer.ts";

await tf.setBackend("cpu");

Deno.test("Optimizer rmsprop follows Keras 3: v = ρv + (1-ρ)g², w -= lr·g/√(v + ε)", () => {
  const w = tf.variable(tf.tensor1d([1, -2]));
  const opt = new Optimizer([w], { kind: "rmsprop", lr: 0.1, decay: 0 });
  opt.apply([tf.tensor1d([0.5, -1])]);
  // v = 0.1·g², so each weight moves by 0.1·g/√(0.1·g² + 1e-7).
  const step = (g: number, v: number) => 0.1 * g / Math.sqrt(v + 1e-7);
  const [a, b] = w.dataSync();
  assertAlmostEquals(a, 1 - step(0.5, 0.025), 1e-6);
  assertAlmostEquals(b, -2 - step(-1, 0.1), 1e-6);
  opt.apply([tf.tensor1d([0.5, -1])]);
  // v = 0.9·0.1g² + 0.1g² = 0.19g².
  assertAlmostEquals(w.dataSync()[0], 1 - step(0.5, 0.025) - step(0.5, 0.19 * 0.25), 1e-6);
  // ε sits inside the root: a zero gradient history gives lr·g/√ε, not lr·g/ε.
  const z = tf.variable(tf.tensor1d([0]));
  new Optimizer([z], { kind: "rmsprop", lr: 1e-3, decay: 0, rho: 1 - 1e-9 }).apply([
    tf.tensor1d([1e-9]),
  ]);
  assertAlmostEquals(z.dataSync()[0], -1e-3 * 1e-9 / Math.sqrt(1e-27 + 1e-7), 1e-12);
  assertEquals(opt.iterations, 2);
});

Deno.test("Optimizer applies Keras inverse-time decay lr / (1 + decay·t)", () => {
  const w = tf.variable(tf.tensor1d([0]));
  const opt = new Optimizer([w], { kind: "rmsprop", lr: 2e-4, decay: 0.5 });
  assertEquals(opt.currentLr(), 2e-4);
  opt.apply([tf.tensor1d([1])]);
  assertAlmostEquals(opt.currentLr(), 2e-4 / 1.5, 1e-12);
  opt.iterations = 40_000;
  assertAlmostEquals(opt.currentLr(), 2e-4 / (1 + 0.5 * 40_000), 1e-15);
});

Deno.test("Optimizer adam matches the bias-corrected update computed by hand", () => {
  const w = tf.variable(tf.tensor1d([1]));
  const opt = new Optimizer([w], { kind: "adam", lr: 0.01, decay: 0, beta1: 0.5 });
  opt.apply([tf.tensor1d([2])]);
  // t = 1: m = 0.5·2 = 1, v = 0.001·4; α = lr·√(1-0.999)/(1-0.5).
  const alpha = 0.01 * Math.sqrt(0.001) / 0.5;
  assertAlmostEquals(w.dataSync()[0], 1 - alpha * 1 / (Math.sqrt(0.004) + 1e-7), 1e-6);
});

Deno.test("Optimizer.setSlots() restores slots and rejects mismatched shapes", () => {
  const w = tf.variable(tf.tensor1d([1, 2]));
  const a = new Optimizer([w], { kind: "rmsprop", lr: 0.1, decay: 0 });
  a.apply([tf.tensor1d([1, 1])]);
  const b = new Optimizer([w], { kind: "rmsprop", lr: 0.1, decay: 0 });
  b.setSlots(a.slots(), "test");
  assertEquals(
    Array.from(b.slots()[0].tensor.dataSync()),
    Array.from(a.slots()[0].tensor.dataSync()),
  );
  assertThrows(
    () => b.setSlots([{ name: "var0/slot0", tensor: tf.zeros([3]) }], "opt.json"),
    Error,
    "opt.json: expected slot var0/slot0 of shape [2], found var0/slot0 of shape [3]",
  );
  assertThrows(() => b.apply([]), Error, "expected 1 gradients, found 0");
});

Deno.test("Optimizer creates and frees its slots without leaking tensors", () => {
  const w = tf.variable(tf.zeros([3]));
  const before = tf.memory().numTensors;
  const opt = new Optimizer([w], { kind: "adam", lr: 0.1, decay: 0 });
  assertEquals(tf.memory().numTensors, before + 2);
  opt.dispose();
  assertEquals(tf.memory().numTensors, before);
});
