/**
 * The picture a run folder keeps at each sample step: the label code as rows,
 * c1 swept over {@linkcode SAMPLE_VALUES} as columns, z fixed along each row.
 *
 * @module
 */
import { linspace, sweep, tile } from "../infogan/sample.ts";
import type { TrainState } from "../infogan/state.ts";
import { encodePng } from "./png.ts";

/** Values of c1 shown in the sample grids' columns. */
export const SAMPLE_VALUES: readonly number[] = linspace(-2, 2, 9);

/** The sample grid of the state's current step (c1 swept), as PNG bytes. */
export async function sampleGridPng(state: TrainState): Promise<Uint8Array> {
  const { images, rows, cols } = await sweep(state.generator, state.config, {
    code: 1,
    values: [...SAMPLE_VALUES],
    seed: state.config.seed,
  });
  const grid = tile(images, { rows, cols });
  return encodePng(grid.pixels, grid);
}
