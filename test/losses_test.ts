import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals } from "@std/assert";
import {
  binaryCrossEntropy,
  binaryCrossEntropyFromLogits,
  bookMiLoss,
  categoricalMiLoss,
  categoricalMiLossFromLogits,
  consistencyLoss,
  flooredLogStd,
  gaussianNll,
  LOG_STD_FLOOR,
  miLowerBound,
} from "../lib/infogan/losses.ts";

await tf.setBackend("cpu");
const value = (t: tf.Tensor) => t.dataSync()[0];
const LN2PI_HALF = 0.5 * Math.log(2 * Math.PI);

Deno.test("binaryCrossEntropy() matches -(ln 0.8 + ln 0.6)/2 computed by hand", () => {
  const loss = binaryCrossEntropy(tf.tensor2d([[1], [0]]), tf.tensor2d([[0.8], [0.4]]));
  assertAlmostEquals(value(loss), (-Math.log(0.8) - Math.log(0.6)) / 2, 1e-6);
});

Deno.test("binaryCrossEntropy() clips p like Keras, so p = 0 gives -ln 1e-7", () => {
  const loss = binaryCrossEntropy(tf.tensor2d([[1]]), tf.tensor2d([[0]]));
  assertAlmostEquals(value(loss), -Math.log(1e-7), 1e-3);
});

Deno.test("categoricalMiLoss() is the batch mean of -ln q[c] computed by hand", () => {
  const c = tf.tensor2d([[0, 1, 0], [1, 0, 0]]);
  const q = tf.tensor2d([[0.2, 0.5, 0.3], [0.25, 0.25, 0.5]]);
  assertAlmostEquals(value(categoricalMiLoss(c, q)), (-Math.log(0.5) - Math.log(0.25)) / 2, 1e-6);
});

Deno.test("categoricalMiLoss() is 0 when Q is one-hot on c", () => {
  const c = tf.tensor2d([[0, 0, 1]]);
  assertAlmostEquals(value(categoricalMiLoss(c, c)), 0, 1e-6);
});

Deno.test("categoricalMiLoss() is ln 10 = H(c) for a uniform Q, so L_I is 0", () => {
  const c = tf.oneHot(tf.tensor1d([3, 7], "int32"), 10).toFloat();
  const q = tf.fill([2, 10], 0.1);
  const ce = value(categoricalMiLoss(c, q));
  assertAlmostEquals(ce, Math.log(10), 1e-6);
  assertAlmostEquals(miLowerBound(ce, 10), 0, 1e-6);
});

Deno.test("bookMiLoss() matches mean(-c·ln(q + eps)) computed by hand", () => {
  const c = tf.tensor2d([[0.5], [-1]]);
  const q = tf.tensor2d([[0.25], [0.8]]);
  const expected = (-0.5 * Math.log(0.25) + Math.log(0.8)) / 2;
  assertAlmostEquals(value(bookMiLoss(c, q)), expected, 1e-6);
});

Deno.test("bookMiLoss() rewards a small q for negative codes: not a likelihood", () => {
  const c = tf.tensor2d([[-0.5]]);
  const small = value(bookMiLoss(c, tf.tensor2d([[0.1]])));
  const large = value(bookMiLoss(c, tf.tensor2d([[0.9]])));
  assertAlmostEquals(small - large, 0.5 * (Math.log(0.1) - Math.log(0.9)), 1e-6);
  assert(small < large);
});

Deno.test("gaussianNll() with unit variance matches ½ln2π per dim + ½(c-μ)²", () => {
  const loss = gaussianNll(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 0]]));
  assertAlmostEquals(value(loss), 2 * LN2PI_HALF + 0.5, 1e-6);
});

Deno.test("gaussianNll() with log σ matches the factored-Gaussian NLL by hand", () => {
  const loss = gaussianNll(tf.tensor2d([[1, 0], [0, 2]]), tf.tensor2d([[0, 0], [0, 1]]), {
    logStd: tf.tensor2d([[Math.log(2), 0], [0, Math.log(0.5)]]),
  });
  const row1 = LN2PI_HALF + Math.log(2) + 0.5 * (1 / 2) ** 2 + LN2PI_HALF;
  const row2 = LN2PI_HALF + LN2PI_HALF + Math.log(0.5) + 0.5 * (1 / 0.5) ** 2;
  assertAlmostEquals(value(loss), (row1 + row2) / 2, 1e-5);
});

Deno.test("flooredLogStd() is -3 + ln(1 + e^(raw+3)): near raw above, never below -3", () => {
  const raw = [-10, -3, 0, 2];
  const out = Array.from(flooredLogStd(tf.tensor1d(raw)).dataSync());
  const byHand = raw.map((r) => -3 + Math.log(1 + Math.exp(r + 3)));
  out.forEach((v, i) => assertAlmostEquals(v, byHand[i], 1e-5));
  assertAlmostEquals(out[1], -3 + Math.log(2), 1e-6);
  assert(out[0] > LOG_STD_FLOOR && out[0] - LOG_STD_FLOOR < 1e-3);
  assert(Math.abs(out[3] - 2) < 0.01);
});

Deno.test("the learned-σ code loss matches the Gaussian NLL with a floored log σ, by hand", () => {
  // c = 0.5, μ = 0.1, raw log σ = -1 → log σ = -3 + ln(1 + e^2).
  const logStd = -3 + Math.log(1 + Math.exp(2));
  const byHand = LN2PI_HALF + logStd + 0.5 * (0.4 / Math.exp(logStd)) ** 2;
  const loss = gaussianNll(tf.tensor2d([[0.5]]), tf.tensor2d([[0.1]]), {
    logStd: flooredLogStd(tf.tensor2d([[-1]])),
  });
  assertAlmostEquals(value(loss), byHand, 1e-5);
  // A precise Q (σ small) earns far more than the fixed σ = 1 can.
  const fixed = value(gaussianNll(tf.tensor2d([[0.5]]), tf.tensor2d([[0.5]])));
  const sharp = value(
    gaussianNll(tf.tensor2d([[0.5]]), tf.tensor2d([[0.5]]), {
      logStd: flooredLogStd(tf.tensor2d([[-10]])),
    }),
  );
  assertAlmostEquals(fixed - sharp, 3, 1e-3);
});

Deno.test("gaussianNll() is minimised at c = μ", () => {
  const at = value(gaussianNll(tf.tensor2d([[0.3]]), tf.tensor2d([[0.3]])));
  const off = value(gaussianNll(tf.tensor2d([[0.3]]), tf.tensor2d([[0.4]])));
  assertAlmostEquals(at, LN2PI_HALF, 1e-6);
  assertAlmostEquals(off - at, 0.5 * 0.01, 1e-6);
});

Deno.test("binaryCrossEntropyFromLogits() equals the probability form, computed by hand", () => {
  // logits ln 4 and ln(2/3) are p = 0.8 and 0.4.
  const loss = binaryCrossEntropyFromLogits(
    tf.tensor2d([[1], [0]]),
    tf.tensor2d([[Math.log(4)], [Math.log(2 / 3)]]),
  );
  assertAlmostEquals(value(loss), (-Math.log(0.8) - Math.log(0.6)) / 2, 1e-6);
});

Deno.test("binaryCrossEntropyFromLogits() stays exact and keeps its gradient when saturated", () => {
  // logit -40: p ≈ 4e-18 is below Keras's clip, but the loss is exactly 40.
  const x = tf.tensor2d([[-40]]);
  assertAlmostEquals(value(binaryCrossEntropyFromLogits(tf.tensor2d([[1]]), x)), 40, 1e-4);
  const g = tf.grad((t: tf.Tensor) => binaryCrossEntropyFromLogits(tf.tensor2d([[1]]), t))(x);
  assertAlmostEquals(g.dataSync()[0], -1, 1e-6);
});

Deno.test("categoricalMiLossFromLogits() equals -ln softmax[c] computed by hand", () => {
  // logits ln(0.2), ln(0.5), ln(0.3) are the probabilities 0.2, 0.5, 0.3.
  const logits = tf.tensor2d([[Math.log(0.2), Math.log(0.5), Math.log(0.3)]]);
  const loss = categoricalMiLossFromLogits(tf.tensor2d([[0, 1, 0]]), logits);
  assertAlmostEquals(value(loss), -Math.log(0.5), 1e-6);
});

Deno.test("consistencyLoss() is −I of the two copies' categories, computed by hand", () => {
  // softmax(a) = (0.8, 0.2), softmax(b) = (0.6, 0.4), one image: the joint
  // (0.48 0.32; 0.12 0.08) symmetrised is (0.48 0.22; 0.22 0.08), marginals
  // (0.7, 0.3), and I = Σ P ln(P / (P_j P_k)) = 0.0011489.
  const a = tf.tensor2d([[Math.log(0.8), Math.log(0.2)]]);
  const b = tf.tensor2d([[Math.log(0.6), Math.log(0.4)]]);
  assertAlmostEquals(value(consistencyLoss(a, b)), -0.0011489062, 1e-6);
});

Deno.test("consistencyLoss() is −ln k for agreeing, confident, balanced copies and 0 for independent ones", () => {
  // Four images over k = 4 categories, one per category, both copies sure.
  const sure = tf.mul(tf.oneHot(tf.tensor1d([0, 1, 2, 3], "int32"), 4), 50) as tf.Tensor2D;
  // (The ε floor on the 12 empty cells moves it by about 2e-5.)
  assertAlmostEquals(value(consistencyLoss(sure, sure)), -Math.log(4), 1e-4);
  // A copy that says nothing (uniform) carries no information about the other.
  assertAlmostEquals(value(consistencyLoss(sure, tf.zeros([4, 4]))), 0, 1e-6);
  // All images in one category agree perfectly but carry nothing: I = 0.
  const one = tf.mul(tf.oneHot(tf.tensor1d([2, 2, 2, 2], "int32"), 4), 50) as tf.Tensor2D;
  assertAlmostEquals(value(consistencyLoss(one, one)), 0, 1e-4);
});

Deno.test("consistencyLoss() with entropyWeight λ subtracts (λ − 1)(H_j + H_k), by hand", () => {
  const sure = tf.mul(tf.oneHot(tf.tensor1d([0, 1, 2, 3], "int32"), 4), 50) as tf.Tensor2D;
  // Independent copies: P is 1/16 everywhere, H_j = H_k = ln 4 and I = 0,
  // so λ = 2 gives −(2 − 1)(ln 4 + ln 4).
  const loss = consistencyLoss(sure, tf.zeros([4, 4]), { entropyWeight: 2 });
  assertAlmostEquals(value(loss), -2 * Math.log(4), 1e-6);
  // The hand-computed pair above: I = 0.0011489, marginals (0.7, 0.3) on
  // both sides, H = 0.6108643; λ = 3 subtracts 2 · 2H.
  const a = tf.tensor2d([[Math.log(0.8), Math.log(0.2)]]);
  const b = tf.tensor2d([[Math.log(0.6), Math.log(0.4)]]);
  const h = -(0.7 * Math.log(0.7) + 0.3 * Math.log(0.3));
  assertAlmostEquals(h, 0.6108643, 1e-6);
  assertAlmostEquals(
    value(consistencyLoss(a, b, { entropyWeight: 3 })),
    -0.0011489062 - 4 * h,
    1e-6,
  );
  // λ = 1 is the mutual information itself.
  assertAlmostEquals(value(consistencyLoss(a, b, { entropyWeight: 1 })), -0.0011489062, 1e-6);
});
