/**
 * Writing IDX files (the format `data/idx.ts` reads), atomically.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { encodeIdx, type IdxArray } from "../data/idx.ts";
import { writeAtomic } from "./atomic.ts";

/**
 * Writes an array as an uncompressed IDX file, atomically (`atomic.ts`): a
 * reader never sees a half-written file.
 *
 * @throws {IdxError} when the array is invalid (see `encodeIdx`); the
 * message names the path, and nothing is written.
 */
export async function writeIdx(path: string | URL, arr: IdxArray): Promise<void> {
  const target = path instanceof URL ? fileURLToPath(path) : path;
  await writeAtomic(target, encodeIdx(arr, { name: target }));
}
