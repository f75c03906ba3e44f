/**
 * Micro-benchmark of the wasm conv kernels in lib/backends/wasm_kernels.ts against the
 * wasm backend's own scalar `Conv2DBackpropInput`, on the book model's shapes,
 * and of one full book training step with the backend's own kernels ("old"),
 * with only the new Conv2DBackpropInput ("conv"), and with every kernel of
 * registerWasmKernels() ("new"). Absolute numbers depend on the machine and
 * its load; compare the ratios printed within one run. Times are wall clock
 * and, less sensitive to other processes on a shared machine, this process's
 * CPU time (this script starts the single-threaded build).
 *
 *   deno run -A test/bench_wasm_kernels.ts [--layers] [--step]
 *     [--reps=3] [--warmup=2] [--steps=5] [--old-steps=5] [--conv-steps=0]
 *
 * With neither --layers nor --step it runs both.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import process from "node:process";
import { parseArgs } from "node:util";
import { wasmDistUrl } from "../lib/backends/select.ts";
import { resolveConfig } from "../lib/infogan/config_schema.ts";
import { loadDataset, realSampler } from "../lib/data/mnist.ts";
import { createState, disposeState } from "../lib/infogan/state.ts";
import { disposeStepMetrics, trainStep } from "../lib/infogan/step.ts";
import { registerWasmKernels } from "../lib/backends/wasm_kernels.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    layers: { type: "boolean", default: false },
    step: { type: "boolean", default: false },
    reps: { type: "string", default: "3" },
    warmup: { type: "string", default: "2" },
    steps: { type: "string", default: "5" },
    "old-steps": { type: "string", default: "5" },
    "conv-steps": { type: "string", default: "0" },
  },
});
const both = !flags.layers && !flags.step;

setWasmPaths(wasmDistUrl(), true);
tf.env().set("PROD", true);
// Start the backend first, so the backend's own kernel runs its setupFunc and
// stays callable after it is swapped out.
await tf.setBackend("wasm");
const REPLACED = [tf.Conv2DBackpropInput, tf.BatchMatMul, tf.Tile, tf.Sum, tf.Mean];
const OLD = REPLACED.map((name) => tf.getKernel(name, "wasm")!);
registerWasmKernels();
const NEW = REPLACED.map((name) => tf.getKernel(name, "wasm")!);
/** The backend's kernels except the new Conv2DBackpropInput. */
const CONV_ONLY = [NEW[0], ...OLD.slice(1)];

function useKernels(configs: tf.KernelConfig[]): void {
  for (const config of configs) {
    tf.unregisterKernel(config.kernelName, "wasm");
    tf.registerKernel(config);
  }
}

/** Wall and CPU milliseconds of `f()`. */
function timed(f: () => void): { wall: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const wall = performance.now() - t0;
  const { user, system } = process.cpuUsage(cpu0);
  return { wall, cpu: (user + system) / 1000 };
}

/** Best CPU ms of `reps` runs after one warm-up. */
function bestMs(f: () => tf.Tensor, reps: number): number {
  tf.tidy(() => void f().dataSync());
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    best = Math.min(best, timed(() => tf.tidy(() => void f().dataSync())).cpu);
  }
  return best;
}

/**
 * A transposed conv layer: x [N, H, W, C] → [N, H·s, W·s, F], kernel 5,
 * same padding; the generator's deconvs, and the discriminator convs' input
 * gradients read backwards.
 */
interface Layer {
  name: string;
  x: [number, number, number, number];
  filters: number;
  stride: number;
}

const LAYERS: Layer[] = [
  { name: "G deconv1", x: [64, 7, 7, 128], filters: 128, stride: 2 },
  { name: "G deconv2", x: [64, 14, 14, 128], filters: 64, stride: 2 },
  { name: "G deconv3", x: [64, 28, 28, 64], filters: 32, stride: 1 },
  { name: "G deconv4", x: [64, 28, 28, 32], filters: 1, stride: 1 },
  { name: "D dconv4/dx", x: [128, 4, 4, 256], filters: 128, stride: 1 },
  { name: "D dconv3/dx", x: [128, 4, 4, 128], filters: 64, stride: 2 },
  { name: "D dconv2/dx", x: [128, 7, 7, 64], filters: 32, stride: 2 },
  { name: "D dconv1/dx", x: [64, 14, 14, 32], filters: 1, stride: 2 },
];

function benchLayers(reps: number): void {
  console.log(
    "GMAC/s by CPU time; (×conv) is time relative to the forward conv2d with the same MACs",
  );
  console.log(
    "layer          GMAC  conv2d      new (×conv)    old (×conv)  new/old   dW (×conv)",
  );
  for (const layer of LAYERS) {
    const [n, h, w, c] = layer.x;
    const k = 5;
    const s = layer.stride;
    // The forward conv whose input gradient this is: y [N, H·s, W·s, F] → x.
    const yShape: [number, number, number, number] = [n, h * s, w * s, layer.filters];
    // For the 4×4 → 4×4 stride-2 case of D (7 → 4), use the real sizes.
    if (layer.name === "D dconv3/dx") yShape[1] = yShape[2] = 7;
    const x = tf.randomNormal(layer.x) as tf.Tensor4D;
    const y = tf.randomNormal(yShape) as tf.Tensor4D;
    const f = tf.randomNormal([k, k, layer.filters, c]) as tf.Tensor4D;
    const macs = n * h * w * c * layer.filters * k * k;
    const gmacs = (ms: number) => (macs / ms / 1e6).toFixed(1).padStart(5);
    const conv = bestMs(() => tf.conv2d(y, f, s, "same"), reps);
    useKernels(NEW);
    const fresh = bestMs(() => tf.conv2dTranspose(x, f, yShape, s, "same"), reps);
    const dw = bestMs(
      () =>
        tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: y, dy: x }, {
          strides: s,
          pad: "same",
          dataFormat: "NHWC",
          filterShape: f.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      reps,
    );
    useKernels(OLD);
    const old = bestMs(() => tf.conv2dTranspose(x, f, yShape, s, "same"), 1);
    useKernels(NEW);
    console.log(
      `${layer.name.padEnd(13)} ${(macs / 1e9).toFixed(2)} ${gmacs(conv)}     ${gmacs(fresh)} (${
        (fresh / conv).toFixed(2)
      })   ${gmacs(old)} (${(old / conv).toFixed(1).padStart(4)})   ${
        (old / fresh).toFixed(1).padStart(5)
      }×  ${gmacs(dw)} (${(dw / conv).toFixed(2)})`,
    );
    tf.dispose([x, y, f]);
  }
}

async function benchStep(
  warmup: number,
  counts: { new: number; conv: number; old: number },
): Promise<void> {
  const config = resolveConfig({ flags: { preset: "book" } });
  const dataset = await loadDataset({ split: "train" });
  const state = createState(config);
  const run = (label: string, kernels: tf.KernelConfig[], count: number) => {
    useKernels(kernels);
    for (let i = 0; i < warmup; i++) disposeStepMetrics(trainStep(state, realSampler(dataset)));
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = timed(() => {
        const v = trainStep(state, realSampler(dataset));
        // One host sync, as on a logged step.
        tf.stack(Object.values(v)).dataSync();
        disposeStepMetrics(v);
      });
      wall.push(t.wall);
      cpu.push(t.cpu);
    }
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const min = (xs: number[]) => Math.min(...xs);
    console.log(
      `book step, ${label.padEnd(4)}: wall mean ${avg(wall).toFixed(0)} ms (min ${
        min(wall).toFixed(0)
      }), CPU mean ${avg(cpu).toFixed(0)} ms (min ${
        min(cpu).toFixed(0)
      }); ${count} steps after ${warmup} warm-up`,
    );
    return { wall: avg(wall), cpu: avg(cpu) };
  };
  const fresh = run("new", NEW, counts.new);
  const conv = counts.conv > 0 ? run("conv", CONV_ONLY, counts.conv) : undefined;
  const old = counts.old > 0 ? run("old", OLD, counts.old) : undefined;
  useKernels(NEW);
  for (const [label, t] of [["conv", conv], ["old", old]] as const) {
    if (t === undefined) continue;
    console.log(
      `speed-up of new over ${label}: wall ${(t.wall / fresh.wall).toFixed(2)}×, CPU ${
        (t.cpu / fresh.cpu).toFixed(2)
      }×`,
    );
  }
  disposeState(state);
}

console.log(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}`);
if (both || flags.layers) benchLayers(Number(flags.reps));
if (both || flags.step) {
  await benchStep(Number(flags.warmup), {
    new: Number(flags.steps),
    conv: Number(flags["conv-steps"]),
    old: Number(flags["old-steps"]),
  });
}
