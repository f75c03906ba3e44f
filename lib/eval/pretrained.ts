/**
 * The shipped pretrained model folders in `data/pretrained/`, as
 * `deno task export` writes them: weights, evaluation, metrics, and
 * optionally a λ = 0 comparison run.
 *
 * @module
 */
import { join } from "node:path";
import { resolveFolder } from "../io/folder.ts";
import { exists, isDir, PROJECT_ROOT } from "../io/fs.ts";
import { type Evaluation } from "../eval/evaluate.ts";
import { readEvaluation } from "../eval/evaluation_file.ts";
import { readMetrics, RunDirError } from "../io/run_dir.ts";
import { type Metrics } from "../infogan/loop.ts";
import type { InfoGanConfig } from "../infogan/config.ts";
import { readCheckpointState } from "../io/checkpoint.ts";

/** The folder of the shipped pretrained models, one subfolder each. */
export const PRETRAINED_ROOT: string = join(PROJECT_ROOT, "data", "pretrained");

/** Where the pretrained `book` checkpoint is shipped. */
export const PRETRAINED_DIR: string = join(PRETRAINED_ROOT, "book");

/** A shipped pretrained model folder, as `deno task export` writes it. */
export interface Pretrained {
  name: string;
  dir: string;
  /** The config it was trained with (from its checkpoint). */
  config: InfoGanConfig;
  /** Its `evaluation.json`. */
  evaluation: Evaluation;
  /** Its training `metrics.jsonl`. */
  metrics: Metrics[];
  /** The metrics of its comparison run (λ = 0), when shipped. */
  baseline: Metrics[] | null;
  /** That run's generator folder (`baseline/`) and evaluation, when shipped. */
  baselineModel: { dir: string; evaluation: Evaluation } | null;
}

/**
 * Reads `data/pretrained/<name>/` (or `root/<name>`); null when the folder
 * does not exist. A folder that exists but lacks its files is an error
 * naming the file.
 */
export async function readPretrained(
  name: string,
  root: string = PRETRAINED_ROOT,
): Promise<Pretrained | null> {
  // After a crash mid-export the previous folder is still whole, as <name>.old.
  const dir = await resolveFolder(join(root, name));
  if (dir === null || !(await isDir(dir))) return null;
  const evaluation = await shippedEvaluation(dir);
  const baselinePath = join(dir, "baseline-metrics.jsonl");
  const baseline = (await exists(baselinePath)) ? await readMetrics(baselinePath) : null;
  const baselineDir = join(dir, "baseline");
  const baselineModel = (await isDir(baselineDir))
    ? { dir: baselineDir, evaluation: await shippedEvaluation(baselineDir) }
    : null;
  const { config } = await readCheckpointState(join(dir, "checkpoint"));
  return {
    name,
    dir,
    config,
    evaluation,
    metrics: await readMetrics(dir),
    baseline,
    baselineModel,
  };
}

/** `dir`'s evaluation.json; a pretrained folder without one is an error. */
async function shippedEvaluation(dir: string): Promise<Evaluation> {
  const evaluation = await readEvaluation(dir);
  if (evaluation === null) {
    throw new RunDirError(`${join(dir, "evaluation.json")}: missing; re-run \`deno task export\``);
  }
  return evaluation;
}
