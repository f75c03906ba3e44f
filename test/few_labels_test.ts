import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { fewLabelAccuracy } from "../lib/eval/few_labels.ts";
import { Random } from "../lib/infogan/random.ts";

Deno.test("fewLabelAccuracy() is 1 on every draw when each category is one class", () => {
  const labels = Array.from({ length: 60 }, (_, i) => i % 3);
  const categories = labels.map((l) => [2, 0, 1][l]);
  const got = fewLabelAccuracy(categories, labels, {
    k: 3,
    classes: 3,
    rule: "hungarian",
    perClass: 5,
    draws: 4,
    rng: new Random(1),
  });
  assertEquals(got, { perClass: 5, draws: 4, mean: 1, min: 1, max: 1 });
});

Deno.test("fewLabelAccuracy() scores the naming on the unlabelled images only", () => {
  // Class 0: six images, all category 0. Class 1: five in category 1 and one
  // stray in category 0. With two labelled images per class the naming is
  // always 0→0, 1→1 (category 0 holds two labelled 0s and at most one 1), so
  // the eight unlabelled images score 8/8 when the stray was labelled and
  // 7/8 when it was not. Scoring all twelve would give 11/12.
  const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
  const categories = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0];
  const got = fewLabelAccuracy(categories, labels, {
    k: 2,
    classes: 2,
    rule: "hungarian",
    perClass: 2,
    draws: 60,
    rng: new Random(7),
  });
  assertEquals([got.min, got.max], [7 / 8, 1]);
  // The stray is labelled in a third of the draws.
  assertAlmostEquals(got.mean, 7 / 8 + (1 / 8) / 3, 0.03);
  assert(got.mean > got.min && got.mean < got.max);
});

const TWO = { k: 2, classes: 2, rule: "hungarian" } as const;

Deno.test("fewLabelAccuracy() names the class that has too few images", () => {
  const labels = [0, 0, 0, 1];
  assertThrows(
    () => fewLabelAccuracy(labels, labels, { ...TWO, perClass: 1, draws: 1, rng: new Random(0) }),
    RangeError,
    "more than 1 images of class 1, found 1",
  );
  assertThrows(
    () => fewLabelAccuracy([0], labels, { ...TWO, perClass: 1, draws: 1, rng: new Random(0) }),
    RangeError,
    "equal lengths, found 1 and 4",
  );
});

Deno.test("fewLabelAccuracy() by majority names several categories after one class", () => {
  // Four categories for two classes, three images each: 0 and 1 hold
  // class 0, 2 and 3 class 1. Three of a class's six images are labelled: a
  // category holding one of them is named after its class; one holding none
  // (when all three come from its sibling, 2 of the 20 draws of three) stays
  // unnamed and loses its three unlabelled images. So a draw scores 6/6, 3/6
  // or 0/6, and 1 − 0.5 · 2 · 0.1 = 0.9 on average.
  const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
  const categories = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3];
  const got = fewLabelAccuracy(categories, labels, {
    k: 4,
    classes: 2,
    rule: "majority",
    perClass: 3,
    draws: 200,
    rng: new Random(3),
  });
  assertEquals(got.max, 1);
  assert([0, 0.5].includes(got.min), JSON.stringify(got));
  assertAlmostEquals(got.mean, 0.9, 0.05);
});
