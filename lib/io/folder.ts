/**
 * Replacing a whole folder (a checkpoint, an export) so that a crash at any
 * moment leaves a complete one: the new folder is written beside as
 * `<dir>.tmp`, every file fsynced, and then swapped in. Readers go through
 * {@linkcode resolveFolder}, which falls back to `<dir>.old` when a crash
 * came between moving the old folder aside and moving the new one in.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { exists } from "./fs.ts";
import { syncDir, writeSynced } from "./atomic.ts";

/** The steps of {@linkcode swapFolder}, in order. */
export const SWAP_STEPS = ["move-aside", "move-in", "sync", "drop-old"] as const;

/** One step of {@linkcode swapFolder}. */
export type SwapStep = typeof SWAP_STEPS[number];

/** Options of {@linkcode swapFolder}. */
export interface SwapOptions {
  /** Called after each step; the crash tests stop the process here. */
  afterStep?: (step: SwapStep) => void;
}

/**
 * Writes `files` (relative path → bytes, in order, so a file that marks the
 * folder complete can come last) into a fresh folder `tmp`, each fsynced,
 * and fsyncs every folder it made.
 */
export async function writeFolder(
  tmp: string,
  files: Iterable<readonly [string, Uint8Array]>,
): Promise<void> {
  await Deno.remove(tmp, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  const folders = new Set<string>([tmp]);
  for (const [rel, bytes] of files) {
    const path = join(tmp, rel);
    await Deno.mkdir(dirname(path), { recursive: true });
    for (let d = dirname(path); d.startsWith(tmp); d = dirname(d)) folders.add(d);
    await writeSynced(path, bytes);
  }
  for (const d of [...folders].sort((a, b) => b.length - a.length)) await syncDir(d);
}

/**
 * Swaps the complete folder `tmp` in for `dir`: the old `dir` (if any) is
 * moved to `<dir>.old`, `tmp` is renamed to `dir`, the parent is fsynced and
 * the old copy removed. A stale `<dir>.old` is removed first only while `dir`
 * itself is complete; otherwise it is the last complete copy and stays until
 * the new folder is in place.
 */
export async function swapFolder(
  tmp: string,
  dir: string,
  options: SwapOptions = {},
): Promise<void> {
  const old = `${dir}.old`;
  const step = options.afterStep ?? (() => {});
  if (await exists(dir)) {
    await Deno.remove(old, { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    await Deno.rename(dir, old);
  }
  step("move-aside");
  await Deno.rename(tmp, dir);
  step("move-in");
  await syncDir(dirname(dir));
  step("sync");
  await Deno.remove(old, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  step("drop-old");
}

/**
 * The folder to read for `dir`: `dir` itself, or `<dir>.old` when a swap was
 * cut short between its first two steps; null when neither exists.
 */
export async function resolveFolder(dir: string): Promise<string | null> {
  if (await exists(dir)) return dir;
  const old = join(dirname(dir), `${basename(dir)}.old`);
  return (await exists(old)) ? old : null;
}
