/** `deno task sweep`: a grid of one continuous code's sweep for one digit. */
import { initBackend } from "../backends/select.ts";
import { loadGenerator } from "../io/checkpoint.ts";
import { describeField } from "../infogan/config_schema.ts";
import { encodePng } from "../viz/png.ts";
import { linspace, sweep, tile } from "../infogan/sample.ts";
import { type FlagSpec, helpText, parseArgs, runMain, UsageError } from "./args.ts";
import { parseBackend, writeOut } from "./flags.ts";

const SPECS: Record<string, FlagSpec> = {
  checkpoint: { kind: "string", help: "checkpoint or run folder", required: true },
  digit: {
    kind: "int",
    help:
      "label code to show; for the unsupervised paper preset, the category index (default: all, one per row)",
  },
  code: { kind: "int", help: "continuous code to sweep: 1 or 2 (default 1)" },
  from: { kind: "number", help: "first code value (default -2)" },
  to: { kind: "number", help: "last code value (default 2)" },
  count: { kind: "int", help: "number of values, 1..100 (default 9)" },
  rows: { kind: "int", help: "noise samples per digit, 1..100 (default 1)" },
  seed: { kind: "int", help: "seed of the fixed noise z (default 0)" },
  backend: { kind: "string", help: `${describeField("backend")} (default auto)` },
  out: { kind: "string", help: "PNG file to write", required: true },
};

async function main(): Promise<void> {
  const parsed = parseArgs(Deno.args, SPECS);
  if (parsed.help) {
    console.log(helpText("deno task sweep --checkpoint DIR --out FILE.png [flags]", {
      description:
        "Sweep one continuous code from --from to --to with z fixed along each row; rows are digits.",
      specs: SPECS,
      footer:
        "Example: deno task sweep --checkpoint runs/x --digit 3 --code 1 --from -2 --to 2 --count 9 --out c1.png",
    }));
    return;
  }
  const v = parsed.values;
  const code = (v.code ?? 1) as number;
  if (code !== 1 && code !== 2) throw new UsageError(`--code: expected 1 or 2, found ${code}`);
  const count = (v.count ?? 9) as number;
  if (count < 1 || count > 100) throw new UsageError(`--count: expected 1..100, found ${count}`);
  const reps = (v.rows ?? 1) as number;
  if (reps < 1 || reps > 100) throw new UsageError(`--rows: expected 1..100, found ${reps}`);
  const seed = (v.seed ?? 0) as number;
  if (seed < 0) throw new UsageError(`--seed: expected an integer ≥ 0, found ${seed}`);
  const out = v.out as string;
  if (!out.endsWith(".png")) throw new UsageError(`--out: expected a .png file name, found ${out}`);
  await initBackend(parseBackend(v.backend));
  const { generator, config } = await loadGenerator(v.checkpoint as string);
  const digit = v.digit as number | undefined;
  if (digit !== undefined && (digit < 0 || digit >= config.numLabels)) {
    throw new UsageError(`--digit: expected 0..${config.numLabels - 1}, found ${digit}`);
  }
  const base = digit === undefined
    ? Array.from({ length: config.numLabels }, (_, i) => i)
    : [digit];
  const digits = base.flatMap((d) => Array(reps).fill(d));
  const values = linspace((v.from ?? -2) as number, (v.to ?? 2) as number, count);
  const { images, rows, cols } = await sweep(generator, config, { code, values, digits, seed });
  const grid = tile(images, { rows, cols });
  await writeOut(out, encodePng(grid.pixels, grid));
  console.log(
    `wrote ${out}: ${rows} rows × ${cols} values of c${code} (${values[0]}..${values.at(-1)})`,
  );
}

if (import.meta.main) await runMain(main);
