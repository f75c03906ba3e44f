/**
 * The real-browser test: `deno task lab` serves the notebooks on loopback,
 * Debian's Chromium (driven by playwright-core in test/browser_driver.ts)
 * opens a notebook, runs all cells from the Run menu and reports what
 * rendered: 05_code_sweeps (plots and digit images), 04_train_mnist (the
 * training step cells, live display and plots) and 03_toy_ring (the live
 * scatter and the plots of the plane). Saves
 * test-artifacts/<notebook>.png and JupyterLab's whole log as
 * test-artifacts/<notebook>.lab.log.
 *
 * Needs `deno task setup` (venv, kernel) and /usr/bin/chromium (.ci/run
 * installs Debian's `chromium`); fails with a clear message without them.
 */
import { installCommand } from "../lib/setup/system.ts";
import { assert, assertEquals } from "@std/assert";
import { basename, dirname, join } from "node:path";
import {
  CHROMIUM,
  isolatedJupyterEnv,
  requireJupyter,
  ROOT,
  SMALL_ENV,
  spawnLab,
} from "./lab_helpers.ts";
import type { BrowserReport } from "./browser_driver.ts";
import { exists } from "../lib/io/fs.ts";

/** Seconds for the browser to load a notebook and run every cell at the small settings. */
const RUN_TIMEOUT_S = 480;

/**
 * Serves `notebook` (relative to the project root; test/fixtures/smoke.ipynb,
 * with one SVG plot and one PNG, also passes) with `deno task lab`, runs all
 * its cells in Chromium and checks the common ground: every cell ran, no
 * error output, an SVG plot and digit images. Returns the report.
 */
async function runInChromium(
  notebook: string,
  options: { images?: boolean } = {},
): Promise<BrowserReport> {
  const screenshot = join(ROOT, "test-artifacts", basename(notebook).replace(/\.ipynb$/, ".png"));
  await requireJupyter();
  if (!(await exists(CHROMIUM))) {
    throw new Error(
      `expected Chromium at ${CHROMIUM}, found nothing; install it with: ${
        installCommand(["chromium", "fonts-dejavu-core"])
      } (deno task setup does this when run as root)`,
    );
  }
  if (!(await exists(join(ROOT, notebook)))) {
    throw new Error(`expected the notebook ${notebook}, found nothing`);
  }
  // JupyterLab may save the notebook it ran (outputs and all): put the file back afterwards.
  const original = await Deno.readFile(join(ROOT, notebook));
  const { env, cleanup } = await isolatedJupyterEnv();
  // Attach every cell to the page, so every output is in the DOM to count.
  const settings = join(env.JUPYTER_CONFIG_DIR, "lab", "user-settings", "@jupyterlab");
  await Deno.mkdir(join(settings, "notebook-extension"), { recursive: true });
  await Deno.writeTextFile(
    join(settings, "notebook-extension", "tracker.jupyterlab-settings"),
    JSON.stringify({ windowingMode: "none" }),
  );
  await Deno.mkdir(dirname(screenshot), { recursive: true });
  const lab = await spawnLab(
    ["--no-setup", "--no-browser", "--port", "0", "--dir", dirname(join(ROOT, notebook))],
    { env: { ...SMALL_ENV, ...env } },
  );
  try {
    const driver = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        join(ROOT, "test", "browser_driver.ts"),
        `http://127.0.0.1:${lab.port}`,
        lab.token,
        basename(notebook),
        screenshot,
        String(RUN_TIMEOUT_S),
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(driver.stdout).trim();
    const stderr = new TextDecoder().decode(driver.stderr).trim();
    assert(
      driver.success,
      `browser_driver.ts failed with exit code ${driver.code}:\n${stderr.slice(-3000)}\n` +
        `JupyterLab's log:\n${lab.output().slice(-3000)}`,
    );
    const report = JSON.parse(stdout.split("\n").at(-1)!) as BrowserReport;
    console.log(
      `browser report: ${JSON.stringify({ ...report, text: `${report.text.length} characters` })}`,
    );
    assertEquals(report.errors, [], "error output in the notebook");
    assert(report.codeCells > 0, "expected code cells, found none");
    assertEquals(report.executed, report.codeCells, "every code cell ran");
    // JupyterLab shows text/html SVG inline, and image/svg+xml as an <img>.
    assert(report.svg + report.svgImg > 0, "expected the plot's SVG in the outputs, found none");
    // Digits: PNG <img> outputs, or images placed inside the plot's SVG.
    if (options.images ?? true) {
      assert(report.img + report.svgImage > 0, "expected digit images in the outputs, found none");
    }
    assert((await Deno.stat(screenshot)).size > 0, `expected a screenshot at ${screenshot}`);
    return report;
  } finally {
    const status = await lab.stop();
    // The whole JupyterLab log beside the screenshot: a failure message shows only its end.
    await Deno.writeTextFile(screenshot.replace(/\.png$/, ".lab.log"), lab.output());
    await Deno.writeFile(join(ROOT, notebook), original);
    await cleanup();
    assertEquals(status.code, 0, `deno task lab exit:\n${lab.output().slice(-2000)}`);
  }
}

Deno.test("JupyterLab in Chromium runs 05_code_sweeps: plots, digit images and the live explorer, no errors", async () => {
  const report = await runInChromium("notebooks/05_code_sweeps.ipynb");
  // The explorer's script ran in the trusted output and loaded the generator.
  assert(
    report.text.includes("drag a slider or pick a category"),
    "expected the inline explorer to load its generator",
  );
});

Deno.test("JupyterLab in Chromium runs 04_train_mnist: the step cells, training and its plots", async () => {
  const report = await runInChromium("notebooks/04_train_mnist.ipynb");
  // The step cells: both step functions listed from lib/infogan/train.ts, and one step of each run.
  for (const shown of ["export function discriminatorStep(", "export function generatorStep("]) {
    assert(report.text.includes(shown), `expected ${shown} in the outputs`);
  }
  assert(report.text.includes("G moving stats"), "expected the moved-variables table");
  assert(report.text.includes("variables the G step updated"), "expected the G step's variables");
});

Deno.test("JupyterLab in Chromium runs 03_toy_ring: the live scatter, the share heatmaps and the D fields", async () => {
  const report = await runInChromium("notebooks/03_toy_ring.ipynb", { images: false });
  for (const shown of ["λ = 1: share of each category on each mode", "optimal D* for this G"]) {
    assert(report.text.includes(shown), `expected ${shown} in the outputs`);
  }
});
