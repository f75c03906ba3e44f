/**
 * The classifier's folder (`data/classifier/`): its weights and
 * `classifier.json`, which holds the test accuracy, the command that trained
 * it and the SHA-256 of each file, checked on every load. Written whole and
 * swapped in, like a checkpoint.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { dirname, join, resolve } from "node:path";
import { buildClassifier, type ClassifierConfig } from "./classifier.ts";
import { Random } from "../infogan/random.ts";
import { PROJECT_ROOT } from "../io/fs.ts";
import { resolveFolder, swapFolder, writeFolder } from "../io/folder.ts";
import { readJson } from "../io/json_file.ts";
import { digestsOf, type FileDigests, readVerified } from "../io/manifest.ts";
import { loadModelWeights, serializeModel } from "../io/model_files.ts";

/** Where the shipped classifier lives. */
export const CLASSIFIER_DIR: string = join(PROJECT_ROOT, "data", "classifier");

/** Identifies the format of `classifier.json`. */
export const CLASSIFIER_FORMAT = "infogan-classifier/1";

/** A classifier folder that is missing, damaged or of another format. */
export class ClassifierError extends Error {
  override name = "ClassifierError";
}

/** The contents of `classifier.json`. */
export interface ClassifierInfo {
  format: string;
  config: ClassifierConfig;
  /** Accuracy on the dataset's 10 000 test images. */
  testAccuracy: number;
  /** The dataset: its folder, or MNIST (absent in files written before this field: MNIST). */
  data?: string;
  /** The command that trained it. */
  command: string;
  /** Byte size and SHA-256 of `model.json` and `weights.bin`. */
  files: FileDigests;
}

/**
 * The shipped classifier that judges images of the dataset `data` (a run's
 * `config.data`; empty for MNIST): `data/classifier/` for MNIST, else the
 * `data/classifier-*` folder whose `classifier.json` names the same folder.
 * Throws {@linkcode ClassifierError} when none does, rather than judge one
 * dataset's images with another's classifier.
 */
export async function classifierFor(data: string): Promise<string> {
  if (data === "") return CLASSIFIER_DIR;
  const real = async (path: string) => {
    try {
      return await Deno.realPath(path);
    } catch {
      return resolve(path);
    }
  };
  const wanted = await real(data);
  const root = dirname(CLASSIFIER_DIR);
  const found: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (!entry.isDirectory || !entry.name.startsWith("classifier-")) continue;
    const dir = join(root, entry.name);
    const info = await readJson(join(dir, "classifier.json"), {
      error: ClassifierError,
      expected: "the classifier's JSON description",
    }) as ClassifierInfo;
    found.push(`${entry.name} (${info.data ?? "MNIST"})`);
    if (info.data && await real(info.data) === wanted) return dir;
  }
  throw new ClassifierError(
    `no shipped classifier judges ${data}: expected a data/classifier-* folder trained on it, found ${
      found.join(", ") || "none"
    }; train one with \`deno task classifier --data ${data} --out DIR\` and pass its folder`,
  );
}

/** Writes the classifier and its `classifier.json` to `dir`. */
export async function saveClassifier(
  model: tf.LayersModel,
  dir: string,
  info: Omit<ClassifierInfo, "format" | "files">,
): Promise<void> {
  const { json, weights } = await serializeModel(model);
  const files = { "model.json": json, "weights.bin": weights };
  const full: ClassifierInfo = {
    format: CLASSIFIER_FORMAT,
    ...info,
    files: await digestsOf(files),
  };
  const infoJson = new TextEncoder().encode(JSON.stringify(full, null, 2) + "\n");
  const tmp = `${dir}.tmp`;
  await writeFolder(tmp, [...Object.entries(files), ["classifier.json", infoJson]]);
  await swapFolder(tmp, dir);
}

/**
 * Loads the classifier in `dir` (default: the shipped one), checking the
 * digests in `classifier.json` first. Throws {@linkcode ClassifierError}
 * naming the file on anything missing or damaged.
 */
export async function loadClassifier(
  dir: string = CLASSIFIER_DIR,
): Promise<{ model: tf.LayersModel; info: ClassifierInfo }> {
  const folder = await resolveFolder(dir) ?? dir;
  const infoPath = join(folder, "classifier.json");
  const info = await readJson(infoPath, {
    error: ClassifierError,
    expected: "the classifier's JSON description (train one with `deno task classifier`)",
  }) as ClassifierInfo;
  if (info?.format !== CLASSIFIER_FORMAT || typeof info.files !== "object") {
    throw new ClassifierError(
      `${infoPath}: expected format ${CLASSIFIER_FORMAT}, found ${JSON.stringify(info?.format)}`,
    );
  }
  const model = buildClassifier(new Random(0));
  try {
    const bytes = await readVerified(folder, info.files, ["model.json", "weights.bin"], {
      listedIn: infoPath,
      error: ClassifierError,
    });
    await loadModelWeights(model, {
      json: bytes["model.json"],
      weights: bytes["weights.bin"],
      jsonPath: join(folder, "model.json"),
      binPath: join(folder, "weights.bin"),
    }, { error: ClassifierError });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, info };
}
