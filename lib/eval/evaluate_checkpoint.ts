/**
 * Evaluates a checkpoint as `deno task evaluate` and `deno task export` do:
 * loads its models, the shipped classifier of its dataset (see
 * {@linkcode classifierFor}) and that dataset's test split, runs
 * {@linkcode evaluate} and frees everything it loaded.
 *
 * @module
 */
import { classifierFor, loadClassifier } from "./classifier_files.ts";
import { loadModels } from "../io/checkpoint.ts";
import { evaluate, type Evaluation } from "./evaluate.ts";
import { loadDataset } from "../data/mnist.ts";

/** Loads everything and evaluates the checkpoint at `path`. */
export async function evaluateCheckpoint(
  path: string,
  options: { classifier?: string; seed?: number; perCategory?: number; sweeps?: number } = {},
): Promise<Evaluation> {
  // A classifier named by the caller is checked first; the default one depends on the run's dataset.
  let loaded = options.classifier ? await loadClassifier(options.classifier) : null;
  let models: Awaited<ReturnType<typeof loadModels>>;
  try {
    models = await loadModels(path);
  } catch (e) {
    loaded?.model.dispose();
    throw e;
  }
  try {
    loaded ??= await loadClassifier(await classifierFor(models.config.data));
  } catch (e) {
    models.generator.dispose();
    models.discriminator?.dispose();
    throw e;
  }
  const { model: classifier, info } = loaded;
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
