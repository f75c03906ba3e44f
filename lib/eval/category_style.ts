/**
 * The style of each category: the mean slant and stroke width of the digits a
 * generator draws for it, with z and the continuous codes drawn from the
 * prior. With more categories than digits (Cat(20) named by majority), the
 * spread between the categories of one digit shows which style splits them.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { InfoGanConfig } from "../infogan/config.ts";
import { IMAGE_SIZE } from "../infogan/generator.ts";
import { generate } from "../infogan/sample.ts";
import { slant, strokeWidth } from "./measures.ts";

/** One category's digit (by the mapping) and the mean style of its images. */
export interface CategoryStyle {
  category: number;
  digit: number;
  /** Mean slant in degrees. */
  slant: number;
  /** Mean stroke width in pixels. */
  width: number;
}

/** The mean slant and width of `perCategory` generated images of each category. */
export async function categoryStyles(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { mapping: readonly number[]; perCategory: number; seed: number },
): Promise<CategoryStyle[]> {
  const { mapping, perCategory } = options;
  if (mapping.length !== config.numLabels) {
    throw new RangeError(
      `categoryStyles: expected a digit for each of ${config.numLabels} categories, found ${mapping.length}`,
    );
  }
  const px = IMAGE_SIZE * IMAGE_SIZE;
  const out: CategoryStyle[] = [];
  for (let category = 0; category < config.numLabels; category++) {
    const g = await generate(generator, config, {
      count: perCategory,
      digit: category,
      seed: options.seed,
    });
    let s = 0;
    let w = 0;
    for (let i = 0; i < perCategory; i++) {
      const image = Float32Array.from(g.images.subarray(i * px, (i + 1) * px), (v) => v / 255);
      s += slant(image);
      w += strokeWidth(image);
    }
    out.push({
      category,
      digit: mapping[category],
      slant: s / perCategory,
      width: w / perCategory,
    });
  }
  return out;
}

/** For each digit named by two or more categories: how far apart their mean styles lie. */
export interface StyleSpread {
  digit: number;
  categories: number[];
  /** Largest minus smallest mean slant among them, in degrees. */
  slantRange: number;
  /** Largest minus smallest mean stroke width among them, in pixels. */
  widthRange: number;
}

/** The spread of mean style within each digit's categories, digits in order. */
export function styleSpread(styles: readonly CategoryStyle[]): StyleSpread[] {
  const digits = [...new Set(styles.map((s) => s.digit))].sort((a, b) => a - b);
  const range = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
  return digits.flatMap((digit) => {
    const own = styles.filter((s) => s.digit === digit);
    if (own.length < 2) return [];
    return [{
      digit,
      categories: own.map((s) => s.category),
      slantRange: range(own.map((s) => s.slant)),
      widthRange: range(own.map((s) => s.width)),
    }];
  });
}
