/**
 * InfoGAN on Deno: the public API shared by the notebooks and the CLI.
 *
 * @module
 */
export * from "./infogan/config.ts";
export * from "./infogan/presets.ts";
export * from "./infogan/config_schema.ts";
export * from "./infogan/values.ts";
export * from "./infogan/random.ts";
export * from "./data/idx.ts";
export * from "./io/idx_write.ts";
export * from "./data/mnist.ts";
export * from "./viz/png.ts";
export * from "./infogan/generator.ts";
export * from "./infogan/discriminator.ts";
export * from "./infogan/init.ts";
export * from "./infogan/losses.ts";
export * from "./infogan/optimizer.ts";
export * from "./infogan/state.ts";
export * from "./infogan/latent.ts";
export * from "./infogan/step.ts";
export * from "./infogan/loop.ts";
export * from "./io/checkpoint.ts";
export * from "./io/model_files.ts";
export * from "./io/export_weights.ts";
export * from "./eval/classifier.ts";
export * from "./eval/classifier_files.ts";
export * from "./eval/assignment.ts";
export * from "./eval/measures.ts";
export * from "./eval/evaluate.ts";
export * from "./backends/select.ts";
export * from "./infogan/sample.ts";
export * from "./io/versions.ts";
export * from "./io/run_dir.ts";
export * from "./viz/plot.ts";
export * from "./viz/training_plots.ts";
export * from "./viz/code_plots.ts";
export * from "./viz/images.ts";
export * from "./viz/svg.ts";
export * from "./viz/display.ts";
export * from "./notebook.ts";
export * from "./eval/pretrained.ts";
export * from "./io/open_run.ts";
export * from "./viz/live_training.ts";
export * from "./viz/digit_grids.ts";
export * from "./viz/model_summary.ts";
export * from "./infogan/inspect_step.ts";
export * from "./io/library_source.ts";
export * from "./viz/explorer.ts";
