/**
 * The native `tensorflow` backend: @tensorflow/tfjs-node, whose binding
 * `deno task setup` builds against the tensorflow-cpu wheel (see
 * `setup/native.ts`). Loading it in Deno needs `--allow-ffi` (a Node-API
 * addon; `--allow-ffi=node_modules` suffices), `--allow-read` and `--allow-env`.
 *
 * Run directly, this file switches to the backend and prints one check line.
 */
import * as tf from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { nativeBindingPath } from "./tensorflow_binding.ts";
import { registerNativeKernels } from "./tensorflow_ops.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Whether the native binding has been built (a file check, nothing loaded). */
export function tensorflowAvailable(): boolean {
  return nativeBindingPath(ROOT) !== null;
}

/**
 * Node's long-deprecated `util.is*` predicates, which Deno's `node:util` no
 * longer has; tfjs-node calls `isNullOrUndefined` (and `isArray`) on every op.
 */
const LEGACY_UTIL: Readonly<Record<string, (x: unknown) => boolean>> = {
  isArray: Array.isArray,
  isNullOrUndefined: (x) => x === null || x === undefined,
  isNull: (x) => x === null,
  isUndefined: (x) => x === undefined,
  isBoolean: (x) => typeof x === "boolean",
  isNumber: (x) => typeof x === "number",
  isString: (x) => typeof x === "string",
  isSymbol: (x) => typeof x === "symbol",
  isFunction: (x) => typeof x === "function",
  isObject: (x) => x !== null && typeof x === "object",
  isPrimitive: (x) => x === null || (typeof x !== "object" && typeof x !== "function"),
  isRegExp: (x) => x instanceof RegExp,
  isDate: (x) => x instanceof Date,
  isError: (x) => x instanceof Error,
};

/**
 * Adds the missing predicates to the `util` object that CommonJS
 * `require("util")` returns. The ESM namespace of `node:util` is sealed, but
 * this object (its default export) is shared and extensible, and it is what
 * tfjs-node's compiled CommonJS code reads. Existing functions are kept.
 */
export function installNodeUtilShims(): void {
  const util = createRequire(import.meta.url)("node:util") as Record<string, unknown>;
  for (const [name, fn] of Object.entries(LEGACY_UTIL)) {
    if (typeof util[name] !== "function") util[name] = fn;
  }
  if (typeof util.isNullOrUndefined !== "function") {
    throw new Error("backend tensorflow: could not add isNullOrUndefined to node:util");
  }
}

/**
 * Loads @tensorflow/tfjs-node and switches the shared tfjs engine to its
 * `tensorflow` backend. Throws when the binding is not built or does not
 * load, or when the backend is not the one `@tensorflow/tfjs` now uses.
 * `intraOpThreads` sizes TensorFlow's intra-op pool when the library starts
 * here for the first time and TF_NUM_INTRAOP_THREADS is unset.
 */
export async function initTensorflowBackend(
  options: { intraOpThreads?: number } = {},
): Promise<void> {
  if (!tensorflowAvailable()) {
    throw new Error("backend tensorflow: not built; run `deno task setup`");
  }
  installNodeUtilShims();
  // Hides TensorFlow's C++ INFO/WARNING lines (CPU features); two absl lines
  // about oneDNN, logged while the library loads, print regardless.
  if (Deno.env.get("TF_CPP_MIN_LOG_LEVEL") === undefined) {
    Deno.env.set("TF_CPP_MIN_LOG_LEVEL", "2");
  }
  // TensorFlow reads the variable once, when its first context starts.
  const threads = options.intraOpThreads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new Error(
      `backend tensorflow: intraOpThreads: expected an integer ≥ 1, found ${threads}`,
    );
  }
  // Before tfjs-node registers its backend, the library has not started.
  const unstarted = tf.findBackendFactory("tensorflow") === null;
  if (threads !== undefined && unstarted && Deno.env.get("TF_NUM_INTRAOP_THREADS") === undefined) {
    Deno.env.set("TF_NUM_INTRAOP_THREADS", String(threads));
  }
  let node: { engine: () => unknown };
  try {
    node = await import("@tensorflow/tfjs-node");
  } catch (e) {
    const reason = (e as Error).message.split("\n")[0];
    // A missing permission is not a broken build.
    const fix = e instanceof Deno.errors.NotCapable
      ? "run with --allow-read --allow-env --allow-ffi"
      : "run `deno task setup`";
    throw new Error(`backend tensorflow: loading @tensorflow/tfjs-node failed (${reason}); ${fix}`);
  }
  if (node.engine() !== tf.engine()) {
    throw new Error(
      "backend tensorflow: expected tfjs-node to share @tensorflow/tfjs's engine, found a second copy",
    );
  }
  // PROD silences tfjs's console banners.
  tf.env().set("PROD", true);
  if (!(await tf.setBackend("tensorflow")) || tf.getBackend() !== "tensorflow") {
    throw new Error(`backend tensorflow: failed to initialise (active: ${tf.getBackend()})`);
  }
  await tf.ready();
  // One op end to end: [1 2]·[3 4]ᵀ = 11.
  const check = tf.tidy(() => tf.matMul([[1, 2]], [[3], [4]]));
  const value = (await check.data())[0];
  check.dispose();
  if (value !== 11) {
    throw new Error(`backend tensorflow: expected [1 2]·[3 4]ᵀ = 11, found ${value}`);
  }
  registerNativeKernels();
}

if (import.meta.main) {
  await initTensorflowBackend();
  console.log(
    `backend tensorflow: ok (tfjs ${tf.version.tfjs}, binding ${nativeBindingPath(ROOT)})`,
  );
}
