import { assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { runSetupCommand } from "../lib/setup/command.ts";

Deno.test("runSetupCommand() returns the command's stdout", async () => {
  const out = await runSetupCommand("sh", ["-c", "echo out; echo err >&2"], { step: "test (a)" });
  assertEquals(out, "out\n");
});

Deno.test("runSetupCommand() names the step, the command, the exit code and the last lines of stderr", async () => {
  const script = "for i in $(seq 1 30); do echo line$i >&2; done; exit 3";
  const err = await assertRejects(
    () => runSetupCommand("sh", ["-c", script], { step: "native setup (c) build" }),
    Error,
  );
  assertStringIncludes(err.message, "native setup (c) build: `sh -c");
  assertStringIncludes(err.message, "failed with exit code 3");
  assertStringIncludes(err.message, "line30");
  // Only the tail: the first ten of the thirty lines are left out.
  assertEquals(err.message.includes("line10\n"), false);
  assertStringIncludes(err.message, "line11");
});

Deno.test("runSetupCommand() says when a command cannot start", async () => {
  await assertRejects(
    () => runSetupCommand("no-such-command-infogan", ["x"], { step: "jupyter setup (a)" }),
    Error,
    "jupyter setup (a): could not start `no-such-command-infogan x`",
  );
});

Deno.test("runSetupCommand() passes cwd and env", async () => {
  const dir = await Deno.makeTempDir();
  const out = await runSetupCommand("sh", ["-c", 'echo "$(pwd) $X"'], {
    step: "s",
    cwd: dir,
    env: { X: "42" },
  });
  assertEquals(out.trim(), `${await Deno.realPath(dir)} 42`);
});
