import { assertEquals } from "@std/assert";
import { fromFileUrl, join } from "@std/path";

const ROOT = fromFileUrl(new URL("..", import.meta.url));

/** A table's header must be followed by a row of `---` cells (colons allowed). */
const SEPARATOR = /^\|(\s*:?-+:?\s*\|)+$/;

/** The cells of a table row, split on pipes that are not escaped (`\|`). */
function cellCount(row: string): number {
  return row.trim().replace(/\\\|/g, "").split("|").length - 2;
}

/**
 * Problems with the Markdown tables in `text`: a table without its separator
 * row, a row whose width differs from its header's, or a separator written
 * with another dash (U+2212 "−" for "-"), which makes a renderer, and
 * `deno fmt`, treat the table as a paragraph.
 */
export function tableProblems(text: string): string[] {
  const problems: string[] = [];
  const lines = text.split("\n");
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith("```")) fenced = !fenced;
    if (fenced) continue;
    if (/\|\s*−-/.test(line)) problems.push(`line ${i + 1}: a separator cell starts with "−"`);
    // A table starts a block: a "|" line after a blank line (or a heading) is its header.
    if (!line.startsWith("|") || (i > 0 && !/^(#.*)?$/.test(lines[i - 1].trim()))) continue;
    const width = cellCount(line);
    const next = (lines[i + 1] ?? "").trim();
    if (!SEPARATOR.test(next)) {
      problems.push(`line ${i + 1}: a table header without a "| --- |" row after it`);
      continue;
    }
    for (let j = i + 1; j < lines.length && lines[j].trim().startsWith("|"); j++) {
      const found = cellCount(lines[j]);
      if (found !== width) {
        problems.push(`line ${j + 1}: ${found} cells, expected the header's ${width}`);
      }
    }
  }
  return problems;
}

/** The Markdown the project ships: README, docs and the notebooks' markdown cells. */
async function shippedMarkdown(): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  const paths = ["README.md", "data/README.md", "notebooks/README.md"];
  for await (const e of Deno.readDir(join(ROOT, "docs"))) {
    if (e.name.endsWith(".md")) paths.push(`docs/${e.name}`);
  }
  for (const p of paths) out.push({ path: p, text: await Deno.readTextFile(join(ROOT, p)) });
  for await (const e of Deno.readDir(join(ROOT, "notebooks"))) {
    if (!e.name.endsWith(".ipynb")) continue;
    const nb = JSON.parse(await Deno.readTextFile(join(ROOT, "notebooks", e.name)));
    nb.cells.forEach((c: { cell_type: string; source: string[] | string }, k: number) => {
      if (c.cell_type !== "markdown") return;
      const text = Array.isArray(c.source) ? c.source.join("") : c.source;
      out.push({ path: `notebooks/${e.name}, cell ${k}`, text });
    });
  }
  return out;
}

Deno.test("tableProblems() flags a reflowed table, a minus-sign separator and a short row", () => {
  const good = "| a | b \\| c |\n| --- | :-: |\n| 1 | 2 |\n\ntext | with | pipes";
  assertEquals(tableProblems(good), []);
  assertEquals(tableProblems("| a | b |\n| −-- | −-- |\n| 1 | 2 |"), [
    'line 1: a table header without a "| --- |" row after it',
    'line 2: a separator cell starts with "−"',
  ]);
  assertEquals(tableProblems("A paragraph wrapped so that a line\n|ρ| starts with a pipe."), []);
  assertEquals(tableProblems("| a | b |\nwidth | c | | --- |"), [
    'line 1: a table header without a "| --- |" row after it',
  ]);
  assertEquals(tableProblems("| a | b |\n| --- | --- |\n| 1 |"), [
    "line 3: 1 cells, expected the header's 2",
  ]);
  assertEquals(tableProblems("```\n| not a table\n```"), []);
});

Deno.test("every Markdown table in the README, docs and notebooks is well formed", async () => {
  const found: string[] = [];
  for (const { path, text } of await shippedMarkdown()) {
    for (const p of tableProblems(text)) found.push(`${path}: ${p}`);
  }
  assertEquals(found, []);
});
