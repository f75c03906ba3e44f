import { assert, assertEquals, assertThrows } from "@std/assert";
import { augmentedViews, shearImages, shiftImages } from "../lib/infogan/augment.ts";
import { slant } from "../lib/eval/measures.ts";
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

Deno.test("augmentedViews() without shear gives two copies, each one shift within ±maxShift", () => {
  const rng = new Random(5);
  const size = 8;
  const images = Float32Array.from({ length: 20 * size * size }, () => rng.next() + 0.5);
  const views = augmentedViews(new Random(9), images, { size, maxShift: 2, maxShear: 0 });
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

Deno.test("shearImages() leans the top right for a positive angle, interpolating along rows", () => {
  // A vertical line through the centre column of a 9×9 image, and a blank image.
  const size = 9;
  const line = new Float32Array(2 * size * size);
  for (let y = 0; y < size; y++) line[y * size + 4] = 1;
  const out = shearImages(line, { degrees: Float32Array.of(45, 10), size });
  // tan 45° = 1: row y moves right by 4 − y, so the line runs from (8, 0) to (0, 8).
  for (let y = 0; y < size; y++) {
    // tan 45° is 1 within rounding, so compare at 6 decimals.
    const row = [...out.subarray(y * size, (y + 1) * size)].map((v) => +v.toFixed(6));
    assertEquals(row.indexOf(1), 8 - y, `row ${y}`);
    assertEquals(row.reduce((a, b) => a + b, 0), 1, `row ${y}`);
  }
  assert(slant(out.subarray(0, size * size), size) > 40, "the top leans right");
  // A blank image stays blank; at 0° an image is unchanged.
  assertEquals([...out.subarray(size * size)].every((v) => v === 0), true);
  const same = shearImages(line.subarray(0, size * size), { degrees: Float32Array.of(0), size });
  assertEquals([...same], [...line.subarray(0, size * size)]);
  // Half a pixel: row 3 of a 9×9 image moves by tan(θ)·1 = 0.5 and splits the pixel in two.
  const half = (Math.atan(0.5) * 180) / Math.PI;
  const split = shearImages(line.subarray(0, size * size), {
    degrees: Float32Array.of(half),
    size,
  });
  assertEquals([...split.subarray(3 * size + 4, 3 * size + 6)].map((v) => +v.toFixed(5)), [
    0.5,
    0.5,
  ]);
  assertThrows(
    () => shearImages(line, { degrees: new Float32Array(3), size }),
    RangeError,
    "expected 3 images of 81 pixels, found 162 values",
  );
});

Deno.test("augmentedViews() with shear gives copies whose slants spread within ±maxShear", () => {
  const size = 28;
  // One upright bar, 20 times.
  const bar = new Float32Array(size * size);
  for (let y = 4; y < 24; y++) for (let x = 12; x < 16; x++) bar[y * size + x] = 1;
  const images = new Float32Array(20 * size * size);
  for (let i = 0; i < 20; i++) images.set(bar, i * size * size);
  const [a, b] = augmentedViews(new Random(3), images, { size, maxShift: 2, maxShear: 15 });
  const slants = [a, b].flatMap((v) =>
    Array.from({ length: 20 }, (_, i) => slant(v.subarray(i * size * size, (i + 1) * size * size)))
  );
  assert(slants.every((s) => Math.abs(s) <= 15.5), `${slants}`);
  assert(Math.max(...slants) > 5 && Math.min(...slants) < -5, `${slants}`);
  // Each image's two copies are sheared independently.
  assert(slants.slice(0, 20).some((s, i) => Math.abs(s - slants[20 + i]) > 3));
});

Deno.test("augmentedViews() with views 1 gives one copy, the first of the two it draws by default", () => {
  const size = 8;
  const rng = new Random(5);
  const images = Float32Array.from({ length: 4 * size * size }, () => rng.next() + 0.5);
  const options = { size, maxShift: 2, maxShear: 10 };
  const one = augmentedViews(new Random(9), images, { ...options, views: 1 });
  const two = augmentedViews(new Random(9), images, options);
  assertEquals(one.length, 1);
  assertEquals(two.length, 2);
  assertEquals(one[0], two[0]);
  assert(two[0].some((v, i) => v !== two[1][i]), "the two copies differ");
});
