/**
 * `deno task time-to-quality`: trains one config and, every `--every` steps,
 * asks the shipped MNIST classifier whether the label code draws the digit it
 * asks for. Prints one JSON line per check (step, training seconds, label
 * accuracy) and, at the end, the steps and seconds to 90% and to 95%.
 *
 * An unsupervised config (`--supervised-labels false`, the paper's setup) is
 * scored under the best one-to-one mapping of categories to digits, on the
 * generated digits (`accuracy`) and on Q's category of the 10 000 MNIST test
 * images (`qTest`, moving averages); its summary also gives the steps to 85%
 * for each.
 *
 * Only training counts as time: the checks run between training chunks, and
 * `elapsed` is the training loop's own clock. The table in docs/presets.md of how the
 * lesson preset was chosen comes from these runs.
 */
import { initBackend } from "../backends/select.ts";
import { configFromEnv, resolveConfig } from "../infogan/config_schema.ts";
import { loadDataset, realSampler } from "../data/mnist.ts";
import { classifierFor, loadClassifier } from "../eval/classifier_files.ts";
import { labelCodeAccuracy } from "../eval/generated.ts";
import { bestMapping, confusion } from "../eval/assignment.ts";
import { classify } from "../eval/classifier.ts";
import { logitsView } from "../infogan/discriminator.ts";
import type { Dataset } from "../data/mnist.ts";
import type * as tf from "@tensorflow/tfjs";
import { createState, disposeState } from "../infogan/state.ts";
import { train } from "../infogan/loop.ts";
import {
  type CommandSpec,
  configFlagSpecs,
  configFromFlags,
  runCommand,
  UsageError,
} from "./args.ts";
import type { Value } from "../infogan/values.ts";

/** One accuracy check during training. */
export interface QualityPoint {
  step: number;
  /** Training seconds so far (checks excluded). */
  seconds: number;
  /** Fraction of generated digits the classifier labels as their label code. */
  accuracy: number;
  /** Unsupervised runs: Q's Hungarian accuracy on the MNIST test images. */
  qTest?: number;
}

/** The first point whose `measure` is at or above `target`, if any. */
export function firstAt(
  points: readonly QualityPoint[],
  target: number,
  measure: "accuracy" | "qTest" = "accuracy",
): QualityPoint | null {
  return points.find((p) => (p[measure] ?? -1) >= target) ?? null;
}

/** Q's category of every test image, scored under its best one-to-one mapping. */
async function qTestAccuracy(discriminator: tf.LayersModel, test: Dataset): Promise<number> {
  const images = Float32Array.from(test.images, (v) => v / 255);
  const q = logitsView(discriminator);
  const categories = await classify(q, images, { output: 1 });
  return bestMapping(confusion(categories, test.labels, 10)).accuracy;
}

const COMMAND: CommandSpec = {
  usage: "deno task time-to-quality [flags]",
  description:
    "Train a config and time how fast its label code draws the right digit (Hungarian-mapped, with Q's test accuracy, when unsupervised).",
  flags: {
    every: {
      kind: "int",
      min: 1,
      max: 1_000_000,
      default: 50,
      help: "steps between accuracy checks",
    },
    "per-label": {
      kind: "int",
      min: 1,
      max: 10_000,
      default: 50,
      help: "generated digits per label at each check",
    },
    until: {
      kind: "float",
      min: 0,
      max: 1,
      help: "stop once the accuracy reaches this fraction (default: never)",
    },
    ...configFlagSpecs(),
  },
  footer: "Example: deno task time-to-quality --preset lesson --steps 1200 --every 100",
};

async function main(v: Record<string, Value>): Promise<void> {
  const every = v.every as number;
  const perLabel = v["per-label"] as number;
  const until = v.until as number | undefined;
  const config = resolveConfig({
    flags: { ...configFromEnv(Deno.env.toObject()), ...configFromFlags(v) },
  });
  if (!config.supervisedLabels && config.numLabels !== 10) {
    throw new UsageError(
      `--num-labels: expected 10 for an unsupervised run (mapped one-to-one onto the digits), found ${config.numLabels}`,
    );
  }
  console.error(`backend: ${await initBackend(config.backend)}`);
  const dataset = await loadDataset({ dir: config.data || undefined });
  const test = config.supervisedLabels
    ? null
    : await loadDataset({ split: "test", dir: config.data || undefined });
  const { model: classifier } = await loadClassifier(await classifierFor(config.data));
  const state = createState({ ...config, logEvery: every, checkpointEvery: config.steps });
  const points: QualityPoint[] = [];
  while (state.step < config.steps) {
    state.config = { ...state.config, steps: Math.min(state.step + every, config.steps) };
    await train(state, realSampler(dataset));
    // The same latents at every check (a fixed seed), so checks differ only by training.
    const { accuracy } = await labelCodeAccuracy(state.generator, config, { perLabel, classifier });
    const point: QualityPoint = { step: state.step, seconds: state.elapsed, accuracy };
    if (test) point.qTest = await qTestAccuracy(state.discriminator, test);
    points.push(point);
    console.log(JSON.stringify(point));
    if (until !== undefined && accuracy >= until) break;
  }
  const summary: Record<string, unknown> = { preset: config.preset };
  for (const target of test ? [0.85, 0.9, 0.95] : [0.9, 0.95]) {
    const hit = firstAt(points, target);
    summary[`to_${target * 100}`] = hit && { step: hit.step, seconds: hit.seconds };
    if (test) {
      const q = firstAt(points, target, "qTest");
      summary[`q_to_${target * 100}`] = q && { step: q.step, seconds: q.seconds };
    }
  }
  summary.ms_per_step = 1000 * state.elapsed / state.step;
  summary.final = points.at(-1);
  console.log(JSON.stringify(summary));
  disposeState(state);
  classifier.dispose();
}

if (import.meta.main) await runCommand(COMMAND, main);
