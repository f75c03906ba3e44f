import { assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import {
  existingRunFile,
  prepareRunDir,
  readMetrics,
  RunDirError,
  samplePath,
} from "../lib/io/run_dir.ts";
import type { TrainState } from "../lib/infogan/state.ts";

const line = (step: number) => JSON.stringify({ step, d_loss: 1, g_loss: 2 }) + "\n";

Deno.test("readMetrics() reads a run folder or its file, skipping a last line cut short", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "metrics.jsonl"), line(1) + line(2) + '{"step":3,"d_lo');
  assertEquals((await readMetrics(dir)).map((m) => m.step), [1, 2]);
  assertEquals((await readMetrics(join(dir, "metrics.jsonl"))).length, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readMetrics() names the file and line of a malformed entry", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "metrics.jsonl");
  await assertRejects(() => readMetrics(join(dir, "nope")), RunDirError, "no such run folder");
  await assertRejects(() => readMetrics(dir), RunDirError, "metrics.jsonl: missing");
  await Deno.writeTextFile(file, line(1) + "[1, 2]\n");
  await assertRejects(
    () => readMetrics(dir),
    RunDirError,
    "metrics.jsonl:2: expected a JSON object",
  );
  await Deno.writeTextFile(file, line(1) + '{"step":2,"d_loss":null,"g_loss":1}\n');
  await assertRejects(
    () => readMetrics(dir),
    RunDirError,
    'metrics.jsonl:2: expected a finite number in "d_loss", found null',
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("prepareRunDir() creates samples/ and drops metrics after the state's step", async () => {
  const dir = join(await Deno.makeTempDir(), "run");
  assertEquals(await existingRunFile(dir), null);
  await prepareRunDir(dir, { step: 0 } as TrainState);
  assertEquals((await Deno.stat(join(dir, "samples"))).isDirectory, true);
  await Deno.writeTextFile(join(dir, "metrics.jsonl"), line(1) + line(2) + line(3) + "{cut");
  assertEquals(await existingRunFile(dir), "metrics.jsonl");
  await prepareRunDir(dir, { step: 2 } as TrainState);
  assertEquals((await readMetrics(dir)).map((m) => m.step), [1, 2]);
  assertEquals(samplePath(dir, 12), join(dir, "samples", "step-000012.png"));
  await Deno.remove(join(dir, ".."), { recursive: true });
});
