import { assert, assertRejects, assertStringIncludes } from "@std/assert";
import { librarySource } from "../lib/io/library_source.ts";

Deno.test("librarySource() returns a function from its doc comment to its closing brace", async () => {
  const src = await librarySource("infogan/step.ts", "generatorStep");
  assert(src.startsWith("/**"), src.slice(0, 40));
  assertStringIncludes(src, "export function generatorStep(");
  assertStringIncludes(src, "config.lambda");
  assert(src.endsWith("\n}"), src.slice(-40));
  assert(!src.includes("export function trainStep"), "ran past the function's end");
  await assertRejects(() => librarySource("infogan/step.ts", "noSuchStep"), Error, "noSuchStep");
  await assertRejects(() => librarySource("nope.ts", "x"), Error, "nope.ts");
});
