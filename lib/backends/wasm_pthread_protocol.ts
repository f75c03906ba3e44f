/**
 * The few names the main-thread shim (`wasm_threads.ts`) and the pthread
 * worker entry (`wasm_pthread_worker.ts`) share.
 */

/** Key marking a message as the shim's own (not Emscripten's). */
export const SHIM_KEY = "__denoPthreadShim";

/**
 * Stands in for the Blob URL that Emscripten's "load" message carries
 * (`urlOrBlob`); the worker's `importScripts` accepts only this token and
 * evaluates the factory source sent alongside it.
 */
export const FACTORY_TOKEN = "deno-pthread-shim:tfjs-backend-wasm-threaded-simd.js";

/** Main → worker, first message: the Emscripten worker glue (`*.worker.js`) text. */
export interface GlueMessage {
  [SHIM_KEY]: "glue";
  source: string;
}

/** Main → worker: Emscripten's own "load" message, plus the factory source. */
export interface LoadExtra {
  [SHIM_KEY]: "load";
  factorySource: string;
}
