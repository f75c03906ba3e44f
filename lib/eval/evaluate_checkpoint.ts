/**
 * Evaluates a checkpoint as `deno task evaluate` and `deno task export` do:
 * loads its models, the shipped classifier and the MNIST test split, runs
 * {@linkcode evaluate} and frees everything it loaded.
 *
 * @module
 */
import { CLASSIFIER_DIR, loadClassifier } from "./classifier_files.ts";
import { loadModels } from "../io/checkpoint.ts";
import { evaluate, type Evaluation } from "./evaluate.ts";
import { loadDataset } from "../data/mnist.ts";

/** Loads everything and evaluates the checkpoint at `path`. */
export async function evaluateCheckpoint(
  path: string,
  options: { classifier?: string; seed?: number; perCategory?: number; sweeps?: number } = {},
): Promise<Evaluation> {
  const { model: classifier, info } = await loadClassifier(options.classifier ?? CLASSIFIER_DIR);
  const models = await loadModels(path);
  try {
    const test = await loadDataset({ split: "test", dir: models.config.data || undefined });
    return await evaluate(models, {
      test,
      classifier,
      classifierAccuracy: info.testAccuracy,
    }, {
      ...(options.seed !== undefined && { seed: options.seed }),
      ...(options.perCategory !== undefined && { perCategory: options.perCategory }),
      ...(options.sweeps !== undefined && { sweeps: options.sweeps }),
    });
  } finally {
    classifier.dispose();
    models.generator.dispose();
    models.discriminator?.dispose();
  }
}
