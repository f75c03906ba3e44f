/**
 * The fused training kernels that infogan/ asks a backend for (fused_names.ts),
 * on the wasm backend: training-mode BatchNorm each way, the activation
 * gradients and the optimizer's update, each one JavaScript loop over the tensors' data
 * on the wasm heap. tfjs composes them from many small kernels, each a full
 * pass over the tensor: about twenty per BatchNorm, three per activation
 * gradient, a dozen per optimizer update. The tensorflow backend registers
 * the same kernels as TF ops (tensorflow_ops.ts); every other backend keeps
 * tfjs's own path. `INFOGAN_NATIVE_KERNELS` turns each group off, as there.
 *
 * A kernel allocates its outputs first and only then takes views of the
 * heap, because an allocation can grow (and move) it. Sums run in float64.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  ACTIVATION_GRAD_KERNELS,
  BATCH_NORM_KERNELS,
  type FusedAdamAttrs,
  type FusedRmsPropAttrs,
  OPTIMIZER_KERNELS,
} from "./fused_names.ts";
import { nativeKernelEnabled } from "./tensorflow_ops.ts";

/** What the engine hands a wasm kernel. */
interface Args {
  inputs: Record<string, tf.TensorInfo>;
  backend: BackendWasm;
  attrs: Record<string, number>;
}

/**
 * Registers the fused kernels for the wasm backend, each group unless
 * `INFOGAN_NATIVE_KERNELS` turns it off. Idempotent.
 */
export function registerWasmFusedKernels(): void {
  if (nativeKernelEnabled("batchnorm")) {
    register(BATCH_NORM_KERNELS.forward, batchNormTraining);
    register(BATCH_NORM_KERNELS.backward, batchNormTrainingGrad);
  }
  if (nativeKernelEnabled("activations")) {
    register(ACTIVATION_GRAD_KERNELS.Relu.kernel, reluGrad);
    register(ACTIVATION_GRAD_KERNELS.LeakyRelu.kernel, leakyReluGrad);
    register(ACTIVATION_GRAD_KERNELS.Sigmoid.kernel, sigmoidGrad);
  }
  if (nativeKernelEnabled("optimizer")) {
    register(OPTIMIZER_KERNELS.variable, ({ inputs, backend }) => copy(backend, inputs.x));
    register(OPTIMIZER_KERNELS.read, ({ inputs, backend }) => copy(backend, inputs.handle));
    register(OPTIMIZER_KERNELS.assign, ({ inputs, backend }) => {
      checkSizes("assign", [inputs.handle, inputs.x]);
      heap(backend, inputs.handle).set(heap(backend, inputs.x));
      return [];
    });
    register(OPTIMIZER_KERNELS.destroy, () => []); // the handle is the optimizer's tensor; it disposes it
    register(OPTIMIZER_KERNELS.adam, adam);
    register(OPTIMIZER_KERNELS.rmsprop, rmsprop);
  }
}

/** Registers `kernelFunc` as `kernelName` for wasm, unless it already is. */
function register(kernelName: string, kernelFunc: (args: Args) => tf.TensorInfo | tf.TensorInfo[]) {
  if (tf.getKernel(kernelName, "wasm")) return;
  tf.registerKernel({
    kernelName,
    backendName: "wasm",
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
  });
}

/** A float32 tensor's data, as a view of the wasm heap. */
function heap(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  if (t.dtype !== "float32") {
    throw new Error(`fused kernel (wasm): expected a float32 tensor, found ${t.dtype}`);
  }
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Throws unless every tensor has as many elements as the first. */
function checkSizes(kernel: string, tensors: tf.TensorInfo[]): void {
  const size = tf.util.sizeFromShape(tensors[0].shape);
  for (const t of tensors) {
    if (tf.util.sizeFromShape(t.shape) !== size) {
      throw new Error(
        `${kernel} (wasm): expected tensors of shape [${tensors[0].shape}], found [${t.shape}]`,
      );
    }
  }
}

/** A new tensor holding a copy of `x`. */
function copy(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  const out = backend.makeOutput(x.shape, "float32");
  heap(backend, out).set(heap(backend, x));
  return out;
}

/**
 * The heap views of an activation gradient's {dy, value} and of its new
 * output dx. Each gradient below is its own loop: one loop taking the
 * formula as a function would call it through a shared call site, which V8
 * does not inline, at some 20 ns per element.
 */
function activationViews({ inputs, backend }: Args) {
  checkSizes("activation gradient", [inputs.dy, inputs.value]);
  const out = backend.makeOutput(inputs.dy.shape, "float32");
  const [dy, value, dx] = [inputs.dy, inputs.value, out].map((t) => heap(backend, t));
  return { out, dy, value, dx };
}

/** ReLU's gradient: dx = x > 0 ? dy : 0. */
function reluGrad(args: Args): tf.TensorInfo {
  const { out, dy, value: x, dx } = activationViews(args);
  for (let i = 0; i < dx.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
  return out;
}

/** LeakyReLU's gradient: dx = x > 0 ? dy : α·dy. */
function leakyReluGrad(args: Args): tf.TensorInfo {
  const { out, dy, value: x, dx } = activationViews(args);
  const alpha = args.attrs.alpha;
  for (let i = 0; i < dx.length; i++) dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i];
  return out;
}

/** The sigmoid's gradient from its output y: dx = dy·y·(1 − y). */
function sigmoidGrad(args: Args): tf.TensorInfo {
  const { out, dy, value: y, dx } = activationViews(args);
  for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
  return out;
}

/**
 * Training-mode BatchNorm over every axis but the last: inputs {x, scale,
 * offset}, attribute {epsilon}; returns [y, mean, biased variance, mean,
 * 1/√(variance + ε), an unused scalar], the last three being the reserve
 * tensors the gradient reads. One pass sums x − x₀ and (x − x₀)² per channel
 * (shifted by the first row x₀, so the variance does not cancel), one pass
 * writes y = x·a + b with a = γ/√(σ² + ε) and b = β − μ·a.
 */
function batchNormTraining({ inputs, backend, attrs }: Args): tf.TensorInfo[] {
  const { x, scale, offset } = inputs;
  const c = x.shape[x.shape.length - 1];
  const size = tf.util.sizeFromShape(x.shape);
  const rows = size / c;
  for (const [name, t] of [["scale", scale], ["offset", offset]] as const) {
    if (tf.util.sizeFromShape(t.shape) !== c) {
      throw new Error(`BatchNorm (wasm): expected ${name} of shape [${c}], found [${t.shape}]`);
    }
  }
  const outs = [
    backend.makeOutput(x.shape, "float32"),
    ...[0, 1, 2, 3].map(() => backend.makeOutput([c], "float32")),
    backend.makeOutput([], "float32"),
  ];
  const [xs, gamma, beta] = [x, scale, offset].map((t) => heap(backend, t));
  const [y, mean, variance, reserveMean, invStd] = outs.map((t) => heap(backend, t));
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  for (let off = 0; off < size; off += c) {
    for (let j = 0; j < c; j++) {
      const d = xs[off + j] - xs[j];
      s1[j] += d;
      s2[j] += d * d;
    }
  }
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const shift = s1[j] / rows;
    const mu = xs[j] + shift;
    const v = Math.max(0, s2[j] / rows - shift * shift);
    const inv = 1 / Math.sqrt(v + attrs.epsilon);
    mean[j] = reserveMean[j] = mu;
    variance[j] = v;
    invStd[j] = inv;
    a[j] = gamma[j] * inv;
    b[j] = beta[j] - mu * a[j];
  }
  for (let off = 0; off < size; off += c) {
    for (let j = 0; j < c; j++) y[off + j] = xs[off + j] * a[j] + b[j];
  }
  return outs;
}

/**
 * The gradient of {@linkcode batchNormTraining}: inputs {dy, x, scale,
 * reserve1 (μ), reserve2 (1/√(σ² + ε)), reserve3}; returns [dx, dγ, dβ]. With
 * x̂ = (x − μ)/√(σ² + ε) and N rows: dβ = Σ dy, dγ = Σ dy·x̂, and
 * dx = γ/√(σ² + ε) · (dy − dβ/N − x̂·dγ/N), the statistics' own gradient
 * included. One pass for the sums, one for dx = dy·p + x·q + r per channel.
 */
function batchNormTrainingGrad({ inputs, backend }: Args): tf.TensorInfo[] {
  const { dy, x, scale, reserve1, reserve2 } = inputs;
  checkSizes("BatchNorm gradient", [dy, x]);
  const c = x.shape[x.shape.length - 1];
  const size = tf.util.sizeFromShape(x.shape);
  const rows = size / c;
  const outs = [
    backend.makeOutput(x.shape, "float32"),
    backend.makeOutput([c], "float32"),
    backend.makeOutput([c], "float32"),
  ];
  const [dys, xs, gamma, mu, inv] = [dy, x, scale, reserve1, reserve2].map((t) => heap(backend, t));
  const [dx, dGamma, dBeta] = outs.map((t) => heap(backend, t));
  const sumDy = new Float64Array(c);
  const sumDyX = new Float64Array(c); // Σ dy·(x − μ)
  for (let off = 0; off < size; off += c) {
    for (let j = 0; j < c; j++) {
      const g = dys[off + j];
      sumDy[j] += g;
      sumDyX[j] += g * (xs[off + j] - mu[j]);
    }
  }
  const p = new Float64Array(c);
  const q = new Float64Array(c);
  const r = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    dBeta[j] = sumDy[j];
    dGamma[j] = sumDyX[j] * inv[j];
    p[j] = gamma[j] * inv[j];
    // dx = p·(dy − Σdy/N − (x − μ)·inv²·Σdy(x − μ)/N)
    q[j] = -p[j] * inv[j] * inv[j] * sumDyX[j] / rows;
    r[j] = -p[j] * sumDy[j] / rows - q[j] * mu[j];
  }
  for (let off = 0; off < size; off += c) {
    for (let j = 0; j < c; j++) dx[off + j] = dys[off + j] * p[j] + xs[off + j] * q[j] + r[j];
  }
  return outs;
}

/**
 * Keras's Adam, as the composed path computes it: m = β1·m + (1 − β1)·g,
 * s = β2·s + (1 − β2)·g², x − α·m/(√s + ε) with α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ).
 * Updates the slot tensors m and s in place (the optimizer's own, made by
 * the `variable` kernel) and returns the new x.
 */
function adam({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const { x, m, s, grad } = inputs;
  checkSizes("Adam", [x, m, s, grad]);
  const { lr, beta1, beta2, epsilon, t } = attrs as unknown as FusedAdamAttrs;
  const alpha = lr * Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t);
  const out = backend.makeOutput(x.shape, "float32");
  const [xs, ms, ss, g, next] = [x, m, s, grad, out].map((t) => heap(backend, t));
  for (let i = 0; i < xs.length; i++) {
    const mi = ms[i] = beta1 * ms[i] + (1 - beta1) * g[i];
    const si = ss[i] = beta2 * ss[i] + (1 - beta2) * g[i] * g[i];
    next[i] = xs[i] - alpha * mi / (Math.sqrt(si) + epsilon);
  }
  return out;
}

/**
 * Keras's RMSprop with no momentum: ms = ρ·ms + (1 − ρ)·g²,
 * x − lr·g/√(ms + ε). Updates the slot ms in place; returns the new x.
 */
function rmsprop({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const { x, ms, grad } = inputs;
  checkSizes("RMSprop", [x, ms, grad]);
  const { lr, rho, epsilon } = attrs as unknown as FusedRmsPropAttrs;
  const out = backend.makeOutput(x.shape, "float32");
  const [xs, mss, g, next] = [x, ms, grad, out].map((t) => heap(backend, t));
  for (let i = 0; i < xs.length; i++) {
    const v = mss[i] = rho * mss[i] + (1 - rho) * g[i] * g[i];
    next[i] = xs[i] - lr * g[i] / Math.sqrt(v + epsilon);
  }
  return out;
}
