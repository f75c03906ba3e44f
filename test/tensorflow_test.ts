/**
 * The native `tensorflow` backend against tfjs's `cpu` reference, on seeded
 * inputs. CI runs `deno task setup` first, so a missing binding fails here.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { initTensorflowBackend, tensorflowAvailable } from "../lib/backends/tensorflow.ts";
import { Random } from "../lib/infogan/random.ts";
import { createState, disposeState } from "../lib/infogan/state.ts";
import { METRIC_NAMES, readStepMetrics, trainStep } from "../lib/infogan/step.ts";
import { smallMnist, tinyConfig } from "./helpers.ts";
import { realSampler } from "../lib/data/mnist.ts";

/** Seeded N(0, 1) values as a tensor of `shape`. */
function normal(rng: Random, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fill(n, (r) => r.normal()), shape);
}

/** Runs `fn` on cpu, then on tensorflow; returns both results as host arrays. */
async function onBoth(
  fn: () => tf.Tensor[],
): Promise<{ cpu: Float32Array[]; tensorflow: Float32Array[] }> {
  const host = () =>
    tf.tidy(fn).map((t) => {
      const data = t.dataSync() as Float32Array;
      t.dispose();
      return data;
    });
  await initBackend("cpu");
  const cpu = host();
  await initTensorflowBackend();
  assertEquals(tf.getBackend(), "tensorflow");
  return { cpu, tensorflow: host() };
}

/** Every |a - e| ≤ atol + rtol·|e|, with the worst element in the message. */
function assertClose(actual: Float32Array, expected: Float32Array, rtol: number, atol: number) {
  assertEquals(actual.length, expected.length);
  let worst = -1;
  let excess = 0;
  for (let i = 0; i < expected.length; i++) {
    const over = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(over <= excess)) {
      worst = i;
      excess = over;
    }
  }
  assert(
    worst < 0,
    `expected ${expected[worst]} at [${worst}] within ${rtol} relative + ${atol}, found ${
      actual[worst]
    }`,
  );
}

function assertAllClose(
  got: { cpu: Float32Array[]; tensorflow: Float32Array[] },
  rtol = 1e-4,
  atol = 1e-5,
) {
  assertEquals(got.tensorflow.length, got.cpu.length);
  got.cpu.forEach((expected, i) => assertClose(got.tensorflow[i], expected, rtol, atol));
}

Deno.test("tensorflowAvailable() is true: `deno task setup` built the binding", () => {
  assert(
    tensorflowAvailable(),
    "backend tensorflow: tfjs_binding.node not built; run `deno task setup` before the tests",
  );
});

Deno.test("initTensorflowBackend() switches @tensorflow/tfjs itself to the native backend", async () => {
  await initBackend("cpu");
  await initTensorflowBackend();
  assertEquals(tf.getBackend(), "tensorflow");
  assertEquals(tf.backend().constructor.name, "NodeJSKernelBackend");
  // Ops created through this module's tf run natively.
  const y = tf.add(tf.tensor1d([1, 2]), 1);
  assertEquals(Array.from(await y.data()), [2, 3]);
  y.dispose();
});

Deno.test("conv2d() on tensorflow matches cpu (5×5, stride 2, same)", async () => {
  assertAllClose(
    await onBoth(() => {
      const rng = new Random(1);
      const x = normal(rng, [2, 14, 14, 3]) as tf.Tensor4D;
      const w = normal(rng, [5, 5, 3, 8]) as tf.Tensor4D;
      return [tf.conv2d(x, w, 2, "same"), tf.conv2d(x, w, 1, "same")];
    }),
  );
});

Deno.test("conv2dTranspose() on tensorflow matches cpu (5×5, stride 2 and 1, same)", async () => {
  assertAllClose(
    await onBoth(() => {
      const rng = new Random(2);
      const x = normal(rng, [2, 7, 7, 8]) as tf.Tensor4D;
      // [height, width, outChannels, inChannels]
      const w = normal(rng, [5, 5, 4, 8]) as tf.Tensor4D;
      return [
        tf.conv2dTranspose(x, w, [2, 14, 14, 4], 2, "same"),
        tf.conv2dTranspose(x, w, [2, 7, 7, 4], 1, "same"),
      ];
    }),
  );
});

Deno.test("matMul() on tensorflow matches cpu, plain and transposed", async () => {
  assertAllClose(
    await onBoth(() => {
      const rng = new Random(3);
      const a = normal(rng, [33, 47]) as tf.Tensor2D;
      const b = normal(rng, [47, 29]) as tf.Tensor2D;
      return [tf.matMul(a, b), tf.matMul(b, a, true, true)];
    }),
  );
});

Deno.test("a tiny conv model's gradients on tensorflow match cpu", async () => {
  assertAllClose(
    await onBoth(() => {
      const rng = new Random(4);
      const x = normal(rng, [3, 8, 8, 2]) as tf.Tensor4D;
      const params = [
        normal(rng, [5, 5, 2, 4]).mul(0.2), // conv2d filter
        normal(rng, [4]).mul(0.1), // its bias
        normal(rng, [5, 5, 3, 4]).mul(0.2), // conv2dTranspose filter
        normal(rng, [4 * 4 * 4, 1]).mul(0.1), // dense kernel on the conv features
      ];
      const loss = (c1: tf.Tensor, b1: tf.Tensor, c2: tf.Tensor, d: tf.Tensor) => {
        const h = tf.leakyRelu(tf.conv2d(x, c1 as tf.Tensor4D, 2, "same").add(b1), 0.2);
        const up = tf.conv2dTranspose(h as tf.Tensor4D, c2 as tf.Tensor4D, [3, 8, 8, 3], 2, "same");
        const logit = tf.matMul(h.reshape([3, -1]), d as tf.Tensor2D);
        return tf.sigmoid(up).square().mean().add(tf.softplus(logit).mean()) as tf.Scalar;
      };
      const f = (...p: tf.Tensor[]) => loss(p[0], p[1], p[2], p[3]);
      return [f(...params), ...tf.grads(f)(params)];
    }),
  );
});

Deno.test("trainStep() on tensorflow gives cpu's 13 metrics for the same seed", async () => {
  const data = await smallMnist();
  const losses = async () => {
    const state = createState(tinyConfig({ seed: 7 }));
    const steps: Float32Array[] = [];
    for (let i = 0; i < 2; i++) {
      const v = await readStepMetrics(trainStep(state, realSampler(data)));
      steps.push(Float32Array.from(METRIC_NAMES, (n) => v[n]));
    }
    disposeState(state);
    return steps;
  };
  // tensorflow first, so a missing binding fails before cpu's slow steps.
  await initTensorflowBackend();
  const tensorflow = await losses();
  await initBackend("cpu");
  const cpu = await losses();
  assertEquals(tensorflow[0].length, METRIC_NAMES.length);
  cpu.forEach((expected, i) => assertClose(tensorflow[i], expected, 1e-4, 1e-6));
});
