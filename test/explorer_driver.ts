/**
 * Drives Debian's Chromium through playwright-core on a latent explorer page
 * opened from `file://`, and prints one JSON report: the main canvas's 28×28
 * pixels at the start, with c1 at -2 and at 2 (set through the slider's
 * `input` event), after clicking another category button, and for a given
 * latent; the slider labels and button texts; and every console error.
 *
 * Usage: deno run -A test/explorer_driver.ts FILE.html LATENT_JSON [SCREENSHOT]
 * (LATENT_JSON: {"z": [...], "category": n, "c1": x, "c2": y}). Run in its own
 * process with -A, as test/browser_driver.ts is, for playwright-core.
 */
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "./browser_driver.ts";
import { CHROMIUM } from "./lab_helpers.ts";

/** What the driver saw. */
export interface ExplorerReport {
  start: number[];
  c1Low: number[];
  c1High: number[];
  otherCategory: number[];
  latent: number[];
  labels: string[];
  buttons: string[];
  errors: string[];
}

async function main(): Promise<void> {
  const [file, latentJson, screenshot] = Deno.args;
  if (!file || !latentJson) {
    console.error("usage: explorer_driver.ts FILE.html LATENT_JSON");
    Deno.exit(2);
  }
  const latent = JSON.parse(latentJson);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(new URL(`file://${file}`).href);
    await page.waitForFunction(() => "explorer" in globalThis);
    await page.evaluate(() =>
      (globalThis as unknown as { explorer: { ready: Promise<void> } }).explorer.ready
    );
    const pixels = () =>
      page.evaluate(() =>
        (globalThis as unknown as { explorer: { pixels(): number[] } }).explorer.pixels()
      );
    const slide = (id: string, value: string) =>
      page.locator(`[data-part="${id}"]`).evaluate((el, v) => {
        const input = el as unknown as { value: string; dispatchEvent(e: Event): boolean };
        input.value = v;
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }, value);
    const start = await pixels();
    await slide("c1", "-2");
    const c1Low = await pixels();
    await slide("c1", "2");
    const c1High = await pixels();
    await page.locator('[data-part="categories"] button').nth(7).click();
    const otherCategory = await pixels();
    await page.evaluate((l) => {
      (globalThis as unknown as {
        explorer: { setLatent(z: number[], c: number, c1: number, c2: number): void };
      }).explorer.setLatent(l.z, l.category, l.c1, l.c2);
    }, latent);
    if (screenshot) await page.screenshot({ path: screenshot });
    const report: ExplorerReport = {
      start,
      c1Low,
      c1High,
      otherCategory,
      latent: await pixels(),
      labels: [
        await page.locator('[data-part="label1"]').innerText(),
        await page.locator('[data-part="label2"]').innerText(),
      ],
      buttons: await page.locator('[data-part="categories"] button').allInnerTexts(),
      errors,
    };
    console.log(JSON.stringify(report));
  } finally {
    await browser.close();
  }
}

if (import.meta.main) await main();
