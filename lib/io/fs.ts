/** Small file-system helpers shared by the library, the CLI and the tests. */
import { fileURLToPath } from "node:url";

/** The project's root folder (the one holding `deno.json`). */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Whether anything exists at `path`. Only a path that is not there (or runs
 * through a file) counts as absent; any other error, such as a denied
 * permission, is thrown, so it is never mistaken for a missing file.
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}

/** Whether `path` is a directory. */
export async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/** The file's text, or null when it cannot be read. */
export async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

/** The SHA-256 of `bytes`, as lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return new Uint8Array(digest).toHex();
}
