/**
 * A strict command-line parser. Every flag is declared; unknown flags,
 * missing values and stray positional arguments are errors. A flag that takes
 * a value always consumes the next argument, so `--from -2` parses as -2.
 */
import {
  describeField,
  FIELD_NAMES,
  FIELDS,
  flagName,
  parseField,
} from "../infogan/config_schema.ts";
import { type InfoGanConfig } from "../infogan/config.ts";
import { PRESETS } from "../infogan/presets.ts";

/** A command-line usage error (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** How a flag's text is parsed. */
export type FlagKind = "string" | "number" | "int" | "bool";

/** One declared flag. */
export interface FlagSpec {
  kind: FlagKind;
  help: string;
  /** Required flags are checked after parsing. */
  required?: boolean;
}

/** Parsed values by flag name, plus whether `--help` was given. */
export interface ParsedArgs {
  values: Record<string, string | number | boolean>;
  help: boolean;
}

/** Parses `argv` against `specs`. Values come back typed per `kind`. */
export function parseArgs(
  argv: string[],
  specs: Record<string, FlagSpec>,
): ParsedArgs {
  const values: Record<string, string | number | boolean> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}: expected --flag value`);
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) {
      throw new UsageError(`unknown flag --${name} (see --help)`);
    }
    let text: string;
    if (eq >= 0) {
      text = arg.slice(eq + 1);
    } else if (spec.kind === "bool" && !isBoolText(argv[i + 1])) {
      text = "true";
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) {
        const found = next === undefined ? "the end of the arguments" : `flag ${next}`;
        throw new UsageError(`--${name}: expected a value, found ${found}`);
      }
      text = argv[++i];
    }
    if (name in values) {
      throw new UsageError(`--${name}: given more than once`);
    }
    values[name] = parseValue(name, spec, text);
  }
  if (!help) {
    for (const [name, spec] of Object.entries(specs)) {
      if (spec.required && !(name in values)) {
        throw new UsageError(`--${name} is required (see --help)`);
      }
    }
  }
  return { values, help };
}

function isBoolText(text: string | undefined): boolean {
  return text === "true" || text === "false";
}

function parseValue(name: string, spec: FlagSpec, text: string): string | number | boolean {
  switch (spec.kind) {
    case "string":
      if (text === "") throw new UsageError(`--${name}: expected a value, found ""`);
      return text;
    case "bool":
      if (!isBoolText(text)) {
        throw new UsageError(`--${name}: expected true|false, found ${JSON.stringify(text)}`);
      }
      return text === "true";
    case "number":
    case "int": {
      const ok = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim());
      const n = Number(text);
      if (!ok || !Number.isFinite(n) || (spec.kind === "int" && !Number.isInteger(n))) {
        throw new UsageError(
          `--${name}: expected ${spec.kind === "int" ? "an integer" : "a number"}, found ${
            JSON.stringify(text)
          }`,
        );
      }
      return n;
    }
  }
}

/** Flag specs for every config field: `--batch-size`, `--lr-d`, … */
export function configFlagSpecs(): Record<string, FlagSpec> {
  const out: Record<string, FlagSpec> = {};
  for (const key of FIELD_NAMES) {
    const values = Object.entries(PRESETS).map(([name, p]) => [name, JSON.stringify(p[key])]);
    const defaults = values.every(([, v]) => v === values[0][1])
      ? values[0][1]
      : values.map(([name, v]) => `${name} ${v}`).join(", ");
    out[flagName(key)] = {
      kind: "string",
      help: `${FIELDS[key].help}: ${describeField(key)} (${defaults})`,
    };
  }
  return out;
}

/** Picks the config fields out of parsed flags, validating each one. */
export function configFromFlags(parsed: ParsedArgs): Partial<InfoGanConfig> {
  const out: Record<string, unknown> = {};
  for (const key of FIELD_NAMES) {
    const text = parsed.values[flagName(key)];
    if (text !== undefined) out[key] = parseField(key, String(text), `--${flagName(key)}`);
  }
  return out as Partial<InfoGanConfig>;
}

/** Formats `--help` text: usage, description and one line per flag. */
export function helpText(
  usage: string,
  options: { description: string; specs: Record<string, FlagSpec>; footer?: string },
): string {
  const lines = [`Usage: ${usage}`, "", options.description, "", "Flags:"];
  const width = Math.max(...Object.keys(options.specs).map((n) => n.length)) + 4;
  for (const [name, spec] of Object.entries(options.specs)) {
    lines.push(`  --${name.padEnd(width - 2)}${spec.help}${spec.required ? " (required)" : ""}`);
  }
  lines.push(`  --${"help".padEnd(width - 2)}show this help`);
  if (options.footer) lines.push("", options.footer);
  return lines.join("\n");
}

/**
 * Runs a CLI entry point: prints known errors as one line and exits
 * non-zero (2 for usage errors, 1 otherwise).
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    const err = e as Error;
    console.error(`error: ${String(err?.message ?? err).split("\n")[0]}`);
    if (Deno.env.get("INFOGAN_DEBUG")) console.error(err?.stack);
    Deno.exit(err instanceof UsageError ? 2 : 1);
  }
}
