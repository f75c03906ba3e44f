/**
 * What a latent explorer page inlines, read and serialized here so that
 * `viz/explorer.ts` reads no files: the generator as float16 model files and
 * tfjs's browser build from the pinned npm package.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { type ModelFiles, serializeModel } from "./model_files.ts";
import { PROJECT_ROOT } from "./fs.ts";

/** The browser build of tfjs that the page inlines. */
export const TFJS_BUNDLE: string = join(
  PROJECT_ROOT,
  "node_modules",
  "@tensorflow",
  "tfjs",
  "dist",
  "tf.es2017.min.js",
);

/** The generator's float16 model files and the source of tfjs's browser build. */
export async function explorerInputs(
  generator: tf.LayersModel,
): Promise<{ files: ModelFiles; tfjs: string }> {
  const tfjs = await Deno.readTextFile(TFJS_BUNDLE).catch((e) => {
    throw new Error(
      `${TFJS_BUNDLE}: expected tfjs's browser build, found none (${
        (e as Error).message
      }); run deno task setup`,
    );
  });
  return { files: await serializeModel(generator, { precision: "float16" }), tfjs };
}
