/** The versions a run records beside its config, so results can be traced. */
import * as tf from "@tensorflow/tfjs";

/** Deno, V8, tfjs, the active backend and the git commit (or "unknown"). */
export async function runVersions(): Promise<Record<string, string>> {
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    git: await gitCommit(),
  };
}

async function gitCommit(): Promise<string> {
  try {
    const out = await new Deno.Command("git", {
      args: ["rev-parse", "HEAD"],
      cwd: new URL("../..", import.meta.url),
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return "unknown";
    const head = new TextDecoder().decode(out.stdout).trim();
    const dirty = await new Deno.Command("git", {
      args: ["status", "--porcelain", "--untracked-files=no"],
      cwd: new URL("../..", import.meta.url),
      stdout: "piped",
      stderr: "null",
    }).output();
    const changed = new TextDecoder().decode(dirty.stdout).trim() !== "";
    return changed ? `${head}-dirty` : head;
  } catch {
    return "unknown";
  }
}
