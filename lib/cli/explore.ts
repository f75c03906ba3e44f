/**
 * `deno task explore --checkpoint DIR --out FILE.html`: writes the latent
 * explorer (`lib/viz/explorer.ts`) for a trained generator: one self-contained
 * page that opens from `file://`, offline.
 */
import { basename } from "node:path";
import { initBackend } from "../backends/select.ts";
import { loadGenerator, resolveCheckpoint } from "../io/checkpoint.ts";
import { evaluationBeside } from "../eval/evaluation_file.ts";
import { explorerHtml } from "../viz/explorer.ts";
import { explorerInputs } from "../io/explorer_inputs.ts";
import { type CommandSpec, runCommand, UsageError } from "./args.ts";
import type { Value } from "../infogan/values.ts";
import { BACKEND_FLAG, checkpointFlag, outFlag, parseBackend, writeOut } from "./flags.ts";

const COMMAND: CommandSpec = {
  usage: "deno task explore --checkpoint DIR --out FILE.html",
  description:
    "Write a self-contained HTML page that runs the generator in the browser: category buttons, a slider per code (-2..2), a new-z button, and a strip across each code's range. tfjs's browser build and the generator's float16 weights are inlined, so the page opens from file:// with no server or network. With an evaluation.json beside the checkpoint (a pretrained folder), the sliders are labelled with what evaluate measured and the categories with their digits.",
  flags: {
    checkpoint: checkpointFlag(),
    out: outFlag("HTML file to write (must not exist)"),
    backend: BACKEND_FLAG,
  },
  footer: "Example: deno task explore --checkpoint data/pretrained/book --out book-explorer.html",
};

async function main(v: Record<string, Value>): Promise<void> {
  const path = v.checkpoint as string;
  const out = v.out as string;
  if (!out.endsWith(".html")) {
    throw new UsageError(`--out: expected an .html file name, found ${out}`);
  }
  await initBackend(parseBackend(v.backend));
  const checkpoint = await resolveCheckpoint(path);
  const evaluation = await evaluationBeside(checkpoint);
  const { generator, config, step } = await loadGenerator(checkpoint);
  try {
    const { files, tfjs } = await explorerInputs(generator);
    const html = explorerHtml(files, config, {
      tfjs,
      title: `InfoGAN latent explorer: ${basename(path)} (${config.preset} preset, step ${step})`,
      evaluation,
    });
    await writeOut(out, new TextEncoder().encode(html));
    console.log(
      `wrote ${out} (${(html.length / 1e6).toFixed(1)} MB${
        evaluation ? "" : "; no evaluation.json beside the checkpoint, so the codes are unlabelled"
      })`,
    );
  } finally {
    generator.dispose();
  }
}

if (import.meta.main) await runCommand(COMMAND, main);
