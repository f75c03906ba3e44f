/** Training progress as people read it: steps per second, time left, h:mm:ss. */
import type { Progress } from "../infogan/loop.ts";

/**
 * Steps per second and seconds left, measured over this process's steps
 * only: the first report sets the baseline, so the training time of earlier
 * sessions (a resumed run's `elapsed`) never counts. Both are NaN until a
 * step has passed since the baseline.
 */
export function rateTracker(
  total: number,
): (p: { step: number; elapsed: number }) => { rate: number; eta: number } {
  let first: { step: number; elapsed: number } | null = null;
  return (p) => {
    first ??= p;
    const done = p.step - first.step;
    const seconds = p.elapsed - first.elapsed;
    const rate = done > 0 && seconds > 0 ? done / seconds : NaN;
    return { rate, eta: (total - p.step) / rate };
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
