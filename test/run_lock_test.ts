import { assertEquals, assertMatch, assertThrows } from "@std/assert";
import { join } from "node:path";
import { acquireRunLock, RunLockedError } from "../lib/io/run_lock.ts";

Deno.test("acquireRunLock() refuses a second holder and can be taken again after release", async () => {
  const dir = await Deno.makeTempDir();
  const lock = acquireRunLock(dir);
  // flock is per open file description: a second open in this process conflicts too.
  const err = assertThrows(() => acquireRunLock(dir), RunLockedError);
  assertMatch(err.message, new RegExp(`in use by a live training process \\(PID ${Deno.pid}`));
  lock.release();
  acquireRunLock(dir).release();
  assertEquals(await Deno.readTextFile(join(dir, ".lock")), "");
});

Deno.test("acquireRunLock() is free again when the holding process is killed", async () => {
  const dir = await Deno.makeTempDir();
  const holder = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { acquireRunLock } from ${
        JSON.stringify(new URL("../lib/io/run_lock.ts", import.meta.url).href)
      };
       acquireRunLock(${JSON.stringify(dir)}); console.log("locked"); setInterval(() => {}, 1000);`,
    ],
    stdout: "piped",
  }).spawn();
  const reader = holder.stdout.getReader();
  await reader.read(); // "locked"
  assertThrows(() => acquireRunLock(dir), RunLockedError);
  holder.kill("SIGKILL");
  await holder.status;
  reader.releaseLock();
  await holder.stdout.cancel();
  acquireRunLock(dir).release();
});
