/**
 * `deno task evaluate --checkpoint DIR [--json]`: measures whether a
 * checkpoint's codes are disentangled (see `lib/eval/evaluate.ts`) and prints a
 * table, or the JSON with --json.
 */
import { initBackend } from "../backends/select.ts";
import { EVALUATE_DEFAULTS } from "../eval/evaluate.ts";
import { formatEvaluation } from "../eval/report.ts";
import { type FlagSpec, helpText, parseArgs, runMain, UsageError } from "./args.ts";
import { parseBackend } from "./flags.ts";
import { evaluateCheckpoint } from "../eval/evaluate_checkpoint.ts";

const SPECS: Record<string, FlagSpec> = {
  checkpoint: {
    kind: "string",
    help: "checkpoint, run folder or pretrained folder",
    required: true,
  },
  json: { kind: "bool", help: "print the evaluation as JSON instead of a table" },
  classifier: { kind: "string", help: "classifier folder (default data/classifier)" },
  seed: { kind: "int", help: `seed of the sampled latents (default ${EVALUATE_DEFAULTS.seed})` },
  "per-category": {
    kind: "int",
    help: `generated digits per category, 1..10000 (default ${EVALUATE_DEFAULTS.perCategory})`,
  },
  sweeps: { kind: "int", help: `sweeps per code, 1..10000 (default ${EVALUATE_DEFAULTS.sweeps})` },
  backend: { kind: "string", help: "compute backend (default auto)" },
};

function bounded(v: unknown, name: string, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = v as number;
  if (n < 1 || n > max) throw new UsageError(`--${name}: expected 1..${max}, found ${n}`);
  return n;
}

async function main(): Promise<void> {
  const parsed = parseArgs(Deno.args, SPECS);
  if (parsed.help) {
    console.log(helpText("deno task evaluate --checkpoint DIR [--json]", {
      description:
        "Score a checkpoint's codes: label accuracy (classifier), Q's Hungarian accuracy on MNIST test, code-vs-slant/width Spearman ρ, and L_I against H(c).",
      specs: SPECS,
      footer: "Example: deno task evaluate --checkpoint data/pretrained/paper --json",
    }));
    return;
  }
  const v = parsed.values;
  const seed = v.seed as number | undefined;
  if (seed !== undefined && seed < 0) throw new UsageError(`--seed: expected ≥ 0, found ${seed}`);
  const perCategory = bounded(v["per-category"], "per-category", 10_000);
  const sweeps = bounded(v.sweeps, "sweeps", 10_000);
  console.error(`backend: ${await initBackend(parseBackend(v.backend))}`);
  const e = await evaluateCheckpoint(v.checkpoint as string, {
    classifier: v.classifier as string | undefined,
    seed,
    perCategory,
    sweeps,
  });
  console.log(v.json ? JSON.stringify(e, null, 2) : formatEvaluation(e));
}

if (import.meta.main) await runMain(main);
