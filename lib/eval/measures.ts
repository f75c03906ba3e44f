/**
 * Measures of a digit image's style, to check what a continuous code
 * controls, and the rank correlation that relates them to the code.
 *
 * - slant: the shear angle from the image's second moments, in degrees,
 *   positive when the top leans right (as in italics): atan(-μ11 / μ02) with
 *   x to the right and y down, μ11 = Σ I·(x-x̄)(y-ȳ), μ02 = Σ I·(y-ȳ)².
 * - stroke width: ink area over skeleton length, in pixels, after
 *   thresholding at 0.5 and thinning the ink to one-pixel lines
 *   (Zhang–Suen). A stroke of length L and width w covers about L·w pixels
 *   and thins to about L pixels.
 */
import { IMAGE_SIZE } from "../infogan/generator.ts";

/** Side of an MNIST image. */
const SIDE = IMAGE_SIZE;

/** The slant of a 28×28 image (values in [0, 1]) in degrees; 0 for a blank image. */
export function slant(image: ArrayLike<number>, side: number = SIDE): number {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const w = image[y * side + x];
      mass += w;
      sx += w * x;
      sy += w * y;
    }
  }
  if (mass <= 0) return 0;
  const mx = sx / mass;
  const my = sy / mass;
  let mu11 = 0;
  let mu02 = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const w = image[y * side + x];
      mu11 += w * (x - mx) * (y - my);
      mu02 += w * (y - my) * (y - my);
    }
  }
  if (mu02 <= 0) return 0;
  return Math.atan(-mu11 / mu02) * 180 / Math.PI;
}

/** Ink pixels (value ≥ 0.5) of an image, as 0/1. */
export function binarize(image: ArrayLike<number>, threshold = 0.5): Uint8Array {
  return Uint8Array.from({ length: image.length }, (_, i) => image[i] >= threshold ? 1 : 0);
}

/**
 * Thins a 0/1 image to one-pixel-wide lines (Zhang & Suen, 1984): pixels on
 * the boundary are peeled in two alternating sub-passes until none change,
 * keeping those whose removal would break connectivity or shorten an end.
 */
export function skeletonize(ink: Uint8Array, side: number = SIDE): Uint8Array {
  const img = ink.slice();
  const at = (x: number, y: number) =>
    x < 0 || y < 0 || x >= side || y >= side ? 0 : img[y * side + x];
  let changed = true;
  while (changed) {
    changed = false;
    for (const pass of [0, 1]) {
      const remove: number[] = [];
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          if (!img[y * side + x]) continue;
          // Neighbours P2..P9 clockwise from north.
          const p = [
            at(x, y - 1),
            at(x + 1, y - 1),
            at(x + 1, y),
            at(x + 1, y + 1),
            at(x, y + 1),
            at(x - 1, y + 1),
            at(x - 1, y),
            at(x - 1, y - 1),
          ];
          const neighbours = p.reduce((a, b) => a + b, 0);
          if (neighbours < 2 || neighbours > 6) continue;
          let transitions = 0;
          for (let i = 0; i < 8; i++) if (!p[i] && p[(i + 1) % 8]) transitions++;
          if (transitions !== 1) continue;
          const [n, e, s, w] = [p[0], p[2], p[4], p[6]];
          if (pass === 0 ? (n && e && s) || (e && s && w) : (n && e && w) || (n && s && w)) {
            continue;
          }
          remove.push(y * side + x);
        }
      }
      for (const i of remove) img[i] = 0;
      if (remove.length > 0) changed = true;
    }
  }
  return img;
}

/** Stroke width in pixels: ink area over skeleton length; 0 for a blank image. */
export function strokeWidth(image: ArrayLike<number>, side: number = SIDE): number {
  const ink = binarize(image);
  const area = ink.reduce((a, b) => a + b, 0);
  if (area === 0) return 0;
  const length = skeletonize(ink, side).reduce((a, b) => a + b, 0);
  return area / Math.max(length, 1);
}

/** Ranks from 1, with ties given their average rank. */
export function ranks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]] = rank;
    i = j + 1;
  }
  return out;
}

/**
 * Spearman's rank correlation of two equal-length series: the Pearson
 * correlation of their ranks. NaN when either is constant.
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`spearman: expected equal lengths, found ${a.length} and ${b.length}`);
  }
  const ra = ranks(a);
  const rb = ranks(b);
  const n = ra.length;
  const mean = (n + 1) / 2;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) ** 2;
    vb += (rb[i] - mean) ** 2;
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : NaN;
}
