/**
 * The names of the fused training kernels that infogan/ asks a backend for,
 * restated here because backends/ imports infogan/'s types only. Each is
 * typed as the constant it restates, so the two cannot drift apart.
 */
import type { FUSED, FusedAdamAttrs, FusedRmsPropAttrs } from "../infogan/optimizer.ts";
import type { FUSED_BATCH_NORM } from "../infogan/batch_norm.ts";
import type { ACTIVATION_GRADS } from "../infogan/activation_grads.ts";

export type { FusedAdamAttrs, FusedRmsPropAttrs };

/** infogan/optimizer.ts's `FUSED`: the optimizer's slots and updates. */
export const OPTIMIZER_KERNELS: typeof FUSED = {
  variable: "InfoGanVariable",
  read: "InfoGanReadVariable",
  assign: "InfoGanAssignVariable",
  destroy: "InfoGanDestroyVariable",
  adam: "InfoGanApplyAdam",
  rmsprop: "InfoGanApplyRMSProp",
};

/** infogan/batch_norm.ts's `FUSED_BATCH_NORM`: training-mode BatchNorm each way. */
export const BATCH_NORM_KERNELS: typeof FUSED_BATCH_NORM = {
  forward: "InfoGanBatchNormTraining",
  backward: "InfoGanBatchNormTrainingGrad",
};

/** infogan/activation_grads.ts's `ACTIVATION_GRADS`: one kernel per activation gradient. */
export const ACTIVATION_GRAD_KERNELS: typeof ACTIVATION_GRADS = {
  Relu: { kernel: "InfoGanReluGrad", value: "x" },
  LeakyRelu: { kernel: "InfoGanLeakyReluGrad", value: "x" },
  Sigmoid: { kernel: "InfoGanSigmoidGrad", value: "y" },
};
