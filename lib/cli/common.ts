/** Pieces shared by the command-line entry points. */
import { configFromEnv, type InfoGanConfig } from "../config.ts";
import type { Progress } from "../train.ts";

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
  let firstStep = -1;
  let firstElapsed = 0;
  let lastLogged = -1;
  let lastDraw = 0;
  return (p) => {
    if (firstStep < 0) {
      firstStep = p.step - 1;
      firstElapsed = 0;
    }
    const done = p.step - firstStep;
    const seconds = p.elapsed - firstElapsed;
    const rate = seconds > 0 ? done / Math.max(seconds, 1e-9) : 0;
    const eta = rate > 0 ? (total - p.step) / rate : 0;
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
      const line = `\r${bar} ${p.step}/${total} ${rate.toFixed(2)} it/s ETA ${
        formatTime(eta)
      } ${losses}\x1b[K`;
      Deno.stderr.writeSync(encoder.encode(line));
    } else if (m && m.step === p.step && m.step !== lastLogged) {
      lastLogged = m.step;
      console.error(
        `step ${p.step}/${total} ${rate.toFixed(2)} it/s ETA ${formatTime(eta)} ${losses}`,
      );
    }
  };
}

/** Seconds as h:mm:ss. */
export function formatTime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${h}:${mm}:${ss}`;
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
