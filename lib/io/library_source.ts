/**
 * The source of a library function as it is on disk, so that a notebook that
 * shows it cannot drift from the code that trains.
 *
 * @module
 */
import { join } from "node:path";
import { PROJECT_ROOT, readText } from "./fs.ts";

/**
 * The text of `export function <name>` in `lib/<file>`, from its doc comment
 * to its closing brace. Throws naming the file when it is not there.
 */
export async function librarySource(file: string, name: string): Promise<string> {
  const path = join(PROJECT_ROOT, "lib", file);
  const text = await readText(path);
  if (text === null) throw new Error(`${path}: expected a library file, found none`);
  const lines = text.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^export (async )?function ${name}\\b`).test(l));
  if (start < 0) throw new Error(`${path}: expected \`export function ${name}\`, found none`);
  let first = start;
  if (lines[first - 1]?.trim() === "*/") {
    while (first > 0 && !lines[first].startsWith("/**")) first--;
  }
  const end = lines.findIndex((l, i) => i > start && l === "}");
  if (end < 0) throw new Error(`${path}: the body of ${name} never closes`);
  return lines.slice(first, end + 1).join("\n");
}
