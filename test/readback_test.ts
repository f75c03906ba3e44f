import { assert, assertAlmostEquals } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { Random } from "../lib/infogan/random.ts";
import { ridgeR2 } from "../lib/eval/readback.ts";

await initBackend("cpu");

/** n rows of d features: feature 0 is y plus N(0, σ²) noise, the rest independent uniforms. */
function sample(rng: Random, n: number, d: number, sigma: number) {
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  const hidden = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = 2 * rng.next() - 1;
    hidden[i] = 2 * rng.next() - 1;
    for (let j = 1; j < d; j++) x[i * d + j] = 2 * rng.next() - 1;
    x[i * d] = y[i] + sigma * rng.normal();
  }
  return { x, y, hidden };
}

Deno.test("ridgeR2() recovers the known share of a code's variance, and ~0 for a code not in the image", () => {
  const rng = new Random(5);
  const d = 20;
  const fit = sample(rng, 3000, d, 0.1);
  const held = sample(rng, 1000, d, 0.1);
  // y ~ U(-1, 1) has variance 1/3; read through N(0, 0.01) noise, the best linear reader keeps
  // var(y) / (var(y) + σ²) of it.
  const expected = (1 / 3) / (1 / 3 + 0.01);
  assertAlmostEquals(ridgeR2(fit.x, fit.y, held.x, held.y, d, 1e-4), expected, 0.01);
  const none = ridgeR2(fit.x, fit.hidden, held.x, held.hidden, d, 1e-4);
  assert(Math.abs(none) < 0.03, `a code that is in no feature: R² ${none}`);
  // A stronger ridge shrinks the fit towards the mean: R² falls.
  assert(ridgeR2(fit.x, fit.y, held.x, held.y, d, 10) < expected - 0.1);
});
