/**
 * Every figure that README.md, docs/ and the notebooks' markdown state about a
 * shipped model must be one of the values in the shipped files
 * (`data/pretrained/<name>/evaluation.json`, `baseline/evaluation.json`,
 * `metrics.jsonl`, `baseline-metrics.jsonl`, `data/classifier/`), within the
 * rounding it is printed at. Re-shipping a model fails this test until the
 * text is updated.
 *
 * A statement is about a shipped model when its sentence or table row says
 * "shipped", names `data/pretrained`, "the book model", "the `paper` model"
 * or "folder" (any shipped name), or the λ = 0 twin. In such a sentence every
 * percentage, every two-decimal number in [−1, 1] (how ρ is printed) and
 * every "N min" is checked, and so is every later sentence of the same
 * paragraph or list item; in a table whose header is in scope, every row is.
 */
import { assertEquals } from "@std/assert";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/io/fs.ts";

/** One value read from a shipped file, in its natural unit (fractions as fractions). */
interface Shipped {
  kind: "fraction" | "rho" | "minutes";
  value: number;
  source: string;
}

/**
 * Percentages that state no model's result, so they may appear anywhere: the
 * paper's reported error (5%, 95%), the project's targets and thresholds
 * (90%, 95%, 99%), chance for ten categories (10%) and the extremes.
 */
const CONSTANT_PERCENTS = new Set([0, 5, 10, 90, 95, 99, 100]);

/** Every folder in data/pretrained/. */
const MODELS: string[] = [...Deno.readDirSync(join(PROJECT_ROOT, "data", "pretrained"))]
  .filter((e) => e.isDirectory && !e.name.includes(".")).map((e) => e.name).sort();

const SCOPE = new RegExp(
  `shipped|data/pretrained|\\b(${MODELS.join("|")})\`? (model|folder)|λ = 0\\$? twin`,
);
/** A percentage, a two-decimal number in [−1, 1] or a count of minutes. */
const NUMBER =
  /(?<![\w.])([−-]?\d+(?:\.\d+)?)\s?%|(?<![\w.\d])([−-]?(?:0\.\d\d|1\.00))(?![\d%])|(?<![\w.])(\d+) min\b/g;

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

async function readLines(path: string): Promise<Record<string, number>[]> {
  return (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** The values of one evaluation.json. */
function evaluationValues(e: Record<string, unknown>, name: string): Shipped[] {
  const out: Shipped[] = [];
  const fraction = (value: unknown, field: string) => {
    if (typeof value === "number") {
      out.push({ kind: "fraction", value, source: `${name} ${field}` });
    }
  };
  const generated = e.generated as { accuracy: number; perCategory: number[] };
  fraction(generated.accuracy, "generated.accuracy");
  generated.perCategory.forEach((v, i) => fraction(v, `generated.perCategory[${i}]`));
  const q = e.qTest as
    | {
      accuracy: number;
      batchStatsAccuracy: number;
      perDigit?: number[];
      fewLabels?: { mean: number; min: number; max: number };
    }
    | null;
  fraction(q?.accuracy, "qTest.accuracy");
  fraction(q?.batchStatsAccuracy, "qTest.batchStatsAccuracy");
  q?.perDigit?.forEach((v, d) => fraction(v, `qTest.perDigit[${d}]`));
  for (const stat of ["mean", "min", "max"] as const) {
    fraction(q?.fewLabels?.[stat], `qTest.fewLabels.${stat}`);
  }
  fraction(e.classifierAccuracy, "classifierAccuracy");
  fraction((e.mi as { fraction?: number } | null)?.fraction, "mi.fraction");
  const codes = e.codes as Record<string, Record<string, number>>;
  for (const code of ["code1", "code2"]) {
    for (const measure of ["slant", "width"]) {
      out.push({ kind: "rho", value: codes[code][measure], source: `${name} ${code}.${measure}` });
    }
  }
  return out;
}

/** Every value a statement may quote, from the shipped files. */
async function shippedValues(): Promise<Shipped[]> {
  const out: Shipped[] = [];
  for (const model of MODELS) {
    const dir = join(PROJECT_ROOT, "data", "pretrained", model);
    out.push(...evaluationValues(await readJson(join(dir, "evaluation.json")), model));
    const baseline = join(dir, "baseline", "evaluation.json");
    if (await exists(baseline)) {
      out.push(...evaluationValues(await readJson(baseline), `${model} twin`));
    }
    const metrics = await readLines(join(dir, "metrics.jsonl"));
    const minutes = metrics.at(-1)!.elapsed / 60;
    out.push({ kind: "minutes", value: minutes, source: `${model} metrics.jsonl elapsed` });
    const twinLog = join(dir, "baseline-metrics.jsonl");
    if (await exists(twinLog)) {
      const peak = Math.max(...(await readLines(twinLog)).map((m) => m.li)) / Math.log(10);
      out.push({ kind: "fraction", value: peak, source: `${model} twin's peak L_I / H(c)` });
    }
  }
  // The record of each seed run that is not shipped (data/seeds/), which the seed tables quote.
  const seeds = join(PROJECT_ROOT, "data", "seeds");
  for (const entry of Deno.readDirSync(seeds)) {
    if (!entry.isDirectory) continue;
    const dir = join(seeds, entry.name);
    out.push(
      ...evaluationValues(await readJson(join(dir, "evaluation.json")), `seeds/${entry.name}`),
    );
    const twinLog = join(dir, "baseline-metrics.jsonl");
    if (await exists(twinLog)) {
      const peak = Math.max(...(await readLines(twinLog)).map((m) => m.li)) / Math.log(10);
      out.push({
        kind: "fraction",
        value: peak,
        source: `seeds/${entry.name} twin's peak L_I / H(c)`,
      });
    }
  }
  for (const name of ["classifier", "classifier-fashion"]) {
    const classifier = await readJson(join(PROJECT_ROOT, "data", name, "classifier.json"));
    out.push({
      kind: "fraction",
      value: classifier.testAccuracy as number,
      source: `${name} testAccuracy`,
    });
  }
  return out;
}

/** A checkable unit of text: a sentence or table row, and where it is. */
interface Unit {
  where: string;
  text: string;
  /** True when it starts a paragraph, list item or row (scope does not carry into it). */
  starts: boolean;
}

/** Splits markdown into units; `where(offset)` names the place of a unit. */
function units(markdown: string, where: (offset: number) => string): Unit[] {
  const out: Unit[] = [];
  // Code is not prose: fenced blocks and inline code spans other than names.
  const text = markdown.replace(/```[\s\S]*?```/g, (m) => " ".repeat(m.length));
  // A table row; or a sentence, ended by . or ; before a space, a blank line, a list item or a row.
  const pieces = /(^\|.*$)|[^\n|][^]*?(?:[.;](?=\s)|\n\s*\n|\n(?=\s*[-*] |\s*\d+\. |\|)|(?![^]))/gm;
  // Where the last unit's text ended: the whitespace after it decides whether the next one starts
  // a new paragraph (a blank line) or continues it.
  let end = 0;
  for (const m of text.matchAll(pieces)) {
    const body = m[0].trim();
    if (body === "") continue;
    const at = m.index! + m[0].indexOf(body);
    const starts = end === 0 || /\n\s*\n/.test(text.slice(end, at)) ||
      /^([-*]|\d+\.|\|)\s/.test(body);
    out.push({ where: where(at), text: body, starts });
    end = at + body.length;
  }
  return out;
}

/** One stated figure that no shipped value matches. */
interface Mismatch {
  where: string;
  stated: string;
  nearest: string;
  text: string;
}

/** Checks every in-scope figure of `units` against `shipped`. */
function check(list: Unit[], shipped: Shipped[]): Mismatch[] {
  const out: Mismatch[] = [];
  let inScope = false;
  let tableInScope = false;
  let inTable = false;
  for (const unit of list) {
    const row = unit.text.startsWith("|");
    if (row) {
      // The first row is the header: a header in scope puts the whole table in scope.
      if (!inTable) tableInScope = SCOPE.test(unit.text);
      inTable = true;
      inScope = false; // a table ends the paragraph before it
      if (!(tableInScope || SCOPE.test(unit.text))) continue;
    } else {
      inTable = false;
      // A sentence that names a shipped model puts the rest of its paragraph or item in scope.
      inScope = SCOPE.test(unit.text) || (inScope && !unit.starts);
      if (!inScope) continue;
    }
    for (const m of unit.text.matchAll(NUMBER)) {
      const [stated, percent, rho, minutes] = [m[0], m[1], m[2], m[3]];
      const raw = (percent ?? rho ?? minutes).replace("−", "-");
      const decimals = raw.includes(".") ? raw.split(".")[1].length : 0;
      const tolerance = 0.5 * 10 ** -decimals + 1e-9;
      const kind = percent !== undefined ? "fraction" : rho !== undefined ? "rho" : "minutes";
      const value = Number(raw);
      if (kind === "fraction" && CONSTANT_PERCENTS.has(value)) continue;
      const scale = kind === "fraction" ? 100 : 1;
      const candidates = shipped.filter((s) => s.kind === kind);
      const distance = (s: Shipped) =>
        kind === "minutes"
          // Minutes are printed rounded, or cut: 72.8 min reads as 72 or 73.
          ? Math.min(Math.abs(s.value - value), Math.abs(Math.floor(s.value) - value))
          : Math.abs(scale * s.value - value);
      if (candidates.some((s) => distance(s) <= tolerance)) continue;
      const nearest = candidates.toSorted((a, b) => distance(a) - distance(b))[0];
      out.push({
        where: unit.where,
        stated,
        nearest: nearest
          ? `${nearest.source} = ${(scale * nearest.value).toFixed(decimals + 1)}`
          : "none",
        text: unit.text.replace(/\s+/g, " ").trim().slice(0, 160),
      });
    }
  }
  return out;
}

/** README.md, docs/*.md (but the generated cli.md) and the notebooks' markdown, as units. */
async function statedUnits(): Promise<Unit[]> {
  const out: Unit[] = [];
  const docs = ["README.md"];
  for await (const e of Deno.readDir(join(PROJECT_ROOT, "docs"))) {
    if (e.name.endsWith(".md") && e.name !== "cli.md") docs.push(join("docs", e.name));
  }
  for (const path of docs.sort()) {
    const text = await Deno.readTextFile(join(PROJECT_ROOT, path));
    out.push(...units(text, (at) => `${path}:${text.slice(0, at).split("\n").length}`));
  }
  const notebooks = [...Deno.readDirSync(join(PROJECT_ROOT, "notebooks"))]
    .map((e) => e.name).filter((n) => n.endsWith(".ipynb")).sort();
  for (const name of notebooks) {
    const nb = await readJson(join(PROJECT_ROOT, "notebooks", name));
    (nb.cells as { cell_type: string; source: string[] }[]).forEach((cell, i) => {
      if (cell.cell_type !== "markdown") return;
      out.push(...units(cell.source.join(""), () => `notebooks/${name} cell ${i}`));
    });
  }
  return out;
}

Deno.test("the checker flags a stale figure about a shipped model, and only in scope", async () => {
  const shipped = await shippedValues();
  const paper = await readJson(
    join(PROJECT_ROOT, "data", "pretrained", "paper", "evaluation.json"),
  );
  const q = (paper.qTest as { accuracy: number }).accuracy;
  const right = `${(100 * q).toFixed(1)}%`;
  const text = [
    `The shipped paper model names ${right} of test digits.`,
    "The shipped paper model draws its digit 91.9% of the time.",
    "An unrelated run reached 91.9% and ρ 0.33.",
    "| `paper` preset | 91.9% | 0.33 |",
    "The shipped `book` model is entangled. Its c1 reaches ρ 0.33. In 37 min.",
    "| Model (shipped) | acc |\n| --- | --- |\n| x | 91.9% |",
  ].join("\n\n");
  const found = check(units(text, () => "x"), shipped);
  assertEquals(found.map((f) => f.stated), ["91.9%", "0.33", "37 min", "91.9%"]);
});

Deno.test("every figure stated about a shipped model is in the shipped files", async () => {
  const found = check(await statedUnits(), await shippedValues());
  assertEquals(
    found.map((f) => `${f.where}: states ${f.stated}; nearest shipped ${f.nearest}: "${f.text}"`),
    [],
  );
});
