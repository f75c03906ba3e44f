/**
 * Sampling from a trained generator: code sweeps laid out as image grids,
 * and batches of generated digits with the codes that made them.
 */
import * as tf from "@tensorflow/tfjs";
import type { InfoGanConfig } from "./config.ts";
import { IMAGE_SIZE, sampleShape } from "./generator.ts";
import { Random } from "./random.ts";
import { drawCode, latentTensors } from "./latent.ts";

/** A greyscale image grid, 0..255, row-major. */
export interface Grid {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** Options for {@linkcode sweep}. */
export interface SweepOptions {
  /** Which continuous code varies (the other stays 0). */
  code: 1 | 2;
  /** The code values, one per column. */
  values: number[];
  /** The label codes, one per row; defaults to every label. */
  digits?: number[];
  /** Seed of the fixed noise z (one z per row, shared along the row). */
  seed?: number;
}

/** `count` evenly spaced values from `from` to `to` inclusive. */
export function linspace(from: number, to: number, count: number): number[] {
  if (count === 1) return [from];
  return Array.from({ length: count }, (_, i) => from + (to - from) * i / (count - 1));
}

/**
 * Generates a sweep: rows are label codes, columns are values of one
 * continuous code, with z fixed along each row so only the code changes.
 * Returns the images as [rows·cols, 28, 28] values in [0, 1] on the host.
 */
export async function sweep(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: SweepOptions,
): Promise<{ images: Float32Array; rows: number; cols: number }> {
  const digits = options.digits ?? Array.from({ length: config.numLabels }, (_, i) => i);
  for (const d of digits) {
    if (!Number.isInteger(d) || d < 0 || d >= config.numLabels) {
      throw new RangeError(`sweep: expected digits in 0..${config.numLabels - 1}, found ${d}`);
    }
  }
  const rng = new Random(options.seed ?? 0);
  const rows = digits.length;
  const cols = options.values.length;
  const n = rows * cols;
  const zRows = digits.map(() => rng.fill(config.latentSize, (r) => r.uniform(-1, 1)));
  const z = new Float32Array(n * config.latentSize);
  const labels = new Uint8Array(n);
  const code1 = new Float32Array(n);
  const code2 = new Float32Array(n);
  digits.forEach((d, r) => {
    options.values.forEach((v, c) => {
      const i = r * cols + c;
      z.set(zRows[r], i * config.latentSize);
      labels[i] = d;
      (options.code === 1 ? code1 : code2)[i] = v;
    });
  });
  const images = await predict(generator, config, { z, labels, code1, code2 });
  return { images, rows, cols };
}

/**
 * Runs the generator in inference mode on host inputs, 256 images at a time
 * so memory stays flat. Async, because GPU backends can only read results
 * back asynchronously in Deno.
 */
export async function predict(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  latent: { z: Float32Array; labels: Uint8Array; code1: Float32Array; code2: Float32Array },
): Promise<Float32Array> {
  const n = latent.labels.length;
  // Values per sample: 28·28 pixels, or the toy's 2 coordinates.
  const pixels = sampleShape(config).reduce((a, b) => a * b, 1);
  const size = config.latentSize;
  const images = new Float32Array(n * pixels);
  for (let start = 0; start < n; start += PREDICT_BATCH) {
    const end = Math.min(n, start + PREDICT_BATCH);
    const part = {
      z: latent.z.subarray(start * size, end * size),
      labels: latent.labels.subarray(start, end),
      code1: latent.code1.subarray(start, end),
      code2: latent.code2.subarray(start, end),
    };
    const out = tf.tidy(() =>
      generator.apply(latentTensors(part, config), { training: false }) as tf.Tensor
    );
    try {
      images.set(await out.data() as Float32Array, start * pixels);
    } finally {
      out.dispose();
    }
  }
  return images;
}

/** Images per generator call in {@linkcode predict}. */
const PREDICT_BATCH = 256;

/** Tiles `rows·cols` 28×28 images in [0, 1] into one grid with a 2px gap. */
export function tile(
  images: Float32Array,
  options: { rows: number; cols: number; gap?: number },
): Grid {
  const { rows, cols } = options;
  const gap = options.gap ?? 2;
  const s = IMAGE_SIZE;
  if (images.length !== rows * cols * s * s) {
    throw new RangeError(
      `tile: expected ${rows * cols} images of ${s}×${s}, found ${images.length} values`,
    );
  }
  const width = cols * s + (cols + 1) * gap;
  const height = rows * s + (rows + 1) * gap;
  const pixels = new Uint8Array(width * height).fill(255);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const base = (r * cols + c) * s * s;
      const x0 = gap + c * (s + gap);
      const y0 = gap + r * (s + gap);
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) {
          // MNIST digits are white on black; keep that look.
          pixels[(y0 + y) * width + x0 + x] = toByte(images[base + y * s + x]);
        }
      }
    }
  }
  return { pixels, width, height };
}

/** [0, 1] → 0..255, rounded and clamped. */
export function toByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v * 255)));
}

/** Options for {@linkcode generate}. */
export interface GenerateOptions {
  count: number;
  /** Fixed label code; random per image when omitted. */
  digit?: number;
  /** Fixed c1; drawn from the prior when omitted. */
  c1?: number;
  /** Fixed c2; drawn from the prior when omitted. */
  c2?: number;
  /** Seed for z and any codes that are drawn. */
  seed: number;
}

/** Generated digits with the label and codes that produced each one. */
export interface Generated {
  /** count·28·28 bytes. */
  images: Uint8Array;
  labels: Uint8Array;
  /** count×2 (c1, c2). */
  codes: Float32Array;
}

/** Generates `count` digits in batches of at most 256. */
export async function generate(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: GenerateOptions,
): Promise<Generated> {
  const { count } = options;
  if (options.digit !== undefined && (options.digit < 0 || options.digit >= config.numLabels)) {
    throw new RangeError(
      `generate: expected digit in 0..${config.numLabels - 1}, found ${options.digit}`,
    );
  }
  const rng = new Random(options.seed);
  const images = new Uint8Array(count * IMAGE_SIZE * IMAGE_SIZE);
  const labels = new Uint8Array(count);
  const codes = new Float32Array(count * 2);
  for (let start = 0; start < count; start += 256) {
    const n = Math.min(256, count - start);
    const z = rng.fill(n * config.latentSize, (r) => r.uniform(-1, 1));
    const lab = new Uint8Array(n).map(() => options.digit ?? rng.int(config.numLabels));
    const code1 = rng.fill(n, (r) => options.c1 ?? drawCode(r, config));
    const code2 = rng.fill(n, (r) => options.c2 ?? drawCode(r, config));
    const out = await predict(generator, config, { z, labels: lab, code1, code2 });
    for (let i = 0; i < out.length; i++) {
      images[start * IMAGE_SIZE * IMAGE_SIZE + i] = toByte(out[i]);
    }
    labels.set(lab, start);
    for (let i = 0; i < n; i++) {
      codes[2 * (start + i)] = code1[i];
      codes[2 * (start + i) + 1] = code2[i];
    }
  }
  return { images, labels, codes };
}
