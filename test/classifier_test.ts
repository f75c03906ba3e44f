import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { fromFileUrl } from "@std/path";
import { initBackend } from "../lib/backends/select.ts";
import { accuracy, buildClassifier, classify, trainClassifier } from "../lib/eval/classifier.ts";
import {
  CLASSIFIER_DIR,
  ClassifierError,
  classifierFor,
  loadClassifier,
  saveClassifier,
} from "../lib/eval/classifier_files.ts";
import { loadDataset } from "../lib/data/mnist.ts";
import { Random } from "../lib/infogan/random.ts";
import { smallMnist } from "./helpers.ts";

await initBackend("wasm");

Deno.test("the shipped classifier loads, matches its digests and scores ≥ 99% on MNIST test", async () => {
  const { model, info } = await loadClassifier();
  const test = await loadDataset({ split: "test" });
  const acc = await accuracy(model, test);
  assert(acc >= 0.99, `test accuracy ${acc}`);
  // The recorded figure is what this model scores (up to backend rounding).
  assert(Math.abs(acc - info.testAccuracy) <= 0.0005, `${acc} vs recorded ${info.testAccuracy}`);
  model.dispose();
});

Deno.test("the shipped Fashion-MNIST classifier loads, matches its digests and scores ≥ 90% on its test set", async () => {
  const dir = Deno.env.get("FASHION_MNIST_DIR") ?? "/usr/share/datasets/fashion-mnist";
  const test = await loadDataset({ dir, split: "test" }).catch((e) => {
    throw new Error(
      `${
        (e as Error).message
      }; Debian's dataset-fashion-mnist installs it (deno task setup does, as root), or set FASHION_MNIST_DIR`,
    );
  });
  const { model, info } = await loadClassifier(
    fromFileUrl(new URL("../data/classifier-fashion", import.meta.url)),
  );
  const acc = await accuracy(model, test);
  assert(acc >= 0.9, `test accuracy ${acc}`);
  assert(Math.abs(acc - info.testAccuracy) <= 0.0005, `${acc} vs recorded ${info.testAccuracy}`);
  assertEquals(info.data, "/usr/share/datasets/fashion-mnist");
  model.dispose();
});

Deno.test("classifierFor() picks the shipped classifier of a run's dataset and refuses one it has none for", async () => {
  assertEquals(await classifierFor(""), CLASSIFIER_DIR);
  const fashion = fromFileUrl(new URL("../data/classifier-fashion", import.meta.url));
  assertEquals(await classifierFor("/usr/share/datasets/fashion-mnist"), fashion);
  // The same folder spelt another way.
  assertEquals(await classifierFor("/usr/share/datasets/../datasets/fashion-mnist/"), fashion);
  const other = await Deno.makeTempDir();
  try {
    await assertRejects(
      () => classifierFor(other),
      ClassifierError,
      `no shipped classifier judges ${other}: expected a data/classifier-* folder trained on it, found classifier-fashion (/usr/share/datasets/fashion-mnist)`,
    );
  } finally {
    await Deno.remove(other);
  }
});

Deno.test("trainClassifier() learns from 512 images and saveClassifier()/loadClassifier() round-trip", async () => {
  const data = await smallMnist();
  const reports: number[] = [];
  const model = await trainClassifier(
    { seed: 0, epochs: 2, batchSize: 32, lr: 1e-3 },
    { train: data, test: data },
    (r) => reports.push(r.testAccuracy),
  );
  assertEquals(reports.length, 2);
  assert(reports[1] > 0.5, `training accuracy after 2 epochs: ${reports}`);
  const dir = join(await Deno.makeTempDir(), "classifier");
  await saveClassifier(model, dir, {
    config: { seed: 0, epochs: 2, batchSize: 32, lr: 1e-3 },
    testAccuracy: reports[1],
    command: "test",
  });
  const loaded = await loadClassifier(dir);
  const images = Float32Array.from(data.images.subarray(0, 50 * 784), (v) => v / 255);
  assertEquals(await classify(loaded.model, images), await classify(model, images));
  assertEquals(loaded.info.testAccuracy, reports[1]);
  loaded.model.dispose();

  // Damage is refused with the file named.
  const bytes = await Deno.readFile(join(dir, "weights.bin"));
  await Deno.writeFile(join(dir, "weights.bin"), bytes.subarray(0, bytes.length - 4));
  await assertRejects(() => loadClassifier(dir), ClassifierError, "weights.bin: expected");
  await Deno.writeTextFile(join(dir, "classifier.json"), "{");
  await assertRejects(() => loadClassifier(dir), ClassifierError, "classifier.json");
  await assertRejects(
    () => loadClassifier(join(dir, "missing")),
    ClassifierError,
    "deno task classifier",
  );
  model.dispose();
});

Deno.test("classify() rejects input that is not whole images", async () => {
  const model = buildClassifier(new Random(0));
  await assertRejects(() => classify(model, new Float32Array(100)), RangeError, "multiple of 784");
  model.dispose();
});

Deno.test("classify({ batchStats }) normalises by the batch and leaves the moving averages as they were", async () => {
  const tf = await import("@tensorflow/tfjs");
  // Unit 0 is the pixel sum x (0, 1, 2, 3 for the four images), unit 1 is 0;
  // BatchNorm has moving mean 5 for unit 0. predict gives x - 5 < 0, so
  // label 1 everywhere; batch statistics centre x on its batch mean 1.5, so
  // the two brighter images get label 0.
  const input = tf.input({ shape: [28, 28, 1] });
  const flat = tf.layers.flatten().apply(input) as import("@tensorflow/tfjs").SymbolicTensor;
  const dense = tf.layers.dense({ units: 2, useBias: false });
  const bn = tf.layers.batchNormalization();
  const model = tf.model({ inputs: input, outputs: bn.apply(dense.apply(flat)) as never });
  dense.setWeights([tf.concat([tf.ones([784, 1]), tf.zeros([784, 1])], 1)]);
  bn.setWeights([tf.ones([2]), tf.zeros([2]), tf.tensor1d([5, 0]), tf.ones([2])]);
  const images = new Float32Array(4 * 784);
  for (let i = 0; i < 4; i++) images.fill(i / 784, i * 784, (i + 1) * 784);
  const moving = () => bn.getWeights().map((w) => Array.from(w.dataSync()));
  const before = moving();
  assertEquals(Array.from(await classify(model, images)), [1, 1, 1, 1]);
  assertEquals(Array.from(await classify(model, images, { batchStats: true })), [1, 1, 0, 0]);
  assertEquals(moving(), before);
  model.dispose();
});
