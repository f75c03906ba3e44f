import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  bestMapping,
  confusion,
  majorityMapping,
  minCostAssignment,
  nameCategories,
  namingRule,
  perClassRecall,
} from "../lib/eval/assignment.ts";
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
  assertThrows(
    () => confusion([0, 3], [0, 0], 3),
    RangeError,
    "expected categories in 0..2 and classes in 0..2, found 3 and 0",
  );
  assertThrows(() => confusion([0], [0, 1], 3), RangeError, "equal lengths");
  assertThrows(() => minCostAssignment([[1, 2]]), RangeError, "square");
});

Deno.test("perClassRecall() is each class's matched count over its column total", () => {
  // counts[category][class]: category 0 holds 8 of class 1 and 2 of class 2,
  // category 1 holds 5 of class 0, category 2 holds 6 of class 2.
  const counts = [[0, 8, 2], [5, 0, 0], [0, 0, 6]];
  assertEquals(perClassRecall(counts, [1, 0, 2]), [1, 1, 6 / 8]);
  // A class that no category maps to scores 0; an empty class scores 0.
  assertEquals(perClassRecall([[3, 0], [1, 0]], [0, 0]), [1, 0]);
});

Deno.test("majorityMapping() names each category by its largest class, many to one", () => {
  // Four categories over two classes; category 3 is empty.
  const counts = [[7, 1], [5, 4], [2, 9], [0, 0]];
  const got = majorityMapping(counts);
  assertEquals(got.mapping, [0, 0, 1, -1]);
  assertAlmostEquals(got.accuracy, (7 + 5 + 9) / 28, 1e-12);
  // A rectangular confusion: 4 categories, 2 classes.
  assertEquals(confusion([0, 3, 2], [1, 0, 1], 4, 2), [[0, 1], [0, 0], [0, 1], [1, 0]]);
});

Deno.test("namingRule() is one-to-one for as many categories as classes, else majority", () => {
  assertEquals(
    [namingRule(10, 10), namingRule(20, 10), namingRule(5, 10)],
    ["hungarian", "majority", "majority"],
  );
  // Fewer categories than classes: the classes no category is named after count as wrong.
  const named = nameCategories([[6, 3, 1], [0, 2, 8]], namingRule(2, 3));
  assertEquals(named.mapping, [0, 2]);
  assertAlmostEquals(named.accuracy, (6 + 8) / 20, 1e-12);
});
