/**
 * `deno task setup`: installs and caches every pinned npm dependency from
 * the import map and lock file into node_modules/. Idempotent: a second run
 * only verifies. Reaches the npm registry only.
 */
import { fileURLToPath } from "node:url";
import { helpText, parseArgs, runMain } from "./args.ts";

async function main(): Promise<void> {
  const parsed = parseArgs(Deno.args, {});
  if (parsed.help) {
    console.log(helpText("deno task setup", {
      description:
        "Install the pinned dependencies (deno.json + deno.lock) into node_modules/. Safe to rerun.",
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
  console.log("setup: dependencies installed");
}

if (import.meta.main) await runMain(main);
