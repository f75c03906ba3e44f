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

Deno.test("bench --preset lesson times the native step and the Keras paper-network reference", async () => {
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
    "--json",
  ]);
  assertEquals(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const report = JSON.parse(r.stdout);
  assertEquals(report.preset, "lesson");
  const byName = Object.fromEntries(
    report.results.map((x: { backend: string }) => [x.backend, x]),
  );
  for (const name of ["tensorflow", "keras"]) {
    const x = byName[name];
    assert(x && !x.error, `${name}: ${JSON.stringify(x)}`);
    assertEquals([x.steps, x.batch], [2, 8]);
    assert(x.ms_per_step > 0, `${name} ms/step ${x.ms_per_step}`);
  }
  assert(byName.tensorflow.ratio_to_keras > 0);
  assertEquals(byName.tensorflow.tensors_constant, true);
});

Deno.test("bench --preset refuses an unknown preset in one line", async () => {
  const r = await bench(["--preset", "quick"]);
  assertEquals(r.code, 2);
  assertMatch(
    r.stderr.trim().split("\n").at(-1)!,
    /--preset: expected book\|lesson\|paper, found "quick"/,
  );
});
