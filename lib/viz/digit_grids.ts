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
 * The paper's Figure 2 (a) layout: each column is one category, placed by the
 * digit it draws (`mapping[category] = digit`, from `evaluate`'s mapping, or
 * the identity for a supervised run), and each row is one noise draw. With a
 * one-to-one mapping column d shows the category that draws digit d; with
 * more categories than digits (Cat(20) named by majority) the categories of
 * one digit sit side by side.
 */
export async function categoryGrid(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { mapping: readonly number[]; rows?: number; seed?: number; scale?: number },
): Promise<PlotElement> {
  const k = config.numLabels;
  const rows = options.rows ?? 5;
  const { mapping } = options;
  if (mapping.length !== k || mapping.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(
      `categoryGrid: expected a digit (an integer ≥ 0) for each of ${k} categories, found [${mapping}]`,
    );
  }
  // Columns in digit order; categories of the same digit by their index.
  const order = mapping.map((_, c) => c).sort((a, b) => mapping[a] - mapping[b] || a - b);
  const px = IMAGE_SIZE * IMAGE_SIZE;
  const images = new Uint8Array(rows * k * px);
  for (const [column, category] of order.entries()) {
    // The same seed in every column: a row keeps its noise and codes, only the category changes.
    const out = await generate(generator, config, {
      count: rows,
      digit: category,
      seed: options.seed ?? 0,
    });
    for (let r = 0; r < rows; r++) {
      images.set(out.images.subarray(r * px, (r + 1) * px), (r * k + column) * px);
    }
  }
  const oneToOne = new Set(mapping).size === k && mapping.every((d) => d < k);
  const columns = oneToOne
    ? `column d: the category that draws digit d (categories ${order.join(", ")})`
    : `columns by the digit drawn (${order.map((c) => mapping[c]).join(", ")}): categories ${
      order.join(", ")
    }`;
  return digitGrid(images, {
    cols: k,
    scale: options.scale ?? 2,
    caption: `${columns}; ${rows} noise draws`,
  });
}
