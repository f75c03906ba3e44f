/** Running the external commands of `deno task setup` with errors a user can act on. */

/** Options of {@linkcode runSetupCommand}. */
export interface SetupCommandOptions {
  /** Names the setup and its step in errors, e.g. "native setup (c) node-gyp". */
  step: string;
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/**
 * Runs `cmd args` and returns its stdout. Throws an Error naming the step,
 * the command and the last lines of its stderr (or stdout) when it cannot
 * start or exits non-zero.
 */
export async function runSetupCommand(
  cmd: string,
  args: string[],
  options: SetupCommandOptions,
): Promise<string> {
  const shown = [cmd, ...args].join(" ");
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, {
      args,
      cwd: options.cwd,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    throw new Error(`${options.step}: could not start \`${shown}\`: ${(e as Error).message}`);
  }
  const text = new TextDecoder();
  if (!out.success) {
    const detail = text.decode(out.stderr).trim() || text.decode(out.stdout).trim();
    throw new Error(
      `${options.step}: \`${shown}\` failed with exit code ${out.code}:\n${tail(detail)}`,
    );
  }
  return text.decode(out.stdout);
}

/** The last 20 lines of a command's output, at most about 2000 characters. */
function tail(text: string): string {
  const lines = text.split("\n").slice(-20).join("\n");
  return lines.length > 2000 ? "…" + lines.slice(-2000) : lines;
}
