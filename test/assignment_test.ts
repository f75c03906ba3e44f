import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { bestMapping, confusion, minCostAssignment } from "../lib/eval/assignment.ts";
import { Random } from "../lib/infogan/random.ts";

function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])
  );
}

Deno.test("minCostAssignment() matches brute force on random 6×6 matrices", () => {
  const rng = new Random(3);
  const all = permutations(6);
  for (let trial = 0; trial < 20; trial++) {
    const cost = Array.from({ length: 6 }, () => Array.from({ length: 6 }, () => rng.int(50)));
    const total = (p: number[]) => p.reduce((s, c, r) => s + cost[r][c], 0);
    const best = Math.min(...all.map(total));
    const got = minCostAssignment(cost);
    assertEquals([...got].sort(), [0, 1, 2, 3, 4, 5]);
    assertEquals(total(got), best);
  }
});

Deno.test("bestMapping() on a known confusion matrix: categories permuted, 2 of 3 swapped", () => {
  // Category 0 draws mostly 2s, category 1 mostly 0s, category 2 mostly 1s;
  // the greedy row maximum would send both 1 and 2 to digit 0.
  const counts = [
    [1, 0, 8],
    [9, 1, 0],
    [6, 4, 0],
  ];
  const { mapping, accuracy } = bestMapping(counts);
  assertEquals(mapping, [2, 0, 1]);
  assertAlmostEquals(accuracy, (8 + 9 + 4) / 29, 1e-12);
});

Deno.test("confusion() counts pairs and rejects out-of-range indices", () => {
  assertEquals(confusion([0, 1, 1, 2], [2, 0, 0, 1], 3), [[0, 0, 1], [2, 0, 0], [0, 1, 0]]);
  assertThrows(() => confusion([0, 3], [0, 0], 3), RangeError, "expected indices in 0..2");
  assertThrows(() => confusion([0], [0, 1], 3), RangeError, "equal lengths");
  assertThrows(() => minCostAssignment([[1, 2]]), RangeError, "square");
});
