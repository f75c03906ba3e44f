/**
 * `deno task bench --preset`: the lesson step is timed on the native backend
 * beside its Keras reference (the paper's networks), and a bad preset is
 * refused. Timings themselves are not asserted: speed is the benchmark's job.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { fileURLToPath } from "node:url";

async function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "bench", ...args],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("bench --preset lesson --profile times the native step, its ops, and the Keras paper-network reference, compiled and eager", async () => {
  const r = await bench([
    "--preset",
    "lesson",
    "--backends",
    "tensorflow",
    "--steps",
    "2",
    "--warmup",
    "1",
    "--batch",
    "8",
    "--profile",
    "--rounds",
    "2",
    "--compare-kernels",
    "--keras-eager",
    "--json",
  ]);
  assertEquals(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const report = JSON.parse(r.stdout);
  assertEquals(report.presets.map((p: { preset: string }) => p.preset), ["lesson"]);
  const rows = report.presets[0].results;
  // Before and after each native kernel, then Keras.
  assertEquals(
    rows.map((x: { backend: string; kernels?: string }) => `${x.backend} ${x.kernels ?? ""}`),
    [
      "tensorflow none",
      "tensorflow optimizer",
      "tensorflow optimizer,batchnorm",
      "tensorflow all",
      "keras ",
      "keras-eager ",
    ],
  );
  for (const x of rows) {
    assertEquals(x.rounds_ms.length, 2, JSON.stringify(x));
    assertEquals(x.ms_per_step, Math.min(...x.rounds_ms));
  }
  const byName = Object.fromEntries(
    rows.filter((x: { kernels?: string }) => x.kernels === undefined || x.kernels === "all")
      .map((x: { backend: string }) => [x.backend, x]),
  );
  for (const name of ["tensorflow", "keras", "keras-eager"]) {
    const x = byName[name];
    assert(x && !x.error, `${name}: ${JSON.stringify(x)}`);
    assertEquals([x.steps, x.batch], [2, 8]);
    assert(x.ms_per_step > 0, `${name} ms/step ${x.ms_per_step}`);
  }
  assert(byName.tensorflow.ratio_to_keras > 0);
  // The ratio is to the compiled reference, not to its eager twin.
  assertEquals(byName.keras.ratio_to_keras, 1);
  assertEquals(byName["keras-eager"].eager, true);
  assertEquals(byName.keras.eager, false);
  assertEquals(byName.tensorflow.tensors_constant, true);
  // --profile: native time per TF op, which adds up to no more than the step.
  const p = byName.tensorflow.profile;
  assert(p.calls_per_step > 100, `calls/step ${p.calls_per_step}`);
  assert(p.native_ms_per_step > 0 && p.native_ms_per_step <= byName.tensorflow.ms_per_step);
  assertEquals(p.top.length, 15);
  const ops = p.top.map((r: { op: string }) => r.op);
  // The paper's Dense(1024) layers are the largest kernels of the step.
  assert(ops.includes("BatchMatMulV2"), `BatchMatMulV2 not among the top ops ${ops}`);
});

Deno.test("bench --backends wasm --compare-kernels --profile times wasm with its fused kernels off, then on, and profiles its kernels", async () => {
  const r = await bench([
    "--backends",
    "wasm",
    "--steps",
    "1",
    "--warmup",
    "1",
    "--batch",
    "4",
    "--rounds",
    "1",
    "--compare-kernels",
    "--profile",
    "--keras=false",
    "--json",
  ]);
  assertEquals(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const rows = JSON.parse(r.stdout).presets[0].results;
  assertEquals(
    rows.map((x: { backend: string; kernels?: string }) => `${x.backend} ${x.kernels}`),
    ["wasm none", "wasm optimizer", "wasm optimizer,batchnorm", "wasm all"],
  );
  for (const x of rows) {
    assert(!x.error && x.ms_per_step > 0 && x.tensors_constant, JSON.stringify(x));
  }
  // Every row is profiled (one more step after the timed ones); the fused kernels show only
  // once they are on, and they cut the kernel calls.
  const ops = rows.map((x: { profile: { top: { op: string }[] } }) =>
    x.profile.top.map((t) => t.op)
  );
  for (const top of ops) assert(top.includes("Conv2D"), `Conv2D not among the top kernels ${top}`);
  assert(!ops[0].some((op: string) => op.startsWith("InfoGan")), `a fused kernel in ${ops[0]}`);
  assert(ops[3].some((op: string) => op.startsWith("InfoGan")), `no fused kernel in ${ops[3]}`);
  assert(
    rows[3].profile.calls_per_step < rows[0].profile.calls_per_step,
    `kernel calls ${rows[0].profile.calls_per_step} → ${rows[3].profile.calls_per_step}`,
  );
});

Deno.test("bench --preset refuses an unknown preset in one line", async () => {
  const r = await bench(["--preset", "quick"]);
  assertEquals(r.code, 2);
  assertMatch(
    r.stderr.trim().split("\n").at(-1)!,
    /--preset: expected book\|lesson\|paper or a comma list of them, found "quick"/,
  );
});
