/** Flags and outputs shared by the commands: one spec each for --backend, --checkpoint, --seed, --out. */
import type { BackendName } from "../infogan/config.ts";
import { FIELDS, parseField } from "../infogan/config_schema.ts";
import { writeAtomic } from "../io/atomic.ts";
import type { FlagSpec } from "./args.ts";

/** `--backend`: the config's backend field; unset, `INFOGAN_BACKEND` decides, else auto. */
export const BACKEND_FLAG: FlagSpec = {
  ...FIELDS.backend,
  help: "compute backend",
  defaultText: "INFOGAN_BACKEND, else auto",
};

/** `--checkpoint`: what a command reads its models from. */
export function checkpointFlag(help = "checkpoint, run folder or pretrained folder"): FlagSpec {
  return { kind: "string", help, required: true };
}

/** `--seed`: the config's seed range, with what this command seeds. */
export function seedFlag(help: string, fallback: number): FlagSpec {
  return { ...FIELDS.seed, help, default: fallback };
}

/** `--out`: the file or folder a command writes. */
export function outFlag(help: string, options: { required?: boolean } = {}): FlagSpec {
  return { kind: "string", help, required: options.required ?? true };
}

/** The backend to start: `--backend` if given, else `INFOGAN_BACKEND`, else auto. */
export function parseBackend(value: unknown): BackendName {
  if (value !== undefined) return value as BackendName;
  const env = Deno.env.get("INFOGAN_BACKEND");
  return env
    ? parseField("backend", env, "environment variable INFOGAN_BACKEND") as BackendName
    : "auto";
}

/**
 * Writes a command's `--out` file atomically, never over an existing file
 * (one that appears while the command runs included).
 */
export async function writeOut(path: string, bytes: Uint8Array, flag = "--out"): Promise<void> {
  try {
    await writeAtomic(path, bytes, { createNew: true });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      throw new Error(`${path}: already exists; choose another ${flag}`);
    }
    throw e;
  }
}
