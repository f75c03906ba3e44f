/**
 * InfoGAN on Deno: the public API shared by the notebooks and the CLI.
 *
 * @module
 */
export * from "./config.ts";
export * from "./random.ts";
export * from "./idx.ts";
export * from "./mnist.ts";
export * from "./png.ts";
export * from "./generator.ts";
export * from "./discriminator.ts";
export * from "./init.ts";
export * from "./mutual_info.ts";
export * from "./optimizer.ts";
export * from "./train.ts";
export * from "./checkpoint.ts";
export * from "./classifier.ts";
export * from "./assignment.ts";
export * from "./measures.ts";
export * from "./evaluate.ts";
export * from "./backend.ts";
export * from "./sample.ts";
export * from "./versions.ts";
export * from "./run_dir.ts";
export * from "./plot.ts";
export * from "./notebook.ts";
export * from "./inspect_step.ts";
export * from "./explorer.ts";
