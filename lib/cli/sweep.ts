/** `deno task sweep`: a grid of one continuous code's sweep for one digit. */
import { initBackend } from "../backends/select.ts";
import { loadGenerator } from "../io/checkpoint.ts";
import { encodePng } from "../viz/png.ts";
import { linspace, sweep, tile } from "../infogan/sample.ts";
import { type CommandSpec, runCommand, UsageError } from "./args.ts";
import type { Value } from "../infogan/values.ts";
import {
  BACKEND_FLAG,
  checkpointFlag,
  outFlag,
  parseBackend,
  seedFlag,
  writeOut,
} from "./flags.ts";

const COMMAND: CommandSpec = {
  usage: "deno task sweep --checkpoint DIR --out FILE.png [flags]",
  description:
    "Sweep one continuous code from --from to --to with z fixed along each row; rows are digits.",
  flags: {
    checkpoint: checkpointFlag(),
    digit: {
      kind: "int",
      min: 0,
      max: 255,
      help:
        "label code to show; for the unsupervised paper preset, the category index (default: all, one per row)",
    },
    code: { kind: "int", min: 1, max: 2, default: 1, help: "continuous code to sweep" },
    from: { kind: "float", min: -100, max: 100, default: -2, help: "first code value" },
    to: { kind: "float", min: -100, max: 100, default: 2, help: "last code value" },
    count: { kind: "int", min: 1, max: 100, default: 9, help: "number of values" },
    rows: { kind: "int", min: 1, max: 100, default: 1, help: "noise samples per digit" },
    seed: seedFlag("seed of the fixed noise z", 0),
    backend: BACKEND_FLAG,
    out: outFlag("PNG file to write (must not exist)"),
  },
  footer:
    "Example: deno task sweep --checkpoint runs/x --digit 3 --code 1 --from -2 --to 2 --count 9 --out c1.png",
};

async function main(v: Record<string, Value>): Promise<void> {
  const code = v.code as 1 | 2;
  const reps = v.rows as number;
  const seed = v.seed as number;
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
  const values = linspace(v.from as number, v.to as number, v.count as number);
  const { images, rows, cols } = await sweep(generator, config, { code, values, digits, seed });
  const grid = tile(images, { rows, cols });
  await writeOut(out, encodePng(grid.pixels, grid));
  console.log(
    `wrote ${out}: ${rows} rows × ${cols} values of c${code} (${values[0]}..${values.at(-1)})`,
  );
}

if (import.meta.main) await runCommand(COMMAND, main);
