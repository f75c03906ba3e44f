import { assertEquals, assertThrows } from "@std/assert";
import {
  checkValue,
  describeValue,
  parseValue,
  UNBOUNDED,
  type ValueSpec,
} from "../lib/infogan/values.ts";

class E extends Error {}

const INT: ValueSpec = { kind: "int", min: 1, max: 100 };
const RATE: ValueSpec = { kind: "float", min: 0, max: 1, minExclusive: true };

Deno.test("parseValue() reads plain decimals in range, and nothing else", () => {
  assertEquals(parseValue(INT, "42", "--n", E), 42);
  assertEquals(parseValue(INT, " 7 ", "--n", E), 7);
  assertEquals(parseValue(RATE, "1e-3", "--lr", E), 0.001);
  assertEquals(parseValue(RATE, ".5", "--lr", E), 0.5);
  for (const text of ["0", "101", "1.5", "0x10", "", "ten", "1e400", "NaN", "Infinity"]) {
    assertThrows(
      () => parseValue(INT, text, "--n", E),
      E,
      `--n: expected integer 1..100, found ${JSON.stringify(text)}`,
    );
  }
  assertThrows(() => parseValue(RATE, "0", "--lr", E), E, "--lr: expected number > 0, ≤ 1");
  assertThrows(() => parseValue(RATE, "2", "--lr", E), E, 'found "2"');
});

Deno.test("parseValue() reads booleans as true|false|1|0, enums by name and non-empty text", () => {
  const bool: ValueSpec = { kind: "bool" };
  assertEquals(["true", "1", "false", "0"].map((t) => parseValue(bool, t, "B", E)), [
    true,
    true,
    false,
    false,
  ]);
  assertThrows(() => parseValue(bool, "yes", "B", E), E, 'B: expected true|false, found "yes"');
  const pick: ValueSpec = { kind: "enum", values: ["a", "b"] };
  assertEquals(parseValue(pick, "b", "P", E), "b");
  assertThrows(() => parseValue(pick, "c", "P", E), E, 'P: expected a|b, found "c"');
  assertEquals(parseValue({ kind: "string" }, "x y", "S", E), "x y");
  assertThrows(() => parseValue({ kind: "string" }, "", "S", E), E, 'S: expected text, found ""');
});

Deno.test("checkValue() checks typed values from JSON the same way", () => {
  assertEquals(checkValue(INT, 5, "c.n", E), 5);
  assertThrows(() => checkValue(INT, 5.5, "c.n", E), E, "c.n: expected integer 1..100, found 5.5");
  assertThrows(() => checkValue(INT, "5", "c.n", E), E, 'found "5"');
  assertThrows(
    () => checkValue({ kind: "bool" }, 1, "c.b", E),
    E,
    "c.b: expected true|false, found 1",
  );
  assertEquals(checkValue({ kind: "string" }, "", "c.s", E), "");
});

Deno.test("describeValue() says what each kind accepts", () => {
  assertEquals(describeValue(INT), "integer 1..100");
  assertEquals(describeValue({ kind: "int", min: 0, max: UNBOUNDED }), "integer 0..∞");
  assertEquals(describeValue(RATE), "number > 0, ≤ 1");
  assertEquals(describeValue({ kind: "float", min: 0, max: 1 }), "number ≥ 0, ≤ 1");
  assertEquals(describeValue({ kind: "enum", values: ["x", "y"] }), "x|y");
});
