/**
 * TensorFlow ops that tfjs-node has no kernel for, run eagerly through its
 * binding by name: resource variables (`VarHandleOp`, `AssignVariableOp`,
 * `ReadVariableOp`, `DestroyResourceOp`) and the fused optimizer updates
 * `ResourceApplyAdam` and `ResourceApplyRMSProp`, which do in one pass over a
 * variable what tfjs's composed ops do in a dozen.
 *
 * {@linkcode nativeOps} returns null on any other backend, so callers keep
 * tfjs's own path there.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  ACTIVATION_GRAD_KERNELS,
  BATCH_NORM_KERNELS,
  type FusedAdamAttrs,
  type FusedRmsPropAttrs,
  OPTIMIZER_KERNELS,
} from "./fused_names.ts";

/** The tfjs-node binding's attribute type codes and op entry point we use. */
interface Binding {
  TF_FLOAT: number;
  TF_ATTR_TYPE: number;
  TF_ATTR_SHAPE: number;
  TF_ATTR_STRING: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_FLOAT: number;
  executeOp: unknown;
}

/** An op attribute, as the binding takes it. */
interface Attr {
  name: string;
  type: number;
  value: number | boolean | string | number[];
}

/** The part of tfjs-node's backend these ops call. */
interface NodeBackend {
  binding: Binding;
  executeMultipleOutputs(
    name: string,
    attrs: Attr[],
    inputs: tf.Tensor[],
    numOutputs: number,
  ): tf.Tensor[];
}

/** A float32 resource variable living in TensorFlow, outside tfjs's memory. */
export interface NativeVariable {
  /** The resource handle, a tfjs `string` scalar. */
  readonly handle: tf.Tensor;
  readonly shape: readonly number[];
}

/** The native ops, bound to the active tensorflow backend. */
export interface NativeOps {
  /** A new resource variable holding a copy-on-write alias of `value`. */
  variable(value: tf.Tensor): NativeVariable;
  /** Replaces a variable's value (aliases `value`; TF copies before its next in-place update). */
  assign(v: NativeVariable, value: tf.Tensor): void;
  /** The variable's current value as a new tfjs tensor (an alias until the next update). */
  read(v: NativeVariable): tf.Tensor;
  /**
   * Keras's Adam on `v` in place, TF's `ResourceApplyAdam`:
   * m += (g − m)(1 − β1); s += (g² − s)(1 − β2); v −= α·m / (√s + ε),
   * α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ).
   */
  applyAdam(
    v: NativeVariable,
    m: NativeVariable,
    s: NativeVariable,
    grad: tf.Tensor,
    scalars: AdamScalars,
  ): void;
  /**
   * Keras's RMSprop (no momentum) on `v` in place, TF's `ResourceApplyRMSProp`:
   * ms += (g² − ms)(1 − ρ); mom = lr·g/√(ms + ε); v −= mom.
   */
  applyRmsProp(
    v: NativeVariable,
    ms: NativeVariable,
    mom: NativeVariable,
    grad: tf.Tensor,
    scalars: RmsPropScalars,
  ): void;
  /**
   * TF's `FusedBatchNormV3` in training mode on NHWC `x`: [y, batch mean,
   * batch variance (Bessel-corrected, as TF returns it), reserve 1–3].
   */
  batchNormTraining(
    x: tf.Tensor,
    scale: tf.Tensor,
    offset: tf.Tensor,
    epsilon: number,
  ): tf.Tensor[];
  /** TF's `FusedBatchNormGradV3` in training mode: [dx, dscale, doffset]. */
  batchNormTrainingGrad(
    inputs: { dy: tf.Tensor; x: tf.Tensor; scale: tf.Tensor; reserve: tf.Tensor[] },
    epsilon: number,
  ): tf.Tensor[];
  /** An activation's gradient op (`ReluGrad`, `LeakyReluGrad` with `alpha`, `SigmoidGrad`). */
  activationGrad(op: string, inputs: tf.Tensor[], alpha: number): tf.Tensor;
  /** Frees a variable's TensorFlow memory (the handle tensor stays the caller's). */
  destroyResource(v: NativeVariable): void;
}

/** The scalar inputs of one Adam update, shared by every variable of an optimizer. */
export interface AdamScalars {
  beta1Power: tf.Scalar;
  beta2Power: tf.Scalar;
  lr: tf.Scalar;
  beta1: tf.Scalar;
  beta2: tf.Scalar;
  epsilon: tf.Scalar;
}

/** The scalar inputs of one RMSprop update. */
export interface RmsPropScalars {
  lr: tf.Scalar;
  rho: tf.Scalar;
  momentum: tf.Scalar;
  epsilon: tf.Scalar;
}

let counter = 0;

/** The native kernels this project adds to the tensorflow backend, each switchable. */
export const NATIVE_KERNELS = ["optimizer", "batchnorm", "activations"] as const;

/** One of {@linkcode NATIVE_KERNELS}. */
export type NativeKernel = typeof NATIVE_KERNELS[number];

/** The environment variable that picks them: `all` (the default), `none` or a comma list. */
export const KERNELS_ENV = "INFOGAN_NATIVE_KERNELS";

/**
 * The native kernels that `value` (the {@linkcode KERNELS_ENV} syntax) turns
 * on; throws naming the variable on an unknown name.
 */
export function parseNativeKernels(value: string | undefined): Set<NativeKernel> {
  const text = (value ?? "all").trim();
  if (text === "" || text === "all") return new Set(NATIVE_KERNELS);
  if (text === "none") return new Set();
  const names = text.split(",").map((n) => n.trim());
  for (const n of names) {
    if (!(NATIVE_KERNELS as readonly string[]).includes(n)) {
      throw new Error(
        `${KERNELS_ENV}: expected all, none or a comma list of ${
          NATIVE_KERNELS.join(", ")
        }, found "${value}"`,
      );
    }
  }
  return new Set(names as NativeKernel[]);
}

let enabled: Set<NativeKernel> | null = null;

/** Whether `kernel` is on (read from {@linkcode KERNELS_ENV} once). */
export function nativeKernelEnabled(kernel: NativeKernel): boolean {
  if (!enabled) {
    let value: string | undefined;
    try {
      value = Deno.env.get(KERNELS_ENV);
    } catch (e) {
      // Without env permission the default holds.
      if (!(e instanceof Deno.errors.NotCapable)) throw e;
    }
    enabled = parseNativeKernels(value);
  }
  return enabled.has(kernel);
}

/**
 * The native ops when tfjs runs on the `tensorflow` backend and `kernel` is
 * enabled, else null.
 */
export function nativeOps(kernel: NativeKernel): NativeOps | null {
  if (tf.getBackend() !== "tensorflow" || !nativeKernelEnabled(kernel)) return null;
  const backend = tf.backend() as unknown as NodeBackend;
  const b = backend.binding;
  if (!b || typeof b.executeOp !== "function") return null;
  const run = (name: string, attrs: Attr[], inputs: tf.Tensor[], outputs: number) =>
    backend.executeMultipleOutputs(name, attrs, inputs, outputs);
  const dtype: Attr = { name: "dtype", type: b.TF_ATTR_TYPE, value: b.TF_FLOAT };
  const T: Attr = { name: "T", type: b.TF_ATTR_TYPE, value: b.TF_FLOAT };
  const noLocking: Attr = { name: "use_locking", type: b.TF_ATTR_BOOL, value: false };
  const assign = (v: NativeVariable, value: tf.Tensor) => {
    run("AssignVariableOp", [dtype], [v.handle, value], 0);
  };
  return {
    assign,
    variable(value) {
      const handle = run(
        "VarHandleOp",
        [
          dtype,
          { name: "shape", type: b.TF_ATTR_SHAPE, value: [...value.shape] },
          { name: "container", type: b.TF_ATTR_STRING, value: "" },
          // A unique name: TF's resource manager holds it until destroyResource().
          { name: "shared_name", type: b.TF_ATTR_STRING, value: `infogan_var_${counter++}` },
        ],
        [],
        1,
      )[0];
      const v = { handle, shape: value.shape };
      assign(v, value);
      return v;
    },
    read(v) {
      return run("ReadVariableOp", [dtype], [v.handle], 1)[0];
    },
    applyAdam(v, m, s, grad, k) {
      run("ResourceApplyAdam", [
        T,
        noLocking,
        { name: "use_nesterov", type: b.TF_ATTR_BOOL, value: false },
      ], [
        v.handle,
        m.handle,
        s.handle,
        k.beta1Power,
        k.beta2Power,
        k.lr,
        k.beta1,
        k.beta2,
        k.epsilon,
        grad,
      ], 0);
    },
    applyRmsProp(v, ms, mom, grad, k) {
      run("ResourceApplyRMSProp", [T, noLocking], [
        v.handle,
        ms.handle,
        mom.handle,
        k.lr,
        k.rho,
        k.momentum,
        k.epsilon,
        grad,
      ], 0);
    },
    batchNormTraining(x, scale, offset, epsilon) {
      const empty = tf.tensor1d([]);
      try {
        return run(
          "FusedBatchNormV3",
          [
            T,
            { name: "U", type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
            { name: "epsilon", type: b.TF_ATTR_FLOAT, value: epsilon },
            { name: "exponential_avg_factor", type: b.TF_ATTR_FLOAT, value: 1 },
            { name: "data_format", type: b.TF_ATTR_STRING, value: "NHWC" },
            { name: "is_training", type: b.TF_ATTR_BOOL, value: true },
          ],
          [x, scale, offset, empty, empty],
          6,
        );
      } finally {
        empty.dispose();
      }
    },
    batchNormTrainingGrad({ dy, x, scale, reserve }, epsilon) {
      const out = run(
        "FusedBatchNormGradV3",
        [
          T,
          { name: "U", type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
          { name: "epsilon", type: b.TF_ATTR_FLOAT, value: epsilon },
          { name: "data_format", type: b.TF_ATTR_STRING, value: "NHWC" },
          { name: "is_training", type: b.TF_ATTR_BOOL, value: true },
        ],
        [dy, x, scale, ...reserve],
        5,
      );
      // The last two outputs are placeholders.
      tf.dispose(out.slice(3));
      return out.slice(0, 3);
    },
    activationGrad(op, inputs, alpha) {
      const attrs = [T];
      if (op === "LeakyReluGrad") {
        attrs.push({ name: "alpha", type: b.TF_ATTR_FLOAT, value: alpha });
      }
      return run(op, attrs, inputs, 1)[0];
    },
    destroyResource(v) {
      run(
        "DestroyResourceOp",
        [
          { name: "ignore_lookup_error", type: b.TF_ATTR_BOOL, value: true },
        ],
        [v.handle],
        0,
      );
    },
  };
}

/**
 * An update's scalars (lr, β powers, constants), uploaded once per optimizer
 * step rather than once per variable. It keeps the last two sets, D's and
 * G's, so after each has stepped once its tensor count stays constant.
 */
class StepScalars {
  #entries: { key: string; scalars: Record<string, tf.Scalar> }[] = [];
  get<K extends string>(values: Record<K, number>): Record<K, tf.Scalar> {
    const key = JSON.stringify(values);
    let entry = this.#entries.find((e) => e.key === key);
    if (!entry) {
      const scalars = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, tf.keep(tf.scalar(v as number))]),
      );
      entry = { key, scalars };
      this.#entries.push(entry);
      if (this.#entries.length > 2) tf.dispose(Object.values(this.#entries.shift()!.scalars));
    }
    return entry.scalars as Record<K, tf.Scalar>;
  }
}

/** A kernel's tensor inputs, as tfjs passes them. */
type Inputs = Record<string, tf.TensorInfo>;

/**
 * Registers the fused kernels for the tensorflow backend (only), each unless
 * {@linkcode KERNELS_ENV} turns it off. Idempotent.
 */
export function registerNativeKernels(): void {
  if (nativeKernelEnabled("optimizer")) registerFusedOptimizer();
  if (nativeKernelEnabled("batchnorm")) registerFusedBatchNorm();
  if (nativeKernelEnabled("activations")) registerActivationGradients();
}

/** TF's op for each activation's gradient. */
const TF_ACTIVATION_GRADS: Record<keyof typeof ACTIVATION_GRAD_KERNELS, string> = {
  Relu: "ReluGrad",
  LeakyRelu: "LeakyReluGrad",
  Sigmoid: "SigmoidGrad",
};

/**
 * Registers the activation gradient kernels for the tensorflow backend as
 * TF's single ops, in place of tfjs's three to eight ops each
 * (infogan/activation_grads.ts makes the gradients use them).
 */
function registerActivationGradients(): void {
  for (const [activation, { kernel, value }] of Object.entries(ACTIVATION_GRAD_KERNELS)) {
    if (tf.getKernel(kernel, "tensorflow")) continue;
    const op = TF_ACTIVATION_GRADS[activation as keyof typeof ACTIVATION_GRAD_KERNELS];
    register(kernel, ({ dy, value: saved }, attrs) => {
      const a = [dy, saved] as tf.Tensor[];
      // TF's argument order: SigmoidGrad(y, dy); ReluGrad and LeakyReluGrad(dy, x).
      return activeOps("activations").activationGrad(
        op,
        value === "y" ? a.reverse() : a,
        attrs?.alpha ?? 0,
      );
    });
  }
}

/** The ops bound to each tensorflow backend instance, built once. */
const boundOps = new WeakMap<object, NativeOps>();

/** The native ops for a kernel that runs only on the tensorflow backend. */
function activeOps(kernel: NativeKernel): NativeOps {
  const backend = tf.backend();
  let o = boundOps.get(backend) ?? null;
  if (!o) {
    o = nativeOps(kernel);
    if (!o) throw new Error(`fused ${kernel}: the tensorflow backend is not active`);
    boundOps.set(backend, o);
  }
  return o;
}

/** Registers `kernelFunc` as `kernelName` for the tensorflow backend. */
function register(
  kernelName: string,
  kernelFunc: (inputs: Inputs, attrs: Record<string, number>) => tf.TensorInfo | tf.TensorInfo[],
): void {
  tf.registerKernel({
    kernelName,
    backendName: "tensorflow",
    kernelFunc: ({ inputs, attrs }) =>
      kernelFunc(inputs as Inputs, attrs as unknown as Record<string, number>),
  });
}

function registerFusedBatchNorm(): void {
  if (tf.getKernel(BATCH_NORM_KERNELS.forward, "tensorflow")) return;
  const t = (x: tf.TensorInfo) => x as tf.Tensor;
  register(BATCH_NORM_KERNELS.forward, ({ x, scale, offset }, { epsilon }) => {
    const out = activeOps("batchnorm").batchNormTraining(t(x), t(scale), t(offset), epsilon);
    // TF's batch variance is Bessel-corrected; tfjs's moving statistics use the biased one.
    const n = x.shape.slice(0, 3).reduce((a, b) => a * b, 1);
    const unbiased = out[2];
    out[2] = tf.mul(unbiased, n > 1 ? (n - 1) / n : 1);
    unbiased.dispose();
    return out;
  });
  register(
    BATCH_NORM_KERNELS.backward,
    ({ dy, x, scale, reserve1, reserve2, reserve3 }, { epsilon }) =>
      activeOps("batchnorm").batchNormTrainingGrad({
        dy: t(dy),
        x: t(x),
        scale: t(scale),
        reserve: [t(reserve1), t(reserve2), t(reserve3)],
      }, epsilon),
  );
}

function registerFusedOptimizer(): void {
  if (tf.getKernel(OPTIMIZER_KERNELS.adam, "tensorflow")) return;
  const scalars = new StepScalars();
  const ops = () => activeOps("optimizer");
  // A handle tensor stands for the resource variable it names.
  const variable = (t: tf.TensorInfo): NativeVariable => ({
    handle: t as tf.Tensor,
    shape: t.shape,
  });
  const tensor = (t: tf.TensorInfo) => t as tf.Tensor;
  register(OPTIMIZER_KERNELS.variable, ({ x }) => ops().variable(tensor(x)).handle);
  register(OPTIMIZER_KERNELS.read, ({ handle }) => ops().read(variable(handle)));
  register(OPTIMIZER_KERNELS.assign, ({ handle, x }) => {
    ops().assign(variable(handle), tensor(x));
    return [];
  });
  register(OPTIMIZER_KERNELS.destroy, ({ handle }) => {
    ops().destroyResource(variable(handle));
    return [];
  });
  // Copies x into the scratch variable v, updates it in place, and returns the result.
  const updated = (
    x: tf.TensorInfo,
    v: tf.TensorInfo,
    update: (target: NativeVariable) => void,
  ) => {
    const target = variable(v);
    ops().assign(target, tensor(x));
    update(target);
    return ops().read(target);
  };
  register(OPTIMIZER_KERNELS.adam, ({ x, v, m, s, grad }, attrs) => {
    const { lr, beta1, beta2, epsilon, t } = attrs as unknown as FusedAdamAttrs;
    const k = scalars.get({
      beta1Power: beta1 ** t,
      beta2Power: beta2 ** t,
      lr,
      beta1,
      beta2,
      epsilon,
    });
    return updated(
      x,
      v,
      (target) => ops().applyAdam(target, variable(m), variable(s), tensor(grad), k),
    );
  });
  register(OPTIMIZER_KERNELS.rmsprop, ({ x, v, ms, mom, grad }, attrs) => {
    const { lr, rho, epsilon } = attrs as unknown as FusedRmsPropAttrs;
    const k = scalars.get({ lr, rho, momentum: 0, epsilon });
    return updated(
      x,
      v,
      (target) => ops().applyRmsProp(target, variable(ms), variable(mom), tensor(grad), k),
    );
  });
}
