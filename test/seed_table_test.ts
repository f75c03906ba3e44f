import { assertAlmostEquals, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  formatPerDigitTable,
  formatSeedTable,
  pairedCodes,
  type SeedRecord,
  spread,
  worstConfusion,
} from "../lib/eval/seed_table.ts";
import type { Evaluation } from "../lib/eval/evaluate.ts";

Deno.test("spread() gives mean, median, sample sd and range, computed by hand", () => {
  // mean 3; squared deviations 4+1+1+0+4 → 10; sd √(10/4).
  const s = spread([5, 1, 2, 4, 3]);
  assertEquals([s.mean, s.median, s.min, s.max], [3, 3, 1, 5]);
  assertAlmostEquals(s.sd, Math.sqrt(2.5), 1e-12);
  assertEquals(spread([9, 8]).median, 8.5);
  assertEquals(spread([7]).sd, 0);
  assertThrows(() => spread([]), RangeError, "at least one value");
});

const rhos = (c1: [number, number], c2: [number, number]) => ({
  code1: { slant: c1[0], width: c1[1] },
  code2: { slant: c2[0], width: c2[1] },
  sweeps: 1,
  values: [-2, 2],
});

Deno.test("pairedCodes() reads |ρ| of the slant code, the width code and the larger cross term", () => {
  // c2 slants (0.9) and c1 widens (−0.7): the swapped reading; cross = max(|0.3|, |−0.1|).
  assertEquals(pairedCodes(rhos([-0.1, -0.7], [0.9, 0.3])), { slant: 0.9, width: 0.7, cross: 0.3 });
  assertEquals(pairedCodes(rhos([-0.8, 0.2], [0.1, 0.6])), { slant: 0.8, width: 0.6, cross: 0.2 });
});

Deno.test("worstConfusion() names the largest cell off the mapping", () => {
  // Category 0 is named 4 but holds 30 nines; category 1 is named 9.
  assertEquals(
    worstConfusion([[0, 0, 50, 30], [0, 0, 5, 40], [9, 0, 0, 0], [0, 9, 0, 0]], [
      2,
      3,
      0,
      1,
    ]),
    "30 3s named 2",
  );
});

function record(seed: number, q: number, perDigit: number[]): SeedRecord {
  const evaluation = {
    step: 5000,
    preset: "paper",
    architecture: "paper",
    continuousLoss: "gaussian",
    supervisedLabels: false,
    qTest: {
      accuracy: q,
      mapping: [0, 1],
      batchStatsAccuracy: q,
      perDigit,
      confusion: [[90, 20], [10, 80]],
    },
    generated: { accuracy: q, mapping: [0, 1], mappingFrom: "q-test", perCategory: [], samples: 0 },
    classifierAccuracy: 0.99,
    codes: rhos([0.5, -0.2], [0.1, 0.7]),
    mi: null,
  } as Evaluation;
  return { name: `s${seed}`, seed, evaluation, li95Step: 100 * (seed + 1) };
}

Deno.test("formatSeedTable() has a row per seed and the statistics over them", () => {
  const table = formatSeedTable([record(0, 0.8, [0.9, 0.8]), record(1, 0.9, [0.9, 0.8])]);
  const lines = table.split("\n");
  assertEquals(lines.length, 2 + 2 + 4);
  assertStringIncludes(lines[2], "| 0 | 80.0% | 80.0% | — | 80.0% | 0.50 | −0.20 |");
  assertStringIncludes(lines[4], "| mean | 85.0% |");
  assertStringIncludes(lines[6], "| sd | 7.1 pt |");
  assertStringIncludes(lines[7], "| min–max | 80.0%–90.0% |");
  // The signed ρ columns get no statistics; the role columns and L_I's step do.
  assertStringIncludes(lines[4], "| — | — | — | — | 0.50 | 0.70 | 0.20 | 150 |");
});

Deno.test("one run's checkpoints make rows labelled by seed and step", () => {
  const early = record(0, 0.8, [0.9, 0.7]);
  early.evaluation = { ...early.evaluation, step: 2500 };
  const records = [early, record(0, 0.9, [0.9, 0.8])];
  const table = formatSeedTable(records).split("\n");
  assertStringIncludes(table[0], "| Seed, step | Q test (moving) |");
  assertStringIncludes(table[2], "| 0, 2,500 | 80.0% |");
  assertStringIncludes(table[3], "| 0, 5,000 | 90.0% |");
  assertEquals(table.length, 4, "no mean, median, sd or range over one run's checkpoints");
  const digits = formatPerDigitTable(records);
  assertStringIncludes(digits, "| Seed, step | 0 | 1 | Most test images misnamed |");
  assertStringIncludes(digits, "| 0, 2,500 | 90.0% | 70.0% |");
});

Deno.test("formatPerDigitTable() gives each seed's accuracy per digit and its worst cell", () => {
  const table = formatPerDigitTable([record(3, 0.85, [0.9, 0.8])]);
  assertStringIncludes(table, "| Seed | 0 | 1 | Most test images misnamed |");
  assertStringIncludes(table, "| 3 | 90.0% | 80.0% | 20 1s named 0 |");
});
