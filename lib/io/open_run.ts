/**
 * Opening a run folder for training: resume its checkpoint when it has one,
 * else start fresh.
 *
 * @module
 */
import { CheckpointError, loadCheckpoint, resolveCheckpoint } from "./checkpoint.ts";
import { type InfoGanConfig } from "../infogan/config.ts";
import { readMetrics } from "../io/run_dir.ts";
import { createState, type TrainState } from "../infogan/state.ts";
import { type Metrics } from "../infogan/loop.ts";

/** tfjs itself, so notebooks import everything from `lib/mod.ts`. */
export * as tf from "@tensorflow/tfjs";

/** A run opened for training: fresh, or resumed from its checkpoint. */
export interface OpenedRun {
  dir: string;
  state: TrainState;
  /** True when the state came from the folder's checkpoint. */
  resumed: boolean;
  /** The metrics logged so far (up to the checkpoint's step). */
  metrics: Metrics[];
}

/**
 * Opens the run folder `dir` with `config`: resumes its checkpoint when it
 * has one (the config's schedule, such as `steps`, replaces the saved one),
 * else builds a fresh state. The backend must already be initialised.
 */
export async function openRun(dir: string, config: InfoGanConfig): Promise<OpenedRun> {
  let ckpt: string | null = null;
  try {
    ckpt = await resolveCheckpoint(dir);
  } catch {
    ckpt = null;
  }
  if (ckpt === null) {
    return { dir, state: createState(config), resumed: false, metrics: [] };
  }
  const overrides: Partial<InfoGanConfig> = { ...config };
  delete overrides.preset;
  let state: TrainState;
  try {
    state = await loadCheckpoint(ckpt, { overrides });
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    throw new CheckpointError(
      `${e.message}; to start over with these settings, choose another run folder or delete ${dir}`,
    );
  }
  const metrics = (await readMetrics(dir).catch(() => [])).filter((m) => m.step <= state.step);
  return { dir, state, resumed: true, metrics };
}
