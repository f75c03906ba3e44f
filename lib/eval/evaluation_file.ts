/**
 * `evaluation.json`: what `deno task export` writes beside a model, read back
 * for the notebooks' pretrained folders and the explorer's labels.
 *
 * @module
 */
import { join } from "node:path";
import { readText } from "../io/fs.ts";
import type { Evaluation } from "./evaluate.ts";

/**
 * A folder's `evaluation.json`, as `deno task export` writes it, or null when
 * the folder has none. A file that is not JSON is an error naming it.
 */
export async function readEvaluation(dir: string): Promise<Evaluation | null> {
  return await readEvaluationFile(join(dir, "evaluation.json"));
}

/**
 * One evaluation file (`evaluate --json` output under any name), or null
 * when there is none. A file that is not JSON is an error naming it.
 */
export async function readEvaluationFile(path: string): Promise<Evaluation | null> {
  const text = await readText(path);
  if (text === null) return null;
  try {
    return JSON.parse(text) as Evaluation;
  } catch (e) {
    throw new Error(`${path}: expected JSON, found a parse error (${(e as Error).message})`);
  }
}

/**
 * The evaluation shipped with a checkpoint: `evaluation.json` in the
 * checkpoint folder or in the folder that holds it (a pretrained folder);
 * null when there is none.
 */
export async function evaluationBeside(checkpoint: string): Promise<Evaluation | null> {
  return await readEvaluation(checkpoint) ?? await readEvaluation(join(checkpoint, ".."));
}
