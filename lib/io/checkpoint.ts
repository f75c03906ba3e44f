/**
 * Checkpoints: a directory holding
 *
 * ```text
 * generator/model.json, generator/weights.bin          tfjs LayersModel format
 * discriminator/model.json, discriminator/weights.bin  (D with its Q heads)
 * optimizer.json, optimizer.bin                        slots and iteration counts
 * state.json                                           step, RNG state, config,
 *                                                      versions, file digests
 * ```
 *
 * Writing is atomic: the new checkpoint is written beside and swapped in
 * (`folder.ts`), so a process killed at any moment leaves either `<dir>` or
 * `<dir>.old` complete, and {@linkcode resolveCheckpoint} finds it. Loading
 * reads every file once, checks its size and SHA-256 (`manifest.ts`) and
 * every weight's name and shape against a model freshly built from the
 * config, so weights are never loaded silently wrong.
 *
 * A *weights-only* export (`export_weights.ts`: no optimizer files,
 * optionally float16 or 8-bit weights, optionally the generator alone) loads
 * with {@linkcode loadModels}, but cannot resume. `state.json` marks it with
 * `weightsOnly: true` (and `generatorOnly: true`).
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { ConfigError, type InfoGanConfig, SHAPE_FIELDS } from "../infogan/config.ts";
import { validateConfig } from "../infogan/config_schema.ts";
import type { NamedSlot } from "../infogan/optimizer.ts";
import { Random, type RandomState } from "../infogan/random.ts";
import { buildDiscriminator } from "../infogan/discriminator.ts";
import { buildGenerator } from "../infogan/generator.ts";
import { createState, disposeState, type TrainState } from "../infogan/state.ts";
import { resolveFolder, swapFolder, type SwapOptions, writeFolder } from "./folder.ts";
import { parseJson, readBytes } from "./json_file.ts";
import { digestsOf, type FileDigests, readVerified } from "./manifest.ts";
import {
  decodeSlots,
  loadModelWeights,
  type ModelFiles,
  serializeModel,
  serializeSlots,
} from "./model_files.ts";

/** Identifies the format in `state.json`. */
export const CHECKPOINT_FORMAT = "infogan-checkpoint/1";

/** A checkpoint that is missing, damaged or does not match the config. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/** The contents of `state.json`. */
export interface CheckpointState {
  format: string;
  step: number;
  elapsed: number;
  random: RandomState;
  config: InfoGanConfig;
  versions: Record<string, string>;
  optimizers: { d: { iterations: number }; g: { iterations: number } };
  /** True for an export without optimizer state: it loads, but cannot resume. */
  weightsOnly?: boolean;
  /** True for a weights-only export without the discriminator. */
  generatorOnly?: boolean;
  /** Byte size and SHA-256 (hex) of every other file, by relative path. */
  files: FileDigests;
}

/** A checkpoint read and verified once: its `state.json` and the bytes of every listed file. */
export interface CheckpointRead {
  dir: string;
  meta: CheckpointState;
  files: Record<string, Uint8Array>;
}

/** The models of a checkpoint, by folder name. */
function modelsOf(state: TrainState): [string, tf.LayersModel][] {
  return [["generator", state.generator], ["discriminator", state.discriminator]];
}

/** A model's two files under `name/` in a checkpoint's file table. */
export function modelEntries(name: string, files: ModelFiles): [string, Uint8Array][] {
  return [[`${name}/model.json`, files.json], [`${name}/weights.bin`, files.weights]];
}

/**
 * Writes a checkpoint folder atomically: `files`, then `state.json` (which
 * lists their digests, and marks the folder complete) last.
 */
export async function writeCheckpointFolder(
  dir: string,
  meta: Omit<CheckpointState, "files">,
  files: Record<string, Uint8Array>,
  options: SwapOptions = {},
): Promise<void> {
  const full: CheckpointState = { ...meta, files: await digestsOf(files) };
  const stateJson = new TextEncoder().encode(JSON.stringify(full, null, 2) + "\n");
  const tmp = `${dir}.tmp`;
  await writeFolder(tmp, [...Object.entries(files), ["state.json", stateJson]]);
  await swapFolder(tmp, dir, options);
}

/**
 * Writes the state's checkpoint to `dir` atomically. `afterStep` (for the
 * crash tests) is called after each step of the folder swap.
 */
export async function saveCheckpoint(
  state: TrainState,
  dir: string,
  options: { versions?: Record<string, string> } & SwapOptions = {},
): Promise<void> {
  const files: Record<string, Uint8Array> = {};
  for (const [name, model] of modelsOf(state)) {
    Object.assign(files, Object.fromEntries(modelEntries(name, await serializeModel(model))));
  }
  const opt = await serializeSlots([
    ...state.optD.slots().map((s) => ({ ...s, name: `d/${s.name}` })),
    ...state.optG.slots().map((s) => ({ ...s, name: `g/${s.name}` })),
  ], "optimizer.bin");
  files["optimizer.json"] = opt.json;
  files["optimizer.bin"] = opt.weights;
  await writeCheckpointFolder(
    dir,
    {
      format: CHECKPOINT_FORMAT,
      step: state.step,
      elapsed: state.elapsed,
      random: state.rng.state(),
      config: state.config,
      versions: options.versions ?? {},
      optimizers: {
        d: { iterations: state.optD.iterations },
        g: { iterations: state.optG.iterations },
      },
    },
    files,
    options,
  );
}

/**
 * Finds the checkpoint a path refers to: a checkpoint directory itself, a
 * run directory holding `checkpoint/`, or, after a crash mid-swap, the
 * `.old` copy beside a missing one. Throws naming the path otherwise.
 */
export async function resolveCheckpoint(path: string): Promise<string> {
  for (const c of [path, join(path, "checkpoint")]) {
    const dir = await resolveFolder(c);
    if (dir !== null && (await isCheckpoint(dir))) return dir;
  }
  throw new CheckpointError(
    `${path}: no checkpoint found (expected a folder holding state.json, or a run folder holding checkpoint/state.json)`,
  );
}

async function isCheckpoint(dir: string): Promise<boolean> {
  try {
    return (await Deno.stat(join(dir, "state.json"))).isFile;
  } catch {
    return false;
  }
}

/** The files a checkpoint's `state.json` must list. */
function expectedFiles(meta: CheckpointState): string[] {
  return (meta.generatorOnly ? ["generator"] : ["generator", "discriminator"])
    .flatMap((m) => [`${m}/model.json`, `${m}/weights.bin`])
    .concat(meta.weightsOnly ? [] : ["optimizer.json", "optimizer.bin"]);
}

/**
 * Reads `dir/state.json`, checks it, and reads every file it lists once,
 * checking each one's size and digest. Throws {@linkcode CheckpointError}
 * naming the file on anything missing, damaged or malformed.
 */
export async function readCheckpoint(dir: string): Promise<CheckpointRead> {
  const path = join(dir, "state.json");
  const opts = { error: CheckpointError, expected: "a checkpoint file" };
  const meta = parseJson(await readBytes(path, opts), path, opts) as Partial<CheckpointState>;
  if (meta?.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      `${path}: expected format ${CHECKPOINT_FORMAT}, found ${JSON.stringify(meta?.format)}`,
    );
  }
  if (!Number.isInteger(meta.step) || (meta.step as number) < 0) {
    throw new CheckpointError(`${path}: expected step ≥ 0, found ${meta.step}`);
  }
  try {
    meta.config = validateConfig(meta.config, `${path} config`);
  } catch (e) {
    throw new CheckpointError((e as Error).message);
  }
  if (meta.generatorOnly && !meta.weightsOnly) {
    throw new CheckpointError(`${path}: expected generatorOnly only with weightsOnly, found both`);
  }
  const full = meta as CheckpointState;
  const files = await readVerified(dir, full.files ?? {}, expectedFiles(full), {
    listedIn: path,
    error: CheckpointError,
    expected: "a checkpoint file",
  });
  return { dir, meta: full, files };
}

/** Reads and verifies `state.json` and every file it lists (see {@linkcode readCheckpoint}). */
export async function readCheckpointState(dir: string): Promise<CheckpointState> {
  return (await readCheckpoint(dir)).meta;
}

/** Loads one model of a read checkpoint into `model`. */
async function loadModelOf(read: CheckpointRead, name: string, model: tf.LayersModel) {
  await loadModelWeights(model, {
    json: read.files[`${name}/model.json`],
    weights: read.files[`${name}/weights.bin`],
    jsonPath: join(read.dir, name, "model.json"),
    binPath: join(read.dir, name, "weights.bin"),
  }, { error: CheckpointError });
}

/**
 * Loads a checkpoint into a fresh {@linkcode TrainState}. `overrides` may
 * change schedule fields (such as `steps`), but not those that shape the
 * weights. Pass `read` to reuse a {@linkcode readCheckpoint} result.
 */
export async function loadCheckpoint(
  path: string,
  options: { overrides?: Partial<InfoGanConfig>; read?: CheckpointRead } = {},
): Promise<TrainState> {
  const read = options.read ?? await readCheckpoint(await resolveCheckpoint(path));
  const { dir, meta } = read;
  if (meta.weightsOnly) {
    throw new CheckpointError(
      `${dir}: expected a training checkpoint, found a weights-only export (no optimizer state); it can be sampled and evaluated but not resumed`,
    );
  }
  const overrides = options.overrides ?? {};
  for (const key of SHAPE_FIELDS) {
    if (key in overrides && overrides[key] !== meta.config[key]) {
      throw new CheckpointError(
        `${dir}: checkpoint has ${key} ${JSON.stringify(meta.config[key])}, requested ${
          JSON.stringify(overrides[key])
        }; shape-defining settings cannot change on resume`,
      );
    }
  }
  let config: InfoGanConfig;
  try {
    config = validateConfig({ ...meta.config, ...overrides }, "resume config");
  } catch (e) {
    throw new CheckpointError(`${dir}: ${(e as ConfigError).message}`);
  }
  const state = createState(config);
  try {
    for (const [name, model] of modelsOf(state)) await loadModelOf(read, name, model);
    const optFile = join(dir, "optimizer.json");
    const slots = await decodeSlots({
      json: read.files["optimizer.json"],
      weights: read.files["optimizer.bin"],
      jsonPath: optFile,
      binPath: join(dir, "optimizer.bin"),
    }, { error: CheckpointError });
    const pick = (prefix: string): NamedSlot[] =>
      slots.filter((s) => s.name.startsWith(prefix)).map((s) => ({
        ...s,
        name: s.name.slice(prefix.length),
      }));
    state.optD.setSlots(pick("d/"), optFile);
    state.optG.setSlots(pick("g/"), optFile);
    tf.dispose(slots.map((s) => s.tensor));
    state.optD.iterations = meta.optimizers.d.iterations;
    state.optG.iterations = meta.optimizers.g.iterations;
    state.step = meta.step;
    state.elapsed = meta.elapsed;
    state.rng = Random.fromState(meta.random);
  } catch (e) {
    disposeState(state);
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`${dir}: ${(e as Error).message}`);
  }
  return state;
}

/** Loads only the generator of a checkpoint, with its config. */
export async function loadGenerator(
  path: string,
): Promise<{ generator: tf.LayersModel; config: InfoGanConfig; step: number }> {
  const { generator, discriminator, config, step } = await loadModels(path, {
    discriminator: false,
  });
  discriminator?.dispose();
  return { generator, config, step };
}

/** A checkpoint's networks without optimizer state, for sampling and evaluation. */
export interface LoadedModels {
  generator: tf.LayersModel;
  /** D with its Q heads; null when not requested or not exported. */
  discriminator: tf.LayersModel | null;
  config: InfoGanConfig;
  step: number;
}

/**
 * Loads the generator and (unless `discriminator: false`, or the export holds
 * the generator alone) the discriminator of a training checkpoint or a
 * weights-only export. Pass `read` to reuse a {@linkcode readCheckpoint} result.
 */
export async function loadModels(
  path: string,
  options: { discriminator?: boolean; read?: CheckpointRead } = {},
): Promise<LoadedModels> {
  const read = options.read ?? await readCheckpoint(await resolveCheckpoint(path));
  const { meta } = read;
  const wantD = (options.discriminator ?? true) && !meta.generatorOnly;
  // The initial weights are overwritten on load: any seed will do, and no
  // optimizer (nor an unwanted D) is built.
  const rng = new Random(meta.config.seed);
  const generator = buildGenerator(meta.config, rng);
  const discriminator = wantD ? buildDiscriminator(meta.config, rng) : null;
  try {
    await loadModelOf(read, "generator", generator);
    if (discriminator) await loadModelOf(read, "discriminator", discriminator);
  } catch (e) {
    generator.dispose();
    discriminator?.dispose();
    throw e;
  }
  return { generator, discriminator, config: meta.config, step: meta.step };
}
