/**
 * Entry of one Emscripten pthread worker for tfjs-backend-wasm 4.22's
 * threaded SIMD build, run as a Deno `node:worker_threads` Worker (an ES
 * module worker underneath).
 *
 * The package's worker glue (`wasmWorkerContents`) and factory are classic
 * scripts written for a browser worker (`self.onmessage`, `postMessage`,
 * `importScripts`) or for Node (`require`, `__filename`). Deno's worker scope
 * has `process`, so both would take their Node branch and fail on `require`,
 * and the factory also names bundle-scope variables (`_scriptDir`, the
 * `require$$N` modules) that do not exist here. So both are evaluated with
 * `new Function`, whose parameters shadow exactly the globals they look up:
 * `process` is undefined (browser-worker branch), `self` is a plain object
 * that receives the glue's handlers, `postMessage` goes to `parentPort`, and
 * `importScripts` evaluates the factory text the main thread sent.
 */
import { parentPort } from "node:worker_threads";
import {
  FACTORY_TOKEN,
  type GlueMessage,
  type LoadExtra,
  SHIM_KEY,
} from "./wasm_pthread_protocol.ts";

if (parentPort === null) throw new Error("wasm_pthread_worker.ts: expected to run in a worker");
const port = parentPort;

type Handler = (event: { data: unknown }) => void;

/** What the glue and the factory read and write as `self`. */
const scope: {
  location: { href: string };
  onmessage?: Handler;
  startWorker?: (module: unknown) => void;
  [name: string]: unknown;
} = { location: { href: import.meta.url } };

const post = (message: unknown, transfer?: Parameters<typeof port.postMessage>[1]): void =>
  port.postMessage(message, transfer);

let factorySource: string | undefined;

/**
 * `importScripts` for the one script the glue loads: the factory. Like a real
 * importScripts it leaves `WasmBackendModuleThreadedSimd` on the global
 * object, where the glue looks it up.
 */
function importScripts(url: string): void {
  if (url !== FACTORY_TOKEN) {
    throw new Error(
      `wasm_pthread_worker.ts: importScripts expected ${FACTORY_TOKEN}, found ${url}`,
    );
  }
  if (factorySource === undefined) {
    throw new Error(
      "wasm_pthread_worker.ts: importScripts expected the factory source of the load message, found none",
    );
  }
  const make = new Function(
    "process",
    "_scriptDir",
    "self",
    "postMessage",
    "importScripts",
    "startWorker",
    `${factorySource}\nreturn WasmBackendModuleThreadedSimd;`,
  );
  factorySource = undefined;
  (globalThis as Record<string, unknown>).WasmBackendModuleThreadedSimd = make(
    undefined,
    undefined,
    scope,
    post,
    importScripts,
    (module: unknown) => scope.startWorker!(module),
  );
}

port.on("message", (data: unknown) => {
  const shim = (data as Record<string, unknown> | null)?.[SHIM_KEY];
  if (shim === "glue") {
    // Defines scope.onmessage (and scope.startWorker, …) for what follows.
    new Function("process", "self", "postMessage", "importScripts", (data as GlueMessage).source)(
      undefined,
      scope,
      post,
      importScripts,
    );
    return;
  }
  if (shim === "load") factorySource = (data as LoadExtra).factorySource;
  if (scope.onmessage === undefined) {
    throw new Error("wasm_pthread_worker.ts: a message came before the worker glue");
  }
  scope.onmessage({ data });
});
