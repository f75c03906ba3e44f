/**
 * The training loop: steps from `state.step` to `config.steps`, syncing the
 * metrics once per log step, and calling back for metrics, samples and
 * checkpoints. It reads no files: real images come from `sampleReal`.
 */
import { miLowerBound } from "./losses.ts";
import type { TrainState } from "./state.ts";
import {
  disposeStepMetrics,
  METRIC_NAMES,
  type MetricName,
  readStepMetrics,
  type SampleReal,
  trainStep,
} from "./step.ts";

/** One line of `metrics.jsonl`. */
export interface Metrics {
  step: number;
  d_loss: number;
  d_bce: number;
  d_label: number;
  d_code1: number;
  d_code2: number;
  d_acc: number;
  /** Mean D(x) on the real batch (absent in runs logged before it was). */
  d_real: number;
  /** Mean D(G(z)) on the fake batch (absent in runs logged before it was). */
  d_fake: number;
  /**
   * −I between Q's categories of two shifted copies of the reals, when
   * `consistencyWeight` > 0; 0 when off (absent in runs logged before it was).
   */
  d_consistency: number;
  g_loss: number;
  g_bce: number;
  g_label: number;
  g_code1: number;
  g_code2: number;
  /** MI lower bound L_I = H(c) - CE of the label code on G's fresh fakes. */
  li: number;
  lr_d: number;
  lr_g: number;
  /** Seconds of training so far, across resumes. */
  elapsed: number;
}

/** Thrown when a loss becomes NaN or infinite; nothing is saved after it. */
export class NonFiniteLossError extends Error {
  override name = "NonFiniteLossError";
}

/** Progress reported after every step, without a host sync. */
export interface Progress {
  step: number;
  total: number;
  elapsed: number;
  /** The latest synced metrics, if any. */
  metrics: Metrics | null;
}

/** Hooks the loop calls; each may be async. */
export interface TrainCallbacks {
  onProgress?: (p: Progress) => void;
  onMetrics?: (m: Metrics) => void | Promise<void>;
  /** Called at step 0 of a fresh run and every `sampleEvery` steps. */
  onSample?: (state: TrainState) => void | Promise<void>;
  /** Called every `checkpointEvery` steps, at the end and on a stop. */
  onCheckpoint?: (state: TrainState) => void | Promise<void>;
  /** Polled after each step; true finishes the step, checkpoints and returns. */
  shouldStop?: () => boolean;
}

/**
 * Trains from `state.step` to `config.steps`. Metrics are synced (one
 * host read) on log steps and before every checkpoint, and checked for
 * NaN/Inf there, so a checkpoint is only written after finite losses.
 */
export async function train(
  state: TrainState,
  sampleReal: SampleReal,
  callbacks: TrainCallbacks = {},
): Promise<void> {
  const { config } = state;
  if (state.step === 0) await callbacks.onSample?.(state);
  let metrics: Metrics | null = null;
  let lastYield = performance.now();
  while (state.step < config.steps) {
    const t0 = performance.now();
    const lrD = state.optD.currentLr();
    const lrG = state.optG.currentLr();
    const values = trainStep(state, sampleReal);
    const s = state.step;
    // A step is synchronous work; signal handlers (and a notebook kernel's
    // messages) only run when the loop yields. Yield at least every
    // YIELD_MS, so a stop request is seen after the step it arrived in, not
    // at the next log step.
    if (performance.now() - lastYield >= YIELD_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
    const stop = callbacks.shouldStop?.() ?? false;
    const checkpoint = s % config.checkpointEvery === 0 || s === config.steps || stop;
    if (s % config.logEvery === 0 || checkpoint) {
      const v = await readStepMetrics(values);
      state.elapsed += (performance.now() - t0) / 1000;
      metrics = toMetrics(v, { step: s, lrD, lrG, state });
    } else {
      disposeStepMetrics(values);
      state.elapsed += (performance.now() - t0) / 1000;
    }
    if (metrics && metrics.step === s) await callbacks.onMetrics?.(metrics);
    callbacks.onProgress?.({ step: s, total: config.steps, elapsed: state.elapsed, metrics });
    if (s % config.sampleEvery === 0) await callbacks.onSample?.(state);
    if (checkpoint) await callbacks.onCheckpoint?.(state);
    if (stop) return;
  }
}

/** Longest stretch of steps without yielding to the event loop, in ms. */
const YIELD_MS = 50;

function toMetrics(
  v: Record<MetricName, number>,
  options: { step: number; lrD: number; lrG: number; state: TrainState },
): Metrics {
  const out: Record<string, number> = { step: options.step };
  for (const name of METRIC_NAMES) {
    if (!Number.isFinite(v[name])) {
      throw new NonFiniteLossError(
        `step ${options.step}: loss term ${name} is ${
          v[name]
        }; training stopped and the last checkpoint was kept`,
      );
    }
    out[name] = v[name];
  }
  out.li = miLowerBound(out.g_label, options.state.config.numLabels);
  out.lr_d = options.lrD;
  out.lr_g = options.lrG;
  out.elapsed = options.state.elapsed;
  return out as unknown as Metrics;
}
