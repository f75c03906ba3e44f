import { assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { exists } from "../lib/io/fs.ts";

Deno.test("exists() is false only for a missing path, and throws on a denied read", async () => {
  const dir = await Deno.makeTempDir();
  assertEquals(await exists(dir), true);
  assertEquals(await exists(join(dir, "missing")), false);
  await Deno.writeTextFile(join(dir, "file"), "x");
  assertEquals(await exists(join(dir, "file", "below")), false); // through a file
  // A process allowed to read only `dir` must not call another path absent.
  const script = join(dir, "probe.ts");
  const lib = new URL("../lib/io/fs.ts", import.meta.url).href;
  await Deno.writeTextFile(
    script,
    `import { exists } from "${lib}";\ntry { console.log(await exists("/etc/hostname")); } catch (e) { console.log("threw " + (e as Error).name); }\n`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-lock",
      `--allow-read=${dir},${new URL("../lib", import.meta.url).pathname}`,
      "--no-prompt",
      script,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertStringIncludes(new TextDecoder().decode(out.stdout), "threw NotCapable");
});
