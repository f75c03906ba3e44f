/**
 * `deno task setup`: installs every pinned npm dependency from the import
 * map and lock file into node_modules/, creates the Python venv from
 * requirements.txt, builds the native `tensorflow` backend against the
 * tensorflow-cpu wheel, registers the Deno Jupyter kernel in the venv, and
 * installs the Debian packages some tests need when it may (root or
 * passwordless sudo; otherwise it prints the command). Idempotent: a second
 * run only verifies. Reaches the npm registry, PyPI and Debian's apt only.
 */
import { fileURLToPath } from "node:url";
import { setupNative } from "../setup/native.ts";
import { setupJupyter } from "../setup/jupyter.ts";
import { setupSystem } from "../setup/system.ts";
import { type CommandSpec, runCommand } from "./args.ts";

const COMMAND: CommandSpec = {
  usage: "deno task setup",
  description:
    "Install the pinned npm dependencies (deno.json + deno.lock), the Debian packages some tests need (when running as root or with passwordless sudo; otherwise it prints the apt-get command), create .venv from requirements.txt (TensorFlow for the native backend, JupyterLab), build the native tensorflow backend, and register the Deno kernel inside .venv. Safe to rerun: finished steps are skipped.",
  flags: {},
};

async function main(): Promise<void> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--frozen"],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`deno install --frozen failed with exit code ${out.code}`);
  console.log("setup: npm dependencies installed");
  await setupSystem({ log: (m) => console.log(m) });
  await setupNative({ root, log: (m) => console.log(m) });
  await setupJupyter({ root, log: (m) => console.log(m) });
  console.log("setup: done (native tensorflow backend and Deno Jupyter kernel ready)");
}

if (import.meta.main) await runCommand(COMMAND, main);
