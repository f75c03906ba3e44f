import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { registerWasmKernels } from "../lib/backends/wasm_kernels.ts";
import { Random } from "../lib/infogan/random.ts";

// Load the wasm binaries from the installed package, offline, before any test
// runs (so backend start-up is not attributed to a test's async sanitizer).
const wasmPkg = createRequire(import.meta.url).resolve(
  "@tensorflow/tfjs-backend-wasm/package.json",
);
setWasmPaths(pathToFileURL(join(dirname(wasmPkg), "dist") + "/").href, true);
/** Kernels registerWasmKernels() replaces, and the backend's own versions. */
const REPLACED = [tf.Conv2DBackpropInput, tf.BatchMatMul, tf.Tile, tf.Sum, tf.Mean, tf.Identity];
const backendOwn = REPLACED.map((name) => tf.getKernel(name, "wasm"));
registerWasmKernels();
await tf.setBackend("cpu"); // the reference; starting it here keeps its banner out of the tests
await tf.setBackend("wasm");

type Pad = "same" | "valid" | number | tf.backend_util.ExplicitPadding;

interface Case {
  x: [number, number, number, number];
  k: number;
  cout: number;
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** The filter gradient from the registered Conv2DBackpropFilter kernel. */
function kernelGrad(
  c: Case,
  x: Float32Array,
  dy: Float32Array,
  dyShape: number[],
): Float32Array {
  return tf.tidy(() => {
    const out = tf.engine().runKernel(tf.Conv2DBackpropFilter, {
      x: tf.tensor4d(x, c.x),
      dy: tf.tensor(dy, dyShape),
    }, {
      strides: c.strides,
      pad: c.pad,
      dataFormat: "NHWC",
      dimRoundingMode: c.dimRoundingMode,
      filterShape: [c.k, c.k, c.x[3], c.cout],
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}

/** The filter gradient of sum(conv2d(x, w) · dy), through tf.grad. */
function convGrad(c: Case, x: Float32Array, dy: Float32Array): Float32Array {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.x);
    const w = tf.zeros([c.k, c.k, c.x[3], c.cout]) as tf.Tensor4D;
    const g = tf.grad((w: tf.Tensor) => {
      const y = tf.conv2d(xt, w as tf.Tensor4D, c.strides, c.pad as "same");
      return tf.sum(tf.mul(y, tf.tensor(dy, y.shape)));
    })(w);
    return g.dataSync() as Float32Array;
  });
}

function outShape(c: Case): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    c.x,
    [c.k, c.k, c.x[3], c.cout],
    c.strides,
    1,
    c.pad,
    c.dimRoundingMode,
  );
  return info.outShape;
}

/** max |a − b| / max |b|. */
function relErr(a: Float32Array, b: Float32Array): number {
  assertEquals(a.length, b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  assert(scale > 0, "reference gradient is all zeros");
  return err / scale;
}

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  await tf.setBackend(name);
  try {
    return f();
  } finally {
    await tf.setBackend("wasm");
  }
}

async function checkCase(
  c: Case,
  seed: number,
  via: "grad" | "kernel",
): Promise<void> {
  const rng = new Random(seed);
  const dyShape = outShape(c);
  const x = rng.fill(c.x.reduce((a, b) => a * b), (r) => r.normal());
  const dy = rng.fill(dyShape.reduce((a, b) => a * b), (r) => r.normal());
  const run = () => via === "grad" ? convGrad(c, x, dy) : kernelGrad(c, x, dy, dyShape);
  const want = await onBackend("cpu", run);
  const got = await onBackend("wasm", run);
  const e = relErr(got, want);
  assert(e <= 1e-4, `relative error ${e} > 1e-4 for ${JSON.stringify(c)}`);
}

Deno.test("registerWasmKernels() Conv2DBackpropFilter matches cpu for stride 1, same padding", async () => {
  await checkCase(
    { x: [2, 7, 6, 3], k: 5, cout: 4, strides: 1, pad: "same" },
    1,
    "grad",
  );
  await checkCase(
    { x: [3, 4, 4, 8], k: 5, cout: 6, strides: 1, pad: "same" },
    2,
    "grad",
  );
});

Deno.test("registerWasmKernels() Conv2DBackpropFilter matches cpu for stride 2, same padding", async () => {
  await checkCase(
    { x: [3, 8, 9, 2], k: 5, cout: 3, strides: 2, pad: "same" },
    3,
    "grad",
  );
  await checkCase(
    // 8 columns, kernel 3, stride 2: padding 0 left, 1 right.
    { x: [2, 7, 8, 4], k: 3, cout: 5, strides: 2, pad: "same" },
    4,
    "grad",
  );
});

Deno.test("registerWasmKernels() Conv2DBackpropFilter matches cpu for stride 1, valid padding", async () => {
  await checkCase(
    { x: [2, 6, 7, 3], k: 3, cout: 2, strides: 1, pad: "valid" },
    5,
    "grad",
  );
  await checkCase(
    { x: [2, 9, 8, 2], k: 5, cout: 3, strides: 1, pad: "valid" },
    6,
    "grad",
  );
});

Deno.test("registerWasmKernels() Conv2DBackpropFilter matches cpu for stride 2, valid padding", async () => {
  await checkCase(
    { x: [2, 9, 8, 4], k: 3, cout: 5, strides: 2, pad: "valid" },
    7,
    "grad",
  );
  // 10 rows, kernel 5, stride 2: the last input row is never read.
  await checkCase(
    { x: [3, 10, 8, 2], k: 5, cout: 3, strides: 2, pad: "valid" },
    8,
    "grad",
  );
});

Deno.test("registerWasmKernels() Conv2DBackpropFilter matches cpu for mixed strides and explicit padding", async () => {
  await checkCase(
    { x: [2, 9, 8, 3], k: 3, cout: 4, strides: [2, 1], pad: "same" },
    9,
    "grad",
  );
  await checkCase(
    {
      x: [2, 8, 7, 2],
      k: 3,
      cout: 3,
      strides: 2,
      pad: [[0, 0], [1, 2], [2, 0], [0, 0]],
    },
    10,
    "kernel",
  );
  // ceil rounding reads past the bottom/right padding; those reads are zeros.
  await checkCase(
    { x: [2, 8, 8, 2], k: 3, cout: 3, strides: 2, pad: 1, dimRoundingMode: "ceil" },
    11,
    "kernel",
  );
});

Deno.test("registerWasmKernels() Conv2DBackpropFilter rejects NCHW with a clear error", () => {
  assertThrows(
    () =>
      tf.tidy(() =>
        tf.engine().runKernel(tf.Conv2DBackpropFilter, {
          x: tf.zeros([1, 2, 4, 4]),
          dy: tf.zeros([1, 3, 4, 4]),
        }, {
          strides: 1,
          pad: "same",
          dataFormat: "NCHW",
          filterShape: [3, 3, 2, 3],
        } as unknown as tf.NamedAttrMap)
      ),
    Error,
    'expected dataFormat "NHWC", found "NCHW"',
  );
});

Deno.test("registerWasmKernels() is idempotent", () => {
  const names = [tf.Conv2DBackpropFilter, ...REPLACED];
  const before = names.map((name) => tf.getKernel(name, "wasm"));
  registerWasmKernels();
  registerWasmKernels();
  before.forEach((config, i) => {
    assert(config !== undefined, `${names[i]} is registered`);
    assertEquals(tf.getKernel(names[i], "wasm"), config);
  });
});

Deno.test("registerWasmKernels() replaces the backend's own kernels without a duplicate-registration warning", () => {
  assert(backendOwn.every((config) => config !== undefined));
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
  try {
    // Put the backend's own kernels back, as a fresh process has them.
    REPLACED.forEach((name, i) => {
      tf.unregisterKernel(name, "wasm");
      tf.registerKernel(backendOwn[i]!);
    });
    registerWasmKernels();
    registerWasmKernels();
  } finally {
    console.warn = warn;
    registerWasmKernels();
  }
  assertEquals(warnings, []);
  REPLACED.forEach((name, i) => {
    const now = tf.getKernel(name, "wasm");
    assert(now !== undefined && now.kernelFunc !== backendOwn[i]!.kernelFunc, name);
  });
});

/** A tiny conv2d → leakyRelu → conv2dTranspose model's variable grads. */
function modelGrads(
  init: { w1: Float32Array; w2: Float32Array; x: Float32Array; t: Float32Array },
  times = 1,
): { grads: Record<string, Float32Array>; tensorGrowth: number } {
  const w1 = tf.tidy(() => tf.variable(tf.tensor4d(init.w1, [5, 5, 1, 4])));
  const w2 = tf.tidy(() => tf.variable(tf.tensor4d(init.w2, [5, 5, 2, 4])));
  const x = tf.tensor4d(init.x, [2, 8, 8, 1]);
  const t = tf.tensor4d(init.t, [2, 8, 8, 2]);
  const loss = () =>
    tf.tidy(() => {
      const h = tf.leakyRelu(tf.conv2d(x, w1 as tf.Tensor4D, 2, "same"), 0.2);
      const y = tf.conv2dTranspose(
        h,
        w2 as tf.Tensor4D,
        [2, 8, 8, 2],
        2,
        "same",
      );
      return tf.mean(tf.square(tf.sub(y, t))) as tf.Scalar;
    });
  const out: Record<string, Float32Array> = {};
  let first = 0;
  for (let i = 0; i < times; i++) {
    const { value, grads } = tf.variableGrads(loss, [w1, w2]);
    out.w1 = grads[w1.name].dataSync() as Float32Array;
    out.w2 = grads[w2.name].dataSync() as Float32Array;
    tf.dispose([value, ...Object.values(grads)]);
    if (i === 0) first = tf.memory().numTensors;
  }
  const tensorGrowth = tf.memory().numTensors - first;
  tf.dispose([w1, w2, x, t]);
  return { grads: out, tensorGrowth };
}

Deno.test("registerWasmKernels() lets tf.variableGrads train conv2d → conv2dTranspose on wasm, matching cpu", async () => {
  const rng = new Random(42);
  const init = {
    w1: rng.fill(5 * 5 * 1 * 4, (r) => r.normal(0.2)),
    w2: rng.fill(5 * 5 * 2 * 4, (r) => r.normal(0.2)),
    x: rng.fill(2 * 8 * 8, (r) => r.next()),
    t: rng.fill(2 * 8 * 8 * 2, (r) => r.next()),
  };
  const want = await onBackend("cpu", () => modelGrads(init).grads);
  const got = modelGrads(init).grads;
  for (const name of ["w1", "w2"]) {
    const e = relErr(got[name], want[name]);
    assert(e <= 1e-4, `relative error of d${name} ${e} > 1e-4`);
  }
});

Deno.test("registerWasmKernels() Conv2DBackpropFilter leaks no tensors over repeated calls", () => {
  const rng = new Random(7);
  const init = {
    w1: rng.fill(5 * 5 * 1 * 4, (r) => r.normal(0.2)),
    w2: rng.fill(5 * 5 * 2 * 4, (r) => r.normal(0.2)),
    x: rng.fill(2 * 8 * 8, (r) => r.next()),
    t: rng.fill(2 * 8 * 8 * 2, (r) => r.next()),
  };
  const backend = tf.engine().backend;
  const tensors = tf.memory().numTensors;
  const dataIds = backend.numDataIds();
  const { tensorGrowth } = modelGrads(init, 5);
  assertEquals(tensorGrowth, 0);
  assertEquals(tf.memory().numTensors, tensors);
  assertEquals(backend.numDataIds(), dataIds);

  // And through plain tf.grad on a conv2d.
  const c: Case = { x: [2, 6, 6, 3], k: 3, cout: 2, strides: 2, pad: "same" };
  const x = rng.fill(2 * 6 * 6 * 3, (r) => r.normal());
  const dy = rng.fill(2 * 3 * 3 * 2, (r) => r.normal());
  convGrad(c, x, dy);
  const after = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) convGrad(c, x, dy);
  assertEquals(tf.memory().numTensors, after);
  assertEquals(backend.numDataIds(), dataIds);
});

/** A transposed conv: dy [N, OH, OW, Cout] → dx `x` [N, H, W, Cin]. */
interface TransposeCase {
  /** dx: the forward conv's input shape. */
  x: [number, number, number, number];
  k: number;
  /** dy channels: the forward conv's output channels. */
  cout: number;
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * Every value Conv2DBackpropInput feeds: the kernel itself; and, for padding
 * the tf ops accept, conv2dTranspose's output, conv2d's input gradient, and
 * conv2dTranspose's gradients for its input and its filter.
 */
function transposeValues(
  c: TransposeCase,
  v: { dy: Float32Array; w: Float32Array; x: Float32Array },
): Record<string, Float32Array> {
  return tf.tidy(() => {
    const dy = tf.tensor4d(v.dy, outShape(c) as Shape4);
    const w = tf.tensor4d(v.w, [c.k, c.k, c.x[3], c.cout]);
    const x = tf.tensor4d(v.x, c.x);
    const parts: Record<string, tf.Tensor> = {
      kernel: tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, {
        strides: c.strides,
        pad: c.pad,
        dataFormat: "NHWC",
        dimRoundingMode: c.dimRoundingMode,
        inputShape: c.x,
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
    };
    if (c.dimRoundingMode === undefined) {
      const pad = c.pad as "same";
      const conv = (a: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, w, c.strides, pad), dy));
      const deconv = (a: tf.Tensor, f: tf.Tensor) =>
        tf.sum(
          tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, f as tf.Tensor4D, c.x, c.strides, pad), x),
        );
      parts.conv2dTranspose = tf.conv2dTranspose(dy, w, c.x, c.strides, pad);
      parts["conv2d dx"] = tf.grad(conv)(x);
      [parts["conv2dTranspose dx"], parts["conv2dTranspose dw"]] = tf.grads(deconv)([dy, w]);
    }
    return Object.fromEntries(
      Object.entries(parts).map(([k, t]) => [k, t.dataSync() as Float32Array]),
    );
  });
}

type Shape4 = [number, number, number, number];

async function checkTranspose(c: TransposeCase, seed: number): Promise<void> {
  const rng = new Random(seed);
  const v = {
    dy: rng.fill(outShape(c).reduce((a, b) => a * b), (r) => r.normal()),
    w: rng.fill(c.k * c.k * c.x[3] * c.cout, (r) => r.normal()),
    x: rng.fill(c.x.reduce((a, b) => a * b), (r) => r.normal()),
  };
  const want = await onBackend("cpu", () => transposeValues(c, v));
  const got = await onBackend("wasm", () => transposeValues(c, v));
  assertEquals(Object.keys(got), Object.keys(want));
  for (const name of Object.keys(want)) {
    const e = relErr(got[name], want[name]);
    assert(e <= 1e-4, `${name}: relative error ${e} > 1e-4 for ${JSON.stringify(c)}`);
  }
}

Deno.test("registerWasmKernels() Conv2DBackpropInput matches cpu for stride 1, same padding", async () => {
  await checkTranspose({ x: [2, 7, 7, 3], k: 5, cout: 4, strides: 1, pad: "same" }, 21);
  await checkTranspose({ x: [3, 8, 6, 1], k: 3, cout: 8, strides: 1, pad: "same" }, 22);
  await checkTranspose({ x: [2, 6, 9, 16], k: 5, cout: 1, strides: 1, pad: "same" }, 23);
});

Deno.test("registerWasmKernels() Conv2DBackpropInput matches cpu for stride 2, same padding", async () => {
  // The book's upsampling: 7 → 14 with kernel 5, at a smaller width.
  await checkTranspose({ x: [2, 14, 14, 8], k: 5, cout: 16, strides: 2, pad: "same" }, 24);
  await checkTranspose({ x: [3, 9, 7, 3], k: 5, cout: 2, strides: 2, pad: "same" }, 25);
  await checkTranspose({ x: [2, 8, 7, 1], k: 3, cout: 8, strides: 2, pad: "same" }, 26);
  await checkTranspose({ x: [2, 5, 6, 4], k: 3, cout: 3, strides: 2, pad: "same" }, 27);
});

Deno.test("registerWasmKernels() Conv2DBackpropInput matches cpu for valid padding", async () => {
  await checkTranspose({ x: [2, 9, 8, 3], k: 5, cout: 4, strides: 1, pad: "valid" }, 28);
  await checkTranspose({ x: [2, 9, 8, 4], k: 3, cout: 5, strides: 2, pad: "valid" }, 29);
  // 10 rows, kernel 5, stride 2: the last dx row is never read (zero gradient).
  await checkTranspose({ x: [3, 10, 8, 2], k: 5, cout: 3, strides: 2, pad: "valid" }, 30);
});

Deno.test("registerWasmKernels() Conv2DBackpropInput matches cpu for other strides and explicit padding", async () => {
  await checkTranspose({ x: [2, 9, 8, 3], k: 3, cout: 4, strides: [2, 1], pad: "same" }, 31);
  await checkTranspose({ x: [2, 8, 9, 3], k: 5, cout: 2, strides: [1, 3], pad: "same" }, 32);
  // Stride 3 beyond a kernel of 2: some dx positions get no tap at all.
  await checkTranspose({ x: [2, 9, 10, 2], k: 2, cout: 3, strides: 3, pad: "valid" }, 33);
  await checkTranspose(
    { x: [2, 8, 7, 2], k: 3, cout: 3, strides: 2, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
    34,
  );
  // Padding wider than the kernel: dy rows that no dx position reads.
  await checkTranspose(
    { x: [2, 6, 5, 2], k: 3, cout: 2, strides: 1, pad: [[0, 0], [4, 1], [0, 5], [0, 0]] },
    35,
  );
  await checkTranspose(
    { x: [2, 8, 8, 2], k: 3, cout: 3, strides: 2, pad: 1, dimRoundingMode: "ceil" },
    36,
  );
});

Deno.test("registerWasmKernels() Conv2DBackpropInput rejects NCHW with a clear error", () => {
  assertThrows(
    () =>
      tf.tidy(() =>
        tf.engine().runKernel(tf.Conv2DBackpropInput, {
          dy: tf.zeros([1, 3, 4, 4]),
          filter: tf.zeros([3, 3, 2, 3]),
        }, {
          strides: 1,
          pad: "same",
          dataFormat: "NCHW",
          inputShape: [1, 2, 4, 4],
        } as unknown as tf.NamedAttrMap)
      ),
    Error,
    'expected dataFormat "NHWC", found "NCHW"',
  );
});

Deno.test("registerWasmKernels() Conv2DBackpropInput leaks no tensors over repeated calls", () => {
  const c: TransposeCase = { x: [2, 7, 6, 3], k: 5, cout: 4, strides: 2, pad: "same" };
  const rng = new Random(37);
  const v = {
    dy: rng.fill(outShape(c).reduce((a, b) => a * b), (r) => r.normal()),
    w: rng.fill(5 * 5 * 3 * 4, (r) => r.normal()),
    x: rng.fill(2 * 7 * 6 * 3, (r) => r.normal()),
  };
  const backend = tf.engine().backend;
  transposeValues(c, v);
  const tensors = tf.memory().numTensors;
  const dataIds = backend.numDataIds();
  for (let i = 0; i < 5; i++) transposeValues(c, v);
  assertEquals(tf.memory().numTensors, tensors);
  assertEquals(backend.numDataIds(), dataIds);
});

/** Runs `f` on cpu and on wasm and checks the values (and shapes) agree. */
async function checkOp(label: string, f: () => tf.Tensor): Promise<void> {
  const run = () =>
    tf.tidy(() => {
      const t = f();
      return { shape: t.shape, dtype: t.dtype, values: Float32Array.from(t.dataSync()) };
    });
  const want = await onBackend("cpu", run);
  const got = await onBackend("wasm", run);
  assertEquals(got.shape, want.shape, label);
  assertEquals(got.dtype, want.dtype, label);
  if (want.values.length === 0) return assertEquals(got.values.length, 0, label);
  const e = relErr(got.values, want.values);
  assert(e <= 1e-5, `${label}: relative error ${e} > 1e-5`);
}

Deno.test("registerWasmKernels() BatchMatMul matches cpu with and without transposes", async () => {
  const rng = new Random(41);
  const t = (shape: number[]) =>
    tf.tensor(rng.fill(shape.reduce((a, b) => a * b), (r) => r.normal()), shape);
  const cases: [number[], number[], boolean, boolean][] = [
    [[6, 5], [5, 7], false, false],
    [[5, 6], [5, 7], true, false], // a dense layer's weight gradient
    [[6, 5], [7, 5], false, true], // a dense layer's input gradient
    [[5, 6], [7, 5], true, true],
    [[3, 6, 5], [5, 7], false, false], // batched a, shared b
    [[3, 5, 6], [1, 5, 7], true, false],
    [[2, 6, 5], [2, 7, 5], false, true], // batched b: the backend's own kernel
  ];
  for (const [as, bs, ta, tb] of cases) {
    const a = t(as);
    const b = t(bs);
    await checkOp(`matMul [${as}] ${ta} × [${bs}] ${tb}`, () => tf.matMul(a, b, ta, tb));
    tf.dispose([a, b]);
  }
});

Deno.test("registerWasmKernels() BatchMatMul reads a reshaped view of one buffer correctly", async () => {
  // The backend's XNNPACK matMul caches packed weights by the data id of b
  // alone; two views of one buffer with different shapes must not share them.
  const b = tf.tensor(new Random(43).fill(24, (r) => r.normal()), [4, 6]);
  const a = tf.ones([2, 4]);
  const a2 = tf.ones([2, 6]);
  await checkOp("view [4, 6]", () => tf.matMul(a, b));
  await checkOp("view [6, 4]", () => tf.matMul(a2, tf.reshape(b, [6, 4])));
  tf.dispose([a, a2, b]);
});

Deno.test("registerWasmKernels() Tile matches cpu for numeric dtypes", async () => {
  const x = tf.tensor([1, 2, 3, 4, 5, 6], [1, 2, 1, 3]);
  await checkOp("batchNorm-style tile", () => tf.tile(tf.reshape(x, [1, 1, 1, 6]), [4, 3, 5, 1]));
  await checkOp("tile every axis", () => tf.tile(x, [2, 3, 4, 2]));
  await checkOp("int32", () => tf.tile(tf.tensor2d([[1, -2], [3, 4]], [2, 2], "int32"), [3, 2]));
  await checkOp("bool", () => tf.tile(tf.tensor1d([true, false, true], "bool"), [3]));
  await checkOp("zero reps", () => tf.tile(x, [1, 0, 1, 1]));
  x.dispose();
});

Deno.test("registerWasmKernels() Sum and Mean match cpu over leading and other axes", async () => {
  const x = tf.tensor(new Random(44).fill(4 * 5 * 3 * 6, (r) => r.normal()), [4, 5, 3, 6]);
  for (const op of [tf.sum, tf.mean]) {
    for (const axis of [[0, 1, 2], [0], [1, 0], [0, 1, 2, 3], [1, 2], 3]) {
      for (const keepDims of [false, true]) {
        await checkOp(`${op.name} ${axis} ${keepDims}`, () => op(x, axis, keepDims));
      }
    }
  }
  await checkOp("int32 sum", () => tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32"), 0));
  x.dispose();
});

Deno.test("registerWasmKernels() batchNorm training gradients match cpu", async () => {
  const rng = new Random(45);
  const xv = rng.fill(3 * 4 * 5 * 6, (r) => r.normal(2));
  const gv = rng.fill(6, (r) => r.normal());
  await checkOp("batchNorm grads", () => {
    const x = tf.tensor4d(xv, [3, 4, 5, 6]);
    const gamma = tf.tensor1d(gv);
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      const y = tf.batchNorm(a, mean, variance, tf.zeros([6]), g as tf.Tensor1D, 1e-3);
      return tf.sum(tf.mul(tf.square(y), tf.linspace(0, 1, 6)));
    })([x, gamma]);
    return tf.concat(grads.map((t) => t.flatten()));
  });
});

Deno.test("registerWasmKernels() Identity shares the data until the last holder is disposed", async () => {
  const x = tf.tensor([1, 2, 3, 4], [2, 2]);
  const buffers = tf.memory().numDataBuffers;
  const y = tf.clone(x);
  assertEquals(tf.memory().numDataBuffers, buffers, "the clone shares x's data");
  x.dispose();
  assertEquals(Array.from(await y.data()), [1, 2, 3, 4]);
  y.dispose();
  assertEquals(tf.memory().numDataBuffers, buffers - 1);
  const strings = tf.tensor(["a", "b"]);
  const copy = tf.clone(strings);
  strings.dispose();
  assertEquals(await copy.data(), ["a", "b"]);
  copy.dispose();
});
