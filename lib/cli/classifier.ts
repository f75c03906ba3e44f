/**
 * `deno task classifier`: trains the MNIST classifier that `evaluate` uses
 * and writes it to `data/classifier/` (or --out), refusing to replace it with
 * one below --min-accuracy.
 */
import { initBackend } from "../backends/select.ts";
import { CLASSIFIER_DEFAULTS, type ClassifierConfig, trainClassifier } from "../eval/classifier.ts";
import { CLASSIFIER_DIR, saveClassifier } from "../eval/classifier_files.ts";
import { loadDataset } from "../data/mnist.ts";
import { type FlagSpec, helpText, parseArgs, runMain, UsageError } from "./args.ts";
import { parseBackend } from "./flags.ts";

const SPECS: Record<string, FlagSpec> = {
  out: { kind: "string", help: "folder to write (default data/classifier)" },
  epochs: {
    kind: "int",
    help: `passes over the training set, 1..100 (default ${CLASSIFIER_DEFAULTS.epochs})`,
  },
  seed: {
    kind: "int",
    help: `seed of weights and data order (default ${CLASSIFIER_DEFAULTS.seed})`,
  },
  "min-accuracy": {
    kind: "number",
    help: "test accuracy below which nothing is written, 0..1 (default 0.99)",
  },
  backend: { kind: "string", help: "compute backend (default auto)" },
};

async function main(): Promise<void> {
  const parsed = parseArgs(Deno.args, SPECS);
  if (parsed.help) {
    console.log(helpText("deno task classifier [flags]", {
      description: "Train the MNIST classifier used by `deno task evaluate`.",
      specs: SPECS,
      footer: "Example: deno task classifier --out data/classifier",
    }));
    return;
  }
  const v = parsed.values;
  const config: ClassifierConfig = {
    ...CLASSIFIER_DEFAULTS,
    epochs: (v.epochs ?? CLASSIFIER_DEFAULTS.epochs) as number,
    seed: (v.seed ?? CLASSIFIER_DEFAULTS.seed) as number,
  };
  if (config.epochs < 1 || config.epochs > 100) {
    throw new UsageError(`--epochs: expected 1..100, found ${config.epochs}`);
  }
  if (config.seed < 0) {
    throw new UsageError(`--seed: expected an integer ≥ 0, found ${config.seed}`);
  }
  const minAccuracy = (v["min-accuracy"] ?? 0.99) as number;
  if (!(minAccuracy >= 0 && minAccuracy <= 1)) {
    throw new UsageError(`--min-accuracy: expected 0..1, found ${minAccuracy}`);
  }
  const out = (v.out ?? CLASSIFIER_DIR) as string;
  console.error(`backend: ${await initBackend(parseBackend(v.backend))}`);
  const train = await loadDataset({ split: "train" });
  const test = await loadDataset({ split: "test" });
  const t0 = performance.now();
  let testAccuracy = 0;
  const model = await trainClassifier(config, { train, test }, (r) => {
    testAccuracy = r.testAccuracy;
    console.error(
      `epoch ${r.epoch}/${config.epochs}: loss ${r.loss.toFixed(4)}, test accuracy ${
        (100 * r.testAccuracy).toFixed(2)
      }% (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  });
  if (testAccuracy < minAccuracy) {
    throw new Error(
      `test accuracy ${(100 * testAccuracy).toFixed(2)}% is below --min-accuracy ${
        100 * minAccuracy
      }%; nothing was written`,
    );
  }
  const command = ["deno task classifier", ...Deno.args].join(" ");
  await saveClassifier(model, out, { config, testAccuracy, command });
  console.log(`wrote ${out}: test accuracy ${(100 * testAccuracy).toFixed(2)}%`);
}

if (import.meta.main) await runMain(main);
