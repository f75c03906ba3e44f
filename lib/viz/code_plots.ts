/**
 * Plots of what the continuous codes do: measure against code, the ρ
 * heatmap, and sweeps drawn as image rows.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { IMAGE_SIZE } from "../infogan/generator.ts";
import { type CodeCorrelation } from "../eval/evaluate.ts";
import { type CodeSweepMeasures, sweepCorrelation } from "../eval/code_sweeps.ts";
import { type FrameOptions, type PlotElement, plotOf } from "./plot.ts";
import { imageDataUrl } from "./images.ts";

/** Options for {@linkcode codeMeasurePlot}. */
export interface CodeMeasurePlotOptions extends FrameOptions {
  /** Which measure to put on the y axis. */
  measure: "slant" | "width";
}

/**
 * A code-versus-measure plot: each sweep (z and category fixed, one code
 * varied) as a faint line, and the mean over sweeps as a bold one, with the
 * mean per-sweep Spearman ρ in the title. A code that controls the measure
 * gives lines that all rise (or all fall); one that does not gives flat or
 * crossing lines.
 */
export function codeMeasurePlot(
  sweeps: CodeSweepMeasures,
  options: CodeMeasurePlotOptions,
): PlotElement {
  const rows = sweeps[options.measure];
  if (rows.length === 0) throw new RangeError("codeMeasurePlot(): expected at least one sweep");
  const points = rows.flatMap((row, sweep) =>
    row.map((y, i) => ({ value: sweeps.values[i], y, sweep }))
  );
  const mean = sweeps.values.map((value, i) => ({
    value,
    y: rows.reduce((sum, row) => sum + row[i], 0) / rows.length,
  }));
  const rho = sweepCorrelation(sweeps)[options.measure];
  const label = options.measure === "slant"
    ? "slant (degrees, + leans right)"
    : "stroke width (px)";
  return plotOf({
    ...options,
    // ρ stays in the title whatever the caller names the plot.
    title: `${options.title ?? `c${sweeps.code} vs ${options.measure}`}: mean Spearman ρ = ${
      rho.toFixed(2)
    }`,
  }, {
    x: { label: `c${sweeps.code}` },
    y: { label, grid: true },
    marks: [
      Plot.line(points, { x: "value", y: "y", z: "sweep", stroke: "#888", strokeOpacity: 0.2 }),
      Plot.line(mean, { x: "value", y: "y", stroke: "black", strokeWidth: 2.5 }),
      Plot.dot(mean, { x: "value", y: "y", fill: "black", r: 3 }),
    ],
  });
}

/**
 * The 2×2 table of mean Spearman ρ, codes (rows) × measures (columns), as a
 * heatmap on a diverging scale from -1 to 1 with each ρ written in its cell.
 * A disentangled pair lights up one cell per row and per column.
 */
export function rhoHeatmap(
  codes: { code1: CodeCorrelation; code2: CodeCorrelation },
  options: FrameOptions = {},
): PlotElement {
  const cells = (["code1", "code2"] as const).flatMap((code) =>
    (["slant", "width"] as const).map((measure) => ({
      code: code.replace("code", "c"),
      measure,
      rho: codes[code][measure],
    }))
  );
  return plotOf({ width: 260, height: 180, ...options }, {
    marginLeft: 40,
    x: { label: null, domain: ["slant", "width"] },
    y: { label: null, domain: ["c1", "c2"] },
    color: { type: "linear", scheme: "RdBu", domain: [-1, 1] },
    marks: [
      Plot.cell(cells, { x: "measure", y: "code", fill: "rho", inset: 1 }),
      Plot.text(cells, {
        x: "measure",
        y: "code",
        text: (d: { rho: number }) => `ρ ${d.rho.toFixed(2)}`,
        fill: (d: { rho: number }) => Math.abs(d.rho) > 0.6 ? "white" : "black",
        fontSize: 13,
      }),
    ],
  });
}

/** Options for {@linkcode sweepPlot}. */
export interface SweepPlotOptions extends Omit<FrameOptions, "width" | "height"> {
  /** Which continuous code the columns vary (the axis is labelled `c1` or `c2`). */
  code: 1 | 2;
  /** The code value of each column, in order. */
  values: readonly number[];
  /** The label code of each row (default 0..rows-1). */
  digits?: readonly number[];
  /** Pixels per digit cell (default 36). */
  cellSize?: number;
  /** Draw the code axis from high to low values (default false). */
  reverse?: boolean;
  /** The row axis label (default "digit (label code)"). */
  rowLabel?: string;
  /** Each row's tick label (default its digit), e.g. "7 → 3" for category 7 drawing a 3. */
  rowNames?: readonly string[];
}

/**
 * A code sweep on its axes: rows are label codes (digits), the x axis is the
 * continuous code's value, and each generated digit is drawn ON the axis at
 * its code value with Plot's image mark (a PNG data URL each). `sweep` is
 * what lib/infogan/sample.ts `sweep()` returns: rows·cols images of 28×28 in [0, 1].
 */
export function sweepPlot(
  sweep: { images: Float32Array; rows: number; cols: number },
  options: SweepPlotOptions,
): PlotElement {
  const { rows, cols, images } = sweep;
  const values = options.values;
  const digits = options.digits ?? Array.from({ length: rows }, (_, i) => i);
  if (values.length !== cols) {
    throw new RangeError(`sweepPlot(): expected ${cols} code values, found ${values.length}`);
  }
  if (digits.length !== rows) {
    throw new RangeError(`sweepPlot(): expected ${rows} digits, found ${digits.length}`);
  }
  if (new Set(digits).size !== digits.length) {
    throw new RangeError(`sweepPlot(): expected distinct digits (one row each), found ${digits}`);
  }
  if (options.rowNames && options.rowNames.length !== rows) {
    throw new RangeError(
      `sweepPlot(): expected ${rows} row names, found ${options.rowNames.length}`,
    );
  }
  const px = IMAGE_SIZE * IMAGE_SIZE;
  if (images.length !== rows * cols * px) {
    throw new RangeError(
      `sweepPlot(): expected ${rows * cols} images of 28×28, found ${images.length} values`,
    );
  }
  const cell = options.cellSize ?? 36;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  // Half a column of padding each side, so every cell is `cell` pixels wide.
  const half = cols > 1 ? (hi - lo) / (cols - 1) / 2 : 0.5;
  const data = digits.flatMap((digit, r) =>
    values.map((value, c) => {
      const i = r * cols + c;
      return {
        digit: String(digit),
        value,
        src: imageDataUrl(images.subarray(i * px, (i + 1) * px)),
      };
    })
  );
  const margin = { top: 24, right: 16, bottom: 40, left: 56 };
  const name = `c${options.code}`;
  return plotOf({
    ...options,
    width: margin.left + margin.right + cols * cell,
    height: margin.top + margin.bottom + rows * cell,
  }, {
    marginTop: margin.top,
    marginRight: margin.right,
    marginBottom: margin.bottom,
    marginLeft: margin.left,
    x: {
      domain: [lo - half, hi + half],
      reverse: options.reverse ?? false,
      ticks: [...values],
      tickFormat: (v: number) => formatValue(v),
      label: `${name}: continuous code ${options.code} value →`,
      labelAnchor: "center",
      labelArrow: "none",
    },
    y: {
      type: "band",
      domain: digits.map(String),
      padding: 0,
      ...(options.rowNames && {
        tickFormat: (d: string) => options.rowNames![digits.indexOf(Number(d))],
      }),
      label: options.rowLabel ?? "digit (label code)",
      labelAnchor: "center",
      labelArrow: "none",
    },
    marks: [
      Plot.frame({ stroke: "#ddd" }),
      Plot.image(data, {
        x: "value",
        y: "digit",
        src: "src",
        width: cell - 2,
        height: cell - 2,
        imageRendering: "pixelated",
        title: (d: { digit: string; value: number }) =>
          `digit ${d.digit}, ${name} = ${formatValue(d.value)}`,
      }),
    ],
  });
}

function formatValue(v: number): string {
  const r = Math.round(v * 100) / 100;
  return (r > 0 ? "+" : r < 0 ? "−" : "") + Math.abs(r).toString();
}
