/** Pieces shared by the command-line entry points. */
import { configFromEnv, type InfoGanConfig } from "../infogan/config.ts";
import type { Progress } from "../infogan/train.ts";
import { formatTime, rateTracker } from "../viz/progress.ts";

/** The `INFOGAN_*` overrides from this process's environment. */
export function envOverrides(): Partial<InfoGanConfig> {
  return configFromEnv(Deno.env.toObject());
}

/**
 * Returns a progress callback. On a terminal it redraws one line with a bar,
 * steps/s, ETA and the latest losses; otherwise it prints a plain line each
 * time new metrics arrive.
 */
export function progressReporter(total: number): (p: Progress) => void {
  const tty = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  const speed = rateTracker(total);
  let lastLogged = -1;
  let lastDraw = 0;
  return (p) => {
    const { rate, eta } = speed(p);
    const rateText = Number.isFinite(rate) ? rate.toFixed(2) : "–";
    const etaText = Number.isFinite(eta) ? formatTime(eta) : "–";
    const m = p.metrics;
    const losses = m
      ? `d ${m.d_loss.toFixed(3)} g ${m.g_loss.toFixed(3)} acc ${m.d_acc.toFixed(2)} L_I ${
        m.li.toFixed(2)
      }`
      : "";
    if (tty) {
      const now = performance.now();
      if (now - lastDraw < 100 && p.step !== total) return;
      lastDraw = now;
      const width = 24;
      const filled = Math.round(width * p.step / Math.max(total, 1));
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      const line = `\r${bar} ${p.step}/${total} ${rateText} it/s ETA ${etaText} ${losses}\x1b[K`;
      Deno.stderr.writeSync(encoder.encode(line));
    } else if (m && m.step === p.step && m.step !== lastLogged) {
      lastLogged = m.step;
      console.error(`step ${p.step}/${total} ${rateText} it/s ETA ${etaText} ${losses}`);
    }
  };
}

/** Writes a file that must not exist yet (never overwrites), atomically. */
export async function writeNew(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await Deno.stat(path);
  } catch {
    const tmp = `${path}.tmp`;
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
    return;
  }
  throw new Error(`${path}: already exists; choose another --out`);
}
