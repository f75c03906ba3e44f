/**
 * Keras-exact optimizers over an explicit list of variables.
 *
 * Written here rather than taken from tfjs because (1) the book's
 * `RMSprop(lr, decay)` means Keras's inverse-time learning-rate decay
 * lr_t = lr / (1 + decay·t), while tfjs's `rmsprop(lr, decay)` is ρ; (2) the
 * update must follow Keras 3's formulas exactly (RMSprop divides by √(v + ε),
 * Adam by √v̂ + ε) for the parity test; and (3) a checkpoint needs the slot
 * variables and the iteration count, in a known order.
 */
import * as tf from "@tensorflow/tfjs";

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
  readonly #slots: tf.Variable[][];

  /** One slot set per variable in `vars`, in that order. */
  constructor(vars: tf.Variable[], options: OptimizerOptions) {
    this.options = {
      rho: 0.9,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      ...options,
    };
    this.#vars = vars;
    const perVar = options.kind === "adam" ? 2 : 1;
    this.#slots = vars.map((v) =>
      Array.from({ length: perVar }, () => {
        const zeros = tf.zerosLike(v);
        const slot = tf.variable(zeros, false);
        zeros.dispose(); // the variable holds its own reference to the data
        return slot;
      })
    );
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
    const { kind, rho, beta1, beta2, epsilon } = this.options;
    const lr = this.currentLr();
    const t = this.iterations + 1;
    tf.tidy(() => {
      this.#vars.forEach((v, i) => {
        const g = grads[i];
        const slots = this.#slots[i];
        if (kind === "rmsprop") {
          const ms = tf.add(tf.mul(slots[0], rho), tf.mul(tf.square(g), 1 - rho));
          slots[0].assign(ms);
          v.assign(tf.sub(v, tf.div(tf.mul(g, lr), tf.sqrt(tf.add(ms, epsilon)))));
        } else {
          const m = tf.add(tf.mul(slots[0], beta1), tf.mul(g, 1 - beta1));
          const s = tf.add(tf.mul(slots[1], beta2), tf.mul(tf.square(g), 1 - beta2));
          slots[0].assign(m);
          slots[1].assign(s);
          const alpha = lr * Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t);
          v.assign(tf.sub(v, tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(s), epsilon))));
        }
      });
    });
    this.iterations = t;
  }

  /** The slot variables, named by variable index and slot, for saving. */
  slots(): NamedSlot[] {
    return this.#slots.flatMap((s, i) =>
      s.map((tensor, j) => ({ name: `var${i}/slot${j}`, tensor }))
    );
  }

  /** Restores slots saved by {@linkcode Optimizer.slots}; checks every shape. */
  setSlots(values: NamedSlot[], source: string): void {
    const mine = this.slots();
    if (values.length !== mine.length) {
      throw new Error(
        `${source}: expected ${mine.length} optimizer slots, found ${values.length}`,
      );
    }
    mine.forEach((slot, i) => {
      const v = values[i];
      if (v.name !== slot.name || !shapesEqual(v.tensor.shape, slot.tensor.shape)) {
        throw new Error(
          `${source}: expected slot ${slot.name} of shape [${slot.tensor.shape}], found ${v.name} of shape [${v.tensor.shape}]`,
        );
      }
    });
    mine.forEach((slot, i) => (slot.tensor as tf.Variable).assign(values[i].tensor));
  }

  /** Frees the slot variables. */
  dispose(): void {
    this.#slots.flat().forEach((s) => s.dispose());
  }
}

/** Whether two shapes are identical. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
