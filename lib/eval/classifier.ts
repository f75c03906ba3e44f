/**
 * The MNIST classifier that judges generated digits: a small CNN,
 *
 *   Conv2D(32, 3, same) → ReLU → MaxPool(2) → Conv2D(64, 3, same) → ReLU →
 *   MaxPool(2) → Flatten → Dense(128) → ReLU → Dense(10) (logits),
 *
 * trained by `deno task classifier` with Adam on the MNIST training set,
 * seeded like everything else. Its weights ship in `data/classifier/`, with
 * a `classifier.json` holding the test accuracy, the command that trained it
 * and the SHA-256 of each file, checked on every load.
 */
import * as tf from "@tensorflow/tfjs";
import { IMAGE_SIZE } from "../infogan/generator.ts";
import { initWeights } from "../infogan/init.ts";
import type { Dataset } from "../data/mnist.ts";
import { Optimizer } from "../infogan/optimizer.ts";
import { Random } from "../infogan/random.ts";
import { trainableVariables } from "../infogan/state.ts";

/** Training settings of the classifier. */
export interface ClassifierConfig {
  /** Seed of the weights and the data order. */
  seed: number;
  /** Passes over the 60 000 training images. */
  epochs: number;
  /** Images per update. */
  batchSize: number;
  /** Adam's learning rate in the first epoch; each epoch starts a fresh Adam at half the last rate. */
  lr: number;
}

/** The settings that reach ≥ 99% test accuracy on MNIST. */
export const CLASSIFIER_DEFAULTS: ClassifierConfig = {
  seed: 0,
  epochs: 3,
  batchSize: 64,
  lr: 1e-3,
};

/** Builds the classifier with weights drawn from `rng`; outputs logits. */
export function buildClassifier(rng: Random): tf.LayersModel {
  const model = tf.sequential({
    name: "classifier",
    layers: [
      tf.layers.conv2d({
        inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
        filters: 32,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
        name: "c_conv1",
      }),
      tf.layers.maxPooling2d({ poolSize: 2, name: "c_pool1" }),
      tf.layers.conv2d({
        filters: 64,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
        name: "c_conv2",
      }),
      tf.layers.maxPooling2d({ poolSize: 2, name: "c_pool2" }),
      tf.layers.flatten({ name: "c_flatten" }),
      tf.layers.dense({ units: 128, activation: "relu", name: "c_dense" }),
      tf.layers.dense({ units: 10, name: "c_logits" }),
    ],
  });
  initWeights(model, rng);
  return model;
}

/** Progress of {@linkcode trainClassifier}, after each epoch. */
export interface EpochReport {
  epoch: number;
  /** Mean cross-entropy over the epoch's updates. */
  loss: number;
  /** Accuracy on the test split. */
  testAccuracy: number;
}

/**
 * Trains a fresh classifier on `train`, reporting test accuracy on `test`
 * after each epoch. Each epoch visits every training image once, in an
 * order drawn from the seeded source.
 */
export async function trainClassifier(
  config: ClassifierConfig,
  data: { train: Dataset; test: Dataset },
  onEpoch: (r: EpochReport) => void = () => {},
): Promise<tf.LayersModel> {
  const rng = new Random(config.seed);
  const model = buildClassifier(rng);
  const vars = trainableVariables(model);
  const { train } = data;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const opt = new Optimizer(vars, { kind: "adam", lr: config.lr / 2 ** (epoch - 1), decay: 0 });
    const order = permutation(train.count, rng);
    let lossSum = 0;
    let updates = 0;
    for (let start = 0; start < train.count; start += config.batchSize) {
      const idx = order.subarray(start, Math.min(start + config.batchSize, train.count));
      const loss = tf.tidy(() => {
        const x = imagesTensor(train, idx);
        const y = tf.oneHot(tf.tensor1d(Array.from(idx, (i) => train.labels[i]), "int32"), 10);
        const { value, grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar,
          vars,
        );
        opt.apply(vars.map((v) => grads[v.name]));
        return value;
      });
      lossSum += (await loss.data())[0];
      loss.dispose();
      updates++;
    }
    opt.dispose();
    const testAccuracy = await accuracy(model, data.test);
    onEpoch({ epoch, loss: lossSum / updates, testAccuracy });
  }
  return model;
}

/** A seeded Fisher-Yates permutation of 0..n-1. */
function permutation(n: number, rng: Random): Uint32Array {
  const out = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function imagesTensor(ds: Dataset, idx: ArrayLike<number>): tf.Tensor4D {
  const pixels = ds.height * ds.width;
  const x = new Float32Array(idx.length * pixels);
  for (let b = 0; b < idx.length; b++) {
    const from = idx[b] * pixels;
    for (let p = 0; p < pixels; p++) x[b * pixels + p] = ds.images[from + p] / 255;
  }
  return tf.tensor4d(x, [idx.length, ds.height, ds.width, 1]);
}

/**
 * Predicted classes of `images` ([n·28·28] values in [0, 1]): the argmax of
 * the model's output (or of output number `output`, for a model with
 * several, such as Q's label logits in D), in batches of `batchSize` so
 * memory stays flat. With `batchStats`, BatchNorm layers normalise each batch
 * by its own statistics (training mode) instead of the moving averages.
 */
export async function classify(
  model: tf.LayersModel,
  images: Float32Array,
  options: { batchSize?: number; output?: number; batchStats?: boolean } = {},
): Promise<Uint8Array> {
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const n = images.length / pixels;
  if (!Number.isInteger(n)) {
    throw new RangeError(`classify: expected a multiple of 784 values, found ${images.length}`);
  }
  const batch = options.batchSize ?? 500;
  const out = new Uint8Array(n);
  // Training-mode BatchNorm also updates the moving averages: keep a copy
  // and put it back, so classifying never changes the model.
  const moving = model.nonTrainableWeights;
  const saved = options.batchStats ? moving.map((w) => tf.clone(w.read())) : [];
  try {
    for (let start = 0; start < n; start += batch) {
      const m = Math.min(batch, n - start);
      const pred = tf.tidy(() => {
        const x = tf.tensor4d(
          images.subarray(start * pixels, (start + m) * pixels),
          [m, IMAGE_SIZE, IMAGE_SIZE, 1],
        );
        const out = (options.batchStats ? model.apply(x, { training: true }) : model.predict(x)) as
          | tf.Tensor
          | tf.Tensor[];
        return tf.argMax(Array.isArray(out) ? out[options.output ?? 0] : out, -1);
      });
      out.set(await pred.data(), start);
      pred.dispose();
    }
  } finally {
    saved.forEach((value, i) => moving[i].write(value));
    tf.dispose(saved);
  }
  return out;
}

/** Fraction of `ds` the model labels correctly. */
export async function accuracy(model: tf.LayersModel, ds: Dataset): Promise<number> {
  const images = Float32Array.from(ds.images, (v) => v / 255);
  const pred = await classify(model, images);
  let right = 0;
  for (let i = 0; i < ds.count; i++) if (pred[i] === ds.labels[i]) right++;
  return right / ds.count;
}
