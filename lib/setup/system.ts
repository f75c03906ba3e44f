/**
 * The Debian packages some tests need, installed by `deno task setup` when it
 * can: Mesa's software Vulkan driver (the webgpu tests run on lavapipe),
 * Chromium with a font (the browser tests) and Fashion-MNIST (the `--data`
 * test). Setup installs the missing ones with apt-get when it runs as root or
 * passwordless sudo works; otherwise it prints the one command that would.
 * A test that needs a missing package fails with {@linkcode installCommand}
 * in its message.
 */
import { runSetupCommand } from "./command.ts";

/** The packages, with what each is for. */
export const SYSTEM_PACKAGES: Readonly<Record<string, string>> = {
  "mesa-vulkan-drivers": "a software WebGPU adapter (lavapipe) for the webgpu tests",
  "chromium": "the browser tests",
  "fonts-dejavu-core": "text in the browser tests' screenshots",
  "dataset-fashion-mnist": "the Fashion-MNIST data test",
};

/** The command that installs `packages` (default: all of them) on Debian. */
export function installCommand(packages: readonly string[] = Object.keys(SYSTEM_PACKAGES)): string {
  return `sudo apt-get install -y --no-install-recommends ${packages.join(" ")}`;
}

/** What setup will do about the system packages. */
export type SystemPlan =
  | { action: "none"; reason: string }
  | { action: "install"; prefix: string[]; packages: string[] }
  | { action: "print"; command: string };

/**
 * Decides from the facts: which packages are missing (null when this is not
 * a Debian system), whether apt-get exists, whether we are root and whether
 * `sudo -n` works.
 */
export function planSystemSetup(facts: {
  missing: string[] | null;
  aptGet: boolean;
  root: boolean;
  sudo: boolean;
}): SystemPlan {
  if (facts.missing === null) {
    return { action: "none", reason: "not a Debian system (no dpkg-query)" };
  }
  if (facts.missing.length === 0) {
    return { action: "none", reason: "every system package is installed" };
  }
  if (facts.aptGet && (facts.root || facts.sudo)) {
    // sudo resets the environment: pass apt's noninteractive mode through it.
    const prefix = facts.root ? [] : ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"];
    return { action: "install", prefix, packages: facts.missing };
  }
  return { action: "print", command: installCommand(facts.missing) };
}

async function succeeds(cmd: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** The packages dpkg does not list as installed; null without dpkg-query. */
async function missingPackages(): Promise<string[] | null> {
  const missing: string[] = [];
  for (const pkg of Object.keys(SYSTEM_PACKAGES)) {
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command("dpkg-query", {
        args: ["-W", "-f=${Status}", pkg],
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).output();
    } catch {
      return null;
    }
    const status = new TextDecoder().decode(out.stdout);
    if (!out.success || !status.includes("install ok installed")) missing.push(pkg);
  }
  return missing;
}

/**
 * Installs the missing system packages when it can, or logs the command
 * that would. A failed install is logged with that command, not thrown: the
 * rest of setup still works, and the tests that need a package say what to
 * run.
 */
export async function setupSystem(options: { log: (message: string) => void }): Promise<void> {
  const { log } = options;
  const missing = await missingPackages();
  const uid = Deno.uid();
  const plan = planSystemSetup({
    missing,
    aptGet: await succeeds("apt-get", ["--version"]),
    root: uid === 0,
    sudo: uid !== 0 && await succeeds("sudo", ["-n", "true"]),
  });
  if (plan.action === "none") {
    log(`setup: system packages: ${plan.reason}`);
    return;
  }
  if (plan.action === "print") {
    log(`setup: missing Debian packages for some tests; install them with:\n  ${plan.command}`);
    return;
  }
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const [cmd, ...pre] = [...plan.prefix, "apt-get"];
  log(`setup: installing ${plan.packages.join(", ")} with apt-get`);
  try {
    await runSetupCommand(cmd, [...pre, "update", "-qq"], { step: "system setup", env });
    await runSetupCommand(
      cmd,
      [...pre, "install", "-y", "-qq", "--no-install-recommends", ...plan.packages],
      { step: "system setup", env },
    );
    log("setup: system packages installed");
  } catch (e) {
    log(
      `setup: ${(e as Error).message.split("\n")[0]}\n  install them yourself with: ${
        installCommand(plan.packages)
      }`,
    );
  }
}
