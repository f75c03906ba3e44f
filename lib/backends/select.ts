/**
 * Backend selection:
 * - `tensorflow`: native libtensorflow through tfjs-node, built by
 *   `deno task setup` (see `backend_tensorflow.ts`);
 * - `webgpu`: tfjs-backend-webgpu on Deno's WebGPU (see `backend_webgpu.ts`);
 * - `wasm`: XNNPACK conv2d and matMul, plus the training kernels registered in
 *   `wasm_kernels.ts`; its binary is loaded from the npm package's own files,
 *   the threaded SIMD build (`wasm_threads.ts`) unless INFOGAN_WASM_THREADS=1;
 * - `cpu`: tfjs's pure-JavaScript reference.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BackendName } from "../infogan/config.ts";
import { initTensorflowBackend, tensorflowAvailable } from "./tensorflow.ts";
import { initWebgpuBackend, webgpuAdapterInfo } from "./webgpu.ts";
import { registerWasmKernels } from "./wasm_kernels.ts";
import { registerWasmFusedKernels } from "./wasm_fused.ts";
import { initThreadedWasm, wasmThreads } from "./wasm_threads.ts";

/** A backend that was asked for but cannot start. */
export class BackendError extends Error {
  override name = "BackendError";
}

/**
 * The order `auto` tries concrete backends in: native if built, WebGPU on a
 * real (not software) adapter, then wasm, then the JavaScript reference.
 */
export const AUTO_ORDER = ["tensorflow", "webgpu", "wasm", "cpu"] as const;

/** How a backend starts, where the caller knows its workload better than the defaults. */
export interface BackendOptions {
  /**
   * `tensorflow` only: threads of TensorFlow's intra-op pool (its default is
   * one per core). Applies when the native library first starts in this
   * process and TF_NUM_INTRAOP_THREADS is unset; otherwise it is ignored.
   */
  intraOpThreads?: number;
}

/**
 * For small models such as the toy's MLPs: one intra-op thread. Their
 * products (at most 512×128 by 128×128) are too small to split across cores,
 * and handing each op to the pool costs more than it saves: a toy run of 1 000
 * steps trained in 13.7 s on one thread against 20.7 s on two (the faster of
 * two runs each), with the same results (docs/toy.md).
 */
export const SMALL_MODEL: BackendOptions = { intraOpThreads: 1 };

/**
 * Switches tfjs to `name` and returns the backend actually in use. `auto`
 * takes the first of {@linkcode AUTO_ORDER} that starts. A named backend that
 * cannot start throws {@linkcode BackendError}.
 */
export async function initBackend(
  name: BackendName,
  options: BackendOptions = {},
): Promise<string> {
  if (name === "auto") {
    const failures: string[] = [];
    for (const candidate of AUTO_ORDER) {
      if (candidate === "tensorflow" && !tensorflowAvailable()) {
        failures.push("tensorflow: not built (run `deno task setup`)");
        continue;
      }
      if (candidate === "webgpu") {
        const info = await webgpuAdapterInfo();
        if (!info.available || info.fallback) {
          failures.push(
            `webgpu: ${
              info.available ? `software adapter skipped (${info.description})` : info.description
            }`,
          );
          continue;
        }
      }
      try {
        return await initBackend(candidate, options);
      } catch (e) {
        failures.push(`${candidate}: ${(e as Error).message}`);
      }
    }
    throw new BackendError(`backend auto: no backend started (${failures.join("; ")})`);
  }
  // PROD silences tfjs's "install the node backend" banner.
  tf.env().set("PROD", true);
  if (name === "tensorflow" || name === "webgpu") {
    try {
      await (name === "tensorflow" ? initTensorflowBackend(options) : initWebgpuBackend());
    } catch (e) {
      throw new BackendError((e as Error).message);
    }
    return name;
  }
  if (name === "wasm") {
    registerWasmKernels();
    registerWasmFusedKernels();
    try {
      const threads = wasmThreads();
      if (threads > 1) {
        await initThreadedWasm({ wasmDir: wasmDistUrl(), threads });
        return name;
      }
    } catch (e) {
      throw new BackendError(`backend wasm: ${(e as Error).message}`);
    }
    setWasmPaths(wasmDistUrl(), true);
  } else if (name !== "cpu") {
    throw new BackendError(
      `backend: expected auto|tensorflow|webgpu|wasm|cpu, found ${JSON.stringify(name)}`,
    );
  }
  let ok = false;
  let reason = "";
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    reason = ` (${(e as Error).message})`;
  }
  if (!ok || tf.getBackend() !== name) {
    throw new BackendError(`backend ${name}: failed to initialise${reason}`);
  }
  await tf.ready();
  return name;
}

/** The file: URL of the folder holding tfjs-backend-wasm's .wasm binaries. */
export function wasmDistUrl(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@tensorflow/tfjs-backend-wasm/package.json");
  return pathToFileURL(join(dirname(pkg), "dist")).href + "/";
}
