/**
 * Where a native training step's time goes: the tfjs-node binding's calls
 * (each TF op by name, tensor uploads and reads) timed from JavaScript, for
 * `deno task bench --profile`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Where a native step's time goes, per step. */
export interface StepProfile {
  /** Time inside the native binding's calls. */
  native_ms_per_step: number;
  /** The rest of the step: JavaScript, tfjs bookkeeping, the engine. */
  js_ms_per_step: number;
  /** Native calls per step. */
  calls_per_step: number;
  /** The 15 TF ops (and uploads/reads) that took the most native time. */
  top: { op: string; calls_per_step: number; ms_per_step: number }[];
}

/**
 * Wraps the tfjs-node binding's calls (executeOp by TF op name, tensor
 * uploads and reads) to time them; returns a reader of the totals so far, or
 * null on another backend.
 */
export function profileBinding(): (() => Map<string, { calls: number; ms: number }>) | null {
  const backend = tf.backend() as unknown as { binding?: Record<string, unknown> };
  const binding = backend.binding;
  if (!binding || typeof binding.executeOp !== "function") return null;
  // The addon's exports are read-only: give the backend a stand-in whose
  // calls are timed and that forwards everything else.
  const overrides: Record<string, (...args: unknown[]) => unknown> = {};
  const timed = new Proxy({}, {
    get: (_, key: string) => {
      if (key in overrides) return overrides[key];
      const v = binding[key];
      return typeof v === "function" ? v.bind(binding) : v;
    },
  }) as Record<string, unknown>;
  const table = new Map<string, { calls: number; ms: number }>();
  const wrap = (key: string, label: (args: unknown[]) => string) => {
    const original = (binding[key] as (...args: unknown[]) => unknown).bind(binding);
    overrides[key] = (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return original(...args);
      } finally {
        const name = label(args);
        const entry = table.get(name) ?? { calls: 0, ms: 0 };
        entry.calls += 1;
        entry.ms += performance.now() - t0;
        table.set(name, entry);
      }
    };
  };
  wrap("executeOp", (args) => String(args[0]));
  wrap("createTensor", () => "(upload)");
  wrap("tensorDataSync", () => "(read)");
  backend.binding = timed;
  return () => table;
}

/** Per-step totals of a profile over `steps` steps, the 15 costliest ops first. */
export function summarizeProfile(
  table: Map<string, { calls: number; ms: number }>,
  options: { steps: number; msPerStep: number },
): StepProfile {
  const rows = [...table].map(([op, v]) => ({
    op,
    calls_per_step: v.calls / options.steps,
    ms_per_step: v.ms / options.steps,
  })).sort((a, b) => b.ms_per_step - a.ms_per_step);
  const native = rows.reduce((sum, r) => sum + r.ms_per_step, 0);
  return {
    native_ms_per_step: native,
    js_ms_per_step: options.msPerStep - native,
    calls_per_step: rows.reduce((sum, r) => sum + r.calls_per_step, 0),
    top: rows.slice(0, 15),
  };
}

/**
 * A backend's profile as a markdown table: native binding calls when
 * `native`, else tfjs's kernels (inclusive times, so no "around them").
 */
export function formatProfile(backend: string, p: StepProfile, native = true): string {
  const head = native
    ? `${p.native_ms_per_step.toFixed(1)} ms/step native in ${p.calls_per_step.toFixed(0)} calls, ${
      p.js_ms_per_step.toFixed(1)
    } ms/step around them (JavaScript, tfjs, engine)`
    : `one step, ${
      p.calls_per_step.toFixed(0)
    } kernel calls, times inclusive of the kernels a kernel calls`;
  return [
    `\n${backend} profile: ${head}\n`,
    "| Op | calls/step | ms/step |",
    "|---|---|---|",
    ...p.top.map((r) =>
      `| ${r.op} | ${r.calls_per_step.toFixed(0)} | ${r.ms_per_step.toFixed(2)} |`
    ),
  ].join("\n");
}
