/**
 * Registers the Deno Jupyter kernel inside the project's venv, so JupyterLab
 * and nbclient from `.venv/` find it without touching the user's own Jupyter
 * folders:
 *
 * (a) `deno jupyter --install` writes a kernelspec (kernel.json and logos).
 *     It always writes under the user data dir ($XDG_DATA_HOME/jupyter), so it
 *     runs with XDG_DATA_HOME pointed at a temporary folder and the result is
 *     copied to `.venv/share/jupyter/kernels/deno`;
 * (b) kernel.json is written so its argv starts with the running, pinned Deno
 *     (`Deno.execPath()`);
 * (c) `jupyter kernelspec list --json` from the venv must list that spec;
 * (d) JupyterLab's settings overrides (`.venv/share/jupyter/lab/settings/
 *     overrides.json`) turn off the news feed and the update check, so a new
 *     user is not asked "Would you like to get notified about official
 *     Jupyter news?" and the lab makes no calls home.
 *
 * The Deno kernel accepts no permission flags (`deno jupyter --kernel
 * --allow-read` is an error): it runs notebooks with every permission, which
 * the tensorflow backend (FFI) needs anyway. It takes the notebook's folder as
 * its working directory and finds the project's deno.json (import map, npm
 * packages in node_modules/) by walking up from it.
 *
 * Idempotent: when kernel.json already matches, only (c) and (d) run.
 */
import { join } from "node:path";
import { exists, readText } from "../io/fs.ts";
import { writeTextAtomic } from "../io/atomic.ts";
import { parseJson } from "../io/json_file.ts";
import { runSetupCommand } from "./command.ts";

/** The kernel's name in notebooks' metadata (`kernelspec.name`). */
export const KERNEL_NAME = "deno";
/** The name JupyterLab shows. */
export const KERNEL_DISPLAY_NAME = "Deno";

/** Options of {@linkcode setupJupyter}. */
export interface SetupJupyterOptions {
  /** The project root (holds .venv/). */
  root: string;
  /** Progress lines; silent by default. */
  log?: (m: string) => void;
}

/** The venv's `bin/` folder. */
export function venvBin(root: string): string {
  return join(root, ".venv", "bin");
}

/** The folder holding the project's Deno kernelspec. */
export function kernelDir(root: string): string {
  return join(root, ".venv", "share", "jupyter", "kernels", KERNEL_NAME);
}

/** JupyterLab's settings overrides file inside the venv. */
export function labOverridesPath(root: string): string {
  return join(root, ".venv", "share", "jupyter", "lab", "settings", "overrides.json");
}

/** Step (d)'s overrides: no news feed, no update check (a user may still turn them on). */
export const LAB_OVERRIDES = {
  "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
};

/** The kernel.json that setup writes: the running Deno starts the kernel. */
export function kernelSpec(deno: string = Deno.execPath()): Record<string, unknown> {
  return {
    argv: [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
  };
}

/**
 * Installs the Deno kernelspec into `.venv/share/jupyter/kernels/deno` and
 * verifies the venv's Jupyter lists it. Needs `.venv` with jupyter installed
 * (setupNative installs requirements.txt). Throws naming the failing step.
 */
export async function setupJupyter(options: SetupJupyterOptions): Promise<void> {
  const { root } = options;
  const log = options.log ?? (() => {});
  const jupyter = join(venvBin(root), "jupyter");
  if (!(await exists(jupyter))) {
    throw new Error(
      `jupyter setup: expected ${jupyter} (installed from requirements.txt by setup), found nothing`,
    );
  }
  const dir = kernelDir(root);
  const want = JSON.stringify(kernelSpec(), null, 2) + "\n";
  const have = await readText(join(dir, "kernel.json"));
  if (have === want && (await exists(join(dir, "logo-64x64.png")))) {
    log(`setup: Deno kernel already registered in .venv (${Deno.execPath()})`);
  } else {
    await installKernel(dir);
    await Deno.writeTextFile(join(dir, "kernel.json"), want);
    log(`setup: Deno kernel registered in .venv, running ${Deno.execPath()}`);
  }
  await verifyKernel(root, jupyter, dir);
  await writeLabOverrides(root);
}

/** Step (d): merges {@linkcode LAB_OVERRIDES} into the overrides file, keeping other settings. */
async function writeLabOverrides(root: string): Promise<void> {
  const path = labOverridesPath(root);
  const text = await readText(path);
  const have = text === null ? {} : parseJson(text, path) as Record<string, unknown>;
  const want = JSON.stringify({ ...have, ...LAB_OVERRIDES }, null, 2) + "\n";
  if (text === want) return;
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await writeTextAtomic(path, want);
}

/** Step (a): `deno jupyter --install` into a temporary data dir, copied to `dir`. */
async function installKernel(dir: string): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "infogan-kernelspec-" });
  try {
    await run("(a) deno jupyter --install", Deno.execPath(), [
      "jupyter",
      "--install",
      "--force",
      "--name",
      KERNEL_NAME,
      "--display",
      KERNEL_DISPLAY_NAME,
    ], { XDG_DATA_HOME: tmp });
    const made = join(tmp, "jupyter", "kernels", KERNEL_NAME);
    if (!(await exists(join(made, "kernel.json")))) {
      throw new Error(
        `jupyter setup (a) deno jupyter --install: expected ${made}/kernel.json, found nothing`,
      );
    }
    await Deno.remove(dir, { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    await Deno.mkdir(dir, { recursive: true });
    for await (const entry of Deno.readDir(made)) {
      if (entry.isFile) await Deno.copyFile(join(made, entry.name), join(dir, entry.name));
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** Step (c): the venv's Jupyter resolves the kernel name to our spec and Deno. */
async function verifyKernel(root: string, jupyter: string, dir: string): Promise<void> {
  const step = "(c) jupyter kernelspec list";
  const out = await run(step, jupyter, ["kernelspec", "list", "--json"], {}, root);
  let specs: Record<string, { resource_dir: string; spec: { argv: string[] } }>;
  try {
    specs = JSON.parse(out).kernelspecs;
  } catch (e) {
    throw new Error(`jupyter setup ${step}: expected JSON, found ${(e as Error).message}`);
  }
  const found = specs?.[KERNEL_NAME];
  if (!found) {
    throw new Error(
      `jupyter setup ${step}: expected a kernel named ${KERNEL_NAME}, found ${
        Object.keys(specs ?? {}).join(", ") || "none"
      }`,
    );
  }
  const [realFound, realDir] = await Promise.all([
    Deno.realPath(found.resource_dir),
    Deno.realPath(dir),
  ]);
  if (realFound !== realDir || found.spec.argv[0] !== Deno.execPath()) {
    throw new Error(
      `jupyter setup ${step}: expected kernel ${KERNEL_NAME} at ${dir} running ${Deno.execPath()}, ` +
        `found ${found.resource_dir} running ${found.spec.argv[0]} ` +
        `(a kernelspec in JUPYTER_PATH or the user's data dir shadows the venv's)`,
    );
  }
}

/** Runs a command with extra env and cwd; returns its stdout. */
function run(
  step: string,
  cmd: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<string> {
  return runSetupCommand(cmd, args, { step: `jupyter setup ${step}`, env, cwd });
}
