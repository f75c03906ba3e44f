/**
 * Keras-exact optimizers over an explicit list of variables.
 *
 * Written here rather than taken from tfjs because (1) the book's
 * `RMSprop(lr, decay)` means Keras's inverse-time learning-rate decay
 * lr_t = lr / (1 + decay·t), while tfjs's `rmsprop(lr, decay)` is ρ; (2) the
 * update must follow Keras 3's formulas exactly (RMSprop divides by √(v + ε),
 * Adam by √v̂ + ε) for the parity test; and (3) a checkpoint needs the slot
 * variables and the iteration count, in a known order.
 *
 * On a backend that registers the {@linkcode FUSED} kernels (the tensorflow
 * backend does, in backends/tensorflow_ops.ts), each variable's update is one
 * native op, TF's `ResourceApplyAdam` or `ResourceApplyRMSProp`, with the
 * slots held by TensorFlow; elsewhere it is a dozen tfjs ops per variable.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * The kernels a backend registers to update a variable in one op. A slot is
 * a resource variable: `variable` makes one from `{x}` and returns its handle,
 * `read` (`{handle}`) returns its value, `assign` (`{handle, x}`) sets it and
 * `destroy` (`{handle}`) frees it. `adam` and `rmsprop` take the variable's
 * value `x`, a scratch handle `v` to update it in, the slot handles and the
 * gradient, and return the updated value; their scalars come as attributes.
 */
export const FUSED = {
  variable: "InfoGanVariable",
  read: "InfoGanReadVariable",
  assign: "InfoGanAssignVariable",
  destroy: "InfoGanDestroyVariable",
  /** Inputs {x, v, m, s, grad}; attributes {lr, beta1, beta2, epsilon, t}. */
  adam: "InfoGanApplyAdam",
  /** Inputs {x, v, ms, mom, grad}; attributes {lr, rho, epsilon}. */
  rmsprop: "InfoGanApplyRMSProp",
} as const;

/** The attributes of the {@linkcode FUSED} `adam` kernel. */
export interface FusedAdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** The update's iteration, from 1, for the bias correction. */
  t: number;
}

/** The attributes of the {@linkcode FUSED} `rmsprop` kernel. */
export interface FusedRmsPropAttrs {
  lr: number;
  rho: number;
  epsilon: number;
}

/** Whether the active backend has the {@linkcode FUSED} kernels. */
function fusedAvailable(): boolean {
  return tf.getKernel(FUSED.adam, tf.getBackend()) !== undefined;
}

/** Runs a {@linkcode FUSED} kernel. */
function runFused(
  name: string,
  inputs: tf.NamedTensorMap,
  attrs: Record<string, number> = {},
): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** Hyperparameters of {@linkcode Optimizer}. */
export interface OptimizerOptions {
  kind: "rmsprop" | "adam";
  /** Base learning rate. */
  lr: number;
  /** Keras legacy inverse-time decay per iteration. */
  decay: number;
  /** RMSprop's ρ. */
  rho?: number;
  /** Adam's β1. */
  beta1?: number;
  /** Adam's β2. */
  beta2?: number;
  /** Keras's ε: inside the root for RMSprop, added to it for Adam. */
  epsilon?: number;
  /** Use the backend's {@linkcode FUSED} kernels (default: when it has them). */
  fused?: boolean;
}

/** A named slot tensor, for checkpoints. */
export interface NamedSlot {
  name: string;
  tensor: tf.Tensor;
}

/** RMSprop or Adam updating a fixed list of variables. */
export class Optimizer {
  readonly options: Required<OptimizerOptions>;
  /** Updates applied so far (Keras's `iterations`). */
  iterations = 0;
  readonly #vars: tf.Variable[];
  /** The saved slots per variable: m and v for Adam, the mean square for RMSprop. */
  readonly #slots: tf.Variable[][];
  /**
   * With the fused kernels: per variable, a scratch handle to update it in,
   * then the saved slots' handles (then RMSprop's unsaved momentum).
   */
  readonly #handles: tf.Tensor[][];
  /** Fused slots read by {@linkcode Optimizer.slots}, valid until the next update. */
  #slotView: NamedSlot[] | null = null;
  /** tfjs's path: the constants as scalars, uploaded once. */
  readonly #constants: Record<string, tf.Scalar> = {};

  /** One slot set per variable in `vars`, in that order. */
  constructor(vars: tf.Variable[], options: OptimizerOptions) {
    this.options = {
      rho: 0.9,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      fused: fusedAvailable(),
      ...options,
    };
    this.#vars = vars;
    const saved = options.kind === "adam" ? 2 : 1;
    const fused = this.options.fused;
    if (fused && !fusedAvailable()) {
      throw new Error(`Optimizer: backend ${tf.getBackend()} has no fused kernels`);
    }
    this.#slots = fused ? [] : vars.map((v) =>
      Array.from({ length: saved }, () => {
        const zeros = tf.zerosLike(v);
        const slot = tf.variable(zeros, false);
        zeros.dispose(); // the variable holds its own reference to the data
        return slot;
      })
    );
    // Adam: scratch, m, s. RMSprop: scratch, mean square, and the kernel's
    // momentum slot, which at momentum 0 is scratch too.
    const handles = 3;
    this.#handles = fused
      ? vars.map((v) =>
        tf.tidy(() => {
          const zeros = tf.zerosLike(v);
          return Array.from(
            { length: handles },
            (_, j) => tf.keep(runFused(FUSED.variable, { x: j === 0 ? v : zeros })),
          );
        })
      )
      : [];
  }

  /** The learning rate the next update uses. */
  currentLr(): number {
    return this.options.lr / (1 + this.options.decay * this.iterations);
  }

  /** Applies one update; `grads[i]` belongs to the i-th variable. */
  apply(grads: tf.Tensor[]): void {
    if (grads.length !== this.#vars.length) {
      throw new Error(
        `Optimizer.apply: expected ${this.#vars.length} gradients, found ${grads.length}`,
      );
    }
    this.#dropSlotView();
    const t = this.iterations + 1;
    if (this.#handles.length > 0) this.#applyFused(grads, t);
    else this.#applyComposed(grads, t);
    this.iterations = t;
  }

  /** One fused kernel call per variable. */
  #applyFused(grads: tf.Tensor[], t: number): void {
    const { kind, rho, beta1, beta2, epsilon } = this.options;
    const lr = this.currentLr();
    tf.tidy(() => {
      this.#vars.forEach((x, i) => {
        const [v, a, b] = this.#handles[i];
        const updated = kind === "adam"
          ? runFused(
            FUSED.adam,
            { x, v, m: a, s: b, grad: grads[i] },
            {
              lr,
              beta1,
              beta2,
              epsilon,
              t,
            } satisfies FusedAdamAttrs as unknown as Record<string, number>,
          )
          : runFused(
            FUSED.rmsprop,
            { x, v, ms: a, mom: b, grad: grads[i] },
            {
              lr,
              rho,
              epsilon,
            } satisfies FusedRmsPropAttrs as unknown as Record<string, number>,
          );
        x.assign(updated);
      });
    });
  }

  /** tfjs's ops: about a dozen per variable. */
  #applyComposed(grads: tf.Tensor[], t: number): void {
    const { kind, rho, beta1, beta2, epsilon } = this.options;
    const k = (name: string, value: number) =>
      (this.#constants[name] ??= tf.keep(tf.scalar(value))) as tf.Scalar;
    const lr = this.currentLr();
    tf.tidy(() => {
      this.#vars.forEach((v, i) => {
        const g = grads[i];
        const slots = this.#slots[i];
        if (kind === "rmsprop") {
          const ms = tf.add(
            tf.mul(slots[0], k("rho", rho)),
            tf.mul(tf.square(g), k("1-rho", 1 - rho)),
          );
          slots[0].assign(ms);
          v.assign(tf.sub(v, tf.div(tf.mul(g, lr), tf.sqrt(tf.add(ms, k("eps", epsilon))))));
        } else {
          const m = tf.add(tf.mul(slots[0], k("b1", beta1)), tf.mul(g, k("1-b1", 1 - beta1)));
          const s = tf.add(
            tf.mul(slots[1], k("b2", beta2)),
            tf.mul(tf.square(g), k("1-b2", 1 - beta2)),
          );
          slots[0].assign(m);
          slots[1].assign(s);
          const alpha = lr * Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t);
          v.assign(tf.sub(v, tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(s), k("eps", epsilon)))));
        }
      });
    });
  }

  /**
   * The saved slot variables, named by variable index and slot. With the
   * fused kernels they are read from TensorFlow and stay valid until the
   * next update or {@linkcode Optimizer.dispose}; the optimizer owns them.
   */
  slots(): NamedSlot[] {
    if (this.#handles.length === 0) {
      return this.#slots.flatMap((s, i) =>
        s.map((tensor, j) => ({ name: `var${i}/slot${j}`, tensor }))
      );
    }
    this.#slotView ??= this.#handles.flatMap((h, i) =>
      h.slice(1, 1 + this.#savedPerVar()).map((handle, j) => ({
        name: `var${i}/slot${j}`,
        tensor: tf.keep(runFused(FUSED.read, { handle })),
      }))
    );
    return this.#slotView;
  }

  /** Saved slots per variable: m and v for Adam, the mean square for RMSprop. */
  #savedPerVar(): number {
    return this.options.kind === "adam" ? 2 : 1;
  }

  /** Restores slots saved by {@linkcode Optimizer.slots}; checks every shape. */
  setSlots(values: NamedSlot[], source: string): void {
    const expected = this.#vars.flatMap((v, i) =>
      Array.from({ length: this.#savedPerVar() }, (_, j) => ({ name: `var${i}/slot${j}`, v }))
    );
    if (values.length !== expected.length) {
      throw new Error(
        `${source}: expected ${expected.length} optimizer slots, found ${values.length}`,
      );
    }
    expected.forEach((slot, i) => {
      const v = values[i];
      if (v.name !== slot.name || !shapesEqual(v.tensor.shape, slot.v.shape)) {
        throw new Error(
          `${source}: expected slot ${slot.name} of shape [${slot.v.shape}], found ${v.name} of shape [${v.tensor.shape}]`,
        );
      }
    });
    this.#dropSlotView();
    const per = this.#savedPerVar();
    values.forEach((value, n) => {
      const [i, j] = [Math.floor(n / per), n % per];
      if (this.#handles.length > 0) {
        runFused(FUSED.assign, { handle: this.#handles[i][1 + j], x: value.tensor });
      } else this.#slots[i][j].assign(value.tensor);
    });
  }

  #dropSlotView(): void {
    if (this.#slotView) tf.dispose(this.#slotView.map((s) => s.tensor));
    this.#slotView = null;
  }

  /** Frees the slots and constants. */
  dispose(): void {
    this.#dropSlotView();
    this.#slots.flat().forEach((s) => s.dispose());
    for (const handle of this.#handles.flat()) {
      runFused(FUSED.destroy, { handle });
      handle.dispose();
    }
    tf.dispose(Object.values(this.#constants));
  }
}

/** Whether two shapes are identical. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
