import { assertEquals, assertMatch, assertStrictEquals } from "@std/assert";
import { displayParts } from "../lib/viz/display_parts.ts";
import type { MediaBundle } from "../lib/viz/display.ts";

/** The one script's body in a part's HTML. */
function scriptBody(html: string): string {
  const start = html.indexOf("<script>") + "<script>".length;
  const end = html.indexOf("</script>");
  assertEquals(html.indexOf("</script", end + 1), -1, "a part holds one script, closed once");
  return html.slice(start, end);
}

/** A stand-in for the page a part's script runs in: what it inserted or wrote goes to `into`. */
function stubDocument(into: string[]) {
  return {
    currentScript: {
      parentElement: {
        set textContent(text: string) {
          into.push(`text: ${text}`);
        },
        replaceChildren(fragment: string) {
          into.push(fragment);
        },
      },
    },
    createRange: () => ({ createContextualFragment: (html: string) => html }),
  };
}

/** Runs the parts' scripts in order in one stand-in page; returns what they inserted or wrote. */
function runParts(parts: MediaBundle[]): string[] {
  const page: Record<string, unknown> = {};
  const seen: string[] = [];
  for (const part of parts) {
    new Function("globalThis", "document", scriptBody(part["text/html"]))(page, stubDocument(seen));
  }
  return seen;
}

const HTML = `<div id="x"><script>const s = "</script>"; // é ü 漢字 \u2028 ${
  "z".repeat(40)
}</script></div>`;
const BUNDLE: MediaBundle = { "text/html": HTML, "text/plain": "[explorer]" };

Deno.test("displayParts() leaves a bundle that fits in one part as it is", () => {
  const parts = displayParts(BUNDLE, "k", HTML.length);
  assertEquals(parts.length, 1);
  assertStrictEquals(parts[0], BUNDLE);
});

Deno.test("displayParts() splits a large bundle into slices that reassemble to the same HTML", () => {
  const parts = displayParts(BUNDLE, "k", 16);
  assertEquals(parts.length, Math.ceil(HTML.length / 16) + 1);
  // Every part but the last stores a slice; none may end its script early.
  for (const part of parts) scriptBody(part["text/html"]);
  assertEquals(parts.at(-1)!["text/plain"], "[explorer]");
  assertEquals(runParts(parts), [HTML]);
});

Deno.test("displayParts(): a part that never arrived is reported, nothing half-inserted", () => {
  const parts = displayParts(BUNDLE, "k", 16);
  const seen = runParts(parts.filter((_, i) => i !== 2));
  assertEquals(seen.length, 1);
  assertMatch(seen[0], new RegExp(`^text: only ${parts.length - 2} of ${parts.length - 1} parts`));
});

Deno.test("displayParts(): two displays' parts do not mix", () => {
  const a = displayParts(BUNDLE, "a", 16);
  const other = { ...BUNDLE, "text/html": HTML.replaceAll("z", "y") };
  const b = displayParts(other, "b", 16);
  // Interleave the slices of both, then assemble each.
  const slicesA = a.slice(0, -1);
  const slicesB = b.slice(0, -1);
  const mixed = slicesA.flatMap((part, i) => [part, slicesB[i]]);
  assertEquals(runParts([...mixed, a.at(-1)!, b.at(-1)!]), [HTML, other["text/html"]]);
});
