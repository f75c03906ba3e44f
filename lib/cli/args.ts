/**
 * A strict command-line parser, and the shape every command has: parse the
 * flags → print `--help` → run. Every flag is declared with a type and range
 * (`infogan/values.ts`, the same parser the config's fields and environment
 * variables use); unknown flags, bad values, missing values and stray
 * positional arguments are usage errors (exit code 2). A flag that takes a
 * value always consumes the next argument, so `--from -2` parses as -2.
 */
import type { InfoGanConfig } from "../infogan/config.ts";
import { FIELD_NAMES, FIELDS, flagName } from "../infogan/config_schema.ts";
import { PRESETS } from "../infogan/presets.ts";
import {
  BOOL_TEXT,
  describeValue,
  parseValue,
  type Value,
  type ValueSpec,
} from "../infogan/values.ts";

/** A command-line usage error (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** One declared flag: its type and range, its help, and a default or `required`. */
export type FlagSpec = ValueSpec & {
  help: string;
  /** Required flags are checked after parsing. */
  required?: boolean;
  /** The value when the flag is not given (shown in `--help`). */
  default?: Value;
  /** What `--help` says the default is, when something else sets it (a preset). */
  defaultText?: string;
};

/** A command's flags by name (without the leading `--`). */
export type Flags = Record<string, FlagSpec>;

/** Parsed values by flag name (defaults filled in), plus whether `--help` was given. */
export interface ParsedArgs {
  values: Record<string, Value>;
  help: boolean;
}

/** Parses `argv` against `specs`. Values come back typed per spec, defaults filled in. */
export function parseArgs(argv: readonly string[], specs: Flags): ParsedArgs {
  const values: Record<string, Value> = {};
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
    } else if (spec.kind === "bool" && !(argv[i + 1] in BOOL_TEXT)) {
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
    values[name] = parseValue(spec, text, `--${name}`, UsageError);
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (name in values) continue;
    if (spec.default !== undefined) values[name] = spec.default;
    else if (spec.required && !help) throw new UsageError(`--${name} is required (see --help)`);
  }
  return { values, help };
}

/** Flag specs for every config field: `--batch-size`, `--lr-d`, … (the preset sets the default). */
export function configFlagSpecs(): Flags {
  const out: Flags = {};
  for (const key of FIELD_NAMES) {
    const values = Object.entries(PRESETS).map(([name, p]) => [name, String(p[key])]);
    const same = values.every(([, v]) => v === values[0][1]);
    const defaults = key === "preset"
      ? "book"
      : same
      ? values[0][1]
      : values.map(([name, v]) => `${name} ${v}`).join(", ");
    // `data` says its default in its help: the bundled MNIST.
    const shown = key === "data" ? {} : { defaultText: defaults };
    out[flagName(key)] = { ...FIELDS[key], ...shown };
  }
  return out;
}

/** Picks the config fields out of parsed flags (already validated by their specs). */
export function configFromFlags(values: Record<string, Value>): Partial<InfoGanConfig> {
  const out: Record<string, unknown> = {};
  for (const key of FIELD_NAMES) {
    const v = values[flagName(key)];
    if (v !== undefined) out[key] = v;
  }
  return out as Partial<InfoGanConfig>;
}

/** What a command says about itself in `--help`. */
export interface CommandSpec {
  /** The usage line, e.g. `deno task sweep --checkpoint DIR --out FILE.png [flags]`. */
  usage: string;
  description: string;
  flags: Flags;
  /** An example, or anything else after the flags. */
  footer?: string;
}

/** One flag's help: its text, then its accepted values and default. */
function flagHelp(spec: FlagSpec): string {
  const notes: string[] = [];
  if (spec.kind !== "string" && spec.kind !== "bool") notes.push(describeValue(spec));
  const shown = spec.defaultText ?? (spec.kind === "bool" ? undefined : spec.default);
  if (shown !== undefined) notes.push(`default ${shown}`);
  if (spec.required) notes.push("required");
  return notes.length ? `${spec.help} (${notes.join("; ")})` : spec.help;
}

/** Formats `--help` text: usage, description and one line per flag. */
export function helpText(command: CommandSpec): string {
  const lines = [`Usage: ${command.usage}`, "", command.description, "", "Flags:"];
  const width = Math.max(...Object.keys(command.flags).map((n) => n.length), 4) + 4;
  for (const [name, spec] of Object.entries(command.flags)) {
    lines.push(`  --${name.padEnd(width - 2)}${flagHelp(spec)}`);
  }
  lines.push(`  --${"help".padEnd(width - 2)}show this help`);
  if (command.footer) lines.push("", command.footer);
  return lines.join("\n");
}

/**
 * Runs a command: parses `Deno.args` against its flags, prints `--help`, or
 * runs `main` with the parsed values; errors are printed as one line, with
 * exit code 2 for usage errors and 1 otherwise.
 */
export async function runCommand(
  command: CommandSpec,
  main: (values: Record<string, Value>) => Promise<void>,
): Promise<void> {
  await runMain(async () => {
    const parsed = parseArgs(Deno.args, command.flags);
    if (parsed.help) console.log(helpText(command));
    else await main(parsed.values);
  });
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
