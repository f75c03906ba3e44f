import { assert, assertEquals } from "@std/assert";
import { formatTime, rateTracker } from "../lib/viz/progress.ts";

Deno.test("rateTracker() measures this process's steps only, not a resumed run's earlier time", () => {
  const speed = rateTracker(1000);
  // Resumed at step 500 after 2 000 s of earlier training; then 2 steps per second.
  const first = speed({ step: 501, elapsed: 2000.5 });
  assert(Number.isNaN(first.rate) && Number.isNaN(first.eta), "no rate before a second report");
  const later = speed({ step: 521, elapsed: 2010.5 });
  assertEquals(later.rate, 2);
  assertEquals(later.eta, 479 / 2);
});

Deno.test("formatTime() writes h:mm:ss, rounding and clamping at 0", () => {
  assertEquals(formatTime(0), "0:00:00");
  assertEquals(formatTime(59.6), "0:01:00");
  assertEquals(formatTime(3725), "1:02:05");
  assertEquals(formatTime(-3), "0:00:00");
});
