/**
 * Model files in the tfjs layers format (`model.json` + `weights.bin`), as
 * float32, float16 or 8-bit, and named tensor lists (optimizer slots) in the
 * same weights format. Decoding checks every byte count, name and shape, and
 * throws the caller's error class naming the file.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type NamedSlot, shapesEqual } from "../infogan/optimizer.ts";
import { type ErrorClass, parseJson } from "./json_file.ts";

/** How exported weights are stored. */
export type WeightPrecision = "float32" | "float16" | "uint8";

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

/** IEEE half-precision bits of each value, rounded to nearest even (as `Float16Array` stores them). */
export function toFloat16(values: Float32Array): Uint16Array {
  return new Uint16Array(Float16Array.from(values).buffer);
}

/** The bytes of one set of model files, with the paths they came from (for errors). */
export interface ModelFileBytes {
  json: Uint8Array;
  weights: Uint8Array;
  jsonPath: string;
  binPath: string;
}

/** Loads model files into `model`, checking every weight's name and shape. */
export async function loadModelWeights(
  model: tf.LayersModel,
  files: ModelFileBytes,
  options: { error: ErrorClass },
): Promise<void> {
  const E = options.error;
  const { jsonPath } = files;
  const specs = manifestSpecs(files, E);
  const tensors = await decodeChecked(specs, files, E);
  try {
    const wanted = model.weights;
    if (specs.length !== wanted.length) {
      throw new E(
        `${jsonPath}: expected ${wanted.length} weights for ${model.name}, found ${specs.length} (checkpoint from another architecture or width?)`,
      );
    }
    const values = wanted.map((w, i) => {
      const spec = specs[i];
      if (spec.name !== w.originalName || !shapesEqual(spec.shape, w.shape as number[])) {
        throw new E(
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

/** Named tensors (optimizer slots) as a weights manifest and its bytes. */
export async function serializeSlots(slots: NamedSlot[], binName: string): Promise<ModelFiles> {
  const { data, specs } = await tf.io.encodeWeights(
    slots.map((s) => ({ name: s.name, tensor: s.tensor })),
  );
  const json = { weightsManifest: [{ paths: [binName], weights: specs }] };
  return {
    json: new TextEncoder().encode(JSON.stringify(json)),
    weights: new Uint8Array(data),
  };
}

/** Decodes what {@linkcode serializeSlots} wrote; the caller disposes the tensors. */
export async function decodeSlots(
  files: ModelFileBytes,
  options: { error: ErrorClass },
): Promise<NamedSlot[]> {
  const specs = manifestSpecs(files, options.error);
  const tensors = await decodeChecked(specs, files, options.error);
  return specs.map((s) => ({ name: s.name, tensor: tensors[s.name] }));
}

function manifestSpecs(files: ModelFileBytes, E: ErrorClass): tf.io.WeightsManifestEntry[] {
  const json = parseJson(files.json, files.jsonPath, { error: E }) as {
    weightsManifest?: { weights?: tf.io.WeightsManifestEntry[] }[];
  };
  const specs = json?.weightsManifest?.[0]?.weights;
  if (!Array.isArray(specs)) {
    throw new E(`${files.jsonPath}: expected weightsManifest[0].weights, found none`);
  }
  return specs;
}

/** Decodes weights after checking the byte count the specs imply. */
function decodeChecked(
  specs: tf.io.WeightsManifestEntry[],
  files: ModelFileBytes,
  E: ErrorClass,
): Promise<tf.NamedTensorMap> {
  const bytes = files.weights;
  let expected = 0;
  for (const s of specs) {
    const q = s.quantization;
    const bytesPer = q === undefined ? 4 : q.dtype === "float16" ? 2 : q.dtype === "uint8" ? 1 : 0;
    const affine = q?.dtype !== "uint8" ||
      (Number.isFinite(q.min) && Number.isFinite(q.scale) && (q.scale as number) > 0);
    if (s.dtype !== "float32" || !Array.isArray(s.shape) || bytesPer === 0 || !affine) {
      throw new E(
        `${files.jsonPath}: expected float32, float16 or uint8 (with min and scale) weight entries, found ${
          JSON.stringify(s).slice(0, 120)
        }`,
      );
    }
    expected += bytesPer * s.shape.reduce((a, b) => a * b, 1);
  }
  if (bytes.length !== expected) {
    throw new E(
      `${files.binPath}: expected ${expected} bytes for the weights listed in ${files.jsonPath}, found ${bytes.length}`,
    );
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  return Promise.resolve(tf.io.decodeWeights(buffer as ArrayBuffer, specs));
}
