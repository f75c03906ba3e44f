import { assert, assertEquals, assertThrows } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { MAX_THREADS, parseWasmThreads, WASM_THREADS_ENV } from "../lib/backends/wasm_threads.ts";

const ROOT = fromFileUrl(new URL("..", import.meta.url));

Deno.test("parseWasmThreads() defaults to the CPU count, capped, and takes 1..8", () => {
  assertEquals(parseWasmThreads(undefined, 2), 2);
  assertEquals(parseWasmThreads("", 1), 1);
  assertEquals(parseWasmThreads(undefined, 64), MAX_THREADS);
  assertEquals(parseWasmThreads(" 1 ", 2), 1);
  assertEquals(parseWasmThreads("8", 2), 8);
});

Deno.test("parseWasmThreads() names the variable and the value it refuses", () => {
  for (const bad of ["0", "9", "1.5", "two", "-1"]) {
    assertThrows(
      () => parseWasmThreads(bad, 2),
      Error,
      `${WASM_THREADS_ENV}: expected an integer from 1 to ${MAX_THREADS}, found "${bad}"`,
    );
  }
});

/** Runs test/fixtures/wasm_threads_check.ts with `threads` in the environment. */
function runCheck(threads: string): Promise<Deno.CommandOutput> {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "test/fixtures/wasm_threads_check.ts"],
    cwd: ROOT,
    env: { [WASM_THREADS_ENV]: threads },
    stdout: "piped",
    stderr: "piped",
    // The process must end by itself, its pthread workers included.
    signal: AbortSignal.timeout(180_000),
  }).output();
}

/** {@linkcode runCheck}, and the JSON line it prints. */
async function check(threads: string): Promise<{
  backend: string;
  threads: number;
  workers: { alive: number; running: number };
  diffs: Record<string, number>;
}> {
  const out = await runCheck(threads);
  const text = new TextDecoder().decode(out.stdout);
  assert(out.success, `the check failed:\n${text}\n${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text.trim().split("\n").at(-1)!);
}

for (const threads of [2, 1]) {
  Deno.test(`the wasm backend with ${WASM_THREADS_ENV}=${threads} runs ${threads} thread(s) and matches cpu`, async () => {
    const r = await check(String(threads));
    assertEquals(r.backend, "wasm");
    assertEquals(r.threads, threads);
    // The main thread is one of them; each other thread is one pthread worker.
    assertEquals(r.workers.alive, threads - 1);
    assertEquals(Object.keys(r.diffs).sort(), [
      "conv2d",
      "conv2dTranspose",
      "filterGradient",
      "matMul",
    ]);
    for (const [kernel, diff] of Object.entries(r.diffs)) {
      // JSON writes NaN and Infinity (a size mismatch) as null: not finite.
      assert(
        Number.isFinite(diff) && diff < 1e-5,
        `${kernel}: relative difference from cpu ${diff}, expected < 1e-5`,
      );
    }
  });
}

Deno.test(`initBackend("wasm") refuses a bad ${WASM_THREADS_ENV}, naming it`, async () => {
  const out = await runCheck("lots");
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.success, false);
  assert(
    stderr.includes(
      `backend wasm: ${WASM_THREADS_ENV}: expected an integer from 1 to ${MAX_THREADS}, found "lots"`,
    ),
    stderr,
  );
});
