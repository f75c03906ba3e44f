/**
 * One way to describe and parse a setting's value, shared by the config's
 * fields, the commands' flags, the `INFOGAN_*` environment variables and the
 * notebooks' knobs: integers and numbers in a range (plain decimals only),
 * booleans as true|false|1|0, one of a list, or text.
 *
 * @module
 */

/** The type and range of one setting. */
export type ValueSpec =
  | { kind: "int"; min: number; max: number }
  | { kind: "float"; min: number; max: number; minExclusive?: boolean }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "bool" }
  | { kind: "string" };

/** A parsed setting. */
export type Value = number | string | boolean;

/** The error a parser throws; each caller names its own. */
export type ValueErrorClass = new (message: string) => Error;

/** The largest integer a setting may take: "no upper bound". */
export const UNBOUNDED: number = Number.MAX_SAFE_INTEGER;

/** Texts that parse as booleans. */
export const BOOL_TEXT: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  1: true,
  0: false,
};

/** The accepted values of `spec`, for help texts and errors. */
export function describeValue(spec: ValueSpec): string {
  switch (spec.kind) {
    case "int":
      return `integer ${fmt(spec.min)}..${spec.max >= UNBOUNDED ? "∞" : fmt(spec.max)}`;
    case "float":
      return spec.min === -Infinity && spec.max === Infinity
        ? "number"
        : `number ${spec.minExclusive ? ">" : "≥"} ${fmt(spec.min)}, ≤ ${fmt(spec.max)}`;
    case "enum":
      return spec.values.join("|");
    case "bool":
      return "true|false";
    case "string":
      return "text";
  }
}

function fmt(n: number): string {
  return n === -Infinity ? "-∞" : n === Infinity ? "∞" : String(n);
}

/**
 * Parses `text` as a value of `spec`. `source` names where the text came
 * from (a flag, a variable); a bad value throws `error` with
 * "`source`: expected …, found "text"".
 */
export function parseValue(
  spec: ValueSpec,
  text: string,
  source: string,
  error: ValueErrorClass,
): Value {
  const bad = (): never => {
    throw new error(`${source}: expected ${describeValue(spec)}, found ${JSON.stringify(text)}`);
  };
  switch (spec.kind) {
    case "int":
    case "float": {
      const t = text.trim();
      // Number("") is 0 and Number("0x10") is 16: accept plain decimals only.
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) bad();
      return inRange(spec, Number(t)) ? Number(t) : bad();
    }
    case "enum":
      return spec.values.includes(text) ? text : bad();
    case "bool":
      return text in BOOL_TEXT ? BOOL_TEXT[text] : bad();
    case "string":
      return text === "" ? bad() : text;
  }
}

/**
 * Checks an already typed value (read from JSON, or passed in code) against
 * `spec`; returns it, or throws `error` naming `source`.
 */
export function checkValue(
  spec: ValueSpec,
  value: unknown,
  source: string,
  error: ValueErrorClass,
): Value {
  const ok = spec.kind === "int" || spec.kind === "float"
    ? typeof value === "number" && inRange(spec, value)
    : spec.kind === "enum"
    ? typeof value === "string" && spec.values.includes(value)
    : spec.kind === "bool"
    ? typeof value === "boolean"
    : typeof value === "string";
  if (!ok) {
    throw new error(`${source}: expected ${describeValue(spec)}, found ${JSON.stringify(value)}`);
  }
  return value as Value;
}

function inRange(spec: ValueSpec & { kind: "int" | "float" }, n: number): boolean {
  if (Number.isNaN(n)) return false;
  if (spec.kind === "int" && !Number.isSafeInteger(n)) return false;
  if (spec.kind === "float" && !Number.isFinite(n)) return false;
  const aboveMin = spec.kind === "float" && spec.minExclusive ? n > spec.min : n >= spec.min;
  return aboveMin && n <= spec.max;
}
