/**
 * `deno task generate`: writes generated digits as standard IDX files:
 * images-idx3-ubyte (N×28×28), labels-idx1-ubyte (the label code used) and
 * codes-idx2-float (N×2 float32: c1, c2).
 */
import { IMAGE_SIZE } from "../infogan/generator.ts";
import { join } from "node:path";
import { initBackend } from "../backends/select.ts";
import { loadGenerator } from "../io/checkpoint.ts";
import { writeIdx } from "../io/idx_write.ts";
import { generate } from "../infogan/sample.ts";
import { type CommandSpec, runCommand, UsageError } from "./args.ts";
import type { Value } from "../infogan/values.ts";
import { BACKEND_FLAG, checkpointFlag, outFlag, parseBackend, seedFlag } from "./flags.ts";

export const FILES = ["images-idx3-ubyte", "labels-idx1-ubyte", "codes-idx2-float"] as const;

const COMMAND: CommandSpec = {
  usage: "deno task generate --checkpoint DIR --count N --out DIR [flags]",
  description: `Generate digits and write ${FILES.join(", ")}.`,
  flags: {
    checkpoint: checkpointFlag("checkpoint or run folder"),
    count: { kind: "int", min: 1, max: 1_000_000, required: true, help: "number of images" },
    digit: {
      kind: "int",
      min: 0,
      max: 255,
      help:
        "fixed label code; the category index for the paper preset (default: uniform at random)",
    },
    c1: {
      kind: "float",
      min: -100,
      max: 100,
      help: "fixed value of code 1 (default: drawn from the prior)",
    },
    c2: {
      kind: "float",
      min: -100,
      max: 100,
      help: "fixed value of code 2 (default: drawn from the prior)",
    },
    seed: seedFlag("seed for z and drawn codes", 0),
    backend: BACKEND_FLAG,
    out: outFlag("folder to write the three IDX files into"),
  },
  footer:
    "Example: deno task generate --checkpoint runs/x --count 100 --digit 7 --c1 -1.5 --out gen/",
};

async function main(v: Record<string, Value>): Promise<void> {
  const count = v.count as number;
  const seed = v.seed as number;
  const out = v.out as string;
  for (const f of FILES) {
    try {
      await Deno.stat(join(out, f));
    } catch {
      continue;
    }
    throw new UsageError(`--out ${out}: already holds ${f}; choose an empty folder`);
  }
  await initBackend(parseBackend(v.backend));
  const { generator, config } = await loadGenerator(v.checkpoint as string);
  const digit = v.digit as number | undefined;
  if (digit !== undefined && (digit < 0 || digit >= config.numLabels)) {
    throw new UsageError(`--digit: expected 0..${config.numLabels - 1}, found ${digit}`);
  }
  const gen = await generate(generator, config, {
    count,
    digit,
    c1: v.c1 as number | undefined,
    c2: v.c2 as number | undefined,
    seed,
  });
  await Deno.mkdir(out, { recursive: true });
  await writeIdx(join(out, FILES[0]), {
    dtype: "uint8",
    shape: [count, IMAGE_SIZE, IMAGE_SIZE],
    data: gen.images,
  });
  await writeIdx(join(out, FILES[1]), { dtype: "uint8", shape: [count], data: gen.labels });
  await writeIdx(join(out, FILES[2]), { dtype: "float32", shape: [count, 2], data: gen.codes });
  console.log(`wrote ${count} images to ${out}/ (${FILES.join(", ")})`);
}

if (import.meta.main) await runCommand(COMMAND, main);
