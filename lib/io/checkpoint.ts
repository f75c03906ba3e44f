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
 *
 * {@linkcode exportWeights} writes a *weights-only* checkpoint (no optimizer
 * files, optionally float16 or 8-bit weights, optionally the generator
 * alone): enough to sample and evaluate, not to resume. `state.json` marks
 * it with `weightsOnly: true` (and `generatorOnly: true`).
 */
import * as tf from "@tensorflow/tfjs";
import { dirname, join } from "node:path";
import {
  ConfigError,
  type InfoGanConfig,
  SHAPE_FIELDS,
  validateConfig,
} from "../infogan/config.ts";
import { type NamedSlot, shapesEqual } from "../infogan/optimizer.ts";
import { Random, type RandomState } from "../infogan/random.ts";
import { buildDiscriminator } from "../infogan/discriminator.ts";
import { buildGenerator } from "../infogan/generator.ts";
import { createState, disposeState, type TrainState } from "../infogan/state.ts";
import { exists, isDir, sha256Hex } from "./fs.ts";

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
    digests[rel] = { bytes: bytes.length, sha256: await sha256Hex(bytes) };
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
  if (meta.generatorOnly && !meta.weightsOnly) {
    throw new CheckpointError(`${path}: expected generatorOnly only with weightsOnly, found both`);
  }
  const expected = (meta.generatorOnly ? ["generator"] : ["generator", "discriminator"])
    .flatMap((m) => MODEL_FILES.map((f) => `${m}/${f}`))
    .concat(meta.weightsOnly ? [] : ["optimizer.json", "optimizer.bin"]);
  await verifyFiles(dir, meta.files ?? {}, expected, path);
  return meta as CheckpointState;
}

/** Size and SHA-256 of a file, as listed in a manifest. */
export type FileDigests = Record<string, { bytes: number; sha256: string }>;

/**
 * Checks that each of `rels` (relative to `dir`) is listed in `files` (read
 * from `listedIn`) and has the listed size and SHA-256.
 */
export async function verifyFiles(
  dir: string,
  files: FileDigests,
  rels: string[],
  listedIn: string,
): Promise<void> {
  for (const rel of rels) {
    const want = files[rel];
    const file = join(dir, rel);
    if (!want) throw new CheckpointError(`${listedIn}: expected an entry for ${rel}, found none`);
    const bytes = await readFile(file);
    if (bytes.length !== want.bytes) {
      throw new CheckpointError(
        `${file}: expected ${want.bytes} bytes, found ${bytes.length} (truncated or replaced)`,
      );
    }
    const digest = await sha256Hex(bytes);
    if (digest !== want.sha256) {
      throw new CheckpointError(
        `${file}: expected SHA-256 ${want.sha256}, found ${digest} (file was modified)`,
      );
    }
  }
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
 * weights-only export.
 */
export async function loadModels(
  path: string,
  options: { discriminator?: boolean } = {},
): Promise<LoadedModels> {
  const dir = await resolveCheckpoint(path);
  const meta = await readCheckpointState(dir);
  const wantD = (options.discriminator ?? true) && !meta.generatorOnly;
  // The initial weights are overwritten on load: any seed will do, and no
  // optimizer (nor an unwanted D) is built.
  const rng = new Random(meta.config.seed);
  const generator = buildGenerator(meta.config, rng);
  const discriminator = wantD ? buildDiscriminator(meta.config, rng) : null;
  try {
    await loadModelWeights(generator, join(dir, "generator"));
    if (discriminator) await loadModelWeights(discriminator, join(dir, "discriminator"));
  } catch (e) {
    generator.dispose();
    discriminator?.dispose();
    throw e;
  }
  return { generator, discriminator, config: meta.config, step: meta.step };
}

/** How exported weights are stored. */
export type WeightPrecision = "float32" | "float16" | "uint8";

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
 * quarters it), without optimizer state. {@linkcode loadModels} reads it;
 * resuming from it is refused.
 */
export async function exportWeights(
  path: string,
  out: string,
  options: ExportOptions = {},
): Promise<void> {
  const dir = await resolveCheckpoint(path);
  const meta = await readCheckpointState(dir);
  const withD = options.discriminator !== "none";
  const models = await loadModels(dir, { discriminator: withD });
  try {
    const files: Record<string, Uint8Array> = {};
    const parts: [string, tf.LayersModel, WeightPrecision][] = [
      ["generator", models.generator, options.generator ?? "float32"],
    ];
    if (models.discriminator) {
      const precision = options.discriminator as WeightPrecision | undefined;
      parts.push(["discriminator", models.discriminator, precision ?? "float32"]);
    }
    for (const [name, model, precision] of parts) {
      const { json, weights } = await serializeModel(model, { precision });
      files[`${name}/model.json`] = json;
      files[`${name}/weights.bin`] = weights;
    }
    const digests: FileDigests = {};
    // Written beside, then swapped in: a failed export leaves the old one.
    const tmp = `${out}.tmp`;
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    for (const [rel, bytes] of Object.entries(files)) {
      await Deno.mkdir(dirname(join(tmp, rel)), { recursive: true });
      await writeSynced(join(tmp, rel), bytes);
      digests[rel] = { bytes: bytes.length, sha256: await sha256Hex(bytes) };
    }
    const exported: CheckpointState = {
      ...meta,
      weightsOnly: true,
      ...(withD ? {} : { generatorOnly: true }),
      files: digests,
    };
    await writeSynced(
      join(tmp, "state.json"),
      new TextEncoder().encode(JSON.stringify(exported, null, 2) + "\n"),
    );
    await Deno.remove(out, { recursive: true }).catch(() => {});
    await Deno.rename(tmp, out);
  } finally {
    models.generator.dispose();
    models.discriminator?.dispose();
  }
}

function modelsOf(state: TrainState): [string, tf.LayersModel][] {
  return [["generator", state.generator], ["discriminator", state.discriminator]];
}

/** A model's `model.json` and `weights.bin` bytes. */
export interface ModelFiles {
  json: Uint8Array;
  weights: Uint8Array;
}

/**
 * Serialises a model in the tfjs layers format, as float32, float16 or 8-bit
 * (tfjs's affine uint8 quantisation: per weight, value = q·scale + min, so
 * each weight keeps 256 levels across its own range).
 */
export async function serializeModel(
  model: tf.LayersModel,
  options: { precision?: WeightPrecision } = {},
): Promise<ModelFiles> {
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
  let weights: Uint8Array = new Uint8Array(
    tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]),
  );
  let specs = artifacts.weightSpecs;
  const values = new Float32Array(weights.buffer, weights.byteOffset, weights.length / 4);
  if (options.precision === "float16") {
    weights = new Uint8Array(toFloat16(values).buffer);
    specs = specs.map((s) => ({ ...s, quantization: { dtype: "float16" } }));
  } else if (options.precision === "uint8") {
    const out = new Uint8Array(values.length);
    let offset = 0;
    specs = specs.map((s) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const { min, scale } = toUint8(values.subarray(offset, offset + n), out.subarray(offset));
      offset += n;
      return { ...s, quantization: { dtype: "uint8", min, scale } };
    });
    weights = out;
  }
  const json = {
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: specs }],
  };
  return { json: new TextEncoder().encode(JSON.stringify(json)), weights };
}

/**
 * Affine 8-bit codes of `values` into `out`: q = round((v - min) / scale)
 * with scale = (max - min) / 255 (1 for a constant weight), so decoding is
 * exact at min and within scale/2 everywhere.
 */
export function toUint8(
  values: Float32Array,
  out: Uint8Array,
): { min: number; scale: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new RangeError(`toUint8: expected finite weights, found ${v}`);
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (values.length === 0) return { min: 0, scale: 1 };
  // Stored in JSON and applied in float32: round-trip both through float32.
  min = Math.fround(min);
  const scale = max > min ? Math.fround((max - min) / 255) : 1;
  for (let i = 0; i < values.length; i++) {
    out[i] = Math.min(255, Math.max(0, Math.round((values[i] - min) / scale)));
  }
  return { min, scale };
}

/** IEEE half-precision bits of each value, rounded to nearest even. */
export function toFloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0); // Inf or NaN
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00; // overflow to Inf
    } else if (e <= 0) {
      // Subnormal half (or zero): shift the mantissa with its implicit 1.
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      const m = mant | 0x800000;
      const shift = 14 - e;
      let half = m >>> shift;
      const rest = m & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (rest > halfway || (rest === halfway && (half & 1))) half++;
      out[i] = sign | half;
    } else {
      let half = (e << 10) | (mant >>> 13);
      const rest = mant & 0x1fff;
      if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++;
      out[i] = sign | half; // a carry into the exponent is the right rounding
    }
  }
  return out;
}

/** Loads `dir/model.json` + `dir/weights.bin` into `model`, checking every weight. */
export async function loadModelWeights(model: tf.LayersModel, dir: string): Promise<void> {
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
    const q = s.quantization;
    const bytesPer = q === undefined ? 4 : q.dtype === "float16" ? 2 : q.dtype === "uint8" ? 1 : 0;
    const affine = q?.dtype !== "uint8" ||
      (Number.isFinite(q.min) && Number.isFinite(q.scale) && (q.scale as number) > 0);
    if (s.dtype !== "float32" || !Array.isArray(s.shape) || bytesPer === 0 || !affine) {
      throw new CheckpointError(
        `${jsonPath}: expected float32, float16 or uint8 (with min and scale) weight entries, found ${
          JSON.stringify(s).slice(0, 120)
        }`,
      );
    }
    expected += bytesPer * s.shape.reduce((a, b) => a * b, 1);
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
