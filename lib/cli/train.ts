/**
 * `deno task train`: trains InfoGAN and writes a run folder:
 *
 * ```text
 * config.json            the resolved config and the versions that ran it
 * metrics.jsonl          one JSON object per logged step
 * samples/step-NNNNNN.png  label codes as rows, c1 values as columns
 * checkpoint/            the latest checkpoint (see lib/io/checkpoint.ts)
 * ```
 */
import { join } from "node:path";
import { initBackend } from "../backends/select.ts";
import { resolveCheckpoint } from "../io/checkpoint.ts";
import { resumeCheckpoint } from "../io/open_run.ts";
import { configFromEnv, resolveConfig } from "../infogan/config_schema.ts";
import {
  type ConfigChange,
  describeChanges,
  type InfoGanConfig,
  requireImageArchitecture,
} from "../infogan/config.ts";
import { type Dataset, loadDataset } from "../data/mnist.ts";
import { existingRunFile, trainInRunDir } from "../io/run_dir.ts";
import { sampleGridPng } from "../viz/sample_grid.ts";
import { acquireRunLock, type RunLock } from "../io/run_lock.ts";
import { createState, type TrainState } from "../infogan/state.ts";
import { type Progress } from "../infogan/loop.ts";
import {
  type CommandSpec,
  configFlagSpecs,
  configFromFlags,
  runCommand,
  UsageError,
} from "./args.ts";
import { outFlag } from "./flags.ts";
import type { Value } from "../infogan/values.ts";
import { progressReporter } from "../viz/progress.ts";
import { isDir } from "../io/fs.ts";

const COMMAND: CommandSpec = {
  usage: "deno task train [flags]",
  description:
    "Train InfoGAN on MNIST (or --data DIR). Config precedence: flag > INFOGAN_<FIELD> environment variable > preset.",
  flags: {
    out: outFlag("run folder to write (default runs/<preset>-<seed>)", { required: false }),
    resume: {
      kind: "string",
      help: "continue from a checkpoint or run folder; flags may change the schedule and recipe",
    },
    ...configFlagSpecs(),
  },
  footer: [
    "Every config flag can also be set as an environment variable INFOGAN_<FIELD>, such as",
    "INFOGAN_BATCH_SIZE=32; a bad value stops the command, naming the flag or variable, before",
    "anything is written. A --out folder that already holds a run is refused. On resume, schedule",
    "flags (steps, log/sample/checkpoint intervals, backend) may change freely; other recipe flags",
    "(learning rates, lambda, ...) may change and are printed and recorded with their step in",
    "config.json's recipeChanges; shape-defining ones (width, latent size, labels, architecture,",
    "continuous loss, learned std) may not. Ctrl-C (or SIGTERM) finishes the current step, writes",
    "a checkpoint and prints the command to resume.",
    "",
    "Examples: deno task train --preset quick --steps 50 --out runs/x",
    "          deno task train --resume runs/x --steps 200",
  ].join("\n"),
};

async function main(v: Record<string, Value>): Promise<void> {
  const flags = configFromFlags(v);
  const resume = v.resume as string | undefined;
  let state: TrainState;
  let out: string;
  let lock: RunLock | null = null;
  let changes: ConfigChange[] = [];
  try {
    if (resume !== undefined) {
      const ckpt = await resolveCheckpoint(resume);
      out = (v.out as string | undefined) ?? join(ckpt, "..");
      // Lock before reading: a live run could be swapping its checkpoint.
      if (await isDir(out)) lock = acquireRunLock(out);
      const overrides = { ...configFromEnv(Deno.env.toObject()), ...flags };
      const resumed = await resumeCheckpoint(ckpt, overrides, startBackend);
      state = resumed.state;
      changes = resumed.changes;
      console.error(`resuming ${ckpt} at step ${state.step} of ${state.config.steps}`);
      if (changes.length > 0) {
        console.error(`changed on resume (recorded in config.json): ${describeChanges(changes)}`);
      }
    } else {
      const config = resolveConfig({ flags, env: Deno.env.toObject() });
      requireImageArchitecture(config, "--architecture");
      out = (v.out as string | undefined) ?? `runs/${config.preset}-${config.seed}`;
      await refuseExistingRun(out);
      await startBackend(config);
      state = createState(config);
    }
    // Load and validate the data before anything is written. Labels train the
    // label code only in a supervised run; an unsupervised one may have fewer
    // categories than the data has classes.
    const dataset = await loadDataset({
      dir: state.config.data || undefined,
      numClasses: state.config.supervisedLabels ? state.config.numLabels : undefined,
    });
    await Deno.mkdir(join(out, "samples"), { recursive: true });
    lock ??= acquireRunLock(out);
    if (resume === undefined) await refuseExistingRun(out);
    await trainRun(state, dataset, out, changes);
  } finally {
    lock?.release();
  }
}

/** Trains `state` into the (locked) run folder `out`. */
async function trainRun(
  state: TrainState,
  dataset: Dataset,
  out: string,
  changes: ConfigChange[],
): Promise<void> {
  const config = state.config;
  let stop = false;
  const onSignal = () => {
    if (stop) Deno.exit(130);
    stop = true;
    console.error("\nstopping after this step; writing a checkpoint…");
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const report = progressReporter(config.steps);
  try {
    await trainInRunDir(state, dataset, {
      dir: out,
      samplePng: sampleGridPng,
      changes,
      callbacks: {
        onProgress: (p: Progress) => report(p),
        shouldStop: () => stop,
      },
    });
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
  console.error(
    stop
      ? `\nstopped at step ${state.step}; resume with: deno task train --resume ${out}`
      : `\ndone: ${state.step} steps in ${state.elapsed.toFixed(1)} s; run folder ${out}`,
  );
}

/** Starts the backend `config` names; tensors can be made after it. */
async function startBackend(config: InfoGanConfig): Promise<void> {
  console.error(`backend: ${await initBackend(config.backend)}`);
}

async function refuseExistingRun(out: string): Promise<void> {
  const name = await existingRunFile(out);
  if (name === null) return;
  throw new UsageError(
    `--out ${out}: already holds a run (found ${name}); resume it with --resume ${out}, or choose another --out`,
  );
}

if (import.meta.main) await runCommand(COMMAND, main);
