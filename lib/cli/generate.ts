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
import { describeField } from "../infogan/config_schema.ts";
import { generate } from "../infogan/sample.ts";
import { type FlagSpec, helpText, parseArgs, runMain, UsageError } from "./args.ts";
import { parseBackend } from "./flags.ts";

const SPECS: Record<string, FlagSpec> = {
  checkpoint: { kind: "string", help: "checkpoint or run folder", required: true },
  count: { kind: "int", help: "number of images, 1..1000000", required: true },
  digit: {
    kind: "int",
    help: "fixed label code; the category index for the paper preset (default: uniform at random)",
  },
  c1: { kind: "number", help: "fixed value of code 1 (default: drawn from the prior)" },
  c2: { kind: "number", help: "fixed value of code 2 (default: drawn from the prior)" },
  seed: { kind: "int", help: "seed for z and drawn codes (default 0)" },
  backend: { kind: "string", help: `${describeField("backend")} (default auto)` },
  out: { kind: "string", help: "folder to write the three IDX files into", required: true },
};

export const FILES = ["images-idx3-ubyte", "labels-idx1-ubyte", "codes-idx2-float"] as const;

async function main(): Promise<void> {
  const parsed = parseArgs(Deno.args, SPECS);
  if (parsed.help) {
    console.log(helpText("deno task generate --checkpoint DIR --count N --out DIR [flags]", {
      description: `Generate digits and write ${FILES.join(", ")}.`,
      specs: SPECS,
      footer:
        "Example: deno task generate --checkpoint runs/x --count 100 --digit 7 --c1 -1.5 --out gen/",
    }));
    return;
  }
  const v = parsed.values;
  const count = v.count as number;
  if (count < 1 || count > 1_000_000) {
    throw new UsageError(`--count: expected 1..1000000, found ${count}`);
  }
  const seed = (v.seed ?? 0) as number;
  if (seed < 0 || seed > 0xffffffff) {
    throw new UsageError(`--seed: expected 0..4294967295, found ${seed}`);
  }
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

if (import.meta.main) await runMain(main);
