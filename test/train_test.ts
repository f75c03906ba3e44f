import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import {
  createState,
  disposeState,
  trainableVariables,
  type TrainState,
} from "../lib/infogan/state.ts";
import {
  discriminatorStep,
  drawDiscriminatorInputs,
  generatorStep,
  METRIC_NAMES,
  readStepMetrics,
  trainStep,
} from "../lib/infogan/step.ts";
import { drawLatent } from "../lib/infogan/latent.ts";
import { train } from "../lib/infogan/loop.ts";
import { discriminate } from "../lib/infogan/discriminator.ts";
import { consistencyLoss } from "../lib/infogan/losses.ts";
import { smallMnist, tinyConfig } from "./helpers.ts";
import { realSampler } from "../lib/data/mnist.ts";

await initBackend("wasm");
const data = await smallMnist();

const snapshot = (vars: tf.Tensor[]) => vars.map((v) => v.dataSync().slice() as Float32Array);
const same = (a: Float32Array[], b: Float32Array[]) =>
  a.length === b.length && a.every((x, i) => x.every((v, j) => v === b[i][j]));

Deno.test("createState() is seeded: equal seeds give equal weights, other seeds differ", () => {
  const a = createState(tinyConfig({ seed: 5 }));
  const b = createState(tinyConfig({ seed: 5 }));
  const c = createState(tinyConfig({ seed: 6 }));
  assert(
    same(snapshot(trainableVariables(a.generator)), snapshot(trainableVariables(b.generator))),
  );
  assert(
    !same(snapshot(trainableVariables(a.generator)), snapshot(trainableVariables(c.generator))),
  );
  [a, b, c].forEach(disposeState);
});

Deno.test("trainStep() is seeded: the same seed and config give the same first losses", async () => {
  const losses = async (seed: number) => {
    const s = createState(tinyConfig({ seed }));
    const out: Record<string, number>[] = [];
    for (let i = 0; i < 3; i++) out.push(await readStepMetrics(trainStep(s, realSampler(data))));
    disposeState(s);
    return out;
  };
  const first = await losses(1);
  assertEquals(Object.keys(first[0]), [...METRIC_NAMES]);
  assertEquals(await losses(1), first);
  assertNotEquals(losses(2), first);
});

Deno.test("discriminatorStep() updates only D (and Q); generatorStep() only G", () => {
  const s = createState(tinyConfig());
  const g0 = snapshot(trainableVariables(s.generator));
  const d0 = snapshot(trainableVariables(s.discriminator));
  tf.dispose(discriminatorStep(s, drawDiscriminatorInputs(s, realSampler(data))));
  assert(same(snapshot(trainableVariables(s.generator)), g0), "D step changed G");
  const d1 = snapshot(trainableVariables(s.discriminator));
  assert(!same(d1, d0), "D step left D unchanged");
  tf.dispose(generatorStep(s, drawLatent(s.rng, s.config, { n: 4 })));
  assert(same(snapshot(trainableVariables(s.discriminator)), d1), "G step changed D");
  assert(!same(snapshot(trainableVariables(s.generator)), g0), "G step left G unchanged");
  disposeState(s);
});

/** Runs one G step after randomising Q's head weights; returns G's weights. */
function gAfterStepWithPerturbedQ(lambda: number, perturb: boolean): Float32Array[] {
  const s: TrainState = createState(tinyConfig({ lambda }));
  if (perturb) {
    for (const w of s.discriminator.weights) {
      if (/^(q_hidden|label_logits|code[12])\//.test(w.originalName)) {
        const v = w.read() as tf.Variable;
        v.assign(tf.tidy(() => tf.add(v, tf.randomUniform(v.shape, -1, 1, "float32", 7))));
      }
    }
  }
  tf.dispose(generatorStep(s, drawLatent(s.rng, s.config, { n: 4 })));
  const out = snapshot(trainableVariables(s.generator));
  disposeState(s);
  return out;
}

Deno.test("generatorStep() with λ = 0 lets no gradient from Q reach G", () => {
  assert(same(gAfterStepWithPerturbedQ(0, false), gAfterStepWithPerturbedQ(0, true)));
  assert(!same(gAfterStepWithPerturbedQ(1, false), gAfterStepWithPerturbedQ(1, true)));
});

Deno.test("discriminatorStep() with λ = 0 still trains the Q heads", () => {
  const s = createState(tinyConfig({ lambda: 0 }));
  const q = s.discriminator.weights.filter((w) => w.originalName.startsWith("label_logits/"));
  const before = snapshot(q.map((w) => w.read()));
  tf.dispose(discriminatorStep(s, drawDiscriminatorInputs(s, realSampler(data))));
  assert(!same(snapshot(q.map((w) => w.read())), before));
  disposeState(s);
});

Deno.test("train() leaks no tensors: numTensors is equal after step 10 and step 100", async () => {
  const s = createState(tinyConfig({ steps: 100, logEvery: 7, sampleEvery: 1000 }));
  const counts = new Map<number, number>();
  await train(s, realSampler(data), {
    onProgress: (p) => {
      if (p.step === 10 || p.step === 100) counts.set(p.step, tf.memory().numTensors);
    },
  });
  assertEquals(counts.size, 2);
  assertEquals(counts.get(100), counts.get(10));
  disposeState(s);
});

Deno.test("train() reports metrics with every loss term, finite, on log steps", async () => {
  const s = createState(tinyConfig({ steps: 4, logEvery: 2 }));
  const steps: number[] = [];
  let samples = 0;
  let checkpoints = 0;
  await train(s, realSampler(data), {
    onMetrics: (m) => {
      steps.push(m.step);
      for (const name of METRIC_NAMES) assert(Number.isFinite(m[name]), name);
      assert(m.d_acc >= 0 && m.d_acc <= 1);
      assert(m.d_real > 0 && m.d_real < 1 && m.d_fake > 0 && m.d_fake < 1);
      assert(Math.abs(m.li - (Math.log(10) - m.g_label)) < 1e-9);
    },
    onSample: () => void samples++,
    onCheckpoint: () => void checkpoints++,
  });
  assertEquals(steps, [2, 4]);
  assertEquals([samples, checkpoints], [1, 1]); // step 0 sample; final checkpoint
  disposeState(s);
});

Deno.test("train() stops on a non-finite loss, naming the step and the term", async () => {
  const s = createState(tinyConfig({ steps: 50, logEvery: 5, checkpointEvery: 3 }));
  // Poison one generator weight: its fakes, and so D's losses, become NaN.
  const bias = s.generator.weights.find((w) => w.originalName === "g_dense/bias");
  (bias?.read() as tf.Variable).assign(tf.fill(bias?.shape as number[], NaN));
  let checkpoints = 0;
  let error: Error | undefined;
  try {
    await train(s, realSampler(data), { onCheckpoint: () => void checkpoints++ });
  } catch (e) {
    error = e as Error;
  }
  if (!error) throw new Error("expected training to stop on NaN");
  assertEquals(error.name, "NonFiniteLossError");
  assert(/^step 3: loss term d_loss is NaN/.test(error.message), error.message);
  assertEquals(checkpoints, 0);
  disposeState(s);
});

Deno.test("unsupervised D step: real labels change nothing, and Q still learns from the fakes", () => {
  const config = tinyConfig({
    architecture: "paper",
    supervisedLabels: false,
    fakeBatchStats: true,
  });
  const dAfter = (relabel: boolean) => {
    const s = createState(config);
    const inputs = drawDiscriminatorInputs(s, realSampler(data));
    if (relabel) inputs.labels = inputs.labels.map((l) => (l + 3) % 10);
    const q = s.discriminator.weights.filter((w) => w.originalName.startsWith("label_logits/"));
    const before = snapshot(q.map((w) => w.read()));
    tf.dispose(discriminatorStep(s, inputs));
    assert(!same(snapshot(q.map((w) => w.read())), before), "Q's label head did not learn");
    const out = snapshot(trainableVariables(s.discriminator));
    disposeState(s);
    return out;
  };
  assert(same(dAfter(false), dAfter(true)));
});

Deno.test("the authors' settings build and train: learned σ heads, N(0, 0.02), BN ε and slope", async () => {
  const config = tinyConfig({
    preset: "paper",
    batchSize: 4,
    width: 0.125,
    steps: 2,
    learnedStd: true,
    dBce: "sum",
    init: "normal",
    bnEpsilon: 1e-5,
    bnMomentum: 0.9,
    leakySlope: 0.01,
  });
  const s = createState(config);
  assertEquals(s.discriminator.outputNames.slice(4), ["code1_logstd", "code2_logstd"]);
  assertEquals(s.dLogits.outputs.length, 6);
  const layer = (m: tf.LayersModel, name: string) => m.getLayer(name).getConfig();
  assertEquals(layer(s.discriminator, "d_lrelu1").alpha, 0.01);
  assertEquals(layer(s.generator, "g_bn1").epsilon, 1e-5);
  assertEquals(layer(s.generator, "g_bn1").momentum, 0.9);
  // The log σ heads are D's variables, so the D step trains them.
  const head = () => s.discriminator.getLayer("code1_logstd").getWeights()[0].dataSync().slice();
  const before = head();
  const lines: number[] = [];
  await train(s, realSampler(data), { onMetrics: (m) => void lines.push(m.d_bce, m.d_code1) });
  assert(lines.every(Number.isFinite));
  assert(before.some((v, i) => v !== head()[i]));
  disposeState(s);
});

Deno.test("dBce 'sum' doubles D's real/fake term and leaves the info terms alone", async () => {
  const first = async (dBce: "mean" | "sum") => {
    const s = createState(tinyConfig({ dBce }));
    const v = await readStepMetrics(
      discriminatorStep(s, drawDiscriminatorInputs(s, realSampler(data))),
    );
    disposeState(s);
    return v;
  };
  const [mean, sum] = [await first("mean"), await first("sum")];
  assert(Math.abs(sum.d_bce - 2 * mean.d_bce) < 1e-5);
  for (const term of ["d_label", "d_code1", "d_code2", "d_acc", "d_real", "d_fake"] as const) {
    assertEquals(sum[term], mean[term], term);
  }
  assert(Math.abs(sum.d_loss - mean.d_loss - mean.d_bce) < 1e-5);
});

Deno.test("the paper networks train: finite losses, G and D both move", async () => {
  const s = createState(tinyConfig({ preset: "paper", batchSize: 4, width: 0.125, steps: 3 }));
  const g0 = snapshot(trainableVariables(s.generator));
  const lines: number[] = [];
  await train(s, realSampler(data), { onMetrics: (m) => void lines.push(m.g_loss) });
  assertEquals(lines.length, 3);
  assert(lines.every(Number.isFinite));
  assert(!same(snapshot(trainableVariables(s.generator)), g0));
  disposeState(s);
});

Deno.test("the consistency term: off draws as before; on, D's loss adds weight · d_consistency", async () => {
  const inputs = (consistencyWeight: number) => {
    const s = createState(tinyConfig({ consistencyWeight, architecture: "paper" }));
    const d = drawDiscriminatorInputs(s, realSampler(data));
    return { s, d };
  };
  const off = inputs(0);
  const on = inputs(0.5);
  // The shifted copies are drawn after everything else, only when the term is on.
  assertEquals(off.d.views, undefined);
  const { views, ...rest } = on.d;
  assertEquals(rest, off.d);
  assertEquals(views?.length, 2);
  assertNotEquals(views![0], on.d.images);
  const v = await readStepMetrics(discriminatorStep(on.s, on.d));
  const w = await readStepMetrics(discriminatorStep(off.s, off.d));
  assertEquals(w.d_consistency, 0);
  // −I lies in [−ln k, 0]; an untrained Q is far from confident agreement.
  assert(v.d_consistency <= 1e-6 && v.d_consistency > -Math.log(10), `${v.d_consistency}`);
  const c = on.s.config;
  const info = c.labelWeight * v.d_label + c.codeWeight * (v.d_code1 + v.d_code2);
  assert(
    Math.abs(v.d_loss - (c.bceWeight * v.d_bce + info + 0.5 * v.d_consistency)) < 1e-5,
    JSON.stringify(v),
  );
  disposeState(on.s);
  disposeState(off.s);
});

Deno.test("the consistency term with one view pairs each real image's categories with its copy's", async () => {
  const s = createState(
    tinyConfig({ consistencyWeight: 0.5, consistencyViews: 1, architecture: "paper" }),
  );
  const d = drawDiscriminatorInputs(s, realSampler(data));
  assertEquals(d.views?.length, 1);
  assertNotEquals(d.views![0], d.images);
  // With the image itself as its copy, the term compares D's categories of
  // the reals with themselves: −I(a; a), which consistencyLoss() (tested by
  // hand in losses_test.ts) gives for the same logits, before the update.
  const b = d.labels.length;
  const same = { ...d, views: [d.images] };
  const expected = tf.tidy(() => {
    const real = tf.tensor4d(d.images, [b, 28, 28, 1]);
    const q = discriminate(s.dLogits, real, { training: true }).q.labelLogits as tf.Tensor2D;
    return consistencyLoss(q, q).arraySync() as number;
  });
  const v = await readStepMetrics(discriminatorStep(s, same));
  assert(Math.abs(v.d_consistency - expected) < 1e-5, `${v.d_consistency} against ${expected}`);
  assert(expected < 0, `${expected}`);
  disposeState(s);
});
