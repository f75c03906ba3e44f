/**
 * GAN theory on the toy, as numbers on a grid over the plane:
 *   - p_data, the ring's exact density (a mixture of equal Gaussians);
 *   - p_g, G's density, estimated by a Gaussian kernel density estimate of
 *     its points (bandwidth: the ring's σ);
 *   - the optimal discriminator for that G (Goodfellow et al. 2014, prop. 1),
 *     D*(x) = p_data(x) / (p_data(x) + p_g(x));
 *   - the Jensen–Shannon divergence JSD(p_data ‖ p_g), which the GAN
 *     objective reaches at D*: V(D*, G) = −ln 4 + 2·JSD (their theorem 1).
 * Integrals are sums over the grid's cells, so they are estimates; the grid
 * must cover both densities.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { modeCentre, type Ring } from "../data/ring.ts";

/** A square grid of cells over [-extent, extent]², row-major from the bottom left. */
export interface Grid {
  extent: number;
  cells: number;
}

/** Centre of cell (i, j): column i, row j. */
export function cellCentre(grid: Grid, i: number, j: number): [number, number] {
  const size = (2 * grid.extent) / grid.cells;
  return [-grid.extent + (i + 0.5) * size, -grid.extent + (j + 0.5) * size];
}

/** The ring's density at (x, y). */
export function ringDensity(ring: Ring, x: number, y: number): number {
  let sum = 0;
  for (let m = 0; m < ring.modes; m++) {
    const [cx, cy] = modeCentre(ring, m);
    sum += Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * ring.std ** 2));
  }
  return sum / (ring.modes * 2 * Math.PI * ring.std ** 2);
}

/** Gaussian kernel density of `points` (x, y interleaved) with bandwidth `h`, on `grid`. */
export function kdeGrid(points: Float32Array, h: number, grid: Grid): Float64Array {
  const n = points.length / 2;
  const out = new Float64Array(grid.cells * grid.cells);
  const norm = 1 / (n * 2 * Math.PI * h * h);
  for (let j = 0; j < grid.cells; j++) {
    for (let i = 0; i < grid.cells; i++) {
      const [x, y] = cellCentre(grid, i, j);
      let sum = 0;
      for (let p = 0; p < n; p++) {
        const d2 = (points[2 * p] - x) ** 2 + (points[2 * p + 1] - y) ** 2;
        sum += Math.exp(-d2 / (2 * h * h));
      }
      out[j * grid.cells + i] = sum * norm;
    }
  }
  return out;
}

/** The ring's density on `grid`. */
export function ringGrid(ring: Ring, grid: Grid): Float64Array {
  const out = new Float64Array(grid.cells * grid.cells);
  for (let j = 0; j < grid.cells; j++) {
    for (let i = 0; i < grid.cells; i++) {
      out[j * grid.cells + i] = ringDensity(ring, ...cellCentre(grid, i, j));
    }
  }
  return out;
}

/** D*(x) = p(x) / (p(x) + q(x)) per cell; 0.5 where both densities vanish. */
export function optimalDiscriminator(p: Float64Array, q: Float64Array): Float64Array {
  return p.map((a, i) => (a + q[i] > 0 ? a / (a + q[i]) : 0.5));
}

/**
 * JSD(p ‖ q) in nats over the grid's cells: ½ KL(p ‖ m) + ½ KL(q ‖ m) with
 * m = (p + q)/2, each density normalised over the grid first. It is 0 for
 * equal densities and ln 2 for densities that never overlap.
 */
export function jsDivergence(p: Float64Array, q: Float64Array): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  if (!(sp > 0 && sq > 0)) {
    throw new RangeError(
      `jsDivergence: expected two densities with mass, found sums ${sp} and ${sq}`,
    );
  }
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = (a + b) / 2;
    if (a > 0) js += 0.5 * a * Math.log(a / m);
    if (b > 0) js += 0.5 * b * Math.log(b / m);
  }
  return js;
}

/** D's probability that each cell's centre is real, from the toy discriminator's first output. */
export async function discriminatorField(
  discriminator: tf.LayersModel,
  grid: Grid,
): Promise<Float64Array> {
  const centres = new Float32Array(2 * grid.cells * grid.cells);
  for (let j = 0; j < grid.cells; j++) {
    for (let i = 0; i < grid.cells; i++) {
      centres.set(cellCentre(grid, i, j), 2 * (j * grid.cells + i));
    }
  }
  const real = tf.tidy(() => {
    const out = discriminator.predict(tf.tensor2d(centres, [centres.length / 2, 2])) as tf.Tensor[];
    return out[0];
  });
  try {
    return Float64Array.from(await real.data());
  } finally {
    real.dispose();
  }
}
