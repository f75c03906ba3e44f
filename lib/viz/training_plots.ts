/**
 * Plots of a run over training: loss curves, the MI lower bound against
 * H(c), any named curves, and mode coverage.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { categoricalEntropy } from "../infogan/losses.ts";
import { METRIC_NAMES } from "../infogan/step.ts";
import { type Metrics } from "../infogan/loop.ts";
import { type FrameOptions, type PlotElement, plotOf } from "./plot.ts";

/** A named run's metrics, as logged to `metrics.jsonl`. */
export interface RunMetrics {
  name: string;
  metrics: readonly Metrics[];
}

/** A metrics field that can be plotted against the step. */
export type MetricTerm = Exclude<keyof Metrics, "step">;

/** Every plottable term, in `metrics.jsonl` order. */
export const METRIC_TERMS: readonly MetricTerm[] = [
  ...METRIC_NAMES,
  "li",
  "lr_d",
  "lr_g",
  "elapsed",
];

/** Options for {@linkcode lossCurves}. */
export interface LossCurvesOptions extends FrameOptions {
  /** The terms to draw (default the two totals, `d_loss` and `g_loss`). */
  terms?: readonly MetricTerm[];
  /** Average over this many logged points (trailing window); 1 = raw. */
  smooth?: number;
  /** The y axis label (default the term, or "loss (nats)" for several). */
  yLabel?: string;
  /**
   * One panel per run, side by side on a shared y axis, coloured by term,
   * instead of every (run, term) overlaid in one frame.
   */
  facetByRun?: boolean;
}

interface SeriesPoint {
  step: number;
  value: number;
  series: string;
}

/**
 * Overlaid loss curves: one line per (run, term), coloured by series, with a
 * colour legend. The series is named `term` for one run and `run: term` for
 * several. Throws naming the run or term when there is nothing to draw.
 */
export function lossCurves(
  runs: readonly RunMetrics[],
  options: LossCurvesOptions = {},
): PlotElement {
  const terms = options.terms ?? ["d_loss", "g_loss"];
  if (options.facetByRun) {
    const points = runs.flatMap((run) =>
      seriesPoints([run], terms, "lossCurves()").map((p) => ({ ...p, run: run.name }))
    );
    return plotOf(options, {
      x: { label: "training step" },
      y: { label: options.yLabel ?? (terms.length === 1 ? terms[0] : "loss (nats)"), grid: true },
      fx: { label: null, domain: runs.map((r) => r.name) },
      color: { legend: true, label: "term", domain: [...terms] },
      marks: [
        Plot.frame({ strokeOpacity: 0.2 }),
        Plot.lineY(
          points,
          smoothed(options.smooth, { x: "step", y: "value", stroke: "series", fx: "run" }),
        ),
      ],
    });
  }
  const points = seriesPoints(runs, terms, "lossCurves()");
  return plotOf(options, {
    x: { label: "training step" },
    y: { label: options.yLabel ?? (terms.length === 1 ? terms[0] : "loss (nats)"), grid: true },
    color: { legend: true, label: "series", domain: seriesNames(runs, terms) },
    marks: [
      Plot.lineY(points, smoothed(options.smooth, { x: "step", y: "value", stroke: "series" })),
    ],
  });
}

/**
 * The MI lower bound L_I (`li` in the metrics: H(c) minus the label code's
 * cross-entropy on G's samples) per run, against its ceiling H(c) = ln K
 * drawn as a dashed, labelled rule. L_I reaching H(c) means Q recovers the
 * categorical code from G's images perfectly.
 */
export function miBoundPlot(
  runs: readonly RunMetrics[],
  options: FrameOptions & { numLabels?: number; smooth?: number } = {},
): PlotElement {
  const k = options.numLabels ?? 10;
  const h = categoricalEntropy(k);
  const points = seriesPoints(runs, ["li"], "miBoundPlot()", (run) => run);
  const low = Math.min(0, ...points.map((p) => p.value));
  return plotOf(options, {
    x: { label: "training step" },
    y: { label: "L_I = H(c) − CE (nats)", grid: true, domain: [low, h * 1.08] },
    color: { legend: true, label: "run", domain: runs.map((r) => r.name) },
    marks: [
      Plot.ruleY([h], { stroke: "currentColor", strokeDasharray: "4,3" }),
      Plot.text([h], {
        y: (d: number) => d,
        frameAnchor: "left",
        dy: -7,
        dx: 4,
        text: () => `H(c) = ln ${k} ≈ ${h.toFixed(3)}`,
      }),
      Plot.lineY(points, smoothed(options.smooth, { x: "step", y: "value", stroke: "series" })),
    ],
  });
}

/** One point of a named curve, for {@linkcode curvePlot}. */
export interface CurvePoint {
  x: number;
  y: number;
  series: string;
}

/**
 * Named curves y(x) with labelled axes, a zero line and a colour legend: for
 * functions the notebooks compute, such as a loss's gradient.
 */
export function curvePlot(
  points: readonly CurvePoint[],
  options: FrameOptions & { xLabel: string; yLabel: string },
): PlotElement {
  if (points.length === 0) throw new RangeError("curvePlot(): expected points, found none");
  return plotOf(options, {
    x: { label: options.xLabel },
    y: { label: options.yLabel, grid: true },
    color: { legend: true, label: "series", domain: [...new Set(points.map((p) => p.series))] },
    marks: [
      Plot.ruleY([0], { stroke: "currentColor", strokeOpacity: 0.4 }),
      Plot.lineY(points, { x: "x", y: "y", stroke: "series" }),
    ],
  });
}

/**
 * Mode coverage over training: for each recorded step (columns), the share
 * of G's digits that the classifier saw as each digit (rows), as a heatmap
 * with the percentage in each cell. Full coverage is 10% everywhere; a
 * collapsed G fills a few rows and leaves the others empty.
 */
export function coveragePlot(
  history: readonly { step: number; counts: readonly number[] }[],
  options: FrameOptions = {},
): PlotElement {
  if (history.length === 0) {
    throw new RangeError("coveragePlot(): expected at least one recorded step, found none");
  }
  const cells = history.flatMap(({ step, counts }) => {
    const total = counts.reduce((a, b) => a + b, 0) || 1;
    return counts.map((n, digit) => ({
      step: String(step),
      digit: String(digit),
      share: n / total,
    }));
  });
  return plotOf({ height: 300, ...options }, {
    x: { label: "training step", type: "band", domain: history.map((h) => String(h.step)) },
    y: {
      label: "digit the classifier sees",
      type: "band",
      domain: [...Array(10).keys()].map(String),
    },
    color: {
      type: "linear",
      domain: [0, 0.2],
      range: ["white", "#2a6fb0"],
    },
    marks: [
      Plot.cell(cells, { x: "step", y: "digit", fill: "share", inset: 0.5 }),
      Plot.text(cells, {
        x: "step",
        y: "digit",
        text: (d: { share: number }) => `${Math.round(100 * d.share)}%`,
        fontSize: 9,
      }),
    ],
  });
}

function seriesNames(runs: readonly RunMetrics[], terms: readonly string[]): string[] {
  return runs.flatMap((run) =>
    terms.map((term) => runs.length === 1 ? term : `${run.name}: ${term}`)
  );
}

function seriesPoints(
  runs: readonly RunMetrics[],
  terms: readonly MetricTerm[],
  caller: string,
  name?: (run: string, term: string) => string,
): SeriesPoint[] {
  if (runs.length === 0) throw new RangeError(`${caller}: expected at least one run, found none`);
  if (terms.length === 0) throw new RangeError(`${caller}: expected at least one term, found none`);
  for (const term of terms) {
    if (!METRIC_TERMS.includes(term)) {
      throw new RangeError(
        `${caller}: expected terms among ${METRIC_TERMS.join(", ")}, found ${JSON.stringify(term)}`,
      );
    }
  }
  const label = name ??
    ((run: string, term: string) => runs.length === 1 ? term : `${run}: ${term}`);
  const points: SeriesPoint[] = [];
  for (const run of runs) {
    if (run.metrics.length === 0) {
      throw new RangeError(`${caller}: run ${JSON.stringify(run.name)} has no metrics yet`);
    }
    for (const term of terms) {
      const rows = run.metrics.filter((m) => Number.isFinite(m[term]));
      if (rows.length === 0) {
        throw new RangeError(
          `${caller}: run ${JSON.stringify(run.name)} has no values of ${term}`,
        );
      }
      const series = label(run.name, term);
      for (const m of rows) points.push({ step: m.step, value: m[term], series });
    }
  }
  return points;
}

function smoothed(
  k: number | undefined,
  channels: { x: string; y: string; stroke: string; fx?: string },
): Plot.LineYOptions {
  // An explicit z: with few points per series Plot would warn about its guess.
  const lines = { ...channels, z: channels.stroke };
  if (k === undefined || k <= 1) return lines;
  return Plot.windowY({ k: Math.round(k), anchor: "end", reduce: "mean" }, lines);
}
