/**
 * Micro-benchmark of what tfjs's engine costs per kernel call, apart from the
 * kernel's arithmetic: a chain of `--calls` additions on 64-element tensors
 * (so the arithmetic is negligible), run untaped and then taped with its
 * gradients (half the additions forward, the other half their backward
 * kernels, plus the tape's bookkeeping). It bounds what running a whole
 * network as one call could save on a backend: the book step makes about
 * 1 200 kernel calls on `wasm` with the fused kernels (docs/backends.md).
 * Each figure is the fastest of `--rounds` after two warm-up rounds.
 *
 *   deno run -A test/bench_dispatch.ts [--backends=wasm,tensorflow]
 *     [--calls=1202] [--rounds=5]
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backends/select.ts";
import type { BackendName } from "../lib/infogan/config.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    backends: { type: "string", default: "wasm,tensorflow" },
    calls: { type: "string", default: "1202" },
    rounds: { type: "string", default: "5" },
  },
});
const calls = Number(flags.calls);
const rounds = Number(flags.rounds);
if (!Number.isInteger(calls) || calls < 2) {
  throw new Error(`--calls: expected an integer ≥ 2, got ${flags.calls}`);
}
if (!Number.isInteger(rounds) || rounds < 1) {
  throw new Error(`--rounds: expected an integer ≥ 1, got ${flags.rounds}`);
}

/** Fastest of `rounds` timings of `fn` in ms, after two untimed rounds. */
function fastest(fn: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < rounds + 2; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return Math.min(...times.slice(2));
}

for (const name of flags.backends.split(",")) {
  await initBackend(name as BackendName);
  const one = tf.scalar(1);
  const v = tf.variable(tf.zeros([64]));
  const untaped = fastest(() => {
    const out = tf.tidy(() => {
      let x: tf.Tensor = v;
      for (let i = 0; i < calls; i++) x = tf.add(x, one);
      return x;
    });
    out.dataSync();
    out.dispose();
  });
  const taped = fastest(() => {
    const { value, grads } = tf.variableGrads(() => {
      let x: tf.Tensor = v;
      for (let i = 0; i < calls / 2; i++) x = tf.add(x, one);
      return tf.sum(x) as tf.Scalar;
    }, [v]);
    grads[v.name].dataSync();
    value.dispose();
    tf.dispose(grads);
  });
  console.log(
    `${tf.getBackend()}: ${calls} calls untaped ${untaped.toFixed(1)} ms (${
      (1000 * untaped / calls).toFixed(1)
    } µs/call); ${calls / 2} forward + their gradients ${taped.toFixed(1)} ms (${
      (1000 * taped / calls).toFixed(1)
    } µs/call)`,
  );
  one.dispose();
  v.dispose();
}
