import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { generate, linspace, sweep, tile } from "../lib/infogan/sample.ts";
import { createState, disposeState } from "../lib/infogan/state.ts";
import { tinyConfig } from "./helpers.ts";

await initBackend("wasm");

Deno.test("linspace() spans from..to inclusive", () => {
  assertEquals(linspace(-2, 2, 5), [-2, -1, 0, 1, 2]);
  assertEquals(linspace(1, 5, 1), [1]);
});

Deno.test("tile() lays images out row-major with gaps and maps [0, 1] to bytes", () => {
  const img = new Float32Array(2 * 3 * 28 * 28);
  img[28 * 28 * 4] = 1; // top-left pixel of image 4 (row 1, column 1)
  const grid = tile(img, { rows: 2, cols: 3, gap: 2 });
  assertEquals([grid.width, grid.height], [3 * 30 + 2, 2 * 30 + 2]);
  assertEquals(grid.pixels[(2 + 30) * grid.width + 2 + 30], 255);
  assertEquals(grid.pixels[(2 + 30) * grid.width + 2 + 31], 0);
  assertEquals(grid.pixels[0], 255); // gap
  assertThrows(() => tile(img, { rows: 3, cols: 3 }), RangeError, "expected 9 images");
});

Deno.test("sweep() fixes z along a row: only the swept code changes the image", async () => {
  const state = createState(tinyConfig());
  const { images, rows, cols } = await sweep(state.generator, state.config, {
    code: 1,
    values: [0, 0, 1],
    digits: [2, 5],
  });
  assertEquals([rows, cols, images.length], [2, 3, 2 * 3 * 784]);
  const img = (i: number) => Array.from(images.subarray(i * 784, (i + 1) * 784));
  assertEquals(img(0), img(1)); // same digit, z and codes
  assert(img(0).some((v, i) => v !== img(2)[i]), "changing c1 changed nothing");
  assert(img(0).some((v, i) => v !== img(3)[i]), "rows should use different z");
  disposeState(state);
});

Deno.test("generate() records the label and codes used, and honours fixed values", async () => {
  const state = createState(tinyConfig());
  const before = tf.memory().numTensors;
  const out = await generate(state.generator, state.config, {
    count: 300,
    digit: 4,
    c2: 0.25,
    seed: 1,
  });
  assertEquals(tf.memory().numTensors, before);
  assertEquals([out.images.length, out.labels.length, out.codes.length], [300 * 784, 300, 600]);
  assert(out.labels.every((l) => l === 4));
  assert(out.codes.every((c, i) => (i % 2 === 1 ? c === 0.25 : true)));
  const again = await generate(state.generator, state.config, {
    count: 300,
    digit: 4,
    c2: 0.25,
    seed: 1,
  });
  assertEquals(again.images, out.images);
  await assertRejects(
    () => generate(state.generator, state.config, { count: 1, digit: 10, seed: 0 }),
    RangeError,
    "expected digit in 0..9, found 10",
  );
  disposeState(state);
});
