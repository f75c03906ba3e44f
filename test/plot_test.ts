/**
 * The plot helpers return elements of the expected structure, and
 * `deno task plot` draws a run's loss curves (spawned as a user would).
 */
import { assert, assertEquals, assertMatch, assertStringIncludes, assertThrows } from "@std/assert";
import { parseHTML } from "linkedom";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { codeMeasurePlot, rhoHeatmap, sweepPlot } from "../lib/viz/code_plots.ts";
import { confusionPlot } from "../lib/viz/confusion_plot.ts";
import { coveragePlot, curvePlot, lossCurves, miBoundPlot } from "../lib/viz/training_plots.ts";
import { digitGrid } from "../lib/viz/images.ts";
import { displayable, displayBundle } from "../lib/viz/display.ts";
import { type PlotElement } from "../lib/viz/plot.ts";
import { toHtml, toSvg } from "../lib/viz/svg.ts";
import type { Metrics } from "../lib/infogan/loop.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** `n` metrics lines with simple, distinct curves. */
function fakeMetrics(n: number, scale = 1): Metrics[] {
  return Array.from({ length: n }, (_, i) => ({
    step: (i + 1) * 10,
    d_loss: scale * (2 - i / n),
    d_bce: 0.7,
    d_label: 1.5,
    d_code1: 0.01,
    d_code2: 0.02,
    d_acc: 0.5,
    d_real: 0.6,
    d_fake: 0.4,
    d_consistency: 0,
    g_loss: scale * (3 - i / n),
    g_bce: 0.8,
    g_label: 2.3 - 2 * i / n,
    g_code1: -0.1,
    g_code2: -0.05,
    li: 2 * i / n,
    lr_d: 2e-4,
    lr_g: 1e-4,
    elapsed: i,
  }));
}

function texts(el: PlotElement, selector = "text"): string[] {
  return Array.from(el.querySelectorAll(selector)).map((t) => (t.textContent ?? "").trim());
}

function legend(el: PlotElement): string[] {
  return Array.from(el.querySelectorAll("[class$='-swatch']")).map((s) =>
    (s.textContent ?? "").trim()
  );
}

Deno.test("lossCurves() draws one line per run and term, with labelled axes and a legend", () => {
  const el = lossCurves(
    [{ name: "a", metrics: fakeMetrics(5) }, { name: "b", metrics: fakeMetrics(5, 2) }],
    { terms: ["d_loss", "g_loss"], title: "Losses" },
  );
  assertEquals(el.tagName.toLowerCase(), "figure");
  assert(el.querySelector("svg") !== null, "no <svg>");
  assertEquals(legend(el), ["a: d_loss", "a: g_loss", "b: d_loss", "b: g_loss"]);
  const labels = texts(el);
  assert(labels.some((t) => t.includes("training step")), `no x label in ${labels}`);
  assert(labels.some((t) => t.includes("loss")), `no y label in ${labels}`);
  assertEquals(el.querySelectorAll("[aria-label='line'] path").length, 4);
  assertStringIncludes(el.querySelector("h2")?.textContent ?? "", "Losses");
});

Deno.test("lossCurves() names series by term alone for one run, and rejects unknown terms", () => {
  const el = lossCurves([{ name: "only", metrics: fakeMetrics(3) }], {
    terms: ["d_loss", "g_loss", "g_label"],
  });
  assertEquals(legend(el), ["d_loss", "g_loss", "g_label"]);
  assertThrows(
    // deno-lint-ignore no-explicit-any
    () => lossCurves([{ name: "r", metrics: fakeMetrics(3) }], { terms: ["nope" as any] }),
    RangeError,
    'found "nope"',
  );
  assertThrows(
    () => lossCurves([{ name: "r", metrics: [] }]),
    RangeError,
    'run "r" has no metrics',
  );
  assertThrows(() => lossCurves([]), RangeError, "at least one run");
});

Deno.test("lossCurves({ facetByRun }) draws one panel per run, coloured by term", () => {
  const el = lossCurves([
    { name: "λ = 0", metrics: fakeMetrics(4) },
    { name: "λ = 1", metrics: fakeMetrics(4, 2) },
  ], { terms: ["d_bce", "g_bce"], facetByRun: true });
  assertEquals(legend(el), ["d_bce", "g_bce"]);
  const labels = texts(el);
  assert(labels.includes("λ = 0") && labels.includes("λ = 1"), `no panel titles in ${labels}`);
  // Two terms in each of two panels.
  assertEquals(el.querySelectorAll("[aria-label='line'] path").length, 4);
});

Deno.test("miBoundPlot() shows L_I per run against the labelled H(c) = ln 10 rule", () => {
  const el = miBoundPlot([
    { name: "λ=0", metrics: fakeMetrics(4) },
    { name: "λ=1", metrics: fakeMetrics(4) },
  ]);
  assertEquals(legend(el), ["λ=0", "λ=1"]);
  const labels = texts(el);
  assert(labels.some((t) => t.includes("H(c) = ln 10 ≈ 2.303")), `no H(c) label in ${labels}`);
  assert(labels.some((t) => t.includes("L_I")), `no y label in ${labels}`);
  assertEquals(el.querySelectorAll("[aria-label='rule'] line").length, 1);
  assertEquals(el.querySelectorAll("[aria-label='line'] path").length, 2);
});

Deno.test("curvePlot() draws one line per series with both axis labels, and refuses no points", () => {
  const points = [-1, 0, 1].flatMap((x) => [
    { x, y: x, series: "c = 0.5" },
    { x, y: -x, series: "c = -0.5" },
  ]);
  const el = curvePlot(points, { xLabel: "logit", yLabel: "gradient" });
  assertEquals(legend(el), ["c = 0.5", "c = -0.5"]);
  const labels = texts(el);
  assert(labels.some((t) => t.includes("logit")) && labels.some((t) => t.includes("gradient")));
  assertEquals(el.querySelectorAll("[aria-label='line'] path").length, 2);
  assertThrows(() => curvePlot([], { xLabel: "x", yLabel: "y" }), RangeError, "expected points");
});

Deno.test("coveragePlot() draws a cell per step and digit with its share, and refuses no history", () => {
  const el = coveragePlot([
    { step: 0, counts: [20, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
    { step: 250, counts: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2] },
  ]);
  assertEquals(el.querySelectorAll("[aria-label='cell'] rect").length, 20);
  const labels = texts(el);
  assert(labels.includes("100%") && labels.includes("10%"), `shares: ${labels}`);
  assertThrows(() => coveragePlot([]), RangeError, "expected at least one recorded step");
});

Deno.test("codeMeasurePlot() draws each sweep faintly, the mean boldly, and ρ in the title", () => {
  const sweeps = {
    code: 2 as const,
    values: [-1, 0, 1],
    categories: [0, 1],
    slant: [[-10, 0, 10], [-5, 1, 20]],
    width: [[2, 2, 2], [3, 2, 1]],
  };
  const el = codeMeasurePlot(sweeps, { measure: "slant" });
  assertStringIncludes(el.textContent ?? "", "c2 vs slant: mean Spearman ρ = 1.00");
  // Two faint sweep paths (one line mark) and one mean path with three dots.
  const lines = el.querySelectorAll("[aria-label='line']");
  assertEquals(lines.length, 2);
  assertEquals(lines[0].querySelectorAll("path").length, 2);
  assertEquals(el.querySelectorAll("[aria-label='dot'] circle").length, 3);
  const width = codeMeasurePlot(sweeps, { measure: "width" });
  // The first sweep's width is constant (ρ undefined), so the mean is the second's: -1.
  assertStringIncludes(width.textContent ?? "", "c2 vs width: mean Spearman ρ = -1.00");
  // A caller's title keeps ρ.
  const named = codeMeasurePlot(sweeps, { measure: "slant", title: "book: c2 vs slant" });
  assertStringIncludes(named.textContent ?? "", "book: c2 vs slant: mean Spearman ρ = 1.00");
});

Deno.test("sweepPlot() places rows·cols PNG images on a labelled code-value axis", () => {
  const rows = 3, cols = 5;
  const images = new Float32Array(rows * cols * 784).map((_, i) => (i % 784) / 784);
  const values = [-2, -1, 0, 1, 2];
  const el = sweepPlot({ images, rows, cols }, { code: 2, values, digits: [1, 4, 9] });
  assertEquals(el.tagName.toLowerCase(), "svg");
  const marks = Array.from(el.querySelectorAll("image"));
  assertEquals(marks.length, rows * cols);
  for (const m of marks) assertMatch(m.getAttribute("href") ?? "", /^data:image\/png;base64,iVBOR/);
  const labels = texts(el);
  assert(labels.some((t) => t.startsWith("c2")), `no c2 axis label in ${labels}`);
  assert(labels.some((t) => t.includes("digit")), `no digit axis label in ${labels}`);
  for (const tick of ["−2", "−1", "0", "+1", "+2", "1", "4", "9"]) {
    assert(labels.includes(tick), `no tick ${tick} in ${labels}`);
  }
  // Images sit at their code values: x grows along a row.
  const xs = marks.slice(0, cols).map((m) => Number(m.getAttribute("x")));
  assertEquals([...xs].sort((a, b) => a - b), xs);
  assertThrows(
    () => sweepPlot({ images, rows, cols }, { code: 1, values: [0, 1] }),
    RangeError,
    "expected 5 code values",
  );
});

Deno.test("sweepPlot() with rowNames labels each row, and refuses a wrong count", () => {
  const sweep = { images: new Float32Array(2 * 3 * 784), rows: 2, cols: 3 };
  const el = sweepPlot(sweep, {
    code: 1,
    values: [-1, 0, 1],
    digits: [4, 7],
    rowNames: ["4 → 9", "7 → 1"],
    rowLabel: "category → digit",
  });
  const labels = texts(el);
  assert(labels.includes("4 → 9") && labels.includes("7 → 1"), `no row names in ${labels}`);
  assert(labels.some((t) => t.includes("category → digit")));
  assertThrows(
    () => sweepPlot(sweep, { code: 1, values: [-1, 0, 1], rowNames: ["a"] }),
    RangeError,
    "expected 2 row names",
  );
});

Deno.test("sweepPlot() with reverse draws the highest code value on the left", () => {
  const rows = 1, cols = 3;
  const images = new Float32Array(rows * cols * 784);
  const el = sweepPlot({ images, rows, cols }, { code: 1, values: [-2, 0, 2], reverse: true });
  const xs = Array.from(el.querySelectorAll("image")).map((m) => Number(m.getAttribute("x")));
  assertEquals([...xs].sort((a, b) => b - a), xs);
});

Deno.test("rhoHeatmap() draws the 2×2 codes × measures cells with each ρ written in", () => {
  const el = rhoHeatmap({
    code1: { slant: -0.91, width: 0.12 },
    code2: { slant: 0.05, width: 0.8 },
  });
  assertEquals(el.tagName.toLowerCase(), "svg");
  const labels = texts(el);
  for (const t of ["ρ -0.91", "ρ 0.12", "ρ 0.05", "ρ 0.80", "c1", "c2", "slant", "width"]) {
    assert(labels.includes(t), `no ${t} in ${labels}`);
  }
  // Four filled cells, in data order: c1 slant, c1 width, c2 slant, c2 width.
  const cells = Array.from(el.querySelectorAll("rect")).filter((r) => r.getAttribute("fill"));
  assertEquals(cells.length, 4, cells.map((c) => c.outerHTML).join("\n"));
  const rgb = cells.map((c) => {
    const m = c.getAttribute("fill")?.match(/^rgb\((\d+), (\d+), (\d+)\)$/);
    if (!m) throw new Error(`expected an rgb() fill, found ${c.getAttribute("fill")}`);
    return [Number(m[1]), Number(m[2]), Number(m[3])];
  });
  // RdBu: a negative ρ is red, a positive one blue, and |ρ| near 0 is nearly white.
  const [r, , b] = rgb[0];
  assert(r > 2 * b, `ρ -0.91 should be red, found rgb(${rgb[0]})`);
  assert(rgb[3][2] > 2 * rgb[3][0], `ρ 0.80 should be blue, found rgb(${rgb[3]})`);
  const chroma = rgb.map((c) => Math.max(...c) - Math.min(...c));
  const lightness = rgb.map((c) => c[0] + c[1] + c[2]);
  // The strong cells (|ρ| 0.91, 0.80) are more saturated and darker than the weak ones (0.12, 0.05).
  for (const strong of [0, 3]) {
    for (const weak of [1, 2]) {
      assert(chroma[strong] > chroma[weak], `chroma ${chroma}`);
      assert(lightness[strong] < lightness[weak], `lightness ${lightness}`);
    }
  }
});

Deno.test("digitGrid() is an <img> of a PNG of the tiled digits (floats or bytes)", () => {
  const floats = new Float32Array(12 * 784).fill(0.5);
  const img = digitGrid(floats, { cols: 4, scale: 1 });
  assertEquals(img.tagName.toLowerCase(), "img");
  assertMatch(img.getAttribute("src") ?? "", /^data:image\/png;base64,/);
  assertEquals(img.getAttribute("width"), String(4 * 30 + 2));
  assertEquals(img.getAttribute("height"), String(3 * 30 + 2));
  const fig = digitGrid(new Uint8Array(3 * 784).fill(200), { cols: 10, caption: "real digits" });
  assertEquals(fig.tagName.toLowerCase(), "figure");
  assert(fig.querySelector("img") !== null);
  assertEquals(fig.querySelector("figcaption")?.textContent, "real digits");
  assertThrows(() => digitGrid(new Float32Array(100), { cols: 2 }), RangeError, "28×28");
});

Deno.test("toSvg() makes a standalone SVG with the legend drawn in it; toHtml() is the element", () => {
  const el = lossCurves([{ name: "r", metrics: fakeMetrics(4) }], { title: "T" });
  const svg = toSvg(el);
  assertMatch(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
  const { document } = parseHTML(`<html><body>${svg}</body></html>`) as unknown as {
    document: { querySelector(s: string): PlotElement };
  };
  const root = document.querySelector("svg");
  const all = texts(root);
  for (const want of ["T", "d_loss", "g_loss"]) assert(all.includes(want), `no ${want} in ${all}`);
  // Standalone: Plot's HTML legend is redrawn as SVG, so no HTML element is left.
  assert(!/<(div|span|figure|h2)\b/.test(svg), svg.slice(0, 300));
  const swatches = Array.from(root.querySelectorAll("rect")).filter((r) =>
    r.getAttribute("width") === "15"
  );
  assertEquals(swatches.length, 2, "one legend swatch per series");
  assert(swatches[0].getAttribute("fill") !== swatches[1].getAttribute("fill"));
  // toHtml() keeps the HTML figure: the title, the legend and the plot's SVG.
  const html = toHtml(el);
  assertMatch(html, /^<figure\b/);
  assertMatch(html, /<svg\b/);
  assertStringIncludes(html, ">T<");
  const bare = sweepPlot({ images: new Float32Array(784), rows: 1, cols: 1 }, {
    code: 1,
    values: [0],
  });
  assertMatch(toSvg(bare), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
});

Deno.test("displayBundle() passes raw HTML through as it is, with its text for plain viewers", () => {
  const bundle = displayBundle([
    { rawHtml: "<script>x < 1</script>", text: "[explorer]" },
    "a < b",
  ]);
  assertStringIncludes(bundle["text/html"], "<script>x < 1</script>");
  assertStringIncludes(bundle["text/html"], "a &lt; b");
  assertEquals(bundle["text/plain"], "[explorer]\na < b");
});

Deno.test("displayBundle() and displayable() give Jupyter text/html for an element", async () => {
  const el = digitGrid(new Float32Array(784), { cols: 1 });
  const bundle = displayBundle([`step 1 <of> 2`, el]);
  assertStringIncludes(bundle["text/html"], el.outerHTML);
  assertStringIncludes(bundle["text/html"], "step 1 &lt;of&gt; 2");
  assertStringIncludes(bundle["text/plain"], "step 1 <of> 2");
  const obj = displayable(el);
  const render = obj[Symbol.for("Jupyter.display")];
  assertEquals(typeof render, "function");
  const shown = await render();
  assertStringIncludes(shown["text/html"], el.outerHTML);
  assert(shown["text/plain"].length > 0, "a plain-text stand-in");
});

interface Result {
  code: number;
  stderr: string;
}

async function plotTask(args: string[]): Promise<Result> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "plot", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("deno task plot writes a run's loss curves as SVG", async () => {
  const dir = await Deno.makeTempDir();
  const run = join(dir, "run");
  await Deno.mkdir(run);
  await Deno.writeTextFile(
    join(run, "metrics.jsonl"),
    fakeMetrics(6).map((m) => JSON.stringify(m) + "\n").join(""),
  );
  const out = join(dir, "loss.svg");
  const r = await plotTask(["--run", run, "--out", out, "--terms", "d_loss,g_loss,li"]);
  assertEquals(r.code, 0, r.stderr);
  const svg = await Deno.readTextFile(out);
  assertMatch(svg, /^<svg xmlns=/);
  for (const want of ["d_loss", "g_loss", "li", "training step"]) assertStringIncludes(svg, want);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task plot fails clearly on a missing run, bad metrics and bad flags", async () => {
  const dir = await Deno.makeTempDir();
  const missing = await plotTask(["--run", join(dir, "nope"), "--out", join(dir, "x.svg")]);
  assertEquals(missing.code, 1);
  assertMatch(missing.stderr.trim(), /^error: .*nope: no such run folder or metrics file$/);
  await Deno.mkdir(join(dir, "empty"));
  const noMetrics = await plotTask(["--run", join(dir, "empty"), "--out", join(dir, "x.svg")]);
  assertEquals(noMetrics.code, 1);
  assertMatch(noMetrics.stderr, /metrics\.jsonl: missing/);
  await Deno.writeTextFile(join(dir, "bad.jsonl"), '{"step":1,"d_loss":1,"g_loss":1}\nnot json\n');
  const bad = await plotTask(["--run", join(dir, "bad.jsonl"), "--out", join(dir, "x.svg")]);
  assertEquals(bad.code, 1);
  assertMatch(bad.stderr, /bad\.jsonl:2: expected a JSON object, found "not json"/);
  const usage = await plotTask(["--run", join(dir, "bad.jsonl")]);
  assertEquals(usage.code, 2);
  assertMatch(usage.stderr, /--out is required/);
  const help = await plotTask(["--help"]);
  assertEquals(help.code, 0);
  assert(!(await Deno.stat(join(dir, "x.svg")).then(() => true, () => false)), "wrote on error");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("confusionPlot() orders the categories by the class they are named after and writes row shares", () => {
  // Category 0 is mostly class 2, category 1 class 0, category 2 class 1.
  const counts = [[1, 0, 9], [8, 2, 0], [0, 5, 5]];
  const el = confusionPlot(counts, { mapping: [2, 0, 1], classes: ["cat", "dog", "emu"] });
  const labels = texts(el);
  // Row shares: 9 of 10, 8 of 10, 5 of 10; the 0% cells are not written.
  for (const t of ["90", "10", "80", "20", "50", "1 → cat", "2 → dog", "0 → emu", "cat", "emu"]) {
    assert(labels.includes(t), `no ${t} in ${labels}`);
  }
  assert(!labels.includes("0"), `a 0% cell is written: ${labels}`);
  // The row ticks, top to bottom, follow the named classes: 1 → cat, 2 → dog, 0 → emu.
  assertEquals(labels.filter((t) => /^\d → /.test(t)), ["1 → cat", "2 → dog", "0 → emu"]);
});
