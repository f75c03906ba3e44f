/**
 * `deno task setup`: installs every pinned npm dependency from the import
 * map and lock file into node_modules/, creates the Python venv from
 * requirements.txt, builds the native `tensorflow` backend against the
 * tensorflow-cpu wheel, and registers the Deno Jupyter kernel in the venv.
 * Idempotent: a second run only verifies. Reaches the npm registry and PyPI
 * only.
 */
import { fileURLToPath } from "node:url";
import { setupNative } from "../native_setup.ts";
import { setupJupyter } from "../jupyter_setup.ts";
import { helpText, parseArgs, runMain } from "./args.ts";

async function main(): Promise<void> {
  const parsed = parseArgs(Deno.args, {});
  if (parsed.help) {
    console.log(helpText("deno task setup", {
      description:
        "Install the pinned npm dependencies (deno.json + deno.lock), create .venv from requirements.txt (TensorFlow for the native backend, JupyterLab), build the native tensorflow backend, and register the Deno kernel inside .venv. Safe to rerun: finished steps are skipped.",
      specs: {},
    }));
    return;
  }
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--frozen"],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`deno install --frozen failed with exit code ${out.code}`);
  console.log("setup: npm dependencies installed");
  await setupNative({ root, log: (m) => console.log(m) });
  await setupJupyter({ root, log: (m) => console.log(m) });
  console.log("setup: done (native tensorflow backend and Deno Jupyter kernel ready)");
}

if (import.meta.main) await runMain(main);
