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
import { type FlagSpec, helpText, parseArgs, runMain, UsageError } from "./args.ts";
import { parseBackend, writeOut } from "./flags.ts";

const SPECS: Record<string, FlagSpec> = {
  checkpoint: {
    kind: "string",
    help: "pretrained folder, run folder or checkpoint",
    required: true,
  },
  out: { kind: "string", help: "HTML file to write (must not exist)", required: true },
  backend: { kind: "string", help: "compute backend (default auto)" },
};

async function main(): Promise<void> {
  const parsed = parseArgs(Deno.args, SPECS);
  if (parsed.help) {
    console.log(helpText("deno task explore --checkpoint DIR --out FILE.html", {
      description:
        "Write a self-contained HTML page that runs the generator in the browser: category buttons, a slider per code, strips across each code.",
      specs: SPECS,
      footer:
        "Example: deno task explore --checkpoint data/pretrained/book --out book-explorer.html",
    }));
    return;
  }
  const v = parsed.values;
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

if (import.meta.main) await runMain(main);
