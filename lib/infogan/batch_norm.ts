/**
 * Training-mode BatchNorm as one kernel each way, on a backend that registers
 * the {@linkcode FUSED_BATCH_NORM} kernels (the tensorflow backend does, with
 * TF's `FusedBatchNormV3` and `FusedBatchNormGradV3`). tfjs's layer computes
 * the batch moments, the normalisation and their gradients in some 25–30 ops
 * per use. The layer stays tfjs's `BatchNormalization`, so saved models do
 * not change; only its training-mode call is replaced, and it updates the
 * moving statistics exactly as tfjs does: moving −= (moving − batch)·(1 − momentum),
 * with the biased batch variance. Inference, and every other backend, keep
 * tfjs's own path.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * The kernels. `forward` takes {x, scale, offset} with x as
 * [rows, 1, 1, channels] and attribute {epsilon}, and returns
 * [y, batch mean, biased batch variance, reserve1, reserve2, reserve3];
 * `backward` takes {dy, x, scale, reserve1, reserve2, reserve3} and
 * {epsilon}, and returns [dx, dscale, doffset].
 */
export const FUSED_BATCH_NORM = {
  forward: "InfoGanBatchNormTraining",
  backward: "InfoGanBatchNormTrainingGrad",
} as const;

/** Whether the active backend has the {@linkcode FUSED_BATCH_NORM} kernels. */
export function fusedBatchNormAvailable(): boolean {
  return tf.getKernel(FUSED_BATCH_NORM.forward, tf.getBackend()) !== undefined;
}

/** The normalised batch and its statistics (the caller disposes `mean` and `variance`). */
export interface BatchNormResult {
  y: tf.Tensor;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * γ·(x − μ)/√(σ² + ε) + β with the batch's mean μ and biased variance σ²
 * over every axis but the last, differentiable in x, γ and β.
 */
export function fusedBatchNorm(
  x: tf.Tensor,
  params: { gamma: tf.Tensor; beta: tf.Tensor; epsilon: number },
): BatchNormResult {
  const channels = x.shape[x.rank - 1];
  const attrs = { epsilon: params.epsilon } as unknown as tf.NamedAttrMap;
  let stats: tf.Tensor1D[] = [];
  // customGrad passes the inputs, then the save function, as one argument list.
  const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x4, gamma, beta] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, variance, r1, r2, r3] = tf.engine().runKernel(
      FUSED_BATCH_NORM.forward,
      { x: x4, scale: gamma, offset: beta },
      attrs,
    ) as tf.Tensor[];
    save([x4, gamma, r1, r2, r3]);
    // The statistics leave the kernel's scope for the moving averages.
    stats = [tf.keep(mean as tf.Tensor1D), tf.keep(variance as tf.Tensor1D)];
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sGamma, s1, s2, s3] = saved;
        const [dx, dGamma, dBeta] = tf.engine().runKernel(
          FUSED_BATCH_NORM.backward,
          { dy, x: sx, scale: sGamma, reserve1: s1, reserve2: s2, reserve3: s3 },
          attrs,
        ) as tf.Tensor[];
        return [dx, dGamma, dBeta];
      },
    };
  });
  const y4 = normalize(x.reshape([-1, 1, 1, channels]), params.gamma, params.beta);
  const y = y4.reshape(x.shape);
  y4.dispose();
  return { y, mean: stats[0], variance: stats[1] };
}

/** The parts of tfjs's BatchNormalization layer that the fused call reads. */
interface BatchNormLayer {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

/**
 * Makes `layer` (a tfjs BatchNormalization over the last axis) use
 * {@linkcode fusedBatchNorm} in training mode whenever the active backend
 * has the kernels; returns the layer.
 */
export function withFusedTraining(layer: tf.layers.Layer): tf.layers.Layer {
  const bn = layer as unknown as BatchNormLayer;
  const tfjsCall = bn.call.bind(bn);
  bn.call = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const lastAxis = bn.axis === -1 || bn.axis === x.rank - 1;
    if (!kwargs.training || !lastAxis || !fusedBatchNormAvailable()) {
      return tfjsCall(inputs, kwargs);
    }
    return tf.tidy(() => {
      const { y, mean, variance } = fusedBatchNorm(x, {
        gamma: bn.gamma.read(),
        beta: bn.beta.read(),
        epsilon: bn.epsilon,
      });
      for (
        const [moving, batch] of [[bn.movingMean, mean], [bn.movingVariance, variance]] as const
      ) {
        const old = moving.read();
        moving.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - bn.momentum)));
      }
      tf.dispose([mean, variance]);
      return y;
    });
  };
  return layer;
}
