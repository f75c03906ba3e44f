/** Training progress as people read it: steps per second, time left, h:mm:ss. */

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
