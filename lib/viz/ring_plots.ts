/**
 * Pictures of the toy: real and generated points on the plane, coloured by
 * category, with each mode's 3σ circle; a field over the plane (D's output,
 * the optimal D, a density); and the category × mode shares as a heatmap.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { modeOutlines } from "../eval/ring_measures.ts";
import { cellCentre, type Grid } from "../eval/ring_density.ts";
import { type FrameOptions, type PlotElement, plotOf, shareMarks } from "./plot.ts";

/** The ring's shape (`data/ring.ts`'s `Ring`). */
type Ring = Parameters<typeof modeOutlines>[0];

/** x, y pairs as plot rows, with an optional category per point. */
function rows(points: Float32Array, categories?: ArrayLike<number>) {
  return Array.from({ length: points.length / 2 }, (_, i) => ({
    x: points[2 * i],
    y: points[2 * i + 1],
    category: categories ? String(categories[i]) : "",
  }));
}

/** The square domain every toy plot shares: the ring and a margin. */
function domain(ring: Ring): [number, number] {
  const e = ring.radius * 1.5;
  return [-e, e];
}

/**
 * Generated points coloured by their category over the real points (grey),
 * with each mode's 3σ circle dashed.
 */
export function ringScatter(
  data: { ring: Ring; points: Float32Array; categories: ArrayLike<number>; real?: Float32Array },
  options: FrameOptions & { k?: number } = {},
): PlotElement {
  const { ring } = data;
  const k = options.k ?? Math.max(...Array.from(data.categories)) + 1;
  return plotOf({ width: 340, height: 340, ...options }, {
    marginLeft: 40,
    x: { domain: domain(ring), label: "x" },
    y: { domain: domain(ring), label: "y" },
    color: {
      type: "categorical",
      domain: Array.from({ length: k }, (_, c) => String(c)),
      legend: true,
      label: "category",
    },
    marks: [
      Plot.line(modeOutlines(ring), {
        x: "x",
        y: "y",
        z: "mode",
        stroke: "#999",
        strokeDasharray: "2,2",
      }),
      ...(data.real ? [Plot.dot(rows(data.real), { x: "x", y: "y", r: 1, fill: "#bbb" })] : []),
      Plot.dot(rows(data.points, data.categories), {
        x: "x",
        y: "y",
        r: 1.3,
        fill: "category",
        fillOpacity: 0.8,
      }),
    ],
  });
}

/**
 * A field over the plane (one value per grid cell), with the real points
 * on top if given: D's output, the optimal D, or a density.
 */
export function fieldPlot(
  data: { ring: Ring; grid: Grid; values: ArrayLike<number>; points?: Float32Array },
  options: FrameOptions & { label?: string; range?: [number, number] } = {},
): PlotElement {
  const { grid, values } = data;
  const size = (2 * grid.extent) / grid.cells;
  const cells = Array.from({ length: grid.cells * grid.cells }, (_, idx) => {
    const [x, y] = cellCentre(grid, idx % grid.cells, Math.floor(idx / grid.cells));
    return {
      x1: x - size / 2,
      x2: x + size / 2,
      y1: y - size / 2,
      y2: y + size / 2,
      v: values[idx],
    };
  });
  return plotOf({ width: 340, height: 340, ...options }, {
    marginLeft: 40,
    x: { domain: domain(data.ring), label: "x" },
    y: { domain: domain(data.ring), label: "y" },
    // A continuous legend needs a canvas, which linkedom lacks: the title names the scale.
    color: {
      type: "linear",
      scheme: "viridis",
      label: options.label ?? "value",
      ...(options.range && { domain: options.range }),
    },
    marks: [
      Plot.rect(cells, { x1: "x1", x2: "x2", y1: "y1", y2: "y2", fill: "v" }),
      ...(data.points
        ? [Plot.dot(rows(data.points), { x: "x", y: "y", r: 0.8, fill: "white", fillOpacity: 0.6 })]
        : []),
    ],
  });
}

/** shares[category][mode] as a heatmap, each share written in its cell. */
export function shareHeatmap(
  shares: readonly (readonly number[])[],
  options: FrameOptions = {},
): PlotElement {
  const cells = shares.flatMap((row, category) =>
    row.map((share, mode) => ({ category: String(category), mode: String(mode), share }))
  );
  const modes = shares[0]?.length ?? 0;
  return plotOf({ width: 60 + 34 * modes, height: 50 + 26 * shares.length, ...options }, {
    marginLeft: 60,
    x: { label: "mode", domain: Array.from({ length: modes }, (_, m) => String(m)) },
    y: { label: "category", domain: shares.map((_, c) => String(c)) },
    color: { type: "linear", scheme: "blues", domain: [0, 1] },
    marks: shareMarks(cells, { x: "mode", y: "category" }),
  });
}
