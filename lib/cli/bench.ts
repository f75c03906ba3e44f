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
import { readStepMetrics, trainStep } from "../infogan/step.ts";
import { type CommandSpec, runCommand } from "./args.ts";
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
  ms_per_step: number;
  steps: number;
  batch: number;
  peak_rss_mb: number;
  tensors_constant: boolean | null;
  ratio_to_keras?: number | null;
  error?: string;
  /** With --profile, on the tensorflow backend. */
  profile?: StepProfile;
}

/** Peak resident set size of this process (getrusage's maxRSS, in KiB). */
function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** The presets the bench can time, each with a Keras reference. */
const BENCH_PRESETS = ["book", "lesson", "paper"] as const;
type BenchPreset = typeof BENCH_PRESETS[number];

async function worker(
  backend: string,
  options: { steps: number; warmup: number; batch: number; preset: BenchPreset; profile: boolean },
) {
  const { steps, warmup, batch } = options;
  const used = await initBackend(backend as BackendName);
  const config = resolveConfig({ flags: { preset: options.preset, batchSize: batch } });
  const state = createState(config);
  const data = await loadDataset({});
  // One host sync per step, as on a logged step.
  const run = () => readStepMetrics(trainStep(state, realSampler(data)));
  for (let i = 0; i < warmup; i++) await run();
  const read = options.profile ? profileBinding() : null;
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await run();
  const ms = (performance.now() - t0) / steps;
  const result: BenchResult = {
    backend: used,
    ms_per_step: ms,
    steps,
    batch,
    peak_rss_mb: peakRssMb(),
    tensors_constant: tf.memory().numTensors === before,
  };
  if (read) result.profile = summarizeProfile(read(), { steps, msPerStep: ms });
  console.log(JSON.stringify(result));
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

async function runChild(cmd: string, args: string[]): Promise<BenchResult | { error: string }> {
  const out = await new Deno.Command(cmd, { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
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
  },
): Promise<BenchResult | { error: string }> {
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
  ]);
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
      defaultText: "10; 2000 with --soak",
      help: "timed steps per backend",
    },
    warmup: {
      kind: "int",
      min: 0,
      max: 1_000_000,
      defaultText: "3; 50 with --soak",
      help: "untimed steps first",
    },
    batch: { kind: "int", min: 1, max: 65_536, defaultText: "the preset's", help: "batch size" },
    preset: { kind: "enum", values: BENCH_PRESETS, default: "book", help: "whose step to time" },
    profile: {
      kind: "bool",
      help: "tensorflow: native time per TF op (top 15) and the JavaScript time around it",
    },
    backends: { kind: "string", help: "comma-separated list (default: every available one)" },
    cpu: { kind: "bool", help: "also time the pure-JS cpu backend, for 1 step" },
    keras: {
      kind: "bool",
      default: true,
      help: "time the Keras reference when the venv has it (default true)",
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
  const preset = v.preset as BenchPreset;
  const steps = (v.steps ?? 10) as number;
  const warmup = (v.warmup ?? 3) as number;
  const batch = (v.batch ?? resolveConfig({ flags: { preset } }).batchSize) as number;
  if (v.worker) {
    if (v.soak) await soak(v.worker as string, steps, warmup, batch);
    else await worker(v.worker as string, { steps, warmup, batch, preset, profile: !!v.profile });
    return;
  }
  if (v.soak) {
    const n = (v.steps ?? 2000) as number;
    const w = (v.warmup ?? 50) as number;
    const backend = (v.backends as string | undefined) ?? "auto";
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
  const results: BenchResult[] = [];
  const jobs: [string, number, number][] = backends.map((b) => [b, steps, warmup]);
  if (v.cpu) jobs.push(["cpu", 1, 0]);
  for (const [backend, n, w] of jobs) {
    const r = await runWorker(backend, {
      steps: n,
      warmup: w,
      batch,
      soak: false,
      preset,
      profile: !!v.profile,
    });
    results.push("backend" in r ? r : { ...emptyResult(backend, n, batch), error: r.error });
  }
  const python = join(ROOT, ".venv/bin/python");
  let keras: BenchResult | null = null;
  if (v.keras !== false && await exists(python)) {
    // The book's Keras model, or the paper's networks with the preset's losses.
    const reference = preset === "book"
      ? [join(ROOT, "test/keras_reference.py"), "bench"]
      : [join(ROOT, "test/keras_paper_reference.py"), "bench", "--preset", preset];
    const r = await runChild(python, [
      ...reference,
      "--steps",
      String(steps),
      "--warmup",
      String(warmup),
      "--batch",
      String(batch),
    ]);
    keras = "backend" in r ? r : { ...emptyResult("keras", steps, batch), error: r.error };
    results.push(keras);
  }
  for (const r of results) {
    r.ratio_to_keras = keras && !keras.error && !r.error ? r.ms_per_step / keras.ms_per_step : null;
  }
  const meta = {
    date: new Date().toISOString().slice(0, 10),
    cpu: cpuName(),
    cores: navigator.hardwareConcurrency,
  };
  if (v.json) {
    console.log(JSON.stringify({ ...meta, preset, results }, null, 2));
    return;
  }
  console.log(
    `${preset} step, batch ${batch}: ${meta.date}, ${meta.cpu} (${meta.cores} cores)\n`,
  );
  console.log("| Backend | ms/step | × Keras | Peak RSS (MB) | numTensors constant |");
  console.log("|---|---|---|---|---|");
  for (const r of results) {
    if (r.error) {
      console.log(`| ${r.backend} | failed: ${r.error} | | | |`);
      continue;
    }
    console.log(
      `| ${r.backend} | ${r.ms_per_step.toFixed(0)} | ${
        r.ratio_to_keras == null ? "–" : r.ratio_to_keras.toFixed(2)
      } | ${r.peak_rss_mb.toFixed(0)} | ${r.tensors_constant ?? "–"} |`,
    );
  }
  for (const r of results) if (r.profile) console.log(formatProfile(r.backend, r.profile));
}

function emptyResult(backend: string, steps: number, batch: number): BenchResult {
  return { backend, ms_per_step: NaN, steps, batch, peak_rss_mb: NaN, tensors_constant: null };
}

function cpuName(): string {
  return os.cpus()[0]?.model?.trim() || "unknown CPU";
}

if (import.meta.main) await runCommand(COMMAND, main);
