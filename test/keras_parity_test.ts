/**
 * Keras parity: identical weights and inputs in tfjs and in the Keras
 * reference (test/keras_reference.py, run with the venv's Python) give the
 * same forward outputs, the same loss terms and, after one D step and one G
 * step, the same weights, within 1e-4.
 */
import * as tf from "@tensorflow/tfjs";
import { assert } from "@std/assert";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend } from "../lib/backends/select.ts";
import { saveCheckpoint } from "../lib/io/checkpoint.ts";
import { resolveConfig } from "../lib/infogan/config_schema.ts";
import { createState, disposeState } from "../lib/infogan/state.ts";
import {
  discriminatorStep,
  drawDiscriminatorInputs,
  generatorStep,
  readStepMetrics,
} from "../lib/infogan/step.ts";
import { drawLatent, latentTensors } from "../lib/infogan/latent.ts";
import { smallMnist } from "./helpers.ts";
import { realSampler } from "../lib/data/mnist.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PYTHON = join(ROOT, ".venv/bin/python");
const TOLERANCE = 1e-4;

/** Largest |a - b| over two equal-length arrays. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, what: string): number {
  if (a.length !== b.length) throw new Error(`${what}: lengths ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function plain(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(obj).map((
      [k, v],
    ) => [k, ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v]),
  );
}

Deno.test("the book model matches the Keras reference: forward, every loss term, one step of each optimizer", async () => {
  if (!(await Deno.stat(PYTHON).then(() => true, () => false))) {
    throw new Error(
      `${PYTHON} not found: run \`deno task setup\` to create the venv with TensorFlow`,
    );
  }
  // The native backend runs the same libtensorflow kernels as Keras.
  await initBackend("tensorflow");
  const data = await smallMnist();
  // The book model at full width; a small batch keeps the test quick.
  const config = resolveConfig({ flags: { preset: "book", batchSize: 8, seed: 3 } });
  const state = createState(config);
  const dir = await Deno.makeTempDir();
  await saveCheckpoint(state, join(dir, "before"));

  const dIn = drawDiscriminatorInputs(state, realSampler(data));
  const gIn = drawLatent(state.rng, config, { n: config.batchSize });
  const b = config.batchSize;
  const forward = tf.tidy(() => {
    const fake = state.generator.apply(latentTensors(dIn.fake, config), {
      training: false,
    }) as tf.Tensor;
    const x = tf.concat([tf.tensor4d(dIn.images, [b, 28, 28, 1]), fake]);
    return (state.discriminator.apply(x) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
  });
  const d = await readStepMetrics(discriminatorStep(state, dIn));
  const g = await readStepMetrics(generatorStep(state, gIn));
  const losses = {
    d: [d.d_loss, d.d_bce, d.d_label, d.d_code1, d.d_code2],
    g: [g.g_loss, g.g_bce, g.g_label, g.g_code1, g.g_code2],
  };
  await saveCheckpoint(state, join(dir, "after"));

  const inputs = {
    width: config.width,
    latentSize: config.latentSize,
    d: { ...plain({ ...dIn, fake: undefined }), fake: plain({ ...dIn.fake }) },
    g: plain({ ...gIn }),
  };
  await Deno.writeTextFile(join(dir, "inputs.json"), JSON.stringify(inputs));
  const out = await new Deno.Command(PYTHON, {
    args: [
      join(ROOT, "test/keras_reference.py"),
      "parity",
      "--weights",
      join(dir, "before"),
      "--inputs",
      join(dir, "inputs.json"),
      "--out",
      join(dir, "keras"),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `keras_reference.py failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`,
    );
  }
  const keras = JSON.parse(await Deno.readTextFile(join(dir, "keras/result.json")));

  const report: string[] = [];
  const check = (what: string, diff: number) => {
    report.push(`${what}: ${diff.toExponential(2)}`);
    assert(diff <= TOLERANCE, `${what} differs by ${diff} (> ${TOLERANCE})\n${report.join("\n")}`);
  };
  ["real", "label", "code1", "code2"].forEach((name, i) =>
    check(`forward ${name}`, maxDiff(forward[i], keras.forward[i], name))
  );
  ["total", "bce", "label", "code1", "code2"].forEach((name, i) => {
    check(`D loss ${name}`, Math.abs(losses.d[i] - keras.d[i]));
    check(`G loss ${name}`, Math.abs(losses.g[i] - keras.g[i]));
  });
  for (const model of ["generator", "discriminator"]) {
    const mine = new Float32Array(
      (await Deno.readFile(join(dir, "after", model, "weights.bin"))).buffer,
    );
    const theirs = new Float32Array(
      (await Deno.readFile(join(dir, "keras", `${model}.bin`))).buffer,
    );
    const before = new Float32Array(
      (await Deno.readFile(join(dir, "before", model, "weights.bin"))).buffer,
    );
    // The step must have moved the weights, or the comparison proves nothing.
    assert(maxDiff(mine, before, model) > 1e-6, `${model}: weights did not change`);
    check(`${model} weights after one step`, maxDiff(mine, theirs, model));
  }
  console.log(report.join("\n"));
  disposeState(state);
});
