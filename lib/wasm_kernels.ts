/**
 * Kernels that the tfjs wasm backend (tfjs-backend-wasm 4.22) lacks.
 *
 * The wasm backend ships no `Conv2DBackpropFilter` kernel, so every gradient
 * with respect to a `tf.conv2d` filter (and to a `tf.conv2dTranspose` filter,
 * whose gradient uses the same kernel) throws "Kernel 'Conv2DBackpropFilter'
 * not registered for backend 'wasm'". {@linkcode registerWasmKernels} adds it.
 *
 * The math. For a forward conv with strides (sh, sw), no dilation, and the
 * input zero-padded by (top, left), the filter gradient is
 *
 *   dW[kh, kw, ci, co] = Σ_{n, oh, ow} xpad[n, oh·sh + kh, ow·sw + kw, ci]
 *                                    · dy[n, oh, ow, co]
 *
 * Rename n → c (channels), ci → b (batch), (oh, ow) → (p, q) (filter taps):
 * this is itself a stride-1 conv2d whose dilation is the forward stride, of
 *   input  x' = transpose(x,  [3, 1, 2, 0])  shape [Cin, H, W, N]
 *   filter f' = transpose(dy, [1, 2, 0, 3])  shape [OH, OW, N, Cout]
 * giving out[ci, kh, kw, co], transposed back to [KH, KW, Cin, Cout]. The
 * wasm backend runs that conv through XNNPACK, which gathers the patches
 * itself, so the kernel runs about as fast as the forward conv.
 *
 * Why not im2col plus one matMul: on this backend `tf.slice` and
 * `tf.stridedSlice` copy 4-D tensors in JS loops (about 20 ns per element
 * measured, 25 slices per 5×5 kernel), and `BatchMatMul` reaches XNNPACK only
 * with no transposes; it also caches its packed XNNPACK weights by the data id
 * of `b` alone, so a reshaped view of a tensor already used as `b` with another
 * shape reads out of bounds.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Registers the kernels that the `wasm` backend lacks; today that is only
 * `Conv2DBackpropFilter`. Safe to call any number of times: a kernel that is
 * already registered for `wasm` (ours, or one a later tfjs ships) is kept.
 *
 * It works before or after `tf.setBackend("wasm")`: the engine looks kernels
 * up in the global registry at every call, and this kernel needs no per-backend
 * setup (no `setupFunc`), so registering after initialisation is fine too.
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
  if (tf.getKernel(tf.Conv2DBackpropFilter, "wasm") !== undefined) return;
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: "wasm",
    kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
  });
}

type Shape4D = [number, number, number, number];

/**
 * The kernel. Inputs {x, dy}, attrs {strides, pad, dataFormat,
 * dimRoundingMode, filterShape}; returns dW with shape `filterShape`.
 *
 * It runs inside the engine's kernel scope, where the gradient tape is off,
 * so the tf ops below are not recorded; `tf.tidy` disposes every intermediate
 * and the one tensor returned is handed to the engine as the kernel output.
 */
function conv2dBackpropFilter(
  args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap },
): tf.Tensor4D {
  const { x, dy } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat !== "NHWC") {
    throw new Error(
      `Conv2DBackpropFilter (wasm): expected dataFormat "NHWC", found "${attrs.dataFormat}"`,
    );
  }
  if (!(x instanceof tf.Tensor) || !(dy instanceof tf.Tensor)) {
    // The engine passes the op's Tensors; a bare TensorInfo would come only
    // from another kernel calling this one directly, which none does.
    throw new TypeError(
      "Conv2DBackpropFilter (wasm): expected inputs x and dy to be Tensors, found TensorInfo",
    );
  }
  if (x.rank !== 4 || dy.rank !== 4) {
    throw new Error(
      `Conv2DBackpropFilter (wasm): expected rank-4 x and dy, found shapes [${x.shape}] and [${dy.shape}]`,
    );
  }
  // The same geometry (padding split, output size) as tfjs's forward conv.
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4D,
    attrs.filterShape,
    attrs.strides,
    1, // dilations: tfjs's conv2d gradient supports only 1
    attrs.pad,
    attrs.dimRoundingMode,
    false, // not depthwise
    "channelsLast",
  );
  const expectedDy = [
    info.batchSize,
    info.outHeight,
    info.outWidth,
    info.outChannels,
  ];
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
    const xT = tf.transpose(x as tf.Tensor4D, [3, 1, 2, 0]); // [Cin, H, W, N]
    const dyT = tf.transpose(dy as tf.Tensor4D, [1, 2, 0, 3]); // [OH, OW, N, Cout]
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
