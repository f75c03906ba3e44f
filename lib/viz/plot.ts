/**
 * The frame every plot helper shares: Observable Plot on a linkedom document
 * (no browser needed), in a size the caller may set.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

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

/** A Plot figure in the frame's size, on its (or a fresh) document. */
export function plotOf(frame: FrameOptions, options: Plot.PlotOptions): PlotElement {
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

/**
 * A heatmap of shares: one cell per datum, filled by its `share` (0 to 1) on
 * a light-to-dark scale, with shares of 5% and more written in as percents.
 * `x` and `y` name the fields that place each cell.
 */
export function shareMarks<T extends { share: number }>(
  cells: T[],
  channels: { x: keyof T & string; y: keyof T & string },
): Plot.Markish[] {
  const { x, y } = channels;
  return [
    Plot.cell(cells, { x, y, fill: "share", inset: 0.5 }),
    Plot.text(cells.filter((d) => d.share >= 0.05), {
      x,
      y,
      text: (d: T) => (100 * d.share).toFixed(0),
      fill: (d: T) => (d.share > 0.6 ? "white" : "black"),
      fontSize: 10,
    }),
  ];
}
