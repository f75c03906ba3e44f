import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { initBackend } from "../lib/backends/select.ts";
import {
  CheckpointError,
  loadCheckpoint,
  loadGenerator,
  loadModels,
  resolveCheckpoint,
  saveCheckpoint,
} from "../lib/io/checkpoint.ts";
import { exportWeights } from "../lib/io/export_weights.ts";
import { toFloat16, toUint8 } from "../lib/io/model_files.ts";
import { exists, sha256Hex } from "../lib/io/fs.ts";
import { createState, disposeState, type TrainState } from "../lib/infogan/state.ts";
import { train } from "../lib/infogan/loop.ts";
import { readStepMetrics, trainStep } from "../lib/infogan/step.ts";
import { smallMnist, tinyConfig } from "./helpers.ts";
import { realSampler } from "../lib/data/mnist.ts";

await initBackend("wasm");
const data = await smallMnist();

const allWeights = (s: TrainState) =>
  [...s.generator.weights, ...s.discriminator.weights].map((w) => Array.from(w.read().dataSync()));

async function trainedCheckpoint(steps: number): Promise<{ dir: string; state: TrainState }> {
  const root = await Deno.makeTempDir();
  const state = createState(tinyConfig({ steps }));
  await train(state, realSampler(data));
  const dir = join(root, "checkpoint");
  await saveCheckpoint(state, dir);
  return { dir, state };
}

Deno.test("saveCheckpoint() writes LayersModel files, optimizer state and state.json", async () => {
  const { dir, state } = await trainedCheckpoint(3);
  for (const f of ["generator/model.json", "generator/weights.bin", "discriminator/model.json"]) {
    assert((await Deno.stat(join(dir, f))).isFile, f);
  }
  const model = JSON.parse(await Deno.readTextFile(join(dir, "generator/model.json")));
  assertEquals(model.format, "layers-model");
  assertEquals(model.weightsManifest[0].paths, ["weights.bin"]);
  const meta = JSON.parse(await Deno.readTextFile(join(dir, "state.json")));
  assertEquals(meta.step, 3);
  assertEquals(meta.random, state.rng.state());
  assertEquals(meta.optimizers.d.iterations, 3);
  disposeState(state);
});

Deno.test("saveCheckpoint() output loads with tf.loadLayersModel (standard format)", async () => {
  const { dir, state } = await trainedCheckpoint(1);
  const path = join(dir, "generator");
  const model = await tf.loadLayersModel({
    load: async () => {
      const json = JSON.parse(await Deno.readTextFile(join(path, "model.json")));
      const bin = await Deno.readFile(join(path, "weights.bin"));
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer,
      };
    },
  });
  assertEquals(model.outputs[0].shape, [null, 28, 28, 1]);
  assertEquals(
    Array.from(model.weights[0].read().dataSync()),
    Array.from(state.generator.weights[0].read().dataSync()),
  );
  model.dispose();
  disposeState(state);
});

Deno.test("loadCheckpoint() restores weights, optimizer, step and RNG: resumed losses match", async () => {
  const { dir, state } = await trainedCheckpoint(3);
  const resumed = await loadCheckpoint(dir);
  assertEquals(resumed.step, 3);
  assertEquals(allWeights(resumed), allWeights(state));
  assertEquals(resumed.rng.state(), state.rng.state());
  assertEquals(resumed.optG.iterations, state.optG.iterations);
  for (let i = 0; i < 3; i++) {
    const a = await readStepMetrics(trainStep(state, realSampler(data)));
    const b = await readStepMetrics(trainStep(resumed, realSampler(data)));
    assertEquals(b, a);
  }
  assertEquals(allWeights(resumed), allWeights(state));
  disposeState(state);
  disposeState(resumed);
});

Deno.test("saveCheckpoint() replaces an older checkpoint and leaves no .tmp or .old", async () => {
  const { dir, state } = await trainedCheckpoint(1);
  state.step = 7;
  await saveCheckpoint(state, dir);
  const names = [...Deno.readDirSync(join(dir, ".."))].map((e) => e.name);
  assertEquals(names, ["checkpoint"]);
  assertEquals(JSON.parse(await Deno.readTextFile(join(dir, "state.json"))).step, 7);
  disposeState(state);
});

Deno.test("resolveCheckpoint() finds run/checkpoint, and the .old copy after a crash mid-swap", async () => {
  const { dir, state } = await trainedCheckpoint(1);
  const run = join(dir, "..");
  assertEquals(await resolveCheckpoint(run), dir);
  await Deno.rename(dir, `${dir}.old`); // killed between the two renames
  assertEquals(await resolveCheckpoint(run), `${dir}.old`);
  await assertRejects(
    () => resolveCheckpoint(join(run, "missing")),
    CheckpointError,
    "no checkpoint found",
  );
  disposeState(state);
});

Deno.test("loadCheckpoint() refuses a truncated weights file, naming it", async () => {
  const { dir, state } = await trainedCheckpoint(1);
  const file = join(dir, "discriminator/weights.bin");
  const bytes = await Deno.readFile(file);
  await Deno.writeFile(file, bytes.slice(0, bytes.length - 10));
  await assertRejects(
    () => loadCheckpoint(dir),
    CheckpointError,
    `${file}: expected ${bytes.length} bytes`,
  );
  disposeState(state);
});

Deno.test("loadCheckpoint() refuses an edited model.json and a missing file", async () => {
  const { dir, state } = await trainedCheckpoint(1);
  const json = join(dir, "generator/model.json");
  const text = await Deno.readTextFile(json);
  await Deno.writeTextFile(json, text.replace('"g_dense/kernel"', '"g_dense/kernal"'));
  await assertRejects(() => loadCheckpoint(dir), CheckpointError, json);
  await Deno.remove(json);
  await assertRejects(
    () => loadCheckpoint(dir),
    CheckpointError,
    `${json}: expected a checkpoint file`,
  );
  disposeState(state);
});

Deno.test("loadCheckpoint() refuses a shape-changing override such as width", async () => {
  const { dir, state } = await trainedCheckpoint(1);
  await assertRejects(
    () => loadCheckpoint(dir, { overrides: { width: 0.5 } }),
    CheckpointError,
    "checkpoint has width 0.125, requested 0.5",
  );
  await assertRejects(
    () => loadCheckpoint(dir, { overrides: { learnedStd: true } }),
    CheckpointError,
    "checkpoint has learnedStd false, requested true",
  );
  const longer = await loadCheckpoint(dir, { overrides: { steps: 99 } });
  assertEquals(longer.config.steps, 99);
  disposeState(longer);
  disposeState(state);
});

Deno.test("loadCheckpoint() refuses weights whose shapes do not match the config", async () => {
  const a = await trainedCheckpoint(1);
  const root = await Deno.makeTempDir();
  const other = createState(tinyConfig({ width: 0.25 }));
  const b = join(root, "checkpoint");
  await saveCheckpoint(other, b);
  // Transplant the wider generator, digests and all, into the narrow checkpoint.
  await Deno.remove(join(a.dir, "generator"), { recursive: true });
  await Deno.rename(join(b, "generator"), join(a.dir, "generator"));
  const metaA = JSON.parse(await Deno.readTextFile(join(a.dir, "state.json")));
  const metaB = JSON.parse(await Deno.readTextFile(join(b, "state.json")));
  for (const f of ["generator/model.json", "generator/weights.bin"]) {
    metaA.files[f] = metaB.files[f];
  }
  await Deno.writeTextFile(join(a.dir, "state.json"), JSON.stringify(metaA));
  await assertRejects(
    () => loadCheckpoint(a.dir),
    CheckpointError,
    "expected weight g_dense/kernel of shape",
  );
  disposeState(a.state);
  disposeState(other);
});

Deno.test("loadGenerator() returns the trained generator and its config", async () => {
  const { dir, state } = await trainedCheckpoint(2);
  const { generator, config, step } = await loadGenerator(dir);
  assertEquals([config.width, step], [0.125, 2]);
  assertEquals(
    generator.weights.map((w) => Array.from(w.read().dataSync())),
    state.generator.weights.map((w) => Array.from(w.read().dataSync())),
  );
  generator.dispose();
  disposeState(state);
});

Deno.test("toFloat16() rounds to nearest even, keeps signs, saturates and flushes like IEEE half", () => {
  const values = new Float32Array([
    0,
    -0,
    1,
    -2,
    0.1,
    65504,
    1e6,
    6e-8,
    1e-9,
    1 + 2 ** -11,
    1 + 3 * 2 ** -11,
  ]);
  assertEquals([...toFloat16(values)], [
    0x0000, // 0
    0x8000, // -0
    0x3c00, // 1
    0xc000, // -2
    0x2e66, // 0.1 → 0.0999755859375
    0x7bff, // the largest half
    0x7c00, // overflow → Inf
    0x0001, // 6e-8 → the smallest subnormal, 5.96e-8
    0x0000, // underflow → 0
    0x3c00, // a tie rounds to the even mantissa (down)
    0x3c02, // a tie rounds to the even mantissa (up)
  ]);
});

Deno.test("exportWeights() writes a float16 weights-only checkpoint that loads close and refuses resume", async () => {
  const { dir, state } = await trainedCheckpoint(2);
  const out = join(await Deno.makeTempDir(), "export");
  await exportWeights(dir, out, { generator: "float16", discriminator: "float16" });
  const full = await Deno.stat(join(dir, "generator", "weights.bin"));
  const half = await Deno.stat(join(out, "generator", "weights.bin"));
  assertEquals(half.size * 2, full.size);
  const models = await loadModels(out);
  const before = state.discriminator.weights.map((w) => Array.from(w.read().dataSync()));
  const after = models.discriminator!.weights.map((w) => Array.from(w.read().dataSync()));
  before.forEach((values, i) =>
    values.forEach((v, j) => assert(Math.abs(v - after[i][j]) <= 1e-3 * Math.max(1, Math.abs(v))))
  );
  await assertRejects(() => loadCheckpoint(out), CheckpointError, "weights-only export");
  // A damaged export is refused like a damaged checkpoint.
  await Deno.writeFile(join(out, "discriminator", "weights.bin"), new Uint8Array(8));
  await assertRejects(() => loadModels(out), CheckpointError, "expected");
  models.generator.dispose();
  models.discriminator?.dispose();
  disposeState(state);
});

Deno.test("exportWeights() stores 8-bit weights within half a step, and a generator alone", async () => {
  const { dir, state } = await trainedCheckpoint(2);
  const out = join(await Deno.makeTempDir(), "export");
  await exportWeights(dir, out, { generator: "uint8", discriminator: "none" });
  const full = await Deno.stat(join(dir, "generator", "weights.bin"));
  const bytes = await Deno.stat(join(out, "generator", "weights.bin"));
  assertEquals(bytes.size * 4, full.size);
  assertEquals(await exists(join(out, "discriminator")), false);
  const models = await loadModels(out);
  assertEquals(models.discriminator, null);
  const before = state.generator.weights.map((w) => Array.from(w.read().dataSync()));
  const after = models.generator.weights.map((w) => Array.from(w.read().dataSync()));
  before.forEach((values, i) => {
    const range = Math.max(...values) - Math.min(...values);
    values.forEach((v, j) => assert(Math.abs(v - after[i][j]) <= range / 510 + 1e-6));
  });
  // An 8-bit entry without its scale is refused, naming the file (its
  // digest updated, so the weight check itself is what refuses it).
  const json = join(out, "generator", "model.json");
  const parsed = JSON.parse(await Deno.readTextFile(json));
  delete parsed.weightsManifest[0].weights[0].quantization.scale;
  const edited = new TextEncoder().encode(JSON.stringify(parsed));
  await Deno.writeFile(json, edited);
  const statePath = join(out, "state.json");
  const meta = JSON.parse(await Deno.readTextFile(statePath));
  meta.files["generator/model.json"] = { bytes: edited.length, sha256: await sha256Hex(edited) };
  await Deno.writeTextFile(statePath, JSON.stringify(meta));
  await assertRejects(
    () => loadModels(out),
    CheckpointError,
    `${json}: expected float32, float16 or uint8`,
  );
  models.generator.dispose();
  disposeState(state);
});

Deno.test("toUint8() maps min to 0 and max to 255, and a constant weight exactly", () => {
  const out = new Uint8Array(3);
  const { min, scale } = toUint8(new Float32Array([-1, 0.5, 2]), out);
  assertEquals([min, out[0], out[2]], [-1, 0, 255]);
  assert(Math.abs(out[1] * scale + min - 0.5) <= scale / 2);
  const flat = toUint8(new Float32Array([0.25, 0.25]), out);
  assertEquals([flat.min, flat.scale, out[0], out[1]], [0.25, 1, 0, 0]);
  assertThrows(() => toUint8(new Float32Array([NaN]), out), RangeError, "finite");
});
