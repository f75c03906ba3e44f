import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { type Dataset, loadDataset } from "../lib/data/mnist.ts";
import { loadClassifier } from "../lib/eval/classifier_files.ts";
import { initBackend } from "../lib/backends/select.ts";
import { buildClassifier } from "../lib/eval/classifier.ts";
import { codeRoles } from "../lib/eval/code_sweeps.ts";
import { accuracyRecorder, coverageRecorder } from "../lib/eval/generated.ts";
import { evaluate, type Evaluation } from "../lib/eval/evaluate.ts";
import { formatEvaluation, namingName, summarizeMetrics } from "../lib/eval/report.ts";
import { evaluateCheckpoint } from "../lib/eval/evaluate_checkpoint.ts";
import { PROJECT_ROOT } from "../lib/io/fs.ts";
import { join } from "node:path";
import { Random } from "../lib/infogan/random.ts";
import { createState, disposeState } from "../lib/infogan/state.ts";
import { type Metrics } from "../lib/infogan/loop.ts";
import { smallMnist, tinyConfig } from "./helpers.ts";

// The backend a user's `deno task evaluate` gets once `deno task setup` has built it.
await initBackend("tensorflow");

const OPTIONS = {
  perCategory: 3,
  sweeps: 4,
  sweepPoints: 5,
  miSamples: 40,
  fewLabelsPerDigit: 2,
  fewLabelDraws: 3,
};

Deno.test("evaluate() reports every measure in range and is deterministic for a seed", async () => {
  const test = await smallMnist();
  const classifier = buildClassifier(new Random(0));
  for (const supervisedLabels of [true, false]) {
    const state = createState(tinyConfig({ supervisedLabels }));
    const models = { ...state, step: 7 };
    const data = { test, classifier, classifierAccuracy: 0.99 };
    const a = await evaluate(models, data, OPTIONS);
    const b = await evaluate(models, data, OPTIONS);
    assertEquals(a, b);
    assertEquals(a.step, 7);
    assertEquals(a.generated.samples, 30);
    assertEquals(a.generated.perCategory.length, 10);
    if (!a.qTest || !a.mi) throw new Error("expected a Q side and L_I with D");
    assertEquals([...a.qTest.mapping].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assertEquals(a.generated.mappingFrom, supervisedLabels ? "identity" : "q-test");
    assertEquals(
      a.generated.mapping,
      supervisedLabels ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] : a.qTest.mapping,
    );
    for (const x of [a.qTest.accuracy, a.generated.accuracy, ...a.generated.perCategory]) {
      assert(x >= 0 && x <= 1, `${x}`);
    }
    // The confusion counts every test image once; its per-digit recall,
    // weighted by each digit's count, is the headline accuracy.
    const counts = a.qTest.confusion!;
    assertEquals(counts.flat().reduce((x, y) => x + y, 0), test.count);
    const perDigitCount = Array.from(
      { length: 10 },
      (_, d) => test.labels.filter((l) => l === d).length,
    );
    const weighted = a.qTest.perDigit!.reduce((sum, r, d) => sum + r * perDigitCount[d], 0);
    assertAlmostEquals(weighted / test.count, a.qTest.accuracy, 1e-9);
    const few = a.qTest.fewLabels!;
    assertEquals([few.perClass, few.draws], [2, 3]);
    assert(few.min <= few.mean && few.mean <= few.max && few.max <= 1, JSON.stringify(few));
    // An untrained Q is near chance: L_I is far below H(c) = ln 10.
    assertEquals(a.mi.entropy, Math.log(10));
    assert(a.mi.fraction < 0.5, `${a.mi.fraction}`);
    for (const c of [a.codes.code1, a.codes.code2]) {
      for (const r of [c.slant, c.width]) assert(Number.isNaN(r) || Math.abs(r) <= 1, `${r}`);
    }
    const table = formatEvaluation(a);
    assertStringIncludes(table, "Spearman");
    assertStringIncludes(table, supervisedLabels ? "identity mapping" : "q-test mapping");
    disposeState(state);
  }
  classifier.dispose();
});

/**
 * A generator that ignores z and the codes and draws `templates[d]` for label
 * d, and a discriminator whose Q head is (nearly) one-hot on the template an
 * image is: its label logits are 1000 × the cosine similarity to each template.
 */
function stubModels(templates: Float32Array[], latentSize: number) {
  const k = templates.length;
  const px = 28 * 28;
  const z = tf.input({ shape: [latentSize] });
  const label = tf.input({ shape: [k] });
  const c1 = tf.input({ shape: [1] });
  const c2 = tf.input({ shape: [1] });
  const draw = tf.layers.dense({ units: px, useBias: false, name: "draw" });
  const image = tf.layers.reshape({ targetShape: [28, 28, 1] }).apply(
    draw.apply(label) as tf.SymbolicTensor,
  ) as tf.SymbolicTensor;
  const generator = tf.model({ inputs: [z, label, c1, c2], outputs: image });
  const table = new Float32Array(k * px);
  templates.forEach((t, d) => table.set(t, d * px));
  draw.setWeights([tf.tensor2d(table, [k, px])]);

  const x = tf.input({ shape: [28, 28, 1] });
  const flat = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const head = (name: string, units: number) =>
    tf.layers.dense({ units, name, kernelInitializer: "zeros" }).apply(flat) as tf.SymbolicTensor;
  const realLogit = head("real_logit", 1);
  const labelLogits = tf.layers.dense({ units: k, useBias: false, name: "label_logits" });
  const logits = labelLogits.apply(flat) as tf.SymbolicTensor;
  const outputs = [
    tf.layers.activation({ activation: "sigmoid", name: "real" }).apply(realLogit),
    tf.layers.activation({ activation: "softmax", name: "label" }).apply(logits),
    head("code1", 1),
    head("code2", 1),
  ] as tf.SymbolicTensor[];
  const discriminator = tf.model({ inputs: x, outputs });
  const cosine = new Float32Array(px * k);
  templates.forEach((t, d) => {
    const norm = Math.hypot(...t);
    for (let p = 0; p < px; p++) cosine[p * k + d] = (1000 * t[p]) / norm;
  });
  labelLogits.setWeights([tf.tensor2d(cosine, [px, k])]);
  return { generator, discriminator };
}

/** The first test image of each digit in `digits`, in [0, 1]. */
function firstImages(test: Dataset, digits: number[]): Float32Array[] {
  const px = 28 * 28;
  return digits.map((d) => {
    const i = test.labels.indexOf(d);
    return Float32Array.from(test.images.subarray(i * px, (i + 1) * px), (v) => v / 255);
  });
}

Deno.test("evaluate() knows the answer: real test digits by label and a one-hot Q give accuracy 1 and L_I = ln 10", async () => {
  const test = await loadDataset({ split: "test" });
  // The first test image of each digit, as the generator's drawing of that label.
  const templates = firstImages(test, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const config = tinyConfig({ supervisedLabels: true });
  const { generator, discriminator } = stubModels(templates, config.latentSize);
  const { model: classifier, info } = await loadClassifier();
  try {
    const e = await evaluate(
      { generator, discriminator, config, step: 1 },
      { test, classifier, classifierAccuracy: info.testAccuracy },
      { perCategory: 20, sweeps: 4, sweepPoints: 5, miSamples: 200 },
    );
    assertEquals(e.generated.accuracy, 1);
    assertEquals(e.generated.perCategory, new Array(10).fill(1));
    if (!e.mi) throw new Error("expected L_I with a discriminator");
    assertAlmostEquals(e.mi.li, Math.log(10), 1e-6);
    assertAlmostEquals(e.mi.fraction, 1, 1e-6);
    // Codes that change nothing have no correlation to report.
    assert(Number.isNaN(e.codes.code1.slant) && Number.isNaN(e.codes.code2.width));
  } finally {
    generator.dispose();
    discriminator.dispose();
    classifier.dispose();
  }
});

Deno.test("evaluate() without D scores G alone: no Q side, no L_I, an unsupervised run under its own mapping", async () => {
  const test = await smallMnist();
  const classifier = buildClassifier(new Random(0));
  const state = createState(tinyConfig({ supervisedLabels: false }));
  const data = { test, classifier, classifierAccuracy: 0.99 };
  const a = await evaluate({ ...state, discriminator: null, step: 3 }, data, OPTIONS);
  assertEquals([a.qTest, a.mi], [null, null]);
  assertEquals(a.generated.mappingFrom, "generated");
  assertEquals([...a.generated.mapping].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assertStringIncludes(formatEvaluation(a), "no discriminator shipped");
  disposeState(state);
  classifier.dispose();
});

Deno.test("evaluate() without D names an unsupervised G's categories after the digits they draw", async () => {
  const test = await loadDataset({ split: "test" });
  // Category c draws the first test image of digit perm[c]: a 10-cycle, so
  // the mapping and its inverse differ.
  const perm = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0];
  const templates = firstImages(test, perm);
  const config = tinyConfig({ supervisedLabels: false });
  const { generator, discriminator } = stubModels(templates, config.latentSize);
  const { model: classifier, info } = await loadClassifier();
  try {
    const e = await evaluate(
      { generator, discriminator: null, config, step: 1 },
      { test, classifier, classifierAccuracy: info.testAccuracy },
      { perCategory: 10, sweeps: 2, sweepPoints: 3, miSamples: 20 },
    );
    assertEquals(e.generated.mappingFrom, "generated");
    assertEquals(e.generated.mapping, perm);
    assertEquals(e.generated.accuracy, 1);
  } finally {
    generator.dispose();
    discriminator.dispose();
    classifier.dispose();
  }
});

Deno.test("codeRoles() picks the slant and width codes by total |ρ| and signs them to grow", () => {
  // c2 leans the digit (falling slant), c1 thickens it: the crossed assignment wins.
  const roles = codeRoles({
    code1: { slant: 0.1, width: 0.7 },
    code2: { slant: -0.9, width: 0.2 },
  });
  assertEquals(roles.slant, { code: 2, rho: -0.9, sign: -1 });
  assertEquals(roles.width, { code: 1, rho: 0.7, sign: 1 });
  // Straight assignment; a tie in total |ρ| keeps c1 for slant.
  const straight = codeRoles({ code1: { slant: 0.5, width: 0 }, code2: { slant: 0, width: -0.5 } });
  assertEquals([straight.slant.code, straight.width.code, straight.width.sign], [1, 2, -1]);
  // An entangled model (both codes on slant) still gets two roles; its width ρ shows it.
  const entangled = codeRoles({
    code1: { slant: -1, width: -0.19 },
    code2: { slant: -1, width: 0.22 },
  });
  assertEquals([entangled.slant.code, entangled.width.code, entangled.width.rho], [1, 2, 0.22]);
});

Deno.test("summarizeMetrics() finds the first step with L_I ≥ 95% of ln 10", () => {
  const line = (step: number, li: number) => ({ step, li } as Metrics);
  const h = Math.log(10);
  const s = summarizeMetrics(
    [line(10, 0.5), line(20, 0.94 * h), line(30, 0.96 * h), line(40, h)],
    10,
  );
  assertEquals(s.li95Step, 30);
  assertEquals(s.lastStep, 40);
  assertEquals(s.li.length, 4);
  assertEquals(summarizeMetrics([line(10, 0.1)], 10).li95Step, null);
});

Deno.test("each shipped pretrained model's evaluation.json is what evaluate measures now", async () => {
  const root = join(PROJECT_ROOT, "data", "pretrained");
  const models = [...Deno.readDirSync(root)].filter((e) => e.isDirectory).map((e) => e.name);
  assert(models.includes("paper"), `expected data/pretrained/paper, found ${models}`);
  // A model's λ = 0 twin (a generator alone) is re-measured too.
  const names = [...models];
  for (const t of models.map((m) => join(m, "baseline"))) {
    try {
      if (Deno.statSync(join(root, t)).isDirectory) names.push(t);
    } catch {
      // no twin shipped with this model
    }
  }
  assert(names.includes(join("book", "baseline")), `expected book's λ = 0 twin, found ${names}`);
  for (const name of names) {
    const shipped: Evaluation = JSON.parse(
      await Deno.readTextFile(join(root, name, "evaluation.json")),
    );
    const now = await evaluateCheckpoint(join(root, name));
    const close = (a: number, b: number, tol: number, what: string) =>
      assert(Math.abs(a - b) <= tol, `${name} ${what}: shipped ${b}, measured ${a}`);
    assertEquals(now.step, shipped.step);
    const twin = name.endsWith("baseline");
    if (twin) {
      // A generator alone: no Q side, no L_I.
      assertEquals([now.qTest, now.mi, shipped.qTest, shipped.mi], [null, null, null, null]);
    } else {
      if (!now.qTest || !shipped.qTest) throw new Error(`${name}: expected a Q-side evaluation`);
      assertEquals(now.qTest.mapping, shipped.qTest.mapping);
      // Backends round differently, which can flip a few borderline images.
      close(now.qTest.accuracy, shipped.qTest.accuracy, 0.002, "Q test accuracy");
      close(
        now.qTest.batchStatsAccuracy ?? NaN,
        shipped.qTest.batchStatsAccuracy ?? NaN,
        0.002,
        "Q test accuracy with batch statistics",
      );
      close(now.mi?.fraction ?? NaN, shipped.mi?.fraction ?? NaN, 0.01, "L_I fraction");
      const digits = shipped.qTest.perDigit!;
      assertEquals(digits.length, 10, `${name}: expected Q's accuracy per digit`);
      digits.forEach((a, d) => close(now.qTest!.perDigit![d], a, 0.01, `Q accuracy on ${d}s`));
      close(now.qTest.fewLabels!.mean, shipped.qTest.fewLabels!.mean, 0.005, "few-label accuracy");
    }
    close(now.generated.accuracy, shipped.generated.accuracy, 0.01, "generated accuracy");
    for (const code of ["code1", "code2"] as const) {
      close(now.codes[code].slant, shipped.codes[code].slant, 0.05, `${code} slant ρ`);
      close(now.codes[code].width, shipped.codes[code].width, 0.05, `${code} width ρ`);
    }
  }
});

Deno.test("coverageRecorder() counts the classifier's verdicts on the same digits at each sample step", async () => {
  const classifier = buildClassifier(new Random(0));
  const state = createState(tinyConfig());
  const coverage = coverageRecorder(classifier, { perCategory: 3 });
  await coverage.onSample(state);
  state.step = 5;
  await coverage.onSample(state);
  assertEquals(coverage.history.map((h) => h.step), [0, 5]);
  for (const h of coverage.history) {
    assertEquals(h.counts.length, 10);
    assertEquals(h.counts.reduce((a, b) => a + b, 0), 30);
  }
  // Unchanged weights and the same latents: the same verdicts.
  assertEquals(coverage.history[0].counts, coverage.history[1].counts);
  disposeState(state);
  classifier.dispose();
});

Deno.test("accuracyRecorder() scores the label code at each sample step, Hungarian-mapped when unsupervised", async () => {
  const classifier = buildClassifier(new Random(0));
  for (const supervisedLabels of [false, true]) {
    const state = createState(tinyConfig({ supervisedLabels }));
    const recorder = accuracyRecorder(classifier, { perLabel: 4 });
    await recorder.onSample(state);
    state.step = 7;
    await recorder.onSample(state);
    assertEquals(recorder.history.map((h) => h.step), [0, 7]);
    for (const h of recorder.history) {
      assert(h.accuracy >= 0 && h.accuracy <= 1, `accuracy ${h.accuracy}`);
      // Every category named after a different digit: a one-to-one mapping.
      assertEquals([...h.mapping].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    if (supervisedLabels) assertEquals(recorder.history[0].mapping, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Unchanged weights and the same seeded latents: the same score both times.
    assertEquals(recorder.history[0], { ...recorder.history[1], step: 0 });
    disposeState(state);
  }
  classifier.dispose();
});

Deno.test("formatEvaluation() names MNIST's digits, or another dataset's folder and classes", async () => {
  const e = JSON.parse(
    await Deno.readTextFile(join(PROJECT_ROOT, "data", "pretrained", "paper", "evaluation.json")),
  ) as Evaluation;
  const mnist = formatEvaluation(e);
  assertStringIncludes(mnist, "label code: generated digits (classifier, q-test mapping)");
  assertStringIncludes(mnist, "Q's category on MNIST test images (Hungarian)");
  assertStringIncludes(mnist, "  Q per digit on MNIST test:     0 ");
  const other = formatEvaluation({ ...e, data: "/data/fashion" });
  assertStringIncludes(other, "label code: generated images (classifier, q-test mapping)");
  assertStringIncludes(other, "Q's category on fashion test images (Hungarian)");
  assertStringIncludes(other, "classifier's own fashion test accuracy");
  assertStringIncludes(other, "  per category (category→class): 0→");
  assertStringIncludes(other, "  Q per class on test images:    0 ");
  assert(!other.includes("digit"), other);
  // Categories named by majority (more or fewer than ten) say so.
  const majority = { ...e, qTest: { ...e.qTest!, naming: "majority" as const } };
  assertEquals([namingName(e.qTest), namingName(majority.qTest)], ["Hungarian", "majority naming"]);
  assertStringIncludes(
    formatEvaluation(majority),
    "Q's category on MNIST test images (majority naming)",
  );
});

Deno.test("everything in data/ stays under 60 MB in all, shipped weights included", () => {
  const sizeOf = (dir: string): number =>
    [...Deno.readDirSync(dir)].reduce((sum, e) => {
      const path = join(dir, e.name);
      return sum + (e.isDirectory ? sizeOf(path) : Deno.statSync(path).size);
    }, 0);
  const bytes = sizeOf(join(PROJECT_ROOT, "data"));
  assert(bytes > 10e6, `expected the shipped weights in data/, found ${bytes} bytes`);
  assert(bytes < 60e6, `data/ holds ${(bytes / 1e6).toFixed(1)} MB, over the 60 MB budget`);
});
