/**
 * What the notebooks need beyond the training library: their config (with
 * `INFOGAN_*` overrides, so CI can run them small), where their runs go,
 * training into a run folder with a live display that updates in place,
 * and finding a trained generator.
 *
 * Every notebook reads its knobs the same way, highest priority first:
 * values passed in code (`overrides`) > `INFOGAN_<FIELD>` environment
 * variables > the notebook's own defaults > the preset.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { exists, isDir, PROJECT_ROOT } from "./io/fs.ts";
import { type Evaluation, identityMapping } from "./eval/evaluate.ts";
import { generatedAccuracy } from "./eval/generated.ts";
import { readEvaluation } from "./eval/evaluation_file.ts";
import { CLASSIFIER_DIR, loadClassifier } from "./eval/classifier.ts";
import { Random } from "./infogan/random.ts";
import { CheckpointError, loadCheckpoint, resolveCheckpoint } from "./io/checkpoint.ts";
import {
  configFromEnv,
  type InfoGanConfig,
  type PresetName,
  PRESETS,
  validateConfig,
} from "./infogan/config.ts";
import { formatTime, rateTracker } from "./viz/progress.ts";
import { IMAGE_SIZE } from "./infogan/generator.ts";
import type { Dataset } from "./data/mnist.ts";
import { generate } from "./infogan/sample.ts";
import { categoricalEntropy } from "./infogan/losses.ts";
import {
  digitGrid,
  lossCurves,
  type MetricTerm,
  type PlotElement,
  pngImage,
  show,
} from "./viz/plot.ts";
import { readMetrics, RunDirError, samplePath, trainInRunDir } from "./io/run_dir.ts";
import { sampleGridPng } from "./viz/sample_grid.ts";
import { explorerOutput } from "./viz/explorer.ts";
import { explorerInputs } from "./io/explorer_inputs.ts";
import type { RawHtml } from "./viz/plot.ts";
import { acquireRunLock } from "./io/run_lock.ts";
import { createState, type TrainState } from "./infogan/state.ts";
import { type Metrics, type TrainCallbacks } from "./infogan/loop.ts";

/** tfjs itself, so notebooks import everything from `lib/mod.ts`. */
export * as tf from "@tensorflow/tfjs";

export { PROJECT_ROOT };

/** The folder of the shipped pretrained models, one subfolder each. */
export const PRETRAINED_ROOT: string = join(PROJECT_ROOT, "data", "pretrained");

/** Where the pretrained `book` checkpoint is shipped. */
export const PRETRAINED_DIR: string = join(PRETRAINED_ROOT, "book");

/** A shipped pretrained model folder, as `deno task export` writes it. */
export interface Pretrained {
  name: string;
  dir: string;
  /** Its `evaluation.json`. */
  evaluation: Evaluation;
  /** Its training `metrics.jsonl`. */
  metrics: Metrics[];
  /** The metrics of its comparison run (λ = 0), when shipped. */
  baseline: Metrics[] | null;
  /** That run's generator folder (`baseline/`) and evaluation, when shipped. */
  baselineModel: { dir: string; evaluation: Evaluation } | null;
}

/**
 * Reads `data/pretrained/<name>/` (or `root/<name>`); null when the folder
 * does not exist. A folder that exists but lacks its files is an error
 * naming the file.
 */
export async function readPretrained(
  name: string,
  root: string = PRETRAINED_ROOT,
): Promise<Pretrained | null> {
  const dir = join(root, name);
  if (!(await isDir(dir))) return null;
  const evaluation = await shippedEvaluation(dir);
  const baselinePath = join(dir, "baseline-metrics.jsonl");
  const baseline = (await exists(baselinePath)) ? await readMetrics(baselinePath) : null;
  const baselineDir = join(dir, "baseline");
  const baselineModel = (await isDir(baselineDir))
    ? { dir: baselineDir, evaluation: await shippedEvaluation(baselineDir) }
    : null;
  return { name, dir, evaluation, metrics: await readMetrics(dir), baseline, baselineModel };
}

/** `dir`'s evaluation.json; a pretrained folder without one is an error. */
async function shippedEvaluation(dir: string): Promise<Evaluation> {
  const evaluation = await readEvaluation(dir);
  if (evaluation === null) {
    throw new RunDirError(`${join(dir, "evaluation.json")}: missing; re-run \`deno task export\``);
  }
  return evaluation;
}

type Env = Record<string, string | undefined>;

/**
 * A notebook's config: the preset (`overrides.preset`, else
 * `INFOGAN_PRESET`, else `defaults.preset`, else `book`), then the notebook's
 * `defaults`, then `INFOGAN_*` variables, then `overrides`. Unlike
 * `resolveConfig({ flags })`, the notebook's defaults never hide an
 * environment variable. Throws `ConfigError` naming a bad variable.
 */
export function notebookConfig(
  defaults: Partial<InfoGanConfig>,
  options: { env?: Env; overrides?: Partial<InfoGanConfig> } = {},
): InfoGanConfig {
  const fromEnv = configFromEnv(options.env ?? Deno.env.toObject());
  const overrides = options.overrides ?? {};
  const preset: PresetName = overrides.preset ?? fromEnv.preset ?? defaults.preset ?? "book";
  return validateConfig(
    { ...PRESETS[preset], ...defaults, ...fromEnv, ...overrides, preset },
    "notebook config",
  );
}

/** Where notebook runs are written: `INFOGAN_RUNS_DIR`, else `<project>/runs`. */
export function runsDir(env: Env = Deno.env.toObject()): string {
  const dir = env.INFOGAN_RUNS_DIR;
  return dir !== undefined && dir !== "" ? dir : join(PROJECT_ROOT, "runs");
}

/** The run folder `name` inside {@linkcode runsDir}. */
export function runDir(name: string, env: Env = Deno.env.toObject()): string {
  return join(runsDir(env), name);
}

/**
 * Returns `dir`, ready for a run. With `fresh`, an existing folder is first
 * moved aside to `<dir>-old-<UTC time>` (never deleted), so the run starts
 * from scratch; otherwise an existing run is resumed by `trainRun`.
 */
export async function freshRunDir(
  dir: string,
  options: { fresh?: boolean; now?: Date } = {},
): Promise<string> {
  if (options.fresh && await exists(dir)) {
    const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, "-");
    const aside = `${dir}-old-${stamp}`;
    // The lock also guards the rename: a live run in `dir` refuses it.
    const lock = acquireRunLock(dir);
    try {
      await Deno.rename(dir, aside);
    } finally {
      lock.release();
    }
    console.log(`moved the earlier run aside to ${aside}`);
  }
  return dir;
}

/**
 * An integer knob from the environment variable `name`, else `fallback`.
 * Throws naming the variable when it is not an integer ≥ `min` (default 0).
 */
export function envInt(
  name: string,
  fallback: number,
  options: { env?: Env; min?: number } = {},
): number {
  const text = (options.env ?? Deno.env.toObject())[name];
  if (text === undefined || text === "") return fallback;
  const min = options.min ?? 0;
  const n = Number(text);
  if (!/^\s*[+-]?\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new RangeError(
      `environment variable ${name}: expected an integer ≥ ${min}, found ${JSON.stringify(text)}`,
    );
  }
  return n;
}

/** A true/false knob from the environment variable `name` (true|false|1|0), else `fallback`. */
export function envBool(name: string, fallback: boolean, options: { env?: Env } = {}): boolean {
  const text = (options.env ?? Deno.env.toObject())[name];
  if (text === undefined || text === "") return fallback;
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw new RangeError(
    `environment variable ${name}: expected true|false|1|0, found ${JSON.stringify(text)}`,
  );
}

/** A run opened for training: fresh, or resumed from its checkpoint. */
export interface OpenedRun {
  dir: string;
  state: TrainState;
  /** True when the state came from the folder's checkpoint. */
  resumed: boolean;
  /** The metrics logged so far (up to the checkpoint's step). */
  metrics: Metrics[];
}

/**
 * Opens the run folder `dir` with `config`: resumes its checkpoint when it
 * has one (the config's schedule, such as `steps`, replaces the saved one),
 * else builds a fresh state. The backend must already be initialised.
 */
export async function openRun(dir: string, config: InfoGanConfig): Promise<OpenedRun> {
  let ckpt: string | null = null;
  try {
    ckpt = await resolveCheckpoint(dir);
  } catch {
    ckpt = null;
  }
  if (ckpt === null) {
    return { dir, state: createState(config), resumed: false, metrics: [] };
  }
  const overrides: Partial<InfoGanConfig> = { ...config };
  delete overrides.preset;
  let state: TrainState;
  try {
    state = await loadCheckpoint(ckpt, { overrides });
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    throw new CheckpointError(
      `${e.message}; to start over with these settings, choose another run folder or delete ${dir}`,
    );
  }
  const metrics = (await readMetrics(dir).catch(() => [])).filter((m) => m.step <= state.step);
  return { dir, state, resumed: true, metrics };
}

/** Options for {@linkcode trainRun}. */
export interface TrainRunOptions {
  /** The run folder; created if missing, resumed if it holds a checkpoint. */
  dir: string;
  config: InfoGanConfig;
  dataset: Dataset;
  /** Live display settings; omit `live` for no display. */
  live?: Omit<LiveTrainingOptions, "total" | "history" | "dir">;
  /** Also called at every sample step, after the sample grid is written. */
  onSample?: (state: TrainState) => void | Promise<void>;
}

/** What {@linkcode trainRun} returns. */
export interface TrainRunResult {
  dir: string;
  /** The trained state; the caller disposes it (`disposeState`). */
  state: TrainState;
  /** Every metrics line of the run, including earlier sessions'. */
  metrics: Metrics[];
  /** Steps trained by this call. */
  trained: number;
  /** Wall-clock seconds this call took. */
  seconds: number;
}

/**
 * Trains the run in `dir` up to `config.steps`, resuming its checkpoint if it
 * has one (so rerunning a notebook continues instead of starting over), with
 * the same files as `deno task train`. The folder is locked while training.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const t0 = performance.now();
  const { dir, config, dataset } = options;
  await Deno.mkdir(dir, { recursive: true });
  const lock = acquireRunLock(dir);
  try {
    const run = await openRun(dir, config);
    const start = run.state.step;
    const history = run.metrics;
    const live = options.live
      ? new LiveTraining({ ...options.live, total: config.steps, history, dir })
      : null;
    const shown: TrainCallbacks = live
      ? live.callbacks()
      : { onMetrics: (m) => void history.push(m) };
    const callbacks: TrainCallbacks = {
      ...shown,
      onSample: async (s) => {
        await shown.onSample?.(s);
        await options.onSample?.(s);
      },
    };
    if (start < config.steps) {
      await live?.redraw(
        run.resumed ? `resuming ${dir} at step ${start}` : `new run in ${dir}`,
      );
      await trainInRunDir(run.state, dataset, { dir, samplePng: sampleGridPng, callbacks });
    }
    await live?.finish(
      start >= config.steps
        ? `${dir} is already at step ${start} of ${config.steps}; nothing to train`
        : "done",
    );
    return {
      dir,
      state: run.state,
      metrics: history,
      trained: run.state.step - start,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    lock.release();
  }
}

/** Options for {@linkcode LiveTraining}. */
export interface LiveTrainingOptions {
  /** The display's id; one live display per id. */
  id: string;
  /** The step training runs to. */
  total: number;
  /** Metrics logged so far; new ones are appended to this array. */
  history: Metrics[];
  /** Redraw the status line and loss curves every this many steps (default 50). */
  every?: number;
  /** A heading above the loss curves. */
  title?: string;
  /** The run folder, to show its newest sample grid. */
  dir?: string;
  /** Loss terms to plot (default d_loss, g_loss, g_label). */
  terms?: readonly MetricTerm[];
}

/**
 * A training display that updates in place in the Deno kernel: a status
 * line (step, steps/s, ETA, losses, L_I against H(c)), the loss curves so far
 * and the newest sample grid. It redraws when metrics arrive at least `every`
 * steps after the last redraw, at the last step, and whenever a sample grid
 * is written; a plain `deno run` gets one text line per redraw.
 */
export class LiveTraining {
  readonly #options: LiveTrainingOptions;
  #shown = false;
  #speed: (m: Metrics) => { rate: number; eta: number };
  #rate = { rate: NaN, eta: NaN };
  #drawnAt = -Infinity;
  #sample: PlotElement | null = null;

  constructor(options: LiveTrainingOptions) {
    this.#options = options;
    this.#speed = rateTracker(options.total);
  }

  /** The train-loop callbacks that feed this display (all awaited by the loop). */
  callbacks(): TrainCallbacks {
    const every = this.#options.every ?? 50;
    return {
      onMetrics: async (m) => {
        this.#options.history.push(m);
        this.#rate = this.#speed(m);
        if (m.step - this.#drawnAt >= every || m.step >= this.#options.total) {
          await this.redraw();
        }
      },
      onSample: async (s) => {
        if (this.#options.dir) {
          const bytes = await Deno.readFile(samplePath(this.#options.dir, s.step));
          this.#sample = pngImage(bytes, {
            ...pngSize(bytes),
            scale: 1.5,
            caption: `samples at step ${s.step}: rows are digits 0–9, columns c1 from −2 to +2`,
          });
        }
        await this.redraw();
      },
    };
  }

  /** The status line for the newest metrics. */
  status(note = ""): string {
    const { total, history } = this.#options;
    const m = history.at(-1);
    const parts: string[] = [];
    if (m) {
      parts.push(`step ${m.step}/${total}`);
      const { rate, eta } = this.#rate;
      if (Number.isFinite(rate)) {
        parts.push(`${rate.toFixed(2)} steps/s`, `ETA ${formatTime(eta)}`);
      }
      parts.push(
        `d_loss ${m.d_loss.toFixed(3)}  g_loss ${m.g_loss.toFixed(3)}  d_acc ${
          m.d_acc.toFixed(2)
        }  L_I ${m.li.toFixed(2)} (H(c) = ${categoricalEntropy(10).toFixed(2)})`,
      );
    }
    if (note) parts.push(note);
    return parts.join(" · ");
  }

  /** Draws (first call) or replaces (later calls) the display. */
  async redraw(note = ""): Promise<void> {
    const { history, title, id } = this.#options;
    const content: (PlotElement | string)[] = [this.status(note) || "starting…"];
    if (history.length > 0) {
      content.push(lossCurves([{ name: "run", metrics: history }], {
        terms: this.#options.terms ?? ["d_loss", "g_loss", "g_label"],
        title,
        height: 260,
      }));
    }
    if (this.#sample) content.push(this.#sample);
    await show(content, { id, update: this.#shown });
    this.#shown = true;
    this.#drawnAt = history.at(-1)?.step ?? 0;
  }

  /** A last redraw with a closing note. */
  async finish(note: string): Promise<void> {
    await this.redraw(note);
  }
}

/**
 * The run's sample grids at up to `count` evenly spaced steps, side by side
 * with their step as caption: how the samples changed as training went.
 */
export async function sampleHistory(
  dir: string,
  options: { count?: number; scale?: number } = {},
): Promise<PlotElement[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(join(dir, "samples"))) {
      if (/^step-\d+\.png$/.test(e.name)) names.push(e.name);
    }
  } catch {
    throw new RunDirError(`${dir}: no samples/ folder; train the run first`);
  }
  names.sort();
  const count = Math.min(options.count ?? 4, names.length);
  const picked = Array.from(
    { length: count },
    (_, i) =>
      names[count === 1 ? names.length - 1 : Math.round(i * (names.length - 1) / (count - 1))],
  );
  const out: PlotElement[] = [];
  for (const name of [...new Set(picked)]) {
    const bytes = await Deno.readFile(join(dir, "samples", name));
    out.push(pngImage(bytes, {
      ...pngSize(bytes),
      scale: options.scale ?? 1,
      caption: `step ${Number(name.slice(5, -4))}`,
    }));
  }
  return out;
}

/** A digit grid of the first `count` examples of a dataset (real digits). */
export function realDigits(
  dataset: Dataset,
  options: { count?: number; cols?: number; scale?: number } = {},
): PlotElement {
  const count = Math.min(options.count ?? 40, dataset.count);
  const cols = options.cols ?? 10;
  const px = dataset.height * dataset.width;
  const labels = Array.from(dataset.labels.subarray(0, count));
  const caption = `labels, row by row: ${
    Array.from(
      { length: Math.ceil(count / cols) },
      (_, r) => labels.slice(r * cols, (r + 1) * cols).join(" "),
    ).join(" | ")
  }`;
  return digitGrid(dataset.images.subarray(0, count * px), {
    cols,
    scale: options.scale ?? 2,
    caption,
  });
}

/**
 * Generated digits with the label code fixed per row: row d uses label d
 * and `cols` different noise draws (codes from the prior). When the label
 * code controls the class, every row shows one digit.
 */
export async function labelGrid(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { cols?: number; seed?: number; scale?: number } = {},
): Promise<PlotElement> {
  const cols = options.cols ?? 10;
  const px = IMAGE_SIZE * IMAGE_SIZE;
  const images = new Uint8Array(config.numLabels * cols * px);
  for (let d = 0; d < config.numLabels; d++) {
    const out = await generate(generator, config, {
      count: cols,
      digit: d,
      seed: (options.seed ?? 0) + d,
    });
    images.set(out.images, d * cols * px);
  }
  return digitGrid(images, {
    cols,
    scale: options.scale ?? 2,
    caption: `row d: label code d (0 at the top), ${cols} noise draws each`,
  });
}

/**
 * The paper's Figure 2 (a) layout: column d shows the category that draws
 * digit d (`mapping[category] = digit`, from `evaluate`'s Hungarian mapping,
 * or the identity for a supervised run), and each row is one noise draw.
 */
export async function categoryGrid(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { mapping: readonly number[]; rows?: number; seed?: number; scale?: number },
): Promise<PlotElement> {
  const k = config.numLabels;
  const rows = options.rows ?? 5;
  const { mapping } = options;
  if (mapping.length !== k || new Set(mapping).size !== k) {
    throw new RangeError(
      `categoryGrid: expected a one-to-one mapping of ${k} categories, found [${mapping}]`,
    );
  }
  const px = IMAGE_SIZE * IMAGE_SIZE;
  const images = new Uint8Array(rows * k * px);
  for (let category = 0; category < k; category++) {
    // The same seed in every column: a row keeps its noise and codes, only the category changes.
    const out = await generate(generator, config, {
      count: rows,
      digit: category,
      seed: options.seed ?? 0,
    });
    for (let r = 0; r < rows; r++) {
      images.set(out.images.subarray(r * px, (r + 1) * px), (r * k + mapping[category]) * px);
    }
  }
  return digitGrid(images, {
    cols: k,
    scale: options.scale ?? 2,
    caption: `column d: the category that draws digit d (categories ${
      mapping.map((_, c) => c).sort((a, b) => mapping[a] - mapping[b]).join(", ")
    }); ${rows} noise draws`,
  });
}

/** What {@linkcode labelCodeAccuracy} measured. */
export interface LabelCodeAccuracy {
  /** Fraction of all generated digits the classifier labels as their label code. */
  accuracy: number;
  /** The same per label code, 0 first. */
  perDigit: number[];
  /** Digits generated per label code. */
  perLabel: number;
}

/**
 * Does label code d draw digit d? Generates `perLabel` digits per label code
 * (noise and codes from the prior, seeded) and has the shipped MNIST
 * classifier judge them. For runs trained with real labels only: an
 * unsupervised run's categories are scored by `evaluate`'s Hungarian mapping.
 */
export async function labelCodeAccuracy(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { perLabel?: number; seed?: number; classifier?: tf.LayersModel } = {},
): Promise<LabelCodeAccuracy> {
  if (!config.supervisedLabels) {
    throw new RangeError(
      "labelCodeAccuracy: expected a run trained with supervisedLabels: true, found false; " +
        "score unsupervised runs with evaluate (Hungarian mapping)",
    );
  }
  const perLabel = options.perLabel ?? 50;
  // The shipped classifier, unless the caller passes one it has loaded (and keeps).
  const classifier = options.classifier ?? (await loadClassifier(CLASSIFIER_DIR)).model;
  try {
    const perDigit = await generatedAccuracy(generator, config, {
      classifier,
      mapping: identityMapping(config.numLabels),
      perCategory: perLabel,
      rng: new Random(options.seed ?? 1234),
    });
    const accuracy = perDigit.reduce((a, b) => a + b, 0) / perDigit.length;
    return { accuracy, perDigit, perLabel };
  } finally {
    if (!options.classifier) classifier.dispose();
  }
}

/**
 * A model's layer table as one string (tfjs's `summary()` prints line by
 * line, which a notebook shows with gaps between the lines).
 */
export function modelSummary(model: tf.LayersModel, options: { lineLength?: number } = {}): string {
  const lines: string[] = [];
  model.summary(options.lineLength ?? 100, undefined, (line: string) => lines.push(line));
  return lines.join("\n");
}

/** Raised when no trained generator is found. */
export class NoTrainedModelError extends Error {
  override name = "NoTrainedModelError";
}

/**
 * The first of `candidates` (checkpoint or run folders) that holds a
 * checkpoint, with its label; null when none does, or, with `required`, a
 * {@linkcode NoTrainedModelError} listing every place looked at.
 */
export async function pickTrainedRun(
  candidates: readonly { path: string; label: string }[],
  options: { required?: boolean } = {},
): Promise<{ path: string; label: string } | null> {
  for (const c of candidates) {
    try {
      return { path: await resolveCheckpoint(c.path), label: c.label };
    } catch {
      // not there; try the next one
    }
  }
  if (!options.required) return null;
  throw new NoTrainedModelError(
    `no trained generator found; looked for a checkpoint in ${
      candidates.map((c) => `${c.path} (${c.label})`).join(", ")
    }. Run notebooks/03_train_mnist.ipynb (or \`deno task train --out <dir>\`) first`,
  );
}

/** Width and height of PNG bytes, from the IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (png.length < 24 || view.getUint32(12) !== 0x49484452) {
    throw new RangeError("pngSize(): expected PNG bytes starting with an IHDR chunk");
  }
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * The latent explorer of `generator` for a notebook cell:
 * `await show(await explorer(generator, config, { title, evaluation }))`.
 */
export async function explorer(
  generator: tf.LayersModel,
  config: InfoGanConfig,
  options: { title: string; evaluation: Evaluation | null },
): Promise<RawHtml> {
  const { files, tfjs } = await explorerInputs(generator);
  return explorerOutput(files, config, { ...options, tfjs });
}
