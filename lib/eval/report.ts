/**
 * Evaluations and metrics as text: the table `deno task evaluate` prints,
 * a side-by-side comparison, and what a run's metrics say about L_I.
 *
 * @module
 */
import { basename } from "node:path";
import { categoricalEntropy } from "../infogan/losses.ts";
import type { Metrics } from "../infogan/loop.ts";
import type { Evaluation } from "./evaluate.ts";

/** What a run's `metrics.jsonl` says about L_I over training. */
export interface MetricsSummary {
  /** Steps logged and the last step. */
  lines: number;
  lastStep: number;
  /** The first logged step with L_I ≥ 95% of H(c), or null. */
  li95Step: number | null;
  /** L_I at every logged step, for plotting against H(c). */
  li: { step: number; li: number }[];
  /** The last logged metrics line. */
  last: Metrics | null;
}

/** Summarises metrics lines (as `readMetrics` returns them). */
export function summarizeMetrics(metrics: Metrics[], numLabels: number): MetricsSummary {
  const target = 0.95 * categoricalEntropy(numLabels);
  const hit = metrics.find((m) => m.li >= target);
  return {
    lines: metrics.length,
    lastStep: metrics.at(-1)?.step ?? 0,
    li95Step: hit ? hit.step : null,
    li: metrics.map((m) => ({ step: m.step, li: m.li })),
    last: metrics.at(-1) ?? null,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const rho = (x: number) => (Number.isFinite(x) ? (x >= 0 ? " " : "") + x.toFixed(2) : "  n/a");

/** `cells` five to a line, the first line after `label`, the rest under it. */
function rowsOfFive(label: string, cells: readonly string[]): string[] {
  const lines = [];
  for (let i = 0; i < cells.length; i += 5) {
    lines.push((i === 0 ? label : " ".repeat(label.length)) + cells.slice(i, i + 5).join("  "));
  }
  return lines;
}

/** Width of the per-category and per-class labels, so their cells line up. */
const LABEL = "  per category (category→digit): ".length;

/** The rule that named an evaluation's categories, in words: "Hungarian" or "majority naming". */
export function namingName(qTest: Evaluation["qTest"]): string {
  return qTest?.naming === "majority" ? "majority naming" : "Hungarian";
}

/** The evaluation as an aligned text table. */
export function formatEvaluation(e: Evaluation, options: { title?: string } = {}): string {
  // MNIST's words, or the dataset's folder and neutral ones.
  const [set, items, cls] = e.data
    ? [basename(e.data), "images", "class"]
    : ["MNIST", "digits", "digit"];
  const rows: [string, string][] = [
    [
      `label code: generated ${items} (classifier, ${e.generated.mappingFrom} mapping)`,
      pct(e.generated.accuracy),
    ],
    [
      `label code: Q's category on ${set} test images (${namingName(e.qTest)})`,
      e.qTest ? pct(e.qTest.accuracy) : "— (no discriminator shipped)",
    ],
    ...(e.qTest?.batchStatsAccuracy === undefined ? [] : [[
      "  the same, BatchNorm with batch statistics (batches of 500)",
      pct(e.qTest.batchStatsAccuracy),
    ] as [string, string]]),
    ...(e.qTest?.fewLabels === undefined ? [] : [[
      `  named from ${e.qTest.fewLabels.perClass} labelled images per ${cls} (${e.qTest.fewLabels.draws} draws)`,
      `${pct(e.qTest.fewLabels.mean)} (${pct(e.qTest.fewLabels.min)}–${
        pct(e.qTest.fewLabels.max)
      })`,
    ] as [string, string]]),
    [`classifier's own ${set} test accuracy`, pct(e.classifierAccuracy)],
    e.mi
      ? [
        `L_I on ${e.mi.samples} fresh samples, of H(c) = ${e.mi.entropy.toFixed(3)}`,
        `${e.mi.li.toFixed(3)} (${pct(e.mi.fraction)})`,
      ]
      : ["L_I", "— (needs Q, in the discriminator)"],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const perCategory = e.generated.perCategory
    .map((a, i) => `${i}→${e.generated.mapping[i]} ${pct(a)}`);
  const perDigit = (e.qTest?.perDigit ?? []).map((a, d) => `${d} ${pct(a)}`);
  const title = options.title ??
    `${e.preset} (${e.architecture} networks, ${e.continuousLoss} code loss), step ${e.step}`;
  return [
    title,
    "",
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    ...rowsOfFive(`  per category (category→${cls}): `.padEnd(LABEL), perCategory),
    ...rowsOfFive(
      `  Q per ${cls} on ${e.data ? "test images" : "MNIST test"}:`.padEnd(LABEL),
      perDigit,
    ),
    "",
    `  Spearman ρ, code vs measure (mean over ${e.codes.sweeps} sweeps of ${e.codes.values.length} values, ${
      e.codes.values[0]
    }..${e.codes.values.at(-1)})`,
    "           slant   width",
    `    c1     ${rho(e.codes.code1.slant)}   ${rho(e.codes.code1.width)}`,
    `    c2     ${rho(e.codes.code2.slant)}   ${rho(e.codes.code2.width)}`,
  ].join("\n");
}

/** One row of {@linkcode formatComparison}: a model's name and evaluation. */
export interface NamedEvaluation {
  name: string;
  evaluation: Evaluation;
}

/** Several evaluations side by side, one row per model. */
export function formatComparison(rows: readonly NamedEvaluation[]): string {
  const header = [
    "model",
    "step",
    "G label acc",
    "Q test acc",
    "c1 slant",
    "c1 width",
    "c2 slant",
    "c2 width",
    "L_I/H(c)",
  ];
  const body = rows.map(({ name, evaluation: e }) => [
    name,
    String(e.step),
    pct(e.generated.accuracy),
    e.qTest ? pct(e.qTest.accuracy) : "—",
    rho(e.codes.code1.slant).trim(),
    rho(e.codes.code1.width).trim(),
    rho(e.codes.code2.slant).trim(),
    rho(e.codes.code2.width).trim(),
    e.mi ? pct(e.mi.fraction) : "—",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
