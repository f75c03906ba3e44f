import { assertEquals, assertThrows } from "@std/assert";
import { misnamedGrid, misnamedIndices } from "../lib/eval/misnamed.ts";

Deno.test("misnamedIndices() keeps, per class, the first images named another class", () => {
  // Categories 0 and 1 are named class 0, category 2 class 1.
  const mapping = [0, 0, 1];
  const labels = [0, 0, 1, 1, 0, 1, 0];
  const categories = [1, 2, 2, 0, 2, 1, 2];
  // Misnamed: image 1 (a 0 in category 2), 3 (a 1 named 0), 4, 5, 6.
  assertEquals(misnamedIndices(labels, categories, mapping, { classes: 2, perClass: 9 }), [
    [1, 4, 6],
    [3, 5],
  ]);
  assertEquals(misnamedIndices(labels, categories, mapping, { classes: 2, perClass: 2 }), [
    [1, 4],
    [3, 5],
  ]);
});

Deno.test("misnamedIndices() refuses mismatched lengths and unnamed categories", () => {
  assertThrows(
    () => misnamedIndices([0, 1], [0], [0], { classes: 2, perClass: 1 }),
    RangeError,
    "expected one category per label, found 1 categories for 2 labels",
  );
  assertThrows(
    () => misnamedIndices([0], [3], [0, 1], { classes: 2, perClass: 1 }),
    RangeError,
    "image 0 has category 3, which the mapping (2 categories) does not name",
  );
});

/** 28×28 images, image n one grey level `levels[n]` throughout. */
function greyImages(...levels: number[]): Uint8Array {
  const px = 28 * 28;
  const images = new Uint8Array(levels.length * px);
  levels.forEach((level, n) => images.fill(level, n * px, (n + 1) * px));
  return images;
}

Deno.test("misnamedGrid() puts image n of row r at column c, black where a row is short", () => {
  const images = greyImages(10, 20, 30);
  const { pixels, width, height } = misnamedGrid(images, [[2, 0], [1]], 2);
  assertEquals([width, height], [56, 56]);
  const at = (x: number, y: number) => pixels[y * width + x];
  assertEquals([at(0, 0), at(27, 27), at(28, 0), at(55, 27)], [30, 30, 10, 10]);
  assertEquals([at(0, 28), at(27, 55), at(28, 28), at(55, 55)], [20, 20, 0, 0]);
});

Deno.test("misnamedGrid() draws only the first perClass images of a longer row", () => {
  const images = greyImages(10, 20, 30);
  const { pixels, width, height } = misnamedGrid(images, [[0, 1, 2], []], 2);
  assertEquals([width, height], [56, 56]);
  const at = (x: number, y: number) => pixels[y * width + x];
  // Row 0 holds images 0 and 1; image 2 spills nowhere, so row 1 stays black.
  assertEquals([at(0, 0), at(28, 0), at(0, 28), at(55, 55)], [10, 20, 0, 0]);
});
