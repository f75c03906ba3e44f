import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { BINDING, nativeBindingPath } from "../lib/backends/tensorflow_binding.ts";
import { setupNative, TENSORFLOW_PERMISSIONS } from "../lib/setup/native.ts";
import { PROJECT_ROOT } from "../lib/io/fs.ts";

Deno.test("nativeBindingPath() is null before the build and the binding's path after", async () => {
  const root = await Deno.makeTempDir();
  assertEquals(nativeBindingPath(root), null);
  const pkg = join(root, "node_modules", "@tensorflow", "tfjs-node");
  await Deno.mkdir(join(pkg, "lib", "napi-v8"), { recursive: true });
  assertEquals(nativeBindingPath(root), null);
  await Deno.writeFile(join(pkg, BINDING), new Uint8Array(1));
  assertEquals(
    nativeBindingPath(root),
    join(await Deno.realPath(pkg), "lib/napi-v8/tfjs_binding.node"),
  );
});

Deno.test("setupNative() without requirements.txt fails at step (a), naming the file", async () => {
  const root = await Deno.makeTempDir();
  await assertRejects(
    () => setupNative({ root }),
    Error,
    "native setup (a) venv: cannot read requirements.txt",
  );
});

Deno.test("the tasks that load the native backend grant what TENSORFLOW_PERMISSIONS says it needs", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(PROJECT_ROOT, "deno.json")));
  for (const task of ["train", "sweep", "generate", "evaluate", "export", "explore"]) {
    const command: string = config.tasks[task].command;
    for (const flag of TENSORFLOW_PERMISSIONS) {
      const name = flag.split("=")[0];
      assert(
        command.includes(flag) || command.includes(`${name} `),
        `${task}: ${flag} in ${command}`,
      );
    }
  }
});
