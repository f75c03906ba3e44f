/**
 * One preset over several seeds, as a distribution: a row per seed, then the
 * mean, median, standard deviation and range of each measure, and a table of
 * Q's accuracy per digit that shows which digits the weak seeds lose. A
 * single GAN run says little about a recipe (ClusterGAN's README gives
 * 0.91 ± 0.04 over 10 runs), so `deno task seeds` reports this instead.
 *
 * @module
 */
import { codeRoles } from "./code_sweeps.ts";
import type { Evaluation } from "./evaluate.ts";

/** One seed's files: its evaluation and the first step L_I reached 95% of H(c). */
export interface SeedRecord {
  /** Where it was read from. */
  name: string;
  seed: number;
  evaluation: Evaluation;
  li95Step: number | null;
}

/** Summary statistics of one measure over seeds. */
export interface Spread {
  mean: number;
  median: number;
  /** Sample standard deviation (n − 1); 0 for one seed. */
  sd: number;
  min: number;
  max: number;
}

/** The spread of `xs` (at least one value). */
export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new RangeError("spread: expected at least one value, found none");
  const sorted = [...xs].sort((a, b) => a - b);
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const mid = n >> 1;
  const median = n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const sd = n > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, median, sd, min: sorted[0], max: sorted[n - 1] };
}

/**
 * A column of the seed table: its header, its value per seed and its format;
 * `perSeed` columns get no statistics (a signed ρ of c1 means slant on one
 * seed and width on another).
 */
interface Column {
  header: string;
  value: (r: SeedRecord) => number | null;
  format: (x: number) => string;
  perSeed?: boolean;
}

/**
 * The codes read as a pair, whichever plays which part (`codeRoles`): the
 * slant code's |ρ|, the width code's |ρ| and the larger cross term.
 */
export function pairedCodes(
  codes: Evaluation["codes"],
): { slant: number; width: number; cross: number } {
  const { slant, width } = codeRoles(codes);
  const other = (code: 1 | 2) => (code === 1 ? codes.code1 : codes.code2);
  return {
    slant: Math.abs(slant.rho),
    width: Math.abs(width.rho),
    cross: Math.max(Math.abs(other(slant.code).width), Math.abs(other(width.code).slant)),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const points = (x: number) => `${(100 * x).toFixed(1)}`;
const rho = (x: number) => x.toFixed(2).replace("-", "−");

const COLUMNS: Column[] = [
  { header: "Q test (moving)", value: (r) => r.evaluation.qTest?.accuracy ?? null, format: pct },
  {
    header: "Q test (batch)",
    value: (r) => r.evaluation.qTest?.batchStatsAccuracy ?? null,
    format: pct,
  },
  {
    header: "Q, 10 labels per digit",
    value: (r) => r.evaluation.qTest?.fewLabels?.mean ?? null,
    format: pct,
  },
  { header: "G label acc", value: (r) => r.evaluation.generated.accuracy, format: pct },
  { header: "c1 slant", value: (r) => r.evaluation.codes.code1.slant, format: rho, perSeed: true },
  { header: "c1 width", value: (r) => r.evaluation.codes.code1.width, format: rho, perSeed: true },
  { header: "c2 slant", value: (r) => r.evaluation.codes.code2.slant, format: rho, perSeed: true },
  { header: "c2 width", value: (r) => r.evaluation.codes.code2.width, format: rho, perSeed: true },
  {
    header: "slant code \\|ρ\\|",
    value: (r) => pairedCodes(r.evaluation.codes).slant,
    format: rho,
  },
  {
    header: "width code \\|ρ\\|",
    value: (r) => pairedCodes(r.evaluation.codes).width,
    format: rho,
  },
  { header: "cross \\|ρ\\|", value: (r) => pairedCodes(r.evaluation.codes).cross, format: rho },
  { header: "L_I ≥ 95% H(c) at step", value: (r) => r.li95Step, format: (x) => x.toFixed(0) },
];

/**
 * The first column: the seed, or the seed and the evaluated step when the
 * records were evaluated at different steps (one run's checkpoints).
 */
function rowLabels(
  records: readonly SeedRecord[],
): { header: string; labels: string[]; byStep: boolean } {
  const byStep = new Set(records.map((r) => r.evaluation.step)).size > 1;
  if (!byStep) return { header: "Seed", labels: records.map((r) => String(r.seed)), byStep };
  return {
    header: "Seed, step",
    labels: records.map((r) => `${r.seed}, ${r.evaluation.step.toLocaleString("en-US")}`),
    byStep,
  };
}

function markdown(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/**
 * The seed table as Markdown: one row per seed, then mean, median, sd and
 * range over the seeds that have each measure ("—" where one lacks it). Rows
 * evaluated at different steps (one run's checkpoints) get no statistics.
 */
export function formatSeedTable(records: readonly SeedRecord[]): string {
  const { header, labels, byStep } = rowLabels(records);
  const rows = records.map((r, i) => [
    labels[i],
    ...COLUMNS.map((c) => {
      const v = c.value(r);
      return v === null ? "—" : c.format(v);
    }),
  ]);
  const stats = COLUMNS.map((c) => {
    const xs = records.map(c.value).filter((v): v is number => v !== null);
    return xs.length && !c.perSeed ? spread(xs) : null;
  });
  const statRow = (
    label: string,
    pick: (s: Spread, c: Column) => string,
  ) => [label, ...stats.map((s, i) => (s ? pick(s, COLUMNS[i]) : "—"))];
  const isPercent = (c: Column) => c.format === pct;
  // Checkpoints of one run along training are not a sample: no statistics over them.
  if (byStep) return markdown([header, ...COLUMNS.map((c) => c.header)], rows);
  return markdown([header, ...COLUMNS.map((c) => c.header)], [
    ...rows,
    statRow("mean", (s, c) => c.format(s.mean)),
    statRow("median", (s, c) => c.format(s.median)),
    statRow("sd", (s, c) => (isPercent(c) ? `${points(s.sd)} pt` : c.format(s.sd))),
    statRow("min–max", (s, c) => `${c.format(s.min)}–${c.format(s.max)}`),
  ]);
}

/**
 * Q's accuracy per digit on MNIST test, one row per seed, with the two
 * digits each seed's weakest categories confuse most: the row that shows
 * whether the 4/9 merge is what sinks a seed.
 */
export function formatPerDigitTable(records: readonly SeedRecord[]): string {
  const withDigits = records.filter((r) => r.evaluation.qTest?.perDigit);
  const k = withDigits[0]?.evaluation.qTest?.perDigit?.length ?? 10;
  const { header, labels } = rowLabels(withDigits);
  const rows = withDigits.map((r, i) => {
    const q = r.evaluation.qTest!;
    return [
      labels[i],
      ...q.perDigit!.map(pct),
      q.confusion ? worstConfusion(q.confusion, q.mapping) : "—",
    ];
  });
  return markdown(
    [header, ...Array.from({ length: k }, (_, d) => String(d)), "Most test images misnamed"],
    rows,
  );
}

/**
 * The largest off-mapping cell of `confusion[category][digit]`: "N of digit
 * d fall in the category named e".
 */
export function worstConfusion(
  confusion: readonly (readonly number[])[],
  mapping: readonly number[],
): string {
  let best = { n: -1, digit: 0, named: 0 };
  confusion.forEach((row, category) =>
    row.forEach((n, digit) => {
      if (mapping[category] !== digit && n > best.n) best = { n, digit, named: mapping[category] };
    })
  );
  return `${best.n} ${best.digit}s named ${best.named}`;
}
