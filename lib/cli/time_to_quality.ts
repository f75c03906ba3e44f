/**
 * `deno task time-to-quality`: trains one config and, every `--every` steps,
 * asks the shipped MNIST classifier whether the label code draws the digit it
 * asks for. Prints one JSON line per check (step, training seconds, label
 * accuracy) and, at the end, the steps and seconds to 90% and to 95%.
 *
 * Only training counts as time: the checks run between training chunks, and
 * `elapsed` is the training loop's own clock. The table in docs/presets.md of how the
 * lesson preset was chosen comes from these runs.
 */
import { initBackend } from "../backends/select.ts";
import { configFromEnv, resolveConfig } from "../infogan/config_schema.ts";
import { loadDataset, realSampler } from "../data/mnist.ts";
import { CLASSIFIER_DIR, loadClassifier } from "../eval/classifier_files.ts";
import { labelCodeAccuracy } from "../eval/generated.ts";
import { createState, disposeState } from "../infogan/state.ts";
import { train } from "../infogan/loop.ts";
import {
  configFlagSpecs,
  configFromFlags,
  type FlagSpec,
  helpText,
  parseArgs,
  runMain,
  UsageError,
} from "./args.ts";

const SPECS: Record<string, FlagSpec> = {
  every: { kind: "int", help: "steps between accuracy checks (default 50)" },
  "per-label": { kind: "int", help: "generated digits per label at each check (default 50)" },
  until: { kind: "number", help: "stop once the accuracy reaches this fraction (default: never)" },
  ...configFlagSpecs(),
};

/** One accuracy check during training. */
export interface QualityPoint {
  step: number;
  /** Training seconds so far (checks excluded). */
  seconds: number;
  /** Fraction of generated digits the classifier labels as their label code. */
  accuracy: number;
}

/** The first point at or above `target`, if any. */
export function firstAt(points: readonly QualityPoint[], target: number): QualityPoint | null {
  return points.find((p) => p.accuracy >= target) ?? null;
}

async function main(): Promise<void> {
  const parsed = parseArgs(Deno.args, SPECS);
  if (parsed.help) {
    console.log(helpText("deno task time-to-quality [flags]", {
      description:
        "Train a supervised-label config and time how fast its label code draws the right digit.",
      specs: SPECS,
      footer: "Example: deno task time-to-quality --preset lesson --steps 1200 --every 100",
    }));
    return;
  }
  const every = (parsed.values.every as number | undefined) ?? 50;
  const perLabel = (parsed.values["per-label"] as number | undefined) ?? 50;
  const until = parsed.values.until as number | undefined;
  if (every < 1) throw new UsageError(`--every: expected an integer ≥ 1, found ${every}`);
  if (perLabel < 1) throw new UsageError(`--per-label: expected an integer ≥ 1, found ${perLabel}`);
  const config = resolveConfig({
    flags: { ...configFromEnv(Deno.env.toObject()), ...configFromFlags(parsed) },
  });
  if (!config.supervisedLabels) {
    throw new UsageError(
      "--supervised-labels: expected true (label k must draw digit k), found false",
    );
  }
  console.error(`backend: ${await initBackend(config.backend)}`);
  const dataset = await loadDataset({ dir: config.data || undefined });
  const { model: classifier } = await loadClassifier(CLASSIFIER_DIR);
  const state = createState({ ...config, logEvery: every, checkpointEvery: config.steps });
  const points: QualityPoint[] = [];
  while (state.step < config.steps) {
    state.config = { ...state.config, steps: Math.min(state.step + every, config.steps) };
    await train(state, realSampler(dataset));
    // The same latents at every check (a fixed seed), so checks differ only by training.
    const { accuracy } = await labelCodeAccuracy(state.generator, config, { perLabel, classifier });
    const point = { step: state.step, seconds: state.elapsed, accuracy };
    points.push(point);
    console.log(JSON.stringify(point));
    if (until !== undefined && accuracy >= until) break;
  }
  const summary: Record<string, unknown> = { preset: config.preset };
  for (const target of [0.9, 0.95]) {
    const hit = firstAt(points, target);
    summary[`to_${target * 100}`] = hit && { step: hit.step, seconds: hit.seconds };
  }
  summary.ms_per_step = 1000 * state.elapsed / state.step;
  summary.final = points.at(-1);
  console.log(JSON.stringify(summary));
  disposeState(state);
  classifier.dispose();
}

if (import.meta.main) await runMain(main);
