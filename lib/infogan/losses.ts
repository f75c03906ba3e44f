/**
 * The losses of InfoGAN. Sign convention: every function returns a quantity
 * to *minimise*, averaged over the batch.
 *
 * InfoGAN maximises the variational lower bound (paper eq. 4)
 *   L_I(G, Q) = E_{c~P(c), x~G(z,c)}[log Q(c|x)] + H(c) ≤ I(c; G(z, c)).
 * H(c) is fixed by the prior, so maximising L_I is minimising
 * E[-log Q(c|x)]: a cross-entropy for the discrete code and a negative
 * log-likelihood for the continuous ones.
 */
import * as tf from "@tensorflow/tfjs";

/** Keras's `K.epsilon()`, used for clipping exactly as Keras does. */
export const EPSILON = 1e-7;

/**
 * Binary cross-entropy of probabilities `p` against targets `y` (1 = real),
 * with Keras's clipping to [ε, 1-ε]: mean over the batch of
 * -(y·log p + (1-y)·log(1-p)).
 */
export function binaryCrossEntropy(y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const q = tf.clipByValue(p, EPSILON, 1 - EPSILON);
    const ll = tf.add(
      tf.mul(y, tf.log(q)),
      tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q))),
    );
    return tf.neg(tf.mean(ll));
  });
}

/**
 * Binary cross-entropy from logits x, the stable form Keras uses for a
 * sigmoid output: mean of max(x, 0) - x·y + log(1 + e^-|x|).
 */
export function binaryCrossEntropyFromLogits(y: tf.Tensor, x: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    tf.mean(
      tf.add(tf.sub(tf.relu(x), tf.mul(x, y)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))),
    )
  );
}

/**
 * The categorical MI loss from logits: mean over the batch of
 * -Σ c·log softmax(logits), as Keras computes it for a softmax output.
 */
export function categoricalMiLossFromLogits(c: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(c, tf.logSoftmax(logits)), -1))));
}

/**
 * The categorical MI loss E[-log Q(c|x)] for a one-hot code `c` and Q's
 * softmax output `q`: Keras's categorical cross-entropy (normalise q, clip to
 * [ε, 1-ε], then mean over the batch of -Σ c·log q). It is 0 when Q puts all
 * its mass on c, and ln K for a uniform Q over K categories.
 */
export function categoricalMiLoss(c: tf.Tensor, q: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const norm = tf.div(q, tf.sum(q, -1, true));
    const logq = tf.log(tf.clipByValue(norm, EPSILON, 1 - EPSILON));
    return tf.neg(tf.mean(tf.sum(tf.mul(c, logq), -1)));
  });
}

/**
 * The book's continuous-code loss, `mi_loss`: mean over the batch of
 * -Σ c·log(q + ε). With a sigmoid q and c ~ N(0, σ), this is *not* a
 * log-likelihood: positive codes reward a large q, negative codes a small one,
 * so the head learns the code's sign rather than its value.
 * It is kept because the book trains with it; see {@linkcode gaussianNll}.
 */
export function bookMiLoss(c: tf.Tensor, q: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.log(tf.add(q, EPSILON)), c), -1))));
}

/** Options for {@linkcode gaussianNll}. */
export interface GaussianNllOptions {
  /** log σ per element; omitted means σ = 1 (a fixed-variance Q). */
  logStd?: tf.Tensor;
}

/**
 * Negative log-likelihood of `c` under the factored Gaussian
 * Q(c|x) = Π_i N(c_i; μ_i, σ_i²) that the paper uses for continuous codes:
 * mean over the batch of Σ_i [½·log 2π + log σ_i + (c_i - μ_i)² / (2σ_i²)].
 */
export function gaussianNll(
  c: tf.Tensor,
  mean: tf.Tensor,
  options: GaussianNllOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const half = 0.5 * Math.log(2 * Math.PI);
    const diff = tf.sub(c, mean);
    let per: tf.Tensor;
    if (options.logStd) {
      const inv = tf.exp(tf.neg(options.logStd));
      per = tf.add(
        tf.add(half, options.logStd),
        tf.mul(0.5, tf.square(tf.mul(diff, inv))),
      );
    } else {
      per = tf.add(half, tf.mul(0.5, tf.square(diff)));
    }
    return tf.mean(tf.sum(per, -1));
  });
}

/** The lowest log σ a learned Gaussian head can reach: σ ≥ e^-3 ≈ 0.05. */
export const LOG_STD_FLOOR = -3;

/**
 * log σ from a raw head output, softly floored:
 * LOG_STD_FLOOR + softplus(raw - LOG_STD_FLOOR). It follows `raw` well above
 * the floor, never goes below it, and keeps a gradient everywhere (a hard
 * clip would freeze a head that overshoots). A raw 0 gives log σ ≈ 0.05.
 */
export function flooredLogStd(raw: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(LOG_STD_FLOOR, tf.softplus(tf.sub(raw, LOG_STD_FLOOR))));
}

/** H(c) of a uniform categorical code with `k` categories: ln k nats. */
export function categoricalEntropy(k: number): number {
  return Math.log(k);
}

/**
 * The MI lower bound L_I = H(c) - E[-log Q(c|x)] for a uniform categorical
 * code, from the measured cross-entropy `ce` (nats). It reaches H(c) when Q
 * recovers the code perfectly.
 */
export function miLowerBound(ce: number, k: number): number {
  return categoricalEntropy(k) - ce;
}

/**
 * Not the paper's method: the consistency term, −I(a; b) between Q's
 * categories `a` and `b` of two shifted copies of the same real images
 * (IIC, Ji et al. 2019, eq. 3). From the logits of the two copies,
 * P = (1/n) Σ_i softmax(a_i) softmax(b_i)ᵀ is their joint distribution over
 * category pairs, symmetrised as (P + Pᵀ)/2, and
 *   I(a; b) = Σ_jk P_jk (ln P_jk − ln P_j − ln P_k).
 * It is largest, ln k, when each image's copies land in the same category
 * with certainty and the categories are used equally, so minimising −I
 * asks for agreement without letting every image share one category. Cells
 * are floored at `EPSILON` before the logarithm, as IIC does.
 *
 * As I(a; b) = H(a) + H(b) − H(a, b), `entropyWeight` λ (default 1) weighs
 * the two marginal entropies: Σ_jk P_jk (ln P_jk − λ ln P_j − λ ln P_k).
 * Above 1 it favours categories of equal size more than agreement does, as
 * IIC's code allows (its `lamb`): a category that holds two digits is larger
 * than its share.
 */
export function consistencyLoss(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  options: { entropyWeight?: number } = {},
): tf.Scalar {
  const lambda = options.entropyWeight ?? 1;
  return tf.tidy(() => {
    const n = a.shape[0];
    const joint = tf.div(tf.matMul(tf.softmax(a), tf.softmax(b), true, false), n);
    const p = tf.maximum(tf.div(tf.add(joint, tf.transpose(joint)), 2), EPSILON);
    const pj = tf.sum(p, 1, true);
    const pk = tf.sum(p, 0, true);
    // λ = 1 keeps the plain operations, so recorded runs repeat bit for bit.
    const ratio = lambda === 1
      ? tf.sub(tf.sub(tf.log(p), tf.log(pj)), tf.log(pk))
      : tf.sub(tf.log(p), tf.mul(tf.add(tf.log(pj), tf.log(pk)), lambda));
    const mi = tf.sum(tf.mul(p, ratio));
    return tf.neg(mi) as tf.Scalar;
  });
}
