/**
 * Reliability of `deno task train` as a process: exact resume, graceful
 * stop on SIGTERM/SIGINT, SIGKILL at arbitrary moments (including mid
 * checkpoint), and the run-folder lock.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCheckpoint, resolveCheckpoint } from "../lib/io/checkpoint.ts";
import { initBackend } from "../lib/backends/select.ts";
import { disposeState } from "../lib/infogan/state.ts";
import { TINY_TRAIN_FLAGS } from "./helpers.ts";
import { exists } from "../lib/io/fs.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TINY = [...TINY_TRAIN_FLAGS, "--sample-every", "1000"];

await initBackend("wasm");

const live = new Set<Deno.ChildProcess>();

/**
 * `deno task train`'s own command line, taken from deno.json, but run
 * directly: `deno task` would put a parent process in between, and signals
 * must reach the training process itself.
 */
const TRAIN_ARGS: string[] = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")))
  .tasks.train.command.split(/\s+/).slice(1);

function spawnTrain(args: string[], base: readonly string[] = TINY): Deno.ChildProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...TRAIN_ARGS, ...base, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  live.add(child);
  child.status.then(() => live.delete(child));
  return child;
}

/** Wraps a test so a failing assertion never leaves a training process behind. */
function cleanly(fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } finally {
      for (const child of [...live]) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await child.output().catch(() => {});
      }
    }
  };
}

async function finish(child: Deno.ChildProcess): Promise<{ code: number; stderr: string }> {
  const out = await child.output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

async function metricSteps(run: string): Promise<number[]> {
  const text = await Deno.readTextFile(join(run, "metrics.jsonl")).catch(() => "");
  return text.split("\n").filter((l) => l.trim()).flatMap((l) => {
    try {
      return [JSON.parse(l).step as number];
    } catch {
      return []; // a line cut short by SIGKILL
    }
  });
}

/** Waits until the run has logged at least `n` steps. */
async function waitForSteps(run: string, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await metricSteps(run)).length >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${run}: fewer than ${n} steps logged after 30 s`);
}

const consecutive = (steps: number[], n: number) =>
  steps.length === n && steps.every((s, i) => s === i + 1);

Deno.test(
  "train: 2N steps in one go equal N steps, stop, resume, N more (weights and losses)",
  cleanly(async () => {
    const root = await Deno.makeTempDir();
    const whole = join(root, "whole");
    const split = join(root, "split");
    assertEquals((await finish(spawnTrain(["--steps", "8", "--out", whole]))).code, 0);
    assertEquals((await finish(spawnTrain(["--steps", "4", "--out", split]))).code, 0);
    assertEquals((await finish(spawnTrain(["--resume", split, "--steps", "8"]))).code, 0);
    const lines = async (run: string) =>
      (await Deno.readTextFile(join(run, "metrics.jsonl"))).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
    const a = await lines(whole);
    const b = await lines(split);
    assertEquals(b.map((m) => m.step), [1, 2, 3, 4, 5, 6, 7, 8]);
    for (let i = 0; i < a.length; i++) {
      for (const key of Object.keys(a[i])) {
        if (key === "elapsed") continue;
        const rel = Math.abs(a[i][key] - b[i][key]) / Math.max(1e-12, Math.abs(a[i][key]));
        assert(rel <= 1e-5, `step ${a[i].step} ${key}: ${a[i][key]} vs ${b[i][key]}`);
      }
    }
    for (const model of ["generator", "discriminator"]) {
      const wa = new Float32Array(
        (await Deno.readFile(join(whole, "checkpoint", model, "weights.bin"))).buffer,
      );
      const wb = new Float32Array(
        (await Deno.readFile(join(split, "checkpoint", model, "weights.bin"))).buffer,
      );
      assertEquals(wa.length, wb.length);
      let worst = 0;
      for (let i = 0; i < wa.length; i++) {
        worst = Math.max(worst, Math.abs(wa[i] - wb[i]) / Math.max(1e-6, Math.abs(wa[i])));
      }
      assert(worst <= 1e-5, `${model}: weights differ by ${worst} relative`);
    }
  }),
);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(
    `train: ${signal} finishes the step, checkpoints, exits 0 and says how to resume`,
    cleanly(async () => {
      const run = join(await Deno.makeTempDir(), "run");
      const child = spawnTrain(["--steps", "100000", "--checkpoint-every", "100000", "--out", run]);
      await waitForSteps(run, 3);
      child.kill(signal);
      const { code, stderr } = await finish(child);
      assertEquals(code, 0, stderr);
      assertMatch(stderr, /stopped at step (\d+); resume with: deno task train --resume /);
      const stopped = Number(stderr.match(/stopped at step (\d+)/)?.[1]);
      const state = JSON.parse(await Deno.readTextFile(join(run, "checkpoint/state.json")));
      assertEquals(state.step, stopped);
      assert(consecutive(await metricSteps(run), stopped));
    }),
  );
}

Deno.test(
  "train: SIGTERM is seen within a step or so even when no step logs (no await in the loop)",
  cleanly(async () => {
    const run = join(await Deno.makeTempDir(), "run");
    const big = "1000000";
    // The tiny model, but no log step (and so no await) for 10⁶ steps.
    const base = ["--preset", "quick", "--batch-size", "4", "--width", "0.125"];
    const child = spawnTrain([
      ...["--steps", big, "--log-every", big, "--checkpoint-every", big, "--sample-every", big],
      "--out",
      run,
    ], base);
    // The step-0 sample grid says training has started; give it a few steps.
    for (let i = 0; i < 600 && !(await exists(join(run, "samples/step-000000.png"))); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1000));
    child.kill("SIGTERM");
    // Without the fix the run never stops: give up after 30 s instead of hanging.
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const { code, stderr } = await finish(child);
    clearTimeout(guard);
    assertEquals(code, 0, `not stopped by SIGTERM within 30 s: ${stderr}`);
    const stopped = Number(stderr.match(/stopped at step (\d+)/)?.[1]);
    // Tiny steps take milliseconds: a stop seen only at a log step would run to 10⁶.
    assert(stopped > 0 && stopped < 10_000, `stopped at step ${stopped}`);
    const state = JSON.parse(await Deno.readTextFile(join(run, "checkpoint/state.json")));
    assertEquals(state.step, stopped);
  }),
);

Deno.test(
  "train: SIGKILL at any moment leaves a loadable checkpoint; resume loses and duplicates no metrics",
  cleanly(async () => {
    const run = join(await Deno.makeTempDir(), "run");
    const total = 40;
    // A checkpoint every step, so kills land inside checkpoint writes too.
    const args = ["--steps", String(total), "--checkpoint-every", "1", "--out", run];
    let child = spawnTrain(args);
    await waitForSteps(run, 2);
    for (const delay of [0, 37, 83, 141, 199, 263]) {
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      await finish(child);
      const dir = await resolveCheckpoint(run);
      const state = await loadCheckpoint(dir);
      const steps = await metricSteps(run);
      // Every step up to the checkpoint was logged before the checkpoint was written.
      for (let s = 1; s <= state.step; s++) assert(steps.includes(s), `step ${s} missing`);
      disposeState(state);
      child = spawnTrain(["--resume", run, "--steps", String(total), "--checkpoint-every", "1"]);
      await waitForSteps(run, Math.min(total, state.step + 1));
    }
    const { code, stderr } = await finish(child);
    assertEquals(code, 0, stderr);
    assert(consecutive(await metricSteps(run), total), String(await metricSteps(run)));
  }),
);

Deno.test(
  "train: a run folder in use by a live process is refused; a killed one's lock is taken over",
  cleanly(async () => {
    const run = join(await Deno.makeTempDir(), "run");
    const child = spawnTrain(["--steps", "100000", "--checkpoint-every", "2", "--out", run]);
    await waitForSteps(run, 3);
    const second = await finish(spawnTrain(["--resume", run, "--steps", "100000"]));
    assertEquals(second.code, 1);
    assertMatch(
      second.stderr.trim().split("\n").pop() ?? "",
      /^error: .*in use by a live training process \(PID \d+/,
    );
    child.kill("SIGKILL");
    await finish(child);
    const third = await finish(spawnTrain(["--resume", run, "--steps", "6"]));
    assertEquals(third.code, 0, third.stderr);
  }),
);
