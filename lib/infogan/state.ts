/**
 * A run's training state: G, D (with its Q heads), their optimizers, the step
 * count and the single random source. Checkpoints save and restore exactly this.
 */
import * as tf from "@tensorflow/tfjs";
import type { InfoGanConfig } from "./config.ts";
import { buildDiscriminator, logitsView } from "./discriminator.ts";
import { buildGenerator } from "./generator.ts";
import { Optimizer } from "./optimizer.ts";
import { Random } from "./random.ts";

/** Everything a run needs to continue: models, optimizers, step and RNG. */
export interface TrainState {
  config: InfoGanConfig;
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  /** The same discriminator with logit outputs, used for the losses. */
  dLogits: tf.LayersModel;
  optD: Optimizer;
  optG: Optimizer;
  /** Steps completed. */
  step: number;
  /** Seconds spent training so far, across resumes. */
  elapsed: number;
  /** The run's single random source (noise, codes, data order). */
  rng: Random;
}

/** The trainable tf.Variables of a model, in its weight order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  // LayerVariable.read() returns the underlying tf.Variable.
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Builds fresh models and optimizers; weights come from `Random(config.seed)`. */
export function createState(config: InfoGanConfig): TrainState {
  const rng = new Random(config.seed);
  const generator = buildGenerator(config, rng);
  const discriminator = buildDiscriminator(config, rng);
  const common = { kind: config.optimizer, rho: config.rho, beta1: config.beta1 };
  return {
    config,
    generator,
    discriminator,
    dLogits: logitsView(discriminator),
    optD: new Optimizer(trainableVariables(discriminator), {
      ...common,
      lr: config.lrD,
      decay: config.decayD,
    }),
    optG: new Optimizer(trainableVariables(generator), {
      ...common,
      lr: config.lrG,
      decay: config.decayG,
    }),
    step: 0,
    elapsed: 0,
    rng,
  };
}

/** Frees the models' and optimizers' tensors. */
export function disposeState(state: TrainState): void {
  state.generator.dispose();
  state.discriminator.dispose();
  state.optD.dispose();
  state.optG.dispose();
}
