/**
 * A categorical code's confusion matrix against the true classes, as a
 * heatmap: which class each category's images are, with the categories in
 * the order of the mapping that names them (so a code that found the classes
 * lights up the diagonal).
 */
import { type FrameOptions, type PlotElement, plotOf, shareMarks } from "./plot.ts";

/** Options for {@linkcode confusionPlot}. */
export interface ConfusionPlotOptions extends FrameOptions {
  /** The class each category is named after (Hungarian or majority); default its index. */
  mapping?: readonly number[];
  /** Class names, by class index (default the index: digits). */
  classes?: readonly string[];
}

/**
 * counts[category][class] as each category's shares (rows sum to 1), one row
 * per category, sorted by the class it is named after; a row's label reads
 * "category → class". Shares of 5% and more are written in their cells.
 */
export function confusionPlot(
  counts: readonly (readonly number[])[],
  options: ConfusionPlotOptions = {},
): PlotElement {
  const nClasses = counts[0]?.length ?? 0;
  const name = (c: number) => options.classes?.[c] ?? String(c);
  const mapping = options.mapping ?? counts.map((_, k) => k);
  const order = counts.map((_, k) => k).sort((a, b) => mapping[a] - mapping[b] || a - b);
  const rowName = (k: number) => `${k} → ${name(mapping[k])}`;
  const cells = order.flatMap((k) => {
    const total = counts[k].reduce((a, b) => a + b, 0) || 1;
    return counts[k].map((n, c) => ({ row: rowName(k), column: name(c), share: n / total }));
  });
  const longest = Math.max(...order.map((k) => rowName(k).length), 1);
  return plotOf({
    width: 90 + 6 * longest + 44 * nClasses,
    height: 80 + 24 * counts.length,
    ...options,
  }, {
    marginLeft: 20 + 6 * longest,
    marginBottom: 60,
    x: {
      label: "true class",
      domain: Array.from({ length: nClasses }, (_, c) => name(c)),
      tickRotate: options.classes ? -30 : 0,
    },
    y: { label: "category → named class", domain: order.map(rowName) },
    color: { type: "linear", scheme: "blues", domain: [0, 1] },
    marks: shareMarks(cells, { x: "column", y: "row" }),
  });
}
