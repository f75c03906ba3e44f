import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { buildDiscriminator } from "../lib/infogan/discriminator.ts";
import { Random } from "../lib/infogan/random.ts";
import { tinyConfig } from "./helpers.ts";

await initBackend("wasm");

Deno.test("buildDiscriminator() has the book's convs and the real, label, code1, code2 heads", () => {
  const d = buildDiscriminator(tinyConfig({ width: 1 }), new Random(0));
  assertEquals(d.outputs.map((o) => o.shape), [[null, 1], [null, 10], [null, 1], [null, 1]]);
  const convs = d.weights.filter((w) => /^d_conv\d\/kernel$/.test(w.originalName)).map((w) =>
    w.shape
  );
  assertEquals(convs, [[5, 5, 1, 32], [5, 5, 32, 64], [5, 5, 64, 128], [5, 5, 128, 256]]);
  const hidden = d.weights.find((w) => w.originalName === "q_hidden/kernel");
  assertEquals(hidden?.shape, [4 * 4 * 256, 128]);
  d.dispose();
});

Deno.test("buildDiscriminator() heads: sigmoid real and codes, softmax label (book)", () => {
  const d = buildDiscriminator(tinyConfig(), new Random(0));
  const [real, label, c1, c2] = tf.tidy(() =>
    (d.apply(tf.randomUniform([5, 28, 28, 1], 0, 1, "float32", 1)) as tf.Tensor[]).map((t) =>
      t.arraySync() as number[][]
    )
  );
  for (const head of [real, c1, c2]) assert(head.flat().every((v) => v > 0 && v < 1));
  for (const row of label) assertAlmostEquals(row.reduce((a, b) => a + b, 0), 1, 1e-5);
  d.dispose();
});

Deno.test("buildDiscriminator() makes linear code heads for the Gaussian loss", () => {
  const d = buildDiscriminator(tinyConfig({ continuousLoss: "gaussian" }), new Random(0));
  const acts = ["code1", "code2"].map((n) => (d.getLayer(n).getConfig().activation as string));
  assertEquals(acts, ["linear", "linear"]);
  assertEquals(d.getLayer("real").getConfig().activation, "sigmoid");
  d.dispose();
});

Deno.test("buildDiscriminator() paper layout: 4×4 stride-2 convs, Dense(1024), Q Dense(128) with BatchNorm", () => {
  const config = tinyConfig({ architecture: "paper", width: 1, leakySlope: 0.01 });
  const d = buildDiscriminator(config, new Random(0));
  const shape = (name: string) => d.weights.find((w) => w.originalName === name)?.shape;
  assertEquals(shape("d_conv1/kernel"), [4, 4, 1, 64]);
  assertEquals(shape("d_conv2/kernel"), [4, 4, 64, 128]);
  assertEquals(shape("d_dense/kernel"), [7 * 7 * 128, 1024]);
  assertEquals(shape("real_logit/kernel"), [1024, 1]);
  assertEquals(shape("q_hidden/kernel"), [1024, 128]);
  const bns = d.layers.filter((l) => l.getClassName() === "BatchNormalization").map((l) => l.name);
  assertEquals(bns, ["d_bn2", "d_bn3", "q_bn"]);
  const alphas = d.layers.filter((l) => l.getClassName() === "LeakyReLU")
    .map((l) => l.getConfig().alpha);
  // The slope is the config's (the authors' code uses 0.01).
  assertEquals(alphas, [0.01, 0.01, 0.01, 0.01]);
  assertEquals(d.outputs.map((o) => o.shape), [[null, 1], [null, 10], [null, 1], [null, 1]]);
  d.dispose();
});
