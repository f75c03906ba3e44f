import { assert, assertEquals, assertThrows } from "@std/assert";
import { shiftedViews, shiftImages } from "../lib/infogan/augment.ts";
import { Random } from "../lib/infogan/random.ts";

Deno.test("shiftImages() moves each image by its own (dx, dy) and fills the border with 0", () => {
  // Two 3×3 images: 1..9 and 10..18, row-major.
  const images = Float32Array.from({ length: 18 }, (_, i) => i + 1);
  const out = shiftImages(images, {
    dx: Int8Array.from([1, 0]),
    dy: Int8Array.from([0, -1]),
    size: 3,
  });
  // Image 0 one pixel right; image 1 one pixel up.
  assertEquals([...out.subarray(0, 9)], [0, 1, 2, 0, 4, 5, 0, 7, 8]);
  assertEquals([...out.subarray(9)], [13, 14, 15, 16, 17, 18, 0, 0, 0]);
  assertThrows(
    () => shiftImages(images, { dx: new Int8Array(3), dy: new Int8Array(3), size: 3 }),
    RangeError,
    "expected 3 images of 9 pixels, found 18 values",
  );
});

Deno.test("shiftedViews() gives two copies, each one shift within ±maxShift of the original", () => {
  const rng = new Random(5);
  const size = 8;
  const images = Float32Array.from({ length: 20 * size * size }, () => rng.next() + 0.5);
  const views = shiftedViews(new Random(9), images, { size, maxShift: 2 });
  const seen = new Set<string>();
  for (const view of views) {
    for (let i = 0; i < 20; i++) {
      const one = images.subarray(i * size * size, (i + 1) * size * size);
      const got = view.subarray(i * size * size, (i + 1) * size * size);
      // Exactly one of the 25 shifts reproduces this copy.
      const matches = [];
      for (let dx = -2; dx <= 2; dx++) {
        for (let dy = -2; dy <= 2; dy++) {
          const want = shiftImages(one, { dx: Int8Array.of(dx), dy: Int8Array.of(dy), size });
          if (want.every((v, j) => v === got[j])) matches.push(`${dx},${dy}`);
        }
      }
      assertEquals(matches.length, 1, `image ${i}`);
      seen.add(matches[0]);
    }
  }
  // 40 draws over 25 shifts use many of them, the extremes included.
  assert(seen.size >= 12, `${seen.size} shifts seen`);
});
