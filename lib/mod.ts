/**
 * InfoGAN on Deno: what the notebooks import, by name and in groups. The
 * algorithm is in `infogan/`, reading data in `data/`, files in `io/`,
 * measurement in `eval/`, pictures in `viz/` (docs/architecture.md).
 *
 * @module
 */

/** tfjs itself, so that a notebook imports everything from this one module. */
export * as tf from "@tensorflow/tfjs";

// Model: config, presets, the networks, the losses.
export type { InfoGanConfig, PresetName } from "./infogan/config.ts";
export { ConfigError } from "./infogan/config.ts";
export {
  BOOK,
  LESSON,
  LESSON_UNSUPERVISED,
  PAPER,
  PRESETS,
  QUICK,
  TOY,
} from "./infogan/presets.ts";
export { resolveConfig } from "./infogan/config_schema.ts";
export { Random } from "./infogan/random.ts";
export { buildGenerator, IMAGE_SIZE } from "./infogan/generator.ts";
export type { QOutputs } from "./infogan/discriminator.ts";
export {
  buildDiscriminator,
  D_OUTPUTS,
  discriminate,
  logitsView,
} from "./infogan/discriminator.ts";
export {
  binaryCrossEntropy,
  binaryCrossEntropyFromLogits,
  bookMiLoss,
  categoricalEntropy,
  categoricalMiLoss,
  categoricalMiLossFromLogits,
  EPSILON,
  flooredLogStd,
  gaussianNll,
  miLowerBound,
} from "./infogan/losses.ts";

// Data.
export type { Dataset } from "./data/mnist.ts";
export { drawBatch, loadDataset, realSampler } from "./data/mnist.ts";
export type { IdxArray } from "./data/idx.ts";
export { readIdx } from "./data/idx.ts";
export { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR } from "./data/fashion.ts";
export type { Ring } from "./data/ring.ts";
export { drawRing, modeCentre, RING, ringSampler } from "./data/ring.ts";

// Training: state, latent draws, the two steps, the loop, checkpoints.
export type { TrainState } from "./infogan/state.ts";
export { createState, disposeState, trainableVariables } from "./infogan/state.ts";
export type { LatentBatch } from "./infogan/latent.ts";
export { drawCode, drawLatent, latentTensors } from "./infogan/latent.ts";
export type { SampleReal, StepMetrics } from "./infogan/step.ts";
export {
  D_METRICS,
  discriminatorStep,
  drawDiscriminatorInputs,
  G_METRICS,
  generatorStep,
  METRIC_NAMES,
  readStepMetrics,
  trainStep,
} from "./infogan/step.ts";
export type { Metrics, TrainCallbacks } from "./infogan/loop.ts";
export { NonFiniteLossError, train } from "./infogan/loop.ts";
export { Optimizer } from "./infogan/optimizer.ts";
export { generate, linspace, predict, sweep, tile } from "./infogan/sample.ts";
export { inspectSteps } from "./infogan/inspect_step.ts";
export {
  CheckpointError,
  loadCheckpoint,
  loadGenerator,
  loadModels,
  resolveCheckpoint,
  saveCheckpoint,
} from "./io/checkpoint.ts";
export { readMetrics } from "./io/run_dir.ts";
export { openRun } from "./io/open_run.ts";
export { type BackendOptions, initBackend, SMALL_MODEL } from "./backends/select.ts";

// Evaluation: the classifier, the mapping, the measures, the reports.
export { accuracy, classify } from "./eval/classifier.ts";
export { CLASSIFIER_DIR, classifierFor, loadClassifier } from "./eval/classifier_files.ts";
export { classNames } from "./eval/class_names.ts";
export { bestMapping, confusion, identityMapping, perClassRecall } from "./eval/assignment.ts";
export { worstConfusion } from "./eval/seed_table.ts";
export { slant, spearman, strokeWidth } from "./eval/measures.ts";
export type { EvaluateOptions, Evaluation } from "./eval/evaluate.ts";
export { evaluate, EVALUATE_DEFAULTS } from "./eval/evaluate.ts";
export { evaluateCheckpoint } from "./eval/evaluate_checkpoint.ts";
export { misnamedGrid, misnamedIndices, misnamedTestImages } from "./eval/misnamed.ts";
export { codeRoles, measureCodeSweeps, sweepCorrelation } from "./eval/code_sweeps.ts";
export type { CategoryStyle, StyleSpread } from "./eval/category_style.ts";
export { categoryStyles, styleSpread } from "./eval/category_style.ts";
export { type CodeReadback, codeReadback, READBACK_DEFAULTS, ridgeR2 } from "./eval/readback.ts";
export type { AccuracyPoint } from "./eval/generated.ts";
export {
  accuracyRecorder,
  coverageRecorder,
  generatedAccuracy,
  labelCodeAccuracy,
} from "./eval/generated.ts";
export type { NamedEvaluation } from "./eval/report.ts";
export { formatComparison, formatEvaluation, namingName, summarizeMetrics } from "./eval/report.ts";
export { evaluationBeside, readEvaluation } from "./eval/evaluation_file.ts";
export type { RingMeasures, ToyEvaluation } from "./eval/ring_measures.ts";
export { evaluateToy, modeOf, ringCodeEffect, ringMeasures } from "./eval/ring_measures.ts";
export type { Grid } from "./eval/ring_density.ts";
export {
  discriminatorField,
  jsDivergence,
  kdeGrid,
  optimalDiscriminator,
  ringDensity,
  ringGrid,
} from "./eval/ring_density.ts";
export type { Pretrained } from "./eval/pretrained.ts";
export { PRETRAINED_DIR, PRETRAINED_ROOT, readPretrained } from "./eval/pretrained.ts";

// Plots and images.
export type { PlotElement } from "./viz/plot.ts";
export type { CurvePoint } from "./viz/training_plots.ts";
export { coveragePlot, curvePlot, lossCurves, miBoundPlot } from "./viz/training_plots.ts";
export { codeMeasurePlot, rhoHeatmap, sweepPlot } from "./viz/code_plots.ts";
export { confusionPlot } from "./viz/confusion_plot.ts";
export { digitGrid, pngDataUrl, pngImage, sideBySide } from "./viz/images.ts";
export { categoryGrid, labelGrid, realDigits } from "./viz/digit_grids.ts";
export { encodePng } from "./viz/png.ts";
export { toHtml, toSvg } from "./viz/svg.ts";
export { displayBundle, show } from "./viz/display.ts";
export { modelSummary } from "./viz/model_summary.ts";
export { LiveTraining } from "./viz/live_training.ts";
export { LiveRing } from "./viz/live_ring.ts";
export { fieldPlot, ringScatter, shareHeatmap } from "./viz/ring_plots.ts";
export { SAMPLE_VALUES, sampleGridPng } from "./viz/sample_grid.ts";

// Notebook helpers: knobs, run folders, training with a live display.
export { PROJECT_ROOT } from "./io/fs.ts";
export { librarySource } from "./io/library_source.ts";
export type { TrainRunResult } from "./notebook.ts";
export {
  envBool,
  envInt,
  explorer,
  freshRunDir,
  notebookConfig,
  NoTrainedModelError,
  pickTrainedRun,
  runDir,
  runsDir,
  sampleHistory,
  trainRun,
} from "./notebook.ts";
