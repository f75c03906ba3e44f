import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { registerWasmKernels } from "../lib/wasm_kernels.ts";
import { Random } from "../lib/random.ts";

// Load the wasm binaries from the installed package, offline, before any test
// runs (so backend start-up is not attributed to a test's async sanitizer).
const wasmPkg = createRequire(import.meta.url).resolve(
  "@tensorflow/tfjs-backend-wasm/package.json",
);
setWasmPaths(pathToFileURL(join(dirname(wasmPkg), "dist") + "/").href, true);
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
  const before = tf.getKernel(tf.Conv2DBackpropFilter, "wasm");
  registerWasmKernels();
  registerWasmKernels();
  assert(before !== undefined);
  assertEquals(tf.getKernel(tf.Conv2DBackpropFilter, "wasm"), before);
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
