/**
 * Plot helpers for the notebooks and `deno task plot`. Each takes data and
 * returns a DOM element built with Observable Plot on a linkedom document (no
 * browser needed); the caller only displays it ({@linkcode show}) or writes
 * it to a file ({@linkcode toSvg}, {@linkcode toHtml}).
 *
 * Images are PNG data URLs (lib/viz/png.ts) placed with Plot's `image` mark or an
 * `<img>`: Plot's `raster` mark needs a canvas, which Deno does not have.
 *
 * Displaying in the Deno Jupyter kernel (Deno 2.9.6): a cell's last
 * expression is rendered through `Deno.jupyter.format`, which turns any object
 * with an `outerHTML` into `text/html` (or `image/svg+xml` when it starts
 * with `<svg`, which JupyterLab then shows as an `<img>`). To control the MIME
 * type, and to update a display in place, {@linkcode show} calls
 * `Deno.jupyter.display(bundle, { raw: true, display_id, update })`: `raw`
 * sends the bundle as is (without it a plain object is printed as text), and
 * `update: true` replaces an earlier output with the same `display_id`.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { Buffer } from "node:buffer";
import { IMAGE_SIZE } from "../infogan/generator.ts";
import { type CodeCorrelation } from "../eval/evaluate.ts";
import { type CodeSweepMeasures, sweepCorrelation } from "../eval/code_sweeps.ts";
import { categoricalEntropy } from "../infogan/losses.ts";
import { encodePng } from "./png.ts";
import { tile } from "../infogan/sample.ts";
import { METRIC_NAMES } from "../infogan/step.ts";
import { type Metrics } from "../infogan/loop.ts";

/** The part of a (linkedom) DOM element that the helpers return and the tests read. */
export interface PlotElement {
  readonly tagName: string;
  readonly outerHTML: string;
  readonly textContent: string | null;
  readonly children: ArrayLike<PlotElement>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PlotElement | null;
  querySelectorAll(selector: string): ArrayLike<PlotElement>;
}

/** A DOM document for Plot; linkedom's, since Deno has no DOM. */
export type PlotDocument = NonNullable<Plot.PlotOptions["document"]>;

/** A fresh, empty linkedom document. */
export function createDocument(): PlotDocument {
  const window = parseHTML("<!DOCTYPE html><html><head></head><body></body></html>");
  return (window as unknown as { document: PlotDocument }).document;
}

/** Options every plot helper accepts. */
export interface FrameOptions {
  /** Width in pixels (default 640). */
  width?: number;
  /** Height in pixels (default 320). */
  height?: number;
  /** A title shown above the plot. */
  title?: string;
  /** The document to build in; a fresh linkedom document by default. */
  document?: PlotDocument;
}

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

/** Options for {@linkcode digitGrid}. */
export interface DigitGridOptions {
  /** Images per row. */
  cols: number;
  /** Rows (default: as many as the images need; missing cells are black). */
  rows?: number;
  /** Screen pixels per image pixel (default 2). */
  scale?: number;
  /** A caption under the grid. */
  caption?: string;
  /** The document to build in; a fresh linkedom document by default. */
  document?: PlotDocument;
}

/**
 * A grid of 28×28 digits as one `<img>` of a PNG (inside a `<figure>` with a
 * `<figcaption>` when `caption` is given). `images` is n·28·28 values: floats
 * in [0, 1] (generator output) or bytes 0..255 (the MNIST dataset).
 */
export function digitGrid(
  images: Float32Array | Uint8Array,
  options: DigitGridOptions,
): PlotElement {
  const px = IMAGE_SIZE * IMAGE_SIZE;
  if (images.length % px !== 0 || images.length === 0) {
    throw new RangeError(
      `digitGrid(): expected a positive multiple of ${px} values (28×28 images), found ${images.length}`,
    );
  }
  const n = images.length / px;
  const cols = options.cols;
  if (!Number.isInteger(cols) || cols < 1) {
    throw new RangeError(`digitGrid(): expected cols to be a positive integer, found ${cols}`);
  }
  const rows = options.rows ?? Math.ceil(n / cols);
  const floats = new Float32Array(rows * cols * px);
  const count = Math.min(n, rows * cols);
  const scale = images instanceof Uint8Array ? 1 / 255 : 1;
  for (let i = 0; i < count * px; i++) floats[i] = images[i] * scale;
  const grid = tile(floats, { rows, cols });
  return pngImage(encodePng(grid.pixels, grid), {
    width: grid.width,
    height: grid.height,
    scale: options.scale,
    caption: options.caption,
    document: options.document,
  });
}

/**
 * An `<img>` of PNG bytes (for example a sample grid a training run wrote),
 * drawn at `scale` screen pixels per pixel without smoothing.
 */
export function pngImage(
  png: Uint8Array,
  options: {
    width: number;
    height: number;
    scale?: number;
    caption?: string;
    document?: PlotDocument;
  },
): PlotElement {
  const document = options.document ?? createDocument();
  const scale = options.scale ?? 2;
  const img = document.createElement("img");
  img.setAttribute("src", pngDataUrl(png));
  img.setAttribute("width", String(Math.round(options.width * scale)));
  img.setAttribute("height", String(Math.round(options.height * scale)));
  img.setAttribute("alt", options.caption ?? "digits");
  img.setAttribute("style", "image-rendering: pixelated; max-width: 100%; height: auto;");
  if (options.caption === undefined) return img;
  const figure = document.createElement("figure");
  figure.setAttribute("style", "margin: 0;");
  const caption = document.createElement("figcaption");
  caption.textContent = options.caption;
  caption.setAttribute("style", "font: 12px system-ui, sans-serif;");
  figure.appendChild(img);
  figure.appendChild(caption);
  return figure;
}

/** Elements side by side (wrapping on narrow screens), top-aligned. */
export function sideBySide(
  elements: readonly PlotElement[],
  options: { gap?: number; document?: PlotDocument } = {},
): PlotElement {
  const document = options.document ?? createDocument();
  const div = document.createElement("div");
  div.setAttribute(
    "style",
    `display: flex; flex-wrap: wrap; gap: ${options.gap ?? 16}px; align-items: flex-start;`,
  );
  // Parse each element into this document: linkedom nodes stay in their own.
  for (const el of elements) div.insertAdjacentHTML("beforeend", el.outerHTML);
  return div;
}

/** PNG bytes as a `data:image/png;base64,…` URL. */
export function pngDataUrl(png: Uint8Array): string {
  return "data:image/png;base64," + Buffer.from(png).toString("base64");
}

/** One 28×28 image in [0, 1] as a PNG data URL (white digit on black, like MNIST). */
function imageDataUrl(image: Float32Array): string {
  const bytes = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) {
    bytes[i] = Math.max(0, Math.min(255, Math.round(image[i] * 255)));
  }
  return pngDataUrl(encodePng(bytes, { width: IMAGE_SIZE, height: IMAGE_SIZE }));
}

/** The element's HTML, for embedding in a page or a notebook output. */
export function toHtml(element: PlotElement): string {
  return element.outerHTML;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * A standalone SVG file for a plot. A bare `<svg>` gets its namespace; a
 * `<figure>` (Plot wraps the plot in one when it has a legend or a title) is
 * redrawn as one SVG: the title, the legend swatches as SVG rects and text,
 * and the plot's own `<svg>` below them.
 */
export function toSvg(element: PlotElement): string {
  const tag = element.tagName.toLowerCase();
  if (tag === "svg") return withNamespace(element.outerHTML);
  const parts: string[] = [];
  let y = 0;
  let width = 0;
  for (const child of Array.from(element.children)) {
    const name = child.tagName.toLowerCase();
    const cls = child.getAttribute("class") ?? "";
    if (name === "svg") {
      const w = Number(child.getAttribute("width") ?? 640);
      const h = Number(child.getAttribute("height") ?? 400);
      parts.push(child.outerHTML.replace(/^<svg/, `<svg x="0" y="${y}"`));
      y += h;
      width = Math.max(width, w);
    } else if (cls.includes("swatches")) {
      let x = 8;
      const row = y + 8;
      for (const swatch of Array.from(child.querySelectorAll("span"))) {
        const fill = swatch.querySelector("svg")?.getAttribute("fill") ?? "currentColor";
        const label = (swatch.textContent ?? "").trim();
        parts.push(
          `<rect x="${x}" y="${row}" width="15" height="15" fill="${escapeXml(fill)}"/>` +
            `<text x="${x + 20}" y="${row + 11.5}" font-size="10">${escapeXml(label)}</text>`,
        );
        x += 20 + 6.5 * label.length + 16;
      }
      width = Math.max(width, x);
      y += 33;
    } else if (["h2", "h3", "figcaption"].includes(name)) {
      const size = name === "h2" ? 16 : 12;
      parts.push(
        `<text x="8" y="${y + size + 4}" font-size="${size}"${
          name === "h2" ? ' font-weight="bold"' : ""
        }>${escapeXml((child.textContent ?? "").trim())}</text>`,
      );
      y += size + 12;
    }
  }
  if (parts.length === 0) {
    throw new TypeError(`toSvg(): expected an <svg> or a Plot <figure>, found <${tag}>`);
  }
  return `<svg xmlns="${SVG_NS}" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" ` +
    `font-family="system-ui, sans-serif" fill="currentColor" style="background: white">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>\n`;
}

function withNamespace(svg: string): string {
  return (svg.includes("xmlns=") ? svg : svg.replace(/^<svg/, `<svg xmlns="${SVG_NS}"`)) + "\n";
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** A Jupyter MIME bundle for an element: its HTML plus a plain-text stand-in. */
export interface MediaBundle {
  "text/html": string;
  "text/plain": string;
  [mime: string]: string;
}

/**
 * HTML to display as it is, scripts included (a trusted notebook output runs
 * them), with the text shown where HTML is not.
 */
export interface RawHtml {
  rawHtml: string;
  text: string;
}

/** One thing {@linkcode show} displays. */
export type ShowItem = PlotElement | string | RawHtml;

/** Anything {@linkcode show} can display: elements, strings shown as escaped text, raw HTML. */
export type Showable = ShowItem | readonly ShowItem[];

/** The MIME bundle of an element, or of several stacked vertically. */
export function displayBundle(content: Showable): MediaBundle {
  const items: readonly ShowItem[] = Array.isArray(content)
    ? content as readonly ShowItem[]
    : [content as ShowItem];
  const html = items.map((item) =>
    typeof item === "string"
      ? `<pre style="margin: 0 0 4px 0">${escapeXml(item)}</pre>`
      : "rawHtml" in item
      ? item.rawHtml
      : item.outerHTML
  ).join("\n");
  const text = items.map((item) =>
    typeof item === "string"
      ? item
      : "rawHtml" in item
      ? item.text
      : `[${item.tagName.toLowerCase()}: open in JupyterLab to see it]`
  ).join("\n");
  return { "text/html": `<div>${html}</div>`, "text/plain": text };
}

/**
 * An object a notebook cell can end with: the Deno kernel renders it as the
 * element's HTML (through `Symbol.for("Jupyter.display")`).
 */
export function displayable(content: Showable): { [key: symbol]: () => MediaBundle } {
  return { [Symbol.for("Jupyter.display")]: () => displayBundle(content) };
}

/** Options for {@linkcode show}. */
export interface ShowOptions {
  /** Names the output so that later calls can replace it. */
  id?: string;
  /** Replace the output shown earlier under `id` instead of adding one. */
  update?: boolean;
}

interface JupyterApi {
  display(
    obj: unknown,
    options?: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
}

/**
 * Displays an element (or several, or text) in the Deno Jupyter kernel, as
 * `text/html`. With `{ id, update: true }` it replaces the earlier output
 * shown under `id`, which is how the training display updates in place.
 * Outside a kernel (a plain `deno run`) it prints the plain-text stand-in.
 */
export async function show(content: Showable, options: ShowOptions = {}): Promise<void> {
  const bundle = displayBundle(content);
  const jupyter = jupyterApi();
  if (!jupyter) {
    console.log(bundle["text/plain"]);
    return;
  }
  await jupyter.display(bundle, {
    raw: true,
    update: options.update ?? false,
    display_id: options.id,
  });
  // The kernel forwards displays to the frontend on another task; without a
  // pause, a cell that ends right after can report "idle" first, and Jupyter
  // then drops the display (measured: about 1 in 40 quick cells, Deno 2.9.6).
  await new Promise((resolve) => setTimeout(resolve, SHOW_FLUSH_MS));
}

/** Milliseconds {@linkcode show} waits for the kernel to send a display. */
const SHOW_FLUSH_MS = 50;

/** `Deno.jupyter` inside the kernel; null elsewhere (its getter throws outside `deno jupyter`). */
function jupyterApi(): JupyterApi | null {
  try {
    return (Deno as unknown as { jupyter?: JupyterApi }).jupyter ?? null;
  } catch {
    return null;
  }
}

function plotOf(frame: FrameOptions, options: Plot.PlotOptions): PlotElement {
  return Plot.plot({
    width: frame.width ?? 640,
    height: frame.height ?? 320,
    title: frame.title,
    marginLeft: 56,
    style: { fontSize: "11px", background: "white", color: "black" },
    ...options,
    document: frame.document ?? createDocument(),
  }) as unknown as PlotElement;
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

function formatValue(v: number): string {
  const r = Math.round(v * 100) / 100;
  return (r > 0 ? "+" : r < 0 ? "−" : "") + Math.abs(r).toString();
}
