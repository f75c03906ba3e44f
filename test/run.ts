/**
 * The test command behind `deno task test`: runs `deno task setup`
 * (idempotent), then `deno test` over test/,
 * streams its output, and ends with one line `N passed, N failed`.
 * Extra arguments are passed to `deno test` (for example a file filter).
 */
import { fileURLToPath } from "node:url";

if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
  console.log(
    "Usage: deno task test [deno test args]\n\nRuns the test suite and prints a final line `N passed, N failed`.",
  );
  Deno.exit(0);
}
const root = fileURLToPath(new URL("..", import.meta.url));
// The suite tests every backend, so it sets up first (idempotent, ~1 s when done).
const setup = await new Deno.Command(Deno.execPath(), {
  args: ["task", "-q", "setup"],
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (!setup.success) {
  console.log("0 passed, 1 failed");
  Deno.exit(1);
}
const child = new Deno.Command(Deno.execPath(), {
  args: [
    "test",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-run",
    "--allow-sys",
    "--allow-ffi",
    ...(Deno.args.length ? Deno.args : ["test/"]),
  ],
  cwd: root,
  env: {
    // WebGPU through Vulkan (lavapipe without a GPU): a missing driver then
    // fails loudly, and wgpu's OpenGL path never shares a process with
    // libtensorflow (that combination can crash).
    DENO_WEBGPU_BACKEND: Deno.env.get("DENO_WEBGPU_BACKEND") ?? "vulkan",
    XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? await Deno.makeTempDir(),
  },
  stdout: "piped",
  stderr: "inherit",
}).spawn();
let passed = 0;
let failed = 0;
let summary = false;
const decoder = new TextDecoder();
let pending = "";
for await (const chunk of child.stdout) {
  const text = decoder.decode(chunk, { stream: true });
  await Deno.stdout.write(chunk);
  pending += text;
  const lines = pending.split("\n");
  pending = lines.pop() ?? "";
  for (const line of lines) {
    // deno test's summary: "ok | 12 passed (3 steps) | 0 failed (1s)".
    // deno-lint-ignore no-control-regex
    const plain = line.replace(/\x1b\[[0-9;]*m/g, "");
    const m = plain.match(/^(ok|FAILED) \| (\d+) passed.*\| (\d+) failed/);
    if (m) {
      passed += Number(m[2]);
      failed += Number(m[3]);
      summary = true;
    }
  }
}
const status = await child.status;
if (!summary || (!status.success && failed === 0)) {
  // The run broke before reporting (a type error, a crash): count it.
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(status.success && failed === 0 ? 0 : 1);
