import { assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { KERNEL_NAME, kernelDir, kernelSpec, setupJupyter, venvBin } from "../lib/setup/jupyter.ts";
import { PROJECT_ROOT } from "../lib/io/fs.ts";

Deno.test("kernelSpec() starts this Deno as a Jupyter kernel", () => {
  assertEquals(kernelSpec("/opt/deno").argv, [
    "/opt/deno",
    "jupyter",
    "--kernel",
    "--conn",
    "{connection_file}",
  ]);
  assertEquals(kernelSpec().argv, [
    Deno.execPath(),
    "jupyter",
    "--kernel",
    "--conn",
    "{connection_file}",
  ]);
  assertEquals(kernelSpec().language, "typescript");
});

Deno.test("kernelDir() and venvBin() are inside the project's .venv", () => {
  assertEquals(kernelDir("/p"), `/p/.venv/share/jupyter/kernels/${KERNEL_NAME}`);
  assertEquals(venvBin("/p"), "/p/.venv/bin");
});

Deno.test("setupJupyter() without the venv's jupyter fails naming it", async () => {
  const root = await Deno.makeTempDir();
  await assertRejects(
    () => setupJupyter({ root }),
    Error,
    `jupyter setup: expected ${join(root, ".venv", "bin", "jupyter")}`,
  );
});

Deno.test("after deno task setup, the venv's kernel.json is this Deno's spec and a rerun only verifies", async () => {
  const written = JSON.parse(await Deno.readTextFile(join(kernelDir(PROJECT_ROOT), "kernel.json")));
  assertEquals(written, kernelSpec());
  const log: string[] = [];
  await setupJupyter({ root: PROJECT_ROOT, log: (m) => log.push(m) });
  assertEquals(log, [`setup: Deno kernel already registered in .venv (${Deno.execPath()})`]);
});
