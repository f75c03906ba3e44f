import { assertEquals, assertMatch } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { initBackend } from "../lib/backends/select.ts";
import { PROJECT_ROOT } from "../lib/io/fs.ts";
import { runVersions } from "../lib/io/versions.ts";

Deno.test("runVersions() records Deno, the pinned tfjs, the backend and this checkout's commit", async () => {
  await initBackend("cpu");
  const v = await runVersions();
  assertEquals(v.deno, Deno.version.deno);
  const pkg = JSON.parse(
    await Deno.readTextFile(
      join(PROJECT_ROOT, "node_modules", "@tensorflow", "tfjs", "package.json"),
    ),
  );
  assertEquals(v.tfjs, pkg.version);
  assertEquals(v.backend, "cpu");
  const head = await new Deno.Command("git", {
    args: ["rev-parse", "HEAD"],
    cwd: PROJECT_ROOT,
    stdout: "piped",
  }).output();
  const commit = new TextDecoder().decode(head.stdout).trim();
  assertMatch(v.git, /^[0-9a-f]{40}(-dirty)?$/);
  assertEquals(v.git.slice(0, 40), commit);
  assertEquals(tf.getBackend(), "cpu");
});
