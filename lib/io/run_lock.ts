/**
 * A lock on a run folder, so two training processes never write the same
 * run. It is an exclusive advisory lock (flock) on `<run>/.lock`, which also
 * records the owner's PID for the error message. The kernel drops the lock
 * when its process exits for any reason, SIGKILL included, so a killed run
 * never stays locked, and no PID guessing is needed.
 */
import { join } from "node:path";

/** The run folder is in use by a live process. */
export class RunLockedError extends Error {
  override name = "RunLockedError";
}

/** A held lock; call `release()` when done. */
export interface RunLock {
  path: string;
  release(): void;
}

/** Takes the lock on `dir` (which must exist) or throws {@linkcode RunLockedError}. */
export function acquireRunLock(dir: string): RunLock {
  const path = join(dir, ".lock");
  const file = Deno.openSync(path, { read: true, write: true, create: true });
  if (!file.tryLockSync(true)) {
    const owner = new TextDecoder().decode(Deno.readFileSync(path)).trim() || "unknown";
    file.close();
    throw new RunLockedError(
      `${dir}: in use by a live training process (PID ${owner}, lock ${path}); wait for it or stop it first`,
    );
  }
  file.truncateSync(0);
  file.writeSync(new TextEncoder().encode(`${Deno.pid}\n`));
  return {
    path,
    release: () => {
      try {
        file.truncateSync(0);
        file.unlockSync();
      } finally {
        file.close();
      }
    },
  };
}
