/**
 * `deno task export --checkpoint RUN --out DIR`: packages a trained run as a
 * pretrained model folder, as shipped in `data/pretrained/<name>/`:
 *
 * ```text
 * checkpoint/            weights-only checkpoint (float16 with --float16; either
 *                        network in 8 bits with --generator-uint8 or
 *                        --discriminator-uint8)
 * config.json            the run's config
 * metrics.jsonl          the run's training metrics
 * metrics-summary.json   L_I over training, the first step at 95% of H(c),
 *                        the last metrics line (and the same for --baseline)
 * baseline-metrics.jsonl with --baseline: the metrics of a comparison run,
 *                        such as λ = 0
 * baseline/              with --baseline (unless --baseline-metrics-only): that
 *                        run's generator (checkpoint/, no discriminator) and its
 *                        evaluation.json, .txt
 * evaluation.json, .txt  `deno task evaluate` on the exported weights
 * gallery/c1.png, c2.png one sweep per code: categories as rows, -2..2
 * COMMANDS.md            the commands that reproduce all of it
 * resume/                with --with-resume: a run folder (float32 checkpoint with
 *                        optimizer state, metrics) to continue training from
 * ```
 *
 * Everything is written to `DIR.tmp` and swapped in at the end, so a failed
 * export leaves the previous folder as it was.
 */
import { trainCommands } from "../infogan/config_schema.ts";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { swapFolder } from "../io/folder.ts";
import { writeAtomic, writeTextAtomic } from "../io/atomic.ts";
import { initBackend } from "../backends/select.ts";
import { exportWeights } from "../io/export_weights.ts";
import { loadGenerator, readCheckpointState, resolveCheckpoint } from "../io/checkpoint.ts";
import { type WeightPrecision } from "../io/model_files.ts";
import { formatEvaluation, summarizeMetrics } from "../eval/report.ts";
import { encodePng } from "../viz/png.ts";
import { readMetrics, readRecipeChanges } from "../io/run_dir.ts";
import { SAMPLE_VALUES } from "../viz/sample_grid.ts";
import { sweep, tile } from "../infogan/sample.ts";
import { type CommandSpec, runCommand } from "./args.ts";
import type { Value } from "../infogan/values.ts";
import { evaluateCheckpoint } from "../eval/evaluate_checkpoint.ts";
import { BACKEND_FLAG, checkpointFlag, outFlag, parseBackend } from "./flags.ts";

const COMMAND: CommandSpec = {
  usage: "deno task export --checkpoint RUN --out DIR [--float16]",
  description: "Package a trained run as a pretrained folder with its evaluation and gallery.",
  flags: {
    checkpoint: checkpointFlag("run folder to package"),
    out: outFlag("folder to (re)write, e.g. data/pretrained/paper"),
    float16: { kind: "bool", help: "store the weights as float16 (half the size)" },
    "generator-uint8": {
      kind: "bool",
      help: "store the generator as 8-bit weights (a quarter of float32)",
    },
    "discriminator-uint8": {
      kind: "bool",
      help: "store the discriminator as 8-bit weights (a quarter of float32)",
    },
    baseline: {
      kind: "string",
      help: "run folder (e.g. a λ = 0 run) whose metrics and generator ship beside",
    },
    "baseline-uint8": { kind: "bool", help: "store the baseline's generator as 8-bit weights" },
    "baseline-metrics-only": {
      kind: "bool",
      help: "ship only the baseline's metrics, not its generator (to stay small)",
    },
    "with-resume": {
      kind: "bool",
      help: "also ship the full training checkpoint in resume/, to continue training later",
    },
    backend: BACKEND_FLAG,
  },
  footer:
    "Example: deno task export --checkpoint runs/paper-0 --out data/pretrained/paper --float16",
};

async function main(v: Record<string, Value>): Promise<void> {
  const run = v.checkpoint as string;
  const out = v.out as string;
  const dir = `${out}.tmp`;
  console.error(`backend: ${await initBackend(parseBackend(v.backend))}`);
  const ckpt = await resolveCheckpoint(run);
  const runDir = join(ckpt, "..");
  const metrics = await readMetrics(runDir);
  const baseline = v.baseline as string | undefined;
  const baselineMetrics = baseline === undefined ? null : await readMetrics(baseline);
  const baselineConfig = baseline === undefined
    ? null
    : (await readCheckpointState(await resolveCheckpoint(baseline))).config;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const precision: WeightPrecision = v.float16 ? "float16" : "float32";
  await exportWeights(ckpt, join(dir, "checkpoint"), {
    generator: v["generator-uint8"] ? "uint8" : precision,
    discriminator: v["discriminator-uint8"] ? "uint8" : precision,
  });
  const baselineModel = baseline !== undefined && !v["baseline-metrics-only"];
  if (baselineModel) {
    await exportWeights(baseline, join(dir, "baseline", "checkpoint"), {
      generator: v["baseline-uint8"] ? "uint8" : precision,
      discriminator: "none",
    });
  }
  const { generator, config, step } = await loadGenerator(dir);
  try {
    await writeTextAtomic(join(dir, "config.json"), JSON.stringify(config, null, 2) + "\n");
    await writeAtomic(
      join(dir, "metrics.jsonl"),
      await Deno.readFile(join(runDir, "metrics.jsonl")),
    );
    const summary = {
      ...summarizeMetrics(metrics, config.numLabels),
      baseline: baselineMetrics && summarizeMetrics(baselineMetrics, config.numLabels),
    };
    await writeTextAtomic(
      join(dir, "metrics-summary.json"),
      JSON.stringify(summary, null, 2) + "\n",
    );
    if (baseline !== undefined) {
      await writeAtomic(
        join(dir, "baseline-metrics.jsonl"),
        await Deno.readFile(join(baseline, "metrics.jsonl")),
      );
    }
    await Deno.mkdir(join(dir, "gallery"), { recursive: true });
    for (const code of [1, 2] as const) {
      const s = await sweep(generator, config, { code, values: [...SAMPLE_VALUES], seed: 0 });
      const grid = tile(s.images, s);
      await writeAtomic(join(dir, "gallery", `c${code}.png`), encodePng(grid.pixels, grid));
    }
  } finally {
    generator.dispose();
  }
  const table = await writeEvaluation(dir);
  if (baselineModel) await writeEvaluation(join(dir, "baseline"));
  const commands = [
    `# Reproducing ${out}`,
    "",
    "```sh",
    ...trainCommands(config, step, run, await readRecipeChanges(runDir)),
    ...(baselineConfig
      ? trainCommands(
        baselineConfig,
        baselineMetrics?.at(-1)?.step ?? 0,
        baseline!,
        await readRecipeChanges(baseline!),
      )
      : []),
    [
      `deno task export --checkpoint ${run} --out ${out}`,
      ...(v.float16 ? ["--float16"] : []),
      ...(v["generator-uint8"] ? ["--generator-uint8"] : []),
      ...(v["discriminator-uint8"] ? ["--discriminator-uint8"] : []),
      ...(baseline ? [`--baseline ${baseline}`] : []),
      ...(v["baseline-uint8"] ? ["--baseline-uint8"] : []),
      ...(v["baseline-metrics-only"] ? ["--baseline-metrics-only"] : []),
      ...(v["with-resume"] ? ["--with-resume"] : []),
    ].join(" "),
    `deno task evaluate --checkpoint ${out}`,
    "```",
    "",
  ];
  if (v["with-resume"]) {
    await cp(ckpt, join(dir, "resume", "checkpoint"), { recursive: true });
    // A live run may swap its checkpoint mid-copy: check what was copied.
    await readCheckpointState(join(dir, "resume", "checkpoint"));
    await writeAtomic(
      join(dir, "resume", "metrics.jsonl"),
      await Deno.readFile(join(runDir, "metrics.jsonl")),
    );
    commands.push(
      `To continue training from step ${step} (the config allows ${config.steps}):`,
      "",
      "```sh",
      `cp -r ${join(out, "resume")} runs/continued`,
      `deno task train --resume runs/continued --steps N`,
      "```",
      "",
    );
  }
  await writeTextAtomic(join(dir, "COMMANDS.md"), commands.join("\n"));
  await swapFolder(dir, out);
  console.log(table);
  console.log(`\nwrote ${out}`);
}

/** Evaluates the export in `dir` and writes evaluation.json and .txt; returns the table. */
async function writeEvaluation(dir: string): Promise<string> {
  const evaluation = await evaluateCheckpoint(dir);
  await writeTextAtomic(
    join(dir, "evaluation.json"),
    JSON.stringify(evaluation, null, 2) + "\n",
  );
  const table = formatEvaluation(evaluation);
  await writeTextAtomic(join(dir, "evaluation.txt"), table + "\n");
  return table;
}
if (import.meta.main) await runCommand(COMMAND, main);
