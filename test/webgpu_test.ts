/**
 * The webgpu backend against the cpu reference. Runs on any adapter,
 * including Mesa's software one (Debian `mesa-vulkan-drivers`). Without an
 * adapter every test fails with the reason: skipping would hide a broken CI.
 */
import { installCommand } from "../lib/setup/system.ts";
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  initWebgpuBackend,
  NO_ADAPTER_MESSAGE,
  webgpuAdapterInfo,
} from "../lib/backends/webgpu.ts";
import { Random } from "../lib/infogan/random.ts";
import { createState, disposeState, trainableVariables } from "../lib/infogan/state.ts";
import { METRIC_NAMES, readStepMetrics, trainStep } from "../lib/infogan/step.ts";
import { smallMnist, tinyConfig } from "./helpers.ts";
import { realSampler } from "../lib/data/mnist.ts";

tf.env().set("PROD", true);

/** Switches to `name` (initialising webgpu on first use) and fails clearly. */
async function use(name: "cpu" | "webgpu"): Promise<void> {
  if (name === "webgpu") {
    const info = await webgpuAdapterInfo();
    if (!info.available) {
      throw new Error(`${NO_ADAPTER_MESSAGE}; found: ${info.description}`);
    }
    if (tf.findBackend("webgpu") === null) await initWebgpuBackend();
  }
  assert(await tf.setBackend(name), `tf.setBackend("${name}") returned false`);
  assertEquals(tf.getBackend(), name);
}

/** Uniform draws in [-1, 1) from a seeded source. */
function seeded(rng: Random, shape: number[]): { values: Float32Array; shape: number[] } {
  const n = shape.reduce((a, b) => a * b, 1);
  return { values: rng.fill(n, (r) => r.uniform(-1, 1)), shape };
}

/**
 * Asserts |a - e| ≤ rtol·(|e| + max|e|) elementwise: relative to each value,
 * plus the same fraction of the largest one, so sums that cancel to nearly 0
 * are judged on the scale of the tensor.
 */
function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  options: { rtol: number; what: string },
): void {
  const { rtol, what } = options;
  assertEquals(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= rtol * (Math.abs(expected[i]) + scale))) {
      throw new Error(
        `${what}: expected ${expected[i]} at index ${i} within rtol ${rtol}, found ${actual[i]}`,
      );
    }
  }
}

/** The ops compared, each on fixed seeded inputs. */
const OPS: Record<string, (inputs: tf.Tensor[]) => tf.Tensor> = {
  matMul: ([a, b]) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
  conv2d: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"),
  conv2dTranspose: ([y, w]) =>
    tf.conv2dTranspose(y as tf.Tensor4D, w as tf.Tensor4D, [4, 14, 14, 8], 2, "same"),
  sigmoid: ([a]) => tf.sigmoid(a.mul(4)),
  softmax: ([a]) => tf.softmax(a.mul(4)),
  sumAxis1: ([a]) => tf.sum(a, 1),
  meanAll: ([a]) => tf.mean(a),
};

/** Input shapes per op; the seeded source is rebuilt per backend. */
const SHAPES: Record<string, number[][]> = {
  matMul: [[64, 96], [96, 48]],
  conv2d: [[4, 14, 14, 8], [5, 5, 8, 16]],
  conv2dTranspose: [[4, 7, 7, 16], [5, 5, 8, 16]],
  sigmoid: [[64, 40]],
  softmax: [[64, 40]],
  sumAxis1: [[64, 300]],
  meanAll: [[64, 300]],
};

async function runOps(name: "cpu" | "webgpu"): Promise<Map<string, Float32Array>> {
  await use(name);
  const rng = new Random(7);
  const out = new Map<string, Float32Array>();
  for (const [op, shapes] of Object.entries(SHAPES)) {
    const inputs = shapes.map((s) => {
      const { values, shape } = seeded(rng, s);
      return tf.tensor(values, shape);
    });
    const y = tf.tidy(() => OPS[op](inputs));
    out.set(op, (await y.data()) as Float32Array);
    tf.dispose([y, ...inputs]);
  }
  return out;
}

Deno.test("webgpuAdapterInfo() finds an adapter and names it", async () => {
  const info = await webgpuAdapterInfo();
  assert(
    info.available,
    `${NO_ADAPTER_MESSAGE}; found: ${info.description}. Install it with: ${
      installCommand(["mesa-vulkan-drivers"])
    } (deno task setup does this when run as root)`,
  );
  assert(info.description.length > 0);
  if (/llvmpipe|lavapipe|swiftshader/i.test(info.description)) {
    assert(info.fallback, `a software adapter must count as fallback: ${info.description}`);
  }
});

Deno.test("initWebgpuBackend() registers webgpu with @tensorflow/tfjs's engine", async () => {
  await use("webgpu");
  const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]));
  assertEquals(Array.from(await y.data()), [3, 3, 3, 3]);
  y.dispose();
});

Deno.test("webgpu matMul, conv2d, conv2dTranspose, sigmoid, softmax and sums match cpu within 1e-4", async () => {
  const expected = await runOps("cpu");
  await use("webgpu");
  // Run every op as a shader: by default tiny host-resident inputs may be
  // handed to the CPU kernels instead.
  const forward = tf.env().getBool("WEBGPU_CPU_FORWARD");
  tf.env().set("WEBGPU_CPU_FORWARD", false);
  try {
    const before = tf.memory().numTensors;
    const actual = await runOps("webgpu");
    assertEquals(tf.memory().numTensors, before, "tensors leaked");
    for (const [op, values] of expected) {
      assertClose(actual.get(op)!, values, { rtol: 1e-4, what: `webgpu ${op}` });
    }
  } finally {
    tf.env().set("WEBGPU_CPU_FORWARD", forward);
  }
});

Deno.test("webgpu dataSync() on GPU memory fails with a hint to use data()", async () => {
  await use("webgpu");
  const y = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]));
  try {
    assertThrows(() => y.dataSync(), Error, "await tensor.data()");
    // The async read still works, and caches the values for dataSync.
    assertEquals((await y.data())[0], 64);
    assertEquals(y.dataSync()[0], 64);
  } finally {
    y.dispose();
  }
});

/** One InfoGAN step from a fresh seeded state: the 11 metrics and all weights. */
async function oneStep(
  name: "cpu" | "webgpu",
): Promise<{ metrics: Float32Array; weights: Float32Array[] }> {
  await use(name);
  const dataset = await smallMnist();
  const state = createState(tinyConfig());
  try {
    const values = await readStepMetrics(trainStep(state, realSampler(dataset)));
    const metrics = Float32Array.from(METRIC_NAMES, (n) => values[n]);
    const vars = [
      ...trainableVariables(state.generator),
      ...trainableVariables(state.discriminator),
    ];
    const weights = await Promise.all(vars.map(async (v) => (await v.data()) as Float32Array));
    return { metrics, weights };
  } finally {
    disposeState(state);
  }
}

Deno.test("trainStep() on webgpu gives cpu's 13 metrics and updated weights", async () => {
  await use("webgpu"); // fail fast, before the slower cpu step, when there is no adapter
  const cpu = await oneStep("cpu");
  const gpu = await oneStep("webgpu");
  assertEquals(gpu.metrics.length, METRIC_NAMES.length);
  METRIC_NAMES.forEach((name, i) => {
    const e = cpu.metrics[i];
    const a = gpu.metrics[i];
    assert(
      Math.abs(a - e) <= 1e-3 * Math.abs(e) + 1e-6,
      `${name}: expected ${e} (cpu) within 1e-3 relative, found ${a} (webgpu)`,
    );
  });
  // One RMSprop step moves a weight by about 3·lr ≈ 6e-4, so 1e-6 checks the update.
  assertEquals(gpu.weights.length, cpu.weights.length);
  cpu.weights.forEach((w, k) => {
    for (let i = 0; i < w.length; i++) {
      const err = Math.abs(gpu.weights[k][i] - w[i]);
      if (!(err <= 1e-6 + 1e-5 * Math.abs(w[i]))) {
        throw new Error(
          `weight ${k}[${i}]: expected ${w[i]} (cpu), found ${gpu.weights[k][i]} (webgpu)`,
        );
      }
    }
  });
});
