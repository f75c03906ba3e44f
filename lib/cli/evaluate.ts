/**
 * `deno task evaluate --checkpoint DIR [--json]`: measures whether a
 * checkpoint's codes are disentangled (see `lib/eval/evaluate.ts`) and prints a
 * table, or the JSON with --json.
 */
import { initBackend } from "../backends/select.ts";
import { EVALUATE_DEFAULTS } from "../eval/evaluate.ts";
import { formatEvaluation } from "../eval/report.ts";
import { type CommandSpec, runCommand } from "./args.ts";
import type { Value } from "../infogan/values.ts";
import { BACKEND_FLAG, checkpointFlag, parseBackend, seedFlag } from "./flags.ts";
import { evaluateCheckpoint } from "../eval/evaluate_checkpoint.ts";

const COMMAND: CommandSpec = {
  usage: "deno task evaluate --checkpoint DIR [--json]",
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
    backend: BACKEND_FLAG,
  },
  footer: "Example: deno task evaluate --checkpoint data/pretrained/paper --json",
};

async function main(v: Record<string, Value>): Promise<void> {
  const seed = v.seed as number;
  const perCategory = v["per-category"] as number;
  const sweeps = v.sweeps as number;
  console.error(`backend: ${await initBackend(parseBackend(v.backend))}`);
  const e = await evaluateCheckpoint(v.checkpoint as string, {
    classifier: v.classifier as string | undefined,
    seed,
    perCategory,
    sweeps,
  });
  console.log(v.json ? JSON.stringify(e, null, 2) : formatEvaluation(e));
}

if (import.meta.main) await runCommand(COMMAND, main);
