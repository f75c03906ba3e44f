/**
 * The toy dataset: points in the plane drawn from a ring of equal Gaussians
 * (the classic mode-collapse test of Metz et al. 2017). Mode m sits at angle
 * 2πm/modes on a circle of `radius`; a point is its mode's centre plus
 * isotropic noise of std `std`. It fits `SampleReal` in `infogan/step.ts`:
 * the "images" are x, y pairs and the "labels" the modes they came from.
 *
 * @module
 */
import type { Random } from "../infogan/random.ts";

/** The shape of a ring of Gaussians. */
export interface Ring {
  modes: number;
  radius: number;
  /** Std of each mode, in the plane's units. */
  std: number;
}

/** The toy's default ring: 8 modes on the unit circle, std 0.05 of the radius. */
export const RING: Ring = { modes: 8, radius: 1, std: 0.05 };

/** The centre of mode `m`. */
export function modeCentre(ring: Ring, m: number): [number, number] {
  const angle = (2 * Math.PI * m) / ring.modes;
  return [ring.radius * Math.cos(angle), ring.radius * Math.sin(angle)];
}

/** Draws `n` points of `ring` with `rng`: x, y interleaved, and each point's mode. */
export function drawRing(
  ring: Ring,
  rng: Random,
  n: number,
): { images: Float32Array; labels: Uint8Array } {
  if (!(ring.modes >= 1 && ring.modes <= 255 && ring.radius > 0 && ring.std > 0)) {
    throw new RangeError(
      `drawRing: expected 1..255 modes, a radius and std above 0, found ${JSON.stringify(ring)}`,
    );
  }
  const images = new Float32Array(2 * n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const m = rng.int(ring.modes);
    const [cx, cy] = modeCentre(ring, m);
    images[2 * i] = cx + rng.normal(ring.std);
    images[2 * i + 1] = cy + rng.normal(ring.std);
    labels[i] = m;
  }
  return { images, labels };
}

/** A `SampleReal` for the training loop that draws from `ring`. */
export function ringSampler(
  ring: Ring,
): (rng: Random, n: number) => { images: Float32Array; labels: Uint8Array } {
  return (rng, n) => drawRing(ring, rng, n);
}
