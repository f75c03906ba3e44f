/** Flags and outputs shared by the commands. */
import { type BackendName } from "../infogan/config.ts";
import { parseField } from "../infogan/config_schema.ts";
import { writeAtomic } from "../io/atomic.ts";

/** Validates a --backend value (default: INFOGAN_BACKEND, else auto). */
export function parseBackend(value: unknown): BackendName {
  const b = (value ?? Deno.env.get("INFOGAN_BACKEND") ?? "auto") as string;
  return parseField(
    "backend",
    b,
    value === undefined ? "INFOGAN_BACKEND" : "--backend",
  ) as BackendName;
}

/**
 * Writes a command's `--out` file atomically, never over an existing file
 * (one that appears while the command runs included).
 */
export async function writeOut(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeAtomic(path, bytes, { createNew: true });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      throw new Error(`${path}: already exists; choose another --out`);
    }
    throw e;
  }
}
