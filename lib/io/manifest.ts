/**
 * File manifests: the size and SHA-256 of every file a folder holds, written
 * beside them (checkpoints' `state.json`, the classifier's `classifier.json`)
 * and checked before anything is loaded, so a truncated or edited file is
 * refused by name instead of loading silently wrong.
 *
 * @module
 */
import { join } from "node:path";
import { sha256Hex } from "./fs.ts";
import { type ErrorClass, readBytes } from "./json_file.ts";

/** Size and SHA-256 (hex) of each file, by path relative to the folder. */
export type FileDigests = Record<string, { bytes: number; sha256: string }>;

/** The manifest of `files` (relative path → bytes). */
export async function digestsOf(files: Readonly<Record<string, Uint8Array>>): Promise<FileDigests> {
  const out: FileDigests = {};
  for (const [rel, bytes] of Object.entries(files)) {
    out[rel] = { bytes: bytes.length, sha256: await sha256Hex(bytes) };
  }
  return out;
}

/**
 * Reads each of `rels` (relative to `dir`) once and checks it against its
 * entry in `digests` (read from `listedIn`); returns the bytes, so that
 * nothing is read or hashed twice. Throws `error` naming the file on a
 * missing entry or file, a wrong size or a wrong digest.
 */
export async function readVerified(
  dir: string,
  digests: FileDigests,
  rels: readonly string[],
  options: { listedIn: string; error: ErrorClass; expected?: string },
): Promise<Record<string, Uint8Array>> {
  const E = options.error;
  const out: Record<string, Uint8Array> = {};
  for (const rel of rels) {
    const want = digests[rel];
    const file = join(dir, rel);
    if (!want) throw new E(`${options.listedIn}: expected an entry for ${rel}, found none`);
    const bytes = await readBytes(file, {
      error: E,
      expected: options.expected ?? "a file listed in the manifest",
    });
    if (bytes.length !== want.bytes) {
      throw new E(
        `${file}: expected ${want.bytes} bytes, found ${bytes.length} (truncated or replaced)`,
      );
    }
    const digest = await sha256Hex(bytes);
    if (digest !== want.sha256) {
      throw new E(`${file}: expected SHA-256 ${want.sha256}, found ${digest} (file was modified)`);
    }
    out[rel] = bytes;
  }
  return out;
}
