/**
 * Drives Debian's Chromium through playwright-core against a running
 * JupyterLab: opens one notebook, runs all cells from the Run menu, waits
 * until they finish, saves a screenshot and prints one JSON report of what
 * rendered. test/browser_test.ts starts JupyterLab, runs this and asserts on
 * the report.
 *
 * Usage: deno run -A test/browser_driver.ts BASE_URL TOKEN NOTEBOOK_PATH SCREENSHOT TIMEOUT_S
 * (NOTEBOOK_PATH is relative to the folder that JupyterLab serves.)
 *
 * It runs in its own process with -A because playwright-core probes paths
 * such as /proc/sys/fs/binfmt_misc that Deno only opens with every permission.
 */
import { chromium, type Page } from "playwright-core";
import { CHROMIUM } from "./lab_helpers.ts";

/** What rendered in the notebook's output areas. */
export interface BrowserReport {
  codeCells: number;
  /** Code cells whose prompt shows an execution count. */
  executed: number;
  /** Inline `<svg>` elements. */
  svg: number;
  /** `<img>` elements showing an SVG (how JupyterLab renders image/svg+xml). */
  svgImg: number;
  /** `<img>` elements that loaded (naturalWidth > 0). */
  img: number;
  /** `<image>` elements inside inline SVGs (Plot's image mark). */
  svgImage: number;
  /** Text of stderr outputs that look like errors, and error outputs. */
  errors: string[];
  /** The rendered text of every output area, joined (the first 50 000 characters). */
  text: string;
  seconds: number;
  screenshot: string;
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function main(): Promise<void> {
  const [baseUrl, token, notebook, screenshot, timeoutText] = Deno.args;
  if (!baseUrl || !token || !notebook || !screenshot) {
    console.error("usage: browser_driver.ts BASE_URL TOKEN NOTEBOOK_PATH SCREENSHOT [TIMEOUT_S]");
    Deno.exit(2);
  }
  const deadline = Date.now() + Number(timeoutText ?? 600) * 1000;
  const started = Date.now();
  const profile = await Deno.makeTempDir({ prefix: "infogan-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1600 },
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(120_000);
    // The page's own warnings and errors (kernel connection trouble shows here) go to stderr.
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") {
        console.error(`browser ${message.type()}: ${message.text().slice(0, 500)}`);
      }
    });
    const path = notebook.split("/").map(encodeURIComponent).join("/");
    await page.goto(`${baseUrl}/lab/tree/${path}?token=${token}`);
    await page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first().waitFor();
    // The kernel named in the notebook's metadata starts on its own.
    await page.locator(".jp-NotebookPanel-toolbar", { hasText: "Deno" }).first().waitFor();
    const runAll = async () => {
      await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
      await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
    };
    await runAll();
    await waitUntilDone(page, deadline, runAll);
    const report = await collect(page);
    // Show the first plot with images on it (the sweep), else the last plot or image.
    const sweep = page.locator(`${OUTPUT}:has(svg image)`);
    const any = page.locator(`${OUTPUT}:has(svg), ${OUTPUT}:has(img)`);
    if (await sweep.count() > 0) await sweep.first().scrollIntoViewIfNeeded();
    else if (await any.count() > 0) await any.last().scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshot });
    console.log(JSON.stringify(
      {
        ...report,
        seconds: (Date.now() - started) / 1000,
        screenshot,
      } satisfies BrowserReport,
    ));
  } finally {
    await context.close();
    await Deno.remove(profile, { recursive: true });
  }
}

const CELLS = ".jp-NotebookPanel .jp-Notebook .jp-CodeCell";
const OUTPUT = ".jp-NotebookPanel .jp-Notebook .jp-OutputArea-output";
const STDERR = '[data-mime-type="application/vnd.jupyter.stderr"]';

/**
 * Waits until no cell is queued or running ("[*]") for 3 s in a row. A Run
 * All that a page still settling swallowed (no cell queued, none run) is
 * issued again after 20 s, up to three times.
 */
async function waitUntilDone(
  page: Page,
  deadline: number,
  runAll: () => Promise<void>,
): Promise<void> {
  let quietSince = 0;
  let idleSince = Date.now();
  let retries = 0;
  while (true) {
    const prompts = await page.locator(`${CELLS} .jp-InputArea-prompt`).allTextContents();
    const busy = prompts.some((p) => p.includes("*"));
    const executed = prompts.filter((p) => /\d/.test(p)).length;
    if (!busy && executed > 0) {
      if (!quietSince) quietSince = Date.now();
      if (Date.now() - quietSince >= 3000) return;
    } else {
      quietSince = 0;
    }
    if (busy || executed > 0) {
      idleSince = Date.now();
    } else if (Date.now() - idleSince > 20_000 && retries < 3) {
      retries++;
      console.error(`no cell queued 20 s after Run All; issuing it again (${retries} of 3)`);
      await runAll();
      idleSince = Date.now();
    }
    if (Date.now() > deadline) {
      throw new Error(
        `cells still running at the deadline (${executed} executed, ${
          busy ? "some" : "none"
        } queued, Run All issued ${retries + 1} times)`,
      );
    }
    await page.waitForTimeout(500);
  }
}

/** Counts what rendered in the output areas. */
async function collect(page: Page): Promise<Omit<BrowserReport, "seconds" | "screenshot">> {
  const prompts = await page.locator(`${CELLS} .jp-InputArea-prompt`).allTextContents();
  const count = (selector: string) => page.locator(selector).count();
  const stderr = await page.locator(`${OUTPUT}${STDERR}, ${OUTPUT} ${STDERR}`).allTextContents();
  const loaded = await page.locator(`${OUTPUT} img`).evaluateAll((elements) =>
    elements.filter((e) => {
      const img = e as unknown as { complete: boolean; naturalWidth: number };
      return img.complete && img.naturalWidth > 0;
    }).length
  );
  return {
    codeCells: prompts.length,
    executed: prompts.filter((p) => /\d/.test(p)).length,
    svg: await count(`${OUTPUT} svg:not(svg svg)`),
    svgImg: await count(`${OUTPUT} img[src^="data:image/svg+xml"]`),
    img: loaded,
    svgImage: await count(`${OUTPUT} svg image`),
    errors: stderr.map((t) => t.trim())
      .filter((t) => /error|uncaught|traceback|exception/i.test(t))
      .map((t) => t.slice(0, 500)),
    text: (await page.locator(OUTPUT).allInnerTexts()).join("\n").slice(0, 50_000),
  };
}

if (import.meta.main) await main();
