/**
 * Augmented copies of real images, for the consistency term (not the
 * paper's method; see `consistencyLoss`): each image moved by a whole number
 * of pixels along each axis, the uncovered border filled with 0 (MNIST's
 * background), and optionally sheared first. A shift of a few pixels keeps
 * the digit and changes where its strokes fall, so a category that survives
 * it is about the digit's shape, not its position. A shear changes the
 * digit's slant, so a category that survives it cannot be a slant class
 * (upright against slanted), the typical way an unsupervised category
 * splits a digit.
 *
 * @module
 */
import type { Random } from "./random.ts";

/**
 * Copies `images` (`size`·`size` pixels each, row-major) into a new array
 * with image i moved right by `dx[i]` and down by `dy[i]` pixels.
 */
export function shiftImages(
  images: Float32Array,
  shifts: { dx: Int8Array; dy: Int8Array; size: number },
): Float32Array {
  const { dx, dy, size } = shifts;
  const px = size * size;
  const n = images.length / px;
  if (!Number.isInteger(n) || dx.length !== n || dy.length !== n) {
    throw new RangeError(
      `shiftImages: expected ${dx.length} images of ${px} pixels, found ${images.length} values`,
    );
  }
  const out = new Float32Array(images.length);
  for (let i = 0; i < n; i++) {
    const base = i * px;
    for (let y = 0; y < size; y++) {
      const sy = y - dy[i];
      if (sy < 0 || sy >= size) continue;
      for (let x = 0; x < size; x++) {
        const sx = x - dx[i];
        if (sx >= 0 && sx < size) out[base + y * size + x] = images[base + sy * size + sx];
      }
    }
  }
  return out;
}

/**
 * Copies `images` (`size`·`size` pixels each, row-major) into a new array
 * with image i sheared horizontally by `degrees[i]` about the image centre:
 * row y moves right by tan(θ)·(c − y), c = (size − 1)/2, so a positive
 * angle leans the top to the right, as a positive `slant` does. Pixels are
 * interpolated linearly along the row; what comes from outside is 0.
 */
export function shearImages(
  images: Float32Array,
  shears: { degrees: Float32Array; size: number },
): Float32Array {
  const { degrees, size } = shears;
  const px = size * size;
  const n = images.length / px;
  if (!Number.isInteger(n) || degrees.length !== n) {
    throw new RangeError(
      `shearImages: expected ${degrees.length} images of ${px} pixels, found ${images.length} values`,
    );
  }
  const centre = (size - 1) / 2;
  const out = new Float32Array(images.length);
  for (let i = 0; i < n; i++) {
    const base = i * px;
    const t = Math.tan((degrees[i] * Math.PI) / 180);
    for (let y = 0; y < size; y++) {
      const move = t * (centre - y);
      for (let x = 0; x < size; x++) {
        const sx = x - move;
        const left = Math.floor(sx);
        const f = sx - left;
        const a = left >= 0 && left < size ? images[base + y * size + left] : 0;
        const b = left + 1 >= 0 && left + 1 < size ? images[base + y * size + left + 1] : 0;
        out[base + y * size + x] = (1 - f) * a + f * b;
      }
    }
  }
  return out;
}

/**
 * `views` copies (default 2) of each of the `n` images, one after the other.
 * Each copy is sheared by its own angle, uniform in [−maxShear, maxShear]
 * degrees (only when maxShear > 0, so that without it nothing more is
 * drawn), then shifted by its own (dx, dy), uniform integers in
 * [−maxShift, maxShift]; all drawn with `rng`.
 */
export function augmentedViews(
  rng: Random,
  images: Float32Array,
  options: { size: number; maxShift: number; maxShear: number; views?: number },
): Float32Array[] {
  const { size, maxShift, maxShear, views = 2 } = options;
  const n = images.length / (size * size);
  const draw = () => {
    const dx = new Int8Array(n);
    const dy = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      dx[i] = rng.int(2 * maxShift + 1) - maxShift;
      dy[i] = rng.int(2 * maxShift + 1) - maxShift;
    }
    const sheared = maxShear > 0
      ? shearImages(images, { degrees: rng.fill(n, (r) => r.uniform(-maxShear, maxShear)), size })
      : images;
    return shiftImages(sheared, { dx, dy, size });
  };
  return Array.from({ length: views }, draw);
}
