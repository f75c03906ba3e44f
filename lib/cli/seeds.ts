/**
 * `deno task seeds --runs DIR,DIR,...`: one preset over several seeds. Reads
 * each folder's `evaluation.json` (from `deno task evaluate --json`),
 * `metrics.jsonl` and `config.json` (a run folder or a `data/seeds/` record)
 * and prints the seed table and the per-digit table as Markdown (see
 * `lib/eval/seed_table.ts`), or the records as JSON with --json. An entry may
 * instead name one evaluation file in such a folder (`DIR/evaluation-5000.json`),
 * so that one run's checkpoints, evaluated along the way, make the rows.
 */
import { dirname, join } from "node:path";
import { readEvaluationFile } from "../eval/evaluation_file.ts";
import { summarizeMetrics } from "../eval/report.ts";
import { formatPerDigitTable, formatSeedTable, type SeedRecord } from "../eval/seed_table.ts";
import { readJson } from "../io/json_file.ts";
import { readMetrics } from "../io/run_dir.ts";
import { type CommandSpec, runCommand, UsageError } from "./args.ts";
import type { Value } from "../infogan/values.ts";

const COMMAND: CommandSpec = {
  usage: "deno task seeds --runs DIR|FILE.json,... [--json]",
  description:
    "Summarise one preset over seeds: each folder's evaluation.json, the first step L_I reached 95% of H(c), then mean, median, sd and range, and Q's accuracy per digit.",
  flags: {
    runs: {
      kind: "string",
      required: true,
      help:
        "comma-separated folders, each with evaluation.json, metrics.jsonl and config.json; an entry ending in .json names another evaluation file in such a folder",
    },
    json: { kind: "bool", help: "print the records as JSON instead of Markdown" },
  },
  footer: "Example: deno task seeds --runs data/pretrained/paper,data/seeds/paper-s1",
};

async function readRecord(entry: string): Promise<SeedRecord> {
  const file = entry.endsWith(".json") ? entry : join(entry, "evaluation.json");
  const dir = dirname(file);
  const evaluation = await readEvaluationFile(file);
  if (evaluation === null) {
    throw new Error(`${file}: missing; write it with deno task evaluate --checkpoint RUN --json`);
  }
  const configPath = join(dir, "config.json");
  // A run folder's config.json wraps the config; a pretrained folder's is the config.
  type Fields = { seed?: unknown; numLabels?: unknown };
  const wrapped = await readJson(configPath) as Fields & { config?: Fields };
  const { seed, numLabels } = wrapped.config ?? wrapped;
  if (!Number.isInteger(seed) || !Number.isInteger(numLabels)) {
    throw new Error(
      `${configPath}: expected config.seed and config.numLabels as integers, found ${
        JSON.stringify(seed)
      } and ${JSON.stringify(numLabels)}`,
    );
  }
  const metrics = await readMetrics(dir);
  return {
    name: entry,
    seed: seed as number,
    evaluation,
    li95Step: summarizeMetrics(metrics, numLabels as number).li95Step,
  };
}

async function main(v: Record<string, Value>): Promise<void> {
  const dirs = (v.runs as string).split(",").map((d) => d.trim()).filter((d) => d !== "");
  if (dirs.length === 0) throw new UsageError("--runs: expected at least one folder, found none");
  const records = [];
  for (const dir of dirs) records.push(await readRecord(dir));
  console.log(
    v.json
      ? JSON.stringify(records, null, 2)
      : `${formatSeedTable(records)}\n\n${formatPerDigitTable(records)}`,
  );
}

if (import.meta.main) await runCommand(COMMAND, main);
