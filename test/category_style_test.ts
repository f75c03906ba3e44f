import { assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { PAPER } from "../lib/infogan/presets.ts";
import { createState, disposeState } from "../lib/infogan/state.ts";
import { generate } from "../lib/infogan/sample.ts";
import { slant, strokeWidth } from "../lib/eval/measures.ts";
import { categoryStyles, styleSpread } from "../lib/eval/category_style.ts";

await initBackend("cpu");

Deno.test("styleSpread() gives the slant and width range within each digit's categories", () => {
  const styles = [
    { category: 0, digit: 4, slant: -15, width: 2.7 },
    { category: 1, digit: 7, slant: 3, width: 3.0 },
    { category: 2, digit: 4, slant: 18, width: 2.8 },
    { category: 3, digit: 1, slant: 1, width: 2.5 },
    { category: 4, digit: 4, slant: 2, width: 3.2 },
    { category: 5, digit: 1, slant: 21, width: 2.9 },
  ];
  const spread = styleSpread(styles);
  // Digit 7 has one category, so it has no spread; digits come in order.
  assertEquals(spread.map((s) => [s.digit, s.categories]), [[1, [3, 5]], [4, [0, 2, 4]]]);
  assertAlmostEquals(spread[0].slantRange, 20);
  assertAlmostEquals(spread[0].widthRange, 0.4);
  assertAlmostEquals(spread[1].slantRange, 33);
  assertAlmostEquals(spread[1].widthRange, 0.5);
});

Deno.test("categoryStyles() averages slant and width over each category's generated digits", async () => {
  const config = { ...PAPER, width: 0.125 };
  const state = createState(config);
  try {
    const mapping = [3, 3, 0, 1, 2, 4, 5, 6, 7, 8];
    const styles = await categoryStyles(state.generator, config, {
      mapping,
      perCategory: 4,
      seed: 2,
    });
    assertEquals(styles.map((s) => [s.category, s.digit]), mapping.map((d, c) => [c, d]));
    // Category 1's four images, measured one by one.
    const g = await generate(state.generator, config, { count: 4, digit: 1, seed: 2 });
    const images = [0, 1, 2, 3].map((i) =>
      Float32Array.from(g.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255)
    );
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assertAlmostEquals(styles[1].slant, mean(images.map((im) => slant(im))), 1e-9);
    assertAlmostEquals(styles[1].width, mean(images.map((im) => strokeWidth(im))), 1e-9);
    await assertRejects(
      () => categoryStyles(state.generator, config, { mapping: [0, 1], perCategory: 1, seed: 0 }),
      RangeError,
      "for each of 10 categories, found 2",
    );
  } finally {
    disposeState(state);
  }
});
