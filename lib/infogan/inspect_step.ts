/**
 * A look inside one training step, for teaching: one D step and one G step
 * run on a tiny batch, with every loss term and which variables moved.
 *
 * @module
 */
import type { InfoGanConfig } from "./config.ts";
import { createState, disposeState } from "./state.ts";
import {
  discriminatorStep,
  drawDiscriminatorInputs,
  generatorStep,
  type MetricName,
  readStepMetrics,
  type SampleReal,
  type StepMetrics,
} from "./step.ts";
import { drawLatent } from "./latent.ts";

/** One loss term of a step, by its metrics name. */
export interface StepTerm {
  term: string;
  value: number;
}

/** Whether one variable of a model changed in a step. */
export interface VariableChange {
  model: "G" | "D";
  variable: string;
  /**
   * False for BatchNorm's moving mean and variance: no gradient moves them,
   * but any call in training mode updates them.
   */
  trainable: boolean;
  moved: boolean;
}

/** What {@linkcode inspectSteps} saw in each step. */
export interface StepInspection {
  /** D step: d_loss, d_bce, d_label, d_code1, d_code2, d_acc, d_real, d_fake, d_consistency. */
  d: StepTerm[];
  /** G step: [g_loss, g_bce, g_label, g_code1, g_code2] by name. */
  g: StepTerm[];
  /** Every variable of G and D (trainable or not), and whether the D step moved it. */
  dMoves: VariableChange[];
  /** The same for the G step. */
  gMoves: VariableChange[];
}

/**
 * Builds fresh models from `config` with `batchSize` real images (4 by
 * default), runs exactly one `discriminatorStep` and one `generatorStep` on
 * real images from `sampleReal`, and reports their loss terms and which of G's and D's
 * variables each step changed: the trainable ones, which only the step's own
 * gradients move, and BatchNorm's moving statistics, which every forward
 * pass in training mode updates (the D step runs G so when D's fakes use G's
 * batch statistics, and the G step runs D so). Everything it builds is
 * disposed.
 */
export async function inspectSteps(
  config: InfoGanConfig,
  sampleReal: SampleReal,
  options: { batchSize?: number } = {},
): Promise<StepInspection> {
  const state = createState({ ...config, batchSize: options.batchSize ?? 4 });
  try {
    const snapshot = async () => {
      const out: (Omit<VariableChange, "moved"> & { values: Float32Array })[] = [];
      for (const [model, m] of [["G", state.generator], ["D", state.discriminator]] as const) {
        for (const w of m.weights) {
          const values = ((await w.read().data()) as Float32Array).slice();
          out.push({ model, variable: w.name, trainable: w.trainable, values });
        }
      }
      return out;
    };
    const moves = (
      before: Awaited<ReturnType<typeof snapshot>>,
      after: Awaited<ReturnType<typeof snapshot>>,
    ): VariableChange[] =>
      before.map((b, i) => ({
        model: b.model,
        variable: b.variable,
        trainable: b.trainable,
        moved: b.values.some((x, j) => x !== after[i].values[j]),
      }));
    const terms = async <N extends MetricName>(values: StepMetrics<N>): Promise<StepTerm[]> =>
      Object.entries(await readStepMetrics(values)).map(([term, value]) => ({
        term,
        value: value as number,
      }));
    const s0 = await snapshot();
    const d = await terms(discriminatorStep(state, drawDiscriminatorInputs(state, sampleReal)));
    const s1 = await snapshot();
    const g = await terms(
      generatorStep(state, drawLatent(state.rng, state.config, { n: state.config.batchSize })),
    );
    const s2 = await snapshot();
    return { d, g, dMoves: moves(s0, s1), gMoves: moves(s1, s2) };
  } finally {
    disposeState(state);
  }
}
