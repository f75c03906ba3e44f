import {
  assert,
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { installCommand } from "../lib/setup/system.ts";
import { gzipSync } from "node:zlib";
import { join } from "@std/path";
import { encodeIdx, IdxError } from "../lib/data/idx.ts";
import { writeIdx } from "../lib/io/idx_write.ts";
import { DataError, type Dataset, drawBatch, loadDataset } from "../lib/data/mnist.ts";
import { Random } from "../lib/infogan/random.ts";

const TRAIN_IMAGES = "train-images-idx3-ubyte";
const TRAIN_LABELS = "train-labels-idx1-ubyte";

/** Writes a small train split (4 images of 3×2) to `dir`; returns its data. */
async function writeTiny(
  dir: string,
  options: { labels?: number[]; gzip?: boolean } = {},
): Promise<{ images: Uint8Array; labels: Uint8Array }> {
  const images = new Uint8Array(4 * 3 * 2).map((_, i) => i * 10);
  const labels = new Uint8Array(options.labels ?? [3, 0, 9, 1]);
  const write = async (name: string, bytes: Uint8Array) => {
    if (options.gzip) {
      await Deno.writeFile(join(dir, `${name}.gz`), gzipSync(bytes));
    } else {
      await Deno.writeFile(join(dir, name), bytes);
    }
  };
  await write(
    TRAIN_IMAGES,
    encodeIdx({ dtype: "uint8", shape: [4, 3, 2], data: images }),
  );
  await write(
    TRAIN_LABELS,
    encodeIdx({ dtype: "uint8", shape: [labels.length], data: labels }),
  );
  return { images, labels };
}

/** Runs `fn` with a fresh temporary folder that is removed afterwards. */
async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function countLabel(ds: Dataset, label: number): number {
  let n = 0;
  for (const l of ds.labels) if (l === label) n++;
  return n;
}

Deno.test("loadDataset() loads the real MNIST training split", async () => {
  const ds = await loadDataset({ split: "train" });
  assertEquals(ds.count, 60000);
  assertEquals([ds.height, ds.width], [28, 28]);
  assertEquals(ds.numClasses, 10);
  assertEquals(ds.images.length, 60000 * 28 * 28);
  assertEquals(ds.labels.length, 60000);
  assertEquals(countLabel(ds, 1), 6742);
  assertStringIncludes(ds.source, TRAIN_IMAGES);
  assertStringIncludes(ds.source, TRAIN_LABELS);
});

Deno.test("loadDataset() loads the real MNIST test split", async () => {
  const ds = await loadDataset({ split: "test" });
  assertEquals(ds.count, 10000);
  assertEquals([ds.height, ds.width], [28, 28]);
  assertEquals(ds.images.length, 10000 * 28 * 28);
  assertEquals(countLabel(ds, 1), 1135);
  assertStringIncludes(ds.source, "t10k-images-idx3-ubyte");
});

Deno.test("loadDataset() finds the default folder from any working directory", async () => {
  const cwd = Deno.cwd();
  await withTempDir(async (dir) => {
    Deno.chdir(dir);
    try {
      const ds = await loadDataset({ split: "test" });
      assertEquals(ds.count, 10000);
    } finally {
      Deno.chdir(cwd);
    }
  });
});

Deno.test("loadDataset() loads a custom folder and keeps the data intact", async () => {
  await withTempDir(async (dir) => {
    const { images, labels } = await writeTiny(dir);
    const ds = await loadDataset({ dir });
    assertEquals(ds.count, 4);
    assertEquals([ds.height, ds.width], [3, 2]);
    assertEquals(ds.images, images);
    assertEquals(ds.labels, labels);
    assertEquals(
      ds.source,
      `${join(dir, TRAIN_IMAGES)}, ${join(dir, TRAIN_LABELS)}`,
    );
  });
});

Deno.test("loadDataset() accepts gzipped files with a .gz suffix", async () => {
  await withTempDir(async (dir) => {
    const { images, labels } = await writeTiny(dir, { gzip: true });
    const ds = await loadDataset({ dir, split: "train" });
    assertEquals(ds.images, images);
    assertEquals(ds.labels, labels);
    assertStringIncludes(ds.source, `${TRAIN_IMAGES}.gz`);
  });
});

Deno.test("loadDataset() rejects a missing folder, naming it and the expected files", async () => {
  await withTempDir(async (dir) => {
    const missing = join(dir, "no-such-folder");
    const err = await assertRejects(
      () => loadDataset({ dir: missing, split: "test" }),
      DataError,
      missing,
    );
    assertStringIncludes(err.message, "t10k-images-idx3-ubyte");
    assertStringIncludes(err.message, "t10k-labels-idx1-ubyte");
  });
});

Deno.test("loadDataset() rejects a missing file, naming its path", async () => {
  await withTempDir(async (dir) => {
    await writeTiny(dir);
    await Deno.remove(join(dir, TRAIN_LABELS));
    const err = await assertRejects(
      () => loadDataset({ dir }),
      DataError,
      join(dir, TRAIN_LABELS),
    );
    assertStringIncludes(
      err.message,
      `expected ${TRAIN_LABELS} or ${TRAIN_LABELS}.gz`,
    );
    // The test split is missing altogether.
    await assertRejects(
      () => loadDataset({ dir, split: "test" }),
      DataError,
      join(dir, "t10k-images-idx3-ubyte"),
    );
  });
});

Deno.test("loadDataset() rejects image and label counts that disagree", async () => {
  await withTempDir(async (dir) => {
    await writeTiny(dir, { labels: [1, 2, 3] });
    await assertRejects(
      () => loadDataset({ dir }),
      DataError,
      `${join(dir, TRAIN_LABELS)}: expected 4 labels to match the 4 images`,
    );
    const err = await assertRejects(() => loadDataset({ dir }), DataError);
    assertStringIncludes(err.message, "found 3");
  });
});

Deno.test("loadDataset() rejects an out-of-range label, naming the index and value", async () => {
  await withTempDir(async (dir) => {
    await writeTiny(dir, { labels: [3, 0, 10, 12] });
    await assertRejects(
      () => loadDataset({ dir }),
      DataError,
      `${
        join(dir, TRAIN_LABELS)
      }: expected every label to be below numClasses 10, found label 10 at index 2`,
    );
  });
});

Deno.test("loadDataset() checks labels against options.numClasses", async () => {
  await withTempDir(async (dir) => {
    await writeTiny(dir, { labels: [0, 1, 2, 1] });
    assertEquals((await loadDataset({ dir, numClasses: 3 })).numClasses, 3);
    await assertRejects(
      () => loadDataset({ dir, numClasses: 2 }),
      DataError,
      "found label 2 at index 2",
    );
    await assertRejects(
      () => loadDataset({ dir, numClasses: 0 }),
      DataError,
      "expected numClasses to be an integer in [1, 256], found 0",
    );
  });
});

Deno.test("loadDataset() rejects images and labels of the wrong rank or type", async () => {
  await withTempDir(async (dir) => {
    await writeTiny(dir);
    const images = join(dir, TRAIN_IMAGES);
    const labels = join(dir, TRAIN_LABELS);
    await writeIdx(images, {
      dtype: "uint8",
      shape: [4, 6],
      data: new Uint8Array(24),
    });
    await assertRejects(
      () => loadDataset({ dir }),
      IdxError,
      `${images}: bad number of dimensions: an images file has 3 dimensions, and this header claims 2`,
    );
    await writeIdx(images, {
      dtype: "float32",
      shape: [4, 3, 2],
      data: new Float32Array(24),
    });
    await assertRejects(() => loadDataset({ dir }), DataError, "found float32");
    await writeTiny(dir);
    await writeIdx(labels, {
      dtype: "uint8",
      shape: [4, 1],
      data: new Uint8Array(4),
    });
    await assertRejects(
      () => loadDataset({ dir }),
      IdxError,
      `${labels}: bad number of dimensions: a labels file has 1 dimension, and this header claims 2`,
    );
  });
});

Deno.test("loadDataset() says a labels header claiming 9 dimensions is impossible, before any size", async () => {
  await withTempDir(async (dir) => {
    await writeTiny(dir);
    const labels = join(dir, TRAIN_LABELS);
    const bytes = await Deno.readFile(labels);
    bytes[3] = 9; // the dimension byte of a real labels file, corrupted
    await Deno.writeFile(labels, bytes);
    const err = await assertRejects(() => loadDataset({ dir }), IdxError);
    assertStringIncludes(err.message, "a labels file has 1 dimension, and this header claims 9");
    assert(!err.message.includes("payload"), err.message);
  });
});

Deno.test("loadDataset() passes on an IdxError for a corrupt file", async () => {
  await withTempDir(async (dir) => {
    await writeTiny(dir);
    const path = join(dir, TRAIN_IMAGES);
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 1));
    await assertRejects(
      () => loadDataset({ dir }),
      IdxError,
      `${path}: truncated payload`,
    );
  });
});

Deno.test("drawBatch() is deterministic for equal seeds and scales pixels to [0, 1]", async () => {
  const ds = await loadDataset({ split: "test" });
  const a = drawBatch(ds, new Random(7), { batchSize: 64 });
  const b = drawBatch(ds, new Random(7), { batchSize: 64 });
  const c = drawBatch(ds, new Random(8), { batchSize: 64 });
  assertEquals(a, b);
  assertNotEquals(Array.from(a.indices), Array.from(c.indices));
  assertEquals(a.images.length, 64 * 28 * 28);
  assertEquals(a.labels.length, 64);
  let min = Infinity, max = -Infinity;
  for (const v of a.images) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assertEquals(min, 0);
  assertEquals(max, 1);
  const pixels = 28 * 28;
  for (let i = 0; i < 64; i++) {
    const index = a.indices[i];
    assert(index < ds.count);
    assertEquals(a.labels[i], ds.labels[index]);
    for (let p = 0; p < pixels; p += 97) {
      assertEquals(
        a.images[i * pixels + p],
        Math.fround(ds.images[index * pixels + p] / 255),
      );
    }
  }
});

Deno.test("drawBatch() draws indices with rng.int(count), with replacement", () => {
  const ds: Dataset = {
    images: new Uint8Array([0, 51, 255]),
    labels: new Uint8Array([2, 0, 1]),
    count: 3,
    height: 1,
    width: 1,
    numClasses: 3,
    source: "inline",
  };
  const rng = new Random(123);
  const reference = new Random(123);
  const expected = Array.from({ length: 50 }, () => reference.int(3));
  const batch = drawBatch(ds, rng, { batchSize: 50 });
  assertEquals(Array.from(batch.indices), expected);
  assertEquals(new Set(expected).size, 3); // every index drawn, some twice
  assertEquals(
    Array.from(batch.images),
    expected.map((i) => Math.fround([0, 0.2, 1][i])),
  );
  assertEquals(Array.from(batch.labels), expected.map((i) => [2, 0, 1][i]));
});

Deno.test("drawBatch() rejects a batch size that is not a positive integer", () => {
  const ds: Dataset = {
    images: new Uint8Array(1),
    labels: new Uint8Array(1),
    count: 1,
    height: 1,
    width: 1,
    numClasses: 10,
    source: "inline",
  };
  for (const batchSize of [0, -1, 2.5, NaN]) {
    assertThrows(
      () => drawBatch(ds, new Random(1), { batchSize }),
      RangeError,
      `expected batchSize to be a positive integer, found ${batchSize}`,
    );
  }
});

const fashionDir = Deno.env.get("FASHION_MNIST_DIR") ??
  "/usr/share/datasets/fashion-mnist";

Deno.test({
  name: "loadDataset() loads gzipped Fashion-MNIST (Debian's dataset-fashion-mnist)",
  fn: async () => {
    if (!(await Deno.stat(fashionDir).then(() => true, () => false))) {
      throw new Error(
        `expected Fashion-MNIST in ${fashionDir}, found nothing; install it with: ${
          installCommand(["dataset-fashion-mnist"])
        } (deno task setup does this when run as root), or set FASHION_MNIST_DIR`,
      );
    }
    const ds = await loadDataset({ dir: fashionDir, split: "test" });
    assertEquals(ds.count, 10000);
    assertEquals([ds.height, ds.width], [28, 28]);
    // Fashion-MNIST's test split is balanced: 1000 of each class.
    for (let c = 0; c < 10; c++) assertEquals(countLabel(ds, c), 1000);
    assertStringIncludes(ds.source, "t10k-images-idx3-ubyte.gz");
  },
});
