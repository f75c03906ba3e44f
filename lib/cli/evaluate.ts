/**
 * `deno task evaluate --checkpoint DIR [--json] [--misnamed FILE.png]`:
 * measures whether a checkpoint's codes are disentangled (see
 * `lib/eval/evaluate.ts`) and prints a table, or the JSON with --json; with
 * --misnamed it also draws the test images Q names wrongly
 * (`lib/eval/misnamed.ts`).
 */
import { initBackend } from "../backends/select.ts";
import { EVALUATE_DEFAULTS } from "../eval/evaluate.ts";
import { formatEvaluation } from "../eval/report.ts";
import { type CommandSpec, runCommand, UsageError } from "./args.ts";
import type { Value } from "../infogan/values.ts";
import { BACKEND_FLAG, checkpointFlag, parseBackend, seedFlag, writeOut } from "./flags.ts";
import { evaluateCheckpoint } from "../eval/evaluate_checkpoint.ts";
import { misnamedTestImages } from "../eval/misnamed.ts";
import { encodePng } from "../viz/png.ts";
import { exists } from "../io/fs.ts";

const COMMAND: CommandSpec = {
  usage: "deno task evaluate --checkpoint DIR [--json] [--misnamed FILE.png]",
  description:
    "Score a checkpoint's codes: label accuracy (classifier), Q's Hungarian accuracy on MNIST test, code-vs-slant/width Spearman ρ, and L_I against H(c).",
  flags: {
    checkpoint: checkpointFlag(),
    json: { kind: "bool", help: "print the evaluation as JSON instead of a table" },
    classifier: {
      kind: "string",
      help:
        "classifier folder (default: the shipped one for the run's dataset, data/classifier for MNIST)",
    },
    seed: seedFlag("seed of the sampled latents", EVALUATE_DEFAULTS.seed),
    "per-category": {
      kind: "int",
      min: 1,
      max: 10_000,
      default: EVALUATE_DEFAULTS.perCategory,
      help: "generated digits per category",
    },
    sweeps: {
      kind: "int",
      min: 1,
      max: 10_000,
      default: EVALUATE_DEFAULTS.sweeps,
      help: "sweeps per code",
    },
    misnamed: {
      kind: "string",
      help:
        "also write a PNG (must not exist) of the test images Q names wrongly: a row per class, the first --per-row of each",
    },
    "per-row": {
      kind: "int",
      min: 1,
      max: 1_000,
      default: 24,
      help: "images per row of --misnamed",
    },
    backend: BACKEND_FLAG,
  },
  footer: "Example: deno task evaluate --checkpoint data/pretrained/paper --json",
};

async function main(v: Record<string, Value>): Promise<void> {
  const seed = v.seed as number;
  const perCategory = v["per-category"] as number;
  const sweeps = v.sweeps as number;
  const misnamed = v.misnamed as string | undefined;
  if (misnamed !== undefined && !misnamed.endsWith(".png")) {
    throw new UsageError(`--misnamed: expected a .png file name, found ${misnamed}`);
  }
  if (misnamed !== undefined && await exists(misnamed)) {
    throw new UsageError(`--misnamed: ${misnamed} already exists; choose another file`);
  }
  console.error(`backend: ${await initBackend(parseBackend(v.backend))}`);
  const e = await evaluateCheckpoint(v.checkpoint as string, {
    classifier: v.classifier as string | undefined,
    seed,
    perCategory,
    sweeps,
  });
  console.log(v.json ? JSON.stringify(e, null, 2) : formatEvaluation(e));
  if (misnamed === undefined) return;
  if (!e.qTest) {
    throw new Error(`${v.checkpoint}: Q was not evaluated, so --misnamed has nothing to draw`);
  }
  const grid = await misnamedTestImages(
    v.checkpoint as string,
    e.qTest.mapping,
    v["per-row"] as number,
  );
  await writeOut(misnamed, encodePng(grid.pixels, grid), "--misnamed file");
  console.error(
    `wrote ${misnamed}: row d holds class d's test images that Q names otherwise (${
      grid.counts.join(", ")
    } in all)`,
  );
}

if (import.meta.main) await runCommand(COMMAND, main);
