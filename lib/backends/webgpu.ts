/**
 * The `webgpu` backend (tfjs-backend-webgpu 4.22) in Deno.
 *
 * Deno 2.x ships WebGPU as a stable API (`navigator.gpu`, no flag, no
 * permission). On a machine without a GPU, Mesa's lavapipe (Debian
 * `mesa-vulkan-drivers`) or llvmpipe through OpenGL gives a *software*
 * adapter: it computes correctly but slowly, so it is a correctness target,
 * and {@linkcode webgpuAdapterInfo} reports it as `fallback` so that `auto`
 * can skip it.
 *
 * What 4.22 needs in Deno, found by running it:
 * - Registration, `requestAdapter`, `adapter.info` and every kernel the
 *   InfoGAN training step uses (conv2d, conv2dTranspose and both of their
 *   gradients, batchNorm, matMul, softmax, reductions) work as shipped.
 * - Synchronous reads do not. `dataSync()` on a tensor whose values live on
 *   the GPU goes through `OffscreenCanvas.getContext("2d")`, which Deno does
 *   not implement (it returns null), and fails with "Cannot read properties
 *   of null (reading 'clearRect')". JavaScript has no other way to wait for
 *   the GPU synchronously, so {@linkcode initWebgpuBackend} only replaces
 *   that failure with a clear error: read with `await t.data()` instead.
 */
import * as tf from "@tensorflow/tfjs";

/** What {@linkcode webgpuAdapterInfo} found. */
export interface WebgpuAdapterInfo {
  /** An adapter was returned by `navigator.gpu.requestAdapter()`. */
  available: boolean;
  /** The adapter is a software rasteriser (lavapipe, llvmpipe, SwiftShader, WARP). */
  fallback: boolean;
  /** A one-line description for logs: the adapter's name, or why there is none. */
  description: string;
}

/** The message thrown when no adapter exists. */
export const NO_ADAPTER_MESSAGE =
  "backend webgpu: no WebGPU adapter (install mesa-vulkan-drivers for a software one)";

/** Adapter names of the software implementations we know of. */
const SOFTWARE_NAME = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render|\bwarp\b/i;
/** PCI vendor ids: Mesa's software drivers (0x10005) and Google's SwiftShader (0x1ae0). */
const SOFTWARE_VENDOR = new Set([0x10005, 0x1ae0]);

/** The adapter fields we read; `info` replaced `requestAdapterInfo()` in the spec. */
interface AdapterLike {
  info?: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<Partial<GPUAdapterInfo>>;
}

/** Requests the adapter tfjs would use (`high-performance`), or null. */
async function requestAdapter(): Promise<GPUAdapter | null> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return null;
  // tfjs's own flag, defined only once the backend package is imported.
  const lowPower = tf.env().getFlags()["WEBGPU_USE_LOW_POWER_GPU"] === true;
  return await gpu.requestAdapter({ powerPreference: lowPower ? "low-power" : "high-performance" });
}

/**
 * Describes the WebGPU adapter tfjs would get, and whether it is a software
 * one. A fallback adapter counts as software even when `isFallbackAdapter` is
 * false: lavapipe reports itself through its name ("llvmpipe (LLVM …)") and
 * Mesa's vendor id. Never throws; an error becomes `available: false`.
 */
export async function webgpuAdapterInfo(): Promise<WebgpuAdapterInfo> {
  try {
    if (!(globalThis.navigator as { gpu?: GPU } | undefined)?.gpu) {
      return { available: false, fallback: false, description: "navigator.gpu is undefined" };
    }
    const adapter = (await requestAdapter()) as (GPUAdapter & AdapterLike) | null;
    if (!adapter) {
      return { available: false, fallback: false, description: "requestAdapter() returned null" };
    }
    let info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean } = adapter.info ?? {};
    if (!adapter.info && typeof adapter.requestAdapterInfo === "function") {
      info = await adapter.requestAdapterInfo();
    }
    const fields = [info.description, info.vendor, info.architecture, info.device]
      .filter((s): s is string => typeof s === "string" && s.length > 0);
    const vendorId = Number(info.vendor);
    const fallback = info.isFallbackAdapter === true || adapter.isFallbackAdapter === true ||
      fields.some((s) => SOFTWARE_NAME.test(s)) ||
      (Number.isInteger(vendorId) && SOFTWARE_VENDOR.has(vendorId));
    const description = fields.length > 0 ? fields.join(" / ") : "unnamed adapter";
    return { available: true, fallback, description };
  } catch (e) {
    return { available: false, fallback: false, description: `error: ${(e as Error).message}` };
  }
}

/**
 * Registers tfjs-backend-webgpu with the same tfjs-core as
 * `import * as tf from "@tensorflow/tfjs"` and switches to it. Throws an Error
 * whose message starts with "backend webgpu:" when there is no adapter or the
 * backend fails to start. Software adapters are accepted: choosing not to
 * use them is the caller's decision (see {@linkcode webgpuAdapterInfo}).
 */
export async function initWebgpuBackend(): Promise<void> {
  const probe = await webgpuAdapterInfo();
  if (!probe.available) throw new Error(`${NO_ADAPTER_MESSAGE}; ${probe.description}`);
  // Registers the "webgpu" factory as a side effect. Imported lazily, so that
  // importing this module neither touches the GPU nor needs the package.
  await import("@tensorflow/tfjs-backend-webgpu");
  if (tf.findBackendFactory("webgpu") === null) {
    throw new Error(
      "backend webgpu: expected @tensorflow/tfjs-backend-webgpu to register with " +
        "@tensorflow/tfjs's tfjs-core, found no factory (two tfjs-core copies?)",
    );
  }
  // PROD silences tfjs's "install the node backend" banner.
  tf.env().set("PROD", true);
  let ok = false;
  let reason = "";
  try {
    ok = await tf.setBackend("webgpu");
  } catch (e) {
    reason = ` (${(e as Error).message})`;
  }
  if (!ok || tf.getBackend() !== "webgpu") {
    throw new Error(`backend webgpu: failed to initialise on ${probe.description}${reason}`);
  }
  await tf.ready();
  patchReadSync(tf.backend());
}

/** A backend with the `readSync` that tfjs-backend-webgpu defines. */
interface ReadSyncBackend {
  readSync(dataId: object): unknown;
  [PATCHED]?: true;
}

const PATCHED = Symbol("infogan.readSyncPatched");

/**
 * Keeps `readSync` for values already on the host (tfjs caches them after
 * an async read or upload) and turns the OffscreenCanvas failure into an
 * error that says what to do instead.
 */
function patchReadSync(backend: tf.KernelBackend): void {
  const b = backend as unknown as ReadSyncBackend;
  if (b[PATCHED]) return;
  const original = b.readSync.bind(b);
  b.readSync = (dataId: object): unknown => {
    try {
      return original(dataId);
    } catch (e) {
      throw new Error(
        "backend webgpu: dataSync()/arraySync() cannot read GPU memory in Deno " +
          "(it needs OffscreenCanvas 2d, which Deno lacks); use `await tensor.data()` " +
          `or \`await tensor.array()\` (cause: ${(e as Error).message})`,
        { cause: e },
      );
    }
  };
  b[PATCHED] = true;
}
