/**
 * Shifted copies of real images, for the consistency term (not the paper's
 * method; see `consistencyLoss`): each image moved by a whole number of
 * pixels along each axis, the uncovered border filled with 0 (MNIST's
 * background). A shift of a few pixels keeps the digit and changes where
 * its strokes fall, so a category that survives it is about the digit's
 * shape, not its position.
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
 * Two copies of each of the `n` images, each shifted by its own draw of
 * (dx, dy), uniform integers in [−maxShift, maxShift], drawn with `rng`.
 */
export function shiftedViews(
  rng: Random,
  images: Float32Array,
  options: { size: number; maxShift: number },
): [Float32Array, Float32Array] {
  const { size, maxShift } = options;
  const n = images.length / (size * size);
  const draw = () => {
    const dx = new Int8Array(n);
    const dy = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      dx[i] = rng.int(2 * maxShift + 1) - maxShift;
      dy[i] = rng.int(2 * maxShift + 1) - maxShift;
    }
    return shiftImages(images, { dx, dy, size });
  };
  return [draw(), draw()];
}
