/**
 * The run folder that training writes, shared by `deno task train` and the
 * notebooks:
 *
 * ```text
 * config.json              the resolved config, the versions that ran it, and the
 *                          recipe changes made on resume (`recipeChanges`)
 * metrics.jsonl            one JSON object per logged step
 * samples/step-NNNNNN.png  label codes as rows, c1 values as columns
 * checkpoint/              the latest checkpoint (see checkpoint.ts)
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { writeAtomic, writeTextAtomic } from "./atomic.ts";
import { readText } from "./fs.ts";
import { parseJson, parseJsonLines } from "./json_file.ts";
import { saveCheckpoint } from "./checkpoint.ts";
import { type Dataset, realSampler } from "../data/mnist.ts";
import { type Metrics, train, type TrainCallbacks } from "../infogan/loop.ts";
import { type TrainState } from "../infogan/state.ts";
import type { ConfigChange, RecipeChangeRecord } from "../infogan/config.ts";
import { runVersions } from "./versions.ts";

/** A run folder or metrics file that is missing or malformed. */
export class RunDirError extends Error {
  override name = "RunDirError";
}

/** The first file that marks `dir` as holding a run, or null when it holds none. */
export async function existingRunFile(dir: string): Promise<string | null> {
  for (const name of ["config.json", "metrics.jsonl", "checkpoint"]) {
    if (await Deno.stat(join(dir, name)).then(() => true, () => false)) return name;
  }
  return null;
}

/** Where the sample grid of `step` is written. */
export function samplePath(dir: string, step: number): string {
  return join(dir, "samples", `step-${String(step).padStart(6, "0")}.png`);
}

/**
 * Creates the run folder. On resume, drops metric lines logged after the
 * state's step, since those steps will be trained again (a fresh state, step
 * 0, drops them all).
 */
export async function prepareRunDir(dir: string, state: TrainState): Promise<void> {
  await Deno.mkdir(join(dir, "samples"), { recursive: true });
  const path = join(dir, "metrics.jsonl");
  const text = await readText(path);
  if (text === null) return;
  const kept = parseJsonLines(text, path, { error: RunDirError })
    .filter(({ value }) => typeof value.step === "number" && value.step <= state.step);
  await writeTextAtomic(path, kept.map(({ value }) => JSON.stringify(value) + "\n").join(""));
}

/**
 * Trains `state` into the run folder `dir` (which the caller has locked):
 * writes config.json, appends metrics.jsonl, writes sample grids and
 * checkpoints. `samplePng` draws the state's sample grid as PNG bytes (the
 * caller's choice of picture; `viz/sample_grid.ts` has the usual one).
 * `callbacks` run after the folder's own (a sample callback after its grid is
 * on disk, so it can read {@linkcode samplePath}). `changes` are the recipe
 * settings a resume changed: config.json keeps every such change with the
 * step it took effect at, so the folder says how it was trained.
 */
export async function trainInRunDir(
  state: TrainState,
  dataset: Dataset,
  options: {
    dir: string;
    samplePng: (state: TrainState) => Promise<Uint8Array>;
    callbacks?: TrainCallbacks;
    changes?: readonly ConfigChange[];
  },
): Promise<void> {
  const { dir } = options;
  const extra = options.callbacks ?? {};
  await prepareRunDir(dir, state);
  const versions = await runVersions();
  // Records from steps this run trains again (or all, for a fresh state) no longer hold.
  const recipeChanges = (await readRecipeChanges(dir)).filter((r) => r.step < state.step);
  if (options.changes?.length) recipeChanges.push({ step: state.step, changes: options.changes });
  await writeTextAtomic(
    join(dir, "config.json"),
    JSON.stringify({ config: state.config, versions, recipeChanges }, null, 2) + "\n",
  );
  const metricsFile = await Deno.open(join(dir, "metrics.jsonl"), { append: true, create: true });
  try {
    await train(state, realSampler(dataset), {
      ...extra,
      onMetrics: async (m: Metrics) => {
        await metricsFile.write(new TextEncoder().encode(JSON.stringify(m) + "\n"));
        await extra.onMetrics?.(m);
      },
      onSample: async (s) => {
        await writeAtomic(samplePath(dir, s.step), await options.samplePng(s));
        await extra.onSample?.(s);
      },
      onCheckpoint: async (s) => {
        await metricsFile.sync();
        await saveCheckpoint(s, join(dir, "checkpoint"), { versions });
        await extra.onCheckpoint?.(s);
      },
    });
  } finally {
    metricsFile.close();
  }
}

/** The `recipeChanges` recorded in `dir/config.json` (none for a fresh folder). */
export async function readRecipeChanges(dir: string): Promise<RecipeChangeRecord[]> {
  const path = join(dir, "config.json");
  const text = await readText(path);
  if (text === null) return [];
  const file = parseJson(text, path, { error: RunDirError }) as {
    recipeChanges?: unknown;
  };
  const records = file?.recipeChanges ?? [];
  if (!Array.isArray(records)) {
    throw new RunDirError(
      `${path}: expected "recipeChanges" to be a list, found ${typeof records}`,
    );
  }
  return records as RecipeChangeRecord[];
}

/** Fields every metrics line must hold as finite numbers. */
const REQUIRED_METRICS = ["step", "d_loss", "g_loss"] as const;

/**
 * Reads a run's `metrics.jsonl` (`path` is the run folder or the file).
 * A last line without its newline (a write cut short) is skipped; any other
 * line that is not a JSON object with numeric `step`, `d_loss` and `g_loss`
 * throws {@linkcode RunDirError} naming the file and line.
 */
export async function readMetrics(path: string): Promise<Metrics[]> {
  const stat = await Deno.stat(path).catch(() => null);
  if (!stat) {
    throw new RunDirError(`${path}: no such run folder or metrics file`);
  }
  const file = stat.isDirectory ? join(path, "metrics.jsonl") : path;
  const text = await readText(file);
  if (text === null) {
    throw new RunDirError(
      `${file}: missing; expected a run folder written by \`deno task train\` or a notebook`,
    );
  }
  return parseJsonLines(text, file, { error: RunDirError }).map(({ line, value }) => {
    for (const key of REQUIRED_METRICS) {
      if (typeof value[key] !== "number" || !Number.isFinite(value[key])) {
        throw new RunDirError(
          `${file}:${line}: expected a finite number in "${key}", found ${
            JSON.stringify(value[key]) ?? "nothing"
          }`,
        );
      }
    }
    return value as unknown as Metrics;
  });
}
