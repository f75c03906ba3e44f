/**
 * The latent explorer: `deno task explore` writes one self-contained page
 * under 8 MB; in Chromium, opened from file://, its sliders and category
 * buttons redraw the digit, it logs no error, and its canvas matches
 * `deno task generate` within 2/255 for the same latent.
 */
import { installCommand } from "../lib/setup/system.ts";
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { initBackend } from "../lib/backends/select.ts";
import type { Evaluation } from "../lib/eval/evaluate.ts";
import { categoryButtons, codeLabels } from "../lib/viz/explorer.ts";
import { exists } from "../lib/io/fs.ts";
import { readIdx } from "../lib/data/idx.ts";
import { Random } from "../lib/infogan/random.ts";
import { PAPER } from "../lib/infogan/presets.ts";
import { resolveConfig } from "../lib/infogan/config_schema.ts";
import type { ExplorerReport } from "./explorer_driver.ts";
import { CHROMIUM, ROOT } from "./lab_helpers.ts";

await initBackend("cpu");

const BOOK = join(ROOT, "data", "pretrained", "book");

async function task(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("codeLabels() and categoryButtons() say what the evaluation measured", async () => {
  const evaluation: Evaluation = JSON.parse(
    await Deno.readTextFile(join(ROOT, "data", "pretrained", "paper", "evaluation.json")),
  );
  for (const label of codeLabels(evaluation)) {
    assert(/^c[12] — (slant|width) \(ρ −?\d\.\d\d; (slant|width) −?\d\.\d\d\)$/.test(label), label);
  }
  // Each code leads with the measure it moves most, whatever the other code does.
  assertEquals(
    codeLabels({
      ...evaluation,
      codes: {
        ...evaluation.codes,
        code1: { slant: -1, width: 0.27 },
        code2: { slant: 0.1, width: -0.5 },
      },
    }),
    ["c1 — slant (ρ −1.00; width 0.27)", "c2 — width (ρ −0.50; slant 0.10)"],
  );
  assertEquals(codeLabels(null), ["c1", "c2"]);
  // The paper model: buttons ordered by digit and named category → digit.
  const buttons = categoryButtons(PAPER, evaluation);
  const mapping = evaluation.generated.mapping;
  assertEquals(buttons.map((b) => mapping[b.category]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assertEquals(buttons[0].label, `${buttons[0].category} → 0`);
  const book = resolveConfig({ flags: { preset: "book" } });
  assertEquals(categoryButtons(book, evaluation).map((b) => b.label).join(""), "0123456789");
  // On Fashion-MNIST the buttons name the classes.
  const fashionDir = "/usr/share/datasets/fashion-mnist";
  const lesson = resolveConfig({ flags: { preset: "lesson", data: fashionDir } });
  assertEquals(categoryButtons(lesson, null).slice(0, 2).map((b) => b.label), [
    "0 T-shirt/top",
    "1 Trouser",
  ]);
  const unsupervised = { ...PAPER, data: fashionDir };
  const named = categoryButtons(unsupervised, evaluation);
  assertEquals(named[0].label, `${named[0].category} → T-shirt/top`);
  assertEquals(named[9].label, `${named[9].category} → Ankle boot`);
});

Deno.test("deno task explore writes a page under 8 MB and refuses a bad --out", async () => {
  const dir = await Deno.makeTempDir();
  const bad = await task(["explore", "--checkpoint", BOOK, "--out", join(dir, "x.png")]);
  assertEquals(bad.code, 2, bad.stderr);
  assertStringIncludes(bad.stderr, "--out: expected an .html file name");
  const out = join(dir, "book.html");
  const ok = await task(["explore", "--checkpoint", BOOK, "--out", out]);
  assertEquals(ok.code, 0, ok.stderr);
  const size = (await Deno.stat(out)).size;
  assert(size < 8e6, `${size} bytes`);
  const html = await Deno.readTextFile(out);
  assert(!/(src|href)="https?:/.test(html), "the page loads nothing from the network");
  const again = await task(["explore", "--checkpoint", BOOK, "--out", out]);
  assertEquals(again.code, 1, "an existing file is not overwritten");
  assertStringIncludes(again.stderr, "already exists");
});

Deno.test("the explorer in Chromium: sliders and buttons redraw, no errors, and it matches deno task generate", async () => {
  if (!(await exists(CHROMIUM))) {
    throw new Error(
      `expected Chromium at ${CHROMIUM}, found nothing; install it with: ${
        installCommand(["chromium", "fonts-dejavu-core"])
      } (deno task setup does this when run as root)`,
    );
  }
  const dir = await Deno.makeTempDir();
  const page = join(dir, "book.html");
  const made = await task(["explore", "--checkpoint", BOOK, "--out", page]);
  assertEquals(made.code, 0, made.stderr);
  // The latent `deno task generate --seed 0 --count 1` draws: z first, from Random(0).
  const z = Array.from(new Random(0).fill(62, (r) => r.uniform(-1, 1)));
  const latent = { z, category: 3, c1: 0.5, c2: -0.5 };
  const gen = await task([
    "generate",
    "--checkpoint",
    BOOK,
    "--count",
    "1",
    "--digit",
    "3",
    "--c1",
    "0.5",
    "--c2",
    "-0.5",
    "--seed",
    "0",
    "--out",
    join(dir, "gen"),
  ]);
  assertEquals(gen.code, 0, gen.stderr);
  const expected = (await readIdx(join(dir, "gen", "images-idx3-ubyte"))).data;
  const driver = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(ROOT, "test", "explorer_driver.ts"),
      page,
      JSON.stringify(latent),
      join(ROOT, "test-artifacts", "explorer.png"),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(driver.stderr);
  assert(driver.success, `explorer_driver.ts failed:\n${stderr.slice(-3000)}`);
  const report: ExplorerReport = JSON.parse(
    new TextDecoder().decode(driver.stdout).trim().split("\n").at(-1)!,
  );
  assertEquals(report.errors, [], "console errors");
  const differs = (a: number[], b: number[]) => a.some((v, i) => v !== b[i]);
  assertEquals(report.start.length, 784);
  assert(report.start.some((v) => v > 128), "the first digit has ink");
  assert(differs(report.c1Low, report.c1High), "moving c1 from -2 to 2 changes the digit");
  assert(differs(report.c1High, report.otherCategory), "a category button changes the digit");
  assertEquals(report.buttons.join(""), "0123456789");
  assert(report.labels[0].startsWith("c1 — "), report.labels[0]);
  assertEquals([report.latent.length, expected.length], [784, 784]);
  assert(expected.some((v) => v > 128), "generate drew ink");
  const worst = report.latent.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
  assert(worst <= 2, `browser vs deno task generate: max difference ${worst}/255`);
});
