import { assert, assertEquals } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { buildDiscriminator } from "../lib/infogan/discriminator.ts";
import { Random } from "../lib/infogan/random.ts";
import { tinyConfig } from "./helpers.ts";

await initBackend("wasm");

Deno.test("initWeights() draws Glorot-uniform kernels and zero biases", () => {
  const d = buildDiscriminator(tinyConfig({ width: 1 }), new Random(3));
  const weight = (name: string) => {
    const w = d.weights.find((w) => w.originalName === name);
    if (!w) throw new Error(`expected a weight ${name}, found none`);
    return w.read().dataSync() as Float32Array;
  };
  const k = weight("d_conv4/kernel");
  const bias = weight("d_conv4/bias");
  const limit = Math.sqrt(6 / (25 * 128 + 25 * 256));
  assert(k.every((v) => Math.abs(v) <= limit));
  // A uniform draw fills its range: the extremes come close to ±limit.
  const [lo, hi] = k.reduce(([a, b], v) => [Math.min(a, v), Math.max(b, v)], [0, 0]);
  assert(hi > 0.99 * limit && lo < -0.99 * limit);
  // d_conv4 has 256 filters at width 1: one bias each, all zero.
  assertEquals(Array.from(bias), new Array(256).fill(0));
  d.dispose();
});

Deno.test("initWeights('normal') draws N(0, 0.02) kernels, truncated at 2σ for Conv2D only", () => {
  const config = tinyConfig({ width: 1, architecture: "paper", init: "normal" });
  const d = buildDiscriminator(config, new Random(3));
  const read = (name: string) =>
    d.weights.find((w) => w.originalName === name)?.read().dataSync() as Float32Array;
  const stats = (xs: Float32Array) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    return { mean, sd, max: xs.reduce((a, b) => Math.max(a, Math.abs(b)), 0) };
  };
  // Conv2D: every value within 2σ = 0.04; the truncated normal's sd is 0.88σ.
  const conv = stats(read("d_conv2/kernel"));
  assert(conv.max <= 0.04, `conv max ${conv.max}`);
  assert(Math.abs(conv.sd - 0.88 * 0.02) < 0.001, `conv sd ${conv.sd}`);
  // Dense: untruncated, so some of its 6 272·1 024 values lie beyond 2σ.
  const dense = stats(read("d_dense/kernel"));
  assert(dense.max > 0.06, `dense max ${dense.max}`);
  assert(Math.abs(dense.sd - 0.02) < 0.0005, `dense sd ${dense.sd}`);
  // BatchNorm: γ ~ N(1, 0.02), β = 0.
  const gamma = stats(read("d_bn3/gamma"));
  assert(Math.abs(gamma.mean - 1) < 0.005 && Math.abs(gamma.sd - 0.02) < 0.003);
  assert(read("d_bn3/beta").every((v) => v === 0));
  d.dispose();
});
