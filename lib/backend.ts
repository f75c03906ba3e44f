/**
 * Backend selection. `cpu` is tfjs's pure-JavaScript reference; `wasm` runs
 * conv2d and matMul through XNNPACK and needs the kernels registered in
 * `wasm_kernels.ts` to train. The wasm binary is loaded from the npm
 * package's own files, so nothing is fetched over the network.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BackendName } from "./config.ts";
import { registerWasmKernels } from "./wasm_kernels.ts";

/** A backend that was asked for but cannot start. */
export class BackendError extends Error {
  override name = "BackendError";
}

/** The order `auto` tries concrete backends in. */
export const AUTO_ORDER = ["wasm", "cpu"] as const;

/**
 * Switches tfjs to `name` and returns the backend actually in use. `auto`
 * takes the first of {@linkcode AUTO_ORDER} that starts. A named backend that
 * cannot start throws {@linkcode BackendError}.
 */
export async function initBackend(name: BackendName): Promise<string> {
  if (name === "auto") {
    const failures: string[] = [];
    for (const candidate of AUTO_ORDER) {
      try {
        return await initBackend(candidate);
      } catch (e) {
        failures.push(`${candidate}: ${(e as Error).message}`);
      }
    }
    throw new BackendError(`backend auto: no backend started (${failures.join("; ")})`);
  }
  if (name === "wasm") {
    registerWasmKernels();
    setWasmPaths(wasmDistUrl(), true);
  } else if (name !== "cpu") {
    throw new BackendError(`backend: expected auto|cpu|wasm, found ${JSON.stringify(name)}`);
  }
  // PROD silences tfjs's "install the node backend" banner.
  tf.env().set("PROD", true);
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
