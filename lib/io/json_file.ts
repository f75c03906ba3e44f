/**
 * Reading the project's JSON and JSONL files, with errors that name the file
 * (and the line) and say what was expected and what was found.
 *
 * @module
 */

/** The error a reader throws; each caller names its own (checkpoint, classifier, run). */
export type ErrorClass = new (message: string) => Error;

/** Options of the readers: the error to throw and what the file should hold. */
export interface ReadOptions {
  /** Thrown on a missing, unreadable or malformed file (default `Error`). */
  error?: ErrorClass;
  /** What the file should be, for the message (default "a file"). */
  expected?: string;
}

/** A file's bytes; a missing or unreadable file throws naming it. */
export async function readBytes(path: string, options: ReadOptions = {}): Promise<Uint8Array> {
  const E = options.error ?? Error;
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new E(`${path}: expected ${options.expected ?? "a file"}, found none`);
    }
    throw new E(`${path}: cannot read (${(e as Error).message})`);
  }
}

/** Parses JSON text or UTF-8 bytes read from `path`; a parse error names it. */
export function parseJson(
  content: string | Uint8Array,
  path: string,
  options: ReadOptions = {},
): unknown {
  const E = options.error ?? Error;
  const text = typeof content === "string" ? content : new TextDecoder().decode(content);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new E(`${path}: expected valid JSON, found a parse error (${(e as Error).message})`);
  }
}

/** Reads and parses a JSON file (see {@linkcode readBytes}, {@linkcode parseJson}). */
export async function readJson(path: string, options: ReadOptions = {}): Promise<unknown> {
  return parseJson(await readBytes(path, options), path, options);
}

/** One line of a JSONL file: its 1-based number and its object. */
export interface JsonLine {
  line: number;
  value: Record<string, unknown>;
}

/**
 * The objects of JSONL text read from `path`, one per line. Blank lines are
 * skipped, and so is a last line without its newline (a write cut short by a
 * kill); any other line that is not a JSON object throws naming the file and
 * the line.
 */
export function parseJsonLines(text: string, path: string, options: ReadOptions = {}): JsonLine[] {
  const E = options.error ?? Error;
  const complete = text.split("\n").slice(0, -1);
  const out: JsonLine[] = [];
  complete.forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      const shown = JSON.stringify(line.length > 60 ? line.slice(0, 60) + "…" : line);
      throw new E(`${path}:${i + 1}: expected a JSON object, found ${shown}`);
    }
    out.push({ line: i + 1, value: value as Record<string, unknown> });
  });
  return out;
}
