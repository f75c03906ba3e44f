/** Shared fixtures for the tests: a tiny config and a small real dataset. */
import { type InfoGanConfig } from "../lib/infogan/config.ts";
import { resolveConfig } from "../lib/infogan/config_schema.ts";
import { type Dataset, loadDataset } from "../lib/data/mnist.ts";

/** The book's algorithm at a size that trains in milliseconds per step. */
export function tinyConfig(overrides: Partial<InfoGanConfig> = {}): InfoGanConfig {
  return resolveConfig({
    flags: {
      preset: "quick",
      steps: 20,
      batchSize: 4,
      width: 0.125,
      logEvery: 1,
      sampleEvery: 1000,
      checkpointEvery: 1000,
      ...overrides,
    },
  });
}

/** `deno task train` flags for a run that takes well under a second per step. */
export const TINY_TRAIN_FLAGS: readonly string[] = [
  "--preset",
  "quick",
  "--batch-size",
  "4",
  "--width",
  "0.125",
  "--log-every",
  "1",
];

let cached: Dataset | undefined;

/** The first 512 MNIST training images (loaded once per test file). */
export async function smallMnist(): Promise<Dataset> {
  if (!cached) {
    const full = await loadDataset({ split: "train" });
    const n = 512;
    cached = {
      ...full,
      images: full.images.slice(0, n * full.height * full.width),
      labels: full.labels.slice(0, n),
      count: n,
    };
  }
  return cached;
}
