/**
 * The fused training-mode BatchNorm (one native kernel each way on the
 * tensorflow backend) against tfjs's own layer: outputs, gradients, moving
 * statistics, inference mode, odd shapes.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { fusedBatchNormAvailable, withFusedTraining } from "../lib/infogan/batch_norm.ts";
import { Random } from "../lib/infogan/random.ts";

await initBackend("tensorflow");

function randomTensor(rng: Random, shape: number[], offset = 0): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, () => offset + rng.normal()), shape);
}

/** Largest |a − b|. */
function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Two BatchNorm layers with the same random weights: tfjs's, and the fused one. */
function layerPair(rng: Random, channels: number, inputShape: number[]) {
  const make = () =>
    tf.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.9, inputShape: inputShape.slice(1) });
  const tfjs = make();
  const fused = withFusedTraining(make());
  const weights = [
    randomTensor(rng, [channels], 1),
    randomTensor(rng, [channels]),
    randomTensor(rng, [channels]),
    tf.abs(randomTensor(rng, [channels], 1)),
  ];
  for (const l of [tfjs, fused]) {
    l.build(inputShape);
    l.setWeights(weights);
  }
  return { tfjs, fused };
}

for (const shape of [[5, 7], [3, 5, 5, 4], [2, 9]]) {
  Deno.test(`fused BatchNorm on [${shape}] matches tfjs's layer: output, gradients, moving statistics`, () => {
    assert(fusedBatchNormAvailable(), "the tensorflow backend registers the kernels");
    const rng = new Random(shape.length * 10 + shape[0]);
    const channels = shape[shape.length - 1];
    const { tfjs, fused } = layerPair(rng, channels, shape);
    const x = randomTensor(rng, shape, 3);
    const w = randomTensor(rng, shape);
    const run = (layer: tf.layers.Layer) => {
      const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
      let y!: tf.Tensor;
      const { value, grads } = tf.variableGrads(() => {
        y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
        return tf.sum(tf.mul(y, w)) as tf.Scalar;
      }, vars);
      const dx = tf.grad((input: tf.Tensor) =>
        tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, w))
      )(x);
      value.dispose();
      return {
        y,
        dx,
        grads: vars.map((v) => grads[v.name]),
        moving: layer.getWeights().slice(2),
      };
    };
    const a = run(tfjs);
    const b = run(fused);
    assert(maxDiff(a.y, b.y) < 1e-5, `outputs differ by ${maxDiff(a.y, b.y)}`);
    assert(maxDiff(a.dx, b.dx) < 1e-4, `dx differs by ${maxDiff(a.dx, b.dx)}`);
    a.grads.forEach((g, i) => assert(maxDiff(g, b.grads[i]) < 1e-4, `grad ${i}`));
    // Two training passes each (value, then dx) moved the moving statistics alike.
    const initialMean = layerPair(new Random(0), channels, shape).tfjs.getWeights()[2];
    assert(maxDiff(a.moving[0], initialMean) > 1e-2, "moving mean moved");
    a.moving.forEach((m, i) => assert(maxDiff(m, b.moving[i]) < 1e-5, `moving ${i}`));
    // Inference uses the moving statistics, on both.
    const infA = tfjs.apply(x, { training: false }) as tf.Tensor;
    const infB = fused.apply(x, { training: false }) as tf.Tensor;
    assert(maxDiff(infA, infB) < 1e-5);
    assertEquals(fused.getClassName(), "BatchNormalization");
  });
}

Deno.test("fused BatchNorm leaks no tensors in training and inference", () => {
  const rng = new Random(3);
  const { fused } = layerPair(rng, 4, [6, 4]);
  const x = randomTensor(rng, [6, 4]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    tf.tidy(() => {
      tf.variableGrads(
        () => tf.sum(fused.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        fused.trainableWeights.map((v) => v.read() as tf.Variable),
      );
      fused.apply(x, { training: false });
    });
  }
  assertEquals(tf.memory().numTensors, before);
});
