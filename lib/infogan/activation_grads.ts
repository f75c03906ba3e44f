/**
 * The ReLU, LeakyReLU and sigmoid gradients as one kernel each, on a backend
 * that registers the {@linkcode ACTIVATION_GRADS} kernels (the tensorflow
 * backend does with TF's `ReluGrad`, `LeakyReluGrad` and `SigmoidGrad`, the
 * wasm backend with one loop over its heap; see backends/fused_names.ts).
 * step.ts turns this on for every training step. tfjs composes each from three
 * to eight ops (`Step`, `Greater`, `Select`, `Mul`, `Cast`). Every other
 * backend keeps tfjs's own gradient.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Per activation: its kernel, which takes {dy, value} and attribute {alpha}
 * (LeakyReLU's slope, 0 otherwise) and returns dx, and which of the
 * activation's tensors `value` is: its input x, or its output y.
 *
 * - `Relu`: dx = dy·[x > 0]
 * - `LeakyRelu`: dx = dy·[x > 0] + α·dy·[x ≤ 0]
 * - `Sigmoid`: dx = dy·y·(1 − y)
 */
export const ACTIVATION_GRADS = {
  Relu: { kernel: "InfoGanReluGrad", value: "x" },
  LeakyRelu: { kernel: "InfoGanLeakyReluGrad", value: "x" },
  Sigmoid: { kernel: "InfoGanSigmoidGrad", value: "y" },
} as const;

/** The activations whose gradient {@linkcode useActivationGradKernels} has replaced. */
const replaced = new Set<string>();

/**
 * Makes the ReLU, LeakyReLU and sigmoid gradients run their
 * {@linkcode ACTIVATION_GRADS} kernel whenever the active backend has it,
 * and tfjs's own gradient otherwise. Idempotent.
 */
export function useActivationGradKernels(): void {
  for (const [activation, { kernel }] of Object.entries(ACTIVATION_GRADS)) {
    if (replaced.has(activation)) continue;
    const tfjs = tf.getGradient(activation);
    if (!tfjs) throw new Error(`activation gradients: tfjs has no gradient for ${activation}`);
    replaced.add(activation);
    tf.registerGradient({
      ...tfjs,
      gradFunc: (dy, saved, attrs) => {
        if (!tf.getKernel(kernel, tf.getBackend())) return tfjs.gradFunc(dy, saved, attrs);
        const alpha = (attrs as { alpha?: number } | undefined)?.alpha ?? 0;
        return {
          x: () =>
            tf.engine().runKernel(
              kernel,
              { dy: dy as tf.Tensor, value: saved[0] },
              { alpha } as unknown as tf.NamedAttrMap,
            ) as tf.Tensor,
        };
      },
    });
  }
}
