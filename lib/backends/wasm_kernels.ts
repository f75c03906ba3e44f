/**
 * Kernels for the tfjs wasm backend (tfjs-backend-wasm 4.22) that a training
 * step needs and the backend lacks or runs slowly. The heavy ones are built
 * from its XNNPACK-backed `Conv2D`.
 *
 * - `Conv2DBackpropFilter`: the backend ships none, so every gradient with
 *   respect to a `tf.conv2d` filter (and to a `tf.conv2dTranspose` filter,
 *   whose gradient uses the same kernel) throws "Kernel
 *   'Conv2DBackpropFilter' not registered for backend 'wasm'".
 * - `Conv2DBackpropInput`: the backend's own is a scalar C++ loop, 7–20×
 *   slower than XNNPACK conv2d on the book's shapes. It is
 *   `tf.conv2dTranspose` itself and the input gradient of every `tf.conv2d`,
 *   so it dominated a GAN step.
 * - `Identity`: the backend's own copies the tensor, and tfjs's engine clones
 *   every tensor it saves for a gradient (about 350 copies per book step,
 *   activations included); ours shares the data, as the backend's `Reshape`
 *   already does.
 * - `BatchMatMul`, `Tile`, `Sum`, `Mean`: the backend's own run scalar loops
 *   (matMul with a transposed operand, as in every dense-layer gradient) or
 *   transpose first (reductions over leading axes, as in batchNorm); together
 *   they cost about a quarter of a step once the convs were fast.
 *
 * Why the convs are not im2col plus one matMul: on this backend `tf.slice`
 * and `tf.stridedSlice` copy 4-D tensors in JS loops (about 20 ns per element
 * measured, 25 slices per 5×5 kernel), and `BatchMatMul` reaches XNNPACK only
 * with no transposes; it also caches its packed XNNPACK weights by the data id
 * of `b` alone, so a reshaped view of a tensor already used as `b` with
 * another shape reads out of bounds. XNNPACK conv2d also caches its packed
 * filter, but keyed by the data id *and* the full geometry, and drops it when
 * the filter is disposed; every filter built here is fresh.
 *
 * One file for one concept: these kernels share their conv geometry, the
 * XNNPACK entry points and the registration that replaces the backend's own,
 * and none is useful alone, so the file is longer than the others.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
// The wasm backend registers its own kernels when its module is evaluated.
// Importing it here makes sure that has happened before registerWasmKernels()
// replaces some; a later registration would silently overwrite ours.
import "@tensorflow/tfjs-backend-wasm";

/** The backend's own kernels that {@linkcode registerWasmKernels} replaced. */
const replaced = new Map<string, tf.KernelConfig>();

/**
 * Registers the kernels described in this module's documentation for the
 * `wasm` backend. Safe to call any number of times: a `Conv2DBackpropFilter`
 * that is already registered (ours, or one a later tfjs ships) is kept; each
 * of the others replaces the registered kernel unless that is already ours.
 * The backend's own kernel is unregistered first (so no "already registered"
 * warning) and kept for the cases ours hand back to it.
 *
 * It works before or after `tf.setBackend("wasm")`: the engine looks kernels
 * up in the global registry at every call, and each replacement carries the
 * replaced kernel's `setupFunc`, which the engine runs whenever it switches to
 * the backend.
 *
 * @example
 * ```ts
 * registerWasmKernels();
 * await tf.setBackend("wasm");
 * const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
 * const dw = tf.grad((w: tf.Tensor) =>
 *   tf.conv2d(x, w as tf.Tensor4D, 1, "same").sum()
 * )(tf.ones([3, 3, 1, 1]));
 * ```
 */
export function registerWasmKernels(): void {
  if (tf.getKernel(tf.Conv2DBackpropFilter, "wasm") === undefined) {
    tf.registerKernel({
      kernelName: tf.Conv2DBackpropFilter,
      backendName: "wasm",
      kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
    });
  }
  const replacements: [string, tf.KernelFunc][] = [
    [tf.Conv2DBackpropInput, conv2dBackpropInput as unknown as tf.KernelFunc],
    [tf.BatchMatMul, batchMatMul as unknown as tf.KernelFunc],
    [tf.Tile, tile as unknown as tf.KernelFunc],
    [tf.Sum, sum as unknown as tf.KernelFunc],
    [tf.Mean, mean as unknown as tf.KernelFunc],
    [tf.Identity, identity as unknown as tf.KernelFunc],
  ];
  for (const [kernelName, kernelFunc] of replacements) {
    const current = tf.getKernel(kernelName, "wasm");
    if (current?.kernelFunc === kernelFunc) continue;
    if (current !== undefined) {
      // registerKernel() over an existing entry logs a warning and
      // overwrites; removing the backend's kernel first replaces it quietly.
      replaced.set(kernelName, current);
      tf.unregisterKernel(kernelName, "wasm");
    }
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      kernelFunc,
      // The replaced kernel still runs for the cases ours hand back, and its
      // setup binds its C++ function.
      setupFunc: current?.setupFunc,
      disposeFunc: current?.disposeFunc,
    });
  }
}

/** Runs the backend's own kernel `kernelName`, for a case ours does not handle. */
function fallback(kernelName: string, args: WasmKernelArgs): tf.TensorInfo {
  const original = replaced.get(kernelName);
  if (original === undefined) {
    throw new Error(`${kernelName} (wasm): expected the backend's own kernel, found none`);
  }
  return original.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

type Shape4D = [number, number, number, number];
type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap };
type WasmKernelArgs = KernelArgs & { backend: BackendWasm };

/** Throws unless every named input is a rank-4 tf.Tensor. */
function checkInputs(
  kernel: string,
  inputs: tf.NamedTensorInfoMap,
  dataFormat: string,
): void {
  if (dataFormat !== "NHWC") {
    throw new Error(`${kernel} (wasm): expected dataFormat "NHWC", found "${dataFormat}"`);
  }
  for (const [name, t] of Object.entries(inputs)) {
    if (!(t instanceof tf.Tensor)) {
      // The engine passes the op's Tensors; a bare TensorInfo would come only
      // from another kernel calling this one directly, which none does.
      throw new TypeError(
        `${kernel} (wasm): expected input ${name} to be a Tensor, found TensorInfo`,
      );
    }
    if (t.rank !== 4) {
      throw new Error(
        `${kernel} (wasm): expected rank-4 ${name}, found shape [${t.shape}]`,
      );
    }
  }
}

/**
 * `Conv2DBackpropFilter`. Inputs {x, dy}, attrs {strides, pad, dataFormat,
 * dimRoundingMode, filterShape}; returns dW with shape `filterShape`.
 *
 * For a forward conv with strides (sh, sw), no dilation, and the input
 * zero-padded by (top, left), the filter gradient is
 *
 *   dW[kh, kw, ci, co] = Σ_{n, oh, ow} xpad[n, oh·sh + kh, ow·sw + kw, ci]
 *                                    · dy[n, oh, ow, co]
 *
 * Rename n → c (channels), ci → b (batch), (oh, ow) → (p, q) (filter taps):
 * this is itself a stride-1 conv2d whose dilation is the forward stride, of
 *   input  x' = transpose(x,  [3, 1, 2, 0])  shape [Cin, H, W, N]
 *   filter f' = transpose(dy, [1, 2, 0, 3])  shape [OH, OW, N, Cout]
 * giving out[ci, kh, kw, co], transposed back to [KH, KW, Cin, Cout]. XNNPACK
 * gathers the dilated patches through its indirection buffer, so this runs
 * about as fast as a forward conv2d.
 *
 * It runs inside the engine's kernel scope, where the gradient tape is off,
 * so the tf ops below are not recorded; `tf.tidy` disposes every intermediate
 * and the one tensor returned is handed to the engine as the kernel output.
 */
function conv2dBackpropFilter(args: KernelArgs): tf.Tensor4D {
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  checkInputs("Conv2DBackpropFilter", args.inputs, attrs.dataFormat);
  const x = args.inputs.x as tf.Tensor4D;
  const dy = args.inputs.dy as tf.Tensor4D;
  // The same geometry (padding split, output size) as tfjs's forward conv.
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    attrs.filterShape,
    attrs.strides,
    1, // dilations: tfjs's conv2d gradient supports only 1
    attrs.pad,
    attrs.dimRoundingMode,
    false, // not depthwise
    "channelsLast",
  );
  const expectedDy = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.some((d: number, i: number) => d !== expectedDy[i])) {
    throw new Error(
      `Conv2DBackpropFilter (wasm): expected dy of shape [${expectedDy}] for x [${x.shape}] and filter [${attrs.filterShape}], found [${dy.shape}]`,
    );
  }
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const { top, left } = info.padInfo;
  // Rows and columns of padded input that the forward conv reads: the top/left
  // padding, the input, then as much bottom/right zero padding as needed
  // (rows past the last window are never read, so extra padding is dropped).
  const bottom = Math.max(0, kh + (info.outHeight - 1) * sh - info.inHeight - top);
  const right = Math.max(0, kw + (info.outWidth - 1) * sw - info.inWidth - left);

  return tf.tidy(() => {
    const xT = tf.transpose(x, [3, 1, 2, 0]); // [Cin, H, W, N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Cout]
    let out = tf.conv2d(
      xT,
      dyT,
      1,
      [[0, 0], [top, bottom], [left, right], [0, 0]],
      "NHWC",
      [sh, sw], // the forward stride becomes the dilation
    ); // [Cin, KH', KW', Cout] with KH' ≥ KH when the input has unread rows
    if (out.shape[1] !== kh || out.shape[2] !== kw) {
      out = tf.slice(out, [0, 0, 0, 0], [-1, kh, kw, -1]);
    }
    return tf.transpose(out, [1, 2, 0, 3]); // [KH, KW, Cin, Cout]
  });
}

/**
 * One output phase of one spatial axis of {@linkcode conv2dBackpropInput}:
 * the dx positions q·s + p for q = 0 … count − 1.
 */
interface Phase {
  /** The kernel taps this phase reads, in conv-window order. */
  taps: number[];
  /** Zero padding of dy before and after, for this phase's conv; negative crops. */
  before: number;
  after: number;
}

/** How one spatial axis of dx splits into stride-1 convs of dy. */
interface AxisPlan {
  /** dx positions per phase, the size of each phase conv's output. */
  count: number;
  /** One entry per phase p = 0 … stride − 1. */
  phases: Phase[];
}

/**
 * Plans one axis of the transposed conv. With dx size `size`, dy size
 * `dySize`, kernel size k, stride s and forward padding `padBefore`, the
 * forward conv reads dx[i] at dy position o through tap t when
 * o·s + t = i + padBefore. Write i = q·s + p (output phase p) and
 * p + padBefore = c·s + r (0 ≤ r < s): then t = r + s·j and o = q + c − j for
 * j = 0, 1, … while t < k. So phase p is a stride-1 correlation of dy with
 * the taps r, r + s, r + 2s, … reversed: its window of J taps starts at dy
 * position q + c − (J − 1), hence J − 1 − c zeros before dy, and ends at
 * q + c, hence count + c − dySize zeros after it.
 */
function planAxis(
  size: number,
  options: { dySize: number; kernel: number; stride: number; padBefore: number },
): AxisPlan {
  const { dySize, kernel, stride, padBefore } = options;
  const count = Math.ceil(size / stride);
  const phases: Phase[] = [];
  for (let p = 0; p < stride; p++) {
    const u = p + padBefore;
    const r = ((u % stride) + stride) % stride;
    const c = (u - r) / stride;
    const taps: number[] = [];
    for (let t = r; t < kernel; t += stride) taps.unshift(t);
    phases.push({ taps, before: taps.length - 1 - c, after: count + c - dySize });
  }
  return { count, phases };
}

/**
 * `Conv2DBackpropInput`. Inputs {dy, filter}, attrs {strides, pad,
 * dataFormat, dimRoundingMode, inputShape}; returns dx with shape
 * `inputShape`:
 *
 *   dx[n, i, j, ci] = Σ dy[n, oh, ow, co] · W[kh, kw, ci, co]
 *                     over oh·sh + kh = i + top, ow·sw + kw = j + left.
 *
 * Sub-pixel form (see {@linkcode planAxis}): the dx positions of one phase
 * (i mod sh, j mod sw) are a stride-1 XNNPACK conv2d of dy with that phase's
 * sub-kernel (every sh-th row, sw-th column of W, reversed, in/out channels
 * swapped): sh·sw convs with no wasted MACs. Two concats interleave them: the
 * sw column phases side by side along channels give [N, QH, QW·sw, Cin] in
 * memory order, and the sh row phases stacked after QH give
 * [N, QH·sh, QW·sw, Cin]. For stride 1 it is one conv2d of dy with the
 * flipped, channel-swapped filter.
 *
 * Measured alternatives, both slower: one conv2d with all phases as output
 * channel blocks of a common 3×3 window (36 MACs per 25 useful for a 5×5
 * kernel at stride 2, and the wider GEMM ran slower per MAC), and
 * `tf.depthToSpace` to interleave (a scalar loop, some 20× slower than the concats).
 */
function conv2dBackpropInput(args: KernelArgs): tf.Tensor4D {
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  checkInputs("Conv2DBackpropInput", args.inputs, attrs.dataFormat);
  const dy = args.inputs.dy as tf.Tensor4D;
  const filter = args.inputs.filter as tf.Tensor4D;
  const inputShape = attrs.inputShape as Shape4D;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape,
    attrs.strides,
    1, // dilations: tfjs's conv2dTranspose supports only 1
    attrs.pad,
    attrs.dimRoundingMode,
    false, // not depthwise
    "channelsLast",
  );
  if (dy.shape.some((d: number, i: number) => d !== info.outShape[i])) {
    throw new Error(
      `Conv2DBackpropInput (wasm): expected dy of shape [${info.outShape}] for dx [${inputShape}] and filter [${filter.shape}], found [${dy.shape}]`,
    );
  }
  const [n, h, w, cin] = inputShape;
  const rows = planAxis(h, {
    dySize: info.outHeight,
    kernel: info.filterHeight,
    stride: info.strideHeight,
    padBefore: info.padInfo.top,
  });
  const cols = planAxis(w, {
    dySize: info.outWidth,
    kernel: info.filterWidth,
    stride: info.strideWidth,
    padBefore: info.padInfo.left,
  });
  const sh = rows.phases.length;
  const sw = cols.phases.length;

  return tf.tidy(() => {
    // [KH, KW, Cout, Cin]: each tap is one contiguous Cout×Cin block, the
    // filter layout conv2d wants for dy (Cout channels) → dx (Cin channels).
    const wt = tf.transpose(filter, [0, 1, 3, 2]);
    const taps = wt.dataSync() as Float32Array;
    wt.dispose();
    const phaseRows: tf.Tensor4D[] = rows.phases.map((ph) => {
      const cells = cols.phases.map((pw) => phaseConv(dy, taps, { rows: ph, cols: pw, filter }));
      // [N, QH, QW, sw·Cin] is [N, QH, QW·sw, Cin]: columns interleaved.
      return cells.length === 1 ? cells[0] : tf.concat(cells, 3);
    });
    let out = phaseRows.length === 1 ? phaseRows[0] : tf.concat(
      phaseRows.map((t) => tf.reshape(t, [n, rows.count, 1, cols.count * sw * cin])),
      2,
    ); // [N, QH, sh, QW·sw·Cin] is [N, QH·sh, QW·sw, Cin]: rows interleaved.
    if (rows.count * sh !== h || cols.count * sw !== w) {
      // Drop the surplus last rows/columns. As [N, H', W'·Cin] the slice
      // copies whole contiguous rows, not one pixel at a time.
      const flat = tf.reshape(out, [n, rows.count * sh, cols.count * sw * cin]);
      out = tf.slice(flat, [0, 0, 0], [n, h, w * cin]) as unknown as tf.Tensor4D;
    }
    return tf.reshape(out, inputShape);
  });
}

/**
 * One phase of {@linkcode conv2dBackpropInput}: the stride-1 conv2d of dy
 * with the phase's sub-kernel, [N, QH, QW, Cin]. `taps` is the filter as
 * [KH, KW, Cout, Cin] on the host.
 */
function phaseConv(
  dy: tf.Tensor4D,
  taps: Float32Array,
  phase: { rows: Phase; cols: Phase; filter: tf.Tensor4D },
): tf.Tensor4D {
  const { rows, cols, filter } = phase;
  const [, kw, cin, cout] = filter.shape;
  const [n, dyH, dyW] = dy.shape;
  const countH = dyH + rows.before + rows.after - rows.taps.length + 1;
  const countW = dyW + cols.before + cols.after - cols.taps.length + 1;
  // Explicit padding wider than the kernel leaves dy rows this phase never
  // reads: crop them (a JS-loop slice, but only in that rare case).
  const cropTop = Math.max(0, -rows.before);
  const cropLeft = Math.max(0, -cols.before);
  const keepH = dyH - cropTop - Math.max(0, -rows.after);
  const keepW = dyW - cropLeft - Math.max(0, -cols.after);
  if (rows.taps.length === 0 || cols.taps.length === 0 || keepH <= 0 || keepW <= 0) {
    return tf.zeros([n, countH, countW, cin]); // no tap reaches these dx positions
  }
  const d = keepH === dyH && keepW === dyW
    ? dy
    : tf.slice(dy, [0, cropTop, cropLeft, 0], [-1, keepH, keepW, -1]);
  const block = cout * cin;
  const sub = new Float32Array(rows.taps.length * cols.taps.length * block);
  rows.taps.forEach((th, a) => {
    cols.taps.forEach((tw, b) => {
      const from = (th * kw + tw) * block;
      sub.set(taps.subarray(from, from + block), (a * cols.taps.length + b) * block);
    });
  });
  const f = tf.tensor4d(sub, [rows.taps.length, cols.taps.length, cout, cin]);
  return tf.conv2d(d, f, 1, [
    [0, 0],
    [Math.max(0, rows.before), Math.max(0, rows.after)],
    [Math.max(0, cols.before), Math.max(0, cols.after)],
    [0, 0],
  ]);
}

/**
 * `BatchMatMul` for float32 when b has no batch (or batch 1), as a 1×1
 * XNNPACK conv2d of a [1, 1, batch·M, K] with b [1, 1, K, N]; a transposed
 * operand is first transposed natively (a memory-bound copy). The backend's
 * own kernel reaches XNNPACK only with no transposes and batch 1, and runs
 * a scalar loop otherwise (every dense-layer gradient uses a transpose).
 * Conv2D also keys its packed-weight cache by the filter's geometry as well
 * as its data id, so unlike the backend's BatchMatMul a reshaped view of a
 * tensor used before as `b` cannot read stale packed weights. Batched `b` and
 * other dtypes go to the backend's kernel.
 */
function batchMatMul(args: WasmKernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (
    !(a instanceof tf.Tensor) || !(b instanceof tf.Tensor) || a.dtype !== "float32" ||
    b.dtype !== "float32" || batchB !== 1 || a.size === 0 || b.size === 0
  ) {
    return fallback(tf.BatchMatMul, args);
  }
  const [ra, rb] = [a.rank, b.rank];
  const [m, k] = transposeA
    ? [a.shape[ra - 1], a.shape[ra - 2]]
    : [a.shape[ra - 2], a.shape[ra - 1]];
  const [kb, n] = transposeB
    ? [b.shape[rb - 1], b.shape[rb - 2]]
    : [b.shape[rb - 2], b.shape[rb - 1]];
  if (k !== kb) {
    throw new Error(
      `BatchMatMul (wasm): expected equal inner sizes, found ${k} and ${kb} for a [${a.shape}] (transposeA ${transposeA}) and b [${b.shape}] (transposeB ${transposeB})`,
    );
  }
  const outShape = tf.backend_util.assertAndGetBroadcastShape(
    a.shape.slice(0, -2),
    b.shape.slice(0, -2),
  ).concat([m, n]);
  return tf.tidy(() => {
    let a3 = tf.reshape(a, transposeA ? [batchA, k, m] : [batchA, m, k]);
    if (transposeA) a3 = tf.transpose(a3, [0, 2, 1]);
    let b2 = tf.reshape(b, transposeB ? [n, k] : [k, n]);
    if (transposeB) b2 = tf.transpose(b2);
    const out = tf.conv2d(
      tf.reshape(a3, [1, 1, batchA * m, k]) as tf.Tensor4D,
      tf.reshape(b2, [1, 1, k, n]) as tf.Tensor4D,
      1,
      "valid",
    );
    return tf.reshape(out, outShape);
  });
}

/**
 * `Tile` for numeric dtypes, as block copies on the wasm heap: each
 * dimension's first copy is written once (recursively), then doubled in place
 * with `copyWithin` until it fills the dimension. The backend's own kernel
 * computes a source index per element, about 100 ns each; tfjs's batchNorm
 * gradient tiles [1, 1, 1, C] up to the full activation shape, which made
 * it one of the costliest kernels in a training step. Strings go to the
 * backend's kernel (which, as before, cannot tile them).
 */
function tile(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const x = args.inputs.x as tf.TensorInfo;
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  if (x.dtype === "string") return fallback(tf.Tile, args);
  const shape = x.shape;
  const rank = shape.length;
  const outShape = shape.map((s, i) => s * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (tf.util.sizeFromShape(outShape) === 0) return out;
  // Views taken after makeOutput: an allocation can grow (and move) the heap.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  if (rank === 0) {
    dst.set(src);
    return out;
  }
  // Elements per step of dimension d, in x and in the output.
  const xStride = new Array<number>(rank).fill(1);
  const outStride = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) {
    xStride[d] = xStride[d + 1] * shape[d + 1];
    outStride[d] = outStride[d + 1] * outShape[d + 1];
  }
  const fill = (d: number, xOff: number, outOff: number): void => {
    if (d === rank - 1) {
      dst.set(src.subarray(xOff, xOff + shape[d]), outOff);
    } else {
      for (let i = 0; i < shape[d]; i++) {
        fill(d + 1, xOff + i * xStride[d], outOff + i * outStride[d]);
      }
    }
    const total = outShape[d] * outStride[d];
    for (let done = shape[d] * outStride[d]; done < total;) {
      const n = Math.min(done, total - done);
      dst.copyWithin(outOff + done, outOff, outOff + n);
      done += n;
    }
  };
  fill(0, 0, 0);
  return out;
}

/**
 * `Identity` as a second reference to the same heap data, counted by the
 * backend (its `Reshape` shares data the same way), so the data is freed
 * when the last tensor that holds it is disposed. No kernel writes into an
 * input, so sharing is safe. Strings go to the backend's kernel.
 */
function identity(args: WasmKernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === "string") return fallback(tf.Identity, args);
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** `Sum`: see {@linkcode reduceLeading}. */
function sum(args: WasmKernelArgs): tf.TensorInfo {
  return reduceLeading(tf.Sum, args) ?? fallback(tf.Sum, args);
}

/** `Mean`: see {@linkcode reduceLeading}. */
function mean(args: WasmKernelArgs): tf.TensorInfo {
  return reduceLeading(tf.Mean, args) ?? fallback(tf.Mean, args);
}

/**
 * Sum or mean of a float32 tensor over its leading axes (0 … j − 1, keeping
 * the trailing ones), as one pass of row additions into float64
 * accumulators. The backend's own kernels first transpose the reduced axes to
 * the end, and that transpose dominated: batchNorm's forward moments and
 * its gradient reduce [N, H, W, C] activations over N, H and W. Returns
 * undefined for every other case, which the backend's kernel handles.
 */
function reduceLeading(
  kernelName: string,
  args: WasmKernelArgs,
): tf.TensorInfo | undefined {
  const { backend } = args;
  const x = args.inputs.x as tf.TensorInfo;
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const shape = x.shape;
  const axes = tf.util.parseAxisParam(axis, shape).sort((p, q) => p - q);
  const lead = axes.length;
  if (
    x.dtype !== "float32" || lead === 0 || lead === shape.length ||
    axes.some((a, i) => a !== i) || tf.util.sizeFromShape(shape) === 0
  ) {
    return undefined;
  }
  const rows = tf.util.sizeFromShape(shape.slice(0, lead));
  const cols = tf.util.sizeFromShape(shape.slice(lead));
  const out = backend.makeOutput(
    keepDims ? shape.map((d, i) => (i < lead ? 1 : d)) : shape.slice(lead),
    "float32",
  );
  const src = backend.typedArrayFromHeap(x);
  const acc = new Float64Array(cols);
  for (let r = 0, off = 0; r < rows; r++, off += cols) {
    for (let c = 0; c < cols; c++) acc[c] += src[off + c];
  }
  if (kernelName === tf.Mean) {
    for (let c = 0; c < cols; c++) acc[c] /= rows;
  }
  backend.typedArrayFromHeap(out).set(acc);
  return out;
}
