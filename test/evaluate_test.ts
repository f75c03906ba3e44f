import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { initBackend } from "../lib/backends/select.ts";
import { buildClassifier } from "../lib/eval/classifier.ts";
import { codeRoles } from "../lib/eval/code_sweeps.ts";
import { coverageRecorder } from "../lib/eval/generated.ts";
import { evaluate, type Evaluation } from "../lib/eval/evaluate.ts";
import { formatEvaluation, summarizeMetrics } from "../lib/eval/report.ts";
import { evaluateCheckpoint } from "../lib/eval/evaluate_checkpoint.ts";
import { PROJECT_ROOT } from "../lib/io/fs.ts";
import { join } from "node:path";
import { Random } from "../lib/infogan/random.ts";
import { createState, disposeState } from "../lib/infogan/state.ts";
import { type Metrics } from "../lib/infogan/loop.ts";
import { smallMnist, tinyConfig } from "./helpers.ts";

// The backend a user's `deno task evaluate` gets (native when built).
await initBackend("auto");

const OPTIONS = { perCategory: 3, sweeps: 4, sweepPoints: 5, miSamples: 40 };

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
    // The mean of the per-category accuracies is the overall one (equal counts).
    const mean = a.generated.perCategory.reduce((s, x) => s + x, 0) / 10;
    assert(Math.abs(mean - a.generated.accuracy) < 1e-12);
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
