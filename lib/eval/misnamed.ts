/**
 * The test images Q names wrongly, drawn as one grid: row d holds the first
 * images of class d whose category is named another class. An accuracy says
 * how many digits a model loses; this grid shows which ones, for example a
 * style of a digit (crossed 7s) that shares a category with another digit.
 *
 * @module
 */
import { loadDataset } from "../data/mnist.ts";
import { logitsView } from "../infogan/discriminator.ts";
import { IMAGE_SIZE } from "../infogan/generator.ts";
import { loadModels } from "../io/checkpoint.ts";
import { classify } from "./classifier.ts";

/**
 * For each class, the indices of the first `perClass` images whose category
 * (`categories[n]`, named by `mapping`) is not their label, in test order.
 */
export function misnamedIndices(
  labels: ArrayLike<number>,
  categories: ArrayLike<number>,
  mapping: readonly number[],
  options: { classes: number; perClass: number },
): number[][] {
  if (labels.length !== categories.length) {
    throw new RangeError(
      `misnamedIndices(): expected one category per label, found ${categories.length} categories for ${labels.length} labels`,
    );
  }
  const rows: number[][] = Array.from({ length: options.classes }, () => []);
  for (let n = 0; n < labels.length; n++) {
    const named = mapping[categories[n]];
    if (named === undefined) {
      throw new RangeError(
        `misnamedIndices(): image ${n} has category ${
          categories[n]
        }, which the mapping (${mapping.length} categories) does not name`,
      );
    }
    const row = rows[labels[n]];
    if (named !== labels[n] && row.length < options.perClass) row.push(n);
  }
  return rows;
}

/**
 * Grey pixels of the grid: a 28-pixel row per class, its first `perClass`
 * images across, black where a class has fewer misnamed images. `images`
 * holds n·28·28 bytes (0–255), as the IDX files do.
 */
export function misnamedGrid(
  images: Uint8Array,
  rows: readonly (readonly number[])[],
  perClass: number,
): { pixels: Uint8Array; width: number; height: number } {
  const side = IMAGE_SIZE;
  const width = perClass * side;
  const height = rows.length * side;
  const pixels = new Uint8Array(width * height);
  rows.forEach((row, r) =>
    row.slice(0, perClass).forEach((n, c) => {
      for (let y = 0; y < side; y++) {
        const from = (n * side + y) * side;
        pixels.set(images.subarray(from, from + side), (r * side + y) * width + c * side);
      }
    })
  );
  return { pixels, width, height };
}

/**
 * The grid of the test images that the Q head of the checkpoint at `path`
 * names wrongly, its categories named by `mapping` (an evaluation's
 * `qTest.mapping`). A checkpoint without a discriminator is an error.
 */
export async function misnamedTestImages(
  path: string,
  mapping: readonly number[],
  perClass: number,
): Promise<{ pixels: Uint8Array; width: number; height: number; counts: number[] }> {
  const models = await loadModels(path);
  try {
    if (!models.discriminator) {
      throw new Error(`${path}: holds no discriminator, so Q cannot name test images`);
    }
    const test = await loadDataset({ split: "test", dir: models.config.data || undefined });
    const categories = await classify(
      logitsView(models.discriminator),
      Float32Array.from(test.images, (v) => v / 255),
      { output: 1 },
    );
    const classes = Math.max(...test.labels) + 1;
    const all = misnamedIndices(test.labels, categories, mapping, {
      classes,
      perClass: test.labels.length,
    });
    return { ...misnamedGrid(test.images, all, perClass), counts: all.map((r) => r.length) };
  } finally {
    models.generator.dispose();
    models.discriminator?.dispose();
  }
}
