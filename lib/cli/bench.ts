/**
 * `deno task bench`: times one training step of a preset (`--preset book`,
 * the default, `lesson` or `paper`) on every available backend and, in the
 * same run, its Keras reference (test/keras_reference.py for the book,
 * test/keras_paper_reference.py for the paper's networks) when the venv has
 * TensorFlow. Each backend runs in its own process, so peak RSS is per
 * backend.
 *
 * Prints ms/step, the ratio to Keras, peak RSS, and whether numTensors stayed
 * constant; `--json` prints the same as JSON.
 */
import * as tf from "@tensorflow/tfjs";
import os from "node:os";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { initBackend } from "../backends/select.ts";
import { tensorflowAvailable } from "../backends/tensorflow.ts";
import { webgpuAdapterInfo } from "../backends/webgpu.ts";
import { type BackendName } from "../infogan/config.ts";
import { resolveConfig } from "../infogan/config_schema.ts";
import { loadDataset, realSampler } from "../data/mnist.ts";
import { createState } from "../infogan/state.ts";
import { disposeStepMetrics, readStepMetrics, trainStep } from "../infogan/step.ts";
import { train } from "../infogan/loop.ts";
import { KERNELS_ENV, NATIVE_KERNELS, nativeKernelEnabled } from "../backends/tensorflow_ops.ts";
import { WASM_THREADS_ENV } from "../backends/wasm_threads.ts";
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { type CommandSpec, runCommand, UsageError } from "./args.ts";
import {
  formatProfile,
  profileBinding,
  type StepProfile,
  summarizeProfile,
} from "../backends/tensorflow_profile.ts";
import type { Value } from "../infogan/values.ts";
import { exists } from "../io/fs.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** One backend's measurement. */
export interface BenchResult {
  backend: string;
  /** tensorflow, wasm: the fused kernels on ({@linkcode KERNELS_ENV}): all, none or a list. */
  kernels?: string;
  /** wasm: the threads tfjs-wasm runs ({@linkcode WASM_THREADS_ENV}). */
  threads?: number;
  /** The fastest round's ms/step (the machine only ever slows a round down). */
  ms_per_step: number;
  /** Each round's ms/step, in order. */
  rounds_ms?: number[];
  steps: number;
  batch: number;
  peak_rss_mb: number;
  tensors_constant: boolean | null;
  ratio_to_keras?: number | null;
  error?: string;
  /** With --profile: the native binding's calls on tensorflow, tf.profile's kernels elsewhere. */
  profile?: StepProfile;
}

/** Peak resident set size of this process (getrusage's maxRSS, in KiB). */
function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** The presets the bench can time, each with a Keras reference. */
const BENCH_PRESETS = ["book", "lesson", "paper"] as const;
type BenchPreset = typeof BENCH_PRESETS[number];

/**
 * Times the CLI's training loop (`train()`, as `deno task train` runs it,
 * with samples and checkpoints off): its data drawing, its log-step syncs.
 * The clock runs from the end of step `warmup` to the end of the last step.
 */
async function worker(
  backend: string,
  options: { steps: number; warmup: number; batch: number; preset: BenchPreset; profile: boolean },
) {
  const { steps, warmup, batch } = options;
  const used = await initBackend(backend as BackendName);
  const total = warmup + steps;
  const config = resolveConfig({
    flags: {
      preset: options.preset,
      batchSize: batch,
      steps: total,
      sampleEvery: total + 1,
      checkpointEvery: total + 1,
    },
  });
  const state = createState(config);
  const data = await loadDataset({});
  let read: ReturnType<typeof profileBinding> = null;
  let before = 0;
  let t0 = performance.now();
  const startClock = () => {
    read = options.profile ? profileBinding() : null;
    before = tf.memory().numTensors;
    t0 = performance.now();
  };
  if (warmup === 0) startClock();
  await train(state, realSampler(data), {
    onProgress: (p) => {
      if (p.step === warmup) startClock();
    },
  });
  const ms = (performance.now() - t0) / steps;
  const result: BenchResult = {
    backend: used,
    kernels: used === "tensorflow" || used === "wasm" ? kernelsLabel() : undefined,
    threads: used === "wasm" ? getThreadsCount() : undefined,
    ms_per_step: ms,
    steps,
    batch,
    peak_rss_mb: peakRssMb(),
    tensors_constant: tf.memory().numTensors === before,
  };
  const table = (read as ReturnType<typeof profileBinding>)?.();
  if (table) result.profile = summarizeProfile(table, { steps, msPerStep: ms });
  else if (options.profile) result.profile = await profileKernels(state, realSampler(data));
  console.log(JSON.stringify(result));
}

/**
 * On a backend other than tensorflow: tfjs's own kernel timer (`tf.profile`)
 * over one more step. Its times are inclusive: a kernel built from other
 * kernels (wasm's convolution gradients) counts them in its own time too.
 */
async function profileKernels(
  state: ReturnType<typeof createState>,
  sample: ReturnType<typeof realSampler>,
): Promise<StepProfile> {
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    const values = trainStep(state, sample);
    await readStepMetrics(values);
    disposeStepMetrics(values);
  });
  const table = new Map<string, { calls: number; ms: number }>();
  for (const k of info.kernels) {
    const entry = table.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += k.kernelTimeMs as number;
    table.set(k.name, entry);
  }
  return summarizeProfile(table, { steps: 1, msPerStep: performance.now() - t0 });
}

/** The native kernels on in this process, as {@linkcode KERNELS_ENV} spells them. */
function kernelsLabel(): string {
  const on = NATIVE_KERNELS.filter(nativeKernelEnabled);
  return on.length === NATIVE_KERNELS.length ? "all" : on.length === 0 ? "none" : on.join(",");
}

/** Result of a soak run. */
export interface SoakResult {
  backend: string;
  steps: number;
  batch: number;
  tensors_constant: boolean;
  /** Peak RSS over the warm-up's second half, at the end, and the largest after, in MB. */
  rss_after_warmup_mb: number;
  rss_end_mb: number;
  rss_max_mb: number;
  /** max / after-warm-up: flat when ≤ 1.10. */
  rss_growth: number;
  flat: boolean;
}

/** Trains `steps` book steps, sampling numTensors and RSS after a warm-up. */
async function soak(backend: string, steps: number, warmup: number, batch: number) {
  const used = await initBackend(backend as BackendName);
  const state = createState(resolveConfig({ flags: { preset: "book", batchSize: batch } }));
  const data = await loadDataset({});
  const rss = () => Deno.memoryUsage().rss / 2 ** 20;
  let tensors = 0;
  let base = 0;
  let max = 0;
  let constant = true;
  for (let i = 1; i <= warmup + steps; i++) {
    await readStepMetrics(trainStep(state, realSampler(data)));
    // The baseline is the highest RSS over the second half of the warm-up:
    // allocators and the GC settle into a sawtooth, and a leak shows as
    // growth above that steady level.
    if (i > warmup / 2 && i <= warmup) base = Math.max(base, rss());
    if (i === warmup) {
      tensors = tf.memory().numTensors;
    } else if (i > warmup && i % 10 === 0) {
      constant &&= tf.memory().numTensors === tensors;
      max = Math.max(max, rss());
    }
  }
  const end = rss();
  max = Math.max(max, end);
  const result: SoakResult = {
    backend: used,
    steps,
    batch,
    tensors_constant: constant && tf.memory().numTensors === tensors,
    rss_after_warmup_mb: base,
    rss_end_mb: end,
    rss_max_mb: max,
    rss_growth: max / base,
    flat: max / base <= 1.1,
  };
  console.log(JSON.stringify(result));
}

async function runChild(
  cmd: string,
  args: string[],
  env?: Record<string, string>,
): Promise<BenchResult | { error: string }> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "";
    return { error: err || `exit code ${out.code}` };
  }
  try {
    return JSON.parse(text);
  } catch {
    return { error: `unparsable output: ${text.slice(0, 200)}` };
  }
}

/**
 * The backends worth timing here: tensorflow if built, webgpu on a real
 * adapter (a software one such as lavapipe takes minutes per book step; name
 * it in --backends to time it anyway), and wasm.
 */
/** Times (or soaks) one backend in a child process, so peak RSS is its own. */
function runWorker(
  backend: string,
  options: {
    steps: number;
    warmup: number;
    batch: number;
    soak: boolean;
    preset: BenchPreset;
    profile?: boolean;
    /** tensorflow, wasm: the {@linkcode KERNELS_ENV} value for the worker. */
    kernels?: string;
    /** wasm: the {@linkcode WASM_THREADS_ENV} value for the worker. */
    threads?: number;
  },
): Promise<BenchResult | { error: string }> {
  const env = {
    ...(options.kernels === undefined ? {} : { [KERNELS_ENV]: options.kernels }),
    ...(options.threads === undefined ? {} : { [WASM_THREADS_ENV]: String(options.threads) }),
  };
  return runChild(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-ffi",
    "--allow-sys",
    fileURLToPath(import.meta.url),
    ...(options.soak ? ["--soak"] : []),
    "--worker",
    backend,
    "--steps",
    String(options.steps),
    "--warmup",
    String(options.warmup),
    "--batch",
    String(options.batch),
    "--preset",
    options.preset,
    ...(options.profile ? ["--profile"] : []),
  ], env);
}

async function available(): Promise<string[]> {
  const list: string[] = [];
  if (tensorflowAvailable()) list.push("tensorflow");
  const gpu = await webgpuAdapterInfo();
  if (gpu.available && !gpu.fallback) list.push("webgpu");
  list.push("wasm");
  return list;
}

const COMMAND: CommandSpec = {
  usage: "deno task bench [flags]",
  description:
    "Time one training step of a preset per backend, and its Keras reference in the same run.",
  flags: {
    steps: {
      kind: "int",
      min: 1,
      max: 1_000_000,
      defaultText: "40; 2000 with --soak",
      help: "timed steps per backend",
    },
    warmup: {
      kind: "int",
      min: 0,
      max: 1_000_000,
      defaultText: "5; 50 with --soak",
      help: "untimed steps first",
    },
    batch: { kind: "int", min: 1, max: 65_536, defaultText: "the preset's", help: "batch size" },
    preset: {
      kind: "string",
      default: "book",
      help: `whose step to time: ${BENCH_PRESETS.join("|")}, or a comma list`,
    },
    rounds: {
      kind: "int",
      min: 1,
      max: 100,
      default: 2,
      help: "interleaved rounds of every job; each row keeps its fastest",
    },
    "compare-kernels": {
      kind: "bool",
      help:
        `tensorflow, wasm: also time them with the fused kernels off, then on one by one (${KERNELS_ENV})`,
    },
    "compare-threads": {
      kind: "bool",
      help: `wasm: also time it on 1 thread, the single-threaded build (${WASM_THREADS_ENV})`,
    },
    profile: {
      kind: "bool",
      help:
        "tensorflow: native time per TF op (top 15) and the JavaScript time around it; other backends: tf.profile's kernel times over one more step",
    },
    backends: { kind: "string", help: "comma-separated list (default: every available one)" },
    cpu: { kind: "bool", help: "also time the pure-JS cpu backend, for 1 step" },
    keras: {
      kind: "bool",
      default: true,
      help: "time the Keras reference when the venv has it (default true)",
    },
    "keras-eager": {
      kind: "bool",
      help: "also time the Keras reference op by op (its functions run eagerly), as tfjs runs",
    },
    json: { kind: "bool", help: "print JSON instead of a table" },
    soak: {
      kind: "bool",
      help: "instead: run --steps book steps on the default backend, check numTensors and RSS",
    },
    worker: { kind: "string", help: "(internal) time one backend in this process" },
  },
};

async function main(v: Record<string, Value>): Promise<void> {
  const steps = (v.steps ?? 40) as number;
  const warmup = (v.warmup ?? 5) as number;
  if (v.worker) {
    const preset = parsePresets(v.preset as string)[0];
    const batch = (v.batch ?? resolveConfig({ flags: { preset } }).batchSize) as number;
    if (v.soak) await soak(v.worker as string, steps, warmup, batch);
    else await worker(v.worker as string, { steps, warmup, batch, preset, profile: !!v.profile });
    return;
  }
  if (v.soak) {
    const n = (v.steps ?? 2000) as number;
    const w = (v.warmup ?? 50) as number;
    const backend = (v.backends as string | undefined) ?? "auto";
    const batch = (v.batch ?? resolveConfig({ flags: { preset: "book" } }).batchSize) as number;
    const r = await runWorker(backend, { steps: n, warmup: w, batch, soak: true, preset: "book" });
    if ("error" in r && r.error) throw new Error(`soak failed: ${r.error}`);
    const soaked = r as unknown as SoakResult;
    if (v.json) console.log(JSON.stringify(soaked, null, 2));
    else {
      console.log(
        `soak: ${soaked.steps} book steps (batch ${soaked.batch}) on ${soaked.backend}: numTensors ${
          soaked.tensors_constant ? "constant" : "GREW"
        }; RSS ${soaked.rss_after_warmup_mb.toFixed(0)} MB after warm-up, max ${
          soaked.rss_max_mb.toFixed(0)
        } MB (×${soaked.rss_growth.toFixed(3)}, ${soaked.flat ? "flat" : "NOT flat"})`,
      );
    }
    if (!soaked.tensors_constant || !soaked.flat) Deno.exit(1);
    return;
  }
  const backends = v.backends ? (v.backends as string).split(",") : await available();
  const presets = parsePresets(v.preset as string);
  const rounds = v.rounds as number;
  const report = {
    date: new Date().toISOString().slice(0, 10),
    cpu: cpuName(),
    cores: navigator.hardwareConcurrency,
    rounds,
    steps,
    warmup,
    presets: [] as PresetReport[],
  };
  for (const preset of presets) {
    const batch = (v.batch ?? resolveConfig({ flags: { preset } }).batchSize) as number;
    report.presets.push(
      await benchPreset(preset, {
        backends,
        batch,
        steps,
        warmup,
        rounds,
        cpu: !!v.cpu,
        keras: v.keras !== false,
        kerasEager: !!v["keras-eager"],
        profile: !!v.profile,
        compareKernels: !!v["compare-kernels"],
        compareThreads: !!v["compare-threads"],
      }),
    );
  }
  if (v.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(
    `${report.date}, ${report.cpu} (${report.cores} cores): the fastest of ${rounds} interleaved rounds of ${steps} steps after ${warmup}`,
  );
  for (const p of report.presets) printPreset(p);
}

/** One preset's rows. */
export interface PresetReport {
  preset: BenchPreset;
  batch: number;
  results: BenchResult[];
}

/** Parses `--preset`: one preset or a comma list. */
function parsePresets(text: string): BenchPreset[] {
  const names = text.split(",").map((n) => n.trim());
  for (const n of names) {
    if (!(BENCH_PRESETS as readonly string[]).includes(n)) {
      throw new UsageError(
        `--preset: expected ${BENCH_PRESETS.join("|")} or a comma list of them, found "${n}"`,
      );
    }
  }
  return names as BenchPreset[];
}

/**
 * The jobs of one preset: each backend (with `compareKernels`, tensorflow
 * once per cumulative set of native kernels, from none to all; with
 * `compareThreads`, wasm also on one thread), then Keras.
 * Rounds interleave them, and each row keeps its fastest round.
 */
async function benchPreset(
  preset: BenchPreset,
  o: {
    backends: string[];
    batch: number;
    steps: number;
    warmup: number;
    rounds: number;
    cpu: boolean;
    keras: boolean;
    kerasEager: boolean;
    profile: boolean;
    compareKernels: boolean;
    compareThreads: boolean;
  },
): Promise<PresetReport> {
  type Job = { run: () => Promise<BenchResult | { error: string }>; label: BenchResult };
  const jobs: Job[] = [];
  const kernelSets = o.compareKernels
    ? ["none", ...NATIVE_KERNELS.map((_, i) => NATIVE_KERNELS.slice(0, i + 1).join(","))]
      .map((k) => (k === NATIVE_KERNELS.join(",") ? "all" : k))
    : [undefined];
  for (const backend of o.backends) {
    const fused = backend === "tensorflow" || backend === "wasm";
    for (const kernels of fused ? kernelSets : [undefined]) {
      const threadCounts = backend === "wasm" && o.compareThreads ? [1, undefined] : [undefined];
      for (const threadCount of threadCounts) {
        jobs.push({
          label: { ...emptyResult(backend, o.steps, o.batch), kernels, threads: threadCount },
          run: () =>
            runWorker(backend, {
              steps: o.steps,
              warmup: o.warmup,
              batch: o.batch,
              soak: false,
              preset,
              // On tensorflow the profile of the shipped configuration only: wrapping the
              // binding slows the timed steps. Elsewhere it times one more step after them.
              profile: o.profile && threadCount === undefined &&
                (backend !== "tensorflow" || kernels === undefined || kernels === "all"),
              kernels,
              threads: threadCount,
            }),
        });
      }
    }
  }
  if (o.cpu) {
    jobs.push({
      label: emptyResult("cpu", 1, o.batch),
      run: () => runWorker("cpu", { steps: 1, warmup: 0, batch: o.batch, soak: false, preset }),
    });
  }
  const python = join(ROOT, ".venv/bin/python");
  if (o.keras && await exists(python)) {
    // The book's Keras model, or the paper's networks with the preset's losses.
    const reference = preset === "book"
      ? [join(ROOT, "test/keras_reference.py"), "bench"]
      : [join(ROOT, "test/keras_paper_reference.py"), "bench", "--preset", preset];
    const args = [...reference, "--steps", String(o.steps), "--warmup", String(o.warmup)];
    jobs.push({
      label: emptyResult("keras", o.steps, o.batch),
      run: () => runChild(python, [...args, "--batch", String(o.batch)]),
    });
    if (o.kerasEager) {
      // The same reference without its compiled graphs: what the step costs op by op.
      jobs.push({
        label: emptyResult("keras-eager", o.steps, o.batch),
        run: () => runChild(python, [...args, "--batch", String(o.batch), "--eager"]),
      });
    }
  }
  const results: BenchResult[] = jobs.map((j) => ({ ...j.label, rounds_ms: [] }));
  for (let round = 0; round < o.rounds; round++) {
    for (const [i, job] of jobs.entries()) {
      const r = await job.run();
      const row = results[i];
      if (!("backend" in r)) {
        row.error = r.error;
        continue;
      }
      row.rounds_ms!.push(r.ms_per_step);
      const best = r.ms_per_step <= (row.ms_per_step || Infinity);
      const { rounds_ms, kernels } = row;
      // The fastest round's figures, with every round's time.
      if (best) Object.assign(row, r, { rounds_ms, kernels: r.kernels ?? kernels });
      else row.peak_rss_mb = Math.max(row.peak_rss_mb, r.peak_rss_mb);
      if (r.tensors_constant === false) row.tensors_constant = false;
      if (r.profile && !row.profile) row.profile = r.profile;
    }
  }
  const keras = results.find((r) => r.backend === "keras");
  for (const r of results) {
    r.ratio_to_keras = keras && !keras.error && !r.error ? r.ms_per_step / keras.ms_per_step : null;
  }
  return { preset, batch: o.batch, results };
}

/** One preset's rows as a markdown table, then its profiles. */
function printPreset(p: PresetReport): void {
  console.log(`\n${p.preset} step, batch ${p.batch}:\n`);
  console.log("| Backend | ms/step | rounds | × Keras | Peak RSS (MB) | numTensors constant |");
  console.log("|---|---|---|---|---|---|");
  for (const r of p.results) {
    const details = [
      ...(r.kernels ? [`kernels: ${r.kernels}`] : []),
      ...(r.threads ? [`${r.threads} thread${r.threads > 1 ? "s" : ""}`] : []),
    ];
    const name = details.length > 0 ? `${r.backend} (${details.join(", ")})` : r.backend;
    if (r.error) {
      console.log(`| ${name} | failed: ${r.error} | | | | |`);
      continue;
    }
    console.log(
      `| ${name} | ${r.ms_per_step.toFixed(0)} | ${
        (r.rounds_ms ?? []).map((x) => x.toFixed(0)).join(", ")
      } | ${r.ratio_to_keras == null ? "–" : r.ratio_to_keras.toFixed(2)} | ${
        r.peak_rss_mb.toFixed(0)
      } | ${r.tensors_constant ?? "–"} |`,
    );
  }
  for (const r of p.results) {
    if (r.profile) console.log(formatProfile(r.backend, r.profile, r.backend === "tensorflow"));
  }
}

function emptyResult(backend: string, steps: number, batch: number): BenchResult {
  return { backend, ms_per_step: NaN, steps, batch, peak_rss_mb: NaN, tensors_constant: null };
}

function cpuName(): string {
  return os.cpus()[0]?.model?.trim() || "unknown CPU";
}

if (import.meta.main) await runCommand(COMMAND, main);
