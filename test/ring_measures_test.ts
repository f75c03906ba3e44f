import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { modeCentre, RING } from "../lib/data/ring.ts";
import { modeOf, ringMeasures } from "../lib/eval/ring_measures.ts";
import {
  jsDivergence,
  optimalDiscriminator,
  ringDensity,
  ringGrid,
} from "../lib/eval/ring_density.ts";

/** `n` points exactly on mode `mode[i]`'s centre, x, y interleaved. */
function onModes(modes: number[]): Float32Array {
  return Float32Array.from(modes.flatMap((m) => modeCentre(RING, m)));
}

Deno.test("modeOf() is the mode within 3σ, else -1", () => {
  const [x, y] = modeCentre(RING, 3);
  assertEquals(modeOf(RING, x, y), 3);
  assertEquals(modeOf(RING, x + 2.9 * RING.std, y), 3);
  assertEquals(modeOf(RING, x + 3.1 * RING.std, y), -1);
  assertEquals(modeOf(RING, 0, 0), -1);
  // Mode 0 from below the x axis (angle just under 2π).
  assertEquals(modeOf(RING, 1, -0.01), 0);
});

Deno.test("ringMeasures() finds the permutation of categories onto modes", () => {
  const perm = [3, 4, 5, 6, 7, 0, 1, 2];
  const categories = Array.from({ length: 80 }, (_, i) => i % 8);
  const m = ringMeasures(onModes(categories.map((c) => perm[c])), categories, { ring: RING, k: 8 });
  assertEquals(m.mapping, perm);
  assertEquals([m.accuracy, m.onMode, m.modesCovered], [1, 1, 8]);
  assertEquals(m.shares[0][3], 1);
});

Deno.test("ringMeasures() on a collapsed G: one mode covered, off-mode points count as wrong", () => {
  // 40 points on mode 2 whatever their category, 40 at the centre (off every mode).
  const categories = Array.from({ length: 80 }, (_, i) => i % 8);
  const points = new Float32Array(160);
  points.set(onModes(new Array(40).fill(2)));
  const m = ringMeasures(points, categories, { ring: RING, k: 8 });
  assertEquals([m.onMode, m.modesCovered], [0.5, 1]);
  // One category can take mode 2: its 5 on-mode points of 80.
  assertEquals(m.accuracy, 5 / 80);
  assertThrows(() => ringMeasures(points, [0], { ring: RING, k: 8 }), RangeError, "expected 2");
});

Deno.test("ringMeasures() with 6 categories for 8 modes matches 6 pairs", () => {
  // Category c on mode c, and category 0 also on modes 6 and 7.
  const modes = [0, 1, 2, 3, 4, 5, 6, 7];
  const categories = [0, 1, 2, 3, 4, 5, 0, 0];
  const m = ringMeasures(onModes(modes), categories, { ring: RING, k: 6 });
  assertEquals(m.mapping, [0, 1, 2, 3, 4, 5]);
  assertEquals([m.accuracy, m.modesCovered], [6 / 8, 8]);
});

Deno.test("ringDensity() integrates to 1; JSD is 0 for equal densities and ln 2 for disjoint ones", () => {
  const grid = { extent: 1.5, cells: 150 };
  const p = ringGrid(RING, grid);
  const cell = (2 * grid.extent / grid.cells) ** 2;
  assertAlmostEquals(p.reduce((a, b) => a + b, 0) * cell, 1, 1e-3);
  assertAlmostEquals(jsDivergence(p, p), 0, 1e-12);
  const left = p.map((v, i) => (i % grid.cells < grid.cells / 2 ? v : 0));
  const right = p.map((v, i) => (i % grid.cells < grid.cells / 2 ? 0 : v));
  assertAlmostEquals(jsDivergence(left, right), Math.log(2), 1e-9);
  assertThrows(() => jsDivergence(p, new Float64Array(p.length)), RangeError, "with mass");
  // The peak of one mode: 1/(8·2πσ²).
  assertAlmostEquals(ringDensity(RING, 1, 0), 1 / (8 * 2 * Math.PI * RING.std ** 2), 1e-6);
});

Deno.test("optimalDiscriminator() is p/(p+q), ½ where both vanish", () => {
  const d = optimalDiscriminator(Float64Array.of(1, 0, 0, 3), Float64Array.of(1, 2, 0, 1));
  assertEquals([...d], [0.5, 0, 0.5, 0.75]);
  assert(d.every((x) => x >= 0 && x <= 1));
});
