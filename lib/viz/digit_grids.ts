/**
 * Grids of digits for the notebooks: real examples, the label code per row,
 * and the paper's Figure 2 (a) layout of categories as columns.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { type InfoGanConfig } from "../infogan/config.ts";
import { IMAGE_SIZE } from "../infogan/generator.ts";
import { generate } from "../infogan/sample.ts";
import { digitGrid } from "../viz/images.ts";
import { type PlotElement } from "../viz/plot.ts";

/** Labelled images as bytes 0..255, image by image (an MNIST split fits). */
export interface LabelledImages {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

/** A digit grid of the first `count` examples of a dataset (real digits). */
export function realDigits(
  dataset: LabelledImages,
  options: { count?: number; cols?: number; scale?: number } = {},
): PlotElement {
  const count = Math.min(options.count ?? 40, dataset.count);
  const cols = options.cols ?? 10;
  const px = dataset.height * dataset.width;
  const labels = Array.from(dataset.labels.subarray(0, count));
  const caption = `labels, row by row: ${
    Array.from(
      { length: Math.ceil(count / cols) },
      (_, r) => labels.slice(r * cols, (r + 1) * cols).join(" "),
    ).join(" | ")
  }`;
  return digitGrid(dataset.images.subarray(0, count * px), {
    cols,
    scale: options.scale ?? 2,
    caption,
  });
}

/**
 * Generated digits with the label code fixed per row: row d uses label d
 * and `cols` different noise draws (codes from the prior). When the label
 * code controls the class, every row shows one digit.
 */
export async function labelGrid(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { cols?: number; seed?: number; scale?: number } = {},
): Promise<PlotElement> {
  const cols = options.cols ?? 10;
  const px = IMAGE_SIZE * IMAGE_SIZE;
  const images = new Uint8Array(config.numLabels * cols * px);
  for (let d = 0; d < config.numLabels; d++) {
    const out = await generate(generator, config, {
      count: cols,
      digit: d,
      seed: (options.seed ?? 0) + d,
    });
    images.set(out.images, d * cols * px);
  }
  return digitGrid(images, {
    cols,
    scale: options.scale ?? 2,
    caption: `row d: label code d (0 at the top), ${cols} noise draws each`,
  });
}

/**
 * The paper's Figure 2 (a) layout: column d shows the category that draws
 * digit d (`mapping[category] = digit`, from `evaluate`'s Hungarian mapping,
 * or the identity for a supervised run), and each row is one noise draw.
 */
export async function categoryGrid(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { mapping: readonly number[]; rows?: number; seed?: number; scale?: number },
): Promise<PlotElement> {
  const k = config.numLabels;
  const rows = options.rows ?? 5;
  const { mapping } = options;
  if (mapping.length !== k || new Set(mapping).size !== k) {
    throw new RangeError(
      `categoryGrid: expected a one-to-one mapping of ${k} categories, found [${mapping}]`,
    );
  }
  const px = IMAGE_SIZE * IMAGE_SIZE;
  const images = new Uint8Array(rows * k * px);
  for (let category = 0; category < k; category++) {
    // The same seed in every column: a row keeps its noise and codes, only the category changes.
    const out = await generate(generator, config, {
      count: rows,
      digit: category,
      seed: options.seed ?? 0,
    });
    for (let r = 0; r < rows; r++) {
      images.set(out.images.subarray(r * px, (r + 1) * px), (r * k + mapping[category]) * px);
    }
  }
  return digitGrid(images, {
    cols: k,
    scale: options.scale ?? 2,
    caption: `column d: the category that draws digit d (categories ${
      mapping.map((_, c) => c).sort((a, b) => mapping[a] - mapping[b]).join(", ")
    }); ${rows} noise draws`,
  });
}
