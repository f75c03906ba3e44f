/**
 * tfjs-backend-wasm 4.22's threaded SIMD build under Deno, which starts only
 * module workers while the build's Emscripten glue starts classic ones.
 *
 * Deno resolves `@tensorflow/tfjs-backend-wasm` to its Node bundle. There the
 * Emscripten factory sees `process`, takes its Node branch, and does
 * `globalThis.Worker = require("worker_threads").Worker` and then, for its
 * pool of 8 pthreads, `new Worker(blobUrlOfWorkerGlue)`; it drives the
 * workers with the Node API (`on("message")`, `ref`, `unref`) as well as
 * `onmessage`/`postMessage`. tfjs itself never asks for threads there
 * (WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE).
 *
 * {@linkcode initThreadedWasm} turns the flag on and, only while the backend
 * initialises, makes the global `Worker` an accessor that ignores the
 * factory's assignment and hands it {@linkcode PthreadWorker}: a Deno
 * `node:worker_threads` Worker running `wasm_pthread_worker.ts` (an ES module),
 * which evaluates the package's own glue and factory text.
 *
 * {@linkcode wasmThreads} reads how many threads to use from
 * {@linkcode WASM_THREADS_ENV}; `select.ts` starts this build when that is
 * more than 1, and tfjs's single-threaded SIMD build otherwise.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type BackendWasm,
  getThreadsCount,
  setThreadsCount,
  setWasmPaths,
} from "@tensorflow/tfjs-backend-wasm";
import os from "node:os";
import { Worker as NodeWorker } from "node:worker_threads";
import {
  FACTORY_TOKEN,
  type GlueMessage,
  type LoadExtra,
  SHIM_KEY,
} from "./wasm_pthread_protocol.ts";

/**
 * tfjs-wasm's C++ `max_num_threads`. Its `init_with_threads_count` also caps
 * the count at `num_cores = emscripten_num_logical_cores() / 2` (it assumes
 * two hyperthreads per core), read once by a static initialiser. The glue
 * pre-starts 8 pthread workers (`pthreadPoolSize`), and a pthread beyond the
 * pool would need the main event loop to start a worker while the main
 * thread blocks waiting for it, so this cap also keeps every thread in it.
 */
export const MAX_THREADS = 8;

/** The environment variable that sets the wasm backend's thread count. */
export const WASM_THREADS_ENV = "INFOGAN_WASM_THREADS";

/**
 * The thread count `value` asks for ({@linkcode WASM_THREADS_ENV}'s syntax: an
 * integer from 1 to {@linkcode MAX_THREADS}; unset or empty means `cpus`,
 * capped). Throws naming the variable on anything else.
 */
export function parseWasmThreads(value: string | undefined, cpus: number): number {
  const text = (value ?? "").trim();
  if (text === "") return Math.max(1, Math.min(cpus, MAX_THREADS));
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_THREADS) {
    throw new Error(
      `${WASM_THREADS_ENV}: expected an integer from 1 to ${MAX_THREADS}, found "${value}"`,
    );
  }
  return n;
}

/** The wasm backend's thread count, from {@linkcode WASM_THREADS_ENV} and the CPU count. */
export function wasmThreads(): number {
  let value: string | undefined;
  try {
    value = Deno.env.get(WASM_THREADS_ENV);
  } catch (e) {
    // Without env permission the default holds.
    if (!(e instanceof Deno.errors.NotCapable)) throw e;
  }
  return parseWasmThreads(value, navigator.hardwareConcurrency);
}

const ENTRY = new URL("./wasm_pthread_worker.ts", import.meta.url);

type TransferList = Parameters<NodeWorker["postMessage"]>[1];

/** Every worker this shim started and has not terminated. */
const live = new Set<PthreadWorker>();

/** Text of the factory Blob tfjs builds once and sends to every worker. */
const blobText = new WeakMap<Blob, Promise<string>>();

/**
 * The `Worker` the Emscripten factory constructs. `glueUrl` is the blob: URL
 * tfjs's `locateFile` made from `wasmWorkerContents`.
 */
class PthreadWorker extends NodeWorker {
  // Own data properties: the glue both assigns onmessage and forwards
  // on("message") to it, so nothing else may deliver to it.
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((error: unknown) => void) | null = null;
  /** Messages wait here until the glue text (and factory text) went out. */
  #queue: Promise<void> | null;

  constructor(glueUrl: string | URL) {
    super(ENTRY);
    live.add(this);
    const url = String(glueUrl);
    this.#queue = this.#track(
      fetch(url).then((r) => r.text()).then((source) => {
        URL.revokeObjectURL(url); // tfjs never revokes these
        const message: GlueMessage = { [SHIM_KEY]: "glue", source };
        super.postMessage(message);
      }),
    );
  }

  /**
   * Posts in order. Only while the startup texts are in flight is a message
   * queued; after that it goes out synchronously, which matters: the main
   * thread posts "run" from inside wasm (pthread_create) and then blocks
   * until the thread checks in, so a deferred post would deadlock.
   */
  override postMessage(message: unknown, transfer?: TransferList): void {
    const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
    const blob = m?.cmd === "load" && m.urlOrBlob instanceof Blob ? m.urlOrBlob : null;
    if (this.#queue === null && blob === null) {
      super.postMessage(message, transfer);
      return;
    }
    // "load" is posted from an async callback (wasm instantiated), never from
    // inside a blocking wasm call, so waiting for the Blob's text is safe.
    this.#queue = this.#track((this.#queue ?? Promise.resolve()).then(async () => {
      if (blob !== null) {
        let text = blobText.get(blob);
        if (text === undefined) blobText.set(blob, text = blob.text());
        const extra: LoadExtra = { [SHIM_KEY]: "load", factorySource: await text };
        message = { ...m, urlOrBlob: FACTORY_TOKEN, ...extra };
      }
      super.postMessage(message, transfer);
    }));
  }

  /** Clears the queue once it drains; reports a failure as a worker error. */
  #track(p: Promise<void>): Promise<void> {
    const tracked: Promise<void> = p.then(
      () => {
        if (this.#queue === tracked) this.#queue = null;
      },
      (e) => {
        this.emit("error", e);
      },
    );
    return tracked;
  }

  /**
   * Never hold the process open. The glue ref()s a worker while it runs a
   * pthread, and XNNPACK's pool threads run until the backend is disposed,
   * so honouring it would keep Deno from exiting. Every tfjs call is
   * synchronous on the main thread, so no work is lost when it exits.
   */
  override ref(): void {}

  override terminate(): Promise<number> {
    live.delete(this);
    return super.terminate();
  }
}

/** A placeholder os.cpus() entry: the glue reads only the array's length. */
const FAKE_CPU = {
  model: "",
  speed: 0,
  times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 },
};

/** Options of {@linkcode initThreadedWasm}. */
export interface ThreadedWasmOptions {
  /** Folder (URL with trailing slash) of the package's .wasm files. */
  wasmDir: string;
  /** Threads for XNNPACK, the main thread included, capped at {@linkcode MAX_THREADS}. */
  threads: number;
}

/**
 * Sets tfjs to the `wasm` backend with the threaded SIMD binary and returns
 * the thread count tfjs-wasm reports. Call before anything else initialises
 * the wasm backend.
 */
export async function initThreadedWasm(options: ThreadedWasmOptions): Promise<number> {
  // Once started, the backend stays in the engine's registry (findBackend
  // would start it, without the shim); switching back needs no shim.
  if ("wasm" in tf.engine().registry && (await tf.setBackend("wasm"))) return getThreadsCount();
  const threads = Math.max(1, Math.min(options.threads, MAX_THREADS));
  setThreadsCount(threads);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  if (!(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"))) {
    throw new Error("threaded wasm: expected WebAssembly SIMD support, found none");
  }
  setWasmPaths(options.wasmDir, true);

  const saved = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  Object.defineProperty(globalThis, "Worker", {
    configurable: true,
    get: () => PthreadWorker,
    set: () => {}, // the factory's `globalThis.Worker = worker_threads.Worker`
  });
  // The factory's Node branch reads the core count from node:os (the same
  // object as this import); report 2 × threads so that tfjs's halving leaves
  // `threads`. Also spares the --allow-sys=cpus that os.cpus() needs.
  const realCpus = os.cpus;
  os.cpus = () => Array.from({ length: 2 * threads }, () => FAKE_CPU);
  let ok = false;
  try {
    ok = await tf.setBackend("wasm");
  } finally {
    os.cpus = realCpus;
    if (saved) Object.defineProperty(globalThis, "Worker", saved);
    else delete (globalThis as Record<string, unknown>).Worker;
  }
  const active = tf.getBackend();
  const wasm = active === "wasm"
    ? (tf.backend() as BackendWasm).wasm as unknown as {
      PThread?: { unusedWorkers: PthreadWorker[] };
    }
    : undefined;
  if (!ok || wasm?.PThread === undefined) {
    // Leave nothing running, and the flag as tfjs sets it, for a later try.
    await Promise.all([...live].map((w) => w.terminate()));
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    throw new Error(
      `threaded wasm: expected the threaded SIMD build running with pthreads, found ${
        ok ? `backend ${active} without pthreads` : 'tf.setBackend("wasm") failing'
      }`,
    );
  }
  // tfjs creates its threads once, at init: the pool workers it did not take
  // only hold memory (with 2 threads, terminating the 7 idle ones saved about
  // 30 MiB). A later pthread_create then fails loudly, as Deno refuses the
  // classic Worker the glue would construct, rather than run.
  const idle = wasm.PThread.unusedWorkers.splice(0);
  await Promise.all(idle.map((w) => w.terminate()));
  return getThreadsCount();
}

/** Pthread workers: started by this shim and not terminated, and running a pthread now. */
export function pthreadWorkers(): { alive: number; running: number } {
  const backend = tf.engine().registry["wasm"] as BackendWasm | undefined;
  const wasm = backend?.wasm as
    | { PThread?: { runningWorkers: unknown[] } }
    | undefined;
  return { alive: live.size, running: wasm?.PThread?.runningWorkers.length ?? 0 };
}
