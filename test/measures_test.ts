import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { ranks, skeletonize, slant, spearman, strokeWidth } from "../lib/eval/measures.ts";

/**
 * A 28×28 stroke from (14 - dx, 4) to (14 + dx, 23), `thickness` pixels wide
 * horizontally: dx > 0 leans the top left, dx < 0 leans it right.
 */
function stroke(dx: number, thickness: number): Float32Array {
  const img = new Float32Array(28 * 28);
  for (let y = 4; y <= 23; y++) {
    const cx = 14 - dx + (2 * dx) * (y - 4) / 19;
    for (let x = 0; x < 28; x++) {
      if (Math.abs(x - cx) <= thickness / 2) img[y * 28 + x] = 1;
    }
  }
  return img;
}

Deno.test("slant() is 0 upright, positive leaning right, and grows with the lean", () => {
  assertAlmostEquals(slant(stroke(0, 3)), 0, 1e-9);
  const right = [1, 3, 5].map((d) => slant(stroke(-d, 3)));
  assert(right.every((s) => s > 0), `right-leaning strokes: ${right}`);
  assert(right[0] < right[1] && right[1] < right[2], `order: ${right}`);
  // A top 5 px right over 19 rows is atan(10/19) ≈ 27.8° for a line.
  assertAlmostEquals(right[2], Math.atan(10 / 19) * 180 / Math.PI, 1.5);
  assert(slant(stroke(3, 3)) < 0);
  assertEquals(slant(new Float32Array(784)), 0);
});

Deno.test("strokeWidth() follows the drawn thickness and skeletons are one pixel wide", () => {
  for (const dx of [0, -4]) {
    const widths = [1, 3, 5].map((t) => strokeWidth(stroke(dx, t)));
    assert(widths[0] < widths[1] && widths[1] < widths[2], `order at lean ${dx}: ${widths}`);
    // Thinning shortens each end by about half the width, so a 20-px stroke
    // reads up to a third wider than drawn; never narrower.
    [1, 3, 5].forEach((t, i) => assert(widths[i] >= t * 0.9 && widths[i] <= t * 1.4, `${widths}`));
  }
  const skeleton = skeletonize(Uint8Array.from(stroke(0, 5)));
  for (let y = 0; y < 28; y++) {
    let row = 0;
    for (let x = 0; x < 28; x++) row += skeleton[y * 28 + x];
    assert(row <= 1, `row ${y} keeps ${row} pixels`);
  }
  assertEquals(strokeWidth(new Float32Array(784)), 0);
});

Deno.test("spearman() is ±1 for monotone series, averages ties, NaN when constant", () => {
  assertEquals(spearman([1, 2, 3, 4], [10, 20, 25, 100]), 1);
  assertEquals(spearman([1, 2, 3, 4], [5, 3, 2, -1]), -1);
  assertEquals([...ranks([3, 1, 3, 2])], [3.5, 1, 3.5, 2]);
  // Hand-computed: ranks [1,2,3,4] vs [2,1,4,3] → 1 - 6·4/(4·15) = 0.6.
  assertAlmostEquals(spearman([1, 2, 3, 4], [2, 1, 4, 3]), 0.6, 1e-12);
  assert(Number.isNaN(spearman([1, 2, 3], [7, 7, 7])));
});
