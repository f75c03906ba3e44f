/**
 * `deno task plot --run DIR --out FILE.svg`: draws a run's loss curves
 * (from its `metrics.jsonl`) with the same helper the notebooks use, as a
 * standalone SVG (or HTML, for an `.html` file). An existing file is replaced.
 */
import { lossCurves, METRIC_TERMS, type MetricTerm } from "../viz/training_plots.ts";
import { toHtml, toSvg } from "../viz/svg.ts";
import { readMetrics } from "../io/run_dir.ts";
import { writeAtomic } from "../io/atomic.ts";
import { type CommandSpec, runCommand, UsageError } from "./args.ts";
import { outFlag } from "./flags.ts";
import type { Value } from "../infogan/values.ts";

const COMMAND: CommandSpec = {
  usage: "deno task plot --run DIR --out FILE.svg [flags]",
  description: "Draw a training run's loss curves from its metrics.jsonl.",
  flags: {
    run: { kind: "string", required: true, help: "run folder (or its metrics.jsonl) to plot" },
    out: outFlag("file to write: .svg, or .html for a web page (replaced if it exists)"),
    terms: {
      kind: "string",
      default: "d_loss,g_loss",
      help: `comma-separated terms to plot, any of ${METRIC_TERMS.join(",")}`,
    },
    smooth: {
      kind: "int",
      min: 1,
      max: 100_000,
      default: 1,
      help: "average over this many logged points (1: raw)",
    },
    title: { kind: "string", help: "title above the plot (default: the run folder)" },
  },
  footer: "Example: deno task plot --run runs/quick --out loss.svg --terms d_loss,g_loss,g_label",
};

async function main(v: Record<string, Value>): Promise<void> {
  const run = v.run as string;
  const out = v.out as string;
  if (!/\.(svg|html?)$/i.test(out)) {
    throw new UsageError(`--out: expected a file name ending in .svg or .html, found ${out}`);
  }
  const terms = parseTerms(v.terms as string);
  const smooth = v.smooth as number;
  const metrics = await readMetrics(run);
  if (metrics.length === 0) {
    throw new Error(`${run}: metrics.jsonl holds no metrics yet (train for --log-every steps)`);
  }
  const element = lossCurves([{ name: run, metrics }], {
    terms,
    smooth,
    title: (v.title as string | undefined) ?? `Loss curves: ${run}`,
  });
  const text = /\.svg$/i.test(out)
    ? toSvg(element)
    : `<!DOCTYPE html>\n<meta charset="utf-8">\n${toHtml(element)}\n`;
  await writeAtomic(out, new TextEncoder().encode(text));
  console.error(`wrote ${out} (${metrics.length} points per term: ${terms.join(", ")})`);
}

function parseTerms(text: string): MetricTerm[] {
  const terms = text.split(",").map((t) => t.trim()).filter((t) => t !== "");
  for (const t of terms) {
    if (!METRIC_TERMS.includes(t as MetricTerm)) {
      throw new UsageError(
        `--terms: expected names among ${METRIC_TERMS.join(",")}, found ${JSON.stringify(t)}`,
      );
    }
  }
  if (terms.length === 0) throw new UsageError(`--terms: expected at least one name, found none`);
  return terms as MetricTerm[];
}

if (import.meta.main) await runCommand(COMMAND, main);
