/**
 * withLazyGradients(): the same values and gradients as tfjs's fused layers,
 * without the gradients nobody asked for.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "@std/assert";
import { withLazyGradients } from "../lib/infogan/lazy_gradients.ts";

await tf.setBackend("cpu");

/** image → Conv2D(stride 2, same) → Conv2D(valid) → Flatten → Dense → Dense(tanh). */
function model(): tf.LayersModel {
  const image = tf.input({ shape: [6, 6, 2] });
  let x = tf.layers.conv2d({
    filters: 3,
    kernelSize: 3,
    strides: 2,
    padding: "same",
    name: "conv",
  }).apply(image) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 2, kernelSize: 2, name: "conv2" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 4, name: "dense" }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: "tanh", name: "head" })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: image, outputs: out });
}

function pair() {
  const fused = model();
  const lazy = withLazyGradients(model());
  lazy.setWeights(fused.getWeights());
  return { fused, lazy };
}

const x = tf.randomNormal([5, 6, 6, 2], 0, 1, "float32", 1);

/** The loss's gradients with respect to the named layers' variables, and the kernels run. */
async function gradsOf(m: tf.LayersModel, layers: string[]) {
  const vars = layers.flatMap((n) =>
    m.getLayer(n).trainableWeights.map((w) => w.read())
  ) as tf.Variable[];
  let grads!: tf.NamedTensorMap;
  const info = await tf.profile(() => {
    grads = tf.variableGrads(() => tf.sum(m.apply(x) as tf.Tensor) as tf.Scalar, vars).grads;
  });
  return { grads: vars.map((v) => grads[v.name]), kernels: info.kernels.map((k) => k.name) };
}

Deno.test("withLazyGradients() gives tfjs's outputs and gradients", async () => {
  const { fused, lazy } = pair();
  const diff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  assert(diff(fused.predict(x) as tf.Tensor, lazy.predict(x) as tf.Tensor) < 1e-6);
  const all = ["conv", "conv2", "dense", "head"];
  const a = await gradsOf(fused, all);
  const b = await gradsOf(lazy, all);
  assertEquals(b.grads.length, 8);
  a.grads.forEach((g, i) => assert(diff(g, b.grads[i]) < 1e-5, `gradient ${i}`));
  assertEquals(lazy.getLayer("conv").getClassName(), "Conv2D");
});

Deno.test("withLazyGradients() skips the gradients of layers that are not trained, and of the images", async () => {
  const { fused, lazy } = pair();
  const count = (kernels: string[], name: string) => kernels.filter((k) => k === name).length;
  // Training only the first layer, as G's step trains G through a fixed D.
  const tfjs = (await gradsOf(fused, ["conv"])).kernels;
  const mine = (await gradsOf(lazy, ["conv"])).kernels;
  // tfjs's fused layers compute every gradient: conv2's filter, conv's image
  // gradient, dense's weights.
  assertEquals(count(tfjs, "Conv2DBackpropFilter"), 2, tfjs.join(" "));
  assertEquals(count(tfjs, "Conv2DBackpropInput"), 2, tfjs.join(" "));
  // Only conv's filter gradient, and conv2's input gradient on the way to it.
  assertEquals(count(mine, "Conv2DBackpropFilter"), 1, mine.join(" "));
  assertEquals(count(mine, "Conv2DBackpropInput"), 1, mine.join(" "));
  // Products, forward and backward: dense's weight gradient is the one skipped.
  const products = (k: string[]) => count(k, "BatchMatMul") + count(k, "_FusedMatMul");
  assertEquals(products(mine), products(tfjs) - 1, `${products(mine)} against ${products(tfjs)}`);
});
