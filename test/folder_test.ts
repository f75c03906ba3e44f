import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { resolveFolder, SWAP_STEPS, swapFolder, writeFolder } from "../lib/io/folder.ts";
import { loadCheckpoint, resolveCheckpoint } from "../lib/io/checkpoint.ts";
import { initBackend } from "../lib/backends/select.ts";
import { disposeState } from "../lib/infogan/state.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** The `v` and `w` files of whatever folder resolveFolder() picks, or null. */
async function contents(dir: string): Promise<string | null> {
  const found = await resolveFolder(dir);
  if (found === null) return null;
  const read = (name: string) => Deno.readTextFile(join(found, name));
  return `${await read("v")}/${await read("sub/w")}`;
}

Deno.test("writeFolder() writes every file in order, replacing a stale folder", async () => {
  const tmp = join(await Deno.makeTempDir(), "x.tmp");
  await Deno.mkdir(tmp);
  await Deno.writeTextFile(join(tmp, "stale"), "left by a crash");
  await writeFolder(tmp, [["v", enc("1")], ["sub/w", enc("2")]]);
  assertEquals(await Deno.readTextFile(join(tmp, "v")), "1");
  assertEquals(await Deno.readTextFile(join(tmp, "sub", "w")), "2");
  await assertRejects(() => Deno.stat(join(tmp, "stale")), Deno.errors.NotFound);
});

for (const failAfter of SWAP_STEPS) {
  Deno.test(`swapFolder(): a failure after "${failAfter}" leaves the old or the new folder whole`, async () => {
    const root = await Deno.makeTempDir();
    const dir = join(root, "model");
    await writeFolder(dir, [["v", enc("old")], ["sub/w", enc("old")]]);
    await writeFolder(`${dir}.tmp`, [["v", enc("new")], ["sub/w", enc("new")]]);
    await assertRejects(
      () =>
        swapFolder(`${dir}.tmp`, dir, {
          afterStep: (s) => {
            if (s === failAfter) throw new Error("injected");
          },
        }),
      Error,
      "injected",
    );
    const seen = await contents(dir);
    const moved = SWAP_STEPS.indexOf(failAfter) >= SWAP_STEPS.indexOf("move-in");
    assertEquals(seen, moved ? "new/new" : "old/old");
    // The next swap recovers from whatever the failure left.
    await writeFolder(`${dir}.tmp`, [["v", enc("next")], ["sub/w", enc("next")]]);
    await swapFolder(`${dir}.tmp`, dir);
    assertEquals(await contents(dir), "next/next");
    assertEquals((await Array.fromAsync(Deno.readDir(root))).map((e) => e.name), ["model"]);
  });
}

Deno.test("swapFolder() moves a folder in where there was none", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "model");
  await writeFolder(`${dir}.tmp`, [["v", enc("a")], ["sub/w", enc("b")]]);
  await swapFolder(`${dir}.tmp`, dir);
  assertEquals(await contents(dir), "a/b");
  assertEquals(await resolveFolder(join(root, "missing")), null);
});

Deno.test("saveCheckpoint() killed after each swap step leaves a checkpoint that loads", async () => {
  await initBackend("cpu");
  for (const step of SWAP_STEPS) {
    const dir = join(await Deno.makeTempDir(), "checkpoint");
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "test/fixtures/crash_save.ts", dir, step],
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(child.signal, "SIGKILL", new TextDecoder().decode(child.stderr));
    const state = await loadCheckpoint(await resolveCheckpoint(dir));
    const moved = SWAP_STEPS.indexOf(step) >= SWAP_STEPS.indexOf("move-in");
    assertEquals(state.step, moved ? 2 : 1, `killed after ${step}`);
    assert(state.generator.weights.length > 0);
    disposeState(state);
  }
});
