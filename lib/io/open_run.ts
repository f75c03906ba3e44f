/**
 * Opening a run for training, shared by `deno task train` and the notebooks:
 * resume a checkpoint (read and verified once), or start fresh.
 *
 * @module
 */
import { join } from "node:path";
import {
  CheckpointError,
  loadCheckpoint,
  readCheckpoint,
  resolveCheckpoint,
} from "./checkpoint.ts";
import { resolveFolder } from "./folder.ts";
import {
  type ConfigChange,
  type InfoGanConfig,
  recipeChanges,
  requireImageArchitecture,
} from "../infogan/config.ts";
import { readMetrics } from "../io/run_dir.ts";
import { createState, type TrainState } from "../infogan/state.ts";
import { type Metrics } from "../infogan/loop.ts";

/**
 * Runs with the config a run will train with, before any of its tensors is
 * made: the CLI starts the backend the config names here.
 */
export type BeforeTensors = (config: InfoGanConfig) => Promise<void>;

/**
 * Resumes the checkpoint at `path` (a checkpoint folder or a run folder
 * holding `checkpoint/`). `overrides` replace the saved settings: schedule
 * fields may change, shape-defining ones may not (see `loadCheckpoint`), and
 * any other change is returned as `changes` for the run folder to record.
 * Throws {@linkcode CheckpointError} naming the file on anything missing or
 * damaged.
 */
export async function resumeCheckpoint(
  path: string,
  overrides: Partial<InfoGanConfig>,
  beforeTensors?: BeforeTensors,
): Promise<{ state: TrainState; changes: ConfigChange[] }> {
  const read = await readCheckpoint(await resolveCheckpoint(path));
  const settings = { ...overrides };
  delete settings.preset;
  await beforeTensors?.({ ...read.meta.config, ...settings });
  const state = await loadCheckpoint(read.dir, { overrides: settings, read });
  return { state, changes: recipeChanges(read.meta.config, state.config) };
}

/** A run opened for training: fresh, or resumed from its checkpoint. */
export interface OpenedRun {
  dir: string;
  state: TrainState;
  /** True when the state came from the folder's checkpoint. */
  resumed: boolean;
  /** Recipe settings that differ from the checkpoint's (empty for a fresh run). */
  changes: ConfigChange[];
  /** The metrics logged so far (up to the checkpoint's step). */
  metrics: Metrics[];
}

/**
 * Opens the run folder `dir` with `config`: resumes its checkpoint when it
 * has one (the config's schedule, such as `steps`, replaces the saved one),
 * else builds a fresh state. A `checkpoint/` that is there but damaged
 * throws instead of being trained over. The backend must already be up.
 */
export async function openRun(dir: string, config: InfoGanConfig): Promise<OpenedRun> {
  requireImageArchitecture(config, `run folder ${dir}`);
  if ((await resolveFolder(join(dir, "checkpoint"))) === null) {
    return { dir, state: createState(config), resumed: false, changes: [], metrics: [] };
  }
  let resumed: Awaited<ReturnType<typeof resumeCheckpoint>>;
  try {
    resumed = await resumeCheckpoint(dir, config);
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    throw new CheckpointError(
      `${e.message}; to start over with these settings, choose another run folder or delete ${dir}`,
    );
  }
  const { state, changes } = resumed;
  const metrics = (await readMetrics(dir).catch(() => [])).filter((m) => m.step <= state.step);
  return { dir, state, resumed: true, changes, metrics };
}
