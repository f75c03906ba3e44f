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
 * Writing is atomic: everything goes to `<dir>.tmp`, then the old checkpoint
 * is renamed to `<dir>.old`, the new one renamed into place, and the old one
 * removed. A process killed at any moment leaves either `<dir>` or
 * `<dir>.old` complete, and {@linkcode resolveCheckpoint} finds it. Loading
 * checks every file's size and SHA-256 and every weight's name and shape
 * against a model freshly built from the config, so weights are never
 * loaded silently wrong.
 */
import * as tf from "@tensorflow/tfjs";
import { dirname, join } from "node:path";
import { ConfigError, type InfoGanConfig, SHAPE_FIELDS, validateConfig } from "./config.ts";
import { type NamedSlot, shapesEqual } from "./optimizer.ts";
import { Random, type RandomState } from "./random.ts";
import { createState, disposeState, type TrainState } from "./train.ts";
import { exists, isDir } from "./fs_util.ts";

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
  /** Byte size and SHA-256 (hex) of every other file, by relative path. */
  files: Record<string, { bytes: number; sha256: string }>;
}

const MODEL_FILES = ["model.json", "weights.bin"];

/** Writes the state's checkpoint to `dir` atomically. */
export async function saveCheckpoint(
  state: TrainState,
  dir: string,
  options: { versions?: Record<string, string> } = {},
): Promise<void> {
  const tmp = `${dir}.tmp`;
  const old = `${dir}.old`;
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  await Deno.mkdir(tmp, { recursive: true });
  const files: Record<string, Uint8Array> = {};
  for (const [name, model] of modelsOf(state)) {
    const { json, weights } = await serializeModel(model);
    files[`${name}/model.json`] = json;
    files[`${name}/weights.bin`] = weights;
  }
  const opt = await serializeSlots([
    ...state.optD.slots().map((s) => ({ ...s, name: `d/${s.name}` })),
    ...state.optG.slots().map((s) => ({ ...s, name: `g/${s.name}` })),
  ]);
  files["optimizer.json"] = opt.json;
  files["optimizer.bin"] = opt.weights;
  const digests: CheckpointState["files"] = {};
  for (const [rel, bytes] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(tmp, rel)), { recursive: true });
    await writeSynced(join(tmp, rel), bytes);
    digests[rel] = { bytes: bytes.length, sha256: await sha256(bytes) };
  }
  const meta: CheckpointState = {
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
    files: digests,
  };
  // state.json is written last: a directory without it is never complete.
  await writeSynced(
    join(tmp, "state.json"),
    new TextEncoder().encode(JSON.stringify(meta, null, 2) + "\n"),
  );
  await Deno.remove(old, { recursive: true }).catch(() => {});
  if (await isDir(dir)) await Deno.rename(dir, old);
  await Deno.rename(tmp, dir);
  await Deno.remove(old, { recursive: true }).catch(() => {});
}

/**
 * Finds the checkpoint a path refers to: a checkpoint directory itself, a
 * run directory holding `checkpoint/`, or, after a crash mid-write, the
 * `.old` copy beside a missing one. Throws naming the path otherwise.
 */
export async function resolveCheckpoint(path: string): Promise<string> {
  const candidates = [path, `${path}.old`, join(path, "checkpoint"), join(path, "checkpoint.old")];
  for (const c of candidates) {
    if (await exists(join(c, "state.json"))) return c;
  }
  throw new CheckpointError(
    `${path}: no checkpoint found (expected a folder holding state.json, or a run folder holding checkpoint/state.json)`,
  );
}

/** Reads and verifies `state.json` and the digests of every listed file. */
export async function readCheckpointState(dir: string): Promise<CheckpointState> {
  const path = join(dir, "state.json");
  const meta = parseJson(await readFile(path), path) as Partial<CheckpointState>;
  if (meta.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      `${path}: expected format ${CHECKPOINT_FORMAT}, found ${JSON.stringify(meta.format)}`,
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
  const files = meta.files ?? {};
  const expected = ["generator", "discriminator"]
    .flatMap((m) => MODEL_FILES.map((f) => `${m}/${f}`))
    .concat(["optimizer.json", "optimizer.bin"]);
  for (const rel of expected) {
    const want = files[rel];
    const file = join(dir, rel);
    if (!want) throw new CheckpointError(`${path}: expected an entry for ${rel}, found none`);
    const bytes = await readFile(file);
    if (bytes.length !== want.bytes) {
      throw new CheckpointError(
        `${file}: expected ${want.bytes} bytes, found ${bytes.length} (truncated or replaced)`,
      );
    }
    const digest = await sha256(bytes);
    if (digest !== want.sha256) {
      throw new CheckpointError(
        `${file}: expected SHA-256 ${want.sha256}, found ${digest} (file was modified)`,
      );
    }
  }
  return meta as CheckpointState;
}

/**
 * Loads a checkpoint into a fresh {@linkcode TrainState}. `overrides` may
 * change schedule fields (such as `steps`), but not those that shape the
 * weights.
 */
export async function loadCheckpoint(
  path: string,
  options: { overrides?: Partial<InfoGanConfig> } = {},
): Promise<TrainState> {
  const dir = await resolveCheckpoint(path);
  const meta = await readCheckpointState(dir);
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
    for (const [name, model] of modelsOf(state)) {
      await loadModelWeights(model, join(dir, name));
    }
    const slots = await readSlots(join(dir, "optimizer.json"), join(dir, "optimizer.bin"));
    const pick = (prefix: string): NamedSlot[] =>
      slots.filter((s) => s.name.startsWith(prefix)).map((s) => ({
        ...s,
        name: s.name.slice(prefix.length),
      }));
    const optFile = join(dir, "optimizer.json");
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
  const dir = await resolveCheckpoint(path);
  const meta = await readCheckpointState(dir);
  const state = createState(meta.config);
  await loadModelWeights(state.generator, join(dir, "generator"));
  state.discriminator.dispose();
  state.optD.dispose();
  state.optG.dispose();
  return { generator: state.generator, config: meta.config, step: meta.step };
}

function modelsOf(state: TrainState): [string, tf.LayersModel][] {
  return [["generator", state.generator], ["discriminator", state.discriminator]];
}

async function serializeModel(
  model: tf.LayersModel,
): Promise<{ json: Uint8Array; weights: Uint8Array }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save({
    save: (a: tf.io.ModelArtifacts) => {
      artifacts = a;
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
      });
    },
  });
  if (!artifacts?.weightSpecs || !artifacts.weightData) {
    throw new Error(`saving ${model.name}: tfjs returned no weights`);
  }
  const weights = new Uint8Array(
    tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]),
  );
  const json = {
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
  };
  return { json: new TextEncoder().encode(JSON.stringify(json)), weights };
}

/** Loads `dir/model.json` + `dir/weights.bin` into `model`, checking every weight. */
async function loadModelWeights(model: tf.LayersModel, dir: string): Promise<void> {
  const jsonPath = join(dir, "model.json");
  const binPath = join(dir, "weights.bin");
  const json = parseJson(await readFile(jsonPath), jsonPath) as {
    weightsManifest?: { weights?: tf.io.WeightsManifestEntry[] }[];
  };
  const specs = json.weightsManifest?.[0]?.weights;
  if (!Array.isArray(specs)) {
    throw new CheckpointError(`${jsonPath}: expected weightsManifest[0].weights, found none`);
  }
  const tensors = await decodeChecked(specs, binPath, jsonPath);
  try {
    const wanted = model.weights;
    if (specs.length !== wanted.length) {
      throw new CheckpointError(
        `${jsonPath}: expected ${wanted.length} weights for ${model.name}, found ${specs.length} (checkpoint from another architecture or width?)`,
      );
    }
    const values = wanted.map((w, i) => {
      const spec = specs[i];
      if (spec.name !== w.originalName || !shapesEqual(spec.shape, w.shape as number[])) {
        throw new CheckpointError(
          `${jsonPath}: expected weight ${w.originalName} of shape [${w.shape}], found ${spec.name} of shape [${spec.shape}] (checkpoint from another preset or width?)`,
        );
      }
      return tensors[spec.name];
    });
    model.setWeights(values);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

async function serializeSlots(
  slots: NamedSlot[],
): Promise<{ json: Uint8Array; weights: Uint8Array }> {
  const { data, specs } = await tf.io.encodeWeights(
    slots.map((s) => ({ name: s.name, tensor: s.tensor })),
  );
  const json = { weightsManifest: [{ paths: ["optimizer.bin"], weights: specs }] };
  return {
    json: new TextEncoder().encode(JSON.stringify(json)),
    weights: new Uint8Array(data),
  };
}

async function readSlots(jsonPath: string, binPath: string): Promise<NamedSlot[]> {
  const json = parseJson(await readFile(jsonPath), jsonPath) as {
    weightsManifest?: { weights?: tf.io.WeightsManifestEntry[] }[];
  };
  const specs = json.weightsManifest?.[0]?.weights;
  if (!Array.isArray(specs)) {
    throw new CheckpointError(`${jsonPath}: expected weightsManifest[0].weights, found none`);
  }
  const tensors = await decodeChecked(specs, binPath, jsonPath);
  return specs.map((s) => ({ name: s.name, tensor: tensors[s.name] }));
}

/** Decodes weights after checking the byte count the specs imply. */
async function decodeChecked(
  specs: tf.io.WeightsManifestEntry[],
  binPath: string,
  jsonPath: string,
): Promise<tf.NamedTensorMap> {
  const bytes = await readFile(binPath);
  let expected = 0;
  for (const s of specs) {
    if (s.dtype !== "float32" || !Array.isArray(s.shape) || s.quantization) {
      throw new CheckpointError(
        `${jsonPath}: expected float32 weight entries, found ${JSON.stringify(s).slice(0, 120)}`,
      );
    }
    expected += 4 * s.shape.reduce((a, b) => a * b, 1);
  }
  if (bytes.length !== expected) {
    throw new CheckpointError(
      `${binPath}: expected ${expected} bytes for the weights listed in ${jsonPath}, found ${bytes.length}`,
    );
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  return tf.io.decodeWeights(buffer as ArrayBuffer, specs);
}

async function readFile(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CheckpointError(`${path}: expected a checkpoint file, found none`);
    }
    throw new CheckpointError(`${path}: cannot read (${(e as Error).message})`);
  }
}

function parseJson(bytes: Uint8Array, path: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CheckpointError(
      `${path}: expected valid JSON, found a parse error (${(e as Error).message})`,
    );
  }
}

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
    await file.sync();
  } finally {
    file.close();
  }
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
