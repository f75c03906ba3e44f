/**
 * The short CI version of `deno task bench --soak`: book steps on the
 * default backend keep numTensors constant and RSS flat within 10% after a
 * warm-up. The full 2 000-step soak is run by the benchmark only.
 */
import { assert, assertEquals } from "@std/assert";
import { fileURLToPath } from "node:url";

Deno.test("bench --soak: numTensors constant and RSS flat over book steps (short)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "task",
      "-q",
      "bench",
      "--soak",
      "--steps",
      "100",
      "--warmup",
      "60",
      "--batch",
      "8",
      "--json",
    ],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, `${text}\n${new TextDecoder().decode(out.stderr)}`);
  const r = JSON.parse(text);
  assertEquals(r.steps, 100);
  assert(r.tensors_constant, "numTensors grew");
  assert(r.rss_growth <= 1.1, `RSS grew ×${r.rss_growth}`);
});
