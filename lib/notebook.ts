/**
 * What the notebooks need beyond the training library: their config (with
 * `INFOGAN_*` overrides, so CI can run them small), where their runs go,
 * training into a run folder with a live display that updates in place,
 * and finding a trained generator.
 *
 * Every notebook reads its knobs the same way, highest priority first:
 * values passed in code (`overrides`) > `INFOGAN_<FIELD>` environment
 * variables > the notebook's own defaults > the preset.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { LiveTraining, type LiveTrainingOptions } from "./viz/live_training.ts";
import { openRun } from "./io/open_run.ts";
import { pngSize } from "./viz/png.ts";
import { join } from "node:path";
import { exists, PROJECT_ROOT } from "./io/fs.ts";
import { type Evaluation } from "./eval/evaluate.ts";
import { resolveCheckpoint } from "./io/checkpoint.ts";
import { configFromEnv, validateConfig } from "./infogan/config_schema.ts";
import {
  type ConfigChange,
  describeChanges,
  type InfoGanConfig,
  type PresetName,
} from "./infogan/config.ts";
import { PRESETS } from "./infogan/presets.ts";
import type { Dataset } from "./data/mnist.ts";
import { pngImage } from "./viz/images.ts";
import { type PlotElement } from "./viz/plot.ts";
import { RunDirError, samplePath, trainInRunDir } from "./io/run_dir.ts";
import { sampleGridPng } from "./viz/sample_grid.ts";
import { explorerOutput } from "./viz/explorer.ts";
import { explorerInputs } from "./io/explorer_inputs.ts";
import type { RawHtml } from "./viz/display.ts";
import { acquireRunLock } from "./io/run_lock.ts";
import { type TrainState } from "./infogan/state.ts";
import { type Metrics, type TrainCallbacks } from "./infogan/loop.ts";

type Env = Record<string, string | undefined>;

/**
 * A notebook's config: the preset (`overrides.preset`, else
 * `INFOGAN_PRESET`, else `defaults.preset`, else `book`), then the notebook's
 * `defaults`, then `INFOGAN_*` variables, then `overrides`. Unlike
 * `resolveConfig({ flags })`, the notebook's defaults never hide an
 * environment variable. Throws `ConfigError` naming a bad variable.
 */
export function notebookConfig(
  defaults: Partial<InfoGanConfig>,
  options: { env?: Env; overrides?: Partial<InfoGanConfig> } = {},
): InfoGanConfig {
  const fromEnv = configFromEnv(options.env ?? Deno.env.toObject());
  const overrides = options.overrides ?? {};
  const preset: PresetName = overrides.preset ?? fromEnv.preset ?? defaults.preset ?? "book";
  return validateConfig(
    { ...PRESETS[preset], ...defaults, ...fromEnv, ...overrides, preset },
    "notebook config",
  );
}

/** Where notebook runs are written: `INFOGAN_RUNS_DIR`, else `<project>/runs`. */
export function runsDir(env: Env = Deno.env.toObject()): string {
  const dir = env.INFOGAN_RUNS_DIR;
  return dir !== undefined && dir !== "" ? dir : join(PROJECT_ROOT, "runs");
}

/** The run folder `name` inside {@linkcode runsDir}. */
export function runDir(name: string, env: Env = Deno.env.toObject()): string {
  return join(runsDir(env), name);
}

/**
 * Returns `dir`, ready for a run. With `fresh`, an existing folder is first
 * moved aside to `<dir>-old-<UTC time>` (never deleted), so the run starts
 * from scratch; otherwise an existing run is resumed by `trainRun`.
 */
export async function freshRunDir(
  dir: string,
  options: { fresh?: boolean; now?: Date } = {},
): Promise<string> {
  if (options.fresh && await exists(dir)) {
    const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, "-");
    const aside = `${dir}-old-${stamp}`;
    // The lock also guards the rename: a live run in `dir` refuses it.
    const lock = acquireRunLock(dir);
    try {
      await Deno.rename(dir, aside);
    } finally {
      lock.release();
    }
    console.log(`moved the earlier run aside to ${aside}`);
  }
  return dir;
}

/**
 * An integer knob from the environment variable `name`, else `fallback`.
 * Throws naming the variable when it is not an integer ≥ `min` (default 0).
 */
export function envInt(
  name: string,
  fallback: number,
  options: { env?: Env; min?: number } = {},
): number {
  const text = (options.env ?? Deno.env.toObject())[name];
  if (text === undefined || text === "") return fallback;
  const min = options.min ?? 0;
  const n = Number(text);
  if (!/^\s*[+-]?\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new RangeError(
      `environment variable ${name}: expected an integer ≥ ${min}, found ${JSON.stringify(text)}`,
    );
  }
  return n;
}

/** A true/false knob from the environment variable `name` (true|false|1|0), else `fallback`. */
export function envBool(name: string, fallback: boolean, options: { env?: Env } = {}): boolean {
  const text = (options.env ?? Deno.env.toObject())[name];
  if (text === undefined || text === "") return fallback;
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw new RangeError(
    `environment variable ${name}: expected true|false|1|0, found ${JSON.stringify(text)}`,
  );
}

/** Options for {@linkcode trainRun}. */
export interface TrainRunOptions {
  /** The run folder; created if missing, resumed if it holds a checkpoint. */
  dir: string;
  config: InfoGanConfig;
  dataset: Dataset;
  /** Live display settings; omit `live` for no display. */
  live?: Omit<LiveTrainingOptions, "total" | "history" | "samplePng">;
  /** Also called at every sample step, after the sample grid is written. */
  onSample?: (state: TrainState) => void | Promise<void>;
}

/** What {@linkcode trainRun} returns. */
export interface TrainRunResult {
  dir: string;
  /** The trained state; the caller disposes it (`disposeState`). */
  state: TrainState;
  /** Every metrics line of the run, including earlier sessions'. */
  metrics: Metrics[];
  /** Steps trained by this call. */
  trained: number;
  /** Recipe settings that differed from the resumed checkpoint's (see `recipeChanges`). */
  changes: ConfigChange[];
  /** Wall-clock seconds this call took. */
  seconds: number;
}

/**
 * Trains the run in `dir` up to `config.steps`, resuming its checkpoint if it
 * has one (so rerunning a notebook continues instead of starting over), with
 * the same files as `deno task train`. The folder is locked while training.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const t0 = performance.now();
  const { dir, config, dataset } = options;
  await Deno.mkdir(dir, { recursive: true });
  const lock = acquireRunLock(dir);
  try {
    const run = await openRun(dir, config);
    const start = run.state.step;
    const history = run.metrics;
    const live = options.live
      ? new LiveTraining({
        ...options.live,
        total: config.steps,
        numLabels: config.numLabels,
        history,
        samplePng: (step) => Deno.readFile(samplePath(dir, step)),
      })
      : null;
    const shown: TrainCallbacks = live
      ? live.callbacks()
      : { onMetrics: (m) => void history.push(m) };
    const callbacks: TrainCallbacks = {
      ...shown,
      onSample: async (s) => {
        await shown.onSample?.(s);
        await options.onSample?.(s);
      },
    };
    if (run.changes.length > 0) {
      // Shown in the cell's output: the folder was trained with other settings so far.
      console.warn(
        `${dir}: settings differ from its checkpoint's: ${describeChanges(run.changes)}` +
          (start < config.steps
            ? `; training goes on with the new ones (recorded in config.json)`
            : "; nothing left to train"),
      );
    }
    if (start < config.steps) {
      await live?.redraw(
        run.resumed ? `resuming ${dir} at step ${start}` : `new run in ${dir}`,
      );
      await trainInRunDir(run.state, dataset, {
        dir,
        samplePng: sampleGridPng,
        callbacks,
        changes: run.changes,
      });
    }
    await live?.finish(
      start >= config.steps
        ? `${dir} is already at step ${start} of ${config.steps}; nothing to train`
        : "done",
    );
    return {
      dir,
      state: run.state,
      metrics: history,
      trained: run.state.step - start,
      changes: run.changes,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    lock.release();
  }
}

/**
 * The run's sample grids at up to `count` evenly spaced steps, side by side
 * with their step as caption: how the samples changed as training went.
 */
export async function sampleHistory(
  dir: string,
  options: { count?: number; scale?: number } = {},
): Promise<PlotElement[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(join(dir, "samples"))) {
      if (/^step-\d+\.png$/.test(e.name)) names.push(e.name);
    }
  } catch {
    throw new RunDirError(`${dir}: no samples/ folder; train the run first`);
  }
  names.sort();
  const count = Math.min(options.count ?? 4, names.length);
  const picked = Array.from(
    { length: count },
    (_, i) =>
      names[count === 1 ? names.length - 1 : Math.round(i * (names.length - 1) / (count - 1))],
  );
  const out: PlotElement[] = [];
  for (const name of [...new Set(picked)]) {
    const bytes = await Deno.readFile(join(dir, "samples", name));
    out.push(pngImage(bytes, {
      ...pngSize(bytes),
      scale: options.scale ?? 1,
      caption: `step ${Number(name.slice(5, -4))}`,
    }));
  }
  return out;
}

/** Raised when no trained generator is found. */
export class NoTrainedModelError extends Error {
  override name = "NoTrainedModelError";
}

/**
 * The first of `candidates` (checkpoint or run folders) that holds a
 * checkpoint, with its label; null when none does, or, with `required`, a
 * {@linkcode NoTrainedModelError} listing every place looked at.
 */
export async function pickTrainedRun(
  candidates: readonly { path: string; label: string }[],
  options: { required?: boolean } = {},
): Promise<{ path: string; label: string } | null> {
  for (const c of candidates) {
    try {
      return { path: await resolveCheckpoint(c.path), label: c.label };
    } catch {
      // not there; try the next one
    }
  }
  if (!options.required) return null;
  throw new NoTrainedModelError(
    `no trained generator found; looked for a checkpoint in ${
      candidates.map((c) => `${c.path} (${c.label})`).join(", ")
    }. Run notebooks/04_train_mnist.ipynb (or \`deno task train --out <dir>\`) first`,
  );
}

/**
 * The latent explorer of `generator` for a notebook cell:
 * `await show(await explorer(generator, config, { title, evaluation }))`.
 */
export async function explorer(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { title: string; evaluation: Evaluation | null },
): Promise<RawHtml> {
  const { files, tfjs } = await explorerInputs(generator);
  return explorerOutput(files, config, { ...options, tfjs });
}
