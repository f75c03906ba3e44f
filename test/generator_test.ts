import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { buildGenerator } from "../lib/infogan/generator.ts";
import { Random } from "../lib/infogan/random.ts";
import { tinyConfig } from "./helpers.ts";

await initBackend("wasm");

Deno.test("buildGenerator() has the book's layers: Dense 7·7·128, then 128/64/32/1 transposed convs", () => {
  const g = buildGenerator(tinyConfig({ width: 1 }), new Random(0));
  assertEquals(g.inputs.map((i) => i.shape), [[null, 62], [null, 10], [null, 1], [null, 1]]);
  assertEquals(g.outputs[0].shape, [null, 28, 28, 1]);
  const kernels = g.weights.filter((w) => w.originalName.endsWith("kernel")).map((w) => w.shape);
  // tfjs stores transposed-conv kernels as [kh, kw, out, in].
  assertEquals(kernels, [
    [74, 7 * 7 * 128],
    [5, 5, 128, 128],
    [5, 5, 64, 128],
    [5, 5, 32, 64],
    [5, 5, 1, 32],
  ]);
  assertEquals(g.layers.filter((l) => l.getClassName() === "BatchNormalization").length, 4);
  // By hand: 470400 + 409728 + 204864 + 51232 + 801 weights, 4·(128+128+64+32) BN values.
  assertEquals(g.countParams(), 1_138_433);
  g.dispose();
});

Deno.test("buildGenerator() scales every hidden layer by width but keeps one output channel", () => {
  const g = buildGenerator(tinyConfig({ width: 0.25 }), new Random(0));
  const kernels = g.weights.filter((w) => w.originalName.endsWith("kernel")).map((w) => w.shape);
  assertEquals(kernels.map((k) => k[k.length - 2]), [74, 32, 16, 8, 1]);
  g.dispose();
});

Deno.test("buildGenerator() outputs images in (0, 1) with the right batch shape", () => {
  const config = tinyConfig();
  const g = buildGenerator(config, new Random(0));
  const out = tf.tidy(() =>
    (g.apply([
      tf.randomUniform([3, 62]),
      tf.oneHot([0, 1, 2], 10).toFloat(),
      tf.zeros([3, 1]),
      tf.ones([3, 1]),
    ], {
      training: false,
    }) as tf.Tensor).dataSync()
  );
  assertEquals(out.length, 3 * 784);
  assert(out.every((v) => v > 0 && v < 1));
  g.dispose();
});

Deno.test("buildGenerator() paper layout: Dense 1024, Dense 7·7·128, 4×4 stride-2 transposed convs 64, 1", () => {
  const g = buildGenerator(tinyConfig({ architecture: "paper", width: 1 }), new Random(0));
  assertEquals(g.outputs[0].shape, [null, 28, 28, 1]);
  const kernels = g.weights.filter((w) => w.originalName.endsWith("kernel")).map((w) => w.shape);
  assertEquals(kernels, [[74, 1024], [1024, 7 * 7 * 128], [4, 4, 64, 128], [4, 4, 1, 64]]);
  const bns = g.layers.filter((l) => l.getClassName() === "BatchNormalization").map((l) => l.name);
  assertEquals(bns, ["g_bn1", "g_bn2", "g_bn3"]);
  // By hand: 76800 + 6428800 + 131136 + 1025 weights, 4·(1024+6272+64) BN values.
  assertEquals(g.countParams(), 6_667_201);
  g.dispose();
});
