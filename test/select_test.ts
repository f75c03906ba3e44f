import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertRejects } from "@std/assert";
import { BackendError, initBackend } from "../lib/backends/select.ts";
import { tensorflowAvailable } from "../lib/backends/tensorflow.ts";
import { webgpuAdapterInfo } from "../lib/backends/webgpu.ts";
import type { BackendName } from "../lib/infogan/config.ts";

Deno.test("initBackend() switches to cpu and wasm and reports the choice", async () => {
  assertEquals(await initBackend("cpu"), "cpu");
  assertEquals(tf.getBackend(), "cpu");
  assertEquals(await initBackend("wasm"), "wasm");
  assertEquals(tf.getBackend(), "wasm");
});

Deno.test("initBackend('auto') picks tensorflow when built, skipping a software WebGPU adapter", async () => {
  // Probe WebGPU only when auto would: an OpenGL-backed adapter and
  // libtensorflow in one process can crash.
  let expected = "tensorflow";
  if (!tensorflowAvailable()) {
    const gpu = await webgpuAdapterInfo();
    expected = gpu.available && !gpu.fallback ? "webgpu" : "wasm";
  }
  assertEquals(await initBackend("auto"), expected);
});

Deno.test("initBackend() refuses an intra-op thread count below 1, naming the value", async () => {
  await assertRejects(
    () => initBackend("tensorflow", { intraOpThreads: 0 }),
    BackendError,
    "backend tensorflow: intraOpThreads: expected an integer ≥ 1, found 0",
  );
});

Deno.test("initBackend() refuses an unknown backend with a clear message", async () => {
  await assertRejects(
    () => initBackend("tpu" as BackendName),
    BackendError,
    'backend: expected auto|tensorflow|webgpu|wasm|cpu, found "tpu"',
  );
});

Deno.test("the wasm backend can train a conv2d: its filter gradient kernel is registered", async () => {
  await initBackend("wasm");
  const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
  const g = tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, 1, "same").sum())(
    tf.ones([3, 3, 1, 1]),
  );
  // Tap (i, j) overlaps (rows in range)·(cols in range): 3 or 4 of each.
  assertEquals(Array.from(g.dataSync()), [9, 12, 9, 12, 16, 12, 9, 12, 9]);
});
