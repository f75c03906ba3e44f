/**
 * Atomic file writes: the bytes go to a temporary file in the same folder,
 * which is fsynced and renamed over the target, and then the folder is
 * fsynced, so after a crash the target holds either its old bytes or all of
 * the new ones, never a part.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

/** Options of {@linkcode writeAtomic}. */
export interface WriteAtomicOptions {
  /**
   * Never overwrite: fail with `Deno.errors.AlreadyExists` when `path`
   * exists. The name is claimed with `Deno.open(…, { createNew: true })`, so
   * a file that appears after the check is not overwritten either.
   */
  createNew?: boolean;
}

let counter = 0;

/** Writes `bytes` to `path` atomically (see the module doc). */
export async function writeAtomic(
  path: string,
  bytes: Uint8Array,
  options: WriteAtomicOptions = {},
): Promise<void> {
  const dir = dirname(path);
  if (options.createNew) (await Deno.open(path, { write: true, createNew: true })).close();
  const temp = join(dir, `.${basename(path)}.${Deno.pid}.${++counter}.tmp`);
  try {
    await writeSynced(temp, bytes);
    await Deno.rename(temp, path);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    if (options.createNew) await Deno.remove(path).catch(() => {});
    throw e;
  }
  await syncDir(dir);
}

/**
 * Writes `bytes` to a new file at `path` (never over an existing one) and
 * fsyncs it: the building block of {@linkcode writeAtomic} and of whole
 * folders written beside their target.
 */
export async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const file = await Deno.open(path, { write: true, createNew: true });
  try {
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } finally {
    file.close();
  }
}

/** Writes `text` as UTF-8 to `path` atomically. */
export async function writeTextAtomic(
  path: string,
  text: string,
  options: WriteAtomicOptions = {},
): Promise<void> {
  await writeAtomic(path, new TextEncoder().encode(text), options);
}

/** Fsyncs a folder, so that renames and new names in it survive a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}
