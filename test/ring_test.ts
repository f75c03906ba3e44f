import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { drawRing, modeCentre, RING } from "../lib/data/ring.ts";
import { Random } from "../lib/infogan/random.ts";

Deno.test("modeCentre() puts mode m at angle 2πm/modes on the circle", () => {
  const [x0, y0] = modeCentre(RING, 0);
  assertEquals([x0, y0], [1, 0]);
  const [x2, y2] = modeCentre({ ...RING, radius: 2 }, 2);
  assertAlmostEquals(x2, 0, 1e-12);
  assertAlmostEquals(y2, 2, 1e-12);
});

Deno.test("drawRing() draws each mode's points around its centre with the ring's std", () => {
  const n = 16_000;
  const { images, labels } = drawRing(RING, new Random(3), n);
  assertEquals([images.length, labels.length], [2 * n, n]);
  const sums = Array.from({ length: RING.modes }, () => ({ n: 0, x: 0, y: 0, sq: 0 }));
  for (let i = 0; i < n; i++) {
    const s = sums[labels[i]];
    const [cx, cy] = modeCentre(RING, labels[i]);
    s.n++;
    s.x += images[2 * i] - cx;
    s.y += images[2 * i + 1] - cy;
    s.sq += (images[2 * i] - cx) ** 2 + (images[2 * i + 1] - cy) ** 2;
  }
  for (const s of sums) {
    // About n/8 per mode; offsets average to 0; E[dx² + dy²] = 2σ².
    assert(Math.abs(s.n - n / 8) < 200, `${s.n}`);
    assertAlmostEquals(s.x / s.n, 0, 0.005);
    assertAlmostEquals(s.y / s.n, 0, 0.005);
    assertAlmostEquals(s.sq / s.n, 2 * RING.std ** 2, 0.0005);
  }
});

Deno.test("drawRing() rejects a ring it cannot draw, naming it", () => {
  assertThrows(
    () => drawRing({ modes: 8, radius: 1, std: 0 }, new Random(0), 4),
    RangeError,
    `found {"modes":8,"radius":1,"std":0}`,
  );
});
