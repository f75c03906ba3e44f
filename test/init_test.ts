import { assert, assertEquals } from "@std/assert";
import { initBackend } from "../lib/backend.ts";
import { buildDiscriminator } from "../lib/discriminator.ts";
import { Random } from "../lib/random.ts";
import { tinyConfig } from "./helpers.ts";

await initBackend("wasm");

Deno.test("initWeights() draws Glorot-uniform kernels and zero biases", () => {
  const d = buildDiscriminator(tinyConfig({ width: 1 }), new Random(3));
  const kernel = d.weights.find((w) => w.originalName === "d_conv4/kernel");
  const bias = d.weights.find((w) => w.originalName === "d_conv4/bias");
  const k = kernel?.read().dataSync() as Float32Array;
  const limit = Math.sqrt(6 / (25 * 128 + 25 * 256));
  assert(k.every((v) => Math.abs(v) <= limit));
  // A uniform draw fills its range: the extremes come close to ±limit.
  const [lo, hi] = k.reduce(([a, b], v) => [Math.min(a, v), Math.max(b, v)], [0, 0]);
  assert(hi > 0.99 * limit && lo < -0.99 * limit);
  assertEquals(Array.from(bias?.read().dataSync() ?? []).every((v) => v === 0), true);
  d.dispose();
});
