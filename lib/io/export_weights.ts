/**
 * Weights-only exports: a checkpoint folder without optimizer state, with
 * the networks at the precision asked for, for shipping a model small.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import {
  loadModels,
  modelEntries,
  readCheckpoint,
  resolveCheckpoint,
  writeCheckpointFolder,
} from "./checkpoint.ts";
import { serializeModel, type WeightPrecision } from "./model_files.ts";

/** Options for {@linkcode exportWeights}. */
export interface ExportOptions {
  /** The generator's weights (default float32). */
  generator?: WeightPrecision;
  /** The discriminator's weights, or `none` to leave it out (default float32). */
  discriminator?: WeightPrecision | "none";
}

/**
 * Writes a weights-only checkpoint of `path` to `out`: the config, step and
 * the networks at the precisions asked for (float16 halves the size, uint8
 * quarters it), without optimizer state. `loadModels` reads it; resuming
 * from it is refused. The checkpoint is read and verified once, and the
 * export is swapped in whole, so a failed export leaves the old one.
 */
export async function exportWeights(
  path: string,
  out: string,
  options: ExportOptions = {},
): Promise<void> {
  const read = await readCheckpoint(await resolveCheckpoint(path));
  const withD = options.discriminator !== "none";
  const models = await loadModels(read.dir, { discriminator: withD, read });
  try {
    const parts: [string, tf.LayersModel, WeightPrecision][] = [
      ["generator", models.generator, options.generator ?? "float32"],
    ];
    if (models.discriminator) {
      const precision = options.discriminator as WeightPrecision | undefined;
      parts.push(["discriminator", models.discriminator, precision ?? "float32"]);
    }
    const files: Record<string, Uint8Array> = {};
    for (const [name, model, precision] of parts) {
      Object.assign(
        files,
        Object.fromEntries(modelEntries(name, await serializeModel(model, { precision }))),
      );
    }
    const { files: _, ...meta } = read.meta;
    await writeCheckpointFolder(out, {
      ...meta,
      weightsOnly: true,
      ...(withD ? {} : { generatorOnly: true }),
    }, files);
  } finally {
    models.generator.dispose();
    models.discriminator?.dispose();
  }
}
